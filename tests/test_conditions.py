"""The condition / 适用对象 language: parsing, binding to a sheet, and vectorised evaluation."""

from __future__ import annotations

import pandas as pd
import pytest

from cpdsheets.contract.conditions import (
    ConditionError, bind_condition, parse_condition, subject_types,
)
from cpdsheets.engine.filters import evaluate


def test_blank_and_all_mean_no_filter():
    assert not parse_condition("")
    assert not parse_condition(None)
    assert not parse_condition("全体")


@pytest.mark.parametrize("text,op,values", [
    ("类型=读书导研单", "=", ("读书导研单",)),
    ("地点 = 校内", "=", ("校内",)),
    ("岗位 含 中层", "含", ("中层",)),
    ("年龄<40", "<", ("40",)),
    ("教龄<=5", "<=", ("5",)),
    ("教龄＜＝5", "<=", ("5",)),  # full-width operators
    ("年龄>=40", ">=", ("40",)),
    ("类型!=论文", "!=", ("论文",)),
    ("对象=教研组|备课组", "=", ("教研组", "备课组")),
])
def test_single_terms(text, op, values):
    cond = parse_condition(text)
    assert len(cond.terms) == 1
    assert cond.terms[0].op == op
    assert cond.terms[0].values == values


def test_and_joins_terms_and_bare_field_means_true():
    cond = parse_condition("有师傅 且 教龄<=5")
    assert [(t.field, t.op, t.values) for t in cond.terms] == [("有师傅", "=", ("是",)), ("教龄", "<=", ("5",))]


@pytest.mark.parametrize("text,reason_part", [
    ("地点==校内", "多个运算符"),
    ("年龄<四十", "不是数字"),
    ("日期>=下周", "不是数字或日期"),
    ("类型=", "缺少比较的值"),
    ("=校内", "缺少字段"),
    ("类型=论文 且 ", "缺少条件"),
    ("年龄<30|40", "只能比较一个值"),
    ("__import__('os')", "不是 字段 运算符 值"),
])
def test_parse_errors_carry_a_reason(text, reason_part):
    with pytest.raises(ConditionError) as e:
        parse_condition(text)
    assert reason_part in e.value.reason


def test_binding_resolves_headers_aliases_and_teacher_attributes():
    cond = bind_condition(parse_condition("Location=校内 且 授课教师=师傅 且 岗位 含 中层"), "observations")
    assert [t.key for t in cond.terms] == ["location", "taught_by", "t:roles"]
    cond = bind_condition(parse_condition("年龄<40 且 对象=教师"), "teachers")
    assert [t.key for t in cond.terms] == ["t:age", "t:subject_type"]


@pytest.mark.parametrize("text,sheet,reason_part", [
    ("颜色=红", "observations", "未知字段「颜色」"),
    ("有师傅=也许", "teachers", "是/否"),
    ("对象=班级", "teachers", "教研组"),
    ("年龄=老", "teachers", "须与数字比较"),
])
def test_binding_errors(text, sheet, reason_part):
    with pytest.raises(ConditionError) as e:
        bind_condition(parse_condition(text), sheet)
    assert reason_part in e.value.reason


def test_subject_types():
    assert subject_types(bind_condition(parse_condition(""), "teachers")) == ("教师",)
    assert subject_types(bind_condition(parse_condition("对象=教研组|备课组"), "teachers")) == ("教研组", "备课组")


def _frame():
    return pd.DataFrame({
        "type": ["论文", "讲座", None, "论文"],
        "chars": [100.0, 5000.0, float("nan"), 4999.0],
        "date": pd.to_datetime(["2024-09-01", "2024-10-01", None, "2024-11-01"]),
        "t:roles": ["班主任、中层", "中层副职", "", "骨干"],
        "t:age": [39.0, 40.0, float("nan"), 41.0],
        "t:has_mentor": [True, False, False, True],
    })


@pytest.mark.parametrize("text,sheet,expected", [
    ("类型=论文", "outputs", [True, False, False, True]),
    ("类型!=论文", "outputs", [False, True, True, False]),
    ("类型=论文|讲座", "outputs", [True, True, False, True]),
    ("岗位 含 中层", "outputs", [True, False, False, False]),  # a role list, not a substring
    ("岗位=骨干", "outputs", [False, False, False, True]),
    ("年龄<40", "outputs", [True, False, False, False]),
    ("年龄>=40", "outputs", [False, True, False, True]),
    ("有师傅", "outputs", [True, False, False, True]),
    ("有师傅=否", "outputs", [False, True, True, False]),
    ("年龄<=40 且 类型=论文", "outputs", [True, False, False, False]),
    ("日期>=2024-10-01", "outputs", [False, True, False, True]),
    ("题目 含 论", "outputs", [False, False, False, False]),
])
def test_evaluate(text, sheet, expected):
    df = _frame()
    df["title"] = None
    cond = bind_condition(parse_condition(text), sheet)
    assert evaluate(cond, df).tolist() == expected


def test_evaluate_char_threshold_on_number_column():
    cond = bind_condition(parse_condition("字数>=5000"), "reading")
    assert evaluate(cond, _frame()).tolist() == [False, True, False, False]


def test_mentor_match_by_name_or_id():
    df = pd.DataFrame({"taught_by": ["1001", "张三", "李四", "1001"],
                       "t:mentor": ["1001", "1001", "1001", None],
                       "t:mentor_name": ["张三", "张三", "张三", None]})
    cond = bind_condition(parse_condition("授课教师=师傅"), "observations")
    assert evaluate(cond, df).tolist() == [True, True, False, False]

