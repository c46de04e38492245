"""The live door: an ``xlwings.Book`` — desktop Excel through RunPython, or the remote engine's book
(``xw.Book(json=...)``) whose changes go back to the client as actions. The steps are
:mod:`.xlwings_adapter`'s; where the engines differ, :mod:`.engine`'s."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ...contract.book import RawBook
from ...contract.texts import Lang
from ...reports.tables import CellMark, TabTable
from ..tab_owner import plan_write
from . import xlwings_adapter as xl


class LiveDoor:
    def __init__(self, book: Any) -> None:
        self.book = book

    def read(self) -> RawBook:
        return xl.read_book(self.book)

    def write(self, tabs: list[TabTable], *, marks: list[CellMark] | None = None,
              remove: Iterable[str] = ()) -> dict[str, str]:
        """The record is read once and written once: the remote engine reads what the client sent,
        never what this click wrote."""
        rows, owned = xl.read_record(self.book)
        plan = plan_write(tabs, xl.sheet_names(self.book), owned, lambda name: xl.first_rows(self.book, name),
                          remove=remove)
        for name in plan.delete:
            xl.delete_sheet(self.book, name)
        for tab, name in zip(tabs, plan.names):
            xl.write_tab(self.book, tab, name)
        if marks is not None:
            rows = xl.mark_cells(self.book, marks, rows, skip=set(plan.names) | set(plan.owned))
        xl.write_store(self.book, rows, plan.owned)
        return {name: tab.key for tab, name in zip(tabs, plan.names)}

    def clear_marks(self) -> int:
        rows, owned = xl.read_record(self.book)
        cleared = xl.undo(self.book, rows)
        if rows:
            xl.write_store(self.book, [], owned)
        return cleared

    def append_runlog(self, item: str, text: str, lang: Lang = "zh") -> None:
        """A line in 运行记录, e.g. why a button failed (live only: a file door's run log is a tab)."""
        xl.append_runlog(self.book, item, text, lang)

    def show(self, name: str) -> None:
        """Bring the sheet ``name`` to the front; where the user lands is a nicety, never a failure."""
        try:
            sheet = xl.find_sheet(self.book, (name,))
            if sheet is not None:
                sheet.activate()
        except Exception:
            pass
