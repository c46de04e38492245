"""Desktop Excel (RunPython under Windows COM or macOS AppleScript)."""

from __future__ import annotations

from typing import Any

from ...reports.tables import MARK_FILL
from .xl_convert import Fills, cell_runs, union_addresses

# Excel's XlHAlign / XlVAlign constants for the header style's words.
_H_ALIGN = {"center": -4108, "left": -4131, "right": -4152}
_V_ALIGN = {"center": -4108, "top": -4160, "bottom": -4107}


class DesktopEngine:
    def paint(self, sheet: Any, fills: Fills) -> None:
        """One ``.color`` per colour per multi-area address of up to 255 characters: desktop
        ``set_colors`` would cost a COM call per cell."""
        for colour, cells in fills.items():
            if not cells:
                continue
            for address in union_addresses(cell_runs(cells)):
                sheet.range(address).color = None if colour is None else "#" + colour

    def fill_of(self, cell: Any) -> str:
        """A cell already showing the mark colour counts as unfilled: its own fill is unknown."""
        try:
            rgb = cell.color
        except Exception:
            return ""
        if not rgb:
            return ""
        hex_rgb = "{:02X}{:02X}{:02X}".format(*rgb[:3])
        return "" if hex_rgb == MARK_FILL.upper() else hex_rgb

    def column_width(self, chars: float) -> float:
        return chars

    def print_titles(self, sheet: Any, rows: str) -> None:
        try:
            sheet.api.PageSetup.PrintTitleRows = rows
        except Exception:
            try:
                sheet.api.page_setup_object.print_title_rows.set(rows)
            except Exception:  # printing without repeated titles still prints everything
                pass

    def align(self, cells: Any, align: dict[str, str]) -> None:
        try:
            api = cells.api
            api.HorizontalAlignment = _H_ALIGN[align.get("horizontal", "left")]
            api.VerticalAlignment = _V_ALIGN[align.get("vertical", "bottom")]
            api.WrapText = align.get("wrapText") == "1"
        except Exception:  # macOS or an engine without these: the header keeps Excel's alignment
            pass
