"""The `recalc --format json` contract: teachers, alerts and findings, ISO dates."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import pandas as pd

from .. import __version__
from ..contract.findings import Finding, Lang
from ..contract.results import Results
from .plain_values import missing
from .report import sorted_findings
from .safe_text import json_text


def _plain(v: Any) -> Any:
    if missing(v):
        return None
    if isinstance(v, pd.Timestamp):
        return v.date().isoformat()
    if isinstance(v, (dt.date, dt.datetime)):
        return v.isoformat()
    if isinstance(v, dict):
        return {str(k): _plain(x) for k, x in v.items()}
    if hasattr(v, "item"):  # numpy scalars
        v = v.item()
    if isinstance(v, float) and not math.isfinite(v):  # NaN, or a bound like 1e308 pro-rated past float range
        return None
    return v


TEACHER_FIELDS = ("teacher_id", "name", "group", "roles", "credits", "credits_by_category", "status")
ALERT_FIELDS = ("subject", "subject_type", "rule_id", "rule_name", "detail", "period_start", "period_end",
                "actual", "required", "state", "severity", "consequence", "final")
# JSON key -> results column, where they differ: ``detail`` is the words (``1007 赵敏``, ``跨学科``);
# ``final`` says why a period was judged before its end (已离校, 休假), empty otherwise.
ALERT_COLUMNS = {"detail": "detail_label", "final": "final_reason"}


def results_dict(results: Results, findings: list[Finding], as_of: dt.date, lang: Lang = "zh") -> dict[str, Any]:
    teachers = [{k: _plain(getattr(t, k)) for k in TEACHER_FIELDS}
                for t in results.teachers.itertuples(index=False)]
    # Column by column (the values ``itertuples`` gives, from ``tolist``): a school has a thousand alerts.
    columns = [results.alerts[ALERT_COLUMNS.get(k, k)].tolist() for k in ALERT_FIELDS]
    alerts = [dict(zip(ALERT_FIELDS, map(_plain, row))) for row in zip(*columns)]
    return {
        "tool": "cpdsheets",
        "version": __version__,
        "as_of": as_of.isoformat(),
        "teachers": teachers,
        "alerts": alerts,
        "findings": [f.as_dict(lang) for f in sorted_findings(findings)],
    }


def to_results_json(results: Results, findings: list[Finding], as_of: dt.date, lang: Lang = "zh") -> str:
    return json_text(results_dict(results, findings, as_of, lang))
