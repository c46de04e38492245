"""The 校历 block of the 规则 sheet: ``校历日期 | 结束日期 | 类型 | 说明``, one line per day or span.

A line is a day (``2025-10-01``), a span over two cells (``2025-10-01`` | ``2025-10-08``) or in one
cell (``2025-10-01~2025-10-08``, ``10月1日-10月8日``, ``10.1-10.8``), and its kind (放假, 调休上班, 学校停课
or a word staff use for one of them). A line that cannot be read is a finding at its cell and is left
out of the calendar; every other line counts.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from ..contract.a1 import column_letters
from ..contract.book import RawSheet
from ..contract.findings import Finding, InvalidCalendarLine
from ..contract.school_calendar import CALENDAR_HEADERS, DAY_KIND_WORDS, DAY_KINDS, CalendarLine, SchoolCalendar
from ..contract.texts import Catalogue, Text
from .normalize import header_key, parse_date_value

CALENDAR_REASONS = Catalogue("calendar line reasons", {
    "not-a-date": ("不是日期或日期范围，应如 2025-10-01 或 2025-10-01~2025-10-08",
                        "not a date or a span; write 2025-10-01 or 2025-10-01~2025-10-08"),
    "end-before-start": ("结束日期早于开始日期", "the end is before the start"),
    "kind-words": ("类型应为 {kinds}", "the type should be {kinds}"),
})

_DATE_KEYS = {header_key(n) for n in CALENDAR_HEADERS[0]}
_KIND_KEYS = {header_key(n) for n in CALENDAR_HEADERS[1]}
_NOTE_KEYS = {header_key(n) for n in CALENDAR_HEADERS[2]}
_END_KEYS = {header_key(n) for n in ("结束日期", "结束", "至", "到", "止", "截止", "enddate", "end", "to")}
_SPAN = re.compile(r"\s*(?:~|～|至|到|—|–|－|--)\s*")


def calendar_header(row: list[Any]) -> dict[str, int] | None:
    """The block's columns (``date``, ``end``, ``kind``, ``note``) when ``row`` is its header row."""
    keys = [header_key(v) if isinstance(v, str) else "" for v in row]
    cols: dict[str, int] = {}
    for c, key in enumerate(keys):
        for name, names in (("date", _DATE_KEYS), ("end", _END_KEYS), ("kind", _KIND_KEYS), ("note", _NOTE_KEYS)):
            if name not in cols and key in names:
                cols[name] = c
                break
    if "date" not in cols or "kind" not in cols:
        return None
    return cols


def read_calendar(sheet: RawSheet, header_row: int, end: int, cols: dict[str, int],
                  year_start: date | None) -> tuple[SchoolCalendar, list[Finding]]:
    findings: list[Finding] = []
    lines: list[CalendarLine] = []
    header = sheet.rows[header_row]

    def cell(r: int, key: str) -> Any:
        c = cols.get(key)
        row = sheet.rows[r]
        return row[c] if c is not None and c < len(row) else None

    def bad(r: int, key: str, value: Any, reason: Text) -> None:
        c = cols[key]
        findings.append(InvalidCalendarLine.at(
            sheet.name, row=r + 1, cell=_a1(r, c), column=str(header[c]).strip(), value=value,
            reason=reason))

    for r in range(header_row + 1, end):
        first, last, kind_raw = cell(r, "date"), cell(r, "end"), cell(r, "kind")
        note = cell(r, "note")
        if all(_blank(v) for v in (first, last, kind_raw, note)):
            continue
        span = _span(first, last, year_start)
        if span is None:
            bad(r, "date", first, CALENDAR_REASONS["not-a-date"])
            continue
        if span[1] < span[0]:
            bad(r, "end" if not _blank(last) else "date", last if not _blank(last) else first,
                CALENDAR_REASONS["end-before-start"])
            continue
        kind = DAY_KIND_WORDS.get(header_key(str(kind_raw))) if not _blank(kind_raw) else None
        if kind is None:
            bad(r, "kind", kind_raw, CALENDAR_REASONS["kind-words"].fill(
                kinds=Text("、".join(DAY_KINDS), ", ".join(DAY_KINDS))))
            continue
        lines.append(CalendarLine(start=span[0], end=span[1], kind=kind,
                                  note="" if _blank(note) else str(note).strip(), cell=_a1(r, cols["date"])))
    return SchoolCalendar(lines=tuple(lines), given=True), findings


def _span(first: Any, last: Any, year_start: date | None) -> tuple[date, date] | None:
    if _blank(first):
        return None
    start = parse_date_value(first, year_start)
    if start is not None:
        if _blank(last):
            return start, start
        end = parse_date_value(last, year_start)
        return (start, end) if end is not None else None
    if not isinstance(first, str):
        return None
    text = first.strip()
    parts = _SPAN.split(text)
    if len(parts) == 2:
        return _pair(parts[0], parts[1], year_start)
    for i, ch in enumerate(text):  # 2025-10-01-2025-10-08 or 10.1-10.8: try each hyphen
        if ch == "-":
            pair = _pair(text[:i], text[i + 1:], year_start)
            if pair is not None:
                return pair
    return None


def _pair(a: str, b: str, year_start: date | None) -> tuple[date, date] | None:
    start = parse_date_value(a.strip(), year_start)
    if start is None:
        return None
    b = b.strip()
    m = re.fullmatch(r"(\d{1,2})日?", b)  # 10月1日-8日: the same month
    if m:
        try:
            return start, start.replace(day=int(m.group(1)))
        except ValueError:
            return None
    end = parse_date_value(b, year_start)
    return (start, end) if end is not None else None


def _blank(v: Any) -> bool:
    return v is None or (isinstance(v, str) and not v.strip()) or (isinstance(v, float) and v != v)


def _a1(r: int, c: int) -> str:
    return f"{column_letters(c)}{r + 1}"
