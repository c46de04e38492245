"""The one record of the cells cpdsheets marked and the tabs it wrote, shared by both doors.

A hidden worksheet ``cpdsheets.marks`` lists every marked cell with what is needed to undo the
mark. The Excel button writes it with xlwings, the CLI's package writer as one more owned part;
each door reads the other's rows, so a mark made by one is cleared or replaced by the other.
A worksheet rather than a defined name: a name's text is capped at 255 characters, every
xlwings client sends sheet values, and Excel, WPS and LibreOffice all keep hidden sheets.

Columns (the header row is for a curious user; rows are read by position):
  工作表, 单元格           where the mark is
  批注由本工具添加          1 when the note on that cell is ours (else the user's note was there)
  原底色                   "#RRGGBB" solid fill before marking, "" none or unknown; what the
                           button paints back (the remote engine cannot read a cell's colour)
  原格式, 原填充           package writer only: the cell's format (<xf>) and fill (<fill>) XML
                           before marking, so the CLI restores the format exactly
  本工具输出表              on a row of its own (单元格 empty): a tab cpdsheets wrote, by its key
                           (summary, alerts, issues, groups, runlog). Only these tabs are ever
                           replaced or deleted; a user's sheet that merely shares the name is not.
                           Older versions skip such rows (no cell), so they read new records.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

MARK_STORE = "cpdsheets.marks"
MARK_STORE_HEADER = ["工作表", "单元格", "批注由本工具添加", "原底色", "原格式", "原填充", "本工具输出表"]
_RGB = re.compile(r"#?([0-9A-Fa-f]{6})")


@dataclass(frozen=True, slots=True)
class MarkRow:
    sheet: str
    cell: str
    note_added: bool
    fill_rgb: str = ""  # "RRGGBB" (no '#') of the solid fill before marking; "" none or unknown
    xf_xml: str = ""
    fill_xml: str = ""

    @property
    def key(self) -> tuple[str, str]:
        """Excel compares sheet names case-insensitively."""
        return self.sheet.casefold(), self.cell.upper()


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip() if not isinstance(value, str) else value


def _flag(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().casefold() in ("1", "true", "是", "yes")
    try:
        return bool(value) and value == value
    except (TypeError, ValueError):
        return False


def rows_from_values(values: list[list[Any]]) -> list[MarkRow]:
    """Record rows from the sheet's values (header skipped; older three-column records read too)."""
    out: list[MarkRow] = []
    seen: set[tuple[str, str]] = set()
    for i, raw in enumerate(values or []):
        row = list(raw or []) + [None] * (len(MARK_STORE_HEADER) - len(raw or []))
        sheet, cell = _text(row[0]), _text(row[1]).replace("$", "").upper()
        if not sheet or not cell or (i == 0 and sheet == MARK_STORE_HEADER[0]):
            continue
        rgb = _RGB.fullmatch(_text(row[3]).strip())
        mark = MarkRow(sheet, cell, _flag(row[2]), rgb.group(1).upper() if rgb else "",
                       _text(row[4]), _text(row[5]))
        if mark.key not in seen:
            seen.add(mark.key)
            out.append(mark)
    return out


def tabs_from_values(values: list[list[Any]]) -> dict[str, str]:
    """The tabs the record says cpdsheets wrote: sheet name -> output key."""
    out: dict[str, str] = {}
    width = len(MARK_STORE_HEADER)
    for i, raw in enumerate(values or []):
        row = list(raw or []) + [None] * (width - len(raw or []))
        sheet, cell, key = _text(row[0]), _text(row[1]), _text(row[width - 1]).strip()
        if i == 0 and sheet == MARK_STORE_HEADER[0] or not sheet or cell or not key:
            continue
        out.setdefault(sheet, key)
    return out


def values_from_rows(rows: list[MarkRow], tabs: dict[str, str] | None = None) -> list[list[Any]]:
    """Header, one row per mark, one per owned tab, as plain values (each door writes text its
    own safe way)."""
    blank = [""] * (len(MARK_STORE_HEADER) - 2)
    return [list(MARK_STORE_HEADER)] + [
        [r.sheet, r.cell, 1 if r.note_added else 0, f"#{r.fill_rgb}" if r.fill_rgb else "", r.xf_xml, r.fill_xml, ""]
        for r in rows] + [[name, *blank, key] for name, key in (tabs or {}).items()]
