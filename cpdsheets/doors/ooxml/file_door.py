"""The file door: a .xlsx/.xlsm on disk, edited by :mod:`.package_writer`.

Its safety is the package writer's: the book is written to a temporary file beside the target and
moved into place (nothing half-written), the original kept as ``.bak`` when written in place, and the
output refused when it is not a book of the same type (``-o`` guards, :mod:`..output_paths`, run
before the door is built)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from ...contract.book import RawBook
from ...reports.tables import CellMark, TabTable


class FileDoor:
    """``path`` is read; writes go to ``out`` (default: ``path`` itself, with a .bak when ``backup``).

    ``while_reading``: what the caller has to do anyway (import the engine, ~0.4 s), done by :meth:`read`
    between starting the parse and taking its result, so it costs nothing: calamine parses the sheets
    on threads of its own, without the GIL."""

    def __init__(self, path: Path | str, *, out: Path | str | None = None, backup: bool = True,
                 while_reading: Callable[[], object] | None = None) -> None:
        self.path = Path(path)
        self.out = Path(out) if out is not None else None
        self.backup = backup
        self.while_reading = while_reading
        self.written: Path | None = None  # the file the last write or clear went to

    @property
    def target(self) -> Path:
        return self.out if self.out is not None else self.path

    def read(self) -> RawBook:
        from ..reader import read_soon

        reading = read_soon(self.path)
        if self.while_reading is not None:
            self.while_reading()
        return reading.result()

    def write(self, tabs: list[TabTable], *, marks: list[CellMark] | None = None,
              remove: Iterable[str] = ()) -> dict[str, str]:
        from .package_writer import write_book

        self.written, names = write_book(self.path, tabs, out=self.out, backup=self.backup, marks=marks,
                                         remove=remove)
        return names

    def clear_marks(self) -> int:
        """As the CLI's clear-marks: the book is checked as the reader checks it (limits, encryption)
        before it is edited."""
        from ..reader import check_readable
        from .package_writer import clear_marks

        check_readable(self.path)
        cleared = clear_marks(self.path, out=self.out, backup=self.backup)
        self.written = self.target
        return cleared
