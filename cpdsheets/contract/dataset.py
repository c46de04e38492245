"""The validated, normalised workbook: one typed DataFrame per data sheet.

Columns are the English ``key``s of ``contract.schema`` (every column of the sheet's spec is
present, missing optional columns as all-NA), plus:

- ``_row``: the 1-based sheet row the record came from (for findings and hyperlinks);
- ``_ok``:  False when the row carries an error finding and must be left out of computation; written
  once, after every check, by ``engine.verdict`` (checks only report).

Types after normalisation: ``teacher_id`` kinds -> str (object) or NA; ``date`` -> datetime64[ns]
(midnight) or NaT; ``number`` -> float64 or NaN; ``attendance`` -> one of 出勤/迟到/请假/缺勤 or NA
(blank, counted as present); ``location`` -> 校内/校外 or NA; ``roles`` -> the canonical roles joined
with "、" (e.g. "班主任、中层") or ""; ``choice`` and ``text`` -> stripped str or NA.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd

from .schema import SHEETS


@dataclass(slots=True)
class ColumnPlace:
    header: str  # the header as it appears in the workbook
    letter: str  # its column letter, e.g. "C"


@dataclass(slots=True)
class Dataset:
    frames: dict[str, pd.DataFrame]  # sheet key -> frame
    sheet_names: dict[str, str] = field(default_factory=dict)  # sheet key -> name in the workbook
    places: dict[str, dict[str, ColumnPlace]] = field(default_factory=dict)  # sheet key -> col key -> place
    # A bound book (映射): sheet key -> the school's sheet and row behind each frame row (same index,
    # columns ``sheet`` and ``row``), for reports that point at where a record was typed; and, asked
    # for only when needed, every (sheet, cell) behind each of a frame slice's rows (the school's
    # cells, and the 映射 cell of a default the row takes).
    sources: dict[str, pd.DataFrame] = field(default_factory=dict)
    cells_of: Callable[[str, pd.DataFrame], list[tuple[tuple[str, str], ...]]] | None = None
    # Sheet keys of the logs the school does not keep (映射's （本校不登记） lines) and the book lacks:
    # their rules are not evaluated.
    not_kept: frozenset[str] = frozenset()

    @property
    def from_book(self) -> bool:
        """Read from a workbook (sheets were looked for, so an absent one is missing), rather than
        built in code with only the frames a computation needs."""
        return bool(self.sheet_names or self.places)

    def frame(self, key: str) -> pd.DataFrame:
        """The sheet's frame, or an empty frame with every contract column when the sheet is absent."""
        if key in self.frames:
            return self.frames[key]
        return empty_frame(key)

    def typed_at(self, key: str, df: pd.DataFrame) -> tuple[list[str], list[int]]:
        """The sheet and row each of ``df``'s rows (a slice of the sheet's frame) was typed on: the
        school's own for a bound book."""
        src = self.sources.get(key)
        if src is None:
            return [self.sheet_names.get(key, key)] * len(df), df["_row"].astype("int64").tolist()
        at = src.loc[df.index]
        return at["sheet"].tolist(), at["row"].astype("int64").tolist()

    def typed_cells(self, key: str, df: pd.DataFrame) -> list[tuple[tuple[str, str], ...]] | None:
        """For a bound book, every (sheet, cell) behind each of ``df``'s rows; None otherwise."""
        if key not in self.sources or self.cells_of is None:
            return None
        return self.cells_of(key, df)

    def shown_name(self, key: str) -> str:
        """The sheet's name as the school sees it: for a bound book, the sheets that feed it."""
        src = self.sources.get(key)
        if src is None or not len(src):
            return self.sheet_names.get(key, key)
        return "、".join(dict.fromkeys(src["sheet"].tolist()))

    def valid(self, key: str) -> pd.DataFrame:
        df = self.frame(key)
        return df[df["_ok"]] if len(df) else df


def empty_frame(key: str) -> pd.DataFrame:
    spec = SHEETS[key]
    df = pd.DataFrame({c.key: pd.Series(dtype=_dtype(c.kind)) for c in spec.columns})
    df["_row"] = pd.Series(dtype="int64")
    df["_ok"] = pd.Series(dtype="bool")
    return df


def _dtype(kind: str) -> str:
    return {"date": "datetime64[ns]", "number": "float64"}.get(kind, "object")
