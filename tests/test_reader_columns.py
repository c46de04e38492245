"""The file reader hands each sheet over column by column, every distinct cell held once (issue 10's
fast path). Nothing may change by it: each cell comes back with the type and value calamine read, and
the engine finds and computes the same from the columns as from the same cells handed over as rows."""

import datetime as dt

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from cpdsheets.contract.book import RawBook, RawSheet
from cpdsheets.doors import reader
from cpdsheets.jobs.book import run_recalc
from cpdsheets.doors.reader import read_workbook
from cpdsheets.reports.results_json import to_results_json
from cpdsheets.samples.synthetic import generate

# Cells that are equal to Python but not the same cell: pandas' hash table alone would merge them.
MIXED = [2, "2", True, 1, False, 0, -0.0, 0.0, dt.date(2025, 9, 1), dt.datetime(2025, 9, 1, 8, 30),
         "2025-09-01", "TRUE", None, "", " ", 45901, "45901", 1.5, "1.5"]


def _typed(rows):
    return [[(type(v), repr(v)) for v in row] for row in rows]


def _calamine_rows(path):
    wb = CalamineWorkbook.from_path(str(path))
    try:
        return {m.name: wb.get_sheet_by_name(m.name).to_python(skip_empty_area=False) for m in wb.sheets_metadata}
    finally:
        wb.close()


@pytest.mark.parametrize("chunk_rows", [8192, 4, 1])  # one chunk, and a column coded in pieces then merged
def test_every_cell_comes_back_as_calamine_read_it(tmp_path, monkeypatch, chunk_rows):
    monkeypatch.setattr(reader, "_CHUNK_ROWS", chunk_rows)
    path = tmp_path / "mixed.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "杂项"
    for r, value in enumerate(MIXED, start=1):  # one column of everything, and the same shifted
        ws.cell(r, 1, value)
        ws.cell(len(MIXED) - r + 1, 2, value)
        ws.cell(r, 3, value if r % 2 else "文字")
    offset = wb.create_sheet("右下")  # a sheet whose cells start at C3: the empty area left and above
    offset["C3"], offset["D5"], offset["E4"] = "文字", 2, dt.date(2025, 9, 1)
    wb.create_sheet("空表")
    wb.save(path)

    raw = read_workbook(path)
    calamine = _calamine_rows(path)
    for name in ("右下", "空表"):
        assert _typed(raw.sheets[name].rows) == _typed(calamine[name])
    sheet = raw.sheets["杂项"]
    assert sheet.columns is not None  # the reader's columns, not rows, are what the engine gets
    assert sheet.columns.height == len(MIXED)
    # one entry per distinct cell, type included (openpyxl's 0 and 0.0 are both read as 0.0, None as "")
    assert len(sheet.columns.uniques[0]) == len({(type(r[0]), repr(r[0])) for r in calamine["杂项"]})
    assert _typed(sheet.rows) == _typed(calamine["杂项"])
    assert _typed(sheet.head(3)) == _typed(calamine["杂项"][:3])
    column_a = list(sheet.column(0, 2))
    assert [(type(v), repr(v)) for v in column_a] == [(type(r[0]), repr(r[0])) for r in sheet.rows[2:]]


def test_the_engine_reads_columns_as_it_reads_rows(tmp_path):
    path = generate(tmp_path / "messy.xlsx", teachers=25, rows=600, seed=7, messy=0.3)
    wb = openpyxl.load_workbook(path)
    trainings = wb["培训记录"]
    # the same value typed as a number and as text, TRUE and 1, a date cell and a date typed as text
    for r, (date, teacher, hours) in enumerate([(dt.date(2025, 10, 9), 1001, True), ("2025-10-09", "1001", 1),
                                                (dt.datetime(2025, 10, 9), 1001.0, "TRUE"), (45939, "01001", -0.0)],
                                               start=3):
        trainings.cell(r, 1, date)
        trainings.cell(r, 2, teacher)
        trainings.cell(r, 7, hours)
    wb.save(path)

    raw = read_workbook(path)
    assert all(s.columns is not None for s in raw.sheets.values())
    as_rows = RawBook({n: RawSheet(n, s.rows, s.merged, s.hidden) for n, s in raw.sheets.items()}, raw.path)
    assert all(s.columns is None for s in as_rows.sheets.values())

    as_of = dt.date(2026, 4, 15)
    from_columns, from_rows = run_recalc(raw, as_of=as_of), run_recalc(as_rows, as_of=as_of)

    def seen(outcome):
        return [(f.code, f.sheet, f.cell, type(f.value), repr(f.value), f.message("en")) for f in outcome.findings]

    assert seen(from_columns) == seen(from_rows)
    assert any(f.sheet == "培训记录" and f.row in (3, 4, 5, 6) for f in from_columns.findings)
    assert to_results_json(from_columns.results, from_columns.findings, as_of, "en") == \
        to_results_json(from_rows.results, from_rows.findings, as_of, "en")
    for key, frame in from_rows.validation.dataset.frames.items():
        assert from_columns.validation.dataset.frames[key].equals(frame)
