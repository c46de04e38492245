"""Build normalised ``Dataset`` frames directly for the pure engine tests (no workbook involved)."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from cpdsheets.contract.policy import DEFAULT_RULES, Policy, Rule, Settings
from cpdsheets.contract.schema import SHEETS
from cpdsheets.contract.dataset import Dataset, empty_frame

D = dt.date

SETTINGS = dict(
    school_name="测试小学",
    year_start=D(2024, 9, 1), year_end=D(2025, 8, 31),
    sem1_start=D(2024, 9, 2), sem1_end=D(2025, 1, 17),
    sem2_start=D(2025, 2, 17), sem2_end=D(2025, 7, 4),
)


def frame(key: str, rows: list[dict]) -> pd.DataFrame:
    base = empty_frame(key)
    if not rows:
        return base
    df = pd.DataFrame(rows)
    for col in base.columns:
        if col not in df.columns:
            df[col] = pd.NA
    spec = SHEETS[key]
    for c in spec.columns:
        if c.kind == "date":
            df[c.key] = pd.to_datetime(df[c.key])
        elif c.kind == "number":
            df[c.key] = pd.to_numeric(df[c.key]).astype("float64")
        else:
            df[c.key] = df[c.key].astype("object")
    if key == "teachers":
        df["roles"] = df["roles"].fillna("")
    df["_row"] = range(2, len(df) + 2)
    df["_ok"] = df["_ok"].fillna(True).astype(bool) if "_ok" in rows[0] else True
    return df[list(base.columns)]


def dataset(teachers=(), **sheets) -> Dataset:
    frames = {"teachers": frame("teachers", list(teachers))}
    for key, rows in sheets.items():
        frames[key] = frame(key, list(rows))
    return Dataset(frames=frames)


def teacher(tid: str, name: str | None = None, **kw) -> dict:
    return {"teacher_id": tid, "name": name or f"教师{tid}", **kw}


def policy(*rule_ids: str, rules: list[Rule] | None = None, **settings) -> Policy:
    chosen = list(rules or [])
    chosen += [r for r in DEFAULT_RULES if r.rule_id in rule_ids]
    return Policy(settings=Settings(**{**SETTINGS, **settings}), rules=chosen, from_sheet=True)


def rule(rule_id: str, **changes) -> Rule:
    base = next(r for r in DEFAULT_RULES if r.rule_id == rule_id)
    return base.model_copy(update={"enabled": True, **changes})
