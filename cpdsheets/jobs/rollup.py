"""The roll-up jobs: a district over its schools' books (:func:`roll_up`), and one school's book
(:func:`summarise`: what ``recalc --dry-run`` computes, as a ``SchoolSummary``).

No output tab is built (the district report does not use them), and only the summary leaves the
worker that ran it, never the book's frames. Every school of one roll-up is asked at the same date
(:func:`.dates.district_as_of`, settled once for the district, before the schools run).

The fan-out over the books is written here once, for every door (the CLI's ``rollup``, the service's
district pages): the door hands in how one book is read and summarised in a worker (it reads files,
which a job never does) and how a list of calls is mapped over its workers (the warm pool's), and
the job collects the answers, in the books' order, a worker's failure as that book's unreadable line.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from ..contract.findings import Lang
from ..contract.texts import LANGS, BilingualError, Catalogue, Text, both_languages
from ..engine.policy_diff import policy_changes
from ..reports.path_text import readable_path
from ..reports.rollup import District, SchoolSummary, Skipped, Unreadable, merge_reports, school_summary
from .book import recalc
from .dates import district_as_of
from .request import BookRequest

_R = TypeVar("_R")


@dataclass(frozen=True, slots=True)
class SchoolRequest(BookRequest):
    """``as_of``: the roll-up's one date, given by the door (:func:`.dates.district_as_of`); ``shown``: the
    name the summary gives the school's file; ``started`` (perf_counter): when its reading began, so the
    summary's time counts the read."""

    shown: str = ""
    started: float | None = None


def summarise(request: SchoolRequest) -> SchoolSummary:
    started = time.perf_counter() if request.started is None else request.started
    outcome = recalc(request)
    changes = [c.as_dict() for c in policy_changes(outcome.policy)]
    return school_summary(request.shown, outcome.results, outcome.policy, outcome.findings, outcome.validation.rows,
                          changes, seconds=time.perf_counter() - started)


MERGE_REFUSALS = Catalogue("rollup merge refusals", {
    "as-of-differs": ("统计截止日不一致", "reports have different as-of dates: {dates}"),
})


class AsOfDiffers(BilingualError):
    """Districts' reports merged into one must share one as-of date (the request's, when it gives one)."""

    def __init__(self, dates: list[str]):
        # One line in both languages, shown as it is whichever language is asked for.
        text = both_languages(MERGE_REFUSALS["as-of-differs"], dates=dates)
        super().__init__(Text(text, text))


def merged(districts: list[District], as_of: dt.date | None) -> District:
    """`rollup --merge`: districts' reports as one, a province's; raises :class:`AsOfDiffers`."""
    dates = {d.as_of.isoformat() for d in districts} | ({as_of.isoformat()} if as_of else set())
    if len(dates) != 1:
        raise AsOfDiffers(sorted(dates))
    return merge_reports(districts)


@dataclass(frozen=True, slots=True)
class SchoolBook:
    """One school's book in a roll-up: ``path``, the file a worker reads; ``label``, the name the
    district report gives it ("": the path itself), e.g. the school's own file name for a stored copy."""

    path: str
    label: str = ""

    @property
    def shown(self) -> str:
        return readable_path(self.label or self.path)


@dataclass(frozen=True, slots=True)
class DistrictRequest:
    """``as_of``: the request's date (None: today, for every school); ``jobs``: how many workers the
    door runs, said in the report; ``skipped``: the files the door chose not to count, with why."""

    books: tuple[SchoolBook, ...]
    lang: Lang = "zh"
    as_of: dt.date | None = None
    jobs: int = 1
    skipped: tuple[Skipped, ...] = field(default=())


class SummariseBook(Protocol):
    """The door's: read the book at ``path`` and :func:`summarise` it, in a worker; a book that
    cannot be read is its ``Unreadable`` line (named ``label``, else the path)."""

    def __call__(self, path: str, lang: Lang, as_of: dt.date, label: str | None = None
                 ) -> SchoolSummary | Unreadable: ...


class MapOverBooks(Protocol):
    """The door's: ``work(*call)`` for every call, on its workers, answered in the calls' order; a call
    whose worker gave no answer (a crash, a limit) is answered with that failure, a ``BilingualError``."""

    def __call__(self, work: Callable[..., _R], calls: Sequence[tuple[Any, ...]]) -> list[_R | BilingualError]: ...


def roll_up(request: DistrictRequest, summarise_book: SummariseBook, map_books: MapOverBooks) -> District:
    """The district: every book summarised at one date, each on a worker; a book that could not be read,
    or whose worker failed, is one unreadable line and the others are still done."""
    when = district_as_of(request.as_of)  # one date for every school, settled once
    calls = [(book.path, request.lang, when, book.label or None) for book in request.books]
    answers = map_books(summarise_book, calls)
    schools: list[SchoolSummary] = []
    unreadable: list[Unreadable] = []
    for book, answer in zip(request.books, answers):
        if isinstance(answer, SchoolSummary):
            schools.append(answer)
        elif isinstance(answer, Unreadable):
            unreadable.append(answer)
        else:
            unreadable.append(Unreadable(book.shown, answer.message(request.lang),
                                         {lang: answer.message(lang) for lang in LANGS}))
    return District(schools, unreadable, when, jobs=request.jobs, skipped=list(request.skipped))
