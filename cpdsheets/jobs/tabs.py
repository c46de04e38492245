"""The step after validate or recalc for a door that writes into the book: the output tabs and the
marks on the cells in error.

It is a step of its own because most answers never reach a book: the roll-up, the archive and the
service's upload answer use the results and skip it (building the five tabs is a fifth of a small
book's time).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from .. import __version__
from ..contract.findings import Finding, Lang
from ..reports import tabs as tab_builder
from ..reports.tables import CellMark, TabTable
from .book import Recalculation, Validated, input_hash


@dataclass(frozen=True, slots=True)
class BookTabs:
    """What a door writes: ``tabs`` (validate: 校验问题 and 运行记录; recalc: the five) and ``marks`` (one
    per cell in error; written when asked). Which of the book's sheets they replace is the door's
    (doors/tab_owner)."""

    tabs: list[TabTable]
    marks: list[CellMark]


def book_tabs(outcome: Validated) -> BookTabs:
    lang = outcome.request.lang
    if isinstance(outcome, Recalculation):
        results = outcome.results
        tabs = [
            tab_builder.summary_tab(results, outcome.policy, lang),
            tab_builder.alerts_tab(results, lang),
            tab_builder.issues_tab(outcome.findings, lang),
            tab_builder.groups_tab(results, lang),
            tab_builder.runlog_tab(_run_info(outcome), lang),
        ]
    else:
        tabs = [tab_builder.issues_tab(outcome.findings, lang), tab_builder.runlog_tab(_run_info(outcome), lang)]
    return BookTabs(tabs, marks_for(outcome.findings, lang))


def marks_for(findings: list[Finding], lang: Lang = "zh") -> list[CellMark]:
    """One mark per input cell that carries an error; several errors on a cell share one note."""
    notes: dict[tuple[str, str], list[str]] = {}
    for f in findings:
        if f.level == "error" and f.cell and f.row:
            notes.setdefault((f.sheet, f.cell), []).append(f"{f.message(lang)} {f.hint(lang)}")
    return [CellMark(sheet, cell, "\n".join(texts)) for (sheet, cell), texts in notes.items()]


def _run_info(outcome: Validated) -> dict[str, Any]:
    return {
        "version": __version__,
        "job": outcome.job,
        "time": dt.datetime.now().replace(microsecond=0),
        "as_of": outcome.as_of,
        "source": outcome.request.book.path,
        "input_hash": input_hash(outcome.validation),
        "seconds": round(outcome.seconds, 3),
        **outcome.counts,
    }
