"""The roll-up job for one school's book: what ``recalc --dry-run`` computes, as a ``SchoolSummary``.

No output tab is built (the district report does not use them), and only the summary leaves the
worker that ran it, never the book's frames. Every school of one roll-up is asked at the same date
(:func:`.dates.district_as_of`, settled by the door once for the district, before the schools run).
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass

from ..contract.texts import BilingualError, Catalogue, Text, both_languages
from ..engine.policy_diff import policy_changes
from ..reports.rollup import District, SchoolSummary, merge_reports, school_summary
from .book import recalc
from .request import BookRequest


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
