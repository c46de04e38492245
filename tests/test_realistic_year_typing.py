"""Issue 18 items 3, 4, 5 and 7 on the realistic school year (samples/realistic_year.py): the mistakes the
issue's new-user trial typed, each put into the year's book, give exactly their finding at their cell,
and change the counts only as the finding says (compared with the same book without the mistake)."""

from __future__ import annotations

import collections
import datetime as dt
import shutil

import openpyxl
import pytest

from cpdsheets.doors.cli import validate_file
from cpdsheets.jobs.book import run_recalc
from cpdsheets.jobs.tabs import marks_for
from cpdsheets.doors.reader import read_workbook

from cpdsheets.samples import realistic_year as realistic


@pytest.fixture(scope="module")
def year(tmp_path_factory):
    return realistic.realistic_year(tmp_path_factory.mktemp("year") / "实验小学.xlsx")


@pytest.fixture(scope="module")
def clean(year):
    outcome = run_recalc(read_workbook(str(year)))
    return outcome, _keys(outcome.findings)


def _keys(findings):
    return collections.Counter((f.code, f.sheet, f.cell) for f in findings)


def _edit(year, tmp_path, change):
    """A copy of the year's book with ``change(workbook)`` applied and saved (openpyxl)."""
    path = tmp_path / year.name
    shutil.copyfile(year, path)
    wb = openpyxl.load_workbook(path)
    change(wb)
    wb.save(path)
    return path


def _header(ws):
    """(header row number, {header: column number}) of a template sheet (a title row above it)."""
    for r in range(1, 6):
        values = [c.value for c in ws[r]]
        if "日期" in values or "工号" in values:
            return r, {v: i + 1 for i, v in enumerate(values) if v}
    raise AssertionError(ws.title)


def _new(outcome, clean):
    return _keys(outcome.findings) - clean[1]


def _credits(outcome):
    return outcome.results.teachers.set_index("teacher_id")["credits"].to_dict()


def test_the_year_raises_none_of_these_findings_by_itself(clean):
    outcome, keys = clean
    codes = {code for code, _, _ in keys}
    assert not codes & {"unknown-group", "unknown-category", "unknown-rule-id", "date-as-number", "likely-duplicate",
                        "likely-duplicate-counted", "date-outside-year", "too-many-hours", "unknown-rule-value"}, keys


def test_a_group_typed_without_its_zu_is_an_error_naming_the_group(year, clean, tmp_path):
    def change(wb):
        ws = wb["教研活动"]
        h, cols = _header(ws)
        row = next(r for r in range(h + 1, ws.max_row + 1) if ws.cell(r, cols["组别"]).value == "英语组")
        ws.cell(r := row, cols["组别"]).value = "英语"
        change.cell = f"{openpyxl.utils.get_column_letter(cols['组别'])}{r}"

    outcome = run_recalc(read_workbook(str(_edit(year, tmp_path, change))))
    assert _new(outcome, clean) == collections.Counter({("unknown-group", "教研活动", change.cell): 1})
    f = next(f for f in outcome.findings if f.code == "unknown-group")
    assert f.level == "error" and "是不是「英语组」" in f.hint()
    assert (f.sheet, f.cell) in {(m.sheet, m.cell) for m in marks_for(outcome.findings)}


def test_a_session_typed_twice_differently_counts_once(year, clean, tmp_path):
    def change(wb):
        ws = wb["培训记录"]
        h, cols = _header(ws)
        src = next(r for r in range(h + 1, ws.max_row + 1) if ws.cell(r, cols["类别"]).value == "校本研修")
        values = {k: ws.cell(src, c).value for k, c in cols.items()}
        day = values["日期"]
        day = day.date() if isinstance(day, dt.datetime) else day
        values.update({"日期": f"{day.month}月{day.day}日", "学时": f"{values['学时']}学时", "级别": None,
                       "项目名称": f"《{values['项目名称']}》 ", "姓名": None})
        new = ws.max_row + 1
        for k, c in cols.items():
            ws.cell(new, c).value = values[k]
        change.rows = (src, new, str(values["工号"]).strip())

    outcome = run_recalc(read_workbook(str(_edit(year, tmp_path, change))))
    src, new, tid = change.rows
    assert _new(outcome, clean) == collections.Counter({("likely-duplicate-counted", "培训记录", f"D{src}"): 1,
                                                        ("likely-duplicate", "培训记录", f"D{new}"): 1})
    before, after = _credits(clean[0]), _credits(outcome)
    assert after == before  # counted once: every teacher's credits as without the second entry
    assert tid in after


def test_rows_left_out_are_errors_and_marked(year, clean, tmp_path):
    def change(wb):
        ws = wb["培训记录"]
        h, cols = _header(ws)
        for typed in ("2052.11.5", "2026.10.22", 12.3):
            r = ws.max_row + 1
            for k, v in {"日期": typed, "工号": "1005", "项目名称": "校本研修", "类别": "校本研修", "学时": 2}.items():
                ws.cell(r, cols[k]).value = v
        change.first = ws.max_row - 2

    outcome = run_recalc(read_workbook(str(_edit(year, tmp_path, change))))
    r = change.first
    assert _new(outcome, clean) == collections.Counter({("date-outside-year", "培训记录", f"A{r}"): 1,
                                                        ("date-outside-year", "培训记录", f"A{r + 1}"): 1,
                                                        ("date-as-number", "培训记录", f"A{r + 2}"): 1})
    marked = {m.cell for m in marks_for(outcome.findings) if m.sheet == "培训记录"}
    assert {f"A{r}", f"A{r + 1}", f"A{r + 2}"} <= marked
    assert _credits(outcome) == _credits(clean[0])


def test_an_exemption_for_rule_r99_is_an_error_and_exempts_nothing(year, clean, tmp_path):
    tid = realistic.CAST.slackers[0]

    def change(wb):
        ws = wb["豁免"]
        h, cols = _header(ws)
        r = ws.max_row + 1
        for k, v in {"工号": tid, "规则编号": "R99", "开始日期": dt.datetime(2025, 9, 1),
                     "结束日期": dt.datetime(2026, 1, 31), "原因": "病假"}.items():
            ws.cell(r, cols[k]).value = v
        change.cell = f"{openpyxl.utils.get_column_letter(cols['规则编号'])}{r}"

    outcome = run_recalc(read_workbook(str(_edit(year, tmp_path, change))))
    assert _new(outcome, clean) == collections.Counter({("unknown-rule-id", "豁免", change.cell): 1})
    f = next(f for f in outcome.findings if f.code == "unknown-rule-id")
    assert f.level == "error" and f.message().endswith("此行豁免不生效。")
    mine = lambda o: o.results.progress[o.results.progress["subject"] == tid][["rule_id", "required", "state"]]
    assert mine(outcome).equals(mine(clean[0]))  # the slacker is still held to everything


def test_days_given_on_online_courses_are_not_days_away(year, clean, tmp_path):
    """Staff follow the hours hint 「多日培训请填写天数」 on every 网络研修 row: no new 超出上限 (R15 counts
    外出培训 only) and no too-many-hours (before: 7 false 超出上限 on the trial's book)."""
    def change(wb):
        ws = wb["培训记录"]
        h, cols = _header(ws)
        change.rows = 0
        for r in range(h + 1, ws.max_row + 1):
            if ws.cell(r, cols["类别"]).value == "网络研修":
                ws.cell(r, cols["天数"]).value = 7
                change.rows += 1

    outcome = run_recalc(read_workbook(str(_edit(year, tmp_path, change))))
    assert change.rows >= 10
    assert _new(outcome, clean) == collections.Counter()

    def over(o):
        a = o.results.alerts
        return sorted(a.loc[(a["rule_id"] == "R15") & (a["state"] == "超出上限"), "subject"])

    assert over(outcome) == over(clean[0])
    days = lambda o: o.results.progress.loc[o.results.progress["rule_id"] == "R15", ["subject", "actual"]]
    assert days(outcome).equals(days(clean[0]))  # 天数 on online courses add no day away
