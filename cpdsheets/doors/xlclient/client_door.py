"""The door to a book the VBA client sent (``Remote.bas``'s ``RunServerPython``): read from the
payload (:mod:`.payload`), written as the actions the client runs (:mod:`.actions`). The client runs
them after the answer, so everything here is decided from the payload as sent."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ...contract.book import RawBook
from ...reports.tables import CellMark, TabTable
from ..mark_record import MARK_STORE, rows_from_values, tabs_from_values
from ..tab_owner import plan_write
from . import actions as act
from .payload import MERGES_SHEET, raw_book, sent_sheets, sheet_names, sheet_values


class ClientDoor:
    """``actions``: what the client is to run, in order (the button's message is added by the caller)."""

    def __init__(self, payload: dict[str, Any]) -> None:
        self.payload = payload
        self.actions = act.ActionList(sheet_names(payload))
        self._store = sheet_values(payload, MARK_STORE)

    def read(self) -> RawBook:
        return raw_book(self.payload)

    def write(self, tabs: list[TabTable], *, marks: list[CellMark] | None = None,
              remove: Iterable[str] = ()) -> dict[str, str]:
        out = self.actions
        sent = sent_sheets(self.payload)

        def first_rows(name: str) -> list[list[Any]]:
            rows = sheet_values(self.payload, name) if name in sent else []
            return [list(r[:12]) for r in rows[:2]]

        names = [s for s in out.sheets if s not in (MARK_STORE, MERGES_SHEET)]  # ours, not the user's
        plan = plan_write(tabs, names, tabs_from_values(self._store), first_rows, remove=remove)
        for name in plan.delete:
            out.delete_sheet(name)
        for tab, name in zip(tabs, plan.names):
            act.write_tab(out, tab, name)
        if marks is not None:
            act.mark_cells(out, marks, self._store, plan.owned, skip=set(plan.names) | set(plan.owned))
        else:
            act.write_store(out, rows_from_values(self._store), plan.owned)
        return {name: tab.key for tab, name in zip(tabs, plan.names)}

    def clear_marks(self) -> int:
        return act.clear_marks(self.actions, self._store)
