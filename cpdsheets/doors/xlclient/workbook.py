"""The book the VBA client sent, as a file: what the service keeps in a school's history, so an
upload from the Excel buttons is listed, compared and rolled up like one from the browser.

Only values travel (see :mod:`.payload`), so the file holds the values of the sheets that were sent
and their merged areas,
typed as the file reader reads them back: text as text (never a formula), numbers, booleans, and dates
as dates. Every other sheet is there by name, empty, so the sheet list is the book's.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import xlsxwriter
import xlsxwriter.exceptions

from ...contract.book import RawBook
from ..mark_record import MARK_STORE
from ..xlsx_cells import DateFormats, write_typed
from .client_door import ClientDoor

SHEET_NAME_MAX = 31


def kept_name(payload: dict[str, Any]) -> str:
    """The file name the upload is listed under: the book's, as .xlsx (the macros stay on the PC)."""
    name = Path(str(payload["book"]["name"]).replace("\\", "/")).name or "book"
    return Path(name).stem + ".xlsx"


def write_payload_book(payload: dict[str, Any], path: str | Path) -> Path:
    """Write the sent book to ``path`` (.xlsx); returns the path."""
    raw: RawBook = ClientDoor(payload).read()  # the sheets as the client door reads them
    path = Path(path)
    wb = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False,
                                         "strings_to_urls": False})
    formats = DateFormats(wb.add_format({"num_format": "yyyy-mm-dd"}),
                          wb.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"}),
                          wb.add_format({"num_format": "hh:mm:ss"}))
    for name, sheet in raw.sheets.items():
        ws = wb.add_worksheet(name[:SHEET_NAME_MAX])
        if name == MARK_STORE:
            ws.hide()
        for (r0, c0), (r1, c1) in sheet.merged:  # kept merged, so the history reads the book as sent
            if (r0, c0) != (r1, c1):
                try:
                    ws.merge_range(r0, c0, r1, c1, "")
                except xlsxwriter.exceptions.OverlappingRange:
                    continue  # not from Excel: its merged areas never overlap
        for r, row in enumerate(sheet.rows):
            for c, value in enumerate(row):
                write_typed(ws, r, c, value, formats)
    wb.close()
    return path

