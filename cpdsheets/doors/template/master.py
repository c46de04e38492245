"""The master workbook, built from code: 说明, 控制台 (buttons), 规则, and every log sheet.

The build is deterministic (fixed document properties, xlsxwriter's fixed zip timestamps), so the
workbooks committed under ``workbook/`` can be proven equal to a fresh build, part by part.
``python -m cpdsheets.samples.shipped --rebuild`` regenerates the shipped files.
"""

from __future__ import annotations

import io
import os
import sys
import sysconfig
from datetime import date, datetime
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.utility import xl_col_to_name

from ...contract.policy import CREDITS_SHEET, DEFAULT_RULES, METRICS, PACES, PERIOD_KINDS, Rule
from ...contract.school_calendar import CALENDAR_HEADER_WRITTEN, DAY_KINDS
from ...contract.texts import Lang
from ...contract.schema import SHEETS, TEACHERS, ColumnSpec, SheetSpec, DATA_SHEETS
from .book_content import BookContent, SheetContent
from .school_year import calendar_rows, default_settings, year_label
from .text import BUTTONS, CONSOLE_INTRO, CONSOLE_TITLE, GUIDE_TITLE, column_help, guide, service_rows, upload_page
from ..text_fit import row_points, text_lines
from ..xlsx_cells import DateFormats, write_typed

REPO_ROOT = Path(__file__).resolve().parents[3]
XLMACROS_DIR = REPO_ROOT / "xlmacros"


def xlmacros_dir() -> Path:
    """Where the VBA sources are: the source tree's xlmacros/ (edited there, nowhere else), or the
    copy a wheel installs under <prefix>/share/cpdsheets/xlmacros, so `cpdsheets new` works for a
    school that installed the package rather than cloning it. CPDSHEETS_XLMACROS overrides both."""
    candidates = [os.environ.get("CPDSHEETS_XLMACROS"), XLMACROS_DIR,
                  Path(sys.prefix) / "share" / "cpdsheets" / "xlmacros",
                  Path(sysconfig.get_path("data")) / "share" / "cpdsheets" / "xlmacros"]
    for c in candidates:
        if c and Path(c).is_dir():
            return Path(c)
    return XLMACROS_DIR  # the VBA builder names the missing folder in its error

GUIDE_SHEET, CONSOLE_SHEET, POLICY_SHEET = "说明", "控制台", "规则"
HEADER_ROW = 1  # 0-based: row 2 of the sheet; row 1 holds the title
FIRST_DATA_ROW = HEADER_ROW + 1
VALIDATED_ROWS = 2000  # data validation reaches this many rows below the header (more when data is longer)
ROSTER_IDS_NAME = "TeacherIDs"  # ASCII: WPS and LibreOffice handle it everywhere
RULE_IDS_NAME = "RuleIDs"
FIXED_CREATED = datetime(2025, 8, 1, 8, 0, 0)

RULE_HEADERS = ("规则编号", "规则名称", "指标", "数据表", "字段", "条件", "周期", "适用对象", "下限", "上限",
                "严重度", "后果", "启用", "进度提示")
SEVERITY_WORDS = {"error": "错误", "warning": "警告", "info": "提示"}
SETTINGS_HEADERS = ("设置项", "值", "说明")
# Notes on the rules table's header: how to write a condition (条件) and whom a rule is for (适用对象).
RULE_HEADER_NOTES = {
    5: "条件写法：类型=读书导研单、地点=校内、岗位 含 中层、教龄<=5，多个条件用「且」连接；多个取值用 | 分隔。",
    7: "适用对象写法：岗位 含 中层、教龄<=5、有师傅、是师傅、对象=教研组。",
    13: "按进度：当前周期未过完时，按已过的上课日显示进度落后；仅期末：只在周期结束后判定（学分、年度合计常集中在暑期培训等时段）。",
}
CALENDAR_HEADERS = (*CALENDAR_HEADER_WRITTEN[:1], "结束日期", *CALENDAR_HEADER_WRITTEN[1:])
CALENDAR_NOTE = ("校历：学期内不上课的日子（放假、学校停课）和周末上班的日子（调休上班）。周、双周、月按上课日计算；"
                 "不足半个正常周期上课日的周期不计要求。可增删行，一天只填校历日期，多天填起止。")
CALENDAR_SPARE_ROWS = 5  # blank lines under the calendar for the school's own closures


def build_master(path: str | Path, *, year: str = "2025-2026", school: str = "示例小学", lang: Lang = "zh",
                 data: BookContent | None = None, macros: bool = True, constant_memory: bool = False,
                 server: str = "") -> Path:
    """Write the master workbook to ``path`` (suffix forced to .xlsm with macros, else .xlsx).
    ``constant_memory`` streams rows to disk (large synthetic books); the output is the same shape.
    ``server``: the district service's address (``cpdsheets serve``), filled in on 控制台 with a link to
    its upload page."""
    path = Path(path).with_suffix(".xlsm" if macros else ".xlsx")
    path.parent.mkdir(parents=True, exist_ok=True)
    data = data or BookContent()
    label = year_label(year)
    vba = _vba_project() if macros else None

    wb = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False,
                                         "strings_to_urls": False, "constant_memory": constant_memory})
    fmt = _Formats(wb)
    wb.set_properties({
        "title": f"{label}学年校本培训登记表", "subject": "校本培训学分与达标", "author": "cpdsheets",
        "company": school, "comments": "由 cpdsheets 生成", "created": FIXED_CREATED,
    })
    _guide_sheet(wb.add_worksheet(GUIDE_SHEET), fmt, lang)
    _console_sheet(wb.add_worksheet(CONSOLE_SHEET), fmt, lang, server)
    rule_rows = _policy_sheet(wb.add_worksheet(POLICY_SHEET), fmt, label, school, data.settings,
                              calendar_rows(label, data.calendar))
    for spec in DATA_SHEETS:
        content = data.sheets.get(spec.key, SheetContent())
        _log_sheet(wb, wb.add_worksheet(spec.name), spec, content, fmt, label, lang)
    wb.define_name(RULE_IDS_NAME, f"={_quote(POLICY_SHEET)}!$A${rule_rows[0] + 1}:$A${rule_rows[1] + 50}")

    if vba is not None:
        wb.add_vba_project(io.BytesIO(vba), is_stream=True)
        wb.set_vba_name("ThisWorkbook")
        for i, ws in enumerate(wb.worksheets(), start=1):
            ws.set_vba_name(f"Sheet{i}")
    wb.worksheets()[0].activate()
    wb.close()
    return path


def _vba_project() -> bytes:
    """The compiled xlmacros/ project with one document module per sheet of the template."""
    from ..vba import build_from_sources  # a sibling door; imported late so .xlsx builds never need it

    return build_from_sources(xlmacros_dir(), 3 + len(DATA_SHEETS))


class _Formats:
    def __init__(self, wb: xlsxwriter.Workbook):
        self.title = wb.add_format({"bold": True, "font_size": 14})
        self.section = wb.add_format({"bold": True, "font_size": 12, "font_color": "#1F4E79"})
        self.text = wb.add_format({"text_wrap": False, "valign": "top"})
        self.wrap = wb.add_format({"text_wrap": True, "valign": "top"})
        self.header = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "align": "center",
                                     "valign": "vcenter", "text_wrap": True})
        self.header_required = wb.add_format({"bold": True, "bg_color": "#FCE4D6", "border": 1,
                                              "align": "center", "valign": "vcenter", "text_wrap": True})
        self.date = wb.add_format({"num_format": "yyyy-mm-dd"})
        self.datetime = wb.add_format({"num_format": "yyyy-mm-dd hh:mm"})
        self.cells = DateFormats(self.date, self.datetime)
        self.percent = wb.add_format({"num_format": "0%"})
        self.id_text = wb.add_format({"num_format": "@"})
        self.note = wb.add_format({"font_color": "#595959", "italic": True})


# -- 说明 / 控制台 ---------------------------------------------------------------------------------

# The 说明 column fits an A4 portrait page between 0.5-inch margins, so a printed guide is never cut
# at the right margin; a longer line wraps and its row is as tall as its lines.
# (LibreOffice draws a lone column wider than Excel's 7w+5 pixels and does not shrink it to the page: 72 is
# the width that still fits there, inside the margins.)
GUIDE_WIDTH = 72
GUIDE_POINTS = 11.0  # the workbook's default type


def _guide_sheet(ws, fmt: _Formats, lang: Lang) -> None:
    ws.hide_gridlines(2)
    ws.set_column(0, 0, GUIDE_WIDTH)
    ws.set_paper(9)  # A4
    ws.set_portrait()
    ws.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
    ws.fit_to_pages(1, 0)
    ws.write_string(0, 0, GUIDE_TITLE[lang], fmt.title)
    row = 2
    for heading, lines in guide(lang):
        ws.write_string(row, 0, heading, fmt.section)
        row += 1
        for line in lines:
            n = text_lines(line, GUIDE_WIDTH, GUIDE_POINTS)
            if n > 1:
                ws.set_row(row, row_points(n, GUIDE_POINTS))
            ws.write_string(row, 0, line, fmt.wrap)
            row += 1
        row += 1
    ws.print_area(0, 0, row, 0)


def _console_sheet(ws, fmt: _Formats, lang: Lang, server: str = "") -> None:
    ws.hide_gridlines(2)
    ws.set_column(0, 0, 3)
    ws.set_column(1, 1, 18)
    ws.set_column(2, 2, 80)
    ws.write_string(0, 1, CONSOLE_TITLE[lang], fmt.title)
    ws.write_string(1, 1, CONSOLE_INTRO[lang], fmt.note)
    for i, (macro, caption, note) in enumerate(BUTTONS):
        row = 3 + 3 * i
        ws.set_row(row, 30)
        ws.insert_button(row, 1, {"macro": macro, "caption": caption[lang],
                                  "width": 120, "height": 36, "x_offset": 2, "y_offset": 2})
        ws.write_string(row, 2, note[lang], fmt.wrap)
    row = 3 + 3 * len(BUTTONS)
    for label, value, link in service_rows(server, lang):
        if link:
            ws.write_url(row, 1, upload_page(server), string=label)
        elif label:
            ws.write_string(row, 1, label, fmt.text)
        if value:
            ws.write_string(row, 2, value, fmt.note if not label or link else fmt.text)
        row += 1


# -- 规则 --------------------------------------------------------------------------------------------

def _policy_sheet(ws, fmt: _Formats, label: str, school: str, overrides: dict[str, Any],
                  calendar: list[tuple[Any, Any, str, str]]) -> tuple[int, int]:
    """Write settings, the 校历 and rules; return the 0-based (first, last) rows of the rules table body."""
    ws.set_column(0, 0, 22)
    ws.set_column(1, 1, 18)
    ws.set_column(2, 2, 12)
    ws.set_column(3, 4, 10)
    ws.set_column(5, 5, 26)
    ws.set_column(6, 6, 8)
    ws.set_column(7, 7, 16)
    ws.set_column(8, 10, 8)
    ws.set_column(11, 11, 36)
    ws.set_column(12, 12, 6)
    ws.set_column(13, 13, 10)
    ws.write_string(0, 0, f"{label}学年 规则与设置", fmt.title)

    row = 2
    for c, h in enumerate(SETTINGS_HEADERS):
        ws.write_string(row, c, h, fmt.header)
    settings = default_settings(label, school)
    known = {name for name, _, _ in settings}
    settings = [(n, overrides.get(n, v), note) for n, v, note in settings]
    settings += [(n, v, "") for n, v in overrides.items() if n not in known]
    for name, value, note in settings:
        row += 1
        ws.write_string(row, 0, name)
        _write(ws, row, 1, value, fmt)
        if note:
            ws.write_string(row, 2, note, fmt.note)
    ws.data_validation(4, 1, 3 + 7, 1, {"validate": "date", "criteria": "between",
                                        "minimum": date(2000, 1, 1), "maximum": date(2099, 12, 31),
                                        "error_message": "请填写日期，如 2025-09-01"})

    row += 3
    calendar_header = row
    for c, h in enumerate(CALENDAR_HEADERS):
        ws.write_string(row, c, h, fmt.header)
    ws.write_comment(row, 0, CALENDAR_NOTE, {"x_scale": 2.4, "y_scale": 1.4})
    for line in calendar:
        row += 1
        for c, value in enumerate(line):
            _write(ws, row, c, value, fmt)
    row += CALENDAR_SPARE_ROWS
    ws.data_validation(calendar_header + 1, 0, row, 1, {"validate": "date", "criteria": "between",
                                                       "minimum": date(2000, 1, 1), "maximum": date(2099, 12, 31),
                                                       "error_message": "请填写日期，如 2025-10-01"})
    ws.data_validation(calendar_header + 1, 2, row, 2, {"validate": "list", "source": list(DAY_KINDS)})

    row += 2
    header_row = row
    for c, h in enumerate(RULE_HEADERS):
        ws.write_string(row, c, h, fmt.header)
    for rule in DEFAULT_RULES:
        row += 1
        for c, value in enumerate(rule_cells(rule)):
            if isinstance(value, float) and rule.metric_spec.is_share and c in (8, 9):
                ws.write_number(row, c, value, fmt.percent)
            else:
                _write(ws, row, c, value, fmt)
    for col, note in RULE_HEADER_NOTES.items():
        ws.write_comment(header_row, col, note, {"x_scale": 2})
    last = row + 50
    for col, choices in ((2, METRICS), (6, PERIOD_KINDS), (10, tuple(SEVERITY_WORDS.values())),
                         (12, ("是", "否")), (13, PACES)):
        ws.data_validation(header_row + 1, col, last, col, {"validate": "list", "source": list(choices)})
    ws.data_validation(header_row + 1, 8, last, 9, {"validate": "decimal", "criteria": ">=", "value": 0})
    ws.freeze_panes(0, 1)
    return header_row + 1, row


def rule_cells(rule: Rule) -> list[Any]:
    """One rule as the cells of the rules table, in RULE_HEADERS order."""
    if rule.sheet == CREDITS_SHEET:
        sheet_name, field_header = "学分", "学分" if rule.field else ""
    else:
        spec = SHEETS[rule.sheet]
        sheet_name = spec.name
        field_header = spec.column(rule.field).header if rule.field else ""
    return [rule.rule_id, rule.name, rule.metric, sheet_name, field_header, rule.condition.text, rule.period,
            rule.applies_to.text, rule.lower, rule.upper, SEVERITY_WORDS[rule.severity], rule.consequence,
            "是" if rule.enabled else "否", rule.pace]


# -- log sheets -------------------------------------------------------------------------------------

def _log_sheet(wb, ws, spec: SheetSpec, content: SheetContent, fmt: _Formats, label: str, lang: Lang) -> None:
    headers = content.headers or [c.header for c in spec.columns]
    columns = [_column_for(spec, h) for h in headers]
    title = content.title if content.title is not None else f"{label}学年{spec.name}"
    if title:
        ws.write_string(0, 0, title, fmt.title)
    ws.set_row(HEADER_ROW, 30)
    for c, (header, col) in enumerate(zip(headers, columns)):
        required = col is not None and col.required
        ws.write_string(HEADER_ROW, c, header, fmt.header_required if required else fmt.header)
        ws.set_column(c, c, _width(header, col), fmt.id_text if col is not None and col.kind == "teacher_id" else None)
        if col is not None:
            ws.write_comment(HEADER_ROW, c, column_help(col, lang), {"x_scale": 1.6, "y_scale": 1.2})
    for r, values in enumerate(content.rows, start=FIRST_DATA_ROW):
        for c, value in enumerate(values):
            _write(ws, r, c, value, fmt)
    last = FIRST_DATA_ROW + max(VALIDATED_ROWS, len(content.rows) + 500)
    for c, col in enumerate(columns):
        if col is not None:
            _validate_column(ws, spec, col, c, last)
    if spec.key == TEACHERS.key:
        id_col = next((c for c, col in enumerate(columns) if col is not None and col.roster_id), 0)
        letter = xl_col_to_name(id_col)
        wb.define_name(ROSTER_IDS_NAME, f"={_quote(spec.name)}!${letter}${FIRST_DATA_ROW + 1}:${letter}${last + 1}")
    ws.freeze_panes(FIRST_DATA_ROW, 0)
    ws.autofilter(HEADER_ROW, 0, HEADER_ROW, max(len(headers) - 1, 0))


def _column_for(spec: SheetSpec, header: str) -> ColumnSpec | None:
    wanted = header.strip().lower()
    return next((c for c in spec.columns if any(n.lower() == wanted for n in c.names)), None)


def _width(header: str, col: ColumnSpec | None) -> float:
    base = 2 * len(header) + 4
    if col is None:
        return max(base, 10)
    if col.wide:
        return 30
    return max(base, {"date": 12, "teacher_id": 10, "roles": 18, "text": 12}.get(col.kind, 9))


def _validate_column(ws, spec: SheetSpec, col: ColumnSpec, c: int, last: int) -> None:
    first = FIRST_DATA_ROW
    title = col.header
    if col.kind == "date":
        opts = {"validate": "date", "criteria": "between", "minimum": date(1950, 1, 1),
                "maximum": date(2099, 12, 31), "error_title": title,
                "error_message": "请填写日期，如 2025-09-03 或 2025年9月3日。"}
    elif col.kind == "number":
        opts = {"validate": "decimal", "criteria": ">=", "value": 0, "error_title": title,
                "error_message": "请填写不小于 0 的数字。"}
    elif col.kind == "teacher_id" and not col.roster_id:  # a 工号 that should be on the roster
        opts = {"validate": "list", "source": f"={ROSTER_IDS_NAME}", "error_type": "warning",
                "error_title": title, "error_message": "该工号不在教师名册中。"}
    elif spec.exempts is not None and col.key == spec.exempts.rule:  # the 编号 of a rule it exempts from
        opts = {"validate": "list", "source": f"={RULE_IDS_NAME}", "error_type": "warning",
                "error_title": title, "error_message": "规则编号不在规则表中；留空表示全部规则。"}
    elif col.suggested:  # people also type accepted synonyms (√, 本校, a category of their own): only warn
        choices = col.suggested
        opts = {"validate": "list", "source": list(choices), "error_type": "warning", "error_title": title,
                "error_message": "可选：" + "、".join(choices)}
    elif col.choices:
        opts = {"validate": "list", "source": list(col.choices), "error_title": title,
                "error_message": "可选：" + "、".join(col.choices)}
    else:
        return
    opts["ignore_blank"] = True
    ws.data_validation(first, c, last, c, opts)


def _write(ws, r: int, c: int, value: Any, fmt: _Formats) -> None:
    write_typed(ws, r, c, value, fmt.cells)


def _quote(sheet: str) -> str:
    return "'" + sheet.replace("'", "''") + "'"
