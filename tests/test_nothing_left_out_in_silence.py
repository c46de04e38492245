"""Issue 18 items 3, 4, 5 and 7, on real workbooks: references checked (组别, 规则编号), one session typed
twice counts once, every row left out is an error that --mark marks, a date Excel turned into a number
says so, and the defaults match docs/SPEC.md (R15 counts 外出培训 only; an online course is not 13 hours a day).

Each test failed before its fix (the finding was missing, a warning, or the count was wrong)."""

import datetime as dt
import json

import openpyxl

from cpdsheets.doors.cli import validate_file
from cpdsheets.jobs.book import run_recalc
from cpdsheets.jobs.tabs import marks_for
from cpdsheets.doors.reader import read_workbook
from cpdsheets.reports.tables import MARK_FILL

from conftest import TRAININGS, invoke_cli as cli

D = dt.date
EXEMPTION_HEADER = ["工号", "规则编号", "开始日期", "结束日期", "原因"]
ACTIVITY_HEADER = ["日期", "组别", "类型"]


def _trainings(*rows):
    return [list(TRAININGS[0]), *[list(r) for r in TRAININGS[1:]], *[list(r) for r in rows]]


def _recalc(book):
    return run_recalc(read_workbook(str(book)))


def _credits(outcome, tid="1001"):
    return float(outcome.results.teachers.set_index("teacher_id").loc[tid, "credits"])


# -- item 3: reference values ------------------------------------------------------------------

def test_an_unknown_group_is_an_error_at_its_cell_naming_the_likely_group(book_factory):
    # 「语文」 typed for 「语文组」: before, the meeting silently counted for no group (no finding at all).
    book = book_factory(教研活动=[ACTIVITY_HEADER, [D(2025, 9, 10), "语文", "集体备课"],
                                [D(2025, 9, 11), "数学组", "集体备课"], [D(2025, 9, 12), "一年级数学", "集体备课"],
                                [D(2025, 9, 13), "美术", "集体备课"]])
    found = [f for f in validate_file(str(book)).findings if f.code == "unknown-group"]
    assert [(f.cell, f.value, f.level) for f in found] == [("B2", "语文", "error"), ("B5", "美术", "error")]
    likely, none = found
    assert "是不是「语文组」" in likely.hint() and "'语文组'" in likely.hint("en")
    assert likely.message().endswith("本行不计入统计。")
    assert "语文组、数学组" in none.hint() or "数学组" in none.hint()  # the roster's groups are listed
    assert "是不是" not in none.hint()  # 美术 is like no group of this roster


def test_an_exemption_naming_an_unknown_rule_is_an_error_and_exempts_nothing(book_factory):
    # R99 does not exist: before, a warning said 本行仍计入统计 while it exempted nothing. Read as blank, it
    # would have exempted 张三 from every rule; it must do neither.
    exemptions = [EXEMPTION_HEADER, ["1001", "R99", D(2025, 9, 1), D(2026, 1, 31), "病假"]]
    outcome = _recalc(book_factory(豁免=exemptions))
    f = next(f for f in outcome.findings if f.code == "unknown-rule-id")
    assert (f.cell, f.level) == ("B2", "error")
    assert f.message().endswith("此行豁免不生效。") and f.message("en").endswith("This exemption has no effect.")
    assert "R03" in f.hint()  # the rule IDs that exist
    blank = _recalc(book_factory(豁免=[EXEMPTION_HEADER, ["1001", "", D(2025, 9, 1), D(2026, 1, 31), "病假"]]))

    def r03_sem1(o):
        p = o.results.progress
        row = p[(p["subject"] == "1001") & (p["rule_id"] == "R03") & (p["period_start"] == "2025-09-01")]
        return len(row), (float(row["required"].iloc[0]) if len(row) else None)

    assert r03_sem1(outcome) == (1, 20.0)  # not exempt: the whole semester's 20 lessons
    assert r03_sem1(blank) == (0, None)  # a blank 规则编号 does exempt (the control)
    assert any(m.cell == "B2" and m.sheet == "豁免" for m in marks_for(outcome.findings))


# -- item 4: likely duplicates -----------------------------------------------------------------

def test_one_session_typed_twice_differently_counts_once_with_a_finding_at_both_cells(book_factory):
    # `2025.9.10 / 2` and `9月10日 / 2学时`, the title once with book marks and a space: one session.
    rows = [["2025.9.10", "1001", "张三", "新课标解读", "专业培训", "校级", 2, "出勤"],
            ["9月10日", "1001", "", "《新课标 解读》", "专业培训", "", "2学时", "√"]]
    base = _credits(_recalc(book_factory()))
    outcome = _recalc(book_factory(培训记录=_trainings(*rows)))
    assert _credits(outcome) - base == 2 * 0.5  # counted once (it was 2.0: twice)
    by_code = {f.code: f for f in outcome.findings if f.code.startswith("likely-duplicate")}
    counted, dropped = by_code["likely-duplicate-counted"], by_code["likely-duplicate"]
    assert (counted.cell, counted.level) == ("D4", "warning") and "只计入本行" in counted.message()
    assert (dropped.cell, dropped.level) == ("D5", "error") and "只按第 4 行计入一次" in dropped.message()
    for f in (counted, dropped):
        assert "两行就都计入" in f.hint()  # how to keep both if both are real
    assert [m.cell for m in marks_for(outcome.findings) if m.sheet == "培训记录"] == ["D5"]


def test_two_sessions_on_one_day_with_different_titles_both_count(book_factory):
    rows = [["2025.9.10", "1001", "张三", "新课标解读（上午）", "专业培训", "校级", 2, "出勤"],
            ["9月10日", "1001", "张三", "新课标解读（下午）", "专业培训", "", "2学时", "√"]]
    outcome = _recalc(book_factory(培训记录=_trainings(*rows)))
    assert _credits(outcome) - _credits(_recalc(book_factory())) == 4 * 0.5
    assert not [f for f in outcome.findings if f.code.startswith("likely-duplicate")]


def test_same_topic_taught_by_two_teachers_is_two_lessons_not_a_duplicate(book_factory):
    header = ["日期", "听课人工号", "听课人", "授课教师", "学科", "课题", "课型", "地点"]
    rows = [[D(2025, 9, 10), "1002", "李四", "张三", "语文", "秋天", "推门课", "校内"],
            [D(2025, 9, 10), "1002", "李四", "王五", "语文", "秋天", "研讨课", "校内"],  # 同课异构
            ["2025/9/10", "1002", "李四", "张三", "语文", "《秋天》", "研讨课", "本校"]]  # the first, typed again
    found = [(f.code, f.cell) for f in validate_file(str(book_factory(听课记录=[header, *rows]))).findings]
    assert found == [("likely-duplicate-counted", "F2"), ("likely-duplicate", "F4")]


# -- item 5: nothing left out in silence --------------------------------------------------------

def test_rows_dated_outside_the_year_are_errors_and_marked(book_factory, tmp_path):
    rows = [["2052.11.5", "1001", "张三", "x", "专业培训", "校级", 2, "出勤"],
            ["2026.10.22", "1002", "李四", "y", "专业培训", "校级", 2, "出勤"]]
    book = book_factory(培训记录=_trainings(*rows))
    found = [f for f in validate_file(str(book)).findings if f.code == "date-outside-year"]
    assert [(f.cell, f.level) for f in found] == [("A4", "error"), ("A5", "error")]
    assert all(f.message().endswith("本行不计入统计。") for f in found)
    r = cli("recalc", book, "--mark", "--no-backup")
    assert r.returncode == 0, r.stderr
    ws = openpyxl.load_workbook(book)["培训记录"]
    for ref in ("A4", "A5"):
        assert ws[ref].fill.fgColor.rgb[-6:].upper() == MARK_FILL and "不在本学年" in ws[ref].comment.text


def test_a_date_excel_turned_into_a_number_says_so(book_factory):
    # `12.3` typed into a General cell is the number 12.3 (a day of January 1900): before, "核对年份".
    book = book_factory(培训记录=_trainings([12.3, "1001", "张三", "x", "专业培训", "校级", 2, "出勤"],
                                          [9.1, "1002", "李四", "y", "专业培训", "校级", 2, "出勤"]))
    found = [f for f in validate_file(str(book)).findings if f.row in (4, 5)]
    assert [(f.code, f.cell, f.level) for f in found] == [("date-as-number", "A4", "error"),
                                                           ("date-as-number", "A5", "error")]
    first, second = found
    assert "Excel 当成了数字" in first.message() and "12月3日" in first.message()
    assert "核对年份" not in first.message() + first.hint()
    assert "9月1日或9月10日" in second.message()  # Excel keeps `9.10` as 9.1 too
    assert "Excel turned the date" in first.message("en")


def test_json_output_lists_every_left_out_row_as_an_error(book_factory):
    rows = [["2052.11.5", "1001", "张三", "x", "专业培训", "校级", 2, "出勤"]]
    r = cli("validate", book_factory(培训记录=_trainings(*rows)), "--format", "json")
    findings = json.loads(r.stdout)["files"][0]["findings"]
    assert [(f["code"], f["severity"], f["cell"]) for f in findings] == [("date-outside-year", "error", "A4")]


# -- item 7: defaults that match docs/SPEC.md ---------------------------------------------------------

def test_an_online_course_without_days_is_not_too_many_hours_in_one_day(book_factory):
    # 国培网络研修, 50 学时 logged on the day it ended, no 天数: before, too-many-hours told staff to give
    # 天数, which R15 then counted as days away.
    online = ["2025-10-08", "1001", "张三", "国培网络研修", "网络研修", "国家级", 50, "出勤"]
    one_day = ["2025-10-09", "1001", "张三", "全天研修", "专业培训", "区级", 13, "出勤"]
    found = [(f.code, f.cell) for f in validate_file(str(book_factory(培训记录=_trainings(online, one_day)))).findings]
    assert found == [("too-many-hours", "G5")]
    # with 天数 given, the course is 50 ÷ 7 a day, and its 7 days are no days away (R15 counts 外出培训)
    outcome = _recalc(book_factory(培训记录=[[*TRAININGS[0], "天数"], [*online, 7]]))
    assert not [f for f in outcome.findings if f.code == "too-many-hours"]
    p = outcome.results.progress
    r15 = p[(p["subject"] == "1001") & (p["rule_id"] == "R15")]
    assert r15["actual"].tolist() == [0.0]  # 7 days of 网络研修 are no days away


def test_a_category_the_rules_cannot_see_is_a_warning_naming_the_likely_one(book_factory):
    # 「外出」 for 外出培训: credited at the default rate, but R15 (类别=外出培训) never counted its days.
    header = [*TRAININGS[0], "天数"]
    rows = [[D(2025, 10, 8), "1001", "张三", "区骨干研修", "外出", "区级", 12, "出勤", 2],
            [D(2025, 10, 9), "1001", "张三", "新技术", "人工智能", "区级", 2, "出勤", None]]
    found = [f for f in validate_file(str(book_factory(培训记录=[header, *rows]))).findings]
    assert [(f.code, f.cell, f.level) for f in found] == [("unknown-category", "E2", "warning"),
                                                           ("unknown-category", "E3", "warning")]
    assert "是不是「外出培训」" in found[0].hint() and "是不是" not in found[1].hint()
    assert found[0].message().endswith("本行仍计入统计。")


def test_a_rule_naming_a_group_or_role_nobody_has_is_a_warning_at_its_cell(book_factory):
    from conftest import POLICY_ROWS

    header = ["规则编号", "规则名称", "指标", "数据表", "字段", "条件", "周期", "适用对象", "下限", "上限", "严重度", "后果", "启用"]
    rules = [["R20", "语文组每月活动", "计数", "教研活动", "", "", "月", "对象=教研组 且 教研组=语文", 1, None, "error", "", "是"],
             ["R21", "中层讲座", "计数", "成果记录", "", "类型=讲座", "学期", "岗位 含 中层干部", 1, None, "error", "", "是"],
             ["R22", "中层听课", "计数", "听课记录", "", "", "学期", "岗位 含 中层", 1, None, "error", "", "是"]]
    outcome = _recalc(book_factory(规则=[*map(list, POLICY_ROWS), [], header, *rules]))
    found = [f for f in outcome.findings if f.code == "unknown-rule-value"]
    assert [(f.cell, f.value) for f in found] == [("H12", "语文"), ("H13", "中层干部")]
    assert "是不是「语文组」" in found[0].hint() and "是不是「中层」" in found[1].hint()


def test_the_validate_button_marks_every_row_left_out(book_factory, tmp_path, monkeypatch):
    """The button (xlwings door) marks what --mark marks: 2052.11.5 (outside the year, a warning before)
    and 12.3 (a date Excel turned into a number, before a warning about the year)."""
    monkeypatch.setenv("XLWINGS_LICENSE_KEY", "noncommercial")
    from xlwings_remote import apply_actions, remote_book

    from cpdsheets import excel

    rows = [["2052.11.5", "1001", "张三", "x", "专业培训", "校级", 2, "出勤"],
            [12.3, "1002", "李四", "y", "专业培训", "校级", 2, "出勤"]]
    src = book_factory(培训记录=_trainings(*rows))
    book = remote_book(src)
    excel.validate(book)
    out = tmp_path / "out.xlsx"
    apply_actions(src, out, book.json()["actions"])
    ws = openpyxl.load_workbook(out)["培训记录"]
    assert ws["A4"].fill.fgColor.rgb[-6:].upper() == MARK_FILL and "不在本学年" in ws["A4"].comment.text
    assert ws["A5"].fill.fgColor.rgb[-6:].upper() == MARK_FILL and "Excel 当成了数字" in ws["A5"].comment.text


def test_every_exemption_row_left_out_says_it_exempts_no_one(book_factory):
    rows = [EXEMPTION_HEADER, ["9999", "R03", D(2025, 9, 1), D(2025, 12, 1), "病假"],
            ["1001", "", D(2025, 12, 1), D(2025, 11, 1), "病假"]]
    found = {f.code: f for f in validate_file(str(book_factory(豁免=rows))).findings}
    for code in ("unknown-teacher", "date-order"):
        assert found[code].message().endswith("此行豁免不生效。"), found[code].message()
