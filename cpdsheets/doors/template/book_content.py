"""What goes into a built workbook's data sheets, as plain Python values.

The template builder writes these cells exactly as given (a ``str`` stays text even when it looks
like a number, a formula or a date), so a sample can reproduce what people really type.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ...contract.school_calendar import CalendarLine


@dataclass(slots=True)
class SheetContent:
    """One data sheet's rows. ``rows[i][j]`` goes under ``headers[j]``; ``None`` or ``""`` is a
    blank cell, and an all-blank row is a blank row inside the table."""

    rows: list[list[Any]] = field(default_factory=list)
    headers: list[str] | None = None  # as they appear; None: the contract's headers in order
    title: str | None = None  # the title row above the header; None: "<year>学年<sheet>"


@dataclass(slots=True)
class BookContent:
    sheets: dict[str, SheetContent] = field(default_factory=dict)  # contract sheet key -> rows
    settings: dict[str, Any] = field(default_factory=dict)  # 设置项 -> value, overriding defaults
    calendar: list[CalendarLine] | None = None  # the 校历 lines; None: the national calendar of the year
