"""What `bind` adds to a school's book: the 控制台, 规则 and 映射 sheets, as :class:`PlainSheet`s.

The 控制台 and 规则 sheets carry the content `cpdsheets new` gives them (the template's buttons,
settings and default rules: :mod:`cpdsheets.doors.template`), laid out the same way; they use no
cell format of the book's own (see :mod:`plain_sheet`), so bold is a rich-text run and the header
fill is left out.
"""

from __future__ import annotations

from ...contract.binding import HEADER_ROW_LINE, Binding
from ...contract.policy import DEFAULT_RULES, METRICS, PACES, PERIOD_KINDS
from ...contract.school_calendar import DAY_KINDS
from ...contract.texts import Text, lang_or
from ...jobs.bind import MappingTable
from ..ooxml.form_buttons import Button, column_pixels
from ..ooxml.plain_sheet import PlainSheet, Run, list_validation, number_validation
from ..xml_text import column_letters, display_width
from ..template.master import (
    CALENDAR_HEADERS, CALENDAR_NOTE, CALENDAR_SPARE_ROWS, RULE_HEADER_NOTES, RULE_HEADERS, SETTINGS_HEADERS,
    SEVERITY_WORDS, rule_cells,
)
from ..template.school_year import calendar_rows, default_settings
from ..template.text import BUTTONS, CONSOLE_INTRO, CONSOLE_TITLE, service_rows

GREY = "FF595959"
TITLE_POINTS = 14
# The template's 控制台: columns A-C, a button every third row from row 4, rows of 30 points.
CONSOLE_WIDTHS = {0: 3, 1: 18, 2: 80}
BUTTON_ROWS = [3 + 3 * i for i in range(len(BUTTONS))]
BUTTON_ROW_POINTS = 30
DEFAULT_ROW_PIXELS = 20
POLICY_WIDTHS = {0: 22, 1: 18, 2: 12, 3: 10, 4: 10, 5: 26, 6: 8, 7: 16, 8: 8, 9: 8, 10: 8, 11: 36, 12: 6, 13: 10}
# The rows the template's date validation covers: 学年开始 .. 统计截止日 (0-based rows 4..11).
POLICY_DATE_ROWS = (4, 11)
RULE_ROWS_SPARE = 50  # the drop-downs reach this far below the default rules, for rules staff add
MAPPING_NOTE = Text(
    "cpdsheets 按本表读取本校的工作表：可修改「对应字段」和「默认值」，改完重新校验即可；某张表不要读取，"
    "把它（整张表）那一行的「对应字段」改为（不用）；本校不登记的记录（如成果记录），加一行"
    "「（本校不登记） | （整张表） | 成果记录」，它的规则就不计算；本校的工作表不会被改动。",
    "cpdsheets reads the school's sheets through this table: edit 对应字段 / 默认值 and validate again; to "
    "leave a sheet out, set 对应字段 of its （整张表） line to （不用）; for a log the school does not keep (e.g. "
    "成果记录), add the line （本校不登记） | （整张表） | 成果记录 and its rules are not evaluated; the school's "
    "own sheets are never changed.")
KEPT_VBA_NOTE = Text(
    "本工作簿原有的宏项目已原样保留，未加入 cpdsheets 的宏：要使用这些按钮，请在 VBA 编辑器中导入 "
    "xlmacros/CpdSheets.bas（并按 xlwings 的说明导入 xlwings 模块），或使用命令行 cpdsheets。",
    "The workbook's own VBA project was kept untouched and cpdsheets' macros were not added: to use the "
    "buttons, import xlmacros/CpdSheets.bas (and the xlwings module) in the VBA editor, or use the "
    "cpdsheets command line.")


def console_sheet(asked: str, *, kept_vba: bool, server: str = "",
                  link_rid: str = "rId2") -> tuple[PlainSheet, list[Button], list[int], list[int]]:
    """The 控制台 sheet, its buttons, and the column and row sizes in pixels that place them. With a
    ``server``, its 在线校验 cell links through relationship ``link_rid`` (the caller writes it)."""
    lang = lang_or(asked)
    rows: list[list[object]] = [["", Run(CONSOLE_TITLE[lang], size=TITLE_POINTS)],
                                ["", Run(CONSOLE_INTRO[lang], bold=False, colour=GREY)]]
    buttons = []
    for r, (macro, caption, note) in zip(BUTTON_ROWS, BUTTONS):
        rows += [[] for _ in range(r - len(rows))] + [["", "", note[lang]]]
        buttons.append(Button(caption[lang], macro, r, 1))
    if kept_vba:
        rows += [[], ["", Run(KEPT_VBA_NOTE[lang])]]
    rows.append([])
    links: dict[tuple[int, int], str] = {}
    for label, value, link in service_rows(server, lang):
        if link:
            links[(len(rows), 1)] = link_rid
        rows.append(["", label, Run(value, bold=False, colour=GREY) if value and (link or not label) else value])
    heights: dict[int, float] = {r: BUTTON_ROW_POINTS for r in BUTTON_ROWS}
    sheet = PlainSheet(rows, widths=dict(CONSOLE_WIDTHS), heights=heights, gridlines=False, links=links)
    col_px = [column_pixels(CONSOLE_WIDTHS.get(c, 8.43)) for c in range(len(CONSOLE_WIDTHS) + 1)]
    row_px = [round(heights[r] * 4 / 3) if r in heights else DEFAULT_ROW_PIXELS for r in range(len(rows) + 1)]
    return sheet, buttons, col_px, row_px


def policy_notes(sheet: PlainSheet) -> dict[tuple[int, int], str]:
    """The template's notes on the rules table's header (1-based row, 0-based column -> text)."""
    header = next(r for r, row in enumerate(sheet.rows) if row and row[0] == Run(RULE_HEADERS[0]))
    calendar = next(r for r, row in enumerate(sheet.rows) if row and row[0] == Run(CALENDAR_HEADERS[0]))
    return {(calendar + 1, 0): CALENDAR_NOTE, **{(header + 1, col): note for col, note in RULE_HEADER_NOTES.items()}}


def policy_sheet(label: str, school: str = "", *, real_dates: bool = True) -> PlainSheet:
    """The 规则 sheet of a new book for the school year ``label``: settings, then the default rules
    (their header's notes: :func:`policy_notes`)."""
    rows: list[list[object]] = [[Run(f"{label}学年 规则与设置", size=TITLE_POINTS)], [],
                                [Run(h) for h in SETTINGS_HEADERS]]
    for name, value, note in default_settings(label, school):
        rows.append([name, value, Run(note, bold=False, colour=GREY) if note else ""])
    rows += [[], []]
    calendar = len(rows)
    rows.append([Run(h) for h in CALENDAR_HEADERS])
    rows += [list(line) for line in calendar_rows(label)]
    rows += [[] for _ in range(CALENDAR_SPARE_ROWS)]
    calendar_end = len(rows)  # 0-based, exclusive
    rows += [[]]
    header = len(rows)
    rows.append([Run(h) for h in RULE_HEADERS])
    rows += [rule_cells(rule) for rule in DEFAULT_RULES]
    first, last = header + 2, len(rows) + RULE_ROWS_SPARE  # 1-based rows of the drop-downs

    def rng(col: int, to_col: int | None = None) -> str:
        return f"{column_letters(col)}{first}:{column_letters(col if to_col is None else to_col)}{last}"

    validations = [list_validation(rng(2), METRICS), list_validation(rng(6), PERIOD_KINDS),
                   list_validation(rng(10), tuple(SEVERITY_WORDS.values())), list_validation(rng(12), ("是", "否")),
                   list_validation(rng(13), PACES), number_validation(rng(8, 9), 0),
                   list_validation(f"C{calendar + 2}:C{calendar_end}", DAY_KINDS)]
    if real_dates:
        a, b = POLICY_DATE_ROWS
        validations.insert(0, '<dataValidation type="date" allowBlank="1" showInputMessage="1" showErrorMessage="1" '
                              f'error="请填写日期，如 2025-09-01" sqref="B{a + 1}:B{b + 1}">'
                              "<formula1>36526</formula1><formula2>73050</formula2></dataValidation>")
    return PlainSheet(rows, widths=dict(POLICY_WIDTHS), freeze_cols=1, validations=validations,
                      landscape_fit_width=True)


def mapping_sheet(table: MappingTable, lang: str) -> PlainSheet:
    """The 映射 table (:func:`cpdsheets.jobs.bind.book_layout`): a new one under a one-line note
    (read_mapping finds the header in the first rows), or on a re-bind as laid out around what staff
    typed in the book's own 映射."""
    header_at = table.header_at
    if header_at is not None:
        typed = table.rows
        notes = set(MAPPING_NOTE.values())
        rows: list[list[object]] = [
            [Run(v, bold=False, colour=GREY) if r < header_at and v in notes else
             Run(v) if r == header_at and isinstance(v, str) and v else v for v in row]
            for r, row in enumerate(typed)]
        return PlainSheet(rows, widths=_widths(typed), freeze_rows=header_at + 1, landscape_fit_width=True)
    lines = table.rows
    rows = [[Run(MAPPING_NOTE[lang], bold=False, colour=GREY)], [Run(h) for h in lines[0]]]
    for line in lines[1:]:
        # the header-row line's row number as a number: Excel flags a number stored as text
        rows.append([*line[:3], int(line[3])] if line[1] == HEADER_ROW_LINE and line[3].isdigit() else list(line))
    return PlainSheet(rows, widths=_widths(lines), freeze_rows=2, landscape_fit_width=True)


def _widths(table: list[list]) -> dict[int, float]:
    """Each column as wide as its longest text (12 to 50 characters); a note row's long text excepted."""
    widths: dict[int, float] = {}
    for c in range(max((len(row) for row in table), default=0)):
        cells = [row[c] for row in table if c < len(row) and row[c] not in (None, "")]
        longest = max((display_width(str(v)) for v in cells if str(v) not in MAPPING_NOTE.values()), default=0)
        widths[c] = min(max(longest + 4, 12), 50)
    return widths
