"""Every output format (issue 9, item 5): control characters typed into a workbook never reach
the terminal raw, JUnit and JSON always parse, and a 下限 of 1e308 never writes Infinity."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

import pytest

from conftest import POLICY_ROWS, ROSTER, TRAININGS, base_sheets, write_book
from hostile import rewrite_parts, run_cli

# A terminal title change (OSC ... BEL), a carriage return, a CSI in its 8-bit form, a bidi override.
HOSTILE = "\x1b]0;pwned\x07\r\x9b2J\u202e"
RAW = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e]")
RULE_HEADER = ["规则编号", "规则名称", "指标", "数据表", "字段", "条件", "周期", "适用对象", "下限", "上限",
               "严重度", "后果", "启用"]


def _ooxml_escaped(text: str) -> bytes:
    """How a writer stores control characters in sheet XML (`_xHHHH_`); openpyxl refuses them."""
    return "".join(f"_x{ord(c):04X}_" if ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F else c for c in text).encode()


@pytest.fixture
def hostile_book(tmp_path):
    """A typed date and a teacher's name that carry control characters, put in by editing the XML."""
    sheets = base_sheets()
    sheets["培训记录"] = [list(r) for r in TRAININGS] + [["BADDATE", "1001", "张三", "x", "通识培训", "校级", 2, "出勤"]]
    sheets["教师名册"] = [list(r) for r in ROSTER]
    sheets["教师名册"][3][1] = "BADNAME"  # 0007, listed first in the recalc text
    plain = write_book(tmp_path / "plain.xlsx", sheets)
    return rewrite_parts(plain, tmp_path / "hostile.xlsx", lambda name, data: data
                         .replace(b"BADDATE", "下周".encode() + _ooxml_escaped(HOSTILE))
                         .replace(b"BADNAME", "王".encode() + _ooxml_escaped(HOSTILE) + "五".encode()))


@pytest.mark.parametrize("fmt", ["text", "json", "junit", "github"])
def test_validate_formats_escape_control_characters(hostile_book, fmt):
    run = run_cli("validate", hostile_book, "--format", fmt)
    assert run.returncode == 1, run.stderr
    assert not RAW.search(run.stdout), repr(RAW.search(run.stdout))
    assert "\\x1b]0;pwned\\x07" in run.stdout.replace("\\u001b", "\\x1b").replace("\\u0007", "\\x07")
    if fmt == "json":
        finding = next(f for f in json.loads(run.stdout)["files"][0]["findings"] if f["code"] == "invalid-date")
        assert finding["value"] == "下周" + HOSTILE  # JSON carries the exact text, escaped
    if fmt == "junit":
        ET.fromstring(run.stdout)
    if fmt == "github":
        assert all(line.startswith("::") for line in run.stdout.splitlines())


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_recalc_output_escapes_control_characters(hostile_book, fmt):
    run = run_cli("recalc", hostile_book, "--dry-run", "--format", fmt, "--as-of", "2026-04-15")
    assert run.returncode == 0, run.stderr
    assert not RAW.search(run.stdout) and not RAW.search(run.stderr)
    if fmt == "json":
        names = [t["name"] for t in json.loads(run.stdout)["teachers"]]
        assert "王" + HOSTILE + "五" in names
    else:
        assert "王\\x1b]0;pwned\\x07" in run.stdout


def test_a_huge_lower_bound_never_writes_infinity(tmp_path):
    sheets = base_sheets()
    sheets["规则"] = [list(r) for r in POLICY_ROWS] + [[], RULE_HEADER,
                                                      ["R01", "听课", "计数", "听课记录", "", "", "学年", "", 1e308, "",
                                                       "错误", "", "是"]]
    book = write_book(tmp_path / "huge.xlsx", sheets)
    run = run_cli("recalc", book, "--dry-run", "--format", "json")
    assert run.returncode == 0, run.stderr

    def refuse(constant):
        raise AssertionError(f"{constant} in the JSON")

    doc = json.loads(run.stdout, parse_constant=refuse)
    assert any(a["rule_id"] == "R01" for a in doc["alerts"])
