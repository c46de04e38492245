"""`cpdsheets recalc` and `clear-marks` end to end on real files: tabs written, backups, refusals, marks."""

import hashlib
import json
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from conftest import TRAININGS
from conftest import invoke_cli as cli

ROOT = Path(__file__).parents[1]
DEMO = ROOT / "workbook" / "demo_school.xlsm"
TABS = ["学分汇总", "达标预警", "校验问题", "教研组统计", "运行记录"]



def digest(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


@pytest.fixture
def demo(tmp_path):
    return Path(shutil.copy(DEMO, tmp_path / "学校.xlsm"))


def test_recalc_in_place_writes_five_tabs_and_keeps_backup(demo):
    before = digest(demo)
    r = cli("recalc", demo)
    assert r.returncode == 0, r.stderr
    names = CalamineWorkbook.from_path(str(demo)).sheet_names
    assert names[-5:] == TABS or set(TABS) <= set(names)
    assert digest(demo.with_name(demo.name + ".bak")) == before
    wb = CalamineWorkbook.from_path(str(demo))
    alerts = wb.get_sheet_by_name("达标预警").to_python()
    # header + the planted cases: 8 alerts, one row per subject, rule and semester (1005's fortnights share one)
    assert alerts[0][0] == "状态" and len(alerts) == 1 + 7
    # what recalc prints counts and lists those rows, not the 8 periods behind them
    assert "12 位教师，7 条预警（未达标 5，超出上限 1，进度落后 1）" in r.stdout.splitlines()[0]
    assert len([line for line in r.stdout.splitlines() if line.startswith("  ")]) == 7
    fortnights = [line for line in r.stdout.splitlines() if " R08 " in line]
    assert len(fortnights) == 1 and "2/5 个双周未达标：3/2–3/15, 3/16–3/29" in fortnights[0]
    runlog = dict(row[:2] for row in wb.get_sheet_by_name("运行记录").to_python()[1:])
    assert str(runlog["预警（达标预警行数）"]) == "7" and str(runlog["预警周期数"]) == "8"
    issues = wb.get_sheet_by_name("校验问题").to_python()
    assert len(issues) == 1 + 9  # the demo's 9 planted mistakes
    # a second run replaces the tabs, it does not add more
    assert cli("recalc", demo, "--no-backup").returncode == 0
    again = CalamineWorkbook.from_path(str(demo)).sheet_names
    assert again == names


def test_recalc_output_elsewhere_leaves_input_untouched(demo, tmp_path):
    before = digest(demo)
    out = tmp_path / "结果.xlsm"
    assert cli("recalc", demo, "-o", out).returncode == 0
    assert digest(demo) == before and not demo.with_name(demo.name + ".bak").exists()
    assert set(TABS) <= set(CalamineWorkbook.from_path(str(out)).sheet_names)


def test_recalc_refuses_when_open_in_excel(demo):
    lock = demo.with_name("~$" + demo.name)
    lock.write_bytes(b"\x00" * 162)
    before = digest(demo)
    r = cli("recalc", demo)
    assert r.returncode == 2 and "打开" in r.stderr
    assert digest(demo) == before


def test_recalc_unreadable_exit_2(tmp_path):
    r = cli("recalc", tmp_path / "none.xlsx")
    assert r.returncode == 2 and "不存在" in r.stderr


def test_mark_then_clear_marks(demo):
    assert cli("recalc", demo, "--mark", "--no-backup").returncode == 0
    wb = openpyxl.load_workbook(demo)
    cell = wb["听课记录"]["A6"]  # the planted 2025-13-01
    assert cell.comment is not None and "日期" in cell.comment.text
    assert cell.fill.fgColor.rgb.endswith("FF9999")
    r = cli("clear-marks", demo, "--no-backup")
    # the seven error cells of the demo: the row dated last year (成果记录 B6) is an error, and marked, too
    assert r.returncode == 0 and "已清除 7 处标记" in r.stdout
    wb = openpyxl.load_workbook(demo)
    assert wb["听课记录"]["A6"].comment is None


def test_recalc_json_without_dry_run_still_writes(demo):
    r = cli("recalc", demo, "--format", "json", "--no-backup")
    assert r.returncode == 0
    assert json.loads(r.stdout)["as_of"] == "2026-04-15"
    assert "学分汇总" in CalamineWorkbook.from_path(str(demo)).sheet_names


def test_as_of_overrides_the_sheet(demo):
    r = cli("recalc", demo, "--dry-run", "--format", "json", "--as-of", "2025-10-31")
    doc = json.loads(r.stdout)
    assert doc["as_of"] == "2025-10-31"
    assert all(a["period_start"] <= "2025-10-31" for a in doc["alerts"])


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_legacy_xls_is_validated(tmp_path, book_factory):
    src = book_factory(培训记录=[list(r) for r in TRAININGS] + [["下周", "1001", "张三", "x", "通识培训", "校级", 2, "出勤"]])
    subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path}/lo", "--headless", "--convert-to", "xls",
                    "--outdir", str(tmp_path), str(src)], check=True, capture_output=True, timeout=180)
    xls = src.with_suffix(".xls")
    r = cli("validate", xls, "--format", "json")
    findings = json.loads(r.stdout)["files"][0]["findings"]
    assert r.returncode == 1 and [(f["code"], f["cell"]) for f in findings] == [("invalid-date", "A4")]


def test_switching_language_replaces_the_tabs(demo):
    assert cli("recalc", demo, "--no-backup").returncode == 0
    assert cli("recalc", demo, "--no-backup", "--lang", "en").returncode == 0
    names = CalamineWorkbook.from_path(str(demo)).sheet_names
    assert {"Summary", "Alerts", "Issues", "Groups", "RunLog"} <= set(names)
    assert not set(TABS) & set(names)
    header = CalamineWorkbook.from_path(str(demo)).get_sheet_by_name("Alerts").to_python()[0]
    assert header[0] == "State"


def test_recalc_in_place_on_a_rich_macro_workbook_is_faithful_and_repeatable(tmp_path):
    """The issue's fidelity case through the real command: VBA, a form button, validation, conditional
    formats, a table, notes, a defined name, merged cells and a chart survive `cpdsheets recalc`."""
    from cpdsheets.doors.ooxml.package_writer import CHANGED_PARTS
    from test_package_writer import _sheet_parts
    from writer_books import macro_book, parts

    book = macro_book(tmp_path / "校本培训.xlsm")
    before = parts(book)
    assert cli("recalc", book, "--no-backup").returncode == 0
    first = parts(book)
    changed = {n for n in before if before[n] != first.get(n)}
    assert changed <= set(CHANGED_PARTS), changed
    assert first["xl/vbaProject.bin"] == before["xl/vbaProject.bin"]
    assert set(TABS) <= set(_sheet_parts(book))
    assert cli("recalc", book, "--no-backup").returncode == 0
    second = parts(book)
    assert set(second) == set(first)
    # only the run log may differ (its time stamp has whole seconds: two quick runs can write the same one)
    assert {n for n in first if first[n] != second[n]} <= {_sheet_parts(book)["运行记录"]}
