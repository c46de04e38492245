"""The rule engine on hand-built frames: every metric, period kind and state, with their boundaries.

Calendar (engine_data.SETTINGS): 学年 2024-09-01..2025-08-31; 第一学期 2024-09-02 (Mon)..2025-01-17 (Fri),
138 days; 第二学期 2025-02-17..2025-07-04.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from engine_data import D, dataset, policy, rule, teacher

from cpdsheets.engine.compute import compute

AFTER_SEM1 = D(2025, 1, 20)
SEM1_SCHOOL_DAYS = int(np.busday_count("2024-09-02", "2025-01-18"))  # 100 weekdays, 2 Sep .. 17 Jan


def obs(tid, n, day=D(2024, 10, 8), taught_by="9999", location="校内"):
    return [dict(date=day, teacher_id=tid, taught_by=taught_by, location=location) for _ in range(n)]


def progress(res, rule_id, subject=None):
    p = res.progress[res.progress["rule_id"] == rule_id]
    return p if subject is None else p[p["subject"] == subject]


def one(res, rule_id, subject, **where):
    p = progress(res, rule_id, subject)
    for k, v in where.items():
        p = p[p[k] == v]
    assert len(p) == 1, p
    return p.iloc[0]


# -- 计数 ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("n,state", [(20, "达标"), (19, "未达标"), (21, "达标")])
def test_count_exactly_at_the_bound_in_a_closed_semester(n, state):
    res = compute(dataset([teacher("1001")], observations=obs("1001", n)), policy("R03"), AFTER_SEM1)
    row = one(res, "R03", "1001", period_label="第一学期")
    assert (row["actual"], row["required"], row["state"], row["closed"]) == (n, 20, state, True)
    assert list(res.alerts["state"]) == ([] if state == "达标" else ["未达标"])


def test_open_period_progress_uses_the_elapsed_share():
    # 2 Sep .. 15 Oct = 44 of 138 days: 20 × 44/138 = 6.38 lessons, whole lessons: 6 expected so far
    as_of = D(2024, 10, 15)
    for n, state in ((5, "进度落后"), (6, "达标")):
        res = compute(dataset([teacher("1001")], observations=obs("1001", n)), policy("R03"), as_of)
        row = one(res, "R03", "1001")
        assert row["expected"] == 6
        assert row["required"] == 20 and not row["closed"] and row["state"] == state
    assert progress(res, "R03")["period_label"].tolist() == ["第一学期"]  # the future semester is skipped


def test_rows_after_the_as_of_date_do_not_count():
    rows = obs("1001", 10, day=D(2024, 10, 1)) + obs("1001", 10, day=D(2024, 12, 1))
    res = compute(dataset([teacher("1001")], observations=rows), policy("R03"), D(2024, 11, 1))
    assert one(res, "R03", "1001")["actual"] == 10


# -- 合计 and credits ----------------------------------------------------------------------------

def training(tid, hours, day=D(2024, 10, 10), **kw):
    return dict(date=day, teacher_id=tid, title="培训", category=kw.pop("category", "校本研修"),
                level=kw.pop("level", "校级"), hours=hours, **kw)


@pytest.mark.parametrize("hours,state", [(32, "达标"), (31.5, "未达标")])
def test_sum_of_credits_at_the_bound(hours, state):
    res = compute(dataset([teacher("1001")], trainings=[training("1001", hours)]), policy("R02"), D(2025, 9, 1))
    row = one(res, "R02", "1001")
    assert (row["actual"], row["required"], row["state"]) == (hours * 0.5, 16, state)


def test_credits_attendance_override_outputs_and_caps():
    rows = [
        training("1001", 4),                                          # 2
        training("1001", 4, attendance="缺勤"),                        # 0
        training("1001", 4, attendance="请假"),                        # 0
        training("1001", 4, attendance="迟到"),                        # 2
        training("1001", 4, credits=3.0),                             # 3 (override)
        training("1001", 40, category="网络研修"),                      # 20, capped at 10
        training("1001", 2, day=D(2025, 9, 2)),                       # outside the school year
    ]
    outputs = [dict(date=D(2024, 11, 1), teacher_id="1001", type="论文", level="市级"),   # 6
               dict(date=D(2024, 11, 1), teacher_id="1001", type="教育随笔"),             # 0.5
               dict(date=D(2024, 11, 1), teacher_id="1001", type="讲座", credits=0.25)]   # 0.25
    res = compute(dataset([teacher("1001"), teacher("1002")], trainings=rows, outputs=outputs),
                  policy("R01"), D(2025, 8, 31))
    t = res.teachers.set_index("teacher_id")
    assert t.loc["1001", "credits_by_category"] == {"校本研修": 7.0, "网络研修": 10.0, "成果": 6.75}
    assert t.loc["1001", "credits"] == 23.75
    assert one(res, "R01", "1001")["actual"] == 23.75  # R01 totals the capped ledger
    assert t.loc["1002", "credits"] == 0 and t.loc["1002", "credits_by_category"] == {}


# -- 占比 and 字数 -------------------------------------------------------------------------------

@pytest.mark.parametrize("inside,state", [(3, "达标"), (2, "未达标")])
def test_share_of_in_school_observations(inside, state):
    rows = obs("1001", inside, location="校内") + obs("1001", 10 - inside, location="校外")
    res = compute(dataset([teacher("1001", roles="班主任、中层"), teacher("1002")], observations=rows),
                  policy("R05"), AFTER_SEM1)
    row = one(res, "R05", "1001", period_label="第一学期")
    assert row["actual"] == pytest.approx(inside / 10) and row["required"] == 0.3 and row["state"] == state
    assert progress(res, "R05", "1002").empty  # 岗位 含 中层 only


@pytest.mark.parametrize("chars,state", [(5000, "达标"), (4999, "未达标")])
def test_reading_note_characters_count_on_every_reading_row(chars, state):
    # Notes are written on required books, journals and 读书导研单 too: R09 sums every row's 字数.
    reading = [dict(teacher_id="1001", date=D(2024, 10, 1), title="笔记", type="读书笔记", chars=chars - 3000),
               dict(teacher_id="1001", date=D(2025, 3, 1), title="书", type="必读书目", chars=1000),
               dict(teacher_id="1001", date=D(2025, 3, 2), title="刊", type="教育刊物", chars=1500),
               dict(teacher_id="1001", date=D(2025, 3, 3), title="单", type="读书导研单", chars=500),
               dict(teacher_id="1002", date=D(2025, 3, 3), title="书", type="专业书籍", chars=9000)]
    res = compute(dataset([teacher("1001"), teacher("1002")], reading=reading), policy("R09"), D(2025, 9, 1))
    row = one(res, "R09", "1001")
    assert (row["actual"], row["state"]) == (chars, state)
    assert one(res, "R09", "1002")["actual"] == 9000


# -- upper bound ---------------------------------------------------------------------------------

@pytest.mark.parametrize("days,state", [(8, "达标"), (8.5, "超出上限")])
def test_upper_bound_is_checked_in_the_open_period_too(days, state):
    res = compute(dataset([teacher("1001")], trainings=[training("1001", 2, days=days, category="外出培训")]),
                  policy("R15"), D(2024, 11, 1))
    row = one(res, "R15", "1001")
    assert not row["closed"] and row["state"] == state and row["severity"] == "warning"
    # a warning rule is listed but leaves the status alone
    assert res.teachers["status"].tolist() == ["达标"]


def test_r15_counts_days_away_only():
    """docs/SPEC.md: R15 sums 天数 of 外出培训 rows. Staff give 天数 on online courses too (the hours check asks
    them to): 7 days of 网络研修 and 5 away are 5 days away, under the bound of 8."""
    rows = [training("1001", 20, days=7, category="网络研修"), training("1001", 30, days=5, category="外出培训",
                                                                   day=D(2024, 10, 20))]
    res = compute(dataset([teacher("1001")], trainings=rows), policy("R15"), D(2024, 11, 1))
    row = one(res, "R15", "1001")
    assert (row["actual"], row["state"]) == (5, "达标")


# -- periods -------------------------------------------------------------------------------------

def test_short_last_fortnight_still_needs_one():
    # 第一学期 has 138 days: nine fortnights and a last one of 12 days (6..17 Jan), which holds all 10
    # school days of a normal fortnight
    res = compute(dataset([teacher("1001")], reading=[]), policy("R08"), AFTER_SEM1)
    p = progress(res, "R08", "1001")
    assert len(p) == 10 and set(p["state"]) == {"未达标"}
    last = p.iloc[-1]
    assert (last["period_start"].date(), last["period_end"].date(), last["period_days"]) == (
        D(2025, 1, 6), D(2025, 1, 17), 10)
    assert last["applicable_days"] == 10 and last["required"] == 1


def test_monthly_journal_per_calendar_month():
    reading = [dict(teacher_id="1001", date=D(2024, 9, 30), title="人民教育", type="教育刊物"),
               dict(teacher_id="1001", date=D(2024, 11, 1), title="人民教育", type="教育刊物")]
    res = compute(dataset([teacher("1001")], reading=reading), policy("R07"), D(2024, 12, 1))
    p = progress(res, "R07", "1001")
    assert p["period_label"].tolist() == ["2024年9月", "2024年10月", "2024年11月", "2024年12月"]
    # December is open on its 1st day: one journal a month is not yet due (floor(1 × 1/31) = 0)
    assert p["state"].tolist() == ["达标", "未达标", "达标", "达标"]


def test_weekly_lesson_group_meetings():
    acts = [dict(date=D(2024, 9, 4), group="一年级语文", type="集体备课"),
            dict(date=D(2024, 9, 15), group="一年级语文", type="集体备课"),   # Sunday: still week 2
            dict(date=D(2024, 9, 4), group="不在名册的组", type="集体备课")]
    roster = [teacher("1001", teaching_group="语文组", lesson_group="一年级语文"),
              teacher("1002", teaching_group="语文组", lesson_group="一年级数学")]
    res = compute(dataset(roster, activities=acts), policy("R17"), D(2024, 9, 25))
    p = progress(res, "R17")
    assert sorted(set(p["subject"])) == ["一年级数学", "一年级语文"]
    yw = p[p["subject"] == "一年级语文"]
    # week 3 (16..22) had none; week 4 is open on its Wednesday: one meeting is not due before Sunday
    assert yw["state"].tolist() == ["达标", "达标", "未达标", "达标"]
    assert set(p["subject_type"]) == {"备课组"}


def test_group_rules_each_type_and_monthly():
    acts = [dict(date=D(2024, 10, 9), group="语文组", type=t) for t in ("跨学科", "跨学段", "跨校")]
    roster = [teacher("1001", teaching_group="语文组"), teacher("1002", teaching_group="数学组")]
    res = compute(dataset(roster, activities=acts), policy("R16", "R18"), AFTER_SEM1)
    r18 = progress(res, "R18", "语文组")
    assert dict(zip(r18["detail"], r18["state"])) == {"跨学科": "达标", "跨学段": "达标", "跨校": "达标",
                                                      "数字化教研": "未达标"}
    assert len(progress(res, "R18", "数学组")) == 4
    r16 = progress(res, "R16", "语文组")
    assert r16["state"].tolist() == ["未达标", "达标", "未达标", "未达标", "未达标"]
    g = res.groups.set_index("group")
    # counted as 达标预警 rows, one per rule and semester: R18 and R16 for 第一学期 each
    assert g.loc["语文组", "group_alerts"] == 2 and g.loc["数学组", "group_alerts"] == 2
    assert len(res.alerts[res.alerts["subject"] == "数学组"]) == 4 + 5  # the JSON keeps every period


# -- pro-rating ----------------------------------------------------------------------------------

@pytest.mark.parametrize("n,state", [(10, "未达标"), (11, "达标")])
def test_mid_semester_joiner_is_pro_rated(n, state):
    # in post from 1 Nov: 56 of the semester's 100 school days (weekdays; no 校历 in this book)
    # -> 20 × 56/100 = 11.2 lessons, i.e. 11 whole ones
    joiner = teacher("1001", join_date=D(2024, 11, 1))
    res = compute(dataset([joiner], observations=obs("1001", n, day=D(2024, 12, 2))), policy("R03", "R07"),
                  AFTER_SEM1)
    row = one(res, "R03", "1001")
    assert row["applicable_days"] == np.busday_count("2024-11-01", "2025-01-18") == 56 and row["required"] == 11
    assert row["state"] == state
    assert progress(res, "R07", "1001")["period_label"].tolist() == ["2024年11月", "2024年12月", "2025年1月"]


def test_leaver_gets_nothing_after_leaving():
    res = compute(dataset([teacher("1001", leave_date=D(2024, 9, 30))]), policy("R07"), AFTER_SEM1)
    assert progress(res, "R07", "1001")["period_label"].tolist() == ["2024年9月"]


@pytest.mark.parametrize("rule_id", ["R07", None])
def test_exemption_covering_a_whole_month_removes_that_month(rule_id):
    ex = [dict(teacher_id="1001", rule_id=rule_id, start=D(2024, 10, 1), end=D(2024, 10, 31), reason="病假")]
    res = compute(dataset([teacher("1001")], exemptions=ex), policy("R07", "R03"), D(2024, 12, 1))
    assert "2024年10月" not in progress(res, "R07", "1001")["period_label"].tolist()
    assert len(progress(res, "R07", "1001")) == 3
    r03 = one(res, "R03", "1001")
    # school days: the semester's 100 weekdays, less October's 23 when every rule is exempt
    assert r03["applicable_days"] == (SEM1_SCHOOL_DAYS - 23 if rule_id is None else SEM1_SCHOOL_DAYS)


def test_exemption_for_another_rule_changes_nothing():
    ex = [dict(teacher_id="1001", rule_id="R06", start=D(2024, 10, 1), end=D(2024, 10, 31))]
    res = compute(dataset([teacher("1001")], exemptions=ex), policy("R07"), D(2024, 12, 1))
    assert len(progress(res, "R07", "1001")) == 4


# -- subjects ------------------------------------------------------------------------------------

def test_teacher_with_no_rows_gets_a_result():
    roster = [teacher("1001", teaching_group="语文组"), teacher("0007", teaching_group="语文组")]
    res = compute(dataset(roster, observations=obs("1001", 20)), policy("R03"), AFTER_SEM1)
    t = res.teachers.set_index("teacher_id")
    assert list(t.index) == ["1001", "0007"]
    assert (t.loc["0007", "credits"], t.loc["0007", "status"], t.loc["0007", "alerts"]) == (0, "未达标", 1)
    assert t.loc["1001", "status"] == "达标"
    g = res.groups.set_index("group").loc["语文组"]
    assert (g["teachers"], g["share_ok"], g["failed"]) == (2, 0.5, 1)


def test_mentor_with_two_apprentices_needs_twenty_each():
    roster = [teacher("1001", "张师傅"), teacher("1002", "小李", mentor_id="1001"),
              teacher("1003", "小王", mentor_id="1001")]
    rows = obs("1001", 20, taught_by="1002") + obs("1001", 15, taught_by="小王") + obs("1001", 5, taught_by="9999")
    rows += obs("1002", 30, taught_by="张师傅") + obs("1003", 29, taught_by="1001")
    res = compute(dataset(roster, observations=rows), policy("R10", "R11"), D(2025, 9, 1))
    r11 = progress(res, "R11", "1001")
    assert dict(zip(r11["detail"], r11["actual"])) == {"1002": 20, "1003": 15}
    assert dict(zip(r11["detail"], r11["state"])) == {"1002": "达标", "1003": "未达标"}
    assert dict(zip(r11["detail"], r11["detail_name"])) == {"1002": "小李", "1003": "小王"}
    r10 = progress(res, "R10")
    assert dict(zip(r10["subject"], r10["state"])) == {"1002": "达标", "1003": "未达标"}
    assert progress(res, "R11", "1002").empty


def test_mentor_and_apprentice_quotas_count_only_the_days_both_are_in_post():
    # 张师傅 leaves on 2025-02-28, after 110 of the year's 200 school days (semester 1's 100 and 10 of
    # semester 2's 100 weekdays): his apprentice 小李 needs 30 × 110/200 = 16.5 -> 17 lessons with him,
    # and he 20 × 110/200 = 11 with her.
    roster = [teacher("1001", "张师傅", leave_date=D(2025, 2, 28)), teacher("1002", "小李", mentor_id="1001")]
    rows = obs("1001", 11, taught_by="1002") + obs("1002", 16, taught_by="1001")
    res = compute(dataset(roster, observations=rows), policy("R10", "R11"), D(2025, 9, 1))
    r10, r11 = one(res, "R10", "1002"), one(res, "R11", "1001")
    assert r10["applicable_days"] == r11["applicable_days"] == 110
    assert (r10["required"], r10["state"]) == (17, "未达标")  # 16 heard
    assert (r11["required"], r11["state"]) == (11, "达标")


def test_applies_to_by_seniority_and_role():
    roster = [teacher("1001", work_start=D(2019, 9, 1)),   # 教龄 5 on 1 Sep 2024
              teacher("1002", work_start=D(2018, 9, 1)),   # 6
              teacher("1003", work_start=D(2018, 9, 2)),   # 5: the anniversary is a day later
              teacher("1004")]
    res = compute(dataset(roster), policy("R13"), AFTER_SEM1)
    assert sorted(progress(res, "R13")["subject"]) == ["1001", "1003"]


def test_disabled_rules_are_not_evaluated():
    res = compute(dataset([teacher("1001")]), policy(rules=[rule("A05", enabled=False)]), AFTER_SEM1)
    assert res.progress.empty and res.teachers["status"].tolist() == ["达标"]
    res = compute(dataset([teacher("1001")]), policy(rules=[rule("A05", pace="按进度")]), AFTER_SEM1)
    assert progress(res, "A05")["state"].tolist() == ["进度落后"]
    # as shipped, A05 is a yearly sum of hours and judged at the year's end only: enabled, it is evaluated
    # (a row in progress) but not 进度落后 in the open year
    res = compute(dataset([teacher("1001")]), policy(rules=[rule("A05")]), AFTER_SEM1)
    assert progress(res, "A05")["state"].tolist() == ["达标"] and rule("A05").pace == "仅期末"


def test_invalid_rows_are_left_out():
    rows = obs("1001", 20)
    rows[0]["_ok"] = False
    res = compute(dataset([teacher("1001")], observations=rows), policy("R03"), AFTER_SEM1)
    assert one(res, "R03", "1001")["actual"] == 19


def test_alerts_hold_only_non_ok_states_and_status_is_worst():
    rows = obs("1001", 20)
    res = compute(dataset([teacher("1001"), teacher("1002")], observations=rows), policy("R03", "R07"),
                  D(2024, 10, 15))
    assert "达标" not in set(res.alerts["state"])
    assert len(res.progress) > len(res.alerts)
    t = res.teachers.set_index("teacher_id")["status"]
    assert t["1001"] == "未达标"  # September's journal is missing (closed)
    assert isinstance(res.alerts, pd.DataFrame) and set(res.alerts["subject_type"]) == {"teacher"}
