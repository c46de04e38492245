"""The JSON xlwings' VBA client (``Remote.bas``, ``RunServerPython``) sends, read into a RawBook.

The client sends ``{client, version, book{name, active_sheet_index, selection}, names[], sheets[{name,
values, pictures, tables}]}``. ``values`` is ``Range.Value`` of the rectangle from A1 to the end of the
sheet's used range (``[[]]`` for a sheet left out by ``include``), serialised by VBA-Web:

- a date cell arrives as text ``yyyy-mm-ddTHH:MM:SS.000Z`` (``ConvertToIso``, no time zone). The file
  reader (calamine) hands over a ``date`` for a whole day and a ``datetime`` otherwise, so the same is
  done here and both doors give the engine the same cells;
- numbers are ``CStr(Double)``: 15 significant digits. The file reader gives floats, so ints become
  floats here;
- an empty cell is ``null``; the file reader gives ``""``;
- text of 16 to 100 digits (or ``.``, ``E``) goes out unquoted unless the client sets
  ``UseDoubleForLargeNumbers`` (our entry point does); a JSON integer of 16+ digits is therefore text
  the client failed to quote, and is read back as that text.

Merged areas: Excel gives a merged area's value to its top-left cell only, and ``Remote.bas`` sends
values only. Our entry point (``xlmacros/CpdSheets.bas``, ``WriteMerges``) therefore lists the merged areas
of the sheets it sends on a hidden sheet of its own, :data:`MERGES_SHEET` (``sheet | area`` per row, e.g.
``培训记录 | A5:A9``), sends it and deletes it after the click. Here its rows become each sheet's
``merged`` list, in the file reader's form (calamine's 0-based corners), so the engine fills them
(``engine.sheet_frame.fill_merged``) exactly as it does for a file; the sheet itself is not part of the
book the engine reads.

Not sent, so not known here: hidden state, formats, notes.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from ...contract.a1 import split_a1
from ...contract.book import MergedRange, RawBook, RawSheet
from ...contract.texts import BilingualError, Catalogue

CLIENT = "VBA"
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d+)?Z?$")
_EXCEL_TIME_DAY = dt.date(1899, 12, 30)  # a time-only cell's date part as VBA's Date gives it
_LARGE_TEXT_DIGITS = 16  # VBA-Web's json_StringIsLargeNumber threshold
MERGES_SHEET = "cpdsheets.merges"  # CpdSheets.bas's list of merged areas: sent, never a sheet of the book

TEXTS = Catalogue("xlclient-payload", {
    "not-a-payload": ("请求不是 xlwings 客户端发送的工作簿（{what}）。请用总表里的按钮发送。",
                      "the request is not a workbook sent by the xlwings client ({what}); use the book's buttons."),
    "version": ("总表里的 xlwings 宏是 {client} 版，服务使用 {server} 版：请用 cpdsheets new 重新生成总表，"
                "或改用本机按钮。",
                "the book's xlwings macros are version {client}, the service runs {server}: rebuild the book with "
                "cpdsheets new, or use the local buttons."),
})


class PayloadRefused(BilingualError):
    """The request body is not a book the VBA client of our xlwings version sent."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(TEXTS.render(code, "zh", **params), TEXTS.render(code, "en", **params))


def xlwings_version() -> str:
    """The xlwings version whose VBA modules the master carries (the service's installed xlwings)."""
    from importlib.metadata import version

    return version("xlwings")


def check_payload(payload: Any, *, expected_version: str | None = None) -> None:
    """Refuse, with one line, a body that is not the VBA client's book or is another version's."""
    if not isinstance(payload, dict):
        raise PayloadRefused("not-a-payload", what="JSON object expected")
    if payload.get("client") != CLIENT:
        raise PayloadRefused("not-a-payload", what=f"client={payload.get('client')!r}")
    version = expected_version or xlwings_version()
    if payload.get("version") != version:
        raise PayloadRefused("version", client=payload.get("version"), server=version)
    book = payload.get("book")
    if not isinstance(book, dict) or not isinstance(book.get("name"), str):
        raise PayloadRefused("not-a-payload", what="book.name")
    sheets = payload.get("sheets")
    if not isinstance(sheets, list) or not sheets:
        raise PayloadRefused("not-a-payload", what="sheets")
    for i, sheet in enumerate(sheets):
        if not isinstance(sheet, dict) or not isinstance(sheet.get("name"), str) or not sheet["name"]:
            raise PayloadRefused("not-a-payload", what=f"sheets[{i}].name")
        values = sheet.get("values")
        if not isinstance(values, list) or not all(isinstance(row, list) for row in values):
            raise PayloadRefused("not-a-payload", what=f"sheets[{i}].values")


def cell(value: Any) -> Any:
    """One value as the client sent it -> the value the file reader gives for that cell."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        if len(str(abs(value))) >= _LARGE_TEXT_DIGITS:
            return str(value)  # text VBA-Web sent unquoted (see the module's note)
        return float(value)
    if isinstance(value, str):
        match = _ISO.match(value)
        if match:
            return _date_value(match)
        return value
    if isinstance(value, float):
        return value
    return str(value)


def _date_value(match: re.Match[str]) -> Any:
    y, mo, d, h, mi, s = (int(g) for g in match.groups())
    try:
        day = dt.date(y, mo, d)
        if h == mi == s == 0:
            return day
        if day == _EXCEL_TIME_DAY:
            return dt.time(h, mi, s)
        return dt.datetime(y, mo, d, h, mi, s)
    except ValueError:  # not a real date: keep the text as typed
        return match.group(0)


def sheet_names(payload: dict[str, Any]) -> list[str]:
    """Every worksheet of the book in the client's order (``sheet_position`` indexes this list)."""
    return [sheet["name"] for sheet in payload["sheets"]]


def sent_sheets(payload: dict[str, Any]) -> set[str]:
    """The sheets whose values were sent (``include``); the others arrive as ``[[]]``."""
    return {s["name"] for s in payload["sheets"] if any(len(row) for row in s["values"])}


def sheet_values(payload: dict[str, Any], name: str) -> list[list[Any]]:
    """A sheet's values as read into the RawBook (file-reader types), [] when not sent."""
    for sheet in payload["sheets"]:
        if sheet["name"].casefold() == name.casefold():
            return _rows(sheet["values"])
    return []


def _rows(values: list[list[Any]]) -> list[list[Any]]:
    if not any(len(row) for row in values):
        return []
    rows = [[cell(v) for v in row] for row in values]
    while rows and all(v == "" for v in rows[-1]):
        rows.pop()  # Excel's used range counts formatted empty rows; the file reader stops at the last value
    return rows


def raw_book(payload: dict[str, Any]) -> RawBook:
    """The book as the engine reads it, merged areas included. Call :func:`check_payload` first."""
    merged = merged_areas(payload)
    sheets: dict[str, RawSheet] = {}
    for sheet in payload["sheets"]:
        name = sheet["name"]
        if name.casefold() == MERGES_SHEET.casefold():
            continue
        sheets[name] = RawSheet(name=name, rows=_rows(sheet["values"]), merged=merged.get(name.casefold(), []))
    return RawBook(sheets=sheets, path=payload["book"]["name"])


def merged_areas(payload: dict[str, Any]) -> dict[str, list[MergedRange]]:
    """Sheet name (casefolded) -> its merged areas as the file reader reports them, from the rows of
    :data:`MERGES_SHEET` after its header. A row that names no sent sheet or no area is skipped: the
    sheet is ours, but nothing on it may stop a job."""
    rows: list[list[Any]] = next(
        (s["values"] for s in payload["sheets"] if s["name"].casefold() == MERGES_SHEET.casefold()), [])
    sent = {s["name"].casefold() for s in payload["sheets"]}
    out: dict[str, list[MergedRange]] = {}
    for row in rows[1:]:
        if len(row) < 2 or row[0] is None or not isinstance(row[1], str):
            continue
        sheet, area = str(row[0]).casefold(), _area(row[1])
        if sheet in sent and area is not None:
            out.setdefault(sheet, []).append(area)
    return out


def _area(address: str) -> MergedRange | None:
    """``"A5:A9"`` -> ((4, 0), (8, 0)); None for anything else."""
    first, colon, last = address.partition(":")
    try:
        (r0, c0), (r1, c1) = split_a1(first), split_a1(last if colon else first)
    except ValueError:
        return None
    if r0 < 1 or r1 < r0 or c1 < c0:
        return None
    return (r0 - 1, c0), (r1 - 1, c1)
