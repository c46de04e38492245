"""Where the archive goes (beside the book, -o, --split, --pdf), checked before anything is written,
and the refusal to write it over the book itself (the job is :mod:`cpdsheets.jobs.archive`, the
writer :mod:`.writer`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

from ...contract.texts import Text
from ...reports.safe_names import file_stem
from ..ooxml.write_errors import WorkbookWriteError
from .writer import name_limit

_SUFFIX = Text("-个人培训档案.xlsx", "-training-records.xlsx")


class WouldOverwriteBook(WorkbookWriteError):
    def __init__(self, path: Path):
        super().__init__(path, Text("档案不能写入总表本身（{name}），请换一个文件名。",
                                    "The archive cannot be written into the workbook itself ({name}); choose another "
                                    "name.").fill(name=path.name))


def default_output(book: Path, lang: str = "zh") -> Path:
    """`<book>-个人培训档案.xlsx` beside the book, the book's part cut so the name fits the file system."""
    book, tail = Path(book), _SUFFIX.get(lang, _SUFFIX["zh"])
    return book.with_name(file_stem(book.stem, tail, name_limit(book.parent)) + tail)


def check_not_book(target: Path, book: Path) -> None:
    """The archive is a separate file: refuse a target that is the book (or the same file by a link)."""
    target, book = Path(target), Path(book)
    same = target.resolve() == book.resolve()
    if not same and target.exists() and book.exists():
        same = target.samefile(book)
    if same:
        raise WouldOverwriteBook(book)


def archive_outputs(book: Path, out: Optional[str], split: Optional[str], pdf: bool, lang: str,
                    members: list[Path] | None = None) -> tuple[Optional[Path], Optional[Path]]:
    """archive's outputs, checked: the combined workbook (-o, or the default beside BOOK unless only
    --split is asked), the --split folder and, once the teachers are known, each of their files and
    every PDF. None of them may be BOOK, a folder, or named twice."""
    from .. import output_paths as op

    given_out = op.given(out, "-o", op.ARCHIVE_BOOK)
    folder = op.given(split, "--split", op.ARCHIVE_FOLDER)
    if folder is not None:
        op.split_folder(folder)
    target = given_out
    if target is None and folder is None:
        target = default_output(book, lang)
    outputs = [op.Output(target, op.ARCHIVE_BOOK, (".xlsx",))] if target is not None else []
    outputs += [op.Output(p, op.ARCHIVE_BOOK, (".xlsx",), option="--split", folder_made=True) for p in members or []]
    if pdf:
        outputs += [op.Output(o.path.with_suffix(".pdf"), op.ARCHIVE_PDF, (".pdf",), option="--pdf",
                              folder_made=o.folder_made) for o in outputs]
    op.guard(outputs, op.Inputs([book]))
    return target, folder
