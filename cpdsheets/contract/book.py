"""The raw workbook as every door hands it to the engine: grids of cell values, nothing parsed.

A file reader (calamine) and the live-Excel adapter (xlwings) both produce this shape, so the
engine computes the same result whichever door it was called from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# (first_row, first_col), (last_row, last_col): 0-based, inclusive, as calamine reports them.
MergedRange = tuple[tuple[int, int], tuple[int, int]]


@dataclass(slots=True)
class RawSheet:
    """One sheet's used area from A1. ``rows[r][c]`` is the value of sheet row r+1, column c+1:
    ``""`` or ``None`` for empty, else str, int, float, bool, date, datetime or time (a formula
    cell holds its cached value)."""

    name: str
    rows: list[list[Any]]
    merged: list[MergedRange] = field(default_factory=list)
    hidden: bool = False


@dataclass(slots=True)
class RawBook:
    sheets: dict[str, RawSheet]
    path: str = ""

    def names(self) -> list[str]:
        return list(self.sheets)
