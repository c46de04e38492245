"""What differs between xlwings' engines, behind one small interface.

The adapter (:mod:`.xlwings_adapter`) says what to write; a :class:`LiveEngine` knows how the engine
the book came from does the few things the engines do differently — painting many cells, reading a
cell's fill, the unit of a column width, page setup, header alignment — the way xlwings keeps
``_xlwindows.py`` and ``pro/_xlremote.py`` apart instead of threading a flag through.
"""

from __future__ import annotations

from typing import Any, Protocol

from .xl_convert import Fills


class LiveEngine(Protocol):
    def paint(self, sheet: Any, fills: Fills) -> None:
        """Fill cells by colour in few calls; cells not listed are left as they are."""

    def fill_of(self, cell: Any) -> str:
        """The cell's solid fill as RRGGBB, "" for none or unknown."""

    def column_width(self, chars: float) -> float:
        """A width in characters in the unit this engine's ``column_width`` takes."""

    def print_titles(self, sheet: Any, rows: str) -> None:
        """Repeat these rows ("$1:$2") on every printed page, where the engine can."""

    def align(self, cells: Any, align: dict[str, str]) -> None:
        """Align and wrap a range as the package writer's styles do (the header row, a wrapped
        column), where the engine can."""


def engine_for(book: Any) -> LiveEngine:
    """The implementation for the engine ``book`` was opened with."""
    try:
        remote = book.app.engine.name == "remote"
    except Exception:  # an object that cannot say: the desktop's calls are the plain ones
        remote = False
    if remote:
        from .remote import RemoteEngine

        return RemoteEngine()
    from .desktop import DesktopEngine

    return DesktopEngine()
