"""From a raw grid to a typed frame: find the sheet, find its header row, normalise each column.

Schools put title rows above the header, rename headers slightly, reorder columns, merge cells
and leave blank rows; all of that is understood here, and everything else becomes a finding.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..contract.a1 import column_letters as col_letter
from ..contract.book import RawBook, RawSheet
from ..contract.dataset import ColumnPlace, empty_frame
from ..contract.findings import (
    DateAsNumber,
    DuplicateColumn,
    Finding,
    FindingType,
    HeaderNotFound,
    InvalidChoice,
    InvalidDate,
    InvalidNumber,
    InvalidTeacherId,
    MissingColumn,
    MissingValue,
    NegativeNumber,
)
from ..contract.schema import ColumnSpec, SheetSpec
from .normalize import (
    PARSES,
    Parsed,
    YearOfMonth,
    blank_array,
    date_number_guesses,
    header_key,
    normalize_attendance,
    normalize_choice,
    normalize_dates,
    normalize_location,
    normalize_numbers,
    normalize_roles,
    normalize_teacher_ids,
    normalize_text,
)

HEADER_SCAN_ROWS = 15


def locate_sheet(book: RawBook, names: tuple[str, ...]) -> RawSheet | None:
    """The sheet with one of ``names``: exact (tolerant) match first, then a name that contains
    one, as in `2024学年听课记录`."""
    wanted = [header_key(n) for n in names]
    keyed = {header_key(n): s for n, s in book.sheets.items()}
    for w in wanted:
        if w in keyed:
            return keyed[w]
    for k, s in keyed.items():
        if any(w and w in k for w in wanted):
            return s
    return None


@dataclass(slots=True)
class HeaderMatch:
    row: int  # 0-based index of the header row
    columns: dict[str, int]  # column key -> 0-based column index
    texts: dict[str, str]  # column key -> header as typed
    duplicates: list[tuple[ColumnSpec, int]] = field(default_factory=list)


def find_header(rows: list[list[Any]], spec: SheetSpec) -> HeaderMatch | None:
    lookup = {header_key(name): col for col in spec.columns for name in col.names}
    best: HeaderMatch | None = None
    best_score = 0
    for r, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        columns: dict[str, int] = {}
        texts: dict[str, str] = {}
        duplicates: list[tuple[ColumnSpec, int]] = []
        for c, cell in enumerate(row):
            if not isinstance(cell, str) or not cell.strip():
                continue
            col = lookup.get(header_key(cell))
            if col is None:
                continue
            if col.key in columns:
                duplicates.append((col, c))
                continue
            columns[col.key] = c
            texts[col.key] = cell.strip()
        score = len(columns) + sum(1 for c in spec.required if c.key in columns)
        if score > best_score and len(columns) >= min(2, len(spec.columns)):
            best, best_score = HeaderMatch(r, columns, texts, duplicates), score
    return best


def fill_merged(sheet: RawSheet) -> list[list[Any]]:
    """Rows with each merged range's value copied into every cell it covers, as a person reads it."""
    if not sheet.merged:
        return sheet.rows
    rows = [list(r) for r in sheet.rows]
    for (r0, c0), (r1, c1) in sheet.merged:
        if r0 >= len(rows) or c0 >= len(rows[r0]):
            continue
        value = rows[r0][c0]
        for r in range(r0, min(r1, len(rows) - 1) + 1):
            row = rows[r]
            for c in range(c0, min(c1, len(row) - 1) + 1):
                row[c] = value
    return rows


@dataclass(slots=True)
class SheetRead:
    frame: pd.DataFrame
    raw: pd.DataFrame  # the cells as typed, same index and column keys as ``frame``
    places: dict[str, ColumnPlace]
    findings: list[Finding]
    spec: SheetSpec
    name: str  # the sheet's name in the workbook, as findings give it
    # column key -> rows whose cell held something that could not be used and is read as blank;
    # written with ``_ok`` by ``verdict.settle`` once every check has run.
    blanked: dict[str, pd.Index] = field(default_factory=dict)

    def drops_row(self, key: str) -> bool:
        return self.spec.column(key).drops_row


def read_sheet(sheet: RawSheet, spec: SheetSpec, year_of_month: YearOfMonth | None) -> SheetRead:
    findings: list[Finding] = []
    # A reader's columns are used as they are; merged ranges are filled in on the rows.
    coded = sheet.columns if sheet.columns is not None and not sheet.merged else None
    rows = sheet.head(HEADER_SCAN_ROWS) if coded is not None else fill_merged(sheet)
    header = find_header(rows, spec)
    if header is None:
        expected = "、".join(c.header for c in spec.required)
        findings.append(HeaderNotFound.at(sheet.name, cell="A1", rows=HEADER_SCAN_ROWS, expected=expected))
        return SheetRead(empty_frame(spec.key), pd.DataFrame(), {}, findings, spec, sheet.name)

    header_row = header.row + 1  # 1-based; also the 0-based index of the first body row
    for col, c in header.duplicates:
        findings.append(DuplicateColumn.at(sheet.name, row=header_row, cell=f"{col_letter(c)}{header_row}",
                                           column=col.header, value=rows[header.row][c], expected=col.header))
    for col in spec.required:
        if col.key not in header.columns:
            findings.append(MissingColumn.at(sheet.name, row=header_row, cell=f"A{header_row}", column=col.header,
                                             drops_row=col.drops_row, expected=col.header,
                                             accepted=" / ".join(col.names)))

    if coded is not None:
        height = max(coded.height - header_row, 0)
        cells = {key: _Cells.coded(coded.uniques[c], coded.codes[c][header_row:]) for key, c in header.columns.items()}
    else:
        body = rows[header_row:]
        lengths = set(map(len, body))
        width = max(lengths, default=0)
        if len(lengths) > 1:  # grids from live Excel may be ragged
            body = [list(r) + [None] * (width - len(r)) for r in body]
        grid = _grid(body, width)
        height = len(body)
        cells = {key: _Cells(grid[:, c] if c < width else [None] * height) for key, c in header.columns.items()}
    index = pd.RangeIndex(header_row + 1, header_row + 1 + height)
    keep = ~np.logical_and.reduce([c.blank for c in cells.values()]) if cells else np.zeros(height, bool)
    raw = pd.DataFrame({key: c.raw for key, c in cells.items()}, index=index, dtype="object")[keep]

    places = {key: ColumnPlace(header.texts[key], col_letter(i)) for key, i in header.columns.items()}
    frame = pd.DataFrame(index=raw.index)
    for col in spec.columns:
        if col.key not in cells:
            frame[col.key] = empty_frame(spec.key)[col.key].reindex(raw.index)
            continue
        typed = cells[col.key]
        if col.kind == "text":  # titles and notes: mostly new in every book, and cheap to clean
            parsed = typed.parse(lambda u: _parse(u, col, year_of_month), keep, raw.index)
        else:
            how = ("cell", col.kind, col.month_is_enough, col.number_words, col.choices, year_of_month)
            parsed = typed.parse(lambda u: PARSES.apply(how, lambda v: _parse(v, col, year_of_month), u), keep,
                                 raw.index)
        place = places[col.key]
        findings += _cell_findings(_BAD_TYPE[col.kind], sheet.name, place, raw[col.key], parsed.bad, col)
        unusable = parsed.bad
        if col.kind == "date":
            as_number = _dates_as_numbers(typed, keep, raw.index, parsed, sheet.name, place, raw[col.key], col)
            findings += as_number
            if as_number:
                unusable = unusable | raw.index.isin([f.row for f in as_number])
        if parsed.negative is not None:
            findings += _cell_findings(NegativeNumber, sheet.name, place, raw[col.key], parsed.negative, col)
            unusable = unusable | parsed.negative
        if col.required:
            missing = pd.Series(typed.blank[keep], index=raw.index)
            findings += _cell_findings(MissingValue, sheet.name, place, raw[col.key], missing, col)
        values = parsed.values
        if not col.drops_row and unusable.any():  # what a cell cannot be read as has no value
            values = values.where(~unusable)
        frame[col.key] = values
    frame["_row"] = raw.index.astype("int64")
    # Which rows count (``_ok``) is decided from all findings after the cross-sheet checks: engine.verdict.
    return SheetRead(frame, raw, places, findings, spec, sheet.name)


def _grid(body: list[list[Any]], width: int) -> np.ndarray:
    """The rows as one 2-D object array, so a column is a slice: numpy copies the cell references in
    C, about five times faster than transposing with ``zip(*body)`` (rows must be of equal length)."""
    grid = np.empty((len(body), width), dtype=object)
    if body and width:
        grid[...] = body
    return grid


def _objects(values: Sequence[Any] | np.ndarray) -> np.ndarray:
    """``values`` as a 1-D object array (an object array already is one)."""
    if isinstance(values, np.ndarray) and values.dtype == object and values.ndim == 1:
        return values
    return pd.Series(values, dtype="object").to_numpy()


class _Cells:
    """One column's raw cells, normalised once per distinct value: a log column of 150,000 rows
    holds a few hundred distinct IDs, dates and categories, so parsing the distinct values and
    spreading the result back is where the speed comes from."""

    def __init__(self, values: Sequence[Any] | np.ndarray, distinct: Sequence[Any] | np.ndarray | None = None,
                 codes: np.ndarray | None = None) -> None:
        # Object arrays, not Series: a column is coded in a handful of numpy steps (pandas' cost per
        # Series is paid per column, 50 columns a book).
        self.raw = _objects(values)
        keys = self.raw if distinct is None else _objects(distinct)
        if distinct is None:  # every cell its own entry until factorised below
            distinct = values
        if bool in set(map(type, distinct)):
            # TRUE == 1 and FALSE == 0 for hashing: without this, a TRUE cell would share its parse
            # with a cell holding 1. Booleans are parsed as the words Excel shows for them.
            keys = _objects(["TRUE" if v is True else "FALSE" if v is False else v for v in distinct])
        key_codes, uniques = pd.factorize(keys, use_na_sentinel=True)
        key_codes[key_codes < 0] = len(uniques)  # missing cells point at an appended None
        self.codes = key_codes if codes is None else key_codes[codes]
        self.uniques = pd.Series([*uniques, None], dtype="object")
        self.blank = blank_array(self.uniques)[self.codes]

    @classmethod
    def coded(cls, uniques: np.ndarray, codes: np.ndarray) -> _Cells:
        """A column its reader already coded (``CellColumns``): the distinct cells of these rows, in
        the order they first appear, are factorised as the cells themselves would be, and the
        engine's distinct values come out the same as from the rows."""
        order = pd.unique(codes)  # the codes present, in the order they first appear (a hash, no sort)
        local = np.empty(len(uniques), dtype=np.intp)
        local[order] = np.arange(len(order))
        return cls(uniques[codes], uniques[order], local[codes])

    def parse(self, fn: Callable[[pd.Series], Parsed], keep: np.ndarray, index: pd.Index) -> Parsed:
        p = fn(self.uniques)
        codes = self.codes[keep]

        def spread(s: pd.Series | None) -> pd.Series | None:
            return None if s is None else pd.Series(s.to_numpy()[codes], index=index, dtype=s.dtype)

        return Parsed(spread(p.values), spread(p.bad), spread(p.negative))


def _dates_as_numbers(typed: _Cells, keep: np.ndarray, index: pd.Index, parsed: Parsed, sheet: str,
                      place: ColumnPlace, raw: pd.Series, col: ColumnSpec) -> list[Finding]:
    """Number cells of a date column that are a date Excel turned into a number (`12.3`): said as
    that, and unusable (their serial is a day of 1900), in place of a date far outside the year."""
    def guess(u: pd.Series) -> Parsed:
        g = date_number_guesses(u, col.month_is_enough)
        return Parsed(g, g.notna())

    guesses = typed.parse(lambda u: PARSES.apply(("date-number", col.month_is_enough), guess, u), keep, index)
    hit = guesses.bad
    if not hit.any():
        return []
    parsed.values[hit] = pd.NaT  # a day of 1900: no date at all (the frame blanks or leaves the row out)
    return [DateAsNumber.at(sheet, row=int(r), cell=f"{place.letter}{r}", column=place.header, value=raw[r],
                            drops_row=col.drops_row, guess=guesses.values[r]) for r in index[hit.to_numpy()]]


_BAD_TYPE: dict[str, type[FindingType]] = {
    "date": InvalidDate, "number": InvalidNumber, "teacher_id": InvalidTeacherId,
    "attendance": InvalidChoice, "location": InvalidChoice, "choice": InvalidChoice, "roles": InvalidChoice,
    "text": InvalidChoice,
}


def _parse(s: pd.Series, col: ColumnSpec, year_of_month: YearOfMonth | None) -> Parsed:
    match col.kind:
        case "date":
            return normalize_dates(s, year_of_month, month_is_enough=col.month_is_enough)
        case "number":
            return normalize_numbers(s, words=col.number_words)
        case "teacher_id":
            return normalize_teacher_ids(s)
        case "attendance":
            return normalize_attendance(s)
        case "location":
            return normalize_location(s)
        case "roles":
            return normalize_roles(s)
        case "choice":
            return normalize_choice(s, col.choices)
        case _:
            return normalize_text(s)


_CHOICES_SHOWN = {
    "attendance": "出勤、迟到、请假、缺勤",
    "location": "校内、校外",
}


def _cell_findings(kind: type[FindingType], sheet: str, place: ColumnPlace, raw: pd.Series, mask: pd.Series,
                   col: ColumnSpec) -> list[Finding]:
    if not mask.any():
        return []
    params: dict[str, Any] = {"choices": _CHOICES_SHOWN.get(col.kind, "、".join(col.choices))} \
        if "choices" in kind.fields else {}
    return [
        kind.at(sheet, row=int(r), cell=f"{place.letter}{r}", column=place.header, value=v,
                drops_row=col.drops_row, **params)
        for r, v in raw[mask].items()
    ]
