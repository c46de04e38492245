"""A period kind is a record: a kind cut a new way (季度, three calendar months from each semester's first
month) is one ``PeriodKindSpec`` in ``PERIOD_KIND_SPECS``, with no code in engine/periods.py, and a
rule over it computes."""

from __future__ import annotations

import pytest
from engine_data import SETTINGS, D, dataset, policy, rule, teacher
from pydantic import ValidationError

from cpdsheets.contract.period import PERIOD_KIND_SPECS, Period, PeriodKindSpec, period_label
from cpdsheets.contract.policy import Rule, Settings
from cpdsheets.engine.compute import compute
from cpdsheets.engine.periods import make_calendar, normal_window_days, period_table

QUARTER = PeriodKindSpec(key="季度", aliases=("每季度", "quarter"), en="quarter", en_plural="quarters",
                         zh_many="个季度", zh_this="本季度", span="month", months=3)


@pytest.fixture
def quarters(monkeypatch: pytest.MonkeyPatch) -> PeriodKindSpec:
    monkeypatch.setitem(PERIOD_KIND_SPECS, QUARTER.key, QUARTER)
    return QUARTER


def _cal():
    return make_calendar(Settings(**SETTINGS), D(2025, 1, 20))


def test_a_quarter_kind_is_cut_from_its_record_alone(quarters):
    # 第一学期 2024-09-02 (Mon) .. 2025-01-17; 第二学期 2025-02-17 .. 2025-07-04
    t = period_table(_cal(), "季度")
    spans = [(s.date(), e.date()) for s, e in zip(t["period_start"], t["period_end"])]
    assert spans == [(D(2024, 9, 2), D(2024, 11, 30)), (D(2024, 12, 1), D(2025, 1, 17)),
                     (D(2025, 2, 17), D(2025, 4, 30)), (D(2025, 5, 1), D(2025, 7, 4))]
    assert t["period_label"].tolist() == ["第一学期第1季度", "第一学期第2季度", "第二学期第1季度", "第二学期第2季度"]
    assert t["semester"].tolist() == ["第一学期", "第一学期", "第二学期", "第二学期"]
    assert period_label(t["period"].iloc[3], "en") == "Semester 2 quarter 2"
    assert t["period"].iloc[0] == Period("季度", 1, 1)
    # a normal quarter is its three whole calendar months' weekdays: Sep+Oct+Nov 2024 = 21+23+21
    assert normal_window_days(t).tolist()[:2] == [65, 22 + 23 + 20]


def test_a_month_is_still_cut_and_labelled_as_before():
    t = period_table(_cal(), "月")
    assert t["period_label"].tolist()[:2] == ["2024年9月", "2024年10月"]
    assert t["period"].iloc[0] == Period("月", 1, 9, 2024)
    assert normal_window_days(t).tolist()[:2] == [21, 23]


def _quarterly(base: str = "R03") -> Rule:
    return Rule.model_validate({**rule(base).model_dump(), "period": "季度", "rule_id": "RQ"})


def test_a_rule_over_the_quarter_kind_computes(quarters):
    lesson = dict(teacher_id="1001", taught_by="9999", location="校内")
    obs = [dict(date=D(2024, 10, 8), **lesson)] * 5 + [dict(date=D(2024, 12, 9), **lesson)] * 3
    res = compute(dataset([teacher("1001")], observations=obs), policy(rules=[_quarterly()]), D(2025, 1, 20))
    p = res.progress[res.progress["rule_id"] == "RQ"]
    assert p["period_label"].tolist() == ["第一学期第1季度", "第一学期第2季度"]
    assert p["actual"].tolist() == [5.0, 3.0]
    # the second quarter is cut at the semester's end: 35 of a normal quarter's 65 school days, so
    # 20 × 35/65 = 10.8, 11 whole lessons
    assert p["required"].tolist() == [20.0, 11.0]
    assert p["state"].tolist() == ["未达标", "未达标"] and p["closed"].all()


def test_an_unknown_kind_is_refused_by_the_rule_record():
    with pytest.raises(ValidationError, match="unknown period kind"):
        _quarterly()
