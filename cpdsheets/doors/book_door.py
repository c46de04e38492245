"""One interface for every way a workbook is reached: a file on disk, a book open in Excel, the
book the VBA client sent to the service.

A job never touches a book; a door (CLI, Excel button, service) goes parse -> job -> door -> render,
and what it does to the book is this protocol's three calls, the way xlwings' ``Book`` is one
front over an ``impl`` per engine (``_xlwindows``, ``pro/_xlremote``):

- :class:`cpdsheets.doors.ooxml.file_door.FileDoor`: the .xlsx/.xlsm package edited part by part,
  written to a temporary file and moved into place (a .bak kept, never over an input);
- :class:`cpdsheets.doors.live.live_door.LiveDoor`: an ``xlwings.Book`` (desktop Excel or the remote
  engine);
- :class:`cpdsheets.doors.xlclient.client_door.ClientDoor`: the actions the VBA client runs.

What they share is decided once: which sheets are ours and where each tab goes, switching language
included (:func:`cpdsheets.doors.tab_owner.plan_write`), and the record of tabs and marks
(:mod:`cpdsheets.doors.mark_record`), so a book written through one door is read, re-written and
cleared through any other.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from ..contract.book import RawBook
from ..reports.tables import CellMark, TabTable


@runtime_checkable
class BookDoor(Protocol):
    def read(self) -> RawBook:
        """Every sheet of the book, rows from A1, as the engine reads them."""

    def write(self, tabs: list[TabTable], *, marks: list[CellMark] | None = None,
              remove: Iterable[str] = ()) -> dict[str, str]:
        """Write the output tabs where :func:`~cpdsheets.doors.tab_owner.plan_write` says, and with
        ``marks`` replace the marks in the book with these (None: marks left as they are). ``remove``:
        names of our tabs to delete if the book has them, e.g. the other language's
        (:func:`~cpdsheets.doors.tab_owner.other_language_tabs`). Returns the tabs written, sheet
        name -> key, in the order given."""

    def clear_marks(self) -> int:
        """Remove the fills and notes any door added, and nothing else; returns the cells cleared."""


if TYPE_CHECKING:  # mypy checks here that every door has the protocol's calls, with its signatures
    from .live.live_door import LiveDoor
    from .ooxml.file_door import FileDoor
    from .xlclient.client_door import ClientDoor

    def _every_door(file: FileDoor, live: LiveDoor, client: ClientDoor) -> list[BookDoor]:
        return [file, live, client]
