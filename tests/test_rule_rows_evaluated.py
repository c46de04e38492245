"""Every rule the 规则 reader accepts is evaluated, or is a finding at its 规则 cell (issue 18 item 6).

A generated rules row (指标 × 数据表 × 周期 × 条件 × 适用对象 × 字段, typed from the words schools use and
from words that are wrong) is put into a small whole workbook, which the recalc job runs as every door
does. No row may end in an exception (the doors would print 内部错误), and the reader and the
computation must agree: a row the reader refuses has an invalid-rule finding at a cell of its row; a
row it accepts has either progress rows (every 适用对象 below matches someone on the roster, and every
period has started) or a rule-not-evaluated finding at its 规则编号 cell, when the sheets cannot answer it.
"""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cpdsheets.contract.book import RawBook, RawSheet
from cpdsheets.jobs.book import run_recalc

D = dt.date
RULE_HEADER = ["规则编号", "规则名称", "指标", "数据表", "字段", "条件", "周期", "适用对象", "下限", "上限", "启用"]
SETTINGS = [["设置项", "值"], ["学年开始", D(2025, 9, 1)], ["学年结束", D(2026, 8, 31)],
            ["第一学期开始", D(2025, 9, 1)], ["第一学期结束", D(2026, 1, 23)],
            ["第二学期开始", D(2026, 2, 24)], ["第二学期结束", D(2026, 7, 3)], ["统计截止日", D(2026, 3, 20)]]
ROSTER = [["工号", "姓名", "性别", "出生日期", "参加工作时间", "教研组", "备课组", "岗位", "师傅工号"],
          ["1001", "张三", "男", D(1980, 1, 1), D(2000, 9, 1), "语文组", "一年级语文", "中层、班主任", ""],
          ["1002", "李四", "女", D(1995, 5, 1), D(2023, 9, 1), "数学组", "一年级数学", "新教师", "1001"],
          ["1003", "王五", "女", D(1990, 3, 1), D(2012, 9, 1), "语文组", "一年级语文", "骨干", "1001"]]
LOGS = {
    "培训记录": [["日期", "工号", "姓名", "项目名称", "类别", "级别", "学时", "考勤", "学分", "天数"],
             [D(2025, 9, 10), "1001", "张三", "通识", "外出培训", "区级", 6, "出勤", "", 1],
             [D(2025, 10, 10), "1002", "李四", "校本", "校本研修", "校级", 2, "出勤", "", ""]],
    "听课记录": [["日期", "听课人工号", "听课人", "授课教师", "学科", "课题", "课型", "地点", "评课字数"],
             [D(2025, 9, 15), "1002", "李四", "张三", "数学", "分数", "师徒课", "校内", 300],
             [D(2025, 11, 3), "1001", "张三", "1003", "语文", "古诗", "推门课", "校外", 200]],
    "读书记录": [["工号", "日期", "书刊名称", "类型", "字数"],
             ["1001", D(2025, 9, 20), "人民教育", "教育刊物", 1200],
             ["1003", D(2025, 12, 1), "给教师的建议", "必读书目", 3000]],
    "成果记录": [["工号", "日期", "类型", "级别", "题目", "获奖", "学分"],
             ["1002", D(2025, 10, 20), "公开课", "校级", "分数的意义", "", ""]],
    "教研活动": [["日期", "组别", "类型", "主讲人", "人数"],
             [D(2025, 9, 12), "语文组", "集体备课", "张三", 8],
             [D(2025, 10, 17), "一年级数学", "跨学科", "李四", 5]],
    "豁免": [["工号", "规则编号", "开始日期", "结束日期", "原因"],
           ["1003", "R03", D(2025, 11, 1), D(2025, 12, 31), "病假"]],
}

METRICS = ["计数", "合计", "占比", "字数", "次数", "sum", "平均"]
SHEETS = ["培训记录", "听课记录", "读书记录", "成果记录", "教研活动", "豁免", "Exemptions", "学分", "教师名册",
          "规则", "Trainings", "成绩"]
PERIODS = ["学年", "学期", "月", "双周", "周", "每周", "季度"]
CONDITIONS = ["", "类型=读书导研单", "类型=跨学科|跨学段", "地点=校内", "级别=校级", "类别=外出培训",
              "授课教师=师傅", "授课教师=徒弟", "学时>2", "天数>=1", "岗位 含 中层", "教龄<=5", "组别=语文组",
              "开始日期>2025-10-01", "原因=病假", "规则编号=R03", "对象=教研组", "字数>1000 且 类型=教育刊物",
              "颜色=红"]
# Each one matches someone on the roster (or a group), so an evaluated rule always has progress rows.
APPLIES = ["", "岗位 含 中层", "教龄<=5", "有师傅", "是师傅", "年龄<40", "性别=女", "教研组=语文组",
           "对象=教研组", "对象=备课组", "对象=教研组 且 教研组=语文组"]
FIELDS = ["", "学时", "天数", "字数", "学分", "类型", "授课教师", "评课字数", "人数", "工号", "级别", "日期",
          "原因", "开始日期", "组别"]
DROPPED = st.sets(st.sampled_from([None, "教研活动", "豁免", "成果记录", "读书记录:字数", "培训记录:级别"]),
                  max_size=2)


def book(cells: dict[str, object], dropped: set[str | None]) -> RawBook:
    rules = [RULE_HEADER, [cells.get(h) for h in RULE_HEADER]]
    sheets = {"规则": RawSheet("规则", [*SETTINGS, [], rules[0], rules[1]]),
              "教师名册": RawSheet("教师名册", [list(r) for r in ROSTER])}
    for name, rows in LOGS.items():
        if name in dropped:
            continue
        rows = [list(r) for r in rows]
        column = next((d.split(":")[1] for d in dropped if d and d.startswith(name + ":")), None)
        if column is not None:
            c = rows[0].index(column)
            rows = [r[:c] + r[c + 1:] for r in rows]
        sheets[name] = RawSheet(name, rows)
    return RawBook(sheets, path="rules.xlsx")


def rule_row(metric, sheet, period, condition, applies, field, lower, upper):
    return {"规则编号": "X1", "规则名称": "生成的规则", "指标": metric, "数据表": sheet, "字段": field,
            "条件": condition, "周期": period, "适用对象": applies, "下限": lower, "上限": upper, "启用": "是"}


RULE_ROW_ROW = len(SETTINGS) + 3  # the sheet row (1-based) of the generated rule


def check_agreement(cells: dict[str, object], dropped: set[str | None], *, subjects_exist: bool) -> None:
    outcome = run_recalc(RawBook(book(cells, dropped).sheets, path="rules.xlsx"))  # raises = 内部错误
    on_row = [f for f in outcome.findings if f.sheet == "规则" and f.row == RULE_ROW_ROW]
    refused = [f for f in on_row if f.code == "invalid-rule"]
    accepted = [r for r in outcome.policy.rules if r.rule_id == "X1"]
    assert bool(refused) != bool(accepted), (cells, on_row)
    if refused:
        assert all(f.cell for f in refused)
        return
    skipped = [f for f in on_row if f.code == "rule-not-evaluated"]
    evaluated = outcome.results.progress["rule_id"].eq("X1").any()
    assert not (skipped and evaluated), cells
    if skipped:
        assert skipped[0].cell == accepted[0].cells["rule_id"]
    elif subjects_exist:
        assert evaluated, (cells, dropped)


def test_a_teacher_attribute_in_a_group_sheet_s_condition_is_refused_at_its_cell():
    """Found by the property below: 教研活动's rows are a group's meetings, with no teacher to read 岗位 from;
    the rule used to stop the run with KeyError 't:roles'."""
    cells = rule_row("计数", "教研活动", "学年", "岗位 含 中层", "对象=教研组", "", 1, None)
    check_agreement(cells, set(), subjects_exist=True)
    outcome = run_recalc(book(cells, set()))
    refused = [f for f in outcome.findings if f.code == "invalid-rule" and f.row == RULE_ROW_ROW]
    assert len(refused) == 1 and refused[0].column == "条件" and "岗位" in refused[0].message()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(METRICS), st.sampled_from(SHEETS), st.sampled_from(PERIODS), st.sampled_from(CONDITIONS),
       st.sampled_from(APPLIES), st.sampled_from(FIELDS), st.sampled_from([1, 0.3, "30%", None, "两节"]),
       st.sampled_from([None, None, 8, "3天"]), DROPPED)
def test_every_typed_rule_row_is_evaluated_or_a_finding(metric, sheet, period, condition, applies, field, lower,
                                                        upper, dropped):
    cells = rule_row(metric, sheet, period, condition, applies, field, lower, upper)
    check_agreement(cells, dropped, subjects_exist=True)


typed = st.one_of(st.none(), st.text(max_size=12), st.integers(-3, 50), st.floats(allow_nan=True),
                  st.dates(D(2020, 1, 1), D(2030, 1, 1)))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(typed, st.sampled_from(METRICS)), st.one_of(typed, st.sampled_from(SHEETS)),
       st.one_of(typed, st.sampled_from(PERIODS)), st.one_of(typed, st.sampled_from(CONDITIONS)),
       st.one_of(typed, st.sampled_from(APPLIES)), st.one_of(typed, st.sampled_from(FIELDS)), typed, typed, DROPPED)
def test_anything_typed_in_a_rule_row_never_stops_the_workbook(metric, sheet, period, condition, applies, field,
                                                              lower, upper, dropped):
    cells = rule_row(metric, sheet, period, condition, applies, field, lower, upper)
    check_agreement(cells, dropped, subjects_exist=False)


def test_a_rule_counting_the_exemption_sheet_is_a_finding_at_its_cell():
    cells = rule_row("计数", "豁免", "学期", "", "", "", 1, None)
    outcome = run_recalc(book(cells, set()))
    found = [f for f in outcome.findings if f.code == "invalid-rule" and f.row == RULE_ROW_ROW]
    assert [f.cell for f in found] == [f"D{RULE_ROW_ROW}"]
    assert "豁免" in found[0].message("zh") and "不是记录表" in found[0].message("zh")
