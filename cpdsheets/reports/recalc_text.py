"""The text `cpdsheets recalc` prints: a head line, then the first alerts with actual against required."""

from __future__ import annotations

from ..contract.findings import plain_number
from .tabs import _STATE_EN


def recalc_text(outcome, lang: str) -> str:
    """What `recalc` prints: the head line (as-of date, teachers, alerts by state, findings) and up to 30 alerts."""
    c = outcome.counts
    results = outcome.results
    alerts = results.alerts if results is not None else None
    states = alerts["state"].value_counts().to_dict() if alerts is not None and len(alerts) else {}
    by_state = "，".join(f"{k} {v}" for k, v in states.items()) if lang == "zh" else \
        ", ".join(f"{_STATE_EN.get(k, k)} {v}" for k, v in states.items())
    if lang == "zh":
        head = (f"统计截止 {outcome.as_of}：{c.get('teachers', 0)} 位教师，{c.get('alerts', 0)} 条预警"
                f"{'（' + by_state + '）' if by_state else ''}；{c['errors']} 个错误，{c['warnings']} 个警告")
    else:
        head = (f"as of {outcome.as_of}: {c.get('teachers', 0)} teachers, {c.get('alerts', 0)} alerts"
                f"{' (' + by_state + ')' if by_state else ''}; {c['errors']} errors, {c['warnings']} warnings")
    lines = [head]
    if alerts is not None and len(alerts):
        names = dict(zip(results.teachers["teacher_id"], results.teachers["name"]))
        shares = {r.rule_id for r in outcome.policy.rules if r.metric == "占比"}
        rank = {"未达标": 0, "超出上限": 1, "进度落后": 2}
        shown = alerts.assign(_r=alerts["state"].map(rank)).sort_values(["_r", "subject", "rule_id", "period_start"])
        for a in shown.head(30).itertuples(index=False):
            name = names.get(a.subject)
            who = f"{a.subject} {name if isinstance(name, str) else ''}".strip()
            state = a.state if lang == "zh" else _STATE_EN.get(a.state, a.state)
            lines.append(f"  {state:<4} {who:<10} {a.rule_id} {a.rule_name} "
                         f"{_iso(a.period_start)}~{_iso(a.period_end)}: {_versus(a, a.rule_id in shares)}")
        if len(alerts) > 30:
            lines.append(f"  … 另有 {len(alerts) - 30} 条，见「达标预警」" if lang == "zh"
                         else f"  … {len(alerts) - 30} more, see the Alerts tab")
    return "\n".join(lines)


def _versus(a, share: bool) -> str:
    def shown(x) -> str:
        return plain_number(x, percent=share)

    if a.required == a.required and a.state != "超出上限":  # not NaN: a lower bound, pro-rated
        return f"{shown(a.actual)} / {shown(a.required)}"
    return f"{shown(a.actual)} > {shown(getattr(a, 'upper', float('nan')))}"


def _iso(v) -> str:
    return v.date().isoformat() if hasattr(v, "date") and callable(v.date) else str(v)
