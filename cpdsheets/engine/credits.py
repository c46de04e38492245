"""Credits: what each counted row of a credited sheet earns, and the capped totals.

- How a row earns is declared on its sheet (``SheetSpec.credit``, a ``CreditRule``): 培训记录 earns its
  学分 when given, else 学时 × its category's rate, 缺勤 and 请假 earning 0; 成果记录 its 学分 when given,
  else the settings' credits for its type and level, under the category 成果. This module only loops.
- Category caps limit what a category contributes to a total (per teacher, per period summed over).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from ..contract.policy import Settings
from ..contract.schema import CREDITED_SHEETS
from ..contract.sheet_roles import CreditRule

LEDGER_COLUMNS = ["teacher_id", "date", "category", "level", "source", "hours", "credits", "_row"]


def earned_credits(frame: pd.DataFrame, rule: CreditRule, settings: Settings) -> pd.Series:
    """Each row's credits by its sheet's rule: typed wins, else the fallback; a void row earns 0."""
    fallback = (_by_rate(frame, rule.hours, rule.rate_by, settings) if rule.hours and rule.rate_by
                else _by_table(frame, rule.table_by, settings) if rule.table_by
                else pd.Series(0.0, index=frame.index))
    earned = frame[rule.typed].where(frame[rule.typed].notna(), fallback)
    if rule.void_column:
        earned = earned.where(~frame[rule.void_column].isin(rule.void_values), 0.0)
    return earned.fillna(0.0).astype("float64")


def _by_rate(frame: pd.DataFrame, hours: str, rate_by: str, settings: Settings) -> pd.Series:
    codes, values = pd.factorize(frame[rate_by], use_na_sentinel=True)  # one rate per category
    rates = np.array([*(settings.rate(c if isinstance(c, str) else None) for c in values), settings.rate(None)],
                     dtype="float64")
    rate = pd.Series(rates[codes], index=frame.index)  # a missing value (-1) takes the last, None's rate
    return frame[hours] * rate


def _by_table(frame: pd.DataFrame, by: tuple[str, str], settings: Settings) -> pd.Series:
    kind, level = by
    table = {(k, lvl): v for k, by_level in settings.output_credits.items() for lvl, v in by_level.items()}
    key_type = frame[kind].astype("object")
    key_level = frame[level].astype("object").where(frame[level].notna(), "")
    by_level = pd.Series([table.get(k) for k in zip(key_type, key_level)], index=frame.index, dtype="float64")
    any_level = pd.Series([table.get((k, "")) for k in key_type], index=frame.index, dtype="float64")
    return by_level.fillna(any_level).fillna(0.0)


def with_earned_credits(frames: Mapping[str, pd.DataFrame], settings: Settings) -> dict[str, pd.DataFrame]:
    """The credited sheets among ``frames`` (by sheet key), each with its typed credits column holding
    what every row earned: a rule summing 学分 on 培训记录 sums the converted credits."""
    out: dict[str, pd.DataFrame] = {}
    for spec in CREDITED_SHEETS:
        if spec.key in frames:
            assert spec.credit is not None  # CREDITED_SHEETS
            frame = frames[spec.key]
            out[spec.key] = frame.assign(**{spec.credit.typed: earned_credits(frame, spec.credit, settings)})
    return out


def credit_ledger(frames: Mapping[str, pd.DataFrame], settings: Settings) -> pd.DataFrame:
    """One row per counted row of every credited sheet in ``frames`` (by sheet key, valid rows passed
    in, typed credits as read), with its earned credits; the sheets in their contract order."""
    parts = []
    for spec in CREDITED_SHEETS:
        frame = frames.get(spec.key)
        if frame is None or not len(frame):
            continue
        rule = spec.credit
        assert rule is not None  # CREDITED_SHEETS
        parts.append(pd.DataFrame({
            "teacher_id": frame["teacher_id"], "date": frame["date"],
            "category": frame[rule.category_column].astype("object") if rule.category_column else rule.category,
            "level": frame[rule.level_column].astype("object") if rule.level_column else np.nan,
            "source": spec.key, "hours": frame[rule.hours].astype("float64") if rule.hours else np.nan,
            "credits": earned_credits(frame, rule, settings), "_row": frame["_row"],
        }))
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
