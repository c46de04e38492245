"""Merged cells through the district service: the VBA client sends a merged area's value in its top-left
cell only, so CpdSheets.bas lists the merged areas on a hidden sheet of ours (cpdsheets.merges) and the
service fills them as the file reader's book is filled. A book whose log merges a date or a 项目名称 down
over one session's rows must give through the service exactly what ``recalc --mark`` gives."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest

import vba_client_model as client
from conftest import invoke_cli
from test_xlclient import DEMO, MemoryHost, _recalc_both, _results, assert_same_as_cli

from cpdsheets.contract.schema import OUTPUT_TABS
from cpdsheets.doors.reader import read_workbook
from cpdsheets.doors.xlclient.payload import MERGES_SHEET, raw_book

# 培训记录 of the demo: rows 3-13 are one session (2025-09-03, 新学期师德师风专题培训); row 5's date is text.
MERGES = ["A1:J1", "A6:A13", "D3:D13", "E3:E13", "F3:F13", "G3:G5"]
LOG = "培训记录"


def merged_book(path: Path) -> Path:
    """The demo with one session's date, project, category/level and hours merged down its rows, as a
    school types a sign-in sheet (openpyxl keeps only the top-left value of each area)."""
    wb = openpyxl.load_workbook(DEMO, keep_vba=path.suffix == ".xlsm")
    ws = wb[LOG]
    for area in MERGES:
        ws.merge_cells(area)
    wb.save(path)
    return path


def libreoffice_saved(path: Path) -> Path:
    exe = shutil.which("soffice")
    if exe is None:
        pytest.skip("LibreOffice is not installed")
    src = merged_book(path.with_name("for-lo.xlsx"))
    out = path.parent / "lo"
    subprocess.run([exe, f"-env:UserInstallation={(path.parent / 'lo-profile').as_uri()}", "--headless",
                    "--convert-to", "xlsx", "--outdir", str(out), str(src)], capture_output=True, timeout=300, check=True)
    shutil.move(out / src.name, path)
    return path


@pytest.mark.parametrize("make", [merged_book, libreoffice_saved], ids=["openpyxl", "libreoffice"])
def test_a_log_with_merged_cells_through_the_service_equals_recalc_mark(make, tmp_path):
    src = make(tmp_path / "学校.xlsx")
    assert {str(r) for r in openpyxl.load_workbook(src)[LOG].merged_cells.ranges} == set(MERGES)
    host = MemoryHost(tmp_path)
    via_service, via_cli, reply = _recalc_both(src, tmp_path, host)
    assert_same_as_cli(via_service, via_cli, [pair[0] for pair in OUTPUT_TABS.values()])
    # the upload kept in the history keeps the merged areas, so its results are the book's
    [(_, _, kept)] = host.records
    assert MERGES_SHEET not in openpyxl.load_workbook(kept).sheetnames
    assert _results(kept) == _results(src)
    # the helper sheet went with the click (the model refuses any action on it while it is there)
    wb = openpyxl.load_workbook(via_service)
    assert MERGES_SHEET not in wb.sheetnames
    assert wb.sheetnames == openpyxl.load_workbook(via_cli).sheetnames
    assert any(a["func"] == "addSheet" for a in reply.actions), "new tabs are added while the helper is last"


def test_the_model_refuses_an_action_on_the_helper_sheet(tmp_path):
    """The guard the test above leans on: an answer writing to the helper sheet fails, as it should."""
    src = merged_book(tmp_path / "学校.xlsx")
    position = client.sheet_position(src, MERGES_SHEET)
    assert position == len(openpyxl.load_workbook(src).sheetnames)  # after the last sheet
    action = {"func": "sheetClearContents", "args": [], "values": [[]], "sheet_position": position,
              "start_row": 0, "start_column": 0, "row_count": 1, "column_count": 1}
    with pytest.raises(AssertionError, match=MERGES_SHEET):
        client.apply(src, tmp_path / "out.xlsx", [action])


def test_the_merges_change_the_results(tmp_path):
    """The case is a real one: read without its merged areas, the book gives other results (so the test
    above would catch a service that ignores them)."""
    src = merged_book(tmp_path / "学校.xlsx")
    book = read_workbook(src)
    unmerged = tmp_path / "unmerged.xlsx"
    wb = openpyxl.load_workbook(src)
    for area in list(wb[LOG].merged_cells.ranges):
        wb[LOG].unmerge_cells(str(area))
    wb.save(unmerged)
    assert book.sheets[LOG].merged
    assert _summary(src) != _summary(unmerged)


def _summary(book: Path) -> list:
    r = invoke_cli("recalc", book, "--dry-run", "--format", "json")
    assert r.returncode in (0, 1), r.stderr
    import json

    out = json.loads(r.stdout)
    return [out.get(k) for k in sorted(out) if k not in ("source", "run")]


def test_the_payload_carries_the_merged_areas_as_the_file_reader_reports_them(tmp_path):
    src = merged_book(tmp_path / "学校.xlsx")
    body = client.payload(src)
    sent = {s["name"]: s["values"] for s in body["sheets"]}
    assert sent[MERGES_SHEET][0] == ["sheet", "area"]
    assert sorted(r[1] for r in sent[MERGES_SHEET][1:]) == sorted(MERGES)
    from_payload, from_file = raw_book(body), read_workbook(src)
    assert MERGES_SHEET not in from_payload.names()
    assert sorted(from_payload.sheets[LOG].merged) == sorted(from_file.sheets[LOG].merged)


def test_a_book_without_merged_cells_sends_no_helper_sheet():
    body = client.payload(DEMO)
    assert MERGES_SHEET not in {s["name"] for s in body["sheets"]}


def test_bad_rows_on_the_helper_sheet_are_skipped(tmp_path):
    """The sheet is ours, but a hand-edited or half-written one must not stop the job."""
    src = merged_book(tmp_path / "学校.xlsx")
    body = client.payload(src)
    helper = next(s for s in body["sheets"] if s["name"] == MERGES_SHEET)
    helper["values"] += [["no such sheet", "A1:B2"], [LOG, "not an address"], [LOG, None], [None, "A1:B2"], [LOG]]
    assert sorted(raw_book(body).sheets[LOG].merged) == sorted(read_workbook(src).sheets[LOG].merged)


def test_the_vba_writes_the_sheet_the_service_reads():
    """CpdSheets.bas and payload.py name the same sheet, and the model follows the VBA's steps: the
    header row, the sheet joining include, and the sheet deleted after the answer and on an error."""
    import re

    text = (Path(client.ROOT) / "xlmacros" / "CpdSheets.bas").read_text()
    assert re.search(r'Private Const MERGES_SHEET As String = "([^"]+)"', text).group(1) == MERGES_SHEET
    run_job = text[text.index("Private Sub RunJob"):text.index("End Sub", text.index("Private Sub RunJob"))]
    assert 'include = include & "," & MERGES_SHEET' in run_job
    assert run_job.count("DropSheet merges") == 2 and "Err.Raise errNumber" in run_job
    assert 'grid(1, 1) = "sheet"' in text and 'grid(1, 2) = "area"' in text
    assert "store.Visible = xlSheetHidden" in text
