"""Write the district workbook: a fresh .xlsx from the roll-up's tables, with xlsxwriter.

Every text that came from a school's book (names, paths, rule names, reasons) is written with
``write_string``, so nothing typed by a school can become a formula or a link. The file is written
in memory and swapped in atomically, never left half-written.
"""

from __future__ import annotations

import io
import warnings
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.utility import xl_rowcol_to_cell

from ... import __version__
from ...contract.findings import Lang
from ...reports import rollup_tables as tables
from ...reports.rollup import District
from ...reports.tables import CELL_TEXT_MAX
from ..ooxml.safe_replace import atomic_write
from .inputs import MARK_NAME
from ...contract.states import State
from ...reports.district_texts import DISTRICT

LINKS_PER_SHEET = 65_530  # Excel's (and xlsxwriter's) limit of hyperlinks on one worksheet
HEADER_ROW = 3  # 0-based: title, note, blank line, header
CHART_COLUMNS = 9  # the overview chart's width in default columns, right of the table
RED, YELLOW, GREEN = State.FAILED.fill, State.BEHIND.fill, State.MET.fill
SCALE = {"type": "3_color_scale", "min_color": "#F8696B", "mid_type": "num", "mid_value": 0.5,
         "mid_color": "#FFEB84", "max_color": "#63BE7B", "min_type": "num", "min_value": 0,
         "max_type": "num", "max_value": 1}


def write_district(district: District, out: Path, info: dict[str, Any], lang: Lang = "zh",
                   notes: list[str] | None = None) -> Path:
    """The district workbook at ``out``. What a reader must know of it (schools past Excel's link
    limit shown without links, anything xlsxwriter warned of) is appended to ``notes`` and written
    in the workbook's run log, never printed by the library on stderr nor dropped."""
    said = notes if notes is not None else []
    blocks = len(district.schools)
    linked = min(blocks, LINKS_PER_SHEET // 2)  # a school's name links down, its section links back up
    if linked < blocks:
        said.append(DISTRICT.render("schools-exceed-excel-s-limit", lang, blocks=blocks, limit=LINKS_PER_SHEET,
                                    linked=linked))
    info = {**info, "notes": said}
    buffer = io.BytesIO()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        _write_book(buffer, district, info, lang, linked)
    for w in caught:  # a limit the library met: said, not lost on stderr (the workbook is already closed)
        said.append(str(w.message).splitlines()[0][:300])
    return atomic_write(Path(out), lambda fh: fh.write(buffer.getvalue()), backup=False)


def _write_book(buffer: io.BytesIO, district: District, info: dict[str, Any], lang: Lang, linked: int) -> None:
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False,
                                        "strings_to_urls": False, "strings_to_numbers": False})
    book.set_properties({"title": tables.overview(district, lang).title, "author": "cpdsheets"})
    # The mark a later rollup of the same folder knows its own output by (doors.rollup.inputs).
    book.set_custom_property(MARK_NAME, __version__)
    fmt = _Formats(book)
    _overview_sheet(book, fmt, district, lang, linked)
    _rates_sheet(book, fmt, tables.rates(district, lang))
    for sheet in (tables.alert_teachers(district, lang), tables.policy_changes(district, lang),
                  tables.transfers(district, lang), tables.unreadable(district, lang),
                  tables.runlog(district, info, lang)):
        ws = _table_sheet(book, fmt, sheet)
        if sheet.key == "unreadable" and sheet.rows:
            ws.set_tab_color("#" + RED)
    book.close()


class _Formats:
    def __init__(self, book):
        add = book.add_format
        self.title = add({"bold": True, "font_size": 14})
        self.note = add({"italic": True, "font_color": "#595959"})
        self.header = add({"bold": True, "bg_color": "#D9E1F2", "border": 1, "text_wrap": True,
                           "valign": "vcenter", "align": "center"})
        self.flagged = add({"bold": True, "bg_color": "#" + RED, "border": 1, "text_wrap": True,
                            "valign": "vcenter", "align": "center"})
        self.link = add({"font_color": "#0563C1", "underline": 1})
        self.section = add({"bold": True, "font_size": 12, "bg_color": "#DDEBF7"})
        self.by_kind = {"text": add({}), "int": add({"num_format": "0"}), "number": add({"num_format": "0.0"}),
                        "percent": add({"num_format": "0%"})}
        self.total = {k: add({"bold": True, "top": 1, "num_format": v}) for k, v in
                      (("text", "@"), ("int", "0"), ("number", "0.0"), ("percent", "0%"))}
        self.fill = {c: add({"bg_color": "#" + c}) for c in (RED, YELLOW, GREEN)}


def _cell(ws, r: int, c: int, value: Any, fmt) -> None:
    if value is None:
        ws.write_blank(r, c, None, fmt)
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        ws.write_number(r, c, float(value), fmt)
    else:
        ws.write_string(r, c, str(value)[:CELL_TEXT_MAX], fmt)


def _head(ws, fmt: _Formats, sheet: tables.DistrictSheet) -> None:
    ws.write_string(0, 0, sheet.title, fmt.title)
    if sheet.note:
        ws.write_string(1, 0, sheet.note, fmt.note)
    for c, col in enumerate(sheet.columns):
        ws.write_string(HEADER_ROW, c, col.header, fmt.flagged if c in sheet.flagged else fmt.header)
        ws.set_column(c, c, col.width or max(8, min(40, 2 * len(col.header) + 2)))
    ws.freeze_panes(HEADER_ROW + 1, 1)


def _body(ws, fmt: _Formats, sheet: tables.DistrictSheet, first: int) -> int:
    """Rows from ``first``, then the total line; the row after them."""
    r = first
    for row in sheet.rows:
        for c, (value, col) in enumerate(zip(row, sheet.columns)):
            _cell(ws, r, c, value, fmt.by_kind[col.kind])
        r += 1
    if sheet.total is not None:
        for c, (value, col) in enumerate(zip(sheet.total, sheet.columns)):
            _cell(ws, r, c, value, fmt.total[col.kind])
        r += 1
    for row in sheet.counts:  # counts under the total (进行中 per rule): whole numbers, whatever the column
        for c, value in enumerate(row[:len(sheet.columns)]):
            _cell(ws, r, c, value, fmt.by_kind["int" if c else "text"])
        r += 1
    return r


def _print_setup(ws, title: str, last_col: int) -> None:
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(HEADER_ROW)
    ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    ws.set_header("&C&\"-,Bold\"" + title.replace("&", "&&"))
    ws.set_footer("&C&P / &N")
    ws.print_area(0, 0, ws.dim_rowmax or 0, last_col)


def _table_sheet(book, fmt: _Formats, sheet: tables.DistrictSheet):
    ws = book.add_worksheet(sheet.name)
    _head(ws, fmt, sheet)
    end = _body(ws, fmt, sheet, HEADER_ROW + 1)
    if sheet.rows and sheet.key != "runlog":
        ws.autofilter(HEADER_ROW, 0, end - 1, len(sheet.columns) - 1)
    _print_setup(ws, sheet.title, len(sheet.columns) - 1)
    return ws


def _overview_sheet(book, fmt: _Formats, district: District, lang: Lang, linked: int) -> None:
    sheet = tables.overview(district, lang)
    blocks = tables.school_blocks(district, lang)
    ws = book.add_worksheet(sheet.name)
    _head(ws, fmt, sheet)
    first = HEADER_ROW + 1
    end = _body(ws, fmt, sheet, first)
    last = first + len(sheet.rows) - 1
    if sheet.rows:
        _overview_colours(ws, fmt, first, last)
    # Detail sections under the table; each school's name in the table links to its section.
    r = end + 2
    ws.write_string(r, 0, DISTRICT.render("school-details", lang), fmt.title)
    r += 2
    back = f"internal:'{sheet.name}'!A{HEADER_ROW + 1}"
    for i, block in enumerate(blocks):
        target = f"internal:'{sheet.name}'!A{r + 1}"
        if i < linked:
            ws.write_url(first + i, 0, target, fmt.link, string=block.heading[:CELL_TEXT_MAX])
        ws.write_string(r, 0, block.heading[:CELL_TEXT_MAX], fmt.section)
        for c in range(1, 5):
            ws.write_blank(r, c, None, fmt.section)
        if i < linked:
            ws.write_url(r, 5, back, fmt.link, string=DISTRICT.render("back-to-the-table", lang))
        r += 1
        for line in block.lines:
            ws.write_string(r, 0, line[:CELL_TEXT_MAX])
            r += 1
        for c, col in enumerate(block.columns):
            ws.write_string(r, c, col.header, fmt.header)
        top = r + 1
        for row in block.rows:
            r += 1
            for c, (value, col) in enumerate(zip(row, block.columns)):
                _cell(ws, r, c, value, fmt.by_kind[col.kind])
        if block.rows:
            ws.conditional_format(top, 4, r, 4, SCALE)
        r += 2
    if sheet.rows:
        _overview_chart(book, ws, sheet, first, last, lang)
    _print_setup(ws, sheet.title, len(sheet.columns) + CHART_COLUMNS)


def _overview_colours(ws, fmt: _Formats, first: int, last: int) -> None:
    def when(col: int, criteria: str, value: float, colour: str) -> None:
        ws.conditional_format(first, col, last, col, {"type": "cell", "criteria": criteria, "value": value,
                                                      "format": fmt.fill[colour]})

    when(3, ">", 0, GREEN)   # 达标教师
    when(4, ">", 0, YELLOW)  # 进度落后
    when(5, ">", 0, RED)     # 未达标
    reversed_scale = {**SCALE, "min_color": SCALE["max_color"], "max_color": SCALE["min_color"]}
    ws.conditional_format(first, 6, last, 6, reversed_scale)  # 未达标占比: high is bad
    ws.conditional_format(first, 7, last, 7, SCALE)           # 全部规则达标: high is good
    when(10, ">", 0, RED)     # 错误
    when(11, ">", 0, YELLOW)  # 警告
    when(12, ">", 0, YELLOW)  # 规则差异


def _overview_chart(book, ws, sheet: tables.DistrictSheet, first: int, last: int, lang: Lang) -> None:
    """Teachers met / behind / not met per school, as shares of the school's teachers."""
    chart = book.add_chart({"type": "bar", "subtype": "percent_stacked"})
    cats = [sheet.name, first, 0, last, 0]
    for col, colour in ((3, GREEN), (4, YELLOW), (5, RED)):
        chart.add_series({"name": [sheet.name, HEADER_ROW, col], "categories": cats,
                          "values": [sheet.name, first, col, last, col],
                          "fill": {"color": "#" + colour}, "border": {"color": "#808080"}, "gap": 40})
    chart.set_title({"name": DISTRICT.render("teachers-per-school-by-status", lang),
                     "name_font": {"size": 12}})
    chart.set_y_axis({"reverse": True})  # worst first at the top, as in the table
    chart.set_x_axis({"num_format": "0%", "major_gridlines": {"visible": True}})
    chart.set_legend({"position": "bottom"})
    height = max(320, 24 * (last - first + 1) + 120)
    chart.set_size({"width": 560, "height": height})
    anchor = xl_rowcol_to_cell(HEADER_ROW, len(sheet.columns) + 1)
    ws.insert_chart(anchor, chart, {"object_position": 3})


def _rates_sheet(book, fmt: _Formats, sheet: tables.DistrictSheet) -> None:
    ws = book.add_worksheet(sheet.name)
    _head(ws, fmt, sheet)
    ws.set_row(HEADER_ROW, 48)
    first = HEADER_ROW + 1
    end = _body(ws, fmt, sheet, first)
    n = len(sheet.columns) - 1
    if n and sheet.rows:  # the rates and their total; the counts under them are not rates
        ws.conditional_format(first, 1, end - 1 - len(sheet.counts), n, {**SCALE})
    _print_setup(ws, sheet.title, n)
    ws.set_column(0, 0, 22)
    if n:
        ws.set_column(1, n, 9)
