"""The school year a bound book's dates fall in, read through its Binding (the school's own sheet
names and headers), so `bind` can write the 规则 sheet `cpdsheets new --year` would write for it.

Row sheets give the cells of the column mapped to 日期; a sign-in grid gives the dates written in
its session headers (`2024.9.10 新课标解读 2学时`, or a 日期 row of real dates). Dates without a
year (`9.10`) say nothing about the year and are left out.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

import pandas as pd

from ...contract.binding import Binding, SheetBinding
from ...contract.book import RawBook, RawSheet
from ...contract.schema import SHEETS
from ..normalize import header_key, normalize_dates
from ..validate import modal_start_year

HEADER_SEARCH_ROWS = 30  # a header row is looked for this far down when the binding does not say
GRID_HEADER_ROWS = 10  # a grid's session headers (date / title / hours rows) sit in its first rows
_DATE_IN_TEXT = re.compile(r"((?:19|20)\d{2})\s*[.\-/年]\s*(\d{1,2})\s*[.\-/月]\s*(\d{1,2})")


def bound_start_year(book: RawBook, binding: Binding) -> int | None:
    """The start year of the school year holding most of the bound logs' dates; None without dates."""
    dates: list[pd.Series] = []
    for sb in binding.sheets:
        sheet = book.sheets.get(sb.sheet)
        year_date = SHEETS[sb.target].year_date if sb.target in SHEETS else None
        if sheet is None or year_date is None:
            continue
        cells = _grid_dates(sheet) if sb.shape == "grid" else _column_cells(sheet, sb, year_date)
        if cells:
            parsed = normalize_dates(pd.Series(cells, dtype="object")).values.dropna()
            dates.append(parsed)
    return modal_start_year(dates)


def _column_cells(sheet: RawSheet, sb: SheetBinding, field: str) -> list[Any]:
    header = sb.mapped.get(field)
    if not header:
        return []
    found = _header_cell(sheet.rows, header, sb.header_row)
    if found is None:
        return []
    r, c = found
    return [row[c] for row in sheet.rows[r + 1:] if c < len(row)]


def _header_cell(rows: list[list[Any]], header: str, header_row: int) -> tuple[int, int] | None:
    key = header_key(header)
    candidates = [header_row - 1] if header_row else range(min(len(rows), HEADER_SEARCH_ROWS))
    for r in candidates:
        if 0 <= r < len(rows):
            for c, v in enumerate(rows[r]):
                if isinstance(v, str) and header_key(v) == key:
                    return r, c
    return None


def _grid_dates(sheet: RawSheet) -> list[Any]:
    out: list[Any] = []
    for row in sheet.rows[:GRID_HEADER_ROWS]:
        for v in row:
            if isinstance(v, (date, datetime)):
                out.append(v)
            elif isinstance(v, str) and (m := _DATE_IN_TEXT.search(v)):
                out.append(f"{m.group(1)}-{m.group(2)}-{m.group(3)}")
    return out
