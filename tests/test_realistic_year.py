"""Alerts on a real school's calendar (issue 18), on the generated realistic year at 2025-12-15.

Each test states what the alert should say and, beside it, that the case is real in the data (the
old behaviour would have said otherwise), so none of them passes on an empty result.
"""

from __future__ import annotations

import datetime as dt
import json

import openpyxl
import pandas as pd
import pytest

from cpdsheets.contract.states import State
from cpdsheets.jobs.book import run_recalc
from cpdsheets.doors.reader import read_workbook
from cpdsheets.reports.alert_rows import alert_rows
from cpdsheets.samples.realistic_year import AS_OF, CAST, realistic_year, school_days

from conftest import invoke_cli

D = dt.date
NATIONAL_DAY_WEEK = pd.Timestamp(2025, 9, 29)  # Mon 9/29, Tue 9/30 at school; 10/1-10/8 off


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    return realistic_year(tmp_path_factory.mktemp("year") / "实验小学.xlsx")


@pytest.fixture(scope="module")
def run(book):
    return run_recalc(read_workbook(book))


def _rows(run, **where):
    p = run.results.progress
    for k, v in where.items():
        p = p[p[k] == v]
    return p


def _edited(book, tmp_path, edit) -> object:
    wb = openpyxl.load_workbook(book)
    edit(wb["规则"])
    out = tmp_path / "edited.xlsx"
    wb.save(out)
    return run_recalc(read_workbook(out))


def test_the_book_is_a_clean_realistic_year(run):
    assert run.as_of == AS_OF
    assert not [f for f in run.findings if f.level == "error"]
    assert len(run.results.teachers) == 40
    assert {ln.kind for ln in run.policy.calendar.lines} == {"放假", "调休上班"}


def test_r17_does_not_fail_the_national_day_week(run, book, tmp_path):
    r17 = _rows(run, rule_id="R17")
    groups = set(r17["subject"])
    assert len(groups) == 6
    holiday = r17[r17["period_start"] == NATIONAL_DAY_WEEK]
    assert len(holiday) == 6 and (holiday["state"] == State.MET).all() and (holiday["required"] == 0).all()
    assert (holiday["actual"] == 0).all()  # every group skipped it, as real groups do
    # the week after has three school days (Thu, Fri and Saturday 10/11, a 调休 workday): one meeting due
    after = r17[r17["period_start"] == pd.Timestamp(2025, 10, 6)]
    assert (after["required"] == 1).all() and (after["state"] == State.MET).all()
    # the one real failure: 综合备课组 skipped an ordinary week
    failed = r17[r17["state"] == State.FAILED]
    assert list(zip(failed["subject"], failed["period_start"])) == [(CAST.skipping_group, pd.Timestamp(CAST.skipped_week))]

    def no_calendar(ws):  # the 校历 lines cleared: every weekday counts again
        header = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "校历日期")
        r = header + 1
        while ws.cell(r, 3).value:
            for c in range(1, 5):
                ws.cell(r, c).value = None
            r += 1

    without = _edited(book, tmp_path, no_calendar)
    week = _rows(without, rule_id="R17")
    week = week[week["period_start"] == NATIONAL_DAY_WEEK]
    assert (week["state"] == State.FAILED).sum() == 6


def test_credits_from_bursts_are_judged_at_the_years_end_only(run, book, tmp_path):
    r01 = _rows(run, rule_id="R01")
    assert not (r01["state"] == State.BEHIND).any()
    # ... although most teachers are far below an even pace (the summer training comes in July)
    days = school_days(D(2025, 9, 1), D(2026, 8, 31))
    elapsed = len([d for d in days if d <= AS_OF]) / len(days)
    below = r01[(r01["subject_type"] == "teacher") & (r01["actual"] < 40 * elapsed)]
    assert len(below) >= 30

    def paced(ws):  # the school asks for pace on R01 after all
        header = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "规则编号")
        col = next(c for c in range(1, ws.max_column + 1) if ws.cell(header, c).value == "进度提示")
        row = next(r for r in range(header, ws.max_row + 1) if ws.cell(r, 1).value == "R01")
        assert ws.cell(row, col).value == "仅期末"
        ws.cell(row, col).value = "按进度"

    behind = _rows(_edited(book, tmp_path, paced), rule_id="R01")
    assert (behind["state"] == State.BEHIND).sum() >= 30


def test_the_teacher_who_left_gets_a_final_verdict_and_no_advice(run, book):
    mine = _rows(run, subject=CAST.left)
    assert not (mine["state"] == State.BEHIND).any()
    r03 = mine[(mine["rule_id"] == "R03") & (mine["semester"] == "第一学期")].iloc[0]
    # 7 lessons by 11-14 against 20 pro-rated to her school days in post (not the whole semester's 20)
    assert (r03["actual"], r03["state"], r03["final_reason"]) == (7, State.FAILED, "已离校")
    assert 8 <= r03["required"] < 20 and r03["closed"]
    row = next(a for a in alert_rows(run.results.alerts, run.results.progress, [CAST.left])
               if a.subject == CAST.left and a.rule_id == "R03")
    assert row.state == State.FAILED and "已离校" in row.note
    archive = _archive(book, CAST.left)
    assert archive["rules"] and all(r["still_needed"] is None for r in archive["rules"])
    assert any(r["final"] == "已离校" and r["state"] == State.FAILED for r in archive["rules"])


def test_maternity_leave_is_not_told_to_catch_up(run, book):
    mine = _rows(run, subject=CAST.maternity)
    assert not (mine["state"] == State.BEHIND).any()
    sem1 = mine[(mine["semester"] == "第一学期") & (mine["period_end"] >= pd.Timestamp(AS_OF))]
    # the leave runs past the semester's end: the semester is final for her, from 10-08
    assert len(sem1) and (sem1["final_reason"] == "休假").all() and sem1["closed"].all()
    r03 = sem1[sem1["rule_id"] == "R03"].iloc[0]
    assert r03["required"] < 20 and r03["state"] in (State.MET, State.FAILED)
    # the year is not over for her: she comes back in March
    year = mine[mine["semester"].str.endswith("学年")]
    assert (year["final_reason"] == "").all() and not year["closed"].any()
    archive = _archive(book, CAST.maternity)
    assert all(r["still_needed"] is None for r in archive["rules"] if r["period_end"] == "2026-01-31")


def test_the_teacher_who_joined_is_measured_from_her_first_day(run):
    r03 = _rows(run, subject=CAST.joined, rule_id="R03").iloc[0]
    assert r03["final_reason"] == "" and not r03["closed"]
    sem = school_days(D(2025, 9, 1), D(2026, 1, 31))
    assert r03["applicable_days"] == len([d for d in sem if d >= CAST.joined_on])


def _archive(book, teacher: str) -> dict:
    r = invoke_cli("archive", book, "--format", "json", "--teacher", teacher)
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    return next(t for t in doc["teachers"] if t["teacher_id"] == teacher)
