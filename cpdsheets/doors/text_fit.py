"""How many lines a text wraps to in a column, and how tall its row must be, for the files we print.

LibreOffice and Excel keep the row height a file gives, so a row left at the default lets wrapped
text run over the rows below it: the writers set each wrapped row's height from these figures.
"""

from __future__ import annotations

import math
import unicodedata

# The height of one line of 10-point text, CJK included, and a row's padding, in points.
LINE_POINTS = 14.0
ROW_PADDING = 2.0
# Pixels at 96 dpi: a column w characters wide is 7w + 5 (Excel's rule for the default font), less the
# cell's padding. Measured in LibreOffice's PDF of 10-point text (Noto CJK standing in for 等线): a
# column 26 wide holds 18 CJK characters or 28 digits a line, one 14 wide 9, one 8 wide 5; the
# figures below round that up a little, so a row is never too short.
CJK_PIXELS, LATIN_PIXELS, CELL_PADDING = 10.2, 6.5, 6.0


def room_pixels(width: float) -> float:
    """The pixels a column ``width`` characters wide holds on one line."""
    return max(width * 7 + 5 - CELL_PADDING, 10.0)


def text_lines(text: str, width: float, points: float = 10.0) -> int:
    """The lines ``text`` in ``points``-point type wraps to in a column ``width`` characters wide,
    counting its own line breaks."""
    room = room_pixels(width) * 10.0 / points
    lines = 0
    for part in str(text).split("\n"):
        wide = sum(1 for ch in part if unicodedata.east_asian_width(ch) in "WF")
        lines += max(1, math.ceil((wide * CJK_PIXELS + (len(part) - wide) * LATIN_PIXELS) / room))
    return lines


def row_points(lines: int, points: float = 10.0) -> float:
    """The height of a row of ``lines`` lines of ``points``-point text."""
    return lines * LINE_POINTS * points / 10.0 + ROW_PADDING
