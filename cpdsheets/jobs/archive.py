"""The archive job, for the CLI, the 「个人档案」 button and the service: recalc's computation, then
each teacher's record laid out as printable sheets.

It computes with :func:`.book.recalc` (the very job `recalc` runs, so the numbers are the same),
gathers each teacher's record (reports.archive) and lays it out (reports.archive_sheets). Writing the
sheets into a workbook is the door's (doors/archive); no output tab is built.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..contract.schema import TEACHERS
from ..contract.texts import BilingualError, Catalogue, Text
from ..engine.roster import teacher_attributes
from ..reports.archive import SchoolArchive, build_archive
from ..reports.archive_sheets import archive_sheets
from ..reports.print_sheet import PrintSheet
from .book import Recalculation, recalc
from .gc_pause import no_cyclic_gc
from .request import BookRequest


@dataclass(frozen=True, slots=True)
class ArchiveRequest(BookRequest):
    """``teacher_ids``: only these teachers (then there is no 全校概览); empty: every teacher."""

    teacher_ids: tuple[str, ...] = ()


@dataclass(slots=True)
class ArchiveRun:
    outcome: Recalculation
    archive: SchoolArchive
    sheets: list[PrintSheet]  # 全校概览 first (unless some teachers were picked), then one per teacher

    @property
    def teacher_sheets(self) -> list[PrintSheet]:
        """The teachers' own sheets, one each, in the archive's order (what --split writes apart)."""
        return self.sheets[len(self.sheets) - len(self.archive.teachers):]


ARCHIVE_REFUSALS = Catalogue("archive refusals", {
    "unknown-teachers": ("名册中没有这些工号（或其名册行有错误）：{ids}",
                         "not in the roster (or their roster row has an error): {ids}"),
})


class UnknownTeachers(BilingualError):
    def __init__(self, ids: list[str]):
        super().__init__(ARCHIVE_REFUSALS["unknown-teachers"].fill(ids=Text("、".join(ids), ", ".join(ids))))
        self.ids = ids


def archive(request: ArchiveRequest) -> ArchiveRun:
    """Raises :class:`UnknownTeachers` when a requested 工号 has no computed record."""
    outcome = recalc(request)
    results = outcome.results
    picked = list(request.teacher_ids)
    if picked:
        known = set(results.teachers["teacher_id"])
        unknown = [t for t in picked if t not in known]
        if unknown:
            raise UnknownTeachers(unknown)
    dataset = outcome.validation.dataset
    attrs = teacher_attributes(dataset.valid(TEACHERS.key).drop_duplicates("teacher_id"), results.calendar.year_start)
    with no_cyclic_gc():
        school = build_archive(results, outcome.policy, dataset, outcome.findings, attrs,
                               teacher_ids=picked or None, lang=request.lang)
        sheets = archive_sheets(school, results, outcome.findings, request.lang, overview=not picked)
    return ArchiveRun(outcome, school, sheets)
