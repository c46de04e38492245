"""Formulas with no saved result (a book last saved by openpyxl or a script): said as formulas, never
called empty, never evaluated; gone once Excel or LibreOffice has saved the book and stored results."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pytest

from bound_books import ROSTER, ROSTER_BINDING, sheet, write_book as write_school_book
from conftest import TRAININGS
from conftest import invoke_cli as cli
from cpdsheets.contract.binding import Binding
from cpdsheets.jobs.book import check, run_recalc
from cpdsheets.doors.ooxml.formula_cells import may_lack_results, uncalculated
from cpdsheets.doors.reader import read_workbook

D = dt.date
# 学时 a formula (required: the row cannot count), 姓名 a formula (optional: read as blank).
ROW = [D(2025, 9, 5), "1001", '="张"&"三"', "x", "通识培训", "校级", "=1+1", "出勤"]


def _book(book_factory) -> Path:
    return book_factory(培训记录=[*map(list, TRAININGS), ROW])


def test_an_openpyxl_book_says_which_formulas_have_no_result(book_factory):
    _, validation, findings, _ = check(read_workbook(_book(book_factory)))
    hours = [f for f in findings if f.cell == "G4"]
    assert [(f.code, f.value, f.effect) for f in hours] == [("formula-not-calculated", "=1+1", "row-left-out")]
    assert "「学时」是公式 =1+1" in hours[0].message() and "Excel 或 WPS 打开并保存一次" in hours[0].hint()
    assert not [f for f in findings if f.code == "missing-value"]  # the cell is not empty: it is a formula
    sheet_wide = [f for f in findings if f.code == "formulas-not-calculated"]
    assert [(f.sheet, f.row, f.params["count"]) for f in sheet_wide] == [("培训记录", None, 1)]
    assert 'C4 ="张"&"三"' in sheet_wide[0].message() and "C4" in sheet_wide[0].message("en")
    assert not validation.dataset.valid("trainings")["_row"].isin([4]).any()


def test_the_findings_go_back_as_text_and_as_notes_never_as_formulas(book_factory, tmp_path):
    book = _book(book_factory)
    assert cli("recalc", book, "--mark", "--no-backup").returncode == 0
    with zipfile.ZipFile(book) as zf:
        names = zf.namelist()
        sheets = [zf.read(n) for n in names if n.startswith("xl/worksheets/sheet")]
    issues = openpyxl.load_workbook(book)["校验问题"]
    typed = [c.value for row in issues.iter_rows() for c in row if c.value == "=1+1"]
    assert typed == ["=1+1"] and issues.parent["培训记录"]["G4"].comment is not None
    assert sum(s.count(b"<f>") for s in sheets) == 2  # the two formulas of the school, and no third of ours


def test_a_book_saved_by_libreoffice_keeps_results_and_says_nothing(book_factory, tmp_path):
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if exe is None:
        pytest.skip("LibreOffice is not installed")
    src = _book(book_factory)
    subprocess.run([exe, f"-env:UserInstallation={(tmp_path / 'lo').as_uri()}", "--headless", "--convert-to", "xlsx",
                    "--outdir", str(tmp_path / "out"), str(src)], capture_output=True, timeout=300, check=True)
    saved = tmp_path / "out" / src.name
    with zipfile.ZipFile(saved) as zf:
        part = next(n for n in zf.namelist() if uncalculated(zf.read(n)) == [] and b"1+1" in zf.read(n))
        assert b"<v>2</v>" in zf.read(part)  # LibreOffice calculated and saved the result
    outcome = run_recalc(read_workbook(saved), as_of=D(2025, 10, 1))
    assert not [f for f in outcome.findings if "formula" in f.code]
    credits = outcome.results.teachers.set_index("teacher_id").loc["1001", "credits"]
    before = run_recalc(read_workbook(src), as_of=D(2025, 10, 1)).results.teachers.set_index("teacher_id")
    assert credits - before.loc["1001", "credits"] == 2 * 0.5  # the row counts once its 学时 has a result


@pytest.mark.parametrize("xml,expected", [
    (b'<c r="G3"><f>1+1</f><v></v></c><c r="H3"><f>1+1</f><v>2</v></c>', [("G3", "=1+1")]),
    (b'<x:c r="B2" s="1"><x:f>SUM(A1:A2)</x:f></x:c>', [("B2", "=SUM(A1:A2)")]),  # prefixed, no <v>
    (b'<c r="C5" t="str"><f>A1&amp;""</f><v></v></c>', []),  # a text result may be empty
    (b'<c r="D7"><f t="shared" si="0"/><v/></c>', [("D7", "=…")]),  # a shared formula's other cells
    (b'<c r="E1" t="inlineStr"><is><t>x</t></is></c><c r="E2"><v>3</v></c>', []),
    (b'<c r="F9"><f>A1&lt;3</f></c>', [("F9", "=A1<3")]),  # entities decoded, the text as typed
])
def test_formula_cells_without_a_result(xml, expected):
    assert uncalculated(b"<sheetData><row>" + xml + b"</row></sheetData>") == expected


def test_the_scan_sees_a_formula_without_result_wherever_a_chunk_boundary_cuts_it():
    xml = b'<c r="F8"><v>1</v></c><c r="G8"><f>SUM(A1:A2)</f>\n  <v></v></c><c r="H8"><v>2</v></c>'
    for cut in range(1, len(xml)):
        assert may_lack_results(xml[:cut]) or may_lack_results(xml[cut:], xml[:cut]), cut
    calculated = xml.replace(b"<v></v>", b"<v>3</v>")
    assert not any(may_lack_results(calculated[cut:], calculated[:cut]) for cut in range(1, len(calculated)))


def test_a_bound_book_names_the_schools_cell(tmp_path):
    log = [["培训日期", "工号", "培训内容", "培训类别", "课时"],
           [D(2024, 10, 8), "1001", "新课标", "校本研修", "=2*1"],
           [D(2024, 10, 9), "1002", "作业设计", "校本研修", 2]]
    binding = Binding(sheets=(ROSTER_BINDING, sheet("培训登记", "trainings", ("培训日期", "date"), ("工号", "teacher_id"),
                                                    ("培训内容", "title"), ("培训类别", "category"), ("课时", "hours"))))
    path = write_school_book(tmp_path / "学校.xlsx", {"教职工名单": ROSTER, "培训登记": log}, binding)
    _, _, findings, _ = check(read_workbook(path), as_of=D(2025, 7, 1))
    found = [(f.code, f.sheet, f.cell, f.column, f.value) for f in findings if "formula" in f.code]
    assert found == [("formula-not-calculated", "培训登记", "E2", "课时", "=2*1")]
    assert openpyxl.load_workbook(path)["培训登记"]["E2"].value == "=2*1"  # read, never evaluated or changed
