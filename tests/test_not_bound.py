"""A school's own book that was never bound (issue 18 item 9): validate and rollup say to run `cpdsheets bind`.

Before, validate told a school whose book holds 教职工名单 and 听课登记 to 「添加名为教师名册的工作表」
(and four more missing-sheet errors); bind would have recognised every one of its sheets.
"""

from __future__ import annotations

import json

import openpyxl
import pytest

from conftest import invoke_cli
from school_style import school_book


@pytest.fixture(scope="module")
def own_book(tmp_path_factory):
    return school_book(tmp_path_factory.mktemp("own") / "实验小学 2025.xlsx", "openpyxl")


def test_validate_suggests_bind_for_a_book_bind_recognises(own_book):
    r = invoke_cli("validate", own_book, "--format", "json")
    assert r.returncode == 1
    (found,) = json.loads(r.stdout)["files"][0]["findings"]
    assert found["code"] == "not-bound" and found["severity"] == "error"
    assert "教职工名单 → 教师名册" in found["message"] and "校本培训签到表 → 培训记录·签到表" in found["message"]
    assert found["hint"].startswith('运行 cpdsheets bind "实验小学 2025.xlsx"')
    r = invoke_cli("validate", own_book, "--lang", "en")
    assert 'Run cpdsheets bind "实验小学 2025.xlsx"' in r.stdout and "添加" not in r.stdout


def test_rollup_suggests_bind(own_book):
    r = invoke_cli("rollup", own_book)
    assert "学校自己的登记簿，尚未绑定：先运行 cpdsheets bind" in r.stdout, r.stdout


def test_a_book_bind_does_not_recognise_still_names_the_missing_sheets(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.append(["随便写写"])
    wb.save(tmp_path / "notes.xlsx")
    r = invoke_cli("validate", tmp_path / "notes.xlsx")
    assert "添加名为「教师名册」的工作表" in r.stdout and "not-bound" not in r.stdout


def test_a_bound_book_is_not_said_to_be_unbound(own_book, tmp_path):
    book = tmp_path / "school.xlsx"
    book.write_bytes(own_book.read_bytes())
    assert invoke_cli("bind", book).returncode == 0
    r = invoke_cli("validate", tmp_path / "school.xlsm")
    assert "not-bound" not in r.stdout


def test_rollup_of_a_folder_with_the_book_and_its_bound_xlsm_counts_one_school(own_book, tmp_path):
    book = tmp_path / "school.xlsx"
    book.write_bytes(own_book.read_bytes())
    assert invoke_cli("bind", book).returncode == 0
    r = invoke_cli("rollup", tmp_path, "--format", "json")
    doc = json.loads(r.stdout)
    assert [s["path"].rsplit("/", 1)[-1] for s in doc["schools"]] == ["school.xlsm"]
    assert [s["path"].rsplit("/", 1)[-1] for s in doc["skipped"]] == ["school.xlsx"]
    text = invoke_cli("rollup", tmp_path).stdout
    assert "school.xlsx" in text and "cpdsheets bind" not in text  # said skipped, not to be bound
