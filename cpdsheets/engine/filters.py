"""Evaluate a parsed condition over a DataFrame, vectorised; never ``eval``.

The frame holds the sheet's columns (by key) and, where the condition needs them, the teacher
attributes (``t:`` columns, joined by ``with_attributes``). Semantics:
- ``=`` any of the listed values; ``!=`` none of them (a blank cell is "not equal");
- ``<`` ``<=`` ``>`` ``>=`` compare numbers (dates for date columns); a blank cell never matches;
- ``含``: for 岗位 a role in the list; for other text a substring; ``岗位=中层`` also means "has the role";
- ``授课教师=师傅`` (any column declared ``names_teacher``): the lesson was taught by the observer's
  mentor, by 工号 or by name;
- ``授课教师=徒弟``: taught by the apprentice named in the row's ``_apprentice_id`` / ``_apprentice_name``
  (rows are expanded to one per mentor-apprentice pair before this is evaluated);
- ``对象=…`` selects the kind of subject and is not a row filter.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..contract.conditions import (
    APPRENTICE_VALUE, BOOLEAN_ATTRIBUTES, MENTOR_VALUE, NUMERIC_ATTRIBUTES, Comparison, Condition, truthy,
)
from .normalize import parse_date_value


def attribute_keys(cond: Condition) -> set[str]:
    """The ``t:`` columns a condition needs joined onto sheet rows."""
    keys = {t.key for t in cond.terms if t.key.startswith("t:") and t.key != "t:subject_type"}
    if any(is_mentor_term(t) for t in cond.terms):
        keys |= {"t:mentor", "t:mentor_name"}
    return keys


def attributes_used(cond: Condition) -> set[str]:
    """Every teacher attribute a condition depends on, the mentor pairing of 授课教师=徒弟 included."""
    keys = attribute_keys(cond)
    if any(is_apprentice_term(t) for t in cond.terms):
        keys |= {"t:apprentice"}
    return keys


def is_mentor_term(t: Comparison) -> bool:
    """授课教师=师傅: the term's column names a teacher (ColumnSpec.names_teacher), bound as a pairing."""
    return t.pairing == MENTOR_VALUE


def is_apprentice_term(t: Comparison) -> bool:
    return t.pairing == APPRENTICE_VALUE


def with_attributes(rows: pd.DataFrame, attrs: pd.DataFrame, keys: set[str],
                    on: str = "teacher_id") -> pd.DataFrame:
    missing = [k for k in sorted(keys) if k not in rows.columns]
    if not missing:
        return rows
    joined = attrs.set_index("teacher_id")[missing]
    extra = joined.reindex(rows[on].to_numpy())
    extra.index = rows.index
    return pd.concat([rows, extra], axis=1)


def evaluate(cond: Condition, frame: pd.DataFrame) -> pd.Series:
    mask = pd.Series(True, index=frame.index)
    for term in cond.terms:
        if term.key == "t:subject_type":
            continue
        mask &= _term(term, frame)
    return mask


def _term(t: Comparison, frame: pd.DataFrame) -> pd.Series:
    col = frame[t.key]
    if is_mentor_term(t):
        mentor = frame["t:mentor"]
        hit = mentor.notna() & ((col == mentor) | (col == frame["t:mentor_name"]))
        return hit.fillna(False).astype(bool)
    if is_apprentice_term(t):
        hit = (col == frame["_apprentice_id"]) | (col == frame["_apprentice_name"])
        return hit.fillna(False).astype(bool)
    if t.key in BOOLEAN_ATTRIBUTES:
        want = pd.Series(col.fillna(False).astype(bool).to_numpy(), index=frame.index)
        hit = pd.Series(False, index=frame.index)
        for v in t.values:
            hit |= want == truthy(v)
        return ~hit if t.op == "!=" else hit
    if t.op in ("<", "<=", ">", ">="):
        left, right = _comparable(col, t.values[0])
        result = {"<": left < right, "<=": left <= right, ">": left > right, ">=": left >= right}[t.op]
        return result.fillna(False).astype(bool)
    if t.op == "含" or (t.listed and t.op in ("=", "!=")):
        hit = _contains(col, t.values, as_list=t.listed)
        return ~hit if t.op == "!=" else hit
    hit = pd.Series(False, index=frame.index)
    for v in t.values:
        left, right = _comparable(col, v)
        hit |= (left == right).fillna(False).astype(bool)
    if t.op == "!=" and t.key in NUMERIC_ATTRIBUTES:
        return ~hit & col.notna()  # an unknown 年龄 or 教龄 matches nothing (roster.attribute_findings says so)
    return ~hit if t.op == "!=" else hit


def _comparable(col: pd.Series, value: str) -> tuple[pd.Series, Any]:
    if pd.api.types.is_datetime64_any_dtype(col):
        d = parse_date_value(value)
        return col, (pd.Timestamp(d) if d else pd.NaT)
    if pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col):
        try:
            return col, float(value)
        except ValueError:
            return col.astype("object"), value
    try:
        number = float(value)
    except ValueError:
        return _texts(col), value
    return pd.to_numeric(col, errors="coerce"), number


def _texts(col: pd.Series) -> pd.Series:
    """``_text`` of every cell (missing ones None), worked out once per distinct value: a log column
    of 100,000 rows holds a few hundred."""
    codes, uniques = pd.factorize(col.to_numpy(dtype=object), use_na_sentinel=True)  # a blank cell: -1
    codes[codes < 0] = len(uniques)
    texts = np.empty(len(uniques) + 1, dtype=object)
    texts[:] = [*map(_text, uniques), None]
    return pd.Series(texts[codes], index=col.index, dtype="object")


def _text(v: Any) -> str | None:
    if v is None:
        return None
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def _contains(col: pd.Series, values: tuple[str, ...], *, as_list: bool) -> pd.Series:
    text = col.astype("object").where(col.notna(), "").astype(str)
    hit = pd.Series(False, index=col.index)
    if as_list:
        padded = "、" + text + "、"
        for v in values:
            hit |= padded.str.contains(f"、{v}、", regex=False)
    else:
        for v in values:
            hit |= text.str.contains(v, regex=False)
    return hit
