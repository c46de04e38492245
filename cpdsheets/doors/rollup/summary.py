"""The roll-up of one file, run in a worker: read it, run the roll-up job (``jobs/rollup.py``), return a small summary.

Only the summary crosses the process boundary (a few KB), never the book's frames, so a district of
any size costs the parent the summaries and nothing more.
"""

from __future__ import annotations

import datetime as dt
import time

from ...contract.findings import Lang
from ...contract.texts import LANGS
from ...reports.internal_error import internal_error
from ...reports.path_text import readable_path
from ...reports.rollup import SchoolSummary, Unreadable
from ..ooxml.file_door import FileDoor
from ..reader import WorkbookUnreadable


def summarise_file(path: str, lang: Lang, as_of: dt.date, label: str | None = None) -> SchoolSummary | Unreadable:
    """What ``recalc --dry-run`` computes for ``path`` at ``as_of``, as a ``SchoolSummary``: ``as_of`` is the
    roll-up's one date (:func:`cpdsheets.jobs.dates.district_as_of`), never a school's own. ``label`` is
    the path the summary names (the service reads a stored copy but names the school's file)."""
    from ...jobs.rollup import SchoolRequest, summarise

    started = time.perf_counter()
    shown = readable_path(label or path)  # the file is opened by its own name, shown by a readable one
    try:
        raw = FileDoor(path).read()
    except WorkbookUnreadable as exc:
        return Unreadable(shown, exc.message(lang), {each: exc.message(each) for each in LANGS})
    try:
        return summarise(SchoolRequest(raw, lang, as_of, shown=shown, started=started))
    except Exception as exc:  # one odd workbook is one unreadable line, not the end of the district's run
        return Unreadable(shown, internal_error(exc, lang), {each: internal_error(exc, each) for each in LANGS})
