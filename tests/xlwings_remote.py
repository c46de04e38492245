"""Test support for xlwings' remote-interpreter engine: a workbook file turned into the JSON an
xlwings Office.js client sends, and the actions the engine answers with applied to a copy of the
file with openpyxl, the way Excel would apply them (including how Excel reads typed values)."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
from pathlib import Path
from typing import Any

import openpyxl
import python_calamine as calamine
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.hyperlink import Hyperlink

os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")

import xlwings as xw  # noqa: E402  (the licence key must be set first)

_VISIBILITY = {"visible": "Visible", "hidden": "Hidden", "veryHidden": "VeryHidden"}


def _iso(value: Any) -> Any:
    """A cell value as Office.js sends it: dates as ISO strings with 'Z', empty as ''."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    if isinstance(value, dt.date):
        return f"{value.isoformat()}T00:00:00.000Z"
    if isinstance(value, dt.time):
        return f"1899-12-30T{value.strftime('%H:%M:%S')}.000Z"
    if isinstance(value, dt.timedelta):
        return value.total_seconds() / 86400
    return value


def _used_address(rows: list[list[Any]]) -> str | None:
    cells = [(r, c) for r, row in enumerate(rows) for c, v in enumerate(row) if v not in ("", None)]
    if not cells:
        return None
    r0 = min(r for r, _ in cells) + 1
    r1 = max(r for r, _ in cells) + 1
    c0 = min(c for _, c in cells) + 1
    c1 = max(c for _, c in cells) + 1
    a, b = f"{get_column_letter(c0)}{r0}", f"{get_column_letter(c1)}{r1}"
    return a if a == b else f"{a}:{b}"


def payload_from_file(path: str | Path) -> dict[str, Any]:
    """The book as an xlwings Office.js client sends it with a RunPython-style request."""
    cwb = calamine.CalamineWorkbook.from_path(str(path))
    owb = openpyxl.load_workbook(path, keep_vba=True)
    sheets = []
    for name in cwb.sheet_names:
        rows = cwb.get_sheet_by_name(name).to_python(skip_empty_area=False)
        width = max((len(r) for r in rows), default=0)
        values = [[_iso(v) for v in r] + [""] * (width - len(r)) for r in rows] or [[]]
        ws = owb[name]
        notes = [{"address": c.coordinate} for row in ws.iter_rows() for c in row if c.comment is not None]
        sheets.append({
            "name": name,
            "values": values,
            "used_range_address": _used_address(rows),
            "visibility": _VISIBILITY[ws.sheet_state],
            "pictures": [], "shapes": [], "charts": [], "tables": [], "pivot_tables": [],
            "notes": notes, "notes_supported": True, "show_gridlines": True, "print_area": None,
        })
    cwb.close()
    return {
        "client": "Office.js",
        "version": xw.__version__,
        "book": {"name": Path(path).name, "active_sheet_index": owb.index(owb.active), "selection": "A1"},
        "names": [],
        "sheets": sheets,
    }


def remote_book(path: str | Path) -> xw.Book:
    return xw.Book(json=payload_from_file(path))


# -- applying actions the way Excel does ------------------------------------------------------

_NUMBER = re.compile(r"^\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}( \d{2}:\d{2}(:\d{2})?)?$")


class FormulaFromText(AssertionError):
    pass


def excel_reads(value: Any) -> tuple[Any, bool]:
    """(stored value, quote prefix) for a value written to a cell, as Excel parses input."""
    if value is None or value == "":
        return None, False
    if isinstance(value, (bool, int, float)):
        return value, False
    if not isinstance(value, str):
        raise TypeError(f"not a JSON cell value: {value!r}")
    if value.startswith("'"):
        return value[1:], True
    if value.startswith(("=", "+", "-", "@")) and len(value) > 1 and not _NUMBER.match(value):
        raise FormulaFromText(value)
    if _NUMBER.match(value):
        f = float(value)
        return (int(f) if f.is_integer() else f), False
    if value.upper() in ("TRUE", "FALSE"):
        return value.upper() == "TRUE", False
    if _ISO_DATE.match(value):
        return dt.datetime.fromisoformat(value), False
    return value, False


def _cells(ws, action):
    r0, c0 = action["start_row"] + 1, action["start_column"] + 1
    for r in range(r0, r0 + action["row_count"]):
        for c in range(c0, c0 + action["column_count"]):
            yield r, c, ws.cell(r, c)


def _fill(hex_colour: str | None) -> PatternFill:
    if hex_colour is None:
        return PatternFill(fill_type=None)
    rgb = "FF" + hex_colour.lstrip("#").upper()
    return PatternFill(fill_type="solid", start_color=rgb, end_color=rgb)


def apply_actions(src: str | Path, dst: str | Path, actions: list[dict[str, Any]]) -> list[list[str]]:
    """Copy ``src`` to ``dst`` and apply ``actions`` to it. Returns the alerts shown."""
    shutil.copyfile(src, dst)
    wb = openpyxl.load_workbook(dst, keep_vba=True)
    alerts: list[list[str]] = []
    for action in actions:
        func, args = action["func"], action["args"]
        ws = wb.worksheets[action["sheet_position"]] if action["sheet_position"] is not None else None
        if func == "addSheet":
            wb.create_sheet(args[1], args[0])
        elif func == "setValues":
            for r, c, cell in _cells(ws, action):
                value, quoted = excel_reads(action["values"][r - action["start_row"] - 1][c - action["start_column"] - 1])
                cell.value = value
                if isinstance(value, str):
                    cell.data_type = "s"  # openpyxl would otherwise take "=..." for a formula
                if quoted:
                    cell.quotePrefix = True
                if isinstance(value, dt.datetime) and cell.number_format == "General":
                    cell.number_format = "yyyy-mm-dd" if value.time() == dt.time() else "yyyy-mm-dd hh:mm:ss"
        elif func == "setNumberFormat":
            for _, _, cell in _cells(ws, action):
                cell.number_format = args[0]
        elif func == "setRangeColor":
            for _, _, cell in _cells(ws, action):
                cell.fill = _fill(args[0])
        elif func == "setRangeColors":
            for r, c, cell in _cells(ws, action):
                colour = args[0][r - action["start_row"] - 1][c - action["start_column"] - 1]
                if colour != "keep":
                    cell.fill = _fill(colour)
        elif func == "setFontProperty":
            for _, _, cell in _cells(ws, action):
                cell.font = Font(**{**{"bold": cell.font.b}, args[0]: args[1]})
        elif func in ("setSheetAutofit", "setAutofit"):
            pass  # openpyxl cannot measure text; Excel sizes the columns itself
        elif func == "freezePaneAtRange":
            last_row = int(str(args[0]).split(":")[-1])  # "1:2": rows 1..2 frozen
            ws.freeze_panes = f"A{last_row + 1}"
        elif func == "setColumnWidth":
            for c in range(action["start_column"] + 1, action["start_column"] + action["column_count"] + 1):
                ws.column_dimensions[get_column_letter(c)].width = args[0]
        elif func == "sheetDelete":
            wb.remove(ws)
        elif func == "sheetClear":
            ws._cells.clear()
            ws._hyperlinks.clear()
        elif func == "sheetClearContents":
            for row in ws.iter_rows():
                for cell in row:
                    cell.value = None
        elif func == "setSheetVisibility":
            ws.sheet_state = {"Visible": "visible", "Hidden": "hidden", "VeryHidden": "veryHidden"}[args[0]]
        elif func == "addNote":
            cell = ws[args[0].replace("$", "")]
            if cell.comment is not None:
                raise AssertionError(f"Excel refuses a second note on {args[0]}")
            cell.comment = Comment(args[1], "cpdsheets")
        elif func == "setNoteText":
            ws[args[0].replace("$", "")].comment = Comment(args[1], "cpdsheets")
        elif func == "deleteNote":
            ws[args[0].replace("$", "")].comment = None
        elif func == "addHyperlink":
            for r, c, cell in _cells(ws, action):
                cell.hyperlink = Hyperlink(ref=cell.coordinate, location=args[0].lstrip("#"), display=args[1])
        elif func == "activateSheet":
            wb.active = args[0]
        elif func == "alert":
            alerts.append(args)
        else:
            raise AssertionError(f"action not modelled by this test helper: {func}")
    wb.save(dst)
    return alerts


def norm_rows(rows: list[list[Any]]) -> list[list[Any]]:
    """Rows compared across doors: '' and None alike, midnight datetimes as dates (the engine's
    normalising does both), no trailing blanks."""
    out = []
    for row in rows:
        vals = [None if v == "" else v.date() if isinstance(v, dt.datetime) and v.time() == dt.time() else v
                for v in row]
        while vals and vals[-1] is None:
            vals.pop()
        out.append(vals)
    while out and not out[-1]:
        out.pop()
    return out


def tab_values(path: str | Path, name: str) -> list[list[Any]]:
    """A sheet's values as stored, trailing empty cells dropped per row."""
    ws = openpyxl.load_workbook(path, keep_vba=True)[name]
    out = []
    for row in ws.iter_rows(values_only=True):
        row = list(row)
        while row and row[-1] is None:
            row.pop()
        out.append(row)
    while out and not out[-1]:
        out.pop()
    return out
