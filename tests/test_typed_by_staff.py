"""A fresh `cpdsheets new` master filled through openpyxl cell by cell, the way staff type, then the CLI.

Each value below is what a person typed: `2010.9` for 参加工作时间, `９/3`-style dates, `８人`, `两`, `半天`,
a five-day course of 30 学时, a 工号 without its leading zero, a name in the 工号 column. The book is saved,
recalculated by the real command, and the findings and results are read back from its JSON and tabs.
"""

import json

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from conftest import invoke_cli as cli

AS_OF = "2026/1/20"  # typed as staff type it; inside the first semester

ROSTER = [  # 工号, 姓名, 出生日期, 参加工作时间, 教研组, 备课组, 岗位, 师傅工号
    ("0101", "王芳", "1985年3月", "2010.9", "语文组", "一年级语文", "骨干", None),
    ("1002", "李明", "1999-05", "2023-09", "语文组", "一年级语文", "新教师", "0101"),
    ("1003", "赵丽", None, "去年", "数学组", "一年级数学", None, None),  # 参加工作时间 unreadable
    ("1004", None, "1990.13", 2001.9, "数学组", "一年级数学", None, None),  # no name; month 13; Excel's 2001.9
]
TRAININGS = [  # 日期, 工号, 姓名, 项目名称, 类别, 级别, 学时, 考勤, 学分, 天数
    ("2025年9月3号", "0101", "王芳", "师德培训", "师德培训", "校级", "2", "出勤", "abc", None),  # row 3
    ("10/8", "0101", "王芳", "省骨干研修", "外出培训", "省级", "30学时", "出勤", None, "5"),  # 6 a day
    ("11/12", "0101", "王芳", "区教研", "外出培训", "区级", "3", "√", None, "半天"),
    ("12/3", "0101", "王芳", "市观摩", "外出培训", "市级", "6", "出勤", None, "两"),  # days 5+0.5+2 = 7.5
    ("10-10", "1002", "李明", "区级培训", "专业培训", "区级", "14", "出勤", None, None),  # row 7: 14 in a day
    ("10/20", "1002", "李明", "跟岗学习", "外出培训", "市级", "20", "出勤", None, "十"),  # 10 days > 8: R15
    ("9/10", "101", "王芳", "通识培训", "通识培训", "校级", "2", "出勤", None, None),  # row 9: 0101 meant
    ("9/11", "李明", "李明", "通识培训", "通识培训", "校级", "2", "出勤", None, None),  # row 10: 1002 meant
    ("9/12", "1003", "赵丽", "通识培训", "通识培训", "校级", "2", "出勤", None, None),
]
OBSERVATIONS = [  # 日期, 听课人工号, 听课人, 授课教师, 学科, 课题, 课型, 地点, 评课字数
    ("9/15", "1002", "李明", "王芳", "语文", "秋天", "师徒课", "校内", "300字"),
    ("9/22", "1002", "李明", "王芳", "语文", "小蝌蚪", "师徒课", "本校", "-300"),  # bad optional: still a lesson
    ("10/13", "1002", "李明", "王芳", "语文", "雪地", "推门课", "校内", "２００字"),
]
READING = [  # 工号, 日期, 书刊名称, 类型, 字数
    ("0101", "9-3", "给教师的建议", "必读书目", "3000字"),
    ("1003", "2025.9.31", "人民教育", "教育刊物", None),  # row 4: no 31 September
    ("1003", "2025.10", "人民教育", "教育刊物", None),  # row 5: a log date needs its day
    ("0101", "9/4", "人民教育", "教育刊物", "很多字"),  # rows 6 and 7 differ only in an unreadable 字数:
    ("0101", "9/4", "人民教育", "教育刊物", "好多字"),  # two rows, not one row twice
]
ACTIVITIES = [  # 日期, 组别, 类型, 主讲人, 人数
    ("9/10", "语文组", "主题教研", "王芳", "8人"), ("10/15", "语文组", "集体备课", "王芳", "８人"),
    ("11/12", "语文组", "主题教研", "李明", "8 人"), ("12/10", "语文组", "集体备课", "王芳", "两"),
    ("9/11", "数学组", "主题教研", "赵丽", "十二"), ("10/16", "数学组", "集体备课", "赵丽", "三"),
    ("11/13", "数学组", "主题教研", "赵丽", "12人"), ("12/11", "数学组", "集体备课", "赵丽", "8 人"),
]
HEADERS = {
    "教师名册": ("工号", "姓名", "出生日期", "参加工作时间", "教研组", "备课组", "岗位", "师傅工号"),
    "培训记录": ("日期", "工号", "姓名", "项目名称", "类别", "级别", "学时", "考勤", "学分", "天数"),
    "听课记录": ("日期", "听课人工号", "听课人", "授课教师", "学科", "课题", "课型", "地点", "评课字数"),
    "读书记录": ("工号", "日期", "书刊名称", "类型", "字数"),
    "教研活动": ("日期", "组别", "类型", "主讲人", "人数"),
}
DATA = {"教师名册": ROSTER, "培训记录": TRAININGS, "听课记录": OBSERVATIONS, "读书记录": READING,
        "教研活动": ACTIVITIES}



LETTER: dict[tuple[str, str], str] = {}  # (sheet, header) -> the template's column letter


def at(sheet, header, row):
    return f"{LETTER[sheet, header]}{row}"


def type_in(path):
    """Fill the template's sheets one cell at a time under its own header row, as a person would."""
    wb = openpyxl.load_workbook(path)
    for sheet, rows in DATA.items():
        ws = wb[sheet]
        column = {c.value: c.column for c in ws[2] if c.value}
        LETTER.update({(sheet, h): c.column_letter for c in ws[2] if (h := c.value)})
        for r, values in enumerate(rows, start=3):
            for header, value in zip(HEADERS[sheet], values):
                if value is not None:
                    ws.cell(row=r, column=column[header], value=value)
    wb.save(path)


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    path = tmp_path_factory.mktemp("staff") / "2025-2026学年校本培训.xlsx"
    made = cli("new", path, "--year", "2025-2026")
    assert made.returncode == 0, made.stderr
    type_in(path)
    return path


@pytest.fixture(scope="module")
def result(book):
    r = cli("recalc", book, "--as-of", AS_OF, "--format", "json", "--no-backup")
    assert r.returncode == 0, r.stderr  # findings never fail recalc unless --fail-on says so
    return json.loads(r.stdout)


def found(result, code, sheet=None):
    return [f for f in result["findings"] if f["code"] == code and (sheet is None or f["sheet"] == sheet)]


def test_month_answers_are_dates_and_a_bad_one_keeps_the_teacher(result, book):
    roster_dates = [(f["cell"], f["value"]) for f in found(result, "invalid-date", "教师名册")]
    assert sorted(roster_dates) == [(at("教师名册", "出生日期", 6), "1990.13"), (at("教师名册", "参加工作时间", 5), "去年")]  # 2010.9, 2023-09, 1985年3月 are dates
    assert {t["teacher_id"] for t in result["teachers"]} == {"0101", "1002", "1003", "1004"}
    listed = {row[0] for row in CalamineWorkbook.from_path(str(book)).get_sheet_by_name("学分汇总").to_python()[2:]}
    assert {"0101", "1002", "1003", "1004"} <= listed


def test_an_unreadable_optional_cell_is_read_as_blank_and_says_so(result):
    bad = found(result, "invalid-date", "教师名册")
    assert all("该单元格按空白处理" in f["message"] for f in bad)
    missing_name = found(result, "missing-value", "教师名册")
    assert [f["cell"] for f in missing_name] == [at("教师名册", "姓名", 6)] and "该单元格按空白处理" in missing_name[0]["message"]
    credit = found(result, "invalid-number", "培训记录")
    assert [f["cell"] for f in credit] == [at("培训记录", "学分", 3)] and "该单元格按空白处理" in credit[0]["message"]
    wang = next(t for t in result["teachers"] if t["teacher_id"] == "0101")
    assert wang["credits_by_category"].get("师德培训", 0) > 0  # the row with 学分 "abc" counted by its 学时
    required = found(result, "invalid-date", "读书记录")
    assert [f["cell"] for f in required] == [at("读书记录", "日期", 4), at("读书记录", "日期", 5)]
    assert all("本行不计入统计" in f["message"] for f in required)


def test_rows_differing_in_unreadable_cells_are_no_duplicates(result):
    assert not found(result, "duplicate-row")
    unreadable = found(result, "invalid-number", "读书记录")
    assert [f["cell"] for f in unreadable] == [at("读书记录", "字数", 6), at("读书记录", "字数", 7)]


def test_teacher_with_unknown_seniority_is_named_with_the_rules_it_affects(result):
    hits = found(result, "attribute-unknown")
    assert [(f["cell"], f["severity"]) for f in hits] == [(at("教师名册", "参加工作时间", 5), "warning")]
    assert "赵丽" in hits[0]["message"] and "教龄" in hits[0]["message"] and "R12、R13" in hits[0]["message"]
    # 1004's bad 出生日期 gives no such finding: no enabled rule asks for 年龄
    assert not any("1004" in f["message"] for f in hits)


def test_unknown_teacher_hints_point_at_the_roster_teacher(result):
    unknown = found(result, "unknown-teacher")
    assert [(f["cell"], f["value"]) for f in unknown] == [(at("培训记录", "工号", 9), "101")]  # no roster teacher reported unknown
    assert "0101" in unknown[0]["hint"] and "王芳" in unknown[0]["hint"] and "添加" not in unknown[0]["hint"]
    by_name = found(result, "invalid-teacher-id")
    assert [f["cell"] for f in by_name] == [at("培训记录", "工号", 10)] and "1002" in by_name[0]["hint"]


def test_hours_per_day_use_days(result):
    over = found(result, "too-many-hours")
    assert [f["cell"] for f in over] == [at("培训记录", "学时", 7)]  # 14 学时 in one day; not the 30 学时 over 5 days
    assert "学时 ÷ 天数" in over[0]["message"] and "本行仍计入统计" in over[0]["message"]


def test_counts_typed_with_units_and_words(result):
    assert not found(result, "invalid-number", "教研活动")
    assert not found(result, "invalid-number", "听课记录")  # -300 is negative, not unreadable
    closed = [a for a in result["alerts"] if a["rule_id"] == "R16" and a["period_end"] < "2026-01-01"]
    assert closed == []  # every group met in Sep-Dec: no meeting row was dropped over its 人数
    off_site = {a["subject"]: a["actual"] for a in result["alerts"] if a["rule_id"] == "R15"}
    assert off_site == {"1002": 10}  # 十 天; 0101's 5 + 半天 + 两 = 7.5 stays within 8


def test_negative_optional_number_keeps_the_lesson(result):
    negative = found(result, "negative-number", "听课记录")
    assert [f["cell"] for f in negative] == [at("听课记录", "评课字数", 4)] and "该单元格按空白处理" in negative[0]["message"]
    r03 = [a for a in result["alerts"] if a["rule_id"] == "R03" and a["subject"] == "1002"]
    assert [a["actual"] for a in r03] == [3]


def test_english_effects_and_fail_on(book, tmp_path):
    r = cli("validate", book, "--as-of", AS_OF, "--format", "json", "--lang", "en")
    findings = json.loads(r.stdout)["files"][0]["findings"]
    credit = next(f for f in findings if f["code"] == "invalid-number")
    assert credit["message"].endswith("The cell is read as blank; the row still counts.")
    out = tmp_path / "gate.xlsx"
    gate = cli("recalc", book, "--as-of", AS_OF, "-o", out, "--fail-on", "error")
    assert gate.returncode == 1 and out.exists()  # written first, then failed on the errors
    assert "学分汇总" in CalamineWorkbook.from_path(str(out)).sheet_names
