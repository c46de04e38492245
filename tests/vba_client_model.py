"""A Python model of the workbook's VBA client: xlmacros/CpdSheets.bas (which sheets go), Remote.bas's
RunServerPython (the payload it builds) and the actions it runs, applied to a copy of the file with
openpyxl the way Excel applies them.

The interpreter accepts only functions the client has: Remote.bas's action Subs and ours in
xlmacros/CpdActions.bas; each branch below follows the VBA line by line (the Sub's name is the branch).
Anything else fails the test, as Application.Run would fail on the PC.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.hyperlink import Hyperlink

from xlwings_remote import excel_reads

from cpdsheets.contract.schema import OUTPUT_TABS
from cpdsheets.doors.mark_record import MARK_STORE
from cpdsheets.doors.xlclient.payload import MERGES_SHEET, xlwings_version

ROOT = Path(__file__).resolve().parents[1]
REMOTE_BAS = ROOT / "xlmacros" / "Remote.bas"
ACTIONS_BAS = ROOT / "xlmacros" / "CpdActions.bas"
_SUB = re.compile(r"^Sub\s+(\w+)\(wb As Workbook, action As Dictionary\)", re.MULTILINE)


def client_subs() -> set[str]:
    """The action Subs the compiled client has, read from the VBA source itself."""
    return set(_SUB.findall(REMOTE_BAS.read_text())) | set(_SUB.findall(ACTIONS_BAS.read_text()))


# -- CpdSheets.bas: which sheets go (SheetsToSend) ------------------------------------------------

def sheets_to_send(wb: openpyxl.Workbook) -> list[str]:
    skip = {"控制台", "说明", "guide", "xlwings.conf", MERGES_SHEET}
    if MARK_STORE in wb.sheetnames:
        for row in wb[MARK_STORE].iter_rows(min_row=2, values_only=True):
            row = list(row) + [None] * 7
            if row[0] not in (None, "") and row[1] in (None, "") and row[6] not in (None, ""):
                skip.add(str(row[0]).casefold())
    return [ws.title for ws in wb.worksheets if ws.title.casefold() not in {s.casefold() for s in skip}
            and "," not in ws.title]


# -- CpdSheets.bas: the language the request asks for (BookLang, UiLang) ------------------------------

CHINESE_UI = {2052, 1028, 3076, 4100, 5124}  # PRC, Taiwan, Hong Kong, Singapore, Macao


def book_lang(wb: openpyxl.Workbook, ui_language: int | None) -> str:
    """BookLang: zh when the book has the Chinese roster tab, en when it has "Teachers"; otherwise UiLang:
    Excel's UI language (``LanguageSettings.LanguageID(2)``), None where it cannot be read (WPS): zh."""
    names = {ws.title.casefold() for ws in wb.worksheets}  # FindSheet compares as vbTextCompare
    if "教师名册" in names:
        return "zh"
    if "teachers" in names:
        return "en"
    if ui_language is None:
        return "zh"
    return "zh" if ui_language in CHINESE_UI else "en"


def job_address(path: str | Path, job: str, ui_language: int | None = 2052) -> str:
    """RunJob's address for RunServerPython (without the server's own): ``/xlwings/<job>?lang=<BookLang>``."""
    return f"/xlwings/{job}?lang={book_lang(openpyxl.load_workbook(path, read_only=True), ui_language)}"


# -- CpdSheets.bas: the merged areas of the sheets sent (WriteMerges, DropSheet) --------------------

def write_merges(wb: openpyxl.Workbook, include: list[str]) -> list[str]:
    """WriteMerges: a leftover helper sheet is deleted; then, when a sheet in ``include`` has merged
    areas, a hidden sheet after the last one lists them (header "sheet", "area"; per sheet in ``include``
    order, column by column, top to bottom, each area once at its top-left cell) and joins ``include``.
    Returns the include RunServerPython gets."""
    drop_merges(wb)
    areas = []
    for name in include:
        if name not in wb.sheetnames:
            continue
        ranges = sorted(wb[name].merged_cells.ranges, key=lambda m: (m.min_col, m.min_row))
        areas += [[name, m.coord] for m in ranges]
    if not areas:
        return include
    store = wb.create_sheet(MERGES_SHEET)  # Worksheets.Add After:=the last worksheet
    for row in [["sheet", "area"]] + areas:
        store.append(row)  # "'" & text: stored as text whatever it looks like
    store.sheet_state = "hidden"
    return include + [MERGES_SHEET]


def drop_merges(wb: openpyxl.Workbook) -> None:
    """DropSheet: the helper sheet goes once the answer has run (or the click failed)."""
    if MERGES_SHEET in wb.sheetnames:
        wb.remove(wb[MERGES_SHEET])


def sheet_position(path: str | Path, name: str) -> int | None:
    """Where ``name`` stands in the worksheet list RunServerPython sends for this book (its
    ``sheet_position``), None when it is not there."""
    names = [s["name"] for s in payload(path)["sheets"]]
    return names.index(name) if name in names else None


# -- Remote.bas: the payload --------------------------------------------------------------------

def vba_json_value(value: Any) -> Any:
    """A cell's Range.Value as VBA-Web's ConvertToJson writes it (UseDoubleForLargeNumbers on)."""
    if value is None:
        return None  # Empty inside an array: "null"
    if isinstance(value, bool):
        return value
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    if isinstance(value, dt.date):
        return value.strftime("%Y-%m-%dT00:00:00.000Z")
    if isinstance(value, dt.time):
        return "1899-12-30T" + value.strftime("%H:%M:%S") + ".000Z"
    if isinstance(value, (int, float)):
        number = float(f"{float(value):.15g}")  # CStr(Double): 15 significant digits
        return int(number) if number.is_integer() and abs(number) < 1e15 else number
    return str(value)


def payload(path: str | Path, include: list[str] | None = None) -> dict[str, Any]:
    """What RunServerPython posts for this book: every worksheet by name, the values of the included
    ones from A1 to the end of their used range, through a JSON round trip."""
    wb = openpyxl.load_workbook(path, keep_vba=True, data_only=True)
    include = write_merges(wb, sheets_to_send(wb) if include is None else include)
    sheets = []
    for ws in wb.worksheets:
        if ws.title not in include or (ws.max_row == 1 and ws.max_column == 1 and ws["A1"].value is None):
            values: list[list[Any]] = [[]]
        else:
            values = [[vba_json_value(c) for c in row]
                      for row in ws.iter_rows(min_row=1, max_row=ws.max_row, max_col=ws.max_column, values_only=True)]
        sheets.append({"name": ws.title, "pictures": [], "tables": [], "values": values})
    body = {
        "client": "VBA", "version": xlwings_version(),
        "book": {"name": Path(path).name, "active_sheet_index": wb.index(wb.active), "selection": "A1"},
        "names": [], "sheets": sheets,
    }
    return json.loads(json.dumps(body))


# -- Remote.bas setValues: WebHelpers.ParseIso, then Excel's parse of the array --------------------

_CINT = re.compile(r"^\s*[+-]?\d+(\.\d*)?\s*$")


def parse_iso(value: Any) -> dt.datetime | None:
    """WebHelpers.ParseIso(CStr(value)) as the VBA runs it; None where it raises (setValues then
    keeps the value). DateSerial rolls over (month 13 is next January), as VBA's does."""
    if value is None or isinstance(value, bool):
        return None
    text = str(value)
    parts = text.split("T")
    date_parts = parts[0].split("-")
    if len(date_parts) < 3 or not all(_CINT.match(p) for p in date_parts[:3]):
        return None
    y, m, d = (round(float(p)) for p in date_parts[:3])
    try:
        base = dt.datetime(y + (m - 1) // 12, (m - 1) % 12 + 1, 1) + dt.timedelta(days=d - 1)
    except (ValueError, OverflowError):
        return None
    if len(parts) > 1:
        clock = parts[1].replace("Z", "").split(".")[0].split(":")
        try:
            base += dt.timedelta(hours=int(clock[0]), minutes=int(clock[1]) if len(clock) > 1 else 0,
                                 seconds=int(clock[2]) if len(clock) > 2 else 0)
        except ValueError:
            return None
    return base


def _cells(ws, action):
    r0, c0 = action["start_row"] + 1, action["start_column"] + 1
    for r in range(r0, r0 + action["row_count"]):
        for c in range(c0, c0 + action["column_count"]):
            yield r, c, ws.cell(r, c)


def _solid(hex_colour: str) -> PatternFill:
    rgb = "FF" + hex_colour.lstrip("#").upper()
    return PatternFill(fill_type="solid", start_color=rgb, end_color=rgb)


def _areas(ws, addresses):
    for address in addresses:
        for area in address.split(","):
            block = ws[area]
            if not isinstance(block, tuple):
                yield block
                continue
            for row in block:
                for cell in (row if isinstance(row, tuple) else (row,)):
                    yield cell


class ClientRun:
    """The effects of one answer: message boxes shown, URLs opened, the sheet activated."""

    def __init__(self) -> None:
        self.alerts: list[list[Any]] = []
        self.opened: list[str] = []


def apply(src: str | Path, dst: str | Path, actions: list[dict[str, Any]]) -> ClientRun:
    """Copy ``src`` to ``dst`` and run ``actions`` on it as the VBA client would."""
    known = client_subs()
    shutil.copyfile(src, dst)
    wb = openpyxl.load_workbook(dst, keep_vba=True)
    write_merges(wb, sheets_to_send(wb))  # the sheet is there while the answer runs
    run = ClientRun()
    for action in actions:
        func, args = action["func"], action["args"]
        if func not in known:
            raise AssertionError(f"the VBA client has no Sub {func}: Application.Run fails")
        pos = action["sheet_position"]
        ws = wb.worksheets[pos] if pos is not None else None
        if ws is not None and ws.title == MERGES_SHEET:
            raise AssertionError(f"{func} on {MERGES_SHEET}: the answer must leave the helper sheet alone")
        if func == "addSheet":  # Sheets.Add, Move After:=Worksheets(args(1)+1), Name = args(2)
            wb.create_sheet(args[1], args[0] + 1)
        elif func == "sheetDelete":
            wb.remove(ws)
        elif func == "sheetClear":  # Cells.Clear: values, formats, notes, links
            ws._cells.clear()
            ws._hyperlinks.clear()
            ws.freeze_panes = None
        elif func == "sheetClearContents":
            for row in ws.iter_rows():
                for cell in row:
                    cell.value = None
        elif func == "setValues":
            for r, c, cell in _cells(ws, action):
                raw = action["values"][r - action["start_row"] - 1][c - action["start_column"] - 1]
                date = parse_iso(raw)
                value, quoted = (date, False) if date is not None else excel_reads(raw)
                cell.value = value
                if isinstance(value, str):
                    cell.data_type = "s"
                cell.quotePrefix = quoted
                if isinstance(value, dt.datetime) and cell.number_format == "General":
                    cell.number_format = "m/d/yyyy" if value.time() == dt.time() else "m/d/yyyy h:mm"
        elif func == "setRangeColor":  # GetRange(...).Interior.Color = HexToRgb(args(1))
            for _, _, cell in _cells(ws, action):
                cell.fill = _solid(args[0])
        elif func == "activateSheet":
            wb.active = args[0]
        elif func == "alert":
            run.alerts.append(args)
        elif func == "cpdPaint":
            for cell in _areas(ws, args[1]):
                cell.fill = PatternFill(fill_type=None) if args[0] == "" else _solid(args[0])
        elif func == "cpdNumberFormat":
            for cell in _areas(ws, args[1]):
                cell.number_format = args[0]
        elif func == "cpdFont":
            for _, _, cell in _cells(ws, action):
                size = float(cell.font.sz or 11) + (args[1] or 0)
                cell.font = Font(bold=bool(args[0]), size=size)
        elif func == "cpdAlign":
            for _, _, cell in _cells(ws, action):
                old = cell.alignment
                cell.alignment = Alignment(horizontal=args[0] or old.horizontal, vertical=args[1] or old.vertical,
                                           wrap_text=bool(args[2]))
        elif func == "cpdTabLook":
            widths, header_row, last_row, colour = args
            for c, width in enumerate(widths, start=1):
                ws.column_dimensions[get_column_letter(c)].width = width
            ws.sheet_properties.tabColor = "FF" + colour.lstrip("#")
            if widths:
                ws.auto_filter.ref = f"A{header_row}:{get_column_letter(len(widths))}{last_row}"
            ws.freeze_panes = f"A{header_row + 1}"
            ws.print_title_rows = f"1:{header_row}"
        elif func == "cpdLinks":
            for r, c, place in args[0]:
                cell = ws.cell(r, c)
                cell.hyperlink = Hyperlink(ref=cell.coordinate, location=place)
        elif func == "cpdSheetVisible":
            ws.sheet_state = "visible" if args[0] else "hidden"
        elif func == "cpdMarkCells":
            store = wb[args[0]]
            author = args[2]
            for address, text, store_row, recorded, ours_before in args[3]:
                cell = ws[address]
                if not recorded:
                    own = _own_fill(cell)
                    if own:
                        store.cell(store_row, 4).value = own  # "'" & FillHex: text
                if cell.comment is None:  # AddNote: author & ":" & vbLf & text
                    cell.comment = Comment(f"{author}:\n{text}", author)
                    added = True
                elif ours_before:
                    cell.comment = Comment(f"{author}:\n{text}", author)
                    added = True
                else:
                    added = False
                store.cell(store_row, 3).value = 1 if added else 0
                cell.fill = _solid(args[1])
        elif func == "cpdUnmark":
            for address, fill, note_added in args[0]:
                cell = ws[address]
                cell.fill = PatternFill(fill_type=None) if fill == "" else _solid(fill)
                if note_added and cell.comment is not None:
                    cell.comment = None
        elif func == "cpdOpenUrl":
            run.opened.append(args[0])
        else:
            raise AssertionError(f"{func} is a client Sub this model does not run yet")
    drop_merges(wb)
    wb.save(dst)
    return run


def _own_fill(cell) -> str:
    """CpdActions.FillHex: "#RRGGBB" of a solid fill that is not the mark colour, else ""."""
    if cell.fill.fill_type != "solid" or not isinstance(cell.fill.fgColor.rgb, str):
        return ""
    hex_rgb = "#" + cell.fill.fgColor.rgb[-6:].upper()
    return "" if hex_rgb == "#FF9999" else hex_rgb


OUTPUT_NAMES = {n for pair in OUTPUT_TABS.values() for n in pair}
