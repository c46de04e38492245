"""A log a school does not keep (issue 18 item 8): 映射's `（本校不登记） | （整张表） | 成果记录` line.

A bound school with no 成果记录 failed `validate` forever (missing-sheet). With the line, validate passes,
the rules that count only 成果记录 are not evaluated (one info each, not 未达标 for every teacher), the
credit rules still count 培训记录, and re-binding keeps the line.
"""

from __future__ import annotations

import json
import shutil

import openpyxl
import pytest

from conftest import invoke_cli
from school_style import school_book

from cpdsheets.contract.binding import NOT_KEPT, WHOLE_SHEET, Binding
from cpdsheets.contract.book import RawSheet
from cpdsheets.engine.binding.mapping_sheet import mapping_rows, read_mapping

OUTPUT_RULES = {"R12", "R13", "R14"}  # the default rules that count 成果记录 only


@pytest.fixture(scope="module")
def bound(tmp_path_factory):
    folder = tmp_path_factory.mktemp("not_kept")
    book = school_book(folder / "school.xlsx", "openpyxl")  # no sheet of outputs at all
    r = invoke_cli("bind", book)
    assert r.returncode == 0, r.stdout + r.stderr
    return folder / "school.xlsm"


def _add_mapping_line(src, dest, line):
    shutil.copy(src, dest)
    wb = openpyxl.load_workbook(dest, keep_vba=True)
    wb["映射"].append(line)
    wb.save(dest)
    return dest


def _report(book, *args):
    r = invoke_cli(*args, book, "--format", "json")
    return r, json.loads(r.stdout)


def _findings(doc):
    (entry,) = doc["files"] if "files" in doc else [doc]
    return entry["findings"]


def test_without_the_line_a_missing_log_fails_and_the_hint_names_the_line(bound):
    r, doc = _report(bound, "validate")
    assert r.returncode == 1
    missing = [f for f in _findings(doc) if f["code"] == "missing-sheet"]
    assert [f["sheet"] for f in missing] == ["成果记录"]
    assert "（本校不登记） | （整张表） | 成果记录" in missing[0]["hint"]


def test_a_log_the_school_does_not_keep_passes_validate_and_its_rules_are_info(bound, tmp_path):
    book = _add_mapping_line(bound, tmp_path / "school.xlsm", [NOT_KEPT, WHOLE_SHEET, "成果记录", None])
    r, doc = _report(book, "validate")
    assert r.returncode == 0, r.stdout
    assert not [f for f in _findings(doc) if f["severity"] == "error"]

    r, doc = _report(book, "recalc", "--dry-run")
    assert r.returncode == 0, r.stdout + r.stderr
    found = _findings(doc)
    not_kept = [f for f in found if f["code"] == "rule-log-not-kept"]
    assert {f["value"] for f in not_kept} == OUTPUT_RULES
    assert all(f["severity"] == "info" and f["sheet"] == "规则" and f["cell"] for f in not_kept)
    assert "本校不登记「成果记录」" in not_kept[0]["message"]
    assert not [f for f in found if f["sheet"] == "成果记录" or "成果记录" in f["message"] and f not in not_kept]
    assert doc["alerts"] and not {a["rule_id"] for a in doc["alerts"]} & OUTPUT_RULES


def test_rebinding_keeps_the_line(bound, tmp_path):
    book = _add_mapping_line(bound, tmp_path / "school.xlsm", ["（本校不登记）", "（整张表）", "成果记录", ""])
    again = tmp_path / "again.xlsm"
    r = invoke_cli("bind", book, "-o", again)
    assert r.returncode == 0, r.stdout + r.stderr
    rows = [[c.value for c in row] for row in openpyxl.load_workbook(again)["映射"].iter_rows()]
    assert [NOT_KEPT, WHOLE_SHEET, "成果记录"] in [r[:3] for r in rows]
    assert invoke_cli("validate", again).returncode == 0


def test_rebinding_keeps_the_line_as_staff_typed_it(bound, tmp_path):
    book = _add_mapping_line(bound, tmp_path / "school.xlsm", ["本校不登记", "（整张表）", "成果记录", "", "区里不要求"])
    again = tmp_path / "again.xlsm"
    assert invoke_cli("bind", book, "-o", again).returncode == 0
    rows = [[c.value for c in row] for row in openpyxl.load_workbook(again)["映射"].iter_rows()]
    assert ["本校不登记", "（整张表）", "成果记录", None, "区里不要求"] in [r[:5] for r in rows]
    assert sum(1 for r in rows if r[2] == "成果记录") == 1


def test_reading_the_line_both_ways():
    binding = Binding(not_kept=("outputs", "activities"))
    rows = mapping_rows(binding)
    assert rows[1:] == [[NOT_KEPT, WHOLE_SHEET, "成果记录", ""], [NOT_KEPT, WHOLE_SHEET, "教研活动", ""]]
    read, findings = read_mapping(RawSheet("映射", rows))
    assert read.not_kept == ("outputs", "activities") and not findings


@pytest.mark.parametrize("line, column, word", [
    (["本校不登记", "（整张表）", "心情记录", ""], "对应字段", "心情记录"),
    (["（本校不登记）", "（整张表）", "教师名册", ""], "对应字段", "教师名册"),
    (["（本校不登记）", "类型", "成果记录", ""], "表头", "（整张表）"),
])
def test_a_line_that_cannot_say_not_kept_is_a_finding_at_its_cell(line, column, word):
    rows = [["工作表", "表头", "对应字段", "默认值"], line]
    read, findings = read_mapping(RawSheet("映射", rows))
    assert read.not_kept == ()
    assert [(f.code, f.row, f.column) for f in findings] == [("invalid-mapping", 2, column)]
    assert word in findings[0].message("zh")


def test_a_sheet_that_feeds_the_log_wins_and_the_line_is_a_warning():
    rows = [["工作表", "表头", "对应字段", "默认值"], ["（本校不登记）", "（整张表）", "成果记录", ""],
            ["成果登记", "（整张表）", "成果记录", ""]]
    read, findings = read_mapping(RawSheet("映射", rows))
    assert read.not_kept == () and [s.target for s in read.sheets] == ["outputs"]
    assert [(f.code, f.level, f.cell) for f in findings] == [("invalid-mapping", "warning", "A2")]
