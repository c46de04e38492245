"""The shipped macro workbook in a real office, before and after recalc writes into it: LibreOffice
imports every VBA module (python3-uno), the buttons' Subs are there, and the file converts cleanly."""

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from oletools.olevba import VBA_Parser

from conftest import libreoffice_uno_missing
from conftest import invoke_cli

ROOT = Path(__file__).parents[1]
MASTER = ROOT / "workbook" / "cpd_master.xlsm"
DEMO = ROOT / "workbook" / "demo_school.xlsm"
PROBE = Path(__file__).with_name("uno_vba_probe.py")
BUTTON_SUBS = {"Validate", "Recalculate", "ClearMarks"}


def _probe(book: Path, tmp: Path) -> dict:
    reason = libreoffice_uno_missing()
    if reason:
        pytest.skip(reason)
    out = tmp / "converted.xlsx"
    run = subprocess.run(["/usr/bin/python3", str(PROBE), str(book), str(out), str(tmp / "profile")],
                         capture_output=True, text=True, timeout=180)
    assert run.returncode == 0, run.stderr
    assert out.exists()
    return json.loads(run.stdout)


def _module_names(book: Path) -> set[str]:
    parser = VBA_Parser(str(book))
    try:
        return {Path(stream).name for _, stream, _, _ in parser.extract_macros()}
    finally:
        parser.close()


@pytest.mark.parametrize("book", [MASTER, DEMO], ids=["master", "demo"])
def test_libreoffice_lists_the_shipped_modules(book, tmp_path):
    report = _probe(book, tmp_path)
    library = report["libraries"]["VBAProject"]
    assert {"CpdSheets", "xlwings", "Dictionary", "ThisWorkbook"} <= set(library)
    assert BUTTON_SUBS <= set(re.findall(r"^\s*(?:Public\s+)?Sub\s+(\w+)", library["CpdSheets"], re.M))


def test_macros_survive_recalc_write_back(tmp_path):
    book = Path(shutil.copy(DEMO, tmp_path / "学校.xlsm"))
    before = _module_names(book)
    r = invoke_cli("recalc", book, "--mark")
    assert r.returncode == 0, r.stderr
    assert _module_names(book) == before
    report = _probe(book, tmp_path)
    assert {"CpdSheets", "xlwings", "Dictionary"} <= set(report["libraries"]["VBAProject"])
    assert {"学分汇总", "达标预警", "校验问题", "教研组统计", "运行记录"} <= set(report["sheets"])


@pytest.mark.parametrize("book", [MASTER, DEMO], ids=["master", "demo"])
def test_the_shipped_buttons_send_the_books_language(book):
    """The compiled CpdSheets module (decoded from the shipped book) posts to ``<job>?lang=BookLang()``,
    reads Excel's UI language under an error guard (WPS) and counts as Chinese the UI languages the
    test model of the client does (tests/vba_client_model.py)."""
    from vba_client_model import CHINESE_UI

    parser = VBA_Parser(str(book))
    try:
        module = next(code for _, _, name, code in parser.extract_macros() if Path(name).stem == "CpdSheets")
    finally:
        parser.close()
    assert re.search(r'RunServerPython url & "/xlwings/" & job & "\?lang=" & BookLang\(\)', module)
    ui = module.split("Private Function UiLang()", 1)[1].split("End Function", 1)[0]
    assert ui.index("On Error GoTo Done") < ui.index("Application.LanguageSettings.LanguageID(2)")
    chinese = re.search(r"Case ([\d, ]+)\r?\n\s+UiLang = \"zh\"", ui).group(1)
    assert {int(x) for x in chinese.split(",")} == CHINESE_UI
    assert 'UiLang = "zh"' in ui.split("On Error", 1)[0]  # the guard's answer, set before it
