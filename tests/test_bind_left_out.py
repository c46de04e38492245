"""Leaving a sheet out on purpose (a 2023 archive tab, a 备课 log): the 映射 line
`工作表 | （整张表） | （不用）` says the sheet is not read. It survives re-binding (bind never proposes
the sheet again), every job skips it silently, `bind --dry-run` lists it as left out by 映射, and the
映射 table round-trips the line."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import openpyxl
from conftest import invoke_cli

from bound_books import D, ROSTER, ROSTER_BINDING, sheet, write_book
from cpdsheets.contract.binding import Binding
from cpdsheets.jobs.book import check
from cpdsheets.doors.reader import read_workbook
from cpdsheets.engine.binding.mapping_sheet import mapping_rows, read_mapping
from cpdsheets.engine.binding.rebind import merge
from school_style import MERGED, school_sheets, write_openpyxl

AS_OF = dt.date(2025, 7, 1)
ARCHIVE = "2023秋季听课登记"
# Last year's log, kept in the book: no 执教教师 or 地点 column, and dates of another school year.
ARCHIVE_ROWS = [["听课时间", "听课教师", "学科", "课题", "笔记字数"],
                [dt.datetime(2023, 10, 8), "王芳", "语文", "秋天", 300],
                [dt.datetime(2023, 11, 8), "孙七", "数学", "分数", "很多"]]


def _school_with_archive(tmp_path: Path) -> Path:
    sheets = school_sheets()
    sheets[ARCHIVE] = ARCHIVE_ROWS
    return write_openpyxl(tmp_path / "学校.xlsx", sheets, MERGED)


def _mapping(path: Path) -> list[list[str]]:
    ws = openpyxl.load_workbook(path)["映射"]
    return [["" if v is None else str(v) for v in row] for row in ws.iter_rows(min_row=2, max_col=4, values_only=True)]


def _leave_out(path: Path, name: str) -> None:
    """What staff do in Excel: delete the sheet's lines from 映射 and add one line leaving it out."""
    wb = openpyxl.load_workbook(path, keep_vba=True)
    ws = wb["映射"]
    for r in range(ws.max_row, 2, -1):
        if ws.cell(r, 1).value == name:
            ws.delete_rows(r)
    ws.append([name, "（整张表）", "（不用）", None])
    wb.save(path)


def test_a_sheet_left_out_in_the_mapping_stays_out_when_bind_runs_again(tmp_path):
    book = _school_with_archive(tmp_path)
    r = invoke_cli("bind", book)
    assert r.returncode == 1  # the archive tab lacks required fields: bind says so
    bound = book.with_suffix(".xlsm")
    assert any(line[0] == ARCHIVE for line in _mapping(bound))
    _leave_out(bound, ARCHIVE)

    # Its dry run: the sheet is left out by 映射 (not unrecognised), and the rest is complete.
    r = invoke_cli("bind", bound, "--dry-run")
    assert r.returncode == 0, r.stdout + r.stderr
    assert f"  {ARCHIVE}：「映射」中设为（不用），不读取" in r.stdout
    assert f"{ARCHIVE} →" not in r.stdout and f"{ARCHIVE}：认不出" not in r.stdout
    r = invoke_cli("bind", bound, "--dry-run", "--lang", "en")
    assert f"  {ARCHIVE}: left out by 映射 （不用）: not read" in r.stdout
    doc = json.loads(invoke_cli("bind", bound, "--dry-run", "--format", "json").stdout)
    assert doc["complete"] is True and ARCHIVE not in {s["sheet"] for s in doc["sheets"]}
    assert {"sheet": ARCHIVE, "reason": "left_out"} in doc["skipped"]

    # Binding again keeps the line and proposes nothing else for the sheet.
    r = invoke_cli("bind", bound)
    assert r.returncode == 0, r.stdout + r.stderr
    assert [line for line in _mapping(bound) if line[0] == ARCHIVE] == [[ARCHIVE, "（整张表）", "（不用）", ""]]

    # Every job skips it, silently: no finding names it, no record comes from it.
    _, validation, findings, _ = check(read_workbook(bound), as_of=AS_OF)
    assert not [f for f in findings if f.sheet == ARCHIVE or ARCHIVE in str(f.value)]
    assert not [f for f in findings if f.code == "invalid-mapping"]
    assert set(validation.dataset.sources["observations"]["sheet"]) == {"2024秋季听课登记", "2025春季听课登记"}
    r = invoke_cli("recalc", bound, "--no-backup", "--as-of", AS_OF.isoformat())
    assert r.returncode == 0, r.stderr
    issues = openpyxl.load_workbook(bound)["校验问题"]
    assert not [c for row in issues.iter_rows(values_only=True) for c in row if c and ARCHIVE in str(c)]


def _obs_log() -> list[list]:
    return [["听课时间", "听课教师", "执教教师", "听课地点"], [D(2024, 10, 8), "1001", "李强", "校内"]]


OBS = (("听课时间", "date"), ("听课教师", "teacher_id"), ("执教教师", "taught_by"), ("听课地点", "location"))


def test_a_left_out_sheet_named_like_a_contract_sheet_is_not_read_at_all(tmp_path):
    """An old template tab `读书记录` full of last year's mistakes, left out: the engine never sees it."""
    old_reading = [["工号", "日期", "书刊名称", "类型"], ["9999", "下周", "甲", "小说"]]
    rows = mapping_rows(Binding(sheets=(ROSTER_BINDING, sheet("听课登记", "observations", *OBS))))
    rows.append(["读书记录", "（整张表）", "（不用）", ""])
    path = write_book(tmp_path / "b.xlsx", {"教职工名单": ROSTER, "听课登记": _obs_log(), "读书记录": old_reading},
                      None, mapping=rows)
    _, validation, findings, _ = check(read_workbook(path), as_of=AS_OF)
    assert not [f for f in findings if f.code == "invalid-mapping"]
    # Nothing about its cells; the log it would feed is missing, as in a book without the tab.
    assert [f.code for f in findings if f.sheet == "读书记录"] == ["missing-sheet"]
    assert len(validation.dataset.frame("reading")) == 0
    assert validation.dataset.frame("observations")["_ok"].all()


def test_only_the_sheet_line_set_to_unused_leaves_the_sheet_out_and_its_column_lines_say_nothing(tmp_path):
    binding = Binding(sheets=(ROSTER_BINDING, sheet("听课登记", "observations", *OBS),
                              sheet("备课记录", "observations", ("日期", "date"), ("执教", "taught_by"))))
    rows = mapping_rows(binding)
    for row in rows:
        if row[:2] == ["备课记录", "（整张表）"]:
            row[2] = "不用"  # staff typed it without the brackets
    lessons = [["日期", "执教", "内容"], ["九月", "", "备课"]]
    path = write_book(tmp_path / "c.xlsx", {"教职工名单": ROSTER, "听课登记": _obs_log(), "备课记录": lessons},
                      None, mapping=rows)
    read, unusable = read_mapping(read_workbook(path).sheets["映射"])
    assert unusable == [] and read.left_out == ("备课记录",) and read.for_sheet("备课记录") is None
    _, _, findings, _ = check(read_workbook(path), as_of=AS_OF)
    assert not [f for f in findings if f.sheet == "备课记录" or f.code in ("invalid-mapping", "mapped-sheet-missing")]
    # Re-binding writes the sheet as one line: its column lines had no effect.
    again = mapping_rows(merge(read, binding))
    assert [r for r in again if r[0] == "备课记录"] == [["备课记录", "（整张表）", "（不用）", ""]]


def test_the_left_out_line_round_trips_and_a_second_sheet_line_is_a_finding(tmp_path):
    binding = Binding(sheets=(ROSTER_BINDING,), left_out=("2023听课", "备课记录"))
    rows = mapping_rows(binding)
    assert rows[-2:] == [["2023听课", "（整张表）", "（不用）", ""], ["备课记录", "（整张表）", "（不用）", ""]]
    path = write_book(tmp_path / "m.xlsx", {"教职工名单": ROSTER}, None, mapping=rows)
    read, findings = read_mapping(read_workbook(path).sheets["映射"])
    assert findings == [] and read == binding

    rows.append(["备课记录", "（整张表）", "听课记录", ""])
    path = write_book(tmp_path / "n.xlsx", {"教职工名单": ROSTER}, None, mapping=rows)
    read, findings = read_mapping(read_workbook(path).sheets["映射"])
    assert [(f.code, f.cell, f.value) for f in findings] == [("invalid-mapping", f"C{len(rows)}", "听课记录")]
    assert read.left_out == ("2023听课", "备课记录") and read.for_sheet("备课记录") is None
