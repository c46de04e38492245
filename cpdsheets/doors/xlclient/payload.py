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

Not sent, so not known here: merged areas (Excel gives a merged area's value to its first cell; the
file reader fills the area), hidden state, formats, notes.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from ...contract.book import RawBook, RawSheet
from ...contract.texts import BilingualError, Catalogue

CLIENT = "VBA"
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d+)?Z?$")
_EXCEL_TIME_DAY = dt.date(1899, 12, 30)  # a time-only cell's date part as VBA's Date gives it
_LARGE_TEXT_DIGITS = 16  # VBA-Web's json_StringIsLargeNumber threshold

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
    """The book as the engine reads it. Call :func:`check_payload` first."""
    sheets: dict[str, RawSheet] = {}
    for sheet in payload["sheets"]:
        sheets[sheet["name"]] = RawSheet(name=sheet["name"], rows=_rows(sheet["values"]))
    return RawBook(sheets=sheets, path=payload["book"]["name"])
