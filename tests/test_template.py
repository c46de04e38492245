"""The master workbook template, the demo school and the synthetic generator, read back for real."""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from cpdsheets.contract.policy import DEFAULT_RULES
from cpdsheets.contract.schema import DATA_SHEETS, LOG_SHEETS, SHEETS
from cpdsheets.doors.reader import read_workbook
from cpdsheets.doors.template.school_year import school_year
from cpdsheets.doors.template.master import XLMACROS_DIR, build_master
from cpdsheets.engine.policy_sheet import read_policy
from cpdsheets.samples import demo
from cpdsheets.samples.shipped import SHIPPED_DEMO, SHIPPED_DIR, SHIPPED_MASTER, rebuild_shipped
from cpdsheets.samples.synthetic import generate

MASTER = SHIPPED_DIR / SHIPPED_MASTER
DEMO = SHIPPED_DIR / SHIPPED_DEMO
MACROS = ("Validate", "Recalculate", "ClearMarks", "Archive")


@pytest.fixture(scope="module")
def fresh(tmp_path_factory) -> list[Path]:
    return rebuild_shipped(tmp_path_factory.mktemp("fresh"))


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


@pytest.mark.parametrize("name", [SHIPPED_MASTER, SHIPPED_DEMO])
def test_committed_workbooks_match_a_fresh_build(fresh, name):
    built = next(p for p in fresh if p.name == name)
    committed, rebuilt = _parts(SHIPPED_DIR / name), _parts(built)
    assert sorted(committed) == sorted(rebuilt)
    differing = [n for n in committed if committed[n] != rebuilt[n]]
    assert not differing, f"{name}: parts differ from a fresh build {differing}; " \
                          "run python -m cpdsheets.samples.shipped --rebuild"


def test_template_has_every_sheet_and_header_of_the_contract():
    book = CalamineWorkbook.from_path(str(MASTER))
    assert book.sheet_names[:3] == ["说明", "控制台", "规则"]
    for spec in DATA_SHEETS:
        rows = book.get_sheet_by_name(spec.name).to_python()
        assert rows[0][0] == f"2025-2026学年{spec.name}"
        assert rows[1] == [c.header for c in spec.columns]
    wb = openpyxl.load_workbook(MASTER)
    for spec in DATA_SHEETS:
        ws = wb[spec.name]
        assert ws.freeze_panes == "A3"
        for i, col in enumerate(spec.columns, start=1):
            comment = ws.cell(row=2, column=i).comment
            assert comment is not None and ("必填" if col.required else "选填") in comment.text


def _validations(ws) -> dict[str, list]:
    """Column letter -> the data validations covering row 3 of that column."""
    out: dict[str, list] = {}
    for dv in ws.data_validations.dataValidation:
        for rng in dv.sqref.ranges:
            for col in range(rng.min_col, rng.max_col + 1):
                if rng.min_row <= 3 <= rng.max_row:
                    out.setdefault(openpyxl.utils.get_column_letter(col), []).append(dv)
    return out


def test_template_data_validation_per_column_kind():
    wb = openpyxl.load_workbook(MASTER)
    assert "TeacherIDs" in wb.defined_names
    assert wb.defined_names["TeacherIDs"].attr_text.startswith("'教师名册'!$A$3:$A$")
    for spec in LOG_SHEETS:
        dvs = _validations(wb[spec.name])
        for i, col in enumerate(spec.columns):
            letter = openpyxl.utils.get_column_letter(i + 1)
            found = dvs.get(letter, [])
            if col.kind == "date":
                assert [d.type for d in found] == ["date"], (spec.name, col.header)
            elif col.kind == "number":
                assert [(d.type, d.operator, d.formula1) for d in found] == [("decimal", "greaterThanOrEqual", "0")]
            elif col.kind == "teacher_id":
                assert [(d.type, d.formula1) for d in found] == [("list", "TeacherIDs")], (spec.name, col.header)
            elif col.choices:
                assert len(found) == 1 and found[0].type == "list"
                assert found[0].formula1 == '"' + ",".join(col.choices) + '"'
    training = _validations(wb["培训记录"])
    assert "通识培训" in training["E"][0].formula1 and training["E"][0].errorStyle == "warning"
    assert "出勤" in training["H"][0].formula1  # 考勤
    assert '"校内,校外"' == _validations(wb["听课记录"])["H"][0].formula1  # 地点
    assert _validations(wb["豁免"])["B"][0].formula1 == "RuleIDs"


def test_buttons_call_macros_that_exist_in_the_built_project():
    with zipfile.ZipFile(MASTER) as z:
        vml = "".join(z.read(n).decode() for n in z.namelist() if n.startswith("xl/drawings/vmlDrawing"))
        assert "xl/vbaProject.bin" in z.namelist()
    bound = re.findall(r"<x:FmlaMacro>\[0\]!(\w+)</x:FmlaMacro>", vml)
    assert sorted(bound) == sorted(MACROS)
    sources = "".join(p.read_text(encoding="utf-8") for p in XLMACROS_DIR.glob("*.bas"))
    from oletools.olevba import VBA_Parser

    parser = VBA_Parser(str(MASTER))
    try:
        code = "\n".join(src for _, _, _, src in parser.extract_macros())
    finally:
        parser.close()
    for macro in MACROS:
        assert re.search(rf"Sub {macro}\(", sources)
        assert re.search(rf"Sub {macro}\(", code), f"{macro} missing from vbaProject.bin"


def test_policy_sheet_reads_back_as_the_default_rules_without_findings():
    policy, findings = read_policy(read_workbook(MASTER).sheets["规则"])
    assert findings == []
    sy = school_year("2025-2026")
    s = policy.settings
    assert (s.year_start, s.year_end, s.sem1_start, s.sem1_end, s.sem2_start, s.sem2_end) == \
           (sy.start, sy.end, date(2025, 9, 1), date(2026, 1, 31), date(2026, 3, 2), date(2026, 7, 10))
    assert s.as_of is None
    # the 校历 block: the State Council's 2025-2026 schedule inside the semesters
    lines = {(ln.start, ln.end, ln.kind) for ln in policy.calendar.lines}
    assert (date(2025, 10, 1), date(2025, 10, 8), "放假") in lines
    assert (date(2025, 9, 28), date(2025, 9, 28), "调休上班") in lines
    assert (date(2026, 5, 9), date(2026, 5, 9), "调休上班") in lines
    strip = {"row", "cells"}
    assert [r.model_dump(exclude=strip) for r in policy.rules] == [r.model_dump(exclude=strip) for r in DEFAULT_RULES]


def test_settings_dates_are_real_dates_and_year_is_derived(tmp_path):
    path = build_master(tmp_path / "next", year="2026-2027", school="测试小学", lang="en", macros=False)
    assert path.suffix == ".xlsx"
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("规则").to_python()
    settings = {r[0]: r[1] for r in rows if r and r[0]}
    assert settings["学校名称"] == "测试小学"
    # 2027 is not announced yet: the Spring Festival (2/6) from the lunar calendar, 除夕-初七 off (2/5-2/12),
    # and the second semester on the Monday after
    assert settings["第二学期开始"] == date(2027, 2, 15) and settings["学年结束"] == date(2027, 8, 31)
    calendar = {(r[0], r[2]) for r in rows if r and isinstance(r[0], date) and len(r) > 2}
    assert (date(2027, 2, 5), "放假") in calendar and (date(2026, 10, 1), "放假") in calendar
    guide = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("说明").to_python()
    assert guide[0][0].startswith("School-based training workbook")
    with zipfile.ZipFile(path) as z:
        assert "xl/vbaProject.bin" not in z.namelist()


# -- the demo ----------------------------------------------------------------------------------

def _cell(grid: list[list], a1: str):
    m = re.fullmatch(r"([A-Z]+)(\d+)", a1)
    col = ord(m.group(1)) - ord("A")
    row = grid[int(m.group(2)) - 1]
    return row[col] if col < len(row) else ""


def test_demo_reads_back_with_planted_values_at_planted_cells():
    book = CalamineWorkbook.from_path(str(DEMO))
    grids = {n: book.get_sheet_by_name(n).to_python(skip_empty_area=False) for n in book.sheet_names}
    assert 8 <= len(demo.PLANTED) <= 12
    assert len(set(demo.PLANTED)) == len(demo.PLANTED)
    typed = {"unknown-teacher": "10001", "name-mismatch": "王丽", "negative-number": "-3",
             "unknown-observed-teacher": "钱老师", "invalid-choice": "读书会"}
    for code, sheet, a1 in demo.PLANTED:
        grid = grids[sheet]
        value = _cell(grid, a1)
        if code in typed:
            assert value == typed[code], (code, sheet, a1, value)
        elif code == "invalid-date":
            assert value in ("2025-13-01", "下周")
        elif code == "date-outside-year":
            assert value == date(2024, 10, 20)
        elif code == "duplicate-row":
            r = int(a1[1:]) - 1
            assert grid[r] in grid[2:r] and any(grid[r])
        elif code == "too-many-hours":
            r = int(a1[1:]) - 1
            same_day = [row for row in grid[2:] if row[0] == grid[r][0] and row[1] == grid[r][1]]
            assert sum(float(row[6]) for row in same_day) > 12
        else:
            pytest.fail(f"no expectation for planted code {code}")


def test_demo_is_typed_like_people_type():
    book = CalamineWorkbook.from_path(str(DEMO))
    obs = book.get_sheet_by_name("听课记录").to_python(skip_empty_area=False)
    trainings = book.get_sheet_by_name("培训记录").to_python(skip_empty_area=False)
    values = [v for row in obs[2:] + trainings[2:] for v in row]
    assert any(isinstance(v, str) and re.fullmatch(r"\d{1,2}月\d{1,2}日", v) for v in values)
    assert any(isinstance(v, str) and v.endswith("学时") for v in values)
    assert any(isinstance(v, str) and re.search("[０-９]", v) for v in values)
    assert any(v in ("√", "✓") for v in values) and "本校" in values
    assert any(isinstance(v, float) and v == 1001.0 for row in obs[2:] for v in row[1:2])
    assert any(row == [""] * len(row) for row in obs[2:-1]), "a blank row inside the table"
    assert obs[0][0] == "2025-2026学年听课记录"
    outputs = book.get_sheet_by_name("成果记录").to_python()
    assert outputs[1][0] == "Teacher ID"
    rules = {r[0]: r[1] for r in book.get_sheet_by_name("规则").to_python() if r and r[0]}
    assert rules["统计截止日"] == date(2026, 4, 15) and rules["学校名称"] == "青禾路小学"


def test_demo_planted_alerts_name_real_subjects_and_rules():
    ids = {r.rule_id for r in DEFAULT_RULES if r.enabled}
    book = CalamineWorkbook.from_path(str(DEMO))
    roster = book.get_sheet_by_name("教师名册").to_python()[2:]
    subjects = {r[0] for r in roster} | {r[5] for r in roster}
    for alert in demo.PLANTED_ALERTS:
        assert alert["rule_id"] in ids and alert["subject"] in subjects
        assert alert["period_start"] <= alert["period_end"]
        assert alert["state"] in ("未达标", "进度落后", "超出上限")


# -- the synthetic generator ---------------------------------------------------------------------

def test_synthetic_generator_writes_the_requested_rows(tmp_path):
    path = generate(tmp_path / "big.xlsx", teachers=40, rows=3000, seed=3, messy=0.05)
    book = CalamineWorkbook.from_path(str(path))
    log_rows = 0
    for spec in LOG_SHEETS:
        grid = book.get_sheet_by_name(spec.name).to_python(skip_empty_area=False)
        assert grid[1][: len(spec.columns)] == [c.header for c in spec.columns]
        log_rows += sum(1 for row in grid[2:] if any(v != "" for v in row))
    assert log_rows == 3000
    assert len(book.get_sheet_by_name(SHEETS["teachers"].name).to_python()) - 2 == 40
    again = generate(tmp_path / "again.xlsx", teachers=40, rows=3000, seed=3, messy=0.05)
    assert _parts(path) == _parts(again)


# -- a real office ---------------------------------------------------------------------------------

@pytest.mark.parametrize("name", [SHIPPED_MASTER, SHIPPED_DEMO])
def test_libreoffice_converts_shipped_workbook(tmp_path, name):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed: cannot prove the workbook opens in a real office")
    src = tmp_path / name
    shutil.copy(SHIPPED_DIR / name, src)
    profile = (tmp_path / "lo-profile").as_uri()
    done = subprocess.run(
        [soffice, f"-env:UserInstallation={profile}", "--headless", "--norestore", "--convert-to", "xlsx",
         "--outdir", str(tmp_path / "out"), str(src)],
        capture_output=True, text=True, timeout=180,
    )
    out = tmp_path / "out" / (Path(name).stem + ".xlsx")
    assert done.returncode == 0 and out.exists(), done.stderr + done.stdout
    book = CalamineWorkbook.from_path(str(out))
    assert book.sheet_names == CalamineWorkbook.from_path(str(SHIPPED_DIR / name)).sheet_names
    headers = book.get_sheet_by_name("听课记录").to_python()[1]
    assert headers == [c.header for c in SHEETS["observations"].columns]
    assert isinstance(book.get_sheet_by_name("规则").to_python()[3][1], str)  # 学校名称
    dates = [r[1] for r in book.get_sheet_by_name("规则").to_python() if r and r[0] == "学年开始"]
    assert dates and isinstance(dates[0], (date, datetime))
