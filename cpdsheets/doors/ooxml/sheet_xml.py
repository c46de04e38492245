"""One output tab rendered as a worksheet part, built as one list of strings and joined once.

Strings are written inline (``t="inlineStr"``) so the shared-string table of the book is left
alone, and never as formulas: whatever a teacher typed is shown exactly as text.
"""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from cpdsheets.doors.xml_text import attr_xml, column_letters, display_width, link_location, text_xml
from cpdsheets.reports.tables import CELL_TEXT_MAX, STATUS_FILLS, TabTable

NS = ('xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
      'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"')
_EXCEL_EPOCH = date(1899, 12, 30).toordinal()
MIN_WIDTH, MAX_WIDTH = 6.0, 60.0
TAB_COLOUR = "FF4472C4"  # the add-in's tabs share one tab colour, so people can tell them apart
SHEET_PR_ORDER = ["tabColor", "outlinePr", "pageSetUpPr"]  # CT_SheetPr's children
_FORMULA_START = ("=", "+", "-", "@")


StyleId = int  # an index into the workbook's cellXfs


@dataclass(slots=True)
class TabStyles:
    """cellXfs indices for each role a cell can play on an output tab."""

    title: StyleId
    header: StyleId
    text: StyleId
    link: StyleId
    int: StyleId
    number: StyleId
    percent: StyleId
    date: StyleId
    datetime: StyleId
    status: dict[str, StyleId]
    wrapped: StyleId  # text wrapped within its column (Column.wrap)
    quoted: dict[StyleId, StyleId] = field(default_factory=dict)  # style -> the same with quotePrefix="1"


def _blank(v: Any) -> bool:
    if v is None:
        return True
    if isinstance(v, float):
        return v != v
    if isinstance(v, str):
        return v == ""
    try:
        return bool(v != v)  # NaT, numpy nan
    except (TypeError, ValueError):
        return False


def _as_text(v: Any) -> str:
    if isinstance(v, str):
        return v
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, datetime):
        return v.strftime("%Y-%m-%d %H:%M:%S") if (v.hour or v.minute or v.second) else v.strftime("%Y-%m-%d")
    if isinstance(v, date):
        return v.isoformat()
    return str(v)


def _serial(v: Any) -> float | None:
    if isinstance(v, datetime):
        day = v.date().toordinal() - _EXCEL_EPOCH
        secs = v.hour * 3600 + v.minute * 60 + v.second + v.microsecond / 1e6
        return day + secs / 86400
    if isinstance(v, date):
        return float(v.toordinal() - _EXCEL_EPOCH)
    if isinstance(v, time):
        return (v.hour * 3600 + v.minute * 60 + v.second) / 86400
    to_py = getattr(v, "to_pydatetime", None)
    if to_py is not None:
        return _serial(to_py())
    return None


def _num(v: Any) -> str | None:
    if isinstance(v, bool):
        return "1" if v else "0"
    if isinstance(v, numbers.Integral):
        return str(int(v))
    if isinstance(v, numbers.Real):
        f = float(v)
        if not math.isfinite(f):
            return None
        return str(int(f)) if f.is_integer() and abs(f) < 1e15 else repr(f)
    return None


def _num_text(s: str) -> str:
    return s if s[-2:] != ".0" else s[:-2]


Cell = Callable[[str, Any], tuple[str, float]]  # (ref, value) -> (xml, display width)


def _text_cell(style: int, quoted: int | None = None) -> Cell:
    """Text as text: one that Excel would take for a formula when edited gets the quote prefix."""
    quoted = style if quoted is None else quoted

    def cell(ref: str, v: Any) -> tuple[str, float]:
        s = _as_text(v)
        if len(s) > CELL_TEXT_MAX:
            s = s[: CELL_TEXT_MAX - 1] + "…"
        xf = quoted if s.startswith(_FORMULA_START) else style
        return (f'<c r="{ref}" s="{xf}" t="inlineStr"><is><t xml:space="preserve">{text_xml(s)}</t></is></c>',
                display_width(s))
    return cell


def _number_cell(style: int, text_style: int, width: Callable[[float], float], quoted: int | None = None) -> Cell:
    as_text = _text_cell(text_style, quoted)

    def cell(ref: str, v: Any) -> tuple[str, float]:
        n = _num(v)
        if n is None:
            return as_text(ref, v) if isinstance(v, str) else ("", 0.0)
        return f'<c r="{ref}" s="{style}"><v>{n}</v></c>', width(float(n))
    return cell


def _date_cell(style: int, text_style: int, width: float, quoted: int | None = None) -> Cell:
    as_text = _text_cell(text_style, quoted)

    def cell(ref: str, v: Any) -> tuple[str, float]:
        n = _serial(v)
        if n is None:
            return as_text(ref, v)
        return f'<c r="{ref}" s="{style}"><v>{_num_text(repr(n))}</v></c>', width
    return cell


def _status_cell(styles: TabStyles) -> Cell:
    plain = _text_cell(styles.text, styles.quoted.get(styles.text))
    by_label = {label: _text_cell(xf) for label, xf in styles.status.items()}

    def cell(ref: str, v: Any) -> tuple[str, float]:
        return by_label.get(v, plain)(ref, v) if isinstance(v, str) else plain(ref, v)
    return cell


def _cell_writer(kind: str, st: TabStyles) -> Cell:
    q = st.quoted.get(st.text)
    if kind == "int":
        return _number_cell(st.int, st.text, lambda f: len(f"{f:,.0f}"), q)
    if kind == "number":
        return _number_cell(st.number, st.text, lambda f: len(f"{f:,.2f}"), q)
    if kind == "percent":
        return _number_cell(st.percent, st.text, lambda f: len(f"{f * 100:.1f}%"), q)
    if kind == "date":
        return _date_cell(st.date, st.text, 10, q)
    if kind == "datetime":
        return _date_cell(st.datetime, st.text, 19, q)
    if kind == "status":
        return _status_cell(st)
    return _text_cell(st.text, q)


# One line of the default 11pt font. Rows holding wrapped text get their height written: LibreOffice and WPS
# keep a file's default row height on load, so a wrapped cell would draw its lines over one another.
LINE_POINTS = 15


def _wrapped_lines(values: list[Any], wrapping: list[tuple[int, float]]) -> int:
    """The lines the row's tallest wrapped cell needs at its column's width (characters)."""
    most = 1
    for i, width in wrapping:
        if i < len(values) and not _blank(values[i]):
            lines = sum(max(1, math.ceil(_text_width(part) / max(width - 1, 1.0)))
                        for part in _as_text(values[i]).split("\n"))
            most = max(most, lines)
    return most


def _text_width(text: str) -> float:
    """Width in digit widths as the 11pt font draws it: a CJK character about 1.65, most ASCII narrower than
    a digit (``display_width``,
    which sizes columns, rounds up to 2 and would promise lines a row does not need)."""
    return sum(1.65 if ord(ch) >= 0x2E80 else 0.85 for ch in text)


def status_fills() -> dict[str, str]:
    return dict(STATUS_FILLS)


def sheet_xml(tab: TabTable, styles: TabStyles, *, drawing_rid: str | None = None) -> str:
    ncols = max(len(tab.columns), 1)
    letters = [column_letters(i) for i in range(ncols)]
    wrapped = _text_cell(styles.wrapped, styles.quoted.get(styles.wrapped))
    writers = [wrapped if c.wrap and c.kind == "text" else _cell_writer(c.kind, styles) for c in tab.columns]
    link_writer = _text_cell(styles.link, styles.quoted.get(styles.link))
    widths = [display_width(c.header) + 3 for c in tab.columns]  # +3: bold and the filter button
    hrow = tab.header_row
    out: list[str] = []
    if tab.title:
        out.append(f'<row r="1"><c r="A1" s="{styles.title}" t="inlineStr"><is><t xml:space="preserve">'
                   f"{text_xml(tab.title)}</t></is></c></row>")
    out.append(f'<row r="{hrow}">')
    for i, c in enumerate(tab.columns):
        out.append(f'<c r="{letters[i]}{hrow}" s="{styles.header}" t="inlineStr"><is><t xml:space="preserve">'
                   f"{text_xml(c.header)}</t></is></c>")
    out.append("</row>")
    links = tab.links
    link_col = tab.link_column
    hyperlinks: list[str] = []
    r = hrow
    wrapping = [(i, c.width or MAX_WIDTH) for i, c in enumerate(tab.columns) if c.wrap and c.kind == "text"]
    for idx, values in enumerate(tab.rows):
        r += 1
        lines = _wrapped_lines(values, wrapping)
        out.append(f'<row r="{r}" ht="{lines * LINE_POINTS:g}" customHeight="1">' if lines > 1 else f'<row r="{r}">')
        target = links[idx] if idx < len(links) else None
        for i, v in enumerate(values[:ncols]):
            if _blank(v):
                continue
            if target and i == link_col and tab.columns[i].kind in ("text", "status"):
                xml, w = link_writer(f"{letters[i]}{r}", v)
            else:
                xml, w = writers[i](f"{letters[i]}{r}", v)
            out.append(xml)
            if w > widths[i]:
                widths[i] = w
        out.append("</row>")
        if target:
            hyperlinks.append(f'<hyperlink ref="{letters[link_col]}{r}" location="{attr_xml(link_location(target))}"/>')
    last = f"{letters[ncols - 1]}{r}"
    head = [
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n',
        f"<worksheet {NS}>",
        # fitToPage + landscape A4 below: coordinators print these tabs; one page wide, as many long as needed.
        f'<sheetPr><tabColor rgb="{TAB_COLOUR}"/><pageSetUpPr fitToPage="1"/></sheetPr>',
        f'<dimension ref="A1:{last}"/>',
        '<sheetViews><sheetView workbookViewId="0">',
        f'<pane ySplit="{hrow}" topLeftCell="A{hrow + 1}" activePane="bottomLeft" state="frozen"/>',
        f'<selection pane="bottomLeft" activeCell="A{hrow + 1}" sqref="A{hrow + 1}"/>',
        "</sheetView></sheetViews>",
        '<sheetFormatPr defaultRowHeight="15"/>',
    ]
    if tab.columns:
        head.append("<cols>")
        for i, c in enumerate(tab.columns):
            w = c.width if c.width is not None else min(max(widths[i] + 2, MIN_WIDTH), MAX_WIDTH)
            head.append(f'<col min="{i + 1}" max="{i + 1}" width="{w:.2f}" customWidth="1"/>')
        head.append("</cols>")
    head.append("<sheetData>")
    tail = ["</sheetData>"]
    if tab.columns:
        tail.append(f'<autoFilter ref="A{hrow}:{last if r > hrow else letters[ncols - 1] + str(hrow)}"/>')
    if hyperlinks:
        tail.append("<hyperlinks>" + "".join(hyperlinks) + "</hyperlinks>")
    tail.append('<pageMargins left="0.5" right="0.5" top="0.6" bottom="0.6" header="0.3" footer="0.3"/>')
    tail.append('<pageSetup paperSize="9" orientation="landscape" fitToWidth="1" fitToHeight="0"/>')
    if drawing_rid:
        tail.append(f'<drawing r:id="{drawing_rid}"/>')
    tail.append("</worksheet>")
    return "".join(head) + "".join(out) + "".join(tail)


_COL_WIDTH = re.compile(r'<col min="\d+" max="\d+" width="([0-9.]+)"')


def column_widths(tab: TabTable) -> list[float]:
    """Each column's width (characters) as this writer gives it, for a door that sets widths itself
    (the xlwings service client): read back from the part this writer renders, so there is one rule."""
    roles = TabStyles(title=0, header=0, text=0, link=0, int=0, number=0, percent=0, date=0, datetime=0,
                      status={label: 0 for label in STATUS_FILLS}, wrapped=0)
    return [float(w) for w in _COL_WIDTH.findall(sheet_xml(tab, roles))]
