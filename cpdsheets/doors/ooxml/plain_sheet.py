"""A worksheet part added to a school's book WITHOUT touching its styles or shared strings.

`bind` must leave every existing part byte-identical, ``xl/styles.xml`` included, so these sheets
use no cell format of their own: text is an inline string (bold or larger type as a rich-text run,
which needs no style), numbers are plain, and a date uses a date format the book already has (else
it is written as ISO text, which every reader of the 规则 sheet parses). Text is never a formula.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from cpdsheets.doors.ooxml.styles_xml import StyleBook
from cpdsheets.doors.xml_text import attr_xml, column_letters, text_xml

NS = ('xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
      'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"')
_EXCEL_EPOCH = date(1899, 12, 30).toordinal()
# Built-in number formats that show a date and no time (ECMA-376 18.8.30; 27-36 and 50-58 are the
# CJK dates).
_BUILTIN_DATE_FMTS = {14, 15, 16, 17, *range(27, 37), *range(50, 59)}
_DATE_CODE = re.compile(r"[yd]|[年月日]", re.IGNORECASE)
_CODE_NOISE = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]')


@dataclass(frozen=True, slots=True)
class Run:
    """Text shown bold (and at ``size`` points), by a rich-text run rather than a cell format."""

    text: str
    bold: bool = True
    size: float | None = None
    colour: str | None = None  # ARGB, e.g. "FF595959"


@dataclass(slots=True)
class PlainSheet:
    """What goes into one added worksheet. ``rows[r][c]`` is sheet row r+1, column c+1."""

    rows: list[list[Any]]
    widths: dict[int, float] = field(default_factory=dict)  # 0-based column -> width in characters
    heights: dict[int, float] = field(default_factory=dict)  # 0-based row -> height in points
    freeze_rows: int = 0
    freeze_cols: int = 0
    gridlines: bool = True
    validations: list[str] = field(default_factory=list)  # <dataValidation> elements
    legacy_drawing_rid: str | None = None  # the VML drawing holding form buttons
    landscape_fit_width: bool = False  # printed landscape, every column on one page's width
    # 0-based (row, column) -> relationship id of an external hyperlink (the caller writes the rels part)
    links: dict[tuple[int, int], str] = field(default_factory=dict)


def date_xf(styles: StyleBook | None) -> int | None:
    """A cell format of the book that shows a date (no time), if it has one: a plain one (default
    font, no fill, no border) first, so the dates do not take on a school's highlighting."""
    if styles is None:
        return None
    codes = {el.get("numFmtId", ""): el.get("formatCode", "") for el in styles.sections["numFmts"].els}
    found = []
    for i, xf in enumerate(styles.sections["cellXfs"].els):
        raw = xf.get("numFmtId", "0")
        fmt = int(raw) if raw.isdigit() else 0
        code = _CODE_NOISE.sub("", codes.get(raw, ""))
        shows_time = "h" in code.lower() or "s" in code.lower()
        if fmt in _BUILTIN_DATE_FMTS or (fmt >= 164 and _DATE_CODE.search(code) and not shows_time):
            plain = all(xf.get(a, "0") == "0" for a in ("fontId", "fillId", "borderId"))
            found.append((not plain, i))
    return min(found)[1] if found else None


def plain_sheet_xml(sheet: PlainSheet, *, date_style: int | None = None) -> str:
    out: list[str] = []
    last_col = 0
    for r, values in enumerate(sheet.rows, start=1):
        cells = []
        for c, v in enumerate(values):
            xml = _cell(f"{column_letters(c)}{r}", v, date_style)
            if xml:
                cells.append(xml)
                last_col = max(last_col, c)
        height = sheet.heights.get(r - 1)
        ht = f' ht="{height:g}" customHeight="1"' if height else ""
        if cells or ht:
            out.append(f'<row r="{r}"{ht}>' + "".join(cells) + "</row>")
    last = f"{column_letters(last_col)}{max(len(sheet.rows), 1)}"
    view = '<sheetView workbookViewId="0"' if sheet.gridlines else '<sheetView showGridLines="0" workbookViewId="0"'
    if sheet.freeze_rows or sheet.freeze_cols:
        view += ">" + _pane(sheet.freeze_rows, sheet.freeze_cols) + "</sheetView>"
    else:
        view += "/>"
    head = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n', f"<worksheet {NS}>",
            '<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>' if sheet.landscape_fit_width else "",
            f'<dimension ref="A1:{last}"/>', f"<sheetViews>{view}</sheetViews>",
            '<sheetFormatPr defaultRowHeight="15"/>']
    if sheet.widths:
        head.append("<cols>" + "".join(f'<col min="{c + 1}" max="{c + 1}" width="{w:g}" customWidth="1"/>'
                                       for c, w in sorted(sheet.widths.items())) + "</cols>")
    tail = ["</sheetData>"]
    if sheet.validations:
        tail.append(f'<dataValidations count="{len(sheet.validations)}">{"".join(sheet.validations)}</dataValidations>')
    if sheet.links:
        tail.append("<hyperlinks>" + "".join(f'<hyperlink ref="{column_letters(c)}{r + 1}" r:id="{rid}"/>'
                                             for (r, c), rid in sorted(sheet.links.items())) + "</hyperlinks>")
    tail.append('<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>')
    if sheet.landscape_fit_width:  # fitToHeight 0: as many pages down as the rows need
        tail.append('<pageSetup paperSize="9" orientation="landscape" fitToWidth="1" fitToHeight="0"/>')
    if sheet.legacy_drawing_rid:
        tail.append(f'<legacyDrawing r:id="{sheet.legacy_drawing_rid}"/>')
    tail.append("</worksheet>")
    return "".join(head) + "<sheetData>" + "".join(out) + "".join(tail)


def list_validation(sqref: str, choices: tuple[str, ...] | list[str]) -> str:
    """A drop-down of fixed choices (as the template's 规则 sheet has)."""
    source = attr_xml('"' + ",".join(choices) + '"')
    return (f'<dataValidation type="list" allowBlank="1" showInputMessage="1" showErrorMessage="1" '
            f'sqref="{sqref}"><formula1>{source}</formula1></dataValidation>')


def number_validation(sqref: str, minimum: float) -> str:
    return (f'<dataValidation type="decimal" operator="greaterThanOrEqual" allowBlank="1" showInputMessage="1" '
            f'showErrorMessage="1" sqref="{sqref}"><formula1>{minimum:g}</formula1></dataValidation>')


def _pane(rows: int, cols: int) -> str:
    cell = f"{column_letters(cols)}{rows + 1}"
    pane = "bottomRight" if rows and cols else ("bottomLeft" if rows else "topRight")
    split = (f' xSplit="{cols}"' if cols else "") + (f' ySplit="{rows}"' if rows else "")
    return (f'<pane{split} topLeftCell="{cell}" activePane="{pane}" state="frozen"/>'
            f'<selection pane="{pane}" activeCell="{cell}" sqref="{cell}"/>')


def _cell(ref: str, v: Any, date_style: int | None) -> str:
    if v is None or v == "":
        return ""
    if isinstance(v, Run):
        props = ("<b/>" if v.bold else "") + (f'<sz val="{v.size:g}"/>' if v.size else "")
        props += f'<color rgb="{v.colour}"/>' if v.colour else ""
        return (f'<c r="{ref}" t="inlineStr"><is><r>{"<rPr>" + props + "</rPr>" if props else ""}'
                f'<t xml:space="preserve">{text_xml(v.text)}</t></r></is></c>')
    if isinstance(v, bool):
        return f'<c r="{ref}" t="b"><v>{int(v)}</v></c>'
    if isinstance(v, (int, float)) and not (isinstance(v, float) and not math.isfinite(v)):
        n = str(int(v)) if float(v).is_integer() and abs(v) < 1e15 else repr(float(v))
        return f'<c r="{ref}"><v>{n}</v></c>'
    if isinstance(v, date):
        day = v.date() if isinstance(v, datetime) else v
        if date_style is None:
            return _text(ref, day.isoformat())
        return f'<c r="{ref}" s="{date_style}"><v>{day.toordinal() - _EXCEL_EPOCH}</v></c>'
    return _text(ref, str(v))


def _text(ref: str, s: str) -> str:
    # An inline string is text whatever it starts with (=, +, -, @): never read as a formula.
    return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{text_xml(s)}</t></is></c>'
