"""Periods: 学年, 学期, and 月/周/双周 cut at semester boundaries."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from cpdsheets.contract.policy import Settings
from cpdsheets.engine.periods import Calendar, assign_periods, make_calendar, period_table

D = dt.date
CAL = Calendar(D(2024, 9, 1), D(2025, 8, 31), ((D(2024, 9, 4), D(2025, 1, 17)), (D(2025, 2, 17), D(2025, 7, 4))))


def spans(kind):
    t = period_table(CAL, kind)
    return [(s.date(), e.date()) for s, e in zip(t["period_start"], t["period_end"])]


def test_year_and_semesters():
    assert spans("学年") == [(D(2024, 9, 1), D(2025, 8, 31))]
    assert spans("学期") == [(D(2024, 9, 4), D(2025, 1, 17)), (D(2025, 2, 17), D(2025, 7, 4))]


def test_months_are_cut_at_semester_edges():
    m = spans("月")
    assert m[0] == (D(2024, 9, 4), D(2024, 9, 30))
    assert m[4] == (D(2025, 1, 1), D(2025, 1, 17))
    assert m[5] == (D(2025, 2, 17), D(2025, 2, 28))
    assert m[-1] == (D(2025, 7, 1), D(2025, 7, 4))
    assert len(m) == 11
    t = period_table(CAL, "月")
    assert t["period_days"].tolist()[:2] == [27, 31] and t["period_label"][0] == "2024年9月"


def test_weeks_run_monday_to_sunday_inside_semesters():
    w = spans("周")
    assert w[0] == (D(2024, 9, 4), D(2024, 9, 8))  # Wednesday start: the first week is cut
    assert w[1] == (D(2024, 9, 9), D(2024, 9, 15))
    assert all(s.weekday() == 0 for s, _ in w[1:] if s != D(2025, 2, 17)) and D(2025, 2, 17).weekday() == 0
    assert all(e.weekday() == 6 or e in (D(2025, 1, 17), D(2025, 7, 4)) for _, e in w)
    total = sum((e - s).days + 1 for s, e in w)
    assert total == (D(2025, 1, 17) - D(2024, 9, 4)).days + 1 + (D(2025, 7, 4) - D(2025, 2, 17)).days + 1


def test_fortnights_from_each_semester_start_last_one_shorter():
    f = spans("双周")
    sem1 = [x for x in f if x[0] < D(2025, 2, 1)]
    assert sem1[0] == (D(2024, 9, 4), D(2024, 9, 17))
    # 4 Sep 2024 .. 17 Jan 2025 is 136 days: nine full fortnights and a last one of 10 days
    assert len(sem1) == 10 and sem1[-1] == (D(2025, 1, 8), D(2025, 1, 17))
    sem2 = [x for x in f if x[0] >= D(2025, 2, 1)]
    assert sem2[0] == (D(2025, 2, 17), D(2025, 3, 2))
    t = period_table(CAL, "双周")
    assert t["period_days"].iloc[9] == 10 and t["period_label"].iloc[9] == "第一学期第10双周"


def test_assign_periods_between_semesters_is_none():
    t = period_table(CAL, "学期")
    dates = pd.Series(pd.to_datetime(["2024-09-04", "2025-01-17", "2025-01-20", "2025-07-04", None, "2025-07-05"]))
    assert assign_periods(dates, t).tolist() == [0, 0, -1, 1, -1, -1]
    months = period_table(CAL, "月")
    assert assign_periods(pd.Series(pd.to_datetime(["2024-09-03", "2024-10-31", "2024-11-01"])), months).tolist() == [-1, 1, 2]


def test_calendar_fallbacks():
    cal = make_calendar(Settings(), D(2025, 3, 10))
    assert (cal.year_start, cal.year_end) == (D(2024, 9, 1), D(2025, 8, 31))
    # the contract's default semesters, as the template writes them (the breaks are in no semester):
    # the 2025 Spring Festival holiday ran 1/28-2/4, so semester 1 ends 1/27 and semester 2 starts Monday 2/10
    assert cal.semesters == ((D(2024, 9, 1), D(2025, 1, 27)), (D(2025, 2, 10), D(2025, 7, 10)))
    cal = make_calendar(Settings(year_start=D(2024, 8, 26), sem2_start=D(2025, 2, 10)), D(2024, 10, 1))
    assert cal.year_end == D(2025, 8, 25)
    assert cal.semesters[0] == (D(2024, 8, 26), D(2025, 2, 9))
