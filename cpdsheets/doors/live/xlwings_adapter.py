"""The live door's steps (:class:`.live_door.LiveDoor` puts them together): a workbook open in
Excel (or sent by an xlwings client) read into a RawBook, and output tabs and cell marks written back
with as few Excel calls as possible.

Works on xlwings' desktop engine (RunPython under Windows/macOS) and its remote engine
(``xw.Book(json=...)``), which the tests drive. What the two engines do differently (painting
many cells, reading fills, column width units, page setup) is one implementation each, see
:mod:`.engine`; everything here is the same for both.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Any

from ...contract.book import RawBook, RawSheet
from ...contract.schema import OUTPUT_TABS
from ...contract.texts import Lang
from ...reports.tables import MARK_FILL, CellMark, TabTable
from ..mark_record import MARK_STORE, MARK_STORE_HEADER, MarkRow, rows_from_values, tabs_from_values, values_from_rows
from ..mark_plan import plan_marks
from ..tab_owner import looks_like_tab, plan_write, tab_name
from ...reports.tab_style import HEADER_ALIGN, HEADER_FILL, TITLE_SIZE_DELTA, WRAP_ALIGN
from ...reports.tab_texts import HEADERS
from .engine import Fills, LiveEngine, engine_for
from .xl_convert import TabPlan, excel_text, pad_to_a1, parse_cell, plan_tab

# MARK_STORE (re-exported): the hidden sheet both doors record their marks in, see mark_record.
DEFAULT_FONT_SIZE = 11.0  # Excel's Calibri 11
LINK_LIMIT = 500  # hyperlinks are one Excel call each; past this the cell text still says where


# -- reading ------------------------------------------------------------------------------------

def read_book(book: Any) -> RawBook:
    """Each sheet's used range in one read, placed from A1, sheet order kept."""
    merged = _merged_from_saved_file(book)
    sheets: dict[str, RawSheet] = {}
    for sheet in book.sheets:
        used = sheet.used_range
        values = used.options(ndim=2, err_to_str=True).value or [[]]
        if used.shape == (1, 1) and values[0][:1] in ([None], [""], []):
            rows: list[list[Any]] = []
        else:
            rows = pad_to_a1(values, used.row, used.column)
        sheets[sheet.name] = RawSheet(
            name=sheet.name,
            rows=rows,
            merged=merged.get(sheet.name, []),
            hidden=not _visible(sheet),
        )
    return RawBook(sheets=sheets, path=_book_path(book))


def _visible(sheet: Any) -> bool:
    try:
        return bool(sheet.visible)
    except Exception:  # an engine that cannot tell: treat as visible
        return True


def _book_path(book: Any) -> str:
    try:
        return str(book.fullname)
    except Exception:
        return str(book.name)


def _merged_from_saved_file(book: Any) -> dict[str, list]:
    """Merged areas as of the last save. Neither xlwings engine lists merged areas without a
    call per cell, so they are read from the saved file with calamine; an unsaved book (or a
    remote client's) has none, and the engine then reads merged cells as blank but the first."""
    path = _book_path(book)
    if not path or not os.path.isfile(path):
        return {}
    try:
        from python_calamine import CalamineWorkbook

        wb = CalamineWorkbook.from_path(path)
        out: dict[str, list] = {}
        for name in wb.sheet_names:
            ranges = wb.get_sheet_by_name(name).merged_cell_ranges or []
            if ranges:
                out[name] = [tuple(map(tuple, r)) for r in ranges]
        return out
    except Exception:
        return {}


# -- output tabs -------------------------------------------------------------------------------

def find_sheet(book: Any, names: tuple[str, ...]) -> Any | None:
    wanted = [n.casefold() for n in names if n]
    for sheet in book.sheets:
        if sheet.name.casefold() in wanted:
            return sheet
    return None


def _store_values(book: Any) -> list[list[Any]]:
    store = find_sheet(book, (MARK_STORE,))
    return [] if store is None else (store.used_range.options(ndim=2).value or [])


def read_record(book: Any) -> tuple[list[MarkRow], dict[str, str]]:
    """The book's record (either door's): the marked cells, and the tabs cpdsheets wrote (name -> key).
    Read once per click: the remote engine's values are those the client sent, not what was written since."""
    values = _store_values(book)
    return rows_from_values(values), tabs_from_values(values)


def sheet_names(book: Any) -> list[str]:
    """The book's sheets but the record, in order."""
    return [s.name for s in book.sheets if s.name != MARK_STORE]


def first_rows(book: Any, name: str) -> list[list[Any]]:
    """A sheet's first two rows (12 columns), for :func:`..tab_owner.plan_write` to judge a book
    with no record; [] where the engine cannot read them, so the sheet is kept."""
    sheet = find_sheet(book, (name,))
    if sheet is None:
        return []
    try:
        return sheet.range((1, 1), (2, 12)).options(ndim=2).value or []
    except Exception:
        return []


def delete_sheet(book: Any, name: str) -> None:
    sheet = find_sheet(book, (name,))
    if sheet is not None:
        sheet.delete()


def output_sheet(book: Any, name: str) -> Any:
    """The sheet ``name``, emptied; added after the last sheet if missing."""
    sheet = find_sheet(book, (name,))
    if sheet is None:
        last = book.sheets[len(book.sheets) - 1]
        return book.sheets.add(name=name, after=last)
    sheet.clear()
    return sheet


def write_tab(book: Any, table: TabTable, name: str) -> Any:
    """Replace one output tab (under the name :func:`..tab_owner.plan_write` chose): one range write for all values, then formats as range operations
    (per column span, per fill colour), then column widths."""
    plan = plan_tab(table)
    sheet = output_sheet(book, name)
    engine = engine_for(book)
    nrows = len(plan.values)

    sheet.range((1, 1), (nrows, plan.ncols)).value = plan.values

    if table.title:
        title = sheet.range((1, 1)).font
        title.bold = True
        title.size = _font_size(title) + TITLE_SIZE_DELTA
    header = sheet.range((plan.header_row, 1), (plan.header_row, plan.ncols))
    header.font.bold = True
    header.color = "#" + HEADER_FILL
    engine.align(header, HEADER_ALIGN)

    if plan.last_row >= plan.first_data_row:
        for c0, c1, fmt in plan.number_formats:
            sheet.range((plan.first_data_row, c0), (plan.last_row, c1)).number_format = fmt
        for c0, c1 in plan.wrapped:
            engine.align(sheet.range((plan.first_data_row, c0), (plan.last_row, c1)), WRAP_ALIGN)
    engine.paint(sheet, plan.fills)
    _links(sheet, plan)
    _widths(sheet, plan, engine)
    _freeze_header(sheet, plan)
    if table.print_titles:  # repeat the title and header rows on every printed page, as the CLI's tabs do
        engine.print_titles(sheet, f"$1:${plan.header_row}")
    return sheet


def _font_size(font: Any) -> float:
    """The cell's font size before the title grows it; Excel's default where the engine cannot
    read formats (the remote engine)."""
    try:
        return float(font.size or DEFAULT_FONT_SIZE)
    except Exception:
        return DEFAULT_FONT_SIZE


def _freeze_header(sheet: Any, plan: TabPlan) -> None:
    """Keep the title and header rows in view while scrolling, as the CLI's tabs do."""
    try:
        sheet.freeze_panes.freeze_at(f"1:{plan.header_row}")
    except Exception:  # an engine without frozen panes still shows the table
        pass


def _links(sheet: Any, plan: TabPlan) -> None:
    for row, col, target, text in plan.links[:LINK_LIMIT]:
        try:
            sheet.range((row, col)).add_hyperlink("#" + target, text or target)
        except Exception:  # a link is a convenience; the cell text already names the place
            return


def _widths(sheet: Any, plan: TabPlan, engine: LiveEngine) -> None:
    try:
        sheet.autofit("c")
    except Exception:  # an engine without autofit keeps Excel's default widths
        pass
    for c0, c1, width in plan.widths:
        sheet.range((1, c0), (1, c1)).column_width = engine.column_width(width)


# -- marks on input cells ---------------------------------------------------------------------

def write_store(book: Any, rows: list[MarkRow], tabs: dict[str, str]) -> None:
    """Write the record: these marks and these tabs (one write per click)."""
    store = find_sheet(book, (MARK_STORE,))
    if store is None:
        if not rows and not tabs:
            return
        last = book.sheets[len(book.sheets) - 1]
        store = book.sheets.add(name=MARK_STORE, after=last)
        store.visible = False
    else:
        store.clear_contents()
    grid = [[excel_text(v) if isinstance(v, str) else v for v in row] for row in values_from_rows(rows, tabs)]
    store.range((1, 1), (len(grid), len(MARK_STORE_HEADER))).value = grid


def undo(book: Any, rows: list[MarkRow]) -> int:
    """Give recorded cells back their fill (as recorded, else none) and delete our notes; returns the
    cells."""
    engine = engine_for(book)
    by_sheet: dict[str, list[tuple[tuple[int, int], MarkRow]]] = {}
    for row in rows:
        rc = parse_cell(row.cell)
        if rc is not None:
            by_sheet.setdefault(row.sheet, []).append((rc, row))
    count = 0
    for sheet_name, cells in by_sheet.items():
        sheet = find_sheet(book, (sheet_name,))
        if sheet is None:
            continue
        fills: Fills = {}
        for rc, row in cells:
            fills.setdefault(row.fill_rgb or None, []).append(rc)
        engine.paint(sheet, fills)
        for (r, c), row in cells:
            if not row.note_added:
                continue
            try:
                note = sheet.range((r, c)).note
                if note is not None:
                    note.delete()
            except Exception:
                pass
        count += len(cells)
    return count


def mark_cells(book: Any, marks: list[CellMark], previous_rows: list[MarkRow],
               skip: Iterable[str] = ()) -> list[MarkRow]:
    """Replace the marks either door recorded (``previous_rows``) with these, as
    :func:`..mark_plan.plan_marks` decides: cells no longer in error get their fill back and lose our
    note; each marked cell is filled and given a note (unless the user's own note is there). Returns
    the record's rows: per cell, what undoing needs."""
    engine = engine_for(book)
    sheets: dict[str, Any] = {}

    def sheet_named(name: str) -> str | None:
        sheet = find_sheet(book, (name,))
        if sheet is None:
            return None
        sheets[sheet.name] = sheet
        return sheet.name

    plan = plan_marks(marks, previous_rows, sheet_named, skip)
    undo(book, plan.undo)
    recorded: list[MarkRow] = []
    for name, cells in plan.cells.items():
        sheet = sheets[name]
        for mark in cells:
            cell = sheet.range((mark.row, mark.col))
            before = mark.before
            added = before.note_added if before else False
            try:
                if cell.note is None:
                    cell.add_note(mark.note)
                    added = True
                elif added:  # our own note from an earlier run: refresh its text
                    cell.note.text = mark.note
            except Exception:  # notes unsupported by this client: the fill still shows it
                pass
            if before is not None:  # still marked: what undoing needs was recorded when first marked
                recorded.append(MarkRow(name, mark.address, added, before.fill_rgb, before.xf_xml, before.fill_xml))
            else:
                recorded.append(MarkRow(name, mark.address, added, engine.fill_of(cell)))
        engine.paint(sheet, {MARK_FILL: [(mark.row, mark.col) for mark in cells]})
    return recorded


# -- run log -----------------------------------------------------------------------------------

def append_runlog(book: Any, item: str, text: str, lang: Lang = "zh") -> None:
    """One (项目, 值) line added below whatever 运行记录 holds, e.g. why a button failed; the tab
    is added (with the run log's header) if the book has none yet."""
    rows, owned = read_record(book)
    ours = [n for n, k in owned.items() if k == "runlog"]
    if not owned:  # no record yet: an earlier version's run log, judged by its content
        ours = [n for n in OUTPUT_TABS["runlog"] if looks_like_tab(first_rows(book, n), "runlog")]
    sheet = find_sheet(book, tuple(ours)) if ours else None
    if sheet is None:
        tab = TabTable("runlog", tab_name("runlog", lang), [], [])
        name = plan_write([tab], sheet_names(book), owned, lambda n: []).names[0]
        last = book.sheets[len(book.sheets) - 1]
        sheet = book.sheets.add(name=name, after=last)
        write_store(book, rows, {**owned, name: "runlog"})
        header = [HEADERS.render("item", lang), HEADERS.render("value", lang)]
        sheet.range((1, 1), (2, 2)).value = [header, [excel_text(item), excel_text(text)]]
        return
    used = sheet.used_range
    values = used.options(ndim=2).value or [[None]]
    blank = used.shape == (1, 1) and values[0][0] in (None, "")
    row = 1 if blank else used.row + used.shape[0]
    sheet.range((row, 1), (row, 2)).value = [[excel_text(item), excel_text(text)]]
