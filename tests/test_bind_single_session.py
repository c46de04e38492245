"""One sign-in sheet per session (`9.10新课标培训签到`): the title rows above `序号 | 工号 | 姓名 | 签到`
carry the session's date, title and hours; each teacher's 签到 cell is the mark (√ 到 假 缺, a typed
name as the signature, blank = absent). `cpdsheets bind` proposes such a tab as a sign-in grid with one
session, and recalc credits each teacher the session's hours for the sessions attended."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import openpyxl
import pytest
from conftest import invoke_cli as cli

from cpdsheets.contract.policy import Settings

ROSTER = [
    ["编号", "教师姓名", "性别", "参加工作年月"],
    ["1001", "王芳", "女", "2010.9"],
    ["1002", "李强", "男", "2023.9"],
    ["1003", "赵敏", "女", "2015.9"],
    ["1004", "陈刚", "男", "2016.9"],
]
# One merged title cell holds date, title and hours.
MERGED = [
    ["2024年9月10日 新课标解读专题培训签到表（2学时）"],
    ["序号", "工号", "姓名", "签到", "备注"],
    [1, "1001", "王芳", "√", ""],
    [2, "1002", "李强", "李强", "本人签名"],
    [3, "1003", "赵敏", "假", "病假"],
    [4, "1004", "陈刚", None, ""],
]
# Separate title lines; names only (no 工号); the attendance column called 签名.
LINES = [
    ["作业设计研讨签到表"],
    ["培训内容：作业设计研讨"],
    ["时间：2024.10.8", None, "学时：1.5"],
    ["序号", "姓名", "签名", "备注"],
    [1, "王芳", "王芳", ""],
    [2, "李强", "缺", ""],
    [3, "赵敏", "到", ""],
    [4, "陈刚", "√", ""],
]


def _book(tmp_path: Path, lines_tab: str = "10.8作业设计签到", mark: str = "√") -> Path:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in (("教职工名单", ROSTER), ("9.10新课标培训签到", MERGED), (lines_tab, LINES)):
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
    wb["9.10新课标培训签到"].merge_cells("A1:E1")
    wb[lines_tab]["C8"] = mark
    path = tmp_path / "学校.xlsx"
    wb.save(path)
    return path


def _one_tab_book(path: Path, tab: str, rows: list[list]) -> None:
    wb = openpyxl.Workbook()
    wb.active.title = "教职工名单"
    for name, sheet_rows in (("教职工名单", ROSTER), (tab, rows)):
        ws = wb[name] if name in wb.sheetnames else wb.create_sheet(name)
        for row in sheet_rows:
            ws.append(row)
    wb.save(path)


def _bind(book: Path) -> Path:
    r = cli("bind", book, "-o", book.with_suffix(".xlsm"))
    assert r.returncode == 0, r.stdout + r.stderr
    return book.with_suffix(".xlsm")


def _recalc(book: Path) -> dict:
    r = cli("recalc", book, "--dry-run", "--format", "json")
    assert r.returncode in (0, 1), r.stdout + r.stderr
    return json.loads(r.stdout)


def test_bind_proposes_each_per_session_tab_as_a_sign_in_grid_with_its_one_session(tmp_path):
    r = cli("bind", _book(tmp_path), "--dry-run", "--format", "json")
    assert r.returncode == 0, r.stdout + r.stderr
    sheets = {s["sheet"]: s for s in json.loads(r.stdout)["sheets"]}
    assert {k: (s["target"], s["shape"]) for k, s in sheets.items()} == {
        "教职工名单": ("teachers", "rows"), "9.10新课标培训签到": ("trainings", "grid"),
        "10.8作业设计签到": ("trainings", "grid")}
    merged, lines = sheets["9.10新课标培训签到"], sheets["10.8作业设计签到"]
    assert [(s["column"], s["date"], s["title"], s["hours"]) for s in merged["sessions"]] == [
        ("D", "2024-09-10", "新课标解读专题培训", "2")]
    assert [(s["column"], s["date"], s["title"], s["hours"]) for s in lines["sessions"]] == [
        ("C", "2024-10-08", "作业设计研讨", "1.5")]
    fields = {c["header"]: c["field"] for c in merged["columns"]}
    assert fields["签到"] == "attendance" and fields["工号"] == "teacher_id"
    assert {c["header"]: c["field"] for c in lines["columns"]}["签名"] == "attendance"
    assert merged["defaults"] == {"category": "校本研修", "level": "校级"}


def test_each_teacher_earns_the_session_hours_for_the_sessions_attended(tmp_path):
    out = _recalc(_bind(_book(tmp_path)))
    rate = Settings().rate("校本研修")
    credits = {t["teacher_id"]: t["credits_by_category"].get("校本研修", 0) for t in out["teachers"]}
    # 王芳 √ and her signature; 李强 his signature, then 缺; 赵敏 假, then 到; 陈刚 blank, then √.
    assert credits == pytest.approx({"1001": (2 + 1.5) * rate, "1002": 2 * rate, "1003": 1.5 * rate,
                                     "1004": 1.5 * rate})
    assert not [f for f in out["findings"] if f["code"] in ("grid-session-unreadable", "invalid-choice")]


def test_a_bad_mark_is_a_finding_at_its_cell_under_the_sign_in_header(tmp_path):
    out = _recalc(_bind(_book(tmp_path, mark="？")))
    bad = [f for f in out["findings"] if f["sheet"] == "10.8作业设计签到" and f["cell"] == "C8"]
    assert [(f["code"], f["value"], f["column"]) for f in bad] == [("invalid-choice", "？", "签名")]
    # and the session it cannot say was attended earns 陈刚 nothing (his √ there earned 1.5 学时)
    credits = {t["teacher_id"]: t["credits_by_category"].get("校本研修", 0) for t in out["teachers"]}
    assert credits["1004"] == 0
    # a signature that is not the row's own name is no signature: a finding at its cell too
    (tmp_path / "b").mkdir()
    out = _recalc(_bind(_book(tmp_path / "b", mark="王芳")))
    assert [f["code"] for f in out["findings"] if f["sheet"] == "10.8作业设计签到" and f["cell"] == "C8"] == [
        "invalid-choice"]


def test_a_session_tab_whose_title_loses_its_date_is_one_finding_at_the_title_cell(tmp_path):
    book = _bind(_book(tmp_path, lines_tab="作业设计签到"))  # no day in the tab's name either
    wb = openpyxl.load_workbook(book, keep_vba=True)
    wb["作业设计签到"]["A3"] = "时间：待定"
    wb.save(book)
    out = _recalc(book)
    unreadable = [f for f in out["findings"] if f["code"] == "grid-session-unreadable"]
    assert [(f["sheet"], f["cell"]) for f in unreadable] == [("作业设计签到", "A1")]
    credits = {t["teacher_id"]: t["credits_by_category"].get("校本研修", 0) for t in out["teachers"]}
    assert credits["1004"] == 0 and credits["1001"] == pytest.approx(2 * Settings().rate("校本研修"))


def test_labels_in_their_own_cells_and_a_real_date_cell_are_read_too(tmp_path):
    _one_tab_book(tmp_path / "书.xlsx", "读书分享会", [
        ["主题", "读书分享会"], ["时间", dt.datetime(2024, 11, 5)], ["学时", 3],
        ["工号", "姓名", "考勤"], ["1001", "王芳", "到"], ["1002", "李强", None]])
    r = cli("bind", tmp_path / "书.xlsx", "--dry-run", "--format", "json")
    sheet = {s["sheet"]: s for s in json.loads(r.stdout)["sheets"]}["读书分享会"]
    assert (sheet["shape"], [(s["date"], s["title"], s["hours"]) for s in sheet["sessions"]]) == (
        "grid", [("2024-11-05", "读书分享会", "3")])
    out = _recalc(_bind(tmp_path / "书.xlsx"))
    credits = {t["teacher_id"]: t["credits_by_category"].get("校本研修", 0) for t in out["teachers"]}
    assert credits["1001"] == pytest.approx(3 * Settings().rate("校本研修")) and credits["1002"] == 0


def test_a_tab_named_after_its_day_gives_the_date_the_title_rows_lack(tmp_path):
    _one_tab_book(tmp_path / "书.xlsx", "11.5读书分享签到", [
        ["读书分享会签到表（1学时）"], ["工号", "姓名", "签到"], ["1001", "王芳", "√"], ["1002", "李强", "假"]])
    r = cli("bind", tmp_path / "书.xlsx", "--dry-run", "--format", "json")
    sheet = {s["sheet"]: s for s in json.loads(r.stdout)["sheets"]}["11.5读书分享签到"]
    assert [(s["date"], s["title"], s["hours"]) for s in sheet["sessions"]] == [("11月5日", "读书分享会", "1")]
    r = cli("bind", tmp_path / "书.xlsx", "--year", "2024-2025")
    assert r.returncode == 0, r.stdout + r.stderr
    out = _recalc(tmp_path / "书.xlsm")
    credits = {t["teacher_id"]: t["credits_by_category"].get("校本研修", 0) for t in out["teachers"]}
    assert credits["1001"] == pytest.approx(Settings().rate("校本研修")) and credits["1002"] == 0
    assert not [f for f in out["findings"] if f["sheet"] == "11.5读书分享签到"]
