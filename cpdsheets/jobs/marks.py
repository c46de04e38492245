"""The clear-marks job: take off the fills and notes cpdsheets put on cells in error, nothing else.

There is nothing to compute: which cells are ours is in the book's own record, which only the door
that reached the book can read and edit. The job is the one call every door makes (CLI, Excel
button, the service's buttons), on any book that can clear its marks (a ``BookDoor``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from ..contract.findings import Lang


class MarkedBook(Protocol):
    def clear_marks(self) -> int:
        """Remove the marks any door added; the cells cleared."""


@dataclass(frozen=True, slots=True)
class ClearMarksRequest:
    book: MarkedBook
    lang: Lang = "zh"


@dataclass(frozen=True, slots=True)
class MarksCleared:
    cells: int


def clear_marks(request: ClearMarksRequest) -> MarksCleared:
    return MarksCleared(request.book.clear_marks())
