"""The text `cpdsheets recalc` prints: a head line, then the first 达标预警 rows.

It counts and lists the rows of 达标预警 (one per subject, rule and semester), not the engine's
alerts (one per period): a coordinator who reads "31 条预警" finds 31 rows in the tab. A window rule
that failed in several months or fortnights is one line saying how many and which.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from datetime import date

from ..contract.findings import Lang, plain_number
from ..contract.results import Results
from .alert_rows import STATE_RANK, AlertRow, alert_rows
from ..contract.states import State
from ..contract.texts import WORDS
from .tab_texts import RECALC_LINES

SHOWN = 30


def recalc_text(results: Results, counts: Mapping[str, int], as_of: date, share_rules: set[str],
                lang: Lang) -> str:
    """The head line (as-of date, teachers, 达标预警 rows by state, findings) and up to 30 rows, worst first."""
    rows = alert_rows(results.alerts, results.progress, list(results.teachers["teacher_id"]), lang)
    states = Counter(r.state for r in rows)
    ordered = sorted(states, key=lambda s: -STATE_RANK.get(s, 0))
    by_state = WORDS.render("alert-sep", lang).join(f"{State.label_of(s, lang)} {states[s]}" for s in ordered)
    head = RECALC_LINES.render("head", lang, as_of=as_of, teachers=counts.get("teachers", 0), alerts=len(rows),
                               by_state=WORDS.render("aside", lang, aside=by_state) if by_state else "",
                               errors=counts["errors"], warnings=counts["warnings"])
    names = dict(zip(results.teachers["teacher_id"], results.teachers["name"]))
    shown = sorted(rows, key=lambda r: -STATE_RANK.get(r.state, 0))  # stable: teacher, then rule, within a state
    lines = [head] + [_line(r, names, r.rule_id in share_rules, lang) for r in shown[:SHOWN]]
    if len(rows) > SHOWN:
        lines.append(RECALC_LINES.render("more", lang, n=len(rows) - SHOWN))
    return "\n".join(lines)


def _line(r: AlertRow, names: Mapping[str, str], share: bool, lang: Lang) -> str:
    name = names.get(r.subject)
    who = f"{r.subject} {name if isinstance(name, str) else ''}".strip()
    state = State.label_of(r.state, lang)
    detail = f"（{r.detail}）" if r.split else ""
    return f"  {state:<4} {who:<10} {r.rule_id} {r.rule_name}{detail} {r.period}: {_versus(r, share)}"


def _versus(r: AlertRow, share: bool) -> str:
    if r.why and r.actual is not None and r.required is not None:  # final early: the numbers and why
        return f"{plain_number(r.actual, percent=share)} / {plain_number(r.required, percent=share)}（{r.why}）"
    if r.actual is None or r.required is None or (r.state == "未达标" and r.note):
        return r.note  # windows or details: the tab's note says which month, fortnight or apprentice
    sign = ">" if r.state == "超出上限" else "/"
    return f"{plain_number(r.actual, percent=share)} {sign} {plain_number(r.required, percent=share)}"
