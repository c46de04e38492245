"""Long text on the output tabs (问题, 修改建议, 说明, 预警事项) wraps within its column, and a row holding
wrapped text gets the height its lines need: LibreOffice and WPS keep a file's default row height on
load, so without it the lines would be drawn over one another or spill into the next column."""

import shutil
from pathlib import Path

import openpyxl

from conftest import invoke_cli as cli
from cpdsheets.doors.live.xl_convert import plan_tab
from cpdsheets.reports.tables import Column, TabTable

DEMO = Path(__file__).parents[1] / "workbook" / "demo_school.xlsm"


def test_issue_text_wraps_and_its_rows_grow(tmp_path):
    book = Path(shutil.copy(DEMO, tmp_path / "学校.xlsm"))
    out = tmp_path / "out.xlsm"
    assert cli("recalc", book, "-o", out).returncode == 0
    ws = openpyxl.load_workbook(out)["校验问题"]
    header = [c.value for c in ws[1]]
    problem, fix, code = header.index("问题") + 1, header.index("修改建议") + 1, header.index("代码") + 1
    width = ws.column_dimensions[openpyxl.utils.get_column_letter(problem)].width
    rows = range(2, ws.max_row + 1)
    assert all(ws.cell(r, problem).alignment.wrap_text and ws.cell(r, fix).alignment.wrap_text for r in rows)
    assert not any(ws.cell(r, code).alignment.wrap_text for r in rows)
    long = [r for r in rows if len(str(ws.cell(r, problem).value)) * 1.65 > width]
    fix_width = ws.column_dimensions[openpyxl.utils.get_column_letter(fix)].width
    short = [r for r in rows if len(str(ws.cell(r, problem).value)) * 1.65 < width * 0.8
             and len(str(ws.cell(r, fix).value)) * 1.65 < fix_width * 0.8]
    assert long and short
    assert all((ws.row_dimensions[r].height or 0) >= 30 for r in long)
    assert all(ws.row_dimensions[r].height in (None, 15) for r in short)


def test_the_button_wraps_the_same_columns():
    table = TabTable("issues", "校验问题", [Column("代码"), Column("问题", width=48, wrap=True),
                                             Column("修改建议", width=40, wrap=True), Column("行", "int")],
                     [["x", "很长的问题" * 20, "建议", 3]])
    assert plan_tab(table).wrapped == [(2, 3)]
