"""Which cells a run marks, with which note, and which earlier marks go, decided once for every door:
the file door (:mod:`.ooxml.marks` renders the plan inside the package, keeping each cell's format
for its undo), the live door (an xlwings Book) and the VBA client's door.

A run's marks replace the book's: a cell still in error keeps its record row (what undoing needs was
recorded when it was first marked), a cell no longer in error is given back, our own sheets are never
marked."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from ..contract.a1 import column_letters, split_a1
from ..reports.tables import CellMark
from .mark_record import MARK_STORE, MarkRow

NO_NOTE = "有错误"  # a mark that came without a note still says why the cell is filled


@dataclass(frozen=True, slots=True)
class CellToMark:
    row: int  # 1-based
    col: int  # 1-based
    address: str  # "B5"
    note: str  # the notes of every mark on the cell, once each
    before: MarkRow | None  # the record's row when the cell is marked already


@dataclass(slots=True)
class MarkPlan:
    undo: list[MarkRow]  # earlier marks on cells no longer in error
    cells: dict[str, list[CellToMark]]  # the book's sheet name -> its cells to mark, in the marks' order


def plan_marks(marks: list[CellMark], previous: list[MarkRow], sheet_named: Callable[[str], str | None],
               skip: Iterable[str] = ()) -> MarkPlan:
    """``previous``: the record's marks; ``sheet_named(name)``: the book's sheet of that name (Excel
    compares names case-insensitively), None when the book has none; ``skip``: sheets never marked
    besides the record (our tabs, a helper sheet)."""
    never = {MARK_STORE.casefold()} | {s.casefold() for s in skip}
    notes: dict[str, dict[tuple[int, int], list[str]]] = {}
    for mark in marks:
        try:
            row, col0 = split_a1(mark.cell)
        except ValueError:
            continue
        name = None if mark.sheet.casefold() in never else sheet_named(mark.sheet)
        if name is not None:
            notes.setdefault(name, {}).setdefault((row, col0 + 1), []).append(mark.note)
    recorded = {row.key: row for row in previous}
    cells: dict[str, list[CellToMark]] = {}
    for name, by_cell in notes.items():
        for (row, col), texts in by_cell.items():
            address = f"{column_letters(col - 1)}{row}"
            note = "\n".join(dict.fromkeys(t for t in texts if t)) or NO_NOTE
            cells.setdefault(name, []).append(CellToMark(row, col, address, note,
                                                         recorded.get((name.casefold(), address))))
    wanted = {(name.casefold(), cell.address) for name, marked in cells.items() for cell in marked}
    return MarkPlan([row for key, row in recorded.items() if key not in wanted], cells)
