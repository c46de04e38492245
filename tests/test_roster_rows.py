"""Nobody vanishes: a roster row is left out only when its 工号 is missing, malformed or repeated; every other
problem on the roster blanks its cell, keeps the teacher, and says which rules it affects."""

import datetime as dt
import json

from conftest import invoke_cli

D = dt.date
HEADER = ["工号", "姓名", "教研组", "备课组", "岗位", "师傅工号", "入校日期", "离校日期"]
ROSTER = [
    HEADER,
    ["1001", "张三", "语文组", "一年级语文", "班主任、中层", None, None, None],
    ["1002", "李四", "数学组", "一年级数学", "新教师", "1001", None, None],
    ["0007", "王五", "数学组", "一年级数学", "", None, None, None],
    ["1005", "钱七", "语文组", "一年级语文", "", "1005", None, None],  # row 5: own mentor
    ["1006", "孙八", "语文组", "一年级语文", "", "7", None, None],  # row 6: 0007 without its zeros
    ["1007", "周九", "数学组", "", "", "王五", D(2025, 10, 1), D(2025, 9, 1)],  # row 7: leaves early; mentor by name
    ["1001", "张三三", "语文组", "", "", None, None, None],  # row 8: repeated 工号
    ["张 三#", "吴十", "语文组", "", "", None, None, None],  # row 9: malformed 工号
    [None, "郑一", "语文组", "", "", None, None, None],  # row 10: no 工号
]


def recalc_json(path):
    r = invoke_cli("recalc", path, "--dry-run", "--format", "json")
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def test_only_a_missing_malformed_or_repeated_id_leaves_a_teacher_out(book_factory):
    doc = recalc_json(book_factory(教师名册=ROSTER))
    assert sorted(t["teacher_id"] for t in doc["teachers"]) == ["0007", "1001", "1002", "1005", "1006", "1007"]
    effects = {(f["code"], f["cell"]): f["message"] for f in doc["findings"] if f["sheet"] == "教师名册"}
    assert effects[("duplicate-teacher-id", "A8")].endswith("本行不计入统计。")
    assert effects[("invalid-teacher-id", "A9")].endswith("本行不计入统计。")
    assert effects[("missing-value", "A10")].endswith("本行不计入统计。")
    assert effects[("self-mentor", "F5")].endswith("该单元格按空白处理。")
    assert effects[("date-order", "H7")].endswith("该单元格按空白处理。")


def test_a_bad_mentor_cell_names_the_mentor_rules(book_factory):
    doc = recalc_json(book_factory(教师名册=ROSTER))
    unknown = [f for f in doc["findings"] if f["code"] == "attribute-unknown"]
    assert [(f["cell"], f["value"]) for f in unknown] == [("F5", "1005"), ("F7", "王五")]
    assert all("师徒关系" in f["message"] and "R10、R11" in f["message"] for f in unknown)
    mentor = next(f for f in doc["findings"] if f["code"] == "unknown-mentor")
    assert mentor["cell"] == "F6" and "0007" in mentor["hint"] and "王五" in mentor["hint"]
    by_name = next(f for f in doc["findings"] if f["code"] == "invalid-teacher-id" and f["cell"] == "F7")
    assert "0007" in by_name["hint"] and by_name["message"].endswith("该单元格按空白处理。")


def test_log_rows_of_a_teacher_with_a_bad_roster_cell_are_not_unknown(book_factory):
    trainings = [["日期", "工号", "姓名", "项目名称", "类别", "级别", "学时", "考勤"],
                 [D(2025, 9, 3), "1005", "钱七", "师德培训", "师德培训", "校级", 2, "出勤"],
                 [D(2025, 9, 3), "1007", "周九", "师德培训", "师德培训", "校级", 2, "出勤"]]
    doc = recalc_json(book_factory(教师名册=ROSTER, 培训记录=trainings))
    assert not [f for f in doc["findings"] if f["code"] == "unknown-teacher"]
    credits = {t["teacher_id"]: t["credits"] for t in doc["teachers"]}
    assert credits["1005"] > 0 and credits["1007"] > 0


def test_a_roster_without_its_name_column_still_lists_every_teacher(book_factory):
    roster = [[r[0], *r[2:]] for r in ROSTER[:4]]  # 姓名 left out of the header
    doc = recalc_json(book_factory(教师名册=roster))
    assert sorted(t["teacher_id"] for t in doc["teachers"]) == ["0007", "1001", "1002"]
    missing = next(f for f in doc["findings"] if f["code"] == "missing-column")
    assert missing["message"].endswith("该列按空白处理，各行仍计入统计。")


def test_a_rule_on_an_unknown_attribute_neither_includes_nor_silently_drops(book_factory):
    """`教龄!=3` on a teacher whose 参加工作时间 is unreadable: not evaluated, and a finding says so."""
    from conftest import POLICY_ROWS

    roster = [["工号", "姓名", "参加工作时间"], ["1001", "张三", "2010.9"], ["1002", "李四", "去年"],
              ["0007", "王五", "2020年9月"], ["1004", "赵六", "2022.9"]]
    rules = [*map(list, POLICY_ROWS), [],
             ["规则编号", "规则名称", "指标", "数据表", "字段", "条件", "周期", "适用对象", "下限", "上限", "严重度", "后果", "启用"],
             ["R20", "讲座", "计数", "成果记录", "", "类型=讲座", "学期", "教龄!=3", 1, None, "错误", "", "是"]]
    doc = recalc_json(book_factory(教师名册=roster, 规则=rules))  # the first semester is closed: 未达标
    assert sorted({a["subject"] for a in doc["alerts"] if a["rule_id"] == "R20"}) == ["0007", "1001"]
    unknown = [f for f in doc["findings"] if f["code"] == "attribute-unknown"]
    assert [(f["cell"], f["value"]) for f in unknown] == [("C3", "去年")] and "R20" in unknown[0]["message"]
