"""One school year everywhere: the dates a new workbook is given, the dates assumed when a
workbook's 规则 sheet gives none, and the calendar the engine counts in are the same."""

from __future__ import annotations

import datetime as dt

import pytest

from cpdsheets.jobs import book as jobs
from cpdsheets.doors.reader import read_workbook
from cpdsheets.doors.template.master import build_master
from cpdsheets.engine.periods import make_calendar

FIELDS = ("year_start", "year_end", "sem1_start", "sem1_end", "sem2_start", "sem2_end")


def _dates(settings) -> tuple:
    return tuple(getattr(settings, f) for f in FIELDS)


def _template_settings(tmp_path, year: str):
    path = tmp_path / f"new{year}.xlsm"
    build_master(path, year=year, school="测试小学")
    policy, _, findings, _ = jobs.check(read_workbook(path), as_of=dt.date(2026, 3, 1))
    assert not [f for f in findings if f.code == "no-school-year"]
    return policy.settings


@pytest.mark.parametrize("omit", [(), ("第一学期结束", "第二学期开始", "第二学期结束")])
def test_a_sheet_without_dates_gets_the_templates_dates(tmp_path, book_factory, omit):
    """A 规则 sheet with no school year at all (the year inferred from the logged dates), or with
    the year but no semester boundaries, counts in the calendar a new workbook is written with."""
    template = _template_settings(tmp_path, "2025-2026")
    if omit:
        rows = [r for r in _policy_rows() if r[0] not in omit]
    else:
        rows = [["设置项", "值"], ["学校名称", "测试小学"], ["统计截止日", dt.date(2026, 4, 15)]]
    policy, _, findings, as_of = jobs.check(read_workbook(book_factory(**{"规则": rows})))
    assert bool([f for f in findings if f.code == "no-school-year"]) == (not omit)
    cal = make_calendar(policy.settings, as_of)
    assert (cal.year_start, cal.year_end) == (template.year_start, template.year_end)
    assert cal.semesters == ((template.sem1_start, template.sem1_end), (template.sem2_start, template.sem2_end))


def test_template_writes_the_names_the_reader_knows(tmp_path):
    """Every date setting the template writes is read back as that setting, not left to a default."""
    settings = _template_settings(tmp_path, "2031-2032")
    assert all(_dates(settings)), _dates(settings)
    assert settings.year_start == dt.date(2031, 9, 1) and settings.sem2_end == dt.date(2032, 7, 10)


def _policy_rows() -> list[list]:
    from conftest import POLICY_ROWS

    return [list(r) for r in POLICY_ROWS]
