"""Why `bind` wrote nothing: the writer's own refusals, each with a Chinese and an English line
(the same family as every other write error, :mod:`cpdsheets.doors.ooxml.write_errors`)."""

from __future__ import annotations

from pathlib import Path

from ...contract.texts import Catalogue
from ..ooxml.write_errors import WorkbookWriteError

BIND_REFUSALS = Catalogue("bind refusals", {
    "not-xlsm": ("输出文件应为 .xlsm（绑定后的工作簿带有按钮和宏），而不是“{name}”。",
                 "The output must be an .xlsm (the bound book carries buttons and macros), not '{name}'."),
    "mapping-taken": ("工作簿中已有名为“{name}”的工作表，但它不是映射表；请把它改名后再绑定。",
                      "The workbook already has a sheet named '{name}' that is not a mapping table; rename it and "
                      "bind again."),
    "bound-exists": ("“{name}”已存在（此前绑定生成）：请绑定“{name}”本身，或用 -o 指定输出文件；“{src}”与“{name}”均未改动。",
                     "'{name}' already exists (bound earlier): bind '{name}' itself, or give -o; neither '{src}' "
                     "nor '{name}' was changed."),
})


class NotAMacroBook(WorkbookWriteError):
    """OUT must be an .xlsm: the bound book carries buttons and macros."""

    def __init__(self, out: Path | str):
        super().__init__(out, BIND_REFUSALS["not-xlsm"].fill(name=Path(out).name))


class MappingSheetTaken(WorkbookWriteError):
    """The book has a sheet named 映射 that is not a 映射 table: it is the school's, never replaced."""

    def __init__(self, path: Path | str, name: str):
        super().__init__(path, BIND_REFUSALS["mapping-taken"].fill(name=name))


class BoundBookExists(WorkbookWriteError):
    """An .xlsx whose .xlsm (bound earlier) is beside it: that file may hold newer data and edited
    映射 lines, so it is never overwritten from the .xlsx unasked."""

    def __init__(self, src: Path | str, target: Path | str):
        src_name, name = Path(src).name, Path(target).name
        super().__init__(target, BIND_REFUSALS["bound-exists"].fill(name=name, src=src_name))
