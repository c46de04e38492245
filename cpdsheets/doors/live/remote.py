"""xlwings' remote engine (``xw.Book(json=...)``): the book lives in a client (Office.js, Google
Sheets); every change is an action sent back, and the client cannot report cell colours."""

from __future__ import annotations

from typing import Any

from .xl_convert import Fills, points_from_chars

SET_COLORS_LIMIT = 10_000  # xlwings' cap on one Range.set_colors() call


class RemoteEngine:
    def paint(self, sheet: Any, fills: Fills) -> None:
        """One ``set_colors`` matrix per block of rows (one client action; cells not listed left
        as they are)."""
        colour_at = {cell: colour for colour, cells in fills.items() for cell in cells}
        if not colour_at:
            return
        rows = [r for r, _ in colour_at]
        cols = [c for _, c in colour_at]
        c0, c1 = min(cols), max(cols)
        band = max(1, SET_COLORS_LIMIT // (c1 - c0 + 1))
        r, last = min(rows), max(rows)
        while r <= last:
            r_end = min(last, r + band - 1)
            matrix = [
                [
                    ("#" + str(colour_at[(rr, cc)])) if colour_at.get((rr, cc)) else
                    (None if (rr, cc) in colour_at else ...)
                    for cc in range(c0, c1 + 1)
                ]
                for rr in range(r, r_end + 1)
            ]
            if any(v is not ... for row in matrix for v in row):
                sheet.range((r, c0), (r_end, c1)).set_colors(matrix)
            r = r_end + 1

    def fill_of(self, cell: Any) -> str:
        return ""  # the client sends values only: the fill before a mark is unknown

    def column_width(self, chars: float) -> float:
        return points_from_chars(chars)  # Office.js takes points

    def print_titles(self, sheet: Any, rows: str) -> None:
        pass  # no page setup to send

    def align(self, cells: Any, align: dict[str, str]) -> None:
        pass  # no alignment action
