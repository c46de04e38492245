"""The computation: validated dataset + policy + as-of date -> credits, progress, alerts, group stats.

Only rows with ``_ok`` count, and only those dated inside the school year and on or before the as-of
date (the state "at the as-of date" must not see later entries).

Rules whose sheet or column is missing are not evaluated (``rule_inputs``): ``findings`` says so.

A teacher's (and a group's) alert count is its rows in 达标预警: one per rule and semester.

Teacher ``status`` is the worst state among the teacher's alerts of severity ``error``:
未达标 (a closed shortfall, or an upper bound exceeded) > 进度落后 > 达标. Alerts of warning/info
severity (R15 by default) are listed but do not change the status.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from ..contract.dataset import Dataset
from ..contract.policy import CREDITS_SHEET, Policy
from ..contract.results import Calendar, Results
from ..contract.schema import COUNTED_SHEETS, EXEMPTING_SHEETS, TEACHERS
from ..contract.states import State, SubjectType
from .availability import Availability, exemption_spans
from .credits import capped_by_category, credit_ledger, with_earned_credits
from .periods import make_calendar
from .roster import mentor_pairs, teacher_attributes
from .rule_inputs import unevaluated
from .rule_references import rule_reference_findings
from .rules import Context, PeriodTables, empty_progress, evaluate_rule, school_days_of

STATUS_OK, STATUS_BEHIND, STATUS_FAILED = State.MET.value, State.BEHIND.value, State.FAILED.value
TEACHER_COLUMNS = ["teacher_id", "name", "group", "lesson_group", "roles", "credits", "credits_by_category",
                   "status", "alerts"]
GROUP_COLUMNS = ["group", "teachers", "mean_credits", "share_ok", "behind", "failed", "teacher_alerts",
                 "group_alerts"]


def compute(dataset: Dataset, policy: Policy, as_of: date) -> Results:
    settings = policy.settings
    cal = make_calendar(settings, as_of, policy.calendar)
    as_of_ts = pd.Timestamp(as_of)
    teachers = dataset.valid(TEACHERS.key).drop_duplicates("teacher_id")
    attrs = teacher_attributes(teachers, cal.year_start)

    frames = {spec.key: _counted(dataset.valid(spec.key), cal, as_of_ts) for spec in COUNTED_SHEETS}
    ledger = credit_ledger(frames, settings)  # every credited sheet, each by its SheetSpec's credit rule
    frames.update(with_earned_credits(frames, settings))
    frames[CREDITS_SHEET] = ledger

    ctx = Context(
        cal=cal, as_of=as_of_ts, attrs=attrs, pairs=mentor_pairs(attrs),
        avail=Availability(attrs, exemption_spans({s.key: dataset.valid(s.key) for s in EXEMPTING_SHEETS}), cal),
        frames=frames,
        periods=PeriodTables(cal),
        caps=dict(settings.category_caps), school_days=school_days_of(cal),
    )
    skipped, findings = unevaluated(dataset, policy)
    if policy.from_sheet:  # a rule the school wrote may name a group or role the book does not hold
        findings += rule_reference_findings(policy, attrs)
    parts = [evaluate_rule(rule, ctx) for rule in policy.active_rules if rule.rule_id not in skipped]
    parts = [p for p in parts if len(p)]
    progress = pd.concat(parts, ignore_index=True) if parts else empty_progress()
    progress = progress.sort_values(["subject_type", "subject", "rule_id", "period_start", "detail"],
                                    kind="stable", ignore_index=True)
    alerts = progress[progress["state"] != STATUS_OK].reset_index(drop=True)
    teacher_frame = _teachers(attrs, teachers, ledger, settings.category_caps, alerts)
    return Results(as_of=as_of, calendar=cal, teachers=teacher_frame, progress=progress, alerts=alerts,
                   groups=_groups(teacher_frame, alerts), ledger=ledger, findings=findings)


def _counted(df: pd.DataFrame, cal: Calendar, as_of: pd.Timestamp) -> pd.DataFrame:
    d = df["date"]
    keep = (d >= pd.Timestamp(cal.year_start)) & (d <= pd.Timestamp(cal.year_end)) & (d <= as_of)
    return df[keep.fillna(False)]


def _teachers(attrs: pd.DataFrame, teachers: pd.DataFrame, ledger: pd.DataFrame, caps: dict[str, float],
              alerts: pd.DataFrame) -> pd.DataFrame:
    by_cat = capped_by_category(ledger, caps, ["teacher_id"])
    by_cat = by_cat[by_cat["teacher_id"].isin(set(attrs["teacher_id"]))]
    totals = by_cat.groupby("teacher_id")["credits"].sum()
    cat_dicts: dict[object, dict[object, float]] = {}  # one pass, not a sub-frame per teacher
    for tid, category, credits in zip(by_cat["teacher_id"], by_cat["category"], by_cat["credits"]):
        cat_dicts.setdefault(tid, {})[category] = credits

    mine = alerts[alerts["subject_type"] == SubjectType.TEACHER]
    errors = mine[mine["severity"] == "error"]
    failed = set(errors.loc[errors["state"].isin([s for s in State if s.failed]), "subject"])
    behind = set(errors.loc[errors["state"] == State.BEHIND, "subject"])
    ids = attrs["teacher_id"]
    status = np.where(ids.isin(failed), STATUS_FAILED, np.where(ids.isin(behind), STATUS_BEHIND, STATUS_OK))
    out = pd.DataFrame({
        "teacher_id": ids,
        "name": attrs["t:name"],
        "group": attrs["t:teaching_group"],
        "lesson_group": attrs["t:lesson_group"],
        "roles": attrs["t:roles"],
        "credits": ids.map(totals).fillna(0.0).astype("float64"),
        "credits_by_category": [cat_dicts.get(t, {}) for t in ids],
        "status": status,
        "alerts": ids.map(_alert_rows(mine)).fillna(0).astype("int64"),
    })
    return out[TEACHER_COLUMNS].reset_index(drop=True)


def _alert_rows(alerts: pd.DataFrame) -> pd.Series:
    """Per subject, its rows in 达标预警: one per rule and semester, however many periods failed."""
    return alerts.drop_duplicates(["subject", "rule_id", "semester"]).groupby("subject").size()


def _groups(teachers: pd.DataFrame, alerts: pd.DataFrame) -> pd.DataFrame:
    t = teachers[teachers["group"].notna() & (teachers["group"].astype(str).str.strip() != "")]
    if not len(t):
        return pd.DataFrame({c: pd.Series(dtype="object") for c in GROUP_COLUMNS})
    g = t.groupby("group", sort=True)
    status = t["status"]
    # Per group, whole-column tests summed by the groupby (a Python function per group cost more).
    out = pd.DataFrame({
        "teachers": g.size(),
        "mean_credits": g["credits"].mean(),
        "share_ok": (status == STATUS_OK).groupby(t["group"], sort=True).mean().astype("float64"),
        "behind": (status == STATUS_BEHIND).groupby(t["group"], sort=True).sum().astype("int64"),
        "failed": (status == STATUS_FAILED).groupby(t["group"], sort=True).sum().astype("int64"),
        "teacher_alerts": g["alerts"].sum(),
    })
    group_alerts = _alert_rows(alerts[alerts["subject_type"] == SubjectType.TEACHING_GROUP])
    out["group_alerts"] = out.index.map(group_alerts).fillna(0).astype("int64")
    return out.reset_index()[GROUP_COLUMNS]
