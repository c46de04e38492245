"""Credits: what each counted training and output row earns, and the capped totals.

- A training row earns its 学分 when given, else 学时 × its category's rate; 缺勤 and 请假 earn 0
  (a blank 考勤 is present; 迟到 is present).
- An output row earns its 学分 when given, else the settings' credits for its type and level; its
  credit category is ``OUTPUT_CATEGORY`` (成果).
- Category caps limit what a category contributes to a total (per teacher, per period summed over).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..contract.policy import OUTPUT_CATEGORY, Settings

LEDGER_COLUMNS = ["teacher_id", "date", "category", "level", "source", "hours", "credits", "_row"]
NO_CREDIT_ATTENDANCE = ("缺勤", "请假")


def training_credits(trainings: pd.DataFrame, settings: Settings) -> pd.Series:
    codes, categories = pd.factorize(trainings["category"], use_na_sentinel=True)  # one rate per category
    rates = np.array([*(settings.rate(c if isinstance(c, str) else None) for c in categories), settings.rate(None)],
                     dtype="float64")
    rate = pd.Series(rates[codes], index=trainings.index)  # a missing category (-1) takes the last, None's rate
    earned = trainings["credits"].where(trainings["credits"].notna(), trainings["hours"] * rate)
    earned = earned.where(~trainings["attendance"].isin(NO_CREDIT_ATTENDANCE), 0.0)
    return earned.fillna(0.0).astype("float64")


def output_credits(outputs: pd.DataFrame, settings: Settings) -> pd.Series:
    table = {(k, lvl): v for k, by in settings.output_credits.items() for lvl, v in by.items()}
    key_type = outputs["type"].astype("object")
    key_level = outputs["level"].astype("object").where(outputs["level"].notna(), "")
    by_level = pd.Series([table.get(k) for k in zip(key_type, key_level)], index=outputs.index, dtype="float64")
    any_level = pd.Series([table.get((k, "")) for k in key_type], index=outputs.index, dtype="float64")
    default = by_level.fillna(any_level).fillna(0.0)
    return outputs["credits"].where(outputs["credits"].notna(), default).astype("float64")


def credit_ledger(trainings: pd.DataFrame, outputs: pd.DataFrame, settings: Settings) -> pd.DataFrame:
    """One row per counted training or output row (valid rows passed in), with its earned credits."""
    t = pd.DataFrame({
        "teacher_id": trainings["teacher_id"], "date": trainings["date"],
        "category": trainings["category"].astype("object"), "level": trainings["level"].astype("object"),
        "source": "trainings", "hours": trainings["hours"].astype("float64"),
        "credits": training_credits(trainings, settings), "_row": trainings["_row"],
    })
    o = pd.DataFrame({
        "teacher_id": outputs["teacher_id"], "date": outputs["date"], "category": OUTPUT_CATEGORY,
        "level": outputs["level"].astype("object"), "source": "outputs", "hours": np.nan,
        "credits": output_credits(outputs, settings), "_row": outputs["_row"],
    })
    parts = [p for p in (t, o) if len(p)]
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype="float64" if c in ("hours", "credits") else "object")
                             for c in LEDGER_COLUMNS}).astype({"date": "datetime64[ns]"})
    ledger = pd.concat(parts, ignore_index=True)
    ledger["category"] = ledger["category"].fillna("")
    return ledger[LEDGER_COLUMNS]


def capped_by_category(ledger: pd.DataFrame, caps: dict[str, float], keys: list[str]) -> pd.DataFrame:
    """Credits summed per ``keys`` + category, each clipped at its category's cap."""
    sums = ledger.groupby([*keys, "category"], sort=False, dropna=False)["credits"].sum().reset_index()
    cap = sums["category"].map(caps).astype("float64")
    sums["credits"] = np.where(cap.notna(), np.minimum(sums["credits"], cap), sums["credits"])
    return sums


def capped_totals(ledger: pd.DataFrame, caps: dict[str, float], keys: list[str]) -> pd.Series:
    by_cat = capped_by_category(ledger, caps, keys)
    return by_cat.groupby(keys, sort=False)["credits"].sum()
