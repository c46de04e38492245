"""One guard for every file a command writes, checked before the first byte of any of them.

Every writing command (recalc -o, clear-marks -o, bind -o, new, validate -o, archive -o / --split,
rollup -o) names its outputs here with what it reads, and the guard refuses, in one line, an output
that is empty, a folder, in a missing folder, of the wrong type for what is written, one of the
inputs (by any name: a symlink, a hard link), a member of a folder being rolled up, or named twice.
Only when every output passes does the command write; so a run never replaces a book it reads and
never stops halfway through a set of files because the seventh one was refused.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..contract.texts import BilingualError, Catalogue, Text
from ..reports.path_text import readable_path
from .ooxml.safe_replace import check_writable
from .ooxml.write_errors import FolderIsFile, FolderMissing, OutputIsFolder

TEXTS = Catalogue("output paths", {
    "empty": ("{option} 后面是空的：请给出{what}", "{option} is empty: give {what}"),
    "is_input": ("「{path}」是要读取的文件{alias}，写入会覆盖它；{hint}",
                 "'{path}' is a file being read{alias}; writing it would replace it: {hint}"),
    "in_set": ("「{path}」是所汇总文件夹「{folder}」中的一所学校的工作簿，写入会覆盖它；请写到别处或换一个新文件名",
               "'{path}' is a school's workbook in the folder being rolled up ('{folder}'); writing it would "
               "replace it: write elsewhere or choose a new file name"),
    "not_folder": ("{option} 需要一个文件夹，而「{path}」是文件；请给出文件夹，如 {example}",
                   "{option} needs a folder, and '{path}' is a file; give a folder such as {example}"),
    "extension": ("「{path}」的扩展名不对：写入的是{what}，文件名应以 {want} 结尾，如 {example}",
                  "'{path}' has the wrong extension: {what} is written, so the name must end in {want}, "
                  "e.g. {example}"),
    "twice": ("「{path}」在本次要写两次（{first}；{second}）；请换一个文件名",
              "'{path}' would be written twice ({first}; {second}); choose another name"),
    "not_workbook": ("「{path}」是工作簿的扩展名，而写入的是{what}，会让它看起来像工作簿；请用 .txt、.json 或 .xml",
                     "'{path}' has a workbook's extension, but {what} is written; use .txt, .json or .xml"),
    "hint_o": ("-o 是另写一个文件；要写回原工作簿，请去掉 -o（会保留 .bak 备份）",
               "-o writes another file; to write into the workbook itself, leave -o out (a .bak is kept)"),
    "hint_other": ("请换一个文件名", "choose another name"),
    "alias": ("（同一个文件的另一个名字）", " (another name of the same file)"),
    "or": (" 或 ", " or "),
})


WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")
# What each command writes, for the messages.
MASTER_SAME_TYPE = Text("与原工作簿同类型的工作簿", "a workbook of the book's own type")
MACRO_BOOK = Text("带按钮和宏的工作簿", "a workbook with buttons and macros")
NEW_MASTER = Text("新的总表", "a new master workbook")
ARCHIVE_BOOK = Text("个人档案工作簿（.xlsx，不含宏）", "an archive workbook (.xlsx, no macros)")
ARCHIVE_FOLDER = Text("放每位教师档案的文件夹", "a folder for the teachers' files")
ARCHIVE_PDF = Text("PDF", "a PDF")
DISTRICT_BOOK = Text("区域汇总工作簿（.xlsx）", "the district workbook (.xlsx)")
REPORT = Text("文本报告", "a text report")


class OutputRefused(BilingualError):
    """An output the guard refuses: the whole line is the message (it names the path). Parameters
    are plain text or a ``Text``, which is shown in the message's language."""

    def __init__(self, code: str, **params: object):
        text = TEXTS[code]
        super().__init__(text.render("zh", **params), text.render("en", **params))
        self.code = code


@dataclass(frozen=True, slots=True)
class Output:
    """One file a command will write: ``what`` it is and the extensions that fit it (none given:
    any but a workbook's, for a report)."""

    path: Path
    what: Text
    suffixes: tuple[str, ...]
    option: str = "-o"
    may_replace: Callable[[Path], bool] | None = None  # an existing file that may be replaced though read
    folder_made: bool = False  # its folder is made by the command (--split), so it need not exist yet


@dataclass(slots=True)
class Inputs:
    """What the command reads: files, and folders whose workbooks it reads (rollup)."""

    files: Sequence[Path | str] = ()
    folders: Sequence[Path | str] = ()
    members: Callable[[Path], bool] = field(default=lambda p: True)  # a file in a folder that is read
    in_place: bool = False  # without -o the command writes into the file it reads (recalc, clear-marks, bind)


def given(raw: str | None, option: str | Text, what: Text) -> Path | None:
    """The option's value as a path; an empty value (`--split ""`) is refused, not taken as `.`."""
    if raw is None:
        return None
    if not raw.strip():
        raise OutputRefused("empty", option=option, what=what)
    return Path(raw)


def split_folder(folder: Path, option: str = "--split") -> None:
    """A folder the command writes files into: it may be new, not a file."""
    if folder.exists() and not folder.is_dir():
        raise OutputRefused("not_folder", option=option, path=readable_path(folder),
                            example=readable_path(folder.parent / (folder.stem + "-档案")))


def guard(outputs: Iterable[Output], inputs: Inputs | None = None) -> None:
    """Refuse the first output that must not be written (see the module's list), before any is."""
    inputs = inputs or Inputs()
    read = [_identity(Path(p)) for p in inputs.files]
    folders = [Path(os.path.realpath(f)) for f in inputs.folders]
    seen: dict[str, Output] = {}
    for out in outputs:
        path = out.path
        shown = readable_path(path)
        if path.is_dir():
            raise OutputIsFolder(shown, out.suffixes[0] if out.suffixes else ".txt")
        replaceable = path.exists() and out.may_replace is not None and out.may_replace(path)
        ident = _identity(path)
        if ident is not None and not replaceable:
            for i, src in enumerate(read):
                if src is not None and ident == src:
                    alias = not _same_name(path, Path(inputs.files[i]))
                    hint = "hint_o" if inputs.in_place else "hint_other"
                    raise OutputRefused("is_input", path=shown, alias=TEXTS["alias"] if alias else "",
                                        hint=TEXTS[hint])
        if path.exists() and not replaceable:
            real = Path(os.path.realpath(path))
            for folder in folders:
                if folder in real.parents and inputs.members(path):
                    raise OutputRefused("in_set", path=shown, folder=readable_path(folder))
        if not out.suffixes and path.suffix.lower() in WORKBOOK_SUFFIXES:
            raise OutputRefused("not_workbook", path=shown, what=out.what)
        if out.suffixes and path.suffix.lower() not in out.suffixes:
            want = Text(TEXTS["or"].zh.join(out.suffixes), TEXTS["or"].en.join(out.suffixes))
            raise OutputRefused("extension", path=shown, what=out.what, want=want,
                                example=readable_path(path.with_suffix(out.suffixes[0])))
        key = os.path.normcase(os.path.realpath(path))
        if key in seen:
            raise OutputRefused("twice", path=shown, first=_label(seen[key]), second=_label(out))
        seen[key] = out
        if path.parent.exists() and not path.parent.is_dir():
            raise FolderIsFile(shown)
        if not path.parent.exists() and not out.folder_made:
            raise FolderMissing(shown)
        if path.parent.exists():
            check_writable(path)  # open in an office suite, read-only: refused now, not at the seventh file


def _label(out: Output) -> Text:
    return Text(f"{out.option} {out.what.zh}", f"{out.option} {out.what.en}")


def _identity(path: Path) -> tuple[int, int] | str | None:
    """The file behind a name: device and inode when it exists (links and symlinks agree), else the
    resolved path (a file yet to be written has no inode)."""
    try:
        st = os.stat(path)
    except OSError:
        return os.path.normcase(os.path.realpath(path)) if path.parent.exists() else None
    return st.st_dev, st.st_ino


def _same_name(a: Path, b: Path) -> bool:
    return os.path.normcase(os.path.abspath(a)) == os.path.normcase(os.path.abspath(b))
