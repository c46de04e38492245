"""Converters between live-Excel range values and the package's neutral models.

Pure functions, no xlwings import: the xlwings adapter asks these what to write and where,
then spends as few Excel calls as possible doing it. Kept apart from the adapter the way
xlwings keeps its converters apart from its object model, so they are tested without Excel.
"""

from __future__ import annotations

from ...contract.a1 import column_letters, split_a1

import datetime as dt
import math
import re
from dataclasses import dataclass, field
from typing import Any

from ...reports.tab_style import NUMBER_FORMATS
from ...reports.tables import CELL_TEXT_MAX, STATUS_FILLS, TabTable
from ..xml_text import link_location

Fills = dict[str | None, list[tuple[int, int]]]  # colour hex (no '#'), or None to remove -> cells


# Excel reads a typed value that begins with one of these as a formula (= + - @), an error
# literal (#N/A), or consumes it as the text prefix ('); such text must be quoted.
_FORMULA_STARTS = frozenset("=+-@#'")
# Text Excel would turn into a date on entry: "Sep 3", "Sep-3", "March 2024".
_DATE_LIKE = re.compile(r"^[A-Za-z]+[\s\-/.,]*\d")


def _is_cjk(ch: str) -> bool:
    code = ord(ch)
    return (
        0x4E00 <= code <= 0x9FFF  # CJK unified ideographs
        or 0x3400 <= code <= 0x4DBF
        or 0xF900 <= code <= 0xFAFF
        or 0x20000 <= code <= 0x2FFFF
    )


def needs_quote(text: str) -> bool:
    """Whether Excel would read ``text`` as anything but the same text when it is written as a
    cell value (formula, number, date, boolean, error). Excel's own parser is locale-dependent,
    so this errs on the side of quoting: only text that opens with a CJK character, or with a
    plain word that cannot be a month name followed by a day, is left bare."""
    if not text:
        return False
    if text[0] in _FORMULA_STARTS:
        return True
    stripped = text.strip()
    if not stripped:
        return False
    first = stripped[0]
    if stripped[0] in _FORMULA_STARTS:
        return True
    if _is_cjk(first):
        return False
    if first.isascii() and first.isalpha():
        return stripped.upper() in ("TRUE", "FALSE") or bool(_DATE_LIKE.match(stripped))
    return True


def excel_text(text: str) -> str:
    """``text`` as a value Excel keeps as that exact text: a leading apostrophe is Excel's
    text prefix (not part of the value, not shown), so no formula is ever created from it."""
    if len(text) > CELL_TEXT_MAX:
        text = text[: CELL_TEXT_MAX - 1] + "…"
    return "'" + text if needs_quote(text) else text


def _blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return value == ""
    try:
        return bool(value != value)  # nan, NaT, pd.NA
    except (TypeError, ValueError):
        return False


def _plain(value: Any) -> Any:
    """numpy scalars and pandas Timestamps as the Python values they stand for."""
    to_py = getattr(value, "to_pydatetime", None)
    if to_py is not None:
        return to_py()
    item = getattr(value, "item", None)
    if item is not None and not isinstance(value, (str, bytes)):
        try:
            return item()
        except (TypeError, ValueError):
            return value
    return value


def as_text(value: Any) -> str:
    """A value shown in a text column, spelled as the package writer spells it, so the CLI and
    the button write the same text."""
    if isinstance(value, str):
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S") if (value.hour or value.minute or value.second) \
            else value.strftime("%Y-%m-%d")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def cell_value(value: Any, kind: str = "text") -> Any:
    """One output value as the value to write for a column of ``kind``: blanks to None, text
    quoted, numbers and dates as themselves, anything else in a typed column as text."""
    if _blank(value):
        return None
    value = _plain(value)
    if kind in ("int", "number", "percent"):
        if isinstance(value, bool):
            return int(value)
        if isinstance(value, (int, float)):
            return value if math.isfinite(value) else None
        return excel_text(value) if isinstance(value, str) else None
    if kind in ("date", "datetime"):
        if isinstance(value, (dt.date, dt.time)):
            return value
        return excel_text(as_text(value))
    return excel_text(as_text(value))


@dataclass(slots=True)
class TabPlan:
    """Everything the adapter does to one output tab, in sheet coordinates (1-based)."""

    values: list[list[Any]]  # title?, header, rows; rectangular
    header_row: int
    first_data_row: int
    last_row: int
    ncols: int
    # (first_col, last_col, number_format) over the data rows; adjacent equal formats merged
    number_formats: list[tuple[int, int, str]] = field(default_factory=list)
    # colour hex (no '#') -> cells (row, col)
    fills: Fills = field(default_factory=dict)
    # (first_col, last_col, width in characters); columns without a width are autofitted
    widths: list[tuple[int, int, float]] = field(default_factory=list)
    # (first_col, last_col) of text wrapped within its width (Column.wrap), over the data rows
    wrapped: list[tuple[int, int]] = field(default_factory=list)
    # (row, col, target like "'听课记录'!C12", text)
    links: list[tuple[int, int, str, str]] = field(default_factory=list)


def plan_tab(table: TabTable) -> TabPlan:
    ncols = max(len(table.columns), 1)
    header = [excel_text(c.header) for c in table.columns]
    grid: list[list[Any]] = []
    if table.title:
        grid.append([excel_text(table.title)] + [None] * (ncols - 1))
    grid.append(header + [None] * (ncols - len(header)))
    for row in table.rows:
        cells = [cell_value(v, col.kind) for v, col in zip(row[:ncols], table.columns)]
        grid.append(cells + [None] * (ncols - len(cells)))

    header_row = table.header_row
    first = header_row + 1
    last = header_row + len(table.rows)
    plan = TabPlan(values=grid, header_row=header_row, first_data_row=first, last_row=last, ncols=ncols)

    if table.rows:
        for c0, c1, fmt in _merge_adjacent(
            [NUMBER_FORMATS.get(col.kind) for col in table.columns]
        ):
            if fmt:
                plan.number_formats.append((c0, c1, fmt))
        for c, col in enumerate(table.columns, start=1):
            if col.kind != "status":
                continue
            for r, row in enumerate(table.rows, start=first):
                value = row[c - 1] if c - 1 < len(row) else None
                if isinstance(value, str):  # exact labels only, as the package writer colours them
                    colour = STATUS_FILLS.get(value)
                    if colour:
                        plan.fills.setdefault(colour, []).append((r, c))

    for c0, c1, wrap in _merge_adjacent([col.wrap and col.kind == "text" for col in table.columns]):
        if wrap and table.rows:
            plan.wrapped.append((c0, c1))
    for c0, c1, width in _merge_adjacent([col.width for col in table.columns]):
        if width:
            plan.widths.append((c0, c1, float(width)))

    link_col = table.link_column + 1
    linkable = link_col <= len(table.columns) and table.columns[link_col - 1].kind in ("text", "status")
    for r, target in enumerate(table.links if linkable else [], start=first):
        if target and r <= last:
            text = grid[r - 1][link_col - 1]
            plan.links.append((r, link_col, link_location(target), "" if text is None else str(text).lstrip("'")))
    return plan


def _merge_adjacent(per_column: list[Any]) -> list[tuple[int, int, Any]]:
    """[a, a, b, None, b] -> [(1, 2, a), (3, 3, b), (4, 4, None), (5, 5, b)], 1-based."""
    spans: list[tuple[int, int, Any]] = []
    for c, item in enumerate(per_column, start=1):
        if spans and spans[-1][2] == item and spans[-1][1] == c - 1:
            spans[-1] = (spans[-1][0], c, item)
        else:
            spans.append((c, c, item))
    return spans


def cell_runs(cells: list[tuple[int, int]]) -> list[tuple[int, int, int]]:
    """Cells grouped into vertical runs: (col, first_row, last_row), so one fill call paints a
    whole block of a sorted status column."""
    runs: list[tuple[int, int, int]] = []
    for r, c in sorted(set(cells), key=lambda rc: (rc[1], rc[0])):
        if runs and runs[-1][0] == c and runs[-1][2] == r - 1:
            runs[-1] = (c, runs[-1][1], r)
        else:
            runs.append((c, r, r))
    return runs


def col_letters(col: int) -> str:
    """1-based column -> A1 letters."""
    return column_letters(col - 1)


def run_address(run: tuple[int, int, int]) -> str:
    c, r0, r1 = run
    a = f"{col_letters(c)}{r0}"
    return a if r0 == r1 else f"{a}:{col_letters(c)}{r1}"


def union_addresses(runs: list[tuple[int, int, int]], limit: int = 255) -> list[str]:
    """Runs joined into multi-area addresses ("A2:A9,C4") no longer than Excel's 255-character
    limit for a Range() argument."""
    out: list[str] = []
    current = ""
    for run in runs:
        part = run_address(run)
        if current and len(current) + 1 + len(part) > limit:
            out.append(current)
            current = part
        else:
            current = f"{current},{part}" if current else part
    if current:
        out.append(current)
    return out




def parse_cell(address: str) -> tuple[int, int] | None:
    """"C12" or "$C$12" -> (12, 3); None for anything else."""
    try:
        row, col = split_a1(address)
    except ValueError:
        return None
    return row, col + 1


def pad_to_a1(values: list[list[Any]], first_row: int, first_col: int) -> list[list[Any]]:
    """A used range's values placed so that ``rows[r][c]`` is sheet cell (r+1, c+1)."""
    if first_col > 1:
        values = [[None] * (first_col - 1) + list(row) for row in values]
    else:
        values = [list(row) for row in values]
    if first_row > 1:
        width = len(values[0]) if values else first_col - 1
        values = [[None] * width for _ in range(first_row - 1)] + values
    return values


def points_from_chars(chars: float) -> float:
    """Column width in characters (desktop Excel's unit) as points (Office.js's unit), for the
    default Calibri 11 font: 7 px per character plus 5 px padding, 0.75 pt per px."""
    return round((chars * 7 + 5) * 0.75, 2)
