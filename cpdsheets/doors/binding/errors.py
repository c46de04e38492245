"""Why `bind` wrote nothing: the writer's own refusals, each with a Chinese and an English line
(the same family as every other write error, :mod:`cpdsheets.doors.ooxml.write_errors`)."""

from __future__ import annotations

from pathlib import Path

from ..ooxml.write_errors import WorkbookWriteError


class NotAMacroBook(WorkbookWriteError):
    """OUT must be an .xlsm: the bound book carries buttons and macros."""

    def __init__(self, out: Path | str):
        super().__init__(out, f"输出文件应为 .xlsm（绑定后的工作簿带有按钮和宏），而不是“{Path(out).name}”。",
                         f"The output must be an .xlsm (the bound book carries buttons and macros), not "
                         f"'{Path(out).name}'.")


class MappingSheetTaken(WorkbookWriteError):
    """The book has a sheet named 映射 that is not a 映射 table: it is the school's, never replaced."""

    def __init__(self, path: Path | str, name: str):
        super().__init__(path, f"工作簿中已有名为“{name}”的工作表，但它不是映射表；请把它改名后再绑定。",
                         f"The workbook already has a sheet named '{name}' that is not a mapping table; "
                         "rename it and bind again.")


class BoundBookExists(WorkbookWriteError):
    """An .xlsx whose .xlsm (bound earlier) is beside it: that file may hold newer data and edited
    映射 lines, so it is never overwritten from the .xlsx unasked."""

    def __init__(self, src: Path | str, target: Path | str):
        src_name, name = Path(src).name, Path(target).name
        super().__init__(target, f"“{name}”已存在（此前绑定生成）：请绑定“{name}”本身，或用 -o 指定输出文件；"
                                 f"“{src_name}”与“{name}”均未改动。",
                         f"'{name}' already exists (bound earlier): bind '{name}' itself, or give -o; "
                         f"neither '{src_name}' nor '{name}' was changed.")
