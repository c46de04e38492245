"""The archive job, for the CLI and the 「个人档案」 button: recalc's computation, then the archive.

It validates and computes with ``jobs.run_recalc`` (the very job `recalc` runs, so the numbers are
the same), gathers each teacher's record (reports.archive), lays it out (reports.archive_sheets)
and writes a new workbook beside the book. The book itself is never written.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from ...contract.book import RawBook
from ...contract.findings import Lang
from ...contract.texts import BilingualError, Text
from ...engine.roster import teacher_attributes
from ...reports.archive import SchoolArchive, build_archive
from ...reports.archive_sheets import archive_sheets
from ...reports.print_sheet import PrintSheet
from ...reports.safe_names import file_stem
from .writer import name_limit, no_cyclic_gc
from ...jobs.book import Outcome, run_recalc
from ..ooxml.write_errors import WorkbookWriteError

_SUFFIX = Text("-个人培训档案.xlsx", "-training-records.xlsx")


@dataclass(slots=True)
class ArchiveRun:
    outcome: Outcome
    archive: SchoolArchive
    sheets: list[PrintSheet]  # 全校概览 first (unless some teachers were picked), then one per teacher


class UnknownTeachers(BilingualError):
    def __init__(self, ids: list[str]):
        super().__init__(f"名册中没有这些工号（或其名册行有错误）：{'、'.join(ids)}",
                         f"not in the roster (or their roster row has an error): {', '.join(ids)}")
        self.ids = ids


class WouldOverwriteBook(WorkbookWriteError):
    def __init__(self, path: Path):
        super().__init__(path, f"档案不能写入总表本身（{path.name}），请换一个文件名。",
                         f"The archive cannot be written into the workbook itself ({path.name}); choose another name.")


def run_archive(raw: RawBook, *, lang: Lang = "zh", as_of: dt.date | None = None,
                teacher_ids: list[str] | None = None) -> ArchiveRun:
    outcome = run_recalc(raw, lang=lang, as_of=as_of)
    results = outcome.results
    if teacher_ids:
        known = set(results.teachers["teacher_id"])
        unknown = [t for t in teacher_ids if t not in known]
        if unknown:
            raise UnknownTeachers(unknown)
    dataset = outcome.validation.dataset
    attrs = teacher_attributes(dataset.valid("teachers").drop_duplicates("teacher_id"), results.calendar.year_start)
    with no_cyclic_gc():
        archive = build_archive(results, outcome.policy, dataset, outcome.findings, attrs,
                                teacher_ids=teacher_ids or None, lang=lang)
        sheets = archive_sheets(archive, results, outcome.findings, lang, overview=not teacher_ids)
    return ArchiveRun(outcome, archive, sheets)


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
