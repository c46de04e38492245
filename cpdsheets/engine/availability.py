"""Days on which a rule applies to a teacher: in post (入校日期 … 离校日期) and not exempt.

Exempt days come from every sheet whose ``SheetSpec.exempts`` says its rows take days out (豁免), read
through the columns that record names (:func:`exemption_spans`).

Held as a teachers × school-year-days boolean matrix, turned into cumulative sums so the applicable
days of any period (and of its part up to the as-of date) is one subtraction for all teachers at once.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from ..contract.schema import SHEETS
from .periods import Calendar

SPAN_COLUMNS = ["teacher_id", "start", "end", "rule_id"]  # what Availability reads of each exempt span


def exemption_spans(frames: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """The valid rows of the exempting sheets in ``frames`` (by sheet key) as one table of spans: each
    sheet's start, end and rule columns, as its ``SheetSpec.exempts`` names them."""
    parts = []
    for key, frame in frames.items():
        span = SHEETS[key].exempts
        assert span is not None, key  # only exempting sheets are passed
        parts.append(frame.rename(columns={span.start: "start", span.end: "end", span.rule: "rule_id"})[SPAN_COLUMNS])
    if len(parts) == 1:
        return parts[0]
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype="datetime64[ns]" if c in ("start", "end") else "object")
                             for c in SPAN_COLUMNS})
    return pd.concat(parts, ignore_index=True)


class Availability:
    def __init__(self, attrs: pd.DataFrame, exemptions: pd.DataFrame, cal: Calendar):
        """``exemptions``: spans as :func:`exemption_spans` gives them."""
        self.cal = cal
        self.ids = attrs["teacher_id"].to_numpy()
        self.index = pd.Series(np.arange(len(self.ids)), index=self.ids)
        n, d = len(self.ids), cal.days
        day = np.arange(d)[None, :]
        join = _day_or(cal, attrs["join_date"], -1)[:, None]
        leave = _day_or(cal, attrs["leave_date"], d)[:, None]
        self.in_post = (day >= join) & (day <= leave) if n else np.zeros((0, d), dtype=bool)
        ex = exemptions[exemptions["teacher_id"].isin(self.index.index)]
        self._ex_rows = ex.assign(
            _t=self.index.reindex(ex["teacher_id"].to_numpy()).to_numpy(),
            _s=np.clip(cal.day_index(ex["start"]), 0, d).astype("int64"),
            _e=np.clip(cal.day_index(ex["end"]) + 1, 0, d).astype("int64"),
            _rule=ex["rule_id"].astype("object").where(ex["rule_id"].notna(), "").astype(str).str.strip().str.upper(),
        )
        self._ex_arrays: tuple[np.ndarray, ...] | None = None
        self._by_rows: dict[tuple[int, ...], np.ndarray] = {}  # chosen exemption rows -> applicable matrix

    def applicable(self, rule_id: str) -> np.ndarray:
        """Teachers × days: in post and not exempt from ``rule_id`` (blank 规则编号 = every rule). Rules
        exempted by the same rows share one matrix: most books' exemptions name no rule, so every rule
        would otherwise rebuild the same one."""
        if self._ex_arrays is None:
            ex = self._ex_rows
            self._ex_arrays = (ex["_t"].to_numpy(), ex["_s"].to_numpy(), ex["_e"].to_numpy(), ex["_rule"].to_numpy())
        t, s, e, rules = self._ex_arrays
        chosen = np.flatnonzero(((rules == "") | (rules == rule_id.strip().upper())) & (e > s))
        key = tuple(chosen.tolist())
        if key not in self._by_rows:
            self._by_rows[key] = self._without(t[chosen], s[chosen], e[chosen])
        return self._by_rows[key]

    def _without(self, t: np.ndarray, s: np.ndarray, e: np.ndarray) -> np.ndarray:
        """``in_post`` less the exempt days [s, e) of teacher rows ``t``."""
        if not len(t):
            return self.in_post
        n, d = self.in_post.shape
        diff = np.zeros((n, d + 1), dtype="int64")
        np.add.at(diff, (t, s), 1)
        np.add.at(diff, (t, e), -1)
        exempt = np.cumsum(diff, axis=1)[:, :d] > 0
        return self.in_post & ~exempt


def days_in(matrix: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Rows × periods: True days of each row within [start, end] (day indexes, inclusive)."""
    cum = np.concatenate([np.zeros((matrix.shape[0], 1), dtype="int64"), np.cumsum(matrix, axis=1)], axis=1)
    d = matrix.shape[1]
    s = np.clip(starts, 0, d)
    e = np.clip(ends + 1, 0, d)
    e = np.maximum(e, s)
    return cum[:, e] - cum[:, s]


def _day_or(cal: Calendar, dates: pd.Series, default: int) -> np.ndarray:
    idx = cal.day_index(dates)
    return np.where(np.isnan(idx), default, idx).astype("int64")
