"""Reading the 规则 sheet: settings, rules, defaults, and a finding at every bad cell."""

from __future__ import annotations

import datetime as dt

from cpdsheets.contract.book import RawSheet
from cpdsheets.contract.policy import CREDITS_SHEET, DEFAULT_RULES, default_policy
from cpdsheets.engine.policy_sheet import a1, read_policy

D = dt.date
RULE_HEADER = ["规则编号", "规则名称", "指标", "数据表", "字段", "条件", "周期", "适用对象", "下限", "上限",
               "严重度", "后果", "启用"]


def sheet(*rows):
    return RawSheet("规则", [list(r) for r in rows])


def by_cell(findings):
    return {f.cell: f for f in findings}


def test_default_rules_are_specs_table():
    ids = [r.rule_id for r in DEFAULT_RULES]
    assert ids[:18] == [f"R{i:02d}" for i in range(1, 19)]
    assert all(r.enabled for r in DEFAULT_RULES[:18])
    assert [r.enabled for r in DEFAULT_RULES[18:]] == [False] * (len(DEFAULT_RULES) - 18)
    r = {x.rule_id: x for x in DEFAULT_RULES}
    assert (r["R01"].sheet, r["R01"].lower, r["R01"].period) == (CREDITS_SHEET, 40, "学年")
    assert (r["R04"].lower, r["R05"].lower, r["R05"].metric) == (30, 0.3, "占比")
    assert (r["R08"].period, r["R17"].period, r["R16"].period) == ("双周", "周", "月")
    assert (r["R15"].upper, r["R15"].lower, r["R15"].severity) == (8, None, "warning")
    assert r["R09"].metric == "字数" and r["R09"].lower == 5000
    assert r["R11"].lower == 20 and r["R10"].lower == 30


def test_missing_sheet_gives_defaults_without_year():
    policy, findings = read_policy(None)
    assert findings == []
    assert [r.rule_id for r in policy.rules] == [r.rule_id for r in DEFAULT_RULES]
    assert policy.settings.year_start is None and not policy.from_sheet
    empty, findings = read_policy(sheet())
    assert findings == [] and len(empty.rules) == len(DEFAULT_RULES)


def test_settings_in_every_date_form():
    policy, findings = read_policy(sheet(
        ["2024-2025学年校本培训规则"],
        [],
        ["设置项 *", "值"],
        ["学校名称", "实验小学"],
        ["学年开始", "2024.9.1"],
        ["学年结束", D(2025, 8, 31)],
        ["第一学期开始", "9月2日"],          # year from the school year
        ["第一学期结束", "2025年1月17日"],
        ["第二学期开始", "2025/2/17"],
        ["第二学期结束", "45842"],           # an Excel serial stored as text: 2025-07-04
        ["统计截止日", None],
    ))
    s = policy.settings
    assert findings == []
    assert s.school_name == "实验小学"
    assert (s.year_start, s.year_end) == (D(2024, 9, 1), D(2025, 8, 31))
    assert (s.sem1_start, s.sem1_end) == (D(2024, 9, 2), D(2025, 1, 17))
    assert (s.sem2_start, s.sem2_end) == (D(2025, 2, 17), D(2025, 7, 4))
    assert s.as_of is None
    assert len(policy.rules) == len(DEFAULT_RULES)  # no rules table: the defaults


def test_credit_settings_maps_and_keyed_rows():
    policy, findings = read_policy(sheet(
        ["Setting", "Value"],
        ["学分换算", "校本研修=1；网络研修=0.25；默认=0.4"],
        ["学分换算:外出培训", 2],
        ["成果学分", "论文=4; 讲座/市级=6"],
        ["成果学分:公开课/区级", "3"],
        ["学分上限", "网络研修=5；成果=10"],
    ))
    s = policy.settings
    assert findings == []
    assert (s.rate("校本研修"), s.rate("网络研修"), s.rate("外出培训"), s.rate("师德培训")) == (1, 0.25, 2, 0.4)
    assert s.output_credit("论文", "国家级") == 10  # level table kept from defaults
    assert s.output_credit("论文", None) == 4
    assert s.output_credit("讲座", "市级") == 6 and s.output_credit("公开课", "区级") == 3
    assert s.category_caps == {"网络研修": 5, "成果": 10}


def test_bad_settings_are_findings_at_the_value_cell():
    policy, findings = read_policy(sheet(
        [None, "设置项", "值"],
        [None, "学年开始", "下周"],
        [None, "第一学期结束", "2025-13-01"],
        [None, "学分换算", "很多"],
        [None, "成果学分", "专著=3"],
        [None, "学分上限", "网络研修=-1"],
        [None, "颜色", "红"],
    ))
    cells = by_cell(findings)
    assert set(cells) == {"C2", "C3", "C4", "C5", "C6", "C7"}
    assert cells["C2"].code == "invalid-setting" and cells["C2"].value == "下周"
    assert cells["C2"].params["setting"] == "学年开始" and cells["C2"].column == "值"
    assert "专著" in cells["C5"].params["reason"].zh
    assert cells["C7"].level == "warning"  # unknown key: ignored with a warning
    assert policy.settings.year_start is None
    assert policy.settings.category_caps == {}  # caps were given (badly): no default cap sneaks in


def test_rules_table_parsed_with_cells():
    policy, findings = read_policy(sheet(
        ["设置项", "值"],
        ["学年开始", "2024-09-01"],
        [],
        RULE_HEADER,
        ["R03", "听课", "计数", "听课记录", "", "", "学期", "", 20, None, "错误", "", "是"],
        [],  # a blank row inside the table
        ["R05", "校内占比", "占比", "Observations", "", "地点=校内", "每学期", "岗位 含 中层", "30%", "", "", "", ""],
        ["X1", "随笔", "计数", "成果记录", "", "类型=教育随笔", "月", "教龄<=5", 1, "", "提示", "约谈", "否"],
        ["R15", "外出", "合计", "培训记录", "天数", "", "学年", "", "", "8天", "警告", "", ""],
    ))
    assert findings == []
    assert policy.from_sheet
    r = {x.rule_id: x for x in policy.rules}
    assert list(r) == ["R03", "R05", "X1", "R15"]
    assert r["R05"].lower == 0.3 and r["R05"].sheet == "observations" and r["R05"].period == "学期"
    assert r["R05"].cells["lower"] == "I7" and r["R05"].row == 7
    assert (r["X1"].enabled, r["X1"].severity, r["X1"].consequence) == (False, "info", "约谈")
    assert (r["R15"].field, r["R15"].upper, r["R15"].lower, r["R15"].severity) == ("days", 8, None, "warning")


def test_bad_rule_cells_are_findings_at_their_cells_and_the_rule_is_left_out():
    policy, findings = read_policy(sheet(
        RULE_HEADER,
        ["R01", "好", "计数", "读书记录", "", "", "月", "", 1, "", "", "", ""],
        ["R02", "坏指标", "平均", "读书记录", "", "", "月", "", 1, "", "", "", ""],
        ["R03", "坏表", "计数", "工资表", "", "", "月", "", 1, "", "", "", ""],
        ["R04", "坏字段", "合计", "读书记录", "颜色", "", "月", "", 1, "", "", "", ""],
        ["R05", "坏条件", "计数", "读书记录", "", "类型==论文", "月", "", 1, "", "", "", ""],
        ["R06", "坏周期", "计数", "读书记录", "", "", "季度", "", 1, "", "", "", ""],
        ["R07", "上下限", "计数", "读书记录", "", "", "月", "", 5, 2, "", "", ""],
        ["R08", "坏对象", "计数", "读书记录", "", "", "月", "年纪<3", 1, "", "", "", ""],
        ["R01", "重复", "计数", "读书记录", "", "", "月", "", 1, "", "", "", ""],
        ["R09", "无界", "计数", "读书记录", "", "", "月", "", "", "", "", "", ""],
        ["R10", "负数", "计数", "读书记录", "", "", "月", "", -1, "", "", "", ""],
        ["R11", "组规则", "计数", "读书记录", "", "", "月", "对象=教研组", 1, "", "", "", ""],
        ["R12", "坏启用", "计数", "读书记录", "", "", "月", "", 1, "", "", "", "也许"],
    ))
    assert [r.rule_id for r in policy.rules] == ["R01"]
    cells = {f.cell: f for f in findings}
    assert set(cells) == {"C3", "D4", "E5", "F6", "G7", "I8", "H9", "A10", "I11", "I12", "H13", "M14"}
    assert all(f.code == "invalid-rule" and f.sheet == "规则" for f in findings)
    assert cells["C3"].value == "平均" and cells["C3"].column == "指标"
    assert cells["C3"].params["rule_id"] == "R02"
    assert "大于上限" in cells["I8"].params["reason"].zh
    assert "未知字段" in cells["H9"].params["reason"].zh
    assert "重复" in cells["A10"].params["reason"].zh
    assert "多个运算符" in cells["F6"].params["reason"].zh
    assert "R05" in cells["F6"].message()


def test_english_headers_and_other_column_order():
    policy, findings = read_policy(sheet(
        ["Enabled", "Period", "Rule ID", "Metric", "Sheet", "Lower", "Condition"],
        ["yes", "week", "W1", "count", "GroupActivities", 1, ""],
    ))
    assert [f.cell for f in findings] == ["C2"]  # no 适用对象 column: reported at the rule id
    assert policy.rules == []
    policy, findings = read_policy(sheet(
        ["Enabled", "Period", "Rule ID", "Metric", "Sheet", "Lower", "Applies to"],
        ["yes", "week", "W1", "count", "GroupActivities", 1, "对象=备课组"],
    ))
    assert findings == [] and policy.rules[0].period == "周" and policy.rules[0].sheet == "activities"


def test_empty_rules_table_falls_back_to_defaults():
    policy, findings = read_policy(sheet(RULE_HEADER))
    assert findings == [] and len(policy.rules) == len(DEFAULT_RULES) and not policy.from_sheet


def test_a1():
    assert (a1(0, 0), a1(9, 25), a1(0, 26), a1(1, 701)) == ("A1", "Z10", "AA1", "ZZ2")


def test_default_policy():
    assert default_policy().active_rules == [r for r in DEFAULT_RULES if r.enabled]


def test_school_year_ending_before_it_starts_is_a_finding_and_falls_back():
    from cpdsheets.contract.book import RawSheet
    from cpdsheets.engine.policy_sheet import read_policy
    from datetime import date

    sheet = RawSheet("规则", [["设置项", "值"], ["学年开始", date(2025, 9, 1)], ["学年结束", date(2025, 1, 31)],
                              ["第一学期开始", date(2025, 9, 1)], ["第一学期结束", date(2025, 8, 1)]])
    policy, findings = read_policy(sheet)
    cells = {(f.code, f.cell) for f in findings}
    assert ("invalid-setting", "B3") in cells and ("invalid-setting", "B5") in cells
    assert policy.settings.year_end is None and policy.settings.sem1_end is None
    assert policy.settings.year_start == date(2025, 9, 1)
