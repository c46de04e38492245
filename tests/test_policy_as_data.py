"""The school's rules are data in its own 规则 sheet: editing a row there changes the result, end to end."""

import json
import shutil
from pathlib import Path

import openpyxl
import pytest

from conftest import invoke_cli

DEMO = Path(__file__).parents[1] / "workbook" / "demo_school.xlsm"


def rules_rows(ws):
    """rule id -> row number, and header -> column letter, of the rules table."""
    header_row = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "规则编号")
    cols = {ws.cell(header_row, c).value: openpyxl.utils.get_column_letter(c) for c in range(1, ws.max_column + 1)}
    ids = {ws.cell(r, 1).value: r for r in range(header_row + 1, ws.max_row + 1) if ws.cell(r, 1).value}
    return ids, cols


def recalc_json(book: Path) -> dict:
    r = invoke_cli("recalc", book, "--dry-run", "--format", "json")
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


@pytest.fixture
def edited(tmp_path):
    def edit(changes: dict[tuple[str, str], object]) -> Path:
        book = tmp_path / "学校.xlsm"
        shutil.copy(DEMO, book)
        wb = openpyxl.load_workbook(book, keep_vba=True)
        ws = wb["规则"]
        ids, cols = rules_rows(ws)
        for (rule_id, header), value in changes.items():
            ws[f"{cols[header]}{ids[rule_id]}"] = value
        wb.save(book)
        return book
    return edit


def alert_keys(doc):
    return {(a["subject"], a["rule_id"], a["state"]) for a in doc["alerts"]}


def test_disabling_and_relaxing_rules_in_the_sheet(edited):
    base = alert_keys(recalc_json(DEMO))
    assert ("1005", "R08", "未达标") in base and ("1004", "R03", "未达标") in base
    assert ("1010", "R03", "进度落后") in base
    doc = recalc_json(edited({("R08", "启用"): "否", ("R03", "下限"): 10}))
    got = alert_keys(doc)
    assert not any(rule == "R08" for _, rule, _ in got)
    assert ("1004", "R03", "未达标") not in got  # 15 lessons now meet a bound of 10
    # 吴昊's 6 lessons now meet the pace of a bound of 10 (floor(10 × 59/145) = 4)
    assert got == base - {("1005", "R08", "未达标"), ("1004", "R03", "未达标"), ("1010", "R03", "进度落后")}


def test_enabling_an_alternative_rule_adds_its_alerts(edited):
    base = recalc_json(DEMO)
    assert not any(a["rule_id"] == "A04" for a in base["alerts"])
    doc = recalc_json(edited({("A04", "启用"): "是"}))  # 每学期论文 >= 2: the demo school writes few papers
    a04 = [a for a in doc["alerts"] if a["rule_id"] == "A04"]
    closed = [a for a in a04 if a["period_end"] == "2026-01-31"]
    assert closed and all(a["state"] == "未达标" and a["actual"] < 2 for a in closed)
    assert len({a["subject"] for a in closed}) >= 10


def test_a_rule_row_that_does_not_parse_is_a_finding_and_is_skipped(edited):
    book = edited({("R03", "周期"): "季度"})
    doc = recalc_json(book)
    bad = [f for f in doc["findings"] if f["code"] == "invalid-rule"]
    assert len(bad) == 1 and bad[0]["sheet"] == "规则" and bad[0]["value"] == "季度" and bad[0]["column"] == "周期"
    assert not any(a["rule_id"] == "R03" for a in doc["alerts"])
