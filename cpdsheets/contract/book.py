"""The raw workbook as every door hands it to the engine: grids of cell values, nothing parsed.

A file reader (calamine) and the live-Excel adapter (xlwings) both produce this shape, so the
engine computes the same result whichever door it was called from.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # numpy and pandas load when a sheet is first coded: `cpdsheets --help` needs neither
    import numpy as np

# (first_row, first_col), (last_row, last_col): 0-based, inclusive, as calamine reports them.
MergedRange = tuple[tuple[int, int], tuple[int, int]]


class RawSheet:
    """One sheet's used area from A1. ``rows[r][c]`` is the value of sheet row r+1, column c+1:
    ``""`` or ``None`` for empty, else str, int, float, bool, date, datetime or time (a formula
    cell holds its cached value).

    A door may hand the cells over as ``columns`` instead (the file reader does): the same grid,
    column by column, each column's distinct values held once. ``rows`` is then built on first use;
    the engine reads the columns without it, so a 150,000-row log sheet never becomes 150,000
    Python lists."""

    __slots__ = ("name", "merged", "hidden", "_rows", "columns")

    def __init__(self, name: str, rows: list[list[Any]] | None = None, merged: list[MergedRange] | None = None,
                 hidden: bool = False, *, columns: CellColumns | None = None) -> None:
        self.name = name
        self._rows = [] if rows is None and columns is None else rows
        self.merged: list[MergedRange] = merged if merged is not None else []
        self.hidden = hidden
        self.columns = columns

    @property
    def rows(self) -> list[list[Any]]:
        if self._rows is None:
            assert self.columns is not None
            self._rows = self.columns.rows()
        return self._rows

    def head(self, n: int) -> list[list[Any]]:
        """The first ``n`` rows (the header search), without building the others."""
        if self._rows is None and self.columns is not None:
            return self.columns.rows(stop=n)
        return self.rows[:n]

    def column(self, c: int, start: int = 0) -> list[Any] | np.ndarray:
        """Column ``c`` (0-based) from row ``start`` down: ``None`` where a row is shorter."""
        if self._rows is None and self.columns is not None:
            if c < self.columns.width:
                return self.columns.values(c, start)
            return [None] * max(self.columns.height - start, 0)
        return [r[c] if c < len(r) else None for r in self.rows[start:]]

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, RawSheet):
            return NotImplemented
        return (self.name, self.rows, self.merged, self.hidden) == (other.name, other.rows, other.merged, other.hidden)

    def __repr__(self) -> str:
        return f"RawSheet(name={self.name!r}, height={self.height}, merged={self.merged!r}, hidden={self.hidden})"

    @property
    def height(self) -> int:
        return self.columns.height if self._rows is None and self.columns is not None else len(self.rows)


class CellColumns:
    """A rectangular grid stored column by column: ``uniques[c]`` the column's distinct cells and
    ``codes[c]`` one index into them per row. Cells share an entry only when they are equal and of
    one type: the number 2 and the text "2", TRUE and 1, 0.0 and -0.0 stay apart, so every cell
    comes back exactly as it was read."""

    __slots__ = ("height", "uniques", "codes")

    def __init__(self, height: int, uniques: list[np.ndarray], codes: list[np.ndarray]) -> None:
        self.height = height
        self.uniques = uniques
        self.codes = codes

    @property
    def width(self) -> int:
        return len(self.codes)

    @classmethod
    def from_chunks(cls, chunks: Iterable[list[list[Any]]], left: int = 0) -> CellColumns:
        """Columns of the rows ``chunks`` yields a few thousand at a time, all of one length (ValueError
        if not), after ``left`` columns of empty cells (""). Each chunk is coded and let go before the
        next is read, so a sheet's cells never all exist as Python objects at once."""
        import numpy as np

        coded: list[list[tuple[np.ndarray, np.ndarray]]] = []  # per chunk, per column
        height, width = 0, -1
        for rows in chunks:
            if {len(rows[0])} != set(map(len, rows)) or width not in (-1, len(rows[0])):
                raise ValueError("rows of different lengths")
            width = len(rows[0])
            grid = np.empty((len(rows), width), dtype=object)
            grid[...] = rows  # numpy copies the references in C: no per-cell Python work
            coded.append([_code(grid[:, c]) for c in range(width)])
            height += len(rows)
        blank = (np.array([""], dtype=object), np.zeros(height, dtype=np.int32))
        columns = [blank] * (left if height else 0) + [_merge([part[c] for part in coded]) for c in range(max(width, 0))]
        return cls(height, [u for u, _ in columns], [k for _, k in columns])

    def values(self, c: int, start: int = 0, stop: int | None = None) -> np.ndarray:
        """Column ``c``'s cells of rows ``start:stop`` as an object array."""
        return self.uniques[c][self.codes[c][start:stop]]

    def rows(self, stop: int | None = None) -> list[list[Any]]:
        import numpy as np

        height = len(range(self.height)[:stop])
        grid = np.empty((height, self.width), dtype=object)
        for c in range(self.width):
            grid[:, c] = self.values(c, 0, height)
        return grid.tolist()


_NUMBER_TYPES = {bool, int, float}


def _code(column: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct cells of one column, in order of first appearance, and each row's code.

    pandas' hash table does the work for the usual column; it treats equal values of different
    types (TRUE and 1, 2 and 2.0), 0.0 and -0.0, and missing values alike, so a column where that
    could merge two cells is coded by exact key instead."""
    import numpy as np
    import pandas as pd

    codes, uniques = pd.factorize(column, use_na_sentinel=True)
    if (codes < 0).any():
        return _code_exactly(column)
    numeric = [i for i, u in enumerate(uniques) if type(u) in _NUMBER_TYPES]
    if numeric:  # only numbers equal numbers: the other cells need no look
        kinds = set(map(type, column[np.isin(codes, numeric)]))
        if len(kinds) > 1:
            return _code_exactly(column)
        for zero in (i for i in numeric if type(uniques[i]) is float and uniques[i] == 0):
            signs = np.signbit(column[codes == zero].astype(float))
            if signs.any() and not signs.all():
                return _code_exactly(column)
    return np.asarray(uniques, dtype=object), codes.astype(np.int32)  # half the memory; a sheet has < 2**31 rows


def _merge(parts: list[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
    """One column coded chunk by chunk, as one: the chunks' distinct cells coded again (exactly)."""
    import numpy as np

    if len(parts) == 1:
        return parts[0]
    uniques, remap = _code(np.concatenate([u for u, _ in parts]))
    offsets = np.cumsum([0, *(len(u) for u, _ in parts[:-1])])
    return uniques, np.concatenate([remap[offset + codes] for offset, (_, codes) in zip(offsets, parts)])


def _code_exactly(column: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    import numpy as np

    seen: dict[Any, int] = {}
    uniques: list[Any] = []
    codes = np.empty(len(column), dtype=np.int32)
    for i, value in enumerate(column):
        key = _exact_key(value)
        code = seen.get(key)
        if code is None:
            code = seen[key] = len(uniques)
            uniques.append(value)
        codes[i] = code
    out = np.empty(len(uniques), dtype=object)
    out[:] = uniques
    return out, codes


def _exact_key(value: Any) -> tuple[Any, ...]:
    if type(value) is float:
        return (float, value, math.copysign(1.0, value)) if value == value else (float, "nan")
    return (type(value), value)


@dataclass(slots=True)
class RawBook:
    sheets: dict[str, RawSheet]
    path: str = ""
    # sheet -> (cell, formula) of formula cells the file keeps no result for (a writer that does not
    # calculate saved it last): they read as blank, and the jobs say why.
    uncalculated: dict[str, list[tuple[str, str]]] = field(default_factory=dict)

    def names(self) -> list[str]:
        return list(self.sheets)
