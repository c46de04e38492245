"""One value of a results or dataset frame as plain Python, for every report.

The engine's frames say "nothing here" four ways: ``None``, ``NaN``, ``pd.NA`` (a nullable text or
number column: a roster row without 姓名 or 教研组) and ``NaT``. ``pd.NA`` cannot be tested for truth
(``NA or ""`` raises) and is not a number (``float(NA)`` raises), so a report that reads a frame
cell by cell turns it into plain data here first, the same way in recalc, archive and rollup.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd


def missing(v: Any) -> bool:
    """True for every "nothing here" a frame holds (None, NaN, NA, NaT)."""
    if v is None or v is pd.NA or v is pd.NaT:
        return True
    return isinstance(v, float) and v != v


def text(v: Any) -> str:
    """A cell as text: blank for a missing value, stripped otherwise."""
    return "" if missing(v) else str(v).strip()


def number(v: Any) -> float | None:
    """A cell as a float, None when missing or not a number."""
    if missing(v):
        return None
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return None if f != f else f


def day(v: Any) -> dt.date | None:
    """A cell as a date (a Timestamp or datetime loses its time), None when missing or not a date."""
    if missing(v):
        return None
    if isinstance(v, pd.Timestamp):
        return v.date()
    if isinstance(v, dt.datetime):
        return v.date()
    return v if isinstance(v, dt.date) else None
