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
from test_xlclient import DEMO, _recalc_both, assert_same_as_cli

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
    via_service, via_cli, reply = _recalc_both(src, tmp_path)
    assert_same_as_cli(via_service, via_cli, [pair[0] for pair in OUTPUT_TABS.values()])
    # the helper sheet went with the click; nothing of the answer touched it
    wb = openpyxl.load_workbook(via_service)
    assert MERGES_SHEET not in wb.sheetnames
    assert wb.sheetnames == openpyxl.load_workbook(via_cli).sheetnames
    position = client.sheet_position(src, MERGES_SHEET)
    assert all(a["sheet_position"] != position for a in reply.actions)


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
