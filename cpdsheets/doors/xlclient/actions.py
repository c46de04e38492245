"""The answer to xlwings' VBA client: a list of actions that write what the CLI writes.

``Remote.bas`` runs each action as ``Application.Run action("func"), wb, action``. Only two kinds
of function exist on the client: the 38 Subs of ``Remote.bas`` and ours in ``xlmacros/CpdActions.bas``
(:data:`OUR_SUBS`), so this module emits nothing else (``tests/vba_client_model.py`` interprets
exactly those). Of Remote.bas's we use ``addSheet``, ``sheetClear``, ``sheetClearContents``,
``sheetDelete``, ``setValues``, ``setRangeColor``, ``activateSheet`` and ``alert``.

The output tabs look as the package writer makes them (values, number formats on the cells it
formats, the header's fill, bold and alignment, status fills, links, column widths, frozen header,
filter, tab colour, print titles); the marks are the fill and note of every input cell in error, and
the hidden record ``cpdsheets.marks`` (:mod:`..mark_record`) says what undoing them needs.

Limits of the client, and how the actions keep within them:
- an action's ``values`` is a VBA Collection of Collections: indexing one is a walk along it, so a
  ``setValues`` holds at most :data:`MAX_ROWS` rows and :data:`MAX_CELLS` cells;
- a ``Range("...")`` argument is at most 255 characters: multi-area addresses are cut there
  (:func:`union_addresses`), and an action carries at most :data:`MAX_AREAS` of them;
- rows and columns pass 32,767: ``Remote.bas``'s ``GetRange`` works on Variants (JSON doubles) and
  our Subs on Longs.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from ...reports.tab_style import HEADER_ALIGN, HEADER_FILL, NUMBER_FORMATS, TITLE_SIZE_DELTA, WRAP_ALIGN
from ...reports.tables import MARK_FILL, CellMark, TabTable
from ..live.xl_convert import cell_runs, excel_text, parse_cell, plan_tab, union_addresses
from ..mark_record import MARK_STORE, MARK_STORE_HEADER, MarkRow, rows_from_values, tabs_from_values, values_from_rows
from ..mark_plan import plan_marks
from .payload import MERGES_SHEET
from ..ooxml.marks import NOTE_AUTHOR
from ..ooxml.sheet_xml import TAB_COLOUR, column_widths
from ..xml_text import clean_text


MAX_ROWS = 2_000
MAX_CELLS = 10_000
MAX_AREAS = 200
MAX_LINKS = 2_000

# Remote.bas's action Subs (xlwings 0.37.8), and ours (xlmacros/CpdActions.bas).
REMOTE_SUBS = frozenset({
    "setValues", "rangeClearContents", "rangeClearFormats", "rangeClear", "addSheet", "setSheetName",
    "setAutofit", "setRangeColor", "activateSheet", "addHyperlink", "setNumberFormat", "setPictureName",
    "setPictureHeight", "setPictureWidth", "deletePicture", "addPicture", "updatePicture", "alert",
    "setRangeName", "namesAdd", "nameDelete", "runMacro", "rangeDelete", "rangeInsert", "rangeSelect",
    "addTable", "setTableName", "resizeTable", "showAutofilterTable", "showHeadersTable", "showTotalsTable",
    "setTableStyle", "copyRange", "sheetDelete", "sheetClear", "sheetClearContents", "sheetClearFormats",
})
OUR_SUBS = frozenset({
    "cpdPaint", "cpdNumberFormat", "cpdFont", "cpdAlign", "cpdTabLook", "cpdLinks", "cpdSheetVisible",
    "cpdMarkCells", "cpdUnmark", "cpdOpenUrl",
})

Cell = tuple[int, int]  # 1-based (row, column)


def json_value(value: Any) -> Any:
    """A cell value for ``setValues``: dates as ISO text, which Remote.bas's setValues turns into
    dates (``WebHelpers.ParseIso``); text is already quoted where Excel would read it otherwise."""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%S")
    if isinstance(value, dt.date):
        return value.strftime("%Y-%m-%dT00:00:00")
    if isinstance(value, dt.time):
        return "1899-12-30T" + value.strftime("%H:%M:%S")
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


@dataclass
class ActionList:
    """Actions for one book, and the client's worksheets as they will be when each action runs
    (``sheet_position`` indexes ``wb.Worksheets``)."""

    sheets: list[str]
    actions: list[dict[str, Any]] = field(default_factory=list)

    def position(self, name: str) -> int:
        folded = name.casefold()
        return next(i for i, s in enumerate(self.sheets) if s.casefold() == folded)

    def has(self, name: str) -> bool:
        return any(s.casefold() == name.casefold() for s in self.sheets)

    def add(self, func: str, args: Iterable[Any] = (), *, sheet: str | None = None, row: int = 1, col: int = 1,
            nrows: int = 1, ncols: int = 1, values: list[list[Any]] | None = None) -> None:
        """One action; ``row``/``col`` 1-based, stored 0-based as Remote.bas's GetRange reads them."""
        assert func in REMOTE_SUBS or func in OUR_SUBS, func
        self.actions.append({
            "func": func, "args": list(args), "values": values if values is not None else [[]],
            "sheet_position": None if sheet is None else self.position(sheet),
            "start_row": row - 1, "start_column": col - 1, "row_count": nrows, "column_count": ncols,
        })

    # -- sheets -------------------------------------------------------------------------------

    def add_sheet(self, name: str) -> None:
        """A new worksheet after the last one (Remote.bas: Sheets.Add, then Move After:=Worksheets(i+1)),
        but before the client's helper sheet of merged areas, which is last while the answer runs: no
        sheet is moved after that hidden sheet, and once it is deleted the order is the CLI's."""
        after = len(self.sheets) - 1
        if after > 0 and self.sheets[after].casefold() == MERGES_SHEET.casefold():
            after -= 1
        self.add("addSheet", [after, name])
        self.sheets.insert(after + 1, name)

    def delete_sheet(self, name: str) -> None:
        self.add("sheetDelete", sheet=name)
        del self.sheets[self.position(name)]

    # -- cells --------------------------------------------------------------------------------

    def set_values(self, sheet: str, row: int, col: int, grid: list[list[Any]]) -> None:
        """A rectangle of values from (row, col), in as many actions as the limits need."""
        if not grid:
            return
        width = max(len(r) for r in grid) or 1
        band = max(1, min(MAX_ROWS, MAX_CELLS // width))
        for start in range(0, len(grid), band):
            chunk = [[json_value(v) for v in r] + [None] * (width - len(r)) for r in grid[start:start + band]]
            self.add("setValues", sheet=sheet, row=row + start, col=col, nrows=len(chunk), ncols=width,
                     values=chunk)

    def areas(self, func: str, first: Any, sheet: str, cells: Iterable[Cell]) -> None:
        """``func(first, [address, ...])`` over the cells, as multi-area addresses."""
        addresses = union_addresses(cell_runs(list(cells)))
        for start in range(0, len(addresses), MAX_AREAS):
            self.add(func, [first, addresses[start:start + MAX_AREAS]], sheet=sheet)

    def alert(self, message: str, title: str, *, critical: bool = False) -> None:
        self.add("alert", [message, title, "ok", "critical" if critical else "info", ""])


def _chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


# -- output tabs -------------------------------------------------------------------------------

def write_tab(out: ActionList, table: TabTable, name: str) -> None:
    """One output tab, replaced whole (under the name :func:`..tab_owner.plan_write` chose)."""
    plan = plan_tab(table)
    if out.has(name):
        out.add("sheetClear", sheet=name)
    else:
        out.add_sheet(name)
    out.set_values(name, 1, 1, plan.values)
    if table.title:
        out.add("cpdFont", [True, TITLE_SIZE_DELTA], sheet=name)
    hrow, ncols = plan.header_row, plan.ncols
    out.add("cpdFont", [True, 0], sheet=name, row=hrow, ncols=ncols)
    out.add("setRangeColor", ["#" + HEADER_FILL], sheet=name, row=hrow, ncols=ncols)
    out.add("cpdAlign", [HEADER_ALIGN.get("horizontal", ""), HEADER_ALIGN.get("vertical", ""),
                         HEADER_ALIGN.get("wrapText") == "1"], sheet=name, row=hrow, ncols=ncols)
    first = plan.first_data_row
    if plan.last_row >= first:
        _number_formats(out, name, table, first)
        for c0, c1 in plan.wrapped:
            out.add("cpdAlign", ["", "", WRAP_ALIGN.get("wrapText") == "1"], sheet=name, row=first, col=c0,
                    nrows=plan.last_row - first + 1, ncols=c1 - c0 + 1)
    for colour, cells in plan.fills.items():
        out.areas("cpdPaint", "#" + str(colour), name, cells)
    links = [[r, c, target] for r, c, target, _ in plan.links]
    for chunk in _chunks(links, MAX_LINKS):
        out.add("cpdLinks", [chunk], sheet=name)
    out.add("cpdTabLook", [column_widths(table), plan.header_row, max(plan.last_row, plan.header_row),
                           "#" + TAB_COLOUR[-6:]], sheet=name)


def _number_formats(out: ActionList, name: str, table: TabTable, first: int) -> None:
    """A column's number format on the cells the package writer formats: those holding a number or
    a date (text and blanks stay General there)."""
    for c, column in enumerate(table.columns, start=1):
        fmt = NUMBER_FORMATS.get(column.kind)
        if not fmt:
            continue
        cells = [(r, c) for r, row in enumerate(table.rows, start=first)
                 if c - 1 < len(row) and _formatted(row[c - 1])]
        if cells:
            out.areas("cpdNumberFormat", fmt, name, cells)


def _formatted(value: Any) -> bool:
    if isinstance(value, bool):
        return True
    if isinstance(value, (int, float)):
        return math.isfinite(value)
    if isinstance(value, (dt.date, dt.time)):
        return True
    to_py = getattr(value, "to_pydatetime", None)
    if to_py is not None:
        return True
    item = getattr(value, "item", None)  # a numpy scalar
    return item is not None and not isinstance(value, (str, bytes)) and _formatted(item())


# -- marks and the record ----------------------------------------------------------------------

def mark_cells(out: ActionList, marks: list[CellMark], store_values: list[list[Any]],
               tabs: dict[str, str], skip: Iterable[str] = ()) -> int:
    """Replace the marks either door recorded with these, as :func:`..mark_plan.plan_marks` decides,
    and write the record with ``tabs``; ``skip``: sheets never marked (our tabs, as the other doors
    skip them). Returns cells marked."""
    plan = plan_marks(marks, rows_from_values(store_values),
                      lambda name: out.sheets[out.position(name)] if out.has(name) else None,
                      skip=[MERGES_SHEET, *skip])
    _undo(out, plan.undo)
    recorded: list[MarkRow] = []
    marking: list[tuple[str, list[list[Any]]]] = []
    for name, cells in plan.cells.items():
        items = []
        for mark in cells:
            before = mark.before
            # the Sub completes a new row on the PC: whether the note went on (col C), the fill it had (D)
            recorded.append(before if before is not None else MarkRow(name, mark.address, True, ""))
            items.append([mark.address, clean_text(mark.note), len(recorded) + 1, before is not None,
                          bool(before and before.note_added)])
        marking.append((name, items))
    write_store(out, recorded, tabs)
    for name, items in marking:
        for chunk in _chunks(items, MAX_AREAS):
            out.add("cpdMarkCells", [MARK_STORE, "#" + MARK_FILL, NOTE_AUTHOR, chunk], sheet=name)
    return len(recorded)


def clear_marks(out: ActionList, store_values: list[list[Any]]) -> int:
    """Remove the fills and notes either door added, and nothing else. Returns cells cleared."""
    rows = rows_from_values(store_values)
    count = _undo(out, rows)
    if rows:
        write_store(out, [], tabs_from_values(store_values))
    return count


def _address(rc: Cell) -> str:
    from ...contract.a1 import column_letters

    return f"{column_letters(rc[1] - 1)}{rc[0]}"


def _undo(out: ActionList, rows: list[MarkRow]) -> int:
    """Give recorded cells back their fill (as recorded, else none) and delete our notes."""
    by_sheet: dict[str, list[list[Any]]] = {}
    for row in rows:
        rc = parse_cell(row.cell)
        if rc is None or not out.has(row.sheet):
            continue
        name = out.sheets[out.position(row.sheet)]
        by_sheet.setdefault(name, []).append([_address(rc), f"#{row.fill_rgb}" if row.fill_rgb else "",
                                              row.note_added])
    for name, items in by_sheet.items():
        for chunk in _chunks(items, MAX_AREAS):
            out.add("cpdUnmark", [chunk], sheet=name)
    return sum(len(items) for items in by_sheet.values())


def write_store(out: ActionList, rows: list[MarkRow], tabs: dict[str, str]) -> None:
    """The record: these marks and these tabs."""
    if not out.has(MARK_STORE):
        if not rows and not tabs:
            return
        out.add_sheet(MARK_STORE)
        out.add("cpdSheetVisible", [False], sheet=MARK_STORE)
    else:
        out.add("sheetClearContents", sheet=MARK_STORE)
    grid = [[excel_text(v) if isinstance(v, str) else v for v in row] for row in values_from_rows(rows, tabs)]
    out.set_values(MARK_STORE, 1, 1, [r + [None] * (len(MARK_STORE_HEADER) - len(r)) for r in grid])
