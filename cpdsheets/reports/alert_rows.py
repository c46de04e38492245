"""The rows of 达标预警: alerts as a person reads them, at most one row per subject, rule and semester.

The engine gives one alert per period (and per apprentice or activity type). A coordinator wants
one line per teacher and rule: a monthly, weekly or fortnightly rule that failed in several windows
of a semester becomes one row that says how many and which (``4/10 个双周未达标：9/1–9/14, …``);
a rule split by apprentice (R11) or activity type (R18) lists each with its count. Rows are sorted
by teacher in roster order (groups after them), then rule, then semester.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from ..contract.findings import Lang
from ..contract.period import PERIOD_KIND_SPECS
from ..contract.states import State, SubjectType
from ..contract.texts import WORDS, Text, joined
from .period_text import period_text
from .tab_texts import ALERT_NOTES

STATE_RANK = {s.value: s.rank for s in State}
_SUBJECT_ORDER = {s.value: s.order for s in SubjectType}
# Windows named in a note; more are "…" (the JSON lists every one). A longer note spills past the
# table and shrinks the printed page to an unreadable scale.
MAX_SPANS = 4


@dataclass(slots=True)
class AlertRow:
    state: str
    severity: str
    subject: str
    subject_type: str
    rule_id: str
    rule_name: str
    detail: str
    period: str
    start: Any
    end: Any
    actual: float | None
    required: float | None
    note: str
    consequence: str
    split: bool = False  # the rule counts each apprentice or activity type apart: ``detail`` names which
    why: str = ""  # why the period is judged before its end (已离校, 休假), also at the head of ``note``


# One 达标预警 row per subject, rule and semester.
ROW_KEYS = ["subject_type", "subject", "rule_id", "semester"]


def alert_row_count(alerts: pd.DataFrame) -> int:
    """How many rows ``alert_rows`` makes of ``alerts``, without making them (a job that builds no tabs)."""
    return len(set(zip(*(alerts[k] for k in ROW_KEYS)))) if len(alerts) else 0


def alert_row_states(alerts: pd.DataFrame) -> dict[str, int]:
    """How many rows of 达标预警 are in each state (a row takes the worst state of its periods, as
    ``alert_rows`` gives it), without making the rows: what the CLI's head line and the service's
    summary count, so both say the numbers the coordinator finds in the tab."""
    if not len(alerts):
        return {}
    rank = alerts["state"].map(STATE_RANK).fillna(0)
    worst = alerts.assign(_rank=rank).sort_values("_rank", kind="stable").groupby(ROW_KEYS, sort=False).tail(1)
    counts = worst["state"].value_counts()
    return {str(state): int(counts[state]) for state in sorted(counts.index, key=lambda s: -STATE_RANK.get(s, 0))}


def alert_rows(alerts: pd.DataFrame, progress: pd.DataFrame, roster_order: list[str],
               lang: Lang = "zh") -> list[AlertRow]:
    if alerts.empty:
        return []
    keys = ROW_KEYS
    windows = progress.groupby(keys, sort=False)["period_start"].nunique().to_dict()
    rank = {tid: i for i, tid in enumerate(roster_order)}
    # Plain records grouped in Python: thousands of one- or two-row pandas groups cost a
    # millisecond each (seconds per recalc); the alert columns are typed and never null here.
    # The records are zipped from the columns' lists (the values and types ``to_dict("records")``
    # gives, at a third of its cost).
    columns = list(alerts.columns)
    groups: dict[tuple, list[dict[str, Any]]] = {}
    for a in (dict(zip(columns, row)) for row in zip(*(alerts[c].tolist() for c in columns))):
        groups.setdefault(tuple(a[k] for k in keys), []).append(a)
    for g in groups.values():
        g.sort(key=lambda a: (a["period_start"], a["detail_label"]))
    rows = [_row(g, int(windows.get(key, len({a["period_start"] for a in g}))), lang) for key, g in groups.items()]
    rows.sort(key=lambda r: (_SUBJECT_ORDER.get(r.subject_type, 3), rank.get(r.subject, len(rank)), r.subject,
                             r.rule_id, r.start))
    return rows


def _row(g: list[dict[str, Any]], windows: int, lang: Lang) -> AlertRow:
    first = g[0]
    state = max((a["state"] for a in g), key=lambda s: STATE_RANK.get(s, 0))
    details = list(dict.fromkeys(a["detail_label"] for a in g))
    single = len(g) == 1
    kind = first["period_kind"]
    if PERIOD_KIND_SPECS[kind].window:
        period, note = first["period"].reading_unit, _windows_note(g, kind, windows, lang)
    elif single:
        period, note = first["period"], _pace_note(first, lang) if state == State.BEHIND else ""
    else:
        period, note = first["period"], _details_note(g, lang)
    shown = period_text(period, lang)
    why = _final_note(g, lang)
    if why:
        note = WORDS.render("two-clauses", lang, first=why, second=note) if note else why
    return AlertRow(
        state=state, severity=first["severity"], subject=first["subject"], subject_type=first["subject_type"],
        rule_id=first["rule_id"], rule_name=first["rule_name"], detail="、".join(details), period=shown,
        start=min(a["period_start"] for a in g), end=max(a["period_end"] for a in g),
        actual=first["actual"] if single else None, required=first["required"] if single else None,
        note=note, consequence=first["consequence"], split=any(str(a["detail"]) != "" for a in g), why=why,
    )


def _span(start: Any, end: Any) -> str:
    return f"{start.month}/{start.day}–{end.month}/{end.day}"


def _spans(rows: list[dict[str, Any]]) -> str:
    spans = [_span(a["period_start"], a["period_end"]) for a in rows]
    return ", ".join(spans[:MAX_SPANS] + (["…"] if len(spans) > MAX_SPANS else []))


def _in_state(g: list[dict[str, Any]], state: str, *, one_per_window: bool = False) -> list[dict[str, Any]]:
    """The alerts in ``state``, in order; with ``one_per_window`` the first of each period start."""
    picked = [a for a in g if a["state"] == state]
    if not one_per_window:
        return picked
    first: dict[Any, dict[str, Any]] = {}
    for a in picked:
        first.setdefault(a["period_start"], a)
    return list(first.values())


def _windows_note(g: list[dict[str, Any]], kind: str, windows: int, lang: Lang) -> str:
    unit = Text(PERIOD_KIND_SPECS[kind].zh_many, PERIOD_KIND_SPECS[kind].en_plural)
    parts = []
    failed = _in_state(g, State.FAILED, one_per_window=True)
    if len(failed):
        spans = _spans(failed)
        parts.append(ALERT_NOTES.render("not-met", lang, n_failed=len(failed), windows=windows, unit=unit,
                                        spans=spans))
    for a in _in_state(g, State.BEHIND, one_per_window=True):
        span = _span(a["period_start"], a["period_end"])
        parts.append(ALERT_NOTES.render("in-progress-behind-of-due", lang, span=span, actual=_n(a['actual']),
                                        expected=_n(a['expected'])))
    over = _in_state(g, State.OVER)
    if len(over):
        spans = _spans(over)
        parts.append(ALERT_NOTES.render("over-the-limit", lang, spans=spans))
    return joined(lang, parts)


_FINAL = {"已离校": "final-left", "休假": "final-on-leave"}  # the engine's two reasons, codes in ALERT_NOTES


def _final_note(g: list[dict[str, Any]], lang: Lang) -> str:
    """Why a period is judged before its end: the teacher's time in post in it is over (已离校, 休假)."""
    reasons = [r for r in dict.fromkeys(str(a.get("final_reason") or "") for a in g) if r]
    if not reasons:
        return ""
    return ALERT_NOTES.render("final-now", lang, reasons=joined(
        lang, (ALERT_NOTES.render(_FINAL[r], lang) for r in reasons), "list-sep"))


def _pace_note(a: dict[str, Any], lang: Lang) -> str:
    return ALERT_NOTES.render("due-by-now", lang, expected=_n(a['expected']))


def _details_note(g: list[dict[str, Any]], lang: Lang) -> str:
    """Several apprentices or activity types short in one period: each with actual/required."""
    items = [f"{a['detail_label']} {_n(a['actual'])}/{_n(a['required'])}" for a in g]
    return joined(lang, items)


def _n(v: Any) -> str:
    if v is None or v != v:
        return ""
    v = round(float(v), 1)
    return str(int(v)) if v.is_integer() else str(v)
