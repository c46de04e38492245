"""The roll-up job for one school's book: what ``recalc --dry-run`` computes, as a ``SchoolSummary``.

No output tab is built (the district report does not use them), and only the summary leaves the
worker that ran it, never the book's frames.
"""

from __future__ import annotations

import datetime as dt
import time

from ..contract.book import RawBook
from ..contract.findings import Lang
from ..engine.policy_diff import policy_changes
from ..reports.rollup import SchoolSummary, school_summary
from .book import run_recalc


def summarise(raw: RawBook, shown: str, *, lang: Lang = "zh", as_of: dt.date | None = None,
              started: float | None = None) -> SchoolSummary:
    """The school's summary, named ``shown``; ``started`` (perf_counter) is when its reading began."""
    started = time.perf_counter() if started is None else started
    outcome = run_recalc(raw, lang=lang, as_of=as_of, with_tabs=False)
    changes = [c.as_dict() for c in policy_changes(outcome.policy)]
    return school_summary(shown, outcome.results, outcome.policy, outcome.findings, outcome.validation.rows,
                          changes, seconds=time.perf_counter() - started)
