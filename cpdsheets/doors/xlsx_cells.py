"""One typed cell written with xlsxwriter, as the file reader reads it back: the master template and
the service's copy of a book sent by the Excel buttons both write through it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class DateFormats:
    """The workbook's number formats for dates, date-times and times of day."""

    date: Any
    datetime: Any
    time: Any = None


def write_typed(ws: Any, r: int, c: int, value: Any, formats: DateFormats) -> None:
    """One cell exactly as given: text stays text (never a formula: the workbook is opened with
    strings_to_formulas off and text is written as a string), numbers and booleans as such, dates as
    real dates (a date-time at midnight is shown as a date). Blank writes nothing."""
    if value is None or value == "":
        return
    if isinstance(value, bool):
        ws.write_boolean(r, c, value)
    elif isinstance(value, (int, float)):
        ws.write_number(r, c, value)
    elif isinstance(value, dt.datetime):
        ws.write_datetime(r, c, value, formats.date if value.time() == dt.time(0) else formats.datetime)
    elif isinstance(value, dt.date):
        ws.write_datetime(r, c, dt.datetime.combine(value, dt.time(0)), formats.date)
    elif isinstance(value, dt.time) and formats.time is not None:
        ws.write_datetime(r, c, value, formats.time)
    else:
        ws.write_string(r, c, str(value))
