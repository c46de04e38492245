"""Every finding code in the catalogue, triggered in a real workbook, found at its cell."""

import datetime as dt

import pytest

from cpdsheets.contract.findings import EFFECTS, FindingType, finding_codes
from cpdsheets.doors.cli import validate_file
from cpdsheets.jobs.book import run_recalc
from cpdsheets.doors.reader import read_workbook
from conftest import OBSERVATIONS, READING, ROSTER, TRAININGS, POLICY_ROWS

from cpdsheets.contract.binding import MAPPING_HEADERS, Binding, ColumnBinding, SheetBinding
from cpdsheets.engine.binding.mapping_sheet import mapping_rows

D = dt.date
T = TRAININGS[0]
RULES_HEADER = ["规则编号", "规则名称", "指标", "数据表", "字段", "条件", "周期", "适用对象", "下限", "上限", "严重度", "后果", "启用"]


def tr(*row):
    return [list(T), *[list(r) for r in TRAININGS[1:]], list(row)]


def _reading_line(*extra, sheet="读书记录", drop=""):
    """The template's 读书记录 bound to itself, as a 映射 line would."""
    pairs = [("工号", "teacher_id"), ("日期", "date"), ("书刊名称", "title"), ("类型", "type"), *extra]
    return SheetBinding(sheet=sheet, target="reading",
                        columns=tuple(ColumnBinding(header=h, field=f) for h, f in pairs if f != drop))


def _mapping(*sheets):
    return mapping_rows(Binding(sheets=sheets))


# code -> (sheet changes, expected sheet, expected cell)
CASES = {
    "missing-sheet": ({"成果记录": None}, "成果记录", ""),
    "missing-column": ({"读书记录": [["工号", "日期", "类型"], ["1001", D(2025, 9, 9), "必读书目"]]}, "读书记录", "A1"),
    "header-not-found": ({"读书记录": [["随便", "写点"], ["1", "2"]]}, "读书记录", "A1"),
    "duplicate-column": ({"读书记录": [["工号", "日期", "书刊名称", "类型", "工号"],
                                       ["1001", D(2025, 9, 9), "书", "必读书目", "1001"]]}, "读书记录", "E1"),
    "missing-value": ({"培训记录": tr(D(2025, 9, 5), "1001", "张三", "", "通识培训", "校级", 2, "出勤")}, "培训记录", "D4"),
    # openpyxl, which writes these books, saves a formula with no result (`<v></v>`), as after any script
    "formula-not-calculated": ({"培训记录": tr(D(2025, 9, 5), "1001", "张三", "x", "通识培训", "校级", "=1+1", "出勤")},
                               "培训记录", "G4"),
    "formulas-not-calculated": ({"培训记录": tr(D(2025, 9, 5), "1001", '="张"&"三"', "x", "通识培训", "校级", 2, "出勤")},
                                "培训记录", ""),
    "invalid-date": ({"培训记录": tr("2025-13-01", "1001", "张三", "x", "通识培训", "校级", 2, "出勤")}, "培训记录", "A4"),
    "invalid-number": ({"培训记录": tr(D(2025, 9, 5), "1001", "张三", "x", "通识培训", "校级", "两小时", "出勤")}, "培训记录", "G4"),
    "unexpected-unit": ({"培训记录": tr(D(2025, 9, 5), "1001", "张三", "x", "通识培训", "校级", "8人", "出勤")}, "培训记录", "G4"),
    "negative-number": ({"培训记录": tr(D(2025, 9, 5), "1001", "张三", "x", "通识培训", "校级", "-3", "出勤")}, "培训记录", "G4"),
    "invalid-choice": ({"培训记录": tr(D(2025, 9, 5), "1001", "张三", "x", "通识培训", "乡级", 2, "出勤")}, "培训记录", "F4"),
    "invalid-teacher-id": ({"培训记录": tr(D(2025, 9, 5), "张三", "张三", "x", "通识培训", "校级", 2, "出勤")}, "培训记录", "B4"),
    "unknown-teacher": ({"培训记录": tr(D(2025, 9, 5), "9999", "赵六", "x", "通识培训", "校级", 2, "出勤")}, "培训记录", "B4"),
    "name-mismatch": ({"培训记录": tr(D(2025, 9, 5), "1001", "李四", "x", "通识培训", "校级", 2, "出勤")}, "培训记录", "C4"),
    "duplicate-row": ({"培训记录": tr(*TRAININGS[1])}, "培训记录", "A4"),
    # `12.3` typed in a General cell: Excel keeps the number 12.3 (a day of January 1900)
    "date-as-number": ({"培训记录": tr(12.3, "1001", "张三", "x", "通识培训", "校级", 2, "出勤")}, "培训记录", "A4"),
    # row 2's session (2025-09-03, 1001, 师德培训) typed again with other cells typed differently
    "likely-duplicate": ({"培训记录": tr(D(2025, 9, 3), "1001", "张三", "《师德培训》", "师德培训", "", "2学时", "√")},
                         "培训记录", "D4"),
    "likely-duplicate-counted": ({"培训记录": tr(D(2025, 9, 3), "1001", "张三", "《师德培训》", "师德培训", "", 2, "√")},
                                 "培训记录", "D2"),
    "unknown-category": ({"培训记录": tr(D(2025, 9, 5), "1001", "张三", "x", "外出", "区级", 2, "出勤")}, "培训记录", "E4"),
    "unknown-group": ({"教研活动": [["日期", "组别", "类型"], [D(2025, 9, 10), "语文", "集体备课"]]}, "教研活动", "B2"),
    "date-outside-year": ({"培训记录": tr(D(2024, 9, 5), "1001", "张三", "x", "通识培训", "校级", 2, "出勤")}, "培训记录", "A4"),
    "too-many-hours": ({"培训记录": tr(D(2025, 9, 3), "1001", "张三", "长培训", "通识培训", "校级", 11, "出勤")}, "培训记录", "G2"),
    "unknown-observed-teacher": ({"听课记录": [list(OBSERVATIONS[0]), [D(2025, 9, 10), "1002", "李四", "陌生人", "语文", "x", "推门课", "本校"]]}, "听课记录", "D2"),
    "duplicate-teacher-id": ({"教师名册": [*map(list, ROSTER), ["1001", "张三三", "", "", "", None]]}, "教师名册", "A5"),
    "unknown-mentor": ({"教师名册": [*map(list, ROSTER), ["1004", "赵六", "", "", "", "8888"]]}, "教师名册", "F5"),
    "self-mentor": ({"教师名册": [*map(list, ROSTER), ["1004", "赵六", "", "", "", "1004"]]}, "教师名册", "F5"),
    "date-order": ({"豁免": [["工号", "规则编号", "开始日期", "结束日期", "原因"], ["1001", "", D(2025, 12, 1), D(2025, 11, 1), "病假"]]}, "豁免", "D2"),
    "unknown-rule-id": ({"豁免": [["工号", "规则编号", "开始日期", "结束日期", "原因"], ["1001", "R99", D(2025, 11, 1), D(2025, 12, 1), "病假"]]}, "豁免", "B2"),
    "invalid-setting": ({"规则": [*map(list, POLICY_ROWS[:2]), ["学年开始", "下周"], *map(list, POLICY_ROWS[3:])]}, "规则", "B3"),
    "invalid-calendar-line": ({"规则": [*map(list, POLICY_ROWS), [], ["校历日期", "结束日期", "类型", "说明"],
                                       [D(2025, 11, 3), None, "开会", ""]]}, "规则", f"C{len(POLICY_ROWS) + 3}"),
    "invalid-rule": ({"规则": [*map(list, POLICY_ROWS), [], RULES_HEADER,
                              ["R01", "总学分", "平均数", "培训记录", "学分", "", "学年", "", 40, None, "error", "", "是"]]}, "规则", "C12"),
    # issue 18 items 8 and 9 (h18rest): a log 映射 says the school does not keep; a book bind would read
    "rule-log-not-kept": ({"成果记录": None, "映射": [list(MAPPING_HEADERS), ["（本校不登记）", "（整张表）", "成果记录", ""]]},
                          "规则", ""),
    "not-bound": ({"教师名册": None, "教职工名单": [list(r) for r in ROSTER]}, "教师名册", ""),
    "unknown-rule-value": ({"规则": [*map(list, POLICY_ROWS), [], RULES_HEADER,
                                    ["R20", "语文组每月活动", "计数", "教研活动", "", "", "月", "对象=教研组 且 教研组=语文", 1,
                                     None, "error", "", "是"]]}, "规则", "H12"),
    "attribute-unknown": ({"教师名册": [[*ROSTER[0], "参加工作时间"], [*ROSTER[1], "去年"], [*ROSTER[2], None],
                                       [*ROSTER[3], None]]}, "教师名册", "G2"),
    "no-school-year": ({"规则": [["设置项", "值"], ["学校名称", "测试小学"]]}, "规则", ""),
    # the base book has no 教研活动 sheet: its rules (R16-R18, defaults, so no cell) are not evaluated
    "rule-not-evaluated": ({}, "规则", ""),
    # binding (映射): the template's sheets, or a school's own, read through a 映射 sheet
    "invalid-mapping": ({"映射": [list(MAPPING_HEADERS), ["读书记录", "（整张表）", "心情记录", ""]]}, "映射", "C2"),
    "mapped-sheet-missing": ({"映射": _mapping(_reading_line(sheet="旧读书记录"))}, "映射", ""),
    "mapped-header-missing": ({"映射": _mapping(_reading_line(("作者", "chars")))}, "读书记录", "A1"),
    "unbound-field": ({"映射": _mapping(_reading_line(drop="type"))}, "读书记录", "A1"),
    "unknown-teacher-name": ({"读书记录": [READING[0], ["赵六", *READING[1][1:]]], "映射": _mapping(_reading_line())},
                             "读书记录", "A2"),
    "ambiguous-teacher-name": ({"教师名册": [*map(list, ROSTER), ["1004", "张三", "", "", "", None]],
                                "读书记录": [READING[0], ["张三", *READING[1][1:]]], "映射": _mapping(_reading_line())},
                               "读书记录", "A2"),
    # 读书记录 bound without its 类型 column, 映射 giving every row a 类型 that is none (header, sheet line,
    # three column lines, then the default line: row 6)
    "invalid-mapping-default": ({"映射": _mapping(_reading_line(drop="type").model_copy(update={"columns": (
        *_reading_line(drop="type").columns, ColumnBinding(header="", field="type", default="心情随笔"))}))},
        "映射", "D6"),
    "grid-session-unreadable": ({"签到表": [["工号", "姓名", "2025.9.10 讲座"], ["1001", "张三", "√"]],
                                 "映射": _mapping(SheetBinding(sheet="签到表", target="trainings", shape="grid", columns=(
                                     ColumnBinding(header="工号", field="teacher_id"),
                                     ColumnBinding(header="姓名", field="name"))))}, "签到表", "C1"),
}
RECALC_ONLY = {"rule-not-evaluated", "unknown-rule-value", "rule-log-not-kept"}  # found when computing, not when validating


def test_every_code_has_a_case():
    assert set(CASES) == set(finding_codes()), "every catalogue code needs a triggering case here"


def test_clean_book_has_no_findings(book_factory):
    report = validate_file(str(book_factory()))
    assert report.findings == [], [f.as_dict() for f in report.findings]


@pytest.mark.parametrize("code", sorted(CASES))
def test_code_is_found_at_its_cell(book_factory, code):
    changes, sheet, cell = CASES[code]
    book = str(book_factory(**changes))
    findings = run_recalc(read_workbook(book)).findings if code in RECALC_ONLY else validate_file(book).findings
    hits = [f for f in findings if f.code == code]
    assert hits, f"{code} not found; got {[f.as_dict() for f in findings]}"
    f = hits[0]
    assert f.sheet == sheet
    assert f.cell == cell
    d = f.as_dict("zh")
    assert d["message"] and "{" not in d["message"] and d["hint"] and "{" not in d["hint"]
    en = f.as_dict("en")
    assert en["message"] != d["message"]
    assert d["severity"] == FindingType.registry[code].severity


# The effect each case's finding states: an error in a required column leaves the row out, one in an
# optional column (级别, 师傅工号) only blanks the cell; a warning's row still counts; a sheet without its
# header row or a required column counts no row.
EFFECT_OF_CASE = {
    "missing-value": "row-left-out", "formula-not-calculated": "row-left-out", "invalid-date": "row-left-out", "invalid-number": "row-left-out",
    "negative-number": "row-left-out", "invalid-choice": "cell-blank", "invalid-teacher-id": "row-left-out",
    "unknown-teacher": "row-left-out", "name-mismatch": "row-counts", "duplicate-row": "row-left-out",
    "date-outside-year": "row-left-out", "too-many-hours": "row-counts", "unknown-observed-teacher": "row-counts",
    "duplicate-teacher-id": "row-left-out", "unknown-mentor": "row-counts", "self-mentor": "cell-blank",
    "date-order": "exemption-void", "unknown-rule-id": "exemption-void", "date-as-number": "row-left-out",
    "likely-duplicate": "row-left-out", "likely-duplicate-counted": "row-counts", "unknown-group": "row-left-out",
    "unknown-category": "row-counts", "unexpected-unit": "row-counts",
    "missing-column": "sheet-left-out", "header-not-found": "sheet-left-out",
    "unbound-field": "sheet-left-out", "unknown-teacher-name": "row-left-out", "ambiguous-teacher-name": "row-left-out",
}


@pytest.mark.parametrize("code", sorted(CASES))
def test_message_says_its_effect(book_factory, code):
    changes, _, cell = CASES[code]
    findings = run_recalc(read_workbook(str(book_factory(**changes)))).findings  # validation and computation
    f = next(x for x in findings if x.code == code and x.cell == cell)
    effect = EFFECT_OF_CASE.get(code)
    for lang in ("zh", "en"):
        message = f.message(lang)
        if effect is None:  # sheet, policy and teacher findings say what happens in their own words
            assert not any(message.endswith(e[lang]) for e in EFFECTS.values()), message
        else:
            assert message.endswith(EFFECTS[effect][lang]), message


def test_an_unreadable_attendance_mark_leaves_its_row_out_instead_of_counting_as_present(book_factory):
    # A blank 考勤 is present; a mark nobody can read must not become one (级别 only blanks its cell).
    def credits_of_1001(mark):
        rows = tr(D(2025, 9, 5), "1001", "张三", "x", "通识培训", "校级", 6, mark)
        outcome = run_recalc(read_workbook(str(book_factory(培训记录=rows))))
        teachers = outcome.results.teachers.set_index("teacher_id")
        return float(teachers.loc["1001", "credits"]), [f for f in outcome.findings if f.cell == "H4"]

    present, none = credits_of_1001("√")
    unreadable, found = credits_of_1001("？")
    assert not none and present - unreadable == 6 * 0.5  # 通识培训: 0.5 credit an hour
    assert [(f.code, f.effect, f.value) for f in found] == [("invalid-choice", "row-left-out", "？")]
    blank, _ = credits_of_1001("")
    assert blank == present


def test_an_id_that_differs_only_in_leading_zeros_says_which_side_lost_them(book_factory):
    # 王五 is 0007 in the roster: a log's 7 (a number cell) lost the zeros, so fix the log there.
    roster = [list(r) for r in ROSTER]
    f = _unknown(book_factory(培训记录=tr(D(2025, 9, 5), 7, "王五", "x", "通识培训", "校级", 2, "出勤")))
    assert f.variant == "padded" and f.hint() == "名册中有工号 0007（王五），只差前导零：请改为 0007。"
    # 李四 is 1002 in the roster but kept as the number 1002 vs a log's 01002: the roster cell is the
    # likely culprit (Excel drops the zeros of a 工号 typed into a number cell), so the hint names it.
    roster[2][0] = 1002
    f = _unknown(book_factory(教师名册=roster, 培训记录=tr(D(2025, 9, 5), "01002", "李四", "x", "通识培训", "校级", 2,
                                                      "出勤")))
    assert f.variant == "roster-unpadded"
    assert "请在名册中把 1002 改为文本 01002" in f.hint() and "retype it there as text" in f.hint("en")


def _unknown(book):
    return next(x for x in validate_file(str(book)).findings if x.code == "unknown-teacher" and x.cell == "B4")


def test_lazy_validation_collects_every_problem(book_factory):
    rows = tr("下周", "9999", "赵六", "", "通识培训", "乡级", "-1", "??")
    report = validate_file(str(book_factory(培训记录=rows)))
    codes = {f.code for f in report.findings if f.row == 4}
    assert {"invalid-date", "unknown-teacher", "missing-value", "invalid-choice", "negative-number"} <= codes


def test_finding_reports_value_as_typed(book_factory):
    rows = tr(D(2025, 9, 5), "1001", "张三", "x", "通识培训", "校级", "两小时", "出勤")
    f = next(x for x in validate_file(str(book_factory(培训记录=rows))).findings if x.code == "invalid-number")
    assert f.value == "两小时" and f.column == "学时" and f.row == 4


def test_readme_catalogue_lists_every_code():
    from pathlib import Path

    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    missing = [c for c in finding_codes() if f"| `{c}` |" not in readme]
    assert not missing, f"README's findings catalogue lacks {missing}"


def test_readme_catalogue_gives_each_code_its_catalogue_severity():
    """The README table and the catalogue say the same severity (its first word; a parenthesis may add
    when another applies), so a finding made an error here cannot stay a warning in the docs."""
    import re
    from pathlib import Path

    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    table = readme.split("## Findings catalogue", 1)[1]
    said = {m[1]: m[2] for m in re.finditer(r"^\| `([a-z-]+)` \| (\w+)", table, re.MULTILINE)}
    wrong = {c: (said.get(c), FindingType.registry[c].severity) for c in finding_codes()
             if said.get(c) != FindingType.registry[c].severity}
    assert not wrong, wrong
