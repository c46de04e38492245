"""The live-Excel door on xlwings' remote-interpreter engine: real workbook files turned into the
JSON an xlwings client sends, the engine's answer (its action list) checked, then applied to a
copy of the file and read back."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter

from xlwings_remote import FormulaFromText, apply_actions, excel_reads, norm_rows, remote_book, tab_values

import xlwings as xw  # noqa: E402  (after xlwings_remote set the licence key)
from xlwings.pro import _xlremote as remote_engine

from cpdsheets.doors.live import xlwings_adapter as adapter
from cpdsheets.doors.live.live_door import LiveDoor
from cpdsheets.doors.reader import read_workbook
from cpdsheets.jobs.tabs import book_tabs
from cpdsheets.doors.live.xl_convert import cell_runs, needs_quote, union_addresses
from cpdsheets.reports.tables import MARK_FILL, STATUS_FILLS, CellMark, Column, TabTable

USER_FILL = "FFFF00"


@pytest.fixture(autouse=True)
def _licence(monkeypatch):
    monkeypatch.setenv("XLWINGS_LICENSE_KEY", "noncommercial")


@pytest.fixture
def small_book(tmp_path: Path) -> Path:
    """A school-like workbook: a title row, data that starts off A1, dates, a hidden sheet, a
    user's own fill and note."""
    path = tmp_path / "学校.xlsm"
    wb = xlsxwriter.Workbook(str(path))
    datefmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    yellow = wb.add_format({"bg_color": "#" + USER_FILL})
    ws = wb.add_worksheet("教师名册")
    ws.write_row(0, 0, ["2024-2025学年教师名册"])
    ws.write_row(1, 0, ["工号", "姓名", "出生日期"])
    ws.write_row(2, 0, ["0012", "张三"])
    ws.write_datetime(2, 2, dt.datetime(1990, 5, 1), datefmt)
    ws.write_row(3, 0, ["1001", "李四"])
    ws.write_string(3, 2, "下周")
    tr = wb.add_worksheet("培训记录")
    tr.write_row(2, 1, ["日期", "工号", "学时"])  # used range starts at B3
    tr.write_datetime(3, 1, dt.datetime(2024, 9, 3), datefmt)
    tr.write_row(3, 2, ["0012", 2])
    tr.write_string(4, 1, "2024-13-01")
    tr.write_row(4, 2, ["9999"])
    tr.write_number(4, 3, 1.5, yellow)  # the user's own fill: must survive clear_marks
    tr.write_comment(3, 2, "用户自己的批注")  # C4: the user's own note
    hidden = wb.add_worksheet("豁免")
    hidden.write_row(0, 0, ["工号", "开始日期"])
    hidden.hide()
    wb.close()
    return path


def _actions(book: xw.Book) -> list[dict]:
    return book.json()["actions"]


# -- converters --------------------------------------------------------------------------------

@pytest.mark.parametrize("text, quoted", [
    ("=1+1", True), ("+86 123", True), ("-5", True), ("@sum", True), ("'abc", True), ("#N/A", True),
    ("0012", True), ("1001", True), ("2024-09-03", True), ("9/3", True), ("TRUE", True),
    ("Sep 3", True), (" =cmd", True),
    ("张三", False), ("校本研修", False), ("Zhang San", False), ("", False),
])
def test_needs_quote_table(text, quoted):
    assert needs_quote(text) is quoted


def test_runs_and_union_addresses_group_cells_in_few_areas():
    cells = [(r, 3) for r in range(2, 40)] + [(5, 1), (6, 1), (9, 1)]
    runs = cell_runs(cells)
    assert runs == [(1, 5, 6), (1, 9, 9), (3, 2, 39)]
    assert union_addresses(runs) == ["A5:A6,A9,C2:C39"]
    many = cell_runs([(r, 1) for r in range(2, 400, 2)])
    chunks = union_addresses(many)
    assert all(len(c) <= 255 for c in chunks) and len(chunks) > 1
    assert sum(c.count(",") + 1 for c in chunks) == len(many)


# -- reading -----------------------------------------------------------------------------------

def test_read_book_is_what_the_file_reader_reads(small_book):
    book = remote_book(small_book)
    raw = adapter.read_book(book)
    assert raw.names() == ["教师名册", "培训记录", "豁免"]
    assert raw.sheets["豁免"].hidden and not raw.sheets["教师名册"].hidden
    rows = raw.sheets["培训记录"].rows
    assert rows[3][1] == dt.datetime(2024, 9, 3)  # B4, placed from A1 though the used range starts at B3
    assert rows[2][1:4] == ["日期", "工号", "学时"]
    assert all(v in (None, "") for v in rows[0] + rows[1])
    assert raw.sheets["教师名册"].rows[2][0] == "0012"
    from_file = read_workbook(small_book)
    for name in raw.names():
        assert norm_rows(raw.sheets[name].rows) == norm_rows(from_file.sheets[name].rows), name
    assert _actions(book) == []  # reading queues nothing


# -- output tabs -------------------------------------------------------------------------------

def _summary_table(rows=None) -> TabTable:
    cols = [Column("工号"), Column("姓名"), Column("学分", "number"), Column("课时", "int"),
            Column("完成率", "percent"), Column("状态", "status"), Column("截止日", "date")]
    rows = rows if rows is not None else [
        ["0012", "张三", 41.5, 20, 1.0, "达标", dt.date(2025, 1, 15)],
        ["=HYPERLINK(\"http://x\")", "+李四", 12.0, 3, 0.3, "未达标", None],
        ["1001", "@王五", float("nan"), None, 0.5, "进度落后", dt.date(2025, 1, 15)],
        ["T-7", "-赵六", 0.0, 0, 0.0, "未达标", None],
    ]
    return TabTable("summary", "学分汇总", cols, rows, title="2024-2025学年学分汇总")


def _stored(v):
    """What a TabTable value looks like once Excel has stored it."""
    if v is None or (isinstance(v, float) and v != v):
        return None
    if isinstance(v, dt.date) and not isinstance(v, dt.datetime):
        return dt.datetime(v.year, v.month, v.day)
    return v


def _without_record(actions: list[dict]) -> list[dict]:
    """The actions on the book's own sheets (not on the hidden record of marks and tabs)."""
    at = {a["args"][0] for a in actions if a["func"] == "addSheet" and a["args"][1] == adapter.MARK_STORE}
    return [a for a in actions if a["sheet_position"] not in at and a["args"][1:2] != [adapter.MARK_STORE]]


def test_write_tab_is_one_range_write_then_range_formats(small_book, tmp_path):
    book = remote_book(small_book)
    table = _summary_table()
    LiveDoor(book).write([table])
    actions = _without_record(_actions(book))
    funcs = [a["func"] for a in actions]
    assert funcs.count("addSheet") == 1 and actions[0]["args"] == [3, "学分汇总"]
    writes = [a for a in actions if a["func"] == "setValues"]
    assert len(writes) == 1
    w = writes[0]
    assert (w["start_row"], w["start_column"], w["row_count"], w["column_count"]) == (0, 0, 2 + 4, 7)
    # user text that Excel would read as a formula is quoted
    assert w["values"][3][0] == "'=HYPERLINK(\"http://x\")" and w["values"][3][1] == "'+李四"
    assert w["values"][2][0] == "'0012"  # 工号 stays text, leading zero kept
    formats = {(a["start_column"], a["args"][0]) for a in actions if a["func"] == "setNumberFormat"}
    assert formats == {(2, "0.0#"), (3, "0"), (4, "0.0%"), (6, "yyyy-mm-dd")}  # as the package writer
    assert all(a["start_row"] == 2 and a["row_count"] == 4 for a in actions if a["func"] == "setNumberFormat")
    colours = [a for a in actions if a["func"] == "setRangeColors"]
    assert len(colours) == 1  # every status cell in one call
    assert [row[0].upper() for row in colours[0]["args"][0]] == [
        "#" + STATUS_FILLS[s] for s in ("达标", "未达标", "进度落后", "未达标")]
    assert "setSheetAutofit" in funcs
    freeze = [a for a in actions if a["func"] == "freezePaneAtRange"]
    assert len(freeze) == 1 and freeze[0]["args"] == ["1:2"]  # title and header stay in view

    out = tmp_path / "applied.xlsm"
    apply_actions(small_book, out, actions)  # raises FormulaFromText if any text became a formula
    got = tab_values(out, "学分汇总")
    assert openpyxl.load_workbook(out)["学分汇总"].freeze_panes == "A3"
    assert got[0] == ["2024-2025学年学分汇总"]
    assert got[1] == [c.header for c in table.columns]
    expected = [[_stored(v) for v in row] for row in table.rows]
    for g, e in zip(got[2:], expected):
        assert g + [None] * (len(e) - len(g)) == e
    ws = openpyxl.load_workbook(out, keep_vba=True)["学分汇总"]
    assert ws["A4"].value == "=HYPERLINK(\"http://x\")" and ws["A4"].data_type == "s" and ws["A4"].quotePrefix
    assert ws["A2"].font.b and ws["A2"].fill.fgColor.rgb.endswith("D9E1F2")
    assert ws["F3"].fill.fgColor.rgb == "FF" + STATUS_FILLS["达标"]


def test_write_tab_replaces_the_tab_whole_and_never_duplicates(small_book, tmp_path):
    first = tmp_path / "first.xlsm"
    book = remote_book(small_book)
    LiveDoor(book).write([_summary_table()])
    apply_actions(small_book, first, _actions(book))

    book2 = remote_book(first)
    fewer = _summary_table(rows=[["0012", "张三", 1.0, 1, 0.1, "达标", None]])
    LiveDoor(book2).write([fewer])
    funcs = [a["func"] for a in _actions(book2)]
    assert "addSheet" not in funcs and funcs[0] == "sheetClear"  # replaced in place
    second = tmp_path / "second.xlsm"
    apply_actions(first, second, _actions(book2))
    assert openpyxl.load_workbook(second, keep_vba=True).sheetnames.count("学分汇总") == 1
    got = tab_values(second, "学分汇总")
    assert len(got) == 3 and got[2][:2] == ["0012", "张三"]  # no stale rows from the first run

    book3 = remote_book(second)
    fewer.name = "Summary"  # the English name of the same tab: it replaces the Chinese one, as the CLI's
    LiveDoor(book3).write([fewer])
    third = tmp_path / "third.xlsm"
    apply_actions(second, third, _actions(book3))
    names = openpyxl.load_workbook(third, keep_vba=True).sheetnames
    assert "学分汇总" not in names and names.count("Summary") == 1
    assert tab_values(third, "Summary") == got


def test_excel_input_model_rejects_unquoted_formulas():
    with pytest.raises(FormulaFromText):
        excel_reads("=1+1")
    assert excel_reads("'=1+1") == ("=1+1", True)
    assert excel_reads("0012") == (12, False)  # why 工号 must be quoted


# -- marks -------------------------------------------------------------------------------------

def test_marks_fill_and_note_then_clear_removes_exactly_ours(small_book, tmp_path):
    marks = [CellMark("培训记录", "B5", "「2024-13-01」不是有效日期。"),
             CellMark("培训记录", "C5", "工号「9999」不在教师名册中。"),
             CellMark("培训记录", "C4", "示例：用户已有批注的格子"),
             CellMark("教师名册", "C4", "「下周」不是有效日期。")]
    book = remote_book(small_book)
    assert LiveDoor(book).write([], marks=marks) == {}
    actions = _actions(book)
    colour_calls = [a for a in actions if a["func"] == "setRangeColors"]
    assert len(colour_calls) == 2  # one per sheet
    notes = {(a["sheet_position"], a["args"][0]) for a in actions if a["func"] == "addNote"}
    assert notes == {(1, "$B$5"), (1, "$C$5"), (0, "$C$4")}  # the user's note on C4 is left alone
    marked = tmp_path / "marked.xlsm"
    apply_actions(small_book, marked, actions)
    wb = openpyxl.load_workbook(marked, keep_vba=True)
    tr = wb["培训记录"]
    for ref in ("B5", "C5", "C4"):
        assert tr[ref].fill.fgColor.rgb == "FF" + MARK_FILL, ref
    assert tr["D5"].fill.fgColor.rgb == "FF" + USER_FILL
    assert tr["C4"].comment.text.startswith("用户自己的批注")
    assert "不是有效日期" in tr["B5"].comment.text
    assert wb[adapter.MARK_STORE].sheet_state == "hidden"
    assert len(tab_values(marked, adapter.MARK_STORE)) == 1 + 4  # header, the cells marked

    book2 = remote_book(marked)
    assert LiveDoor(book2).clear_marks() == 4
    cleared = tmp_path / "cleared.xlsm"
    apply_actions(marked, cleared, _actions(book2))
    wb = openpyxl.load_workbook(cleared, keep_vba=True)
    tr = wb["培训记录"]
    for ref in ("B5", "C5", "C4"):
        assert tr[ref].fill.fill_type is None, ref
    assert tr["B5"].comment is None and tr["C5"].comment is None
    assert tr["C4"].comment is not None and tr["C4"].comment.text.startswith("用户自己的批注")
    assert tr["D5"].fill.fgColor.rgb == "FF" + USER_FILL  # the user's own colour stays
    assert wb["教师名册"]["C4"].comment is None
    assert tab_values(cleared, adapter.MARK_STORE) == [adapter.MARK_STORE_HEADER]


# -- buttons -----------------------------------------------------------------------------------

def test_a_failing_button_shows_a_short_message_and_logs_one_line(small_book, tmp_path):
    from xlwings_remote import payload_from_file

    from cpdsheets import excel

    # An xlwings Lite book fetched without cell values: reading it fails inside xlwings.
    impl = remote_engine.App(remote_engine.Apps(), add_book=False).books.open(
        payload_from_file(small_book), lazy=True)
    book = xw.Book(impl=impl)
    excel.recalc(book)  # must not raise
    actions = _actions(book)
    alerts = [a for a in actions if a["func"] == "alert"]
    assert len(alerts) == 1
    message, title, _, mode, _ = alerts[0]["args"]
    assert "重新计算" in message and "没有完成" in message and "运行记录" in message
    assert "Traceback" not in message and mode == "critical"
    log = [a for a in _without_record(actions) if a["func"] == "setValues"]
    assert len(log) == 1 and log[0]["values"][-1][0] == "出错" and "XlwingsError" in log[0]["values"][-1][1]


@pytest.mark.parametrize("job", ["validate", "recalc"])
def test_buttons_write_the_tabs_the_jobs_produce(small_book, tmp_path, job):
    from cpdsheets import excel
    from cpdsheets.jobs import book as jobs

    book = remote_book(small_book)
    getattr(excel, job)(book)
    actions = _actions(book)
    raw = read_workbook(small_book)
    outcome = book_tabs((jobs.run_validate if job == "validate" else jobs.run_recalc)(raw))
    writes = [a for a in actions if a["func"] == "setValues" and a["start_row"] == 0]
    added = [a["args"][1] for a in actions if a["func"] == "addSheet"]
    for tab in outcome.tabs:
        assert tab.name in added
    assert len([a for a in actions if a["func"] == "alert"]) == 1
    out = tmp_path / "out.xlsm"
    apply_actions(small_book, out, actions)
    for tab in outcome.tabs:
        if tab.key == "runlog":
            continue  # holds the run time
        got = tab_values(out, tab.name)
        assert got[tab.header_row - 1] == [c.header for c in tab.columns]
        assert len(got) == tab.header_row + len(tab.rows)
    assert len(writes) >= len(outcome.tabs)


DEMO = Path(__file__).resolve().parents[1] / "workbook" / "demo_school.xlsm"


def _filled_master(tmp_path: Path) -> Path:
    """The shipped template (from ``build_master``) with a few realistic rows typed in, some wrong."""
    from cpdsheets.doors.template.master import build_master

    path = build_master(tmp_path / "master" / "学校.xlsm", year="2024-2025")
    wb = openpyxl.load_workbook(path, keep_vba=True)
    d = dt.datetime
    rows = {
        "教师名册": [["0012", "张三", "女", d(1990, 5, 1), d(2012, 9, 1), "语文组", "一年级语文", "班主任、中层"],
                 ["1001", "李四", "男", d(1996, 3, 2), d(2022, 9, 1), "数学组", "一年级数学", "新教师", "0012"],
                 ["1002", "王五", "女", d(1985, 1, 9), d(2006, 9, 1), "数学组", "一年级数学", "骨干"]],
        "培训记录": [[d(2024, 9, 3), "0012", "张三", "师德专题", "师德培训", "校级", 3, "出勤"],
                 [d(2024, 9, 3), "1001", "李四", "师德专题", "师德培训", "校级", "2学时", "√"],
                 ["下周", "1002", "王五", "=cmd|' /c calc'!A0", "网络研修", "区级", 4, "出勤"],
                 [d(2024, 10, 8), "9999", "无名", "新课标", "专业培训", "市级", 6, "缺勤"]],
        "听课记录": [[d(2024, 9, 10), "1001", "李四", "张三", "语文", "古诗两首", "师徒课", "校内", 300],
                 [d(2024, 9, 12), "0012", "张三", "李四", "数学", "认识图形", "推门课", "外校", 200]],
    }
    for name, new_rows in rows.items():
        ws = wb[name]
        for row in new_rows:
            ws.append(row)
            for cell in ws[ws.max_row]:  # `=cmd|…` typed as text: openpyxl would store a formula with no result
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    cell.data_type = "s"
    wb.save(path)
    return path


def _book_for(kind: str, small_book: Path, tmp_path: Path) -> Path:
    if kind == "master":
        return _filled_master(tmp_path)
    if kind == "demo":
        return DEMO  # shipped in the repository: a missing one fails the test
    return small_book


def _looks(path: Path, name: str) -> dict[str, tuple[str, str | None, bool, float]]:
    """Per non-empty cell of a tab: its number format, solid fill (RRGGBB), bold and font size."""
    ws = openpyxl.load_workbook(path)[name]
    out = {}
    for row in ws.iter_rows():
        for cell in row:
            if cell.value is None:
                continue
            fill = cell.fill.fgColor.rgb if cell.fill.fill_type == "solid" else None
            out[cell.coordinate] = (cell.number_format, fill[-6:] if isinstance(fill, str) else None,
                                    bool(cell.font.b), float(cell.font.sz or 11))
    return out


@pytest.mark.parametrize("kind", ["small", "master", "demo"])
@pytest.mark.parametrize("job", ["validate", "recalc"])
def test_button_tabs_equal_the_cli_package_writer(small_book, tmp_path, kind, job):
    """The same workbook through both doors: the button's actions applied by the Excel model,
    and the CLI's package writer, give the same output tab values, number formats and fills."""
    from cpdsheets import excel
    from cpdsheets.jobs import book as jobs
    from cpdsheets.doors.ooxml.package_writer import write_tabs

    src = _book_for(kind, small_book, tmp_path)
    as_of = None
    outcome = book_tabs(getattr(jobs, f"run_{job}")(read_workbook(src), as_of=as_of))  # a crash here fails, never skips
    book = remote_book(src)
    getattr(excel, job)(book)
    actions = _actions(book)
    assert not [a for a in actions if a["func"] == "alert" and a["args"][3] == "critical"], actions[-1]
    via_button = tmp_path / "button.xlsm"
    apply_actions(src, via_button, actions)

    via_cli = tmp_path / "cli.xlsm"
    write_tabs(src, outcome.tabs, out=via_cli, backup=False)

    for tab in outcome.tabs:
        button_rows, cli_rows = tab_values(via_button, tab.name), tab_values(via_cli, tab.name)
        if tab.key == "runlog":  # run time, duration and path differ by nature; the items match
            assert [r[0] for r in button_rows] == [r[0] for r in cli_rows]
            continue
        assert button_rows == cli_rows, tab.name
        assert _looks(via_button, tab.name) == _looks(via_cli, tab.name), tab.name
    # and the marks the CLI would set are the cells the button filled
    marked = {(m.sheet, m.cell) for m in outcome.marks}
    store = tab_values(via_button, adapter.MARK_STORE)[1:]
    # (the record's rows without a cell list the tabs cpdsheets wrote, see mark_record)
    assert {(row[0], row[1]) for row in store if row[1]} == marked
