"""`cpdsheets bind` at the terminal: --dry-run prints the proposed mapping (text zh/en, JSON) and leaves
the book byte-identical; exit 0 complete, 1 a required field unmapped or nothing recognised, 2 unreadable."""

from __future__ import annotations

import hashlib
import json

import pytest

from conftest import invoke_cli, run_cli
from school_style import OBS_HEADER, school_book, write_openpyxl


def _digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(params=["openpyxl", "xlsxwriter"])
def book(request, tmp_path):
    return school_book(tmp_path / "school.xlsx", request.param)


def test_dry_run_text_writes_nothing(book):
    before, listing = _digest(book), sorted(p.name for p in book.parent.iterdir())
    r = invoke_cli("bind", book, "--dry-run")
    assert r.returncode == 0, r.stdout + r.stderr
    out = r.stdout
    assert "教职工名单 → 教师名册（第 2 行为表头" in out
    assert "参加工作年月 → 参加工作时间  90%" in out
    assert "师傅         → 师傅工号（填姓名，按名册对应）  90%" in out
    assert "2024秋季听课登记 → 听课记录" in out and "2025春季听课登记 → 听课记录" in out
    assert "执教教师 → 授课教师  100%" in out
    assert "未对应的列：序号" in out
    assert "校本培训签到表 → 培训记录·签到表（第 5 行为表头" in out
    assert "默认值：类别 = 校本研修、级别 = 校级" in out
    assert "C 2024-09-10 新课标解读 2学时" in out
    assert "王芳 → 读书记录·每人一表（第 2 行为表头，教师：王芳" in out
    assert "工作安排：认不出是哪张登记表" in out
    assert _digest(book) == before
    assert sorted(p.name for p in book.parent.iterdir()) == listing  # no .bak, no OUT, no temp file


def test_dry_run_english(book):
    r = invoke_cli("bind", book, "--dry-run", "--lang", "en")
    assert r.returncode == 0
    assert "2024秋季听课登记 → Observations (听课记录) (header in row 2; confidence 95%)" in r.stdout
    assert "听课教师 → Observer ID (听课人工号) (names, matched to the roster)  90%" in r.stdout
    assert "工作安排: not recognised as any log" in r.stdout
    assert "把握" not in r.stdout


def test_dry_run_json(book):
    before = _digest(book)
    r = invoke_cli("bind", book, "--dry-run", "--format", "json")
    assert r.returncode == 0
    doc = json.loads(r.stdout)
    assert doc["complete"] is True
    sheets = {s["sheet"]: s for s in doc["sheets"]}
    assert {k: (s["target"], s["shape"]) for k, s in sheets.items()} == {
        "教职工名单": ("teachers", "rows"), "2024秋季听课登记": ("observations", "rows"),
        "2025春季听课登记": ("observations", "rows"), "校本培训签到表": ("trainings", "grid"),
        "王芳": ("reading", "per_teacher"), "李强": ("reading", "per_teacher")}
    observed = {c["header"]: (c["field"], c["confidence"], c["names"]) for c in sheets["2024秋季听课登记"]["columns"]}
    assert observed["听课教师"] == ("teacher_id", 0.9, True)
    assert observed["执教教师"] == ("taught_by", 1.0, False)
    assert observed["序号"] == ("", 0.0, False)
    assert sheets["2024秋季听课登记"]["unmapped"] == ["序号"]
    assert sheets["校本培训签到表"]["defaults"] == {"category": "校本研修", "level": "校级"}
    assert [s["hours"] for s in sheets["校本培训签到表"]["sessions"]] == ["2", "1.5", "2"]
    assert sheets["王芳"]["teacher"] == "王芳"
    assert doc["skipped"] == [{"sheet": "工作安排", "reason": "unrecognised"}]
    assert _digest(book) == before


def test_required_field_unmapped_exits_1_with_candidates(tmp_path):
    rows = [["听课教师", "执教教师", "听课日期", "场合"], ["李强", "王芳", "2024-10-12", "校内"]]
    book = write_openpyxl(tmp_path / "m.xlsx", {"听课登记": rows})
    r = invoke_cli("bind", book, "--dry-run")
    assert r.returncode == 1
    assert "! 缺少必填字段「地点」（候选列：场合）" in r.stdout
    doc = json.loads(invoke_cli("bind", book, "--dry-run", "-f", "json").stdout)
    assert doc["complete"] is False
    assert doc["sheets"][0]["missing"] == [{"field": "location", "field_name": "地点", "candidates": ["场合"]}]


def test_nothing_recognised_exits_1_and_writes_nothing(tmp_path):
    book = write_openpyxl(tmp_path / "notes.xlsx", {"工作安排": [["九月：开学准备"]]})
    before = _digest(book)
    r = invoke_cli("bind", book)
    assert r.returncode == 1
    assert "没有认出任何登记表，未写入" in r.stderr
    assert _digest(book) == before and sorted(p.name for p in tmp_path.iterdir()) == ["notes.xlsx"]


def test_unreadable_book_is_one_line_exit_2(tmp_path):
    bad = tmp_path / "bad.xlsx"
    bad.write_text("not a workbook", encoding="utf-8")
    r = run_cli("bind", bad, "--dry-run")
    assert r.returncode == 2
    assert r.stderr.strip().count("\n") == 0 and "不是有效的 Excel 工作簿" in r.stderr
    assert "Traceback" not in r.stderr


def test_bad_year_exits_2(tmp_path):
    book = write_openpyxl(tmp_path / "o.xlsx", {"听课": [OBS_HEADER]})
    r = invoke_cli("bind", book, "--dry-run", "--year", "2024-2026")
    assert r.returncode == 2 and "不是一个学年" in r.stderr


def _with_mapping(tmp_path, mapping_rows_: list[list[str]]):
    rows = [["听课教师", "执教教师", "听课日期", "场合"], ["李强", "王芳", "2024-10-12", "校内"]]
    return write_openpyxl(tmp_path / "bound.xlsx", {"听课登记": rows, "映射": mapping_rows_})


def test_dry_run_of_a_bound_book_shows_staff_lines(tmp_path):
    """Staff mapped 场合 to 地点 in 映射: a re-bind proposes their line, and the book is complete."""
    book = _with_mapping(tmp_path, [["工作表", "表头", "对应字段", "默认值"],
                                    ["听课登记", "（整张表）", "听课记录", ""],
                                    ["听课登记", "场合", "地点", ""]])
    r = invoke_cli("bind", book, "--dry-run")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "场合     → 地点  100%" in r.stdout
    assert "执教教师 → 授课教师  100%" in r.stdout  # the header staff had not listed, added from the proposal
    assert "缺少必填字段" not in r.stdout


def test_unusable_mapping_line_is_reported_and_nothing_written(tmp_path):
    book = _with_mapping(tmp_path, [["工作表", "表头", "对应字段", "默认值"],
                                    ["听课登记", "（整张表）", "听课记录", ""],
                                    ["听课登记", "场合", "地 址", ""]])
    before = _digest(book)
    for args in (["--dry-run"], []):
        r = invoke_cli("bind", book, *args)
        assert r.returncode == 1
        assert "映射!C3: 「映射」表的这一行无法使用：「地 址」不是「听课记录」的字段" in r.stderr
        assert "「映射」中有 1 行无法使用，改正或删除后再绑定" in r.stderr
    assert _digest(book) == before and sorted(p.name for p in tmp_path.iterdir()) == ["bound.xlsx"]


def test_school_name_and_year_go_into_the_new_policy_sheet(tmp_path):
    """--school and --year fill the new 规则 sheet's settings, so roll-ups name the school, not the file."""
    from cpdsheets.doors.reader import read_workbook
    from cpdsheets.engine.policy_sheet import read_policy

    book = school_book(tmp_path / "school.xlsx", "openpyxl")
    r = invoke_cli("bind", book, "--school", "城东小学", "--year", "2024-2025")
    assert r.returncode == 0, r.stdout + r.stderr
    policy, findings = read_policy(read_workbook(book.with_suffix(".xlsm")).sheets["规则"])
    assert [f for f in findings if f.level == "error"] == []
    assert policy.settings.school_name == "城东小学"
    assert (policy.settings.year_start.isoformat(), policy.settings.year_end.isoformat()) == ("2024-09-01", "2025-08-31")
