"""The 校历: the national schedule a new book is given, and the block of the 规则 sheet staff edit."""

from __future__ import annotations

import datetime as dt

import pytest

from cpdsheets.contract.national_calendar import national_year
from cpdsheets.doors.reader import read_workbook
from cpdsheets.engine.policy_sheet import read_policy

from conftest import POLICY_ROWS

D = dt.date


def test_the_announced_year_follows_the_state_councils_schedule():
    year = national_year(2025)
    assert year.announced
    lines = {(ln.start, ln.end, ln.kind) for ln in year.lines}
    assert (D(2025, 10, 1), D(2025, 10, 8), "放假") in lines  # 国庆 and 中秋 together
    assert {(D(2025, 9, 28), D(2025, 9, 28), "调休上班"), (D(2025, 10, 11), D(2025, 10, 11), "调休上班")} <= lines
    assert (D(2026, 2, 15), D(2026, 2, 23), "放假") in lines
    # the second semester starts after the Spring Festival holiday, not on 2/16 inside it
    assert year.dates.sem2_start == D(2026, 3, 2) and year.dates.sem2_start.weekday() == 0
    assert year.dates.sem1_end == D(2026, 1, 31)


@pytest.mark.parametrize("start_year, new_year", [(2026, D(2027, 2, 6)), (2027, D(2028, 1, 26)), (2030, D(2031, 1, 23))])
def test_a_year_not_yet_announced_gets_the_spring_festival_from_the_lunar_calendar(start_year, new_year):
    year = national_year(start_year)
    spring = next(ln for ln in year.lines if "春节" in ln.note)
    assert (spring.start, spring.end) == (new_year - dt.timedelta(days=1), new_year + dt.timedelta(days=6))
    assert year.dates.sem2_start > spring.end and year.dates.sem2_start.weekday() == 0
    assert year.dates.sem1_end < spring.start
    assert any(ln.start == D(start_year, 10, 1) and ln.kind == "放假" for ln in year.lines)


def _policy(tmp_path, lines: list[list]):
    from conftest import write_book

    rows = [list(r) for r in POLICY_ROWS] + [[], ["校历日期", "结束日期", "类型", "说明"], *lines]
    path = write_book(tmp_path / "cal.xlsx", {"规则": rows})
    return read_policy(read_workbook(path).sheets["规则"])


def test_staff_write_a_line_as_they_like(tmp_path):
    header_row = len(POLICY_ROWS) + 2
    policy, findings = _policy(tmp_path, [
        [D(2025, 10, 1), D(2025, 10, 8), "放假", "国庆节"],
        ["2025-09-28", None, "调休", ""],
        ["10月11日", None, "补班", ""],
        ["2025.11.20~2025.11.21", None, "停课", "运动会"],
        ["12月1日-3日", None, "学校停课", "期中考试"],
        ["2026/1/1", None, "节假日", "元旦"],
    ])
    assert findings == []
    got = [(ln.start, ln.end, ln.kind, ln.note) for ln in policy.calendar.lines]
    assert got == [
        (D(2025, 10, 1), D(2025, 10, 8), "放假", "国庆节"),
        (D(2025, 9, 28), D(2025, 9, 28), "调休上班", ""),
        (D(2025, 10, 11), D(2025, 10, 11), "调休上班", ""),
        (D(2025, 11, 20), D(2025, 11, 21), "学校停课", "运动会"),
        (D(2025, 12, 1), D(2025, 12, 3), "学校停课", "期中考试"),
        (D(2026, 1, 1), D(2026, 1, 1), "放假", "元旦"),
    ]
    assert policy.calendar.given and policy.calendar.lines[0].cell == f"A{header_row + 1}"
    assert len(policy.rules) == 25  # the calendar block is not read as rules


def test_a_bad_line_is_a_finding_at_its_cell_and_is_left_out(tmp_path):
    first = len(POLICY_ROWS) + 3  # 1-based row of the first line
    policy, findings = _policy(tmp_path, [
        ["下周三", None, "放假", ""],
        [D(2025, 10, 8), D(2025, 10, 1), "放假", ""],
        [D(2025, 11, 3), None, "开会", ""],
        [D(2025, 12, 25), None, "放假", "圣诞"],
    ])
    where = sorted((f.code, f.cell) for f in findings)
    assert where == [("invalid-calendar-line", f"A{first}"), ("invalid-calendar-line", f"B{first + 1}"),
                     ("invalid-calendar-line", f"C{first + 2}")]
    assert all(f.level == "error" for f in findings)
    assert [(ln.start, ln.kind) for ln in policy.calendar.lines] == [(D(2025, 12, 25), "放假")]
    kind = next(f for f in findings if f.cell == f"C{first + 2}")
    assert "调休上班" in kind.message("zh") and "开会" in kind.message("zh")


def test_new_says_when_the_years_holidays_are_computed(tmp_path):
    from conftest import invoke_cli

    later = invoke_cli("new", tmp_path / "later.xlsx", "--year", "2027-2028")
    assert later.returncode == 0 and "2027-2028学年的放假安排国务院尚未公布" in later.stdout
    announced = invoke_cli("new", tmp_path / "now.xlsx", "--year", "2025-2026")
    assert announced.returncode == 0 and "尚未公布" not in announced.stdout
    policy, findings = read_policy(read_workbook(tmp_path / "later.xlsx").sheets["规则"])
    assert findings == [] and policy.settings.sem2_start == D(2028, 2, 7)  # the Monday after 1/25-2/1
