"""Marks made by one door are cleared (or replaced) by the other: the package writer (CLI) and the
Excel button (xlwings remote engine, its actions applied to the file the way Excel would) share
the hidden record sheet ``cpdsheets.marks``. Real files throughout."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter
from openpyxl.comments import Comment

from xlwings_remote import apply_actions, remote_book, tab_values

from cpdsheets import excel
from cpdsheets.doors.live import xlwings_adapter as adapter
from cpdsheets.doors.live.live_door import LiveDoor
from cpdsheets.doors.mark_record import MARK_STORE, MARK_STORE_HEADER
from cpdsheets.doors.ooxml.package_writer import clear_marks, write_tabs
from cpdsheets.reports.tables import MARK_FILL, CellMark

from conftest import invoke_cli as cli

USER_FILL = "FFFF00"  # D5: the user's colour on a cell never marked
USER_FILL_MARKED = "FFF2CC"  # E5: the user's colour on a cell the CLI marks
SHEET = "培训记录"
MARKS = [CellMark(SHEET, "B5", "「2024-13-01」不是有效日期。"),
         CellMark(SHEET, "C5", "工号「9999」不在教师名册中。"),
         CellMark(SHEET, "E5", "学时为负。"),
         CellMark(SHEET, "C4", "用户已有批注的格子"),
         CellMark("教师名册", "C4", "「下周」不是有效日期。")]


@pytest.fixture(autouse=True)
def _licence(monkeypatch):
    monkeypatch.setenv("XLWINGS_LICENSE_KEY", "noncommercial")


@pytest.fixture
def book(tmp_path: Path) -> Path:
    path = tmp_path / "学校.xlsm"
    wb = xlsxwriter.Workbook(str(path))
    datefmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    ws = wb.add_worksheet("教师名册")
    ws.write_row(0, 0, ["2024-2025学年教师名册"])
    ws.write_row(1, 0, ["工号", "姓名", "出生日期"])
    ws.write_row(2, 0, ["0012", "张三"])
    ws.write_datetime(2, 2, dt.datetime(1990, 5, 1), datefmt)
    ws.write_row(3, 0, ["1001", "李四", "下周"])
    tr = wb.add_worksheet(SHEET)
    tr.write_row(2, 1, ["日期", "工号", "学时", "备注"])
    tr.write_datetime(3, 1, dt.datetime(2024, 9, 3), datefmt)
    tr.write_row(3, 2, ["0012", 2])
    tr.write_string(4, 1, "2024-13-01")
    tr.write_string(4, 2, "9999")
    tr.write_number(4, 3, 1.5, wb.add_format({"bg_color": "#" + USER_FILL}))
    tr.write_number(4, 4, -1, wb.add_format({"bg_color": "#" + USER_FILL_MARKED, "num_format": "0.00"}))
    tr.write_comment(3, 2, "用户自己的批注")  # C4
    wb.close()
    return path


def fill(ws, ref: str) -> str | None:
    f = ws[ref].fill
    return None if f.fill_type is None else f.fgColor.rgb[-6:].upper()


def note(ws, ref: str) -> str | None:
    return None if ws[ref].comment is None else ws[ref].comment.text


def record(path: Path) -> list[tuple[str, str]]:
    wb = openpyxl.load_workbook(path)
    if MARK_STORE not in wb.sheetnames:
        return []
    return [(r[0], r[1]) for r in tab_values(path, MARK_STORE)[1:]]



def button_marks(src: Path, dst: Path, marks: list[CellMark]) -> None:
    """The button's marking step on ``src``, applied to ``dst``; notes then carry a person's name
    as author, as Excel writes them (the CLI must not rely on the author to find them)."""
    book = remote_book(src)
    LiveDoor(book).write([], marks=marks)
    apply_actions(src, dst, book.json()["actions"])
    wb = openpyxl.load_workbook(dst, keep_vba=True)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.comment is not None:
                    cell.comment = Comment(cell.comment.text, "王老师")
    wb.save(dst)


def button_clear(src: Path, dst: Path) -> list[list[str]]:
    book = remote_book(src)
    excel.clear_marks(book)  # the 清除标记 button
    return apply_actions(src, dst, book.json()["actions"])


def assert_user_things_kept(path: Path) -> None:
    wb = openpyxl.load_workbook(path)
    tr = wb[SHEET]
    assert fill(tr, "D5") == USER_FILL
    assert note(tr, "C4").startswith("用户自己的批注")
    assert tr["E5"].number_format == "0.00"


def assert_clean(path: Path, cells=("B5", "C5")) -> None:
    wb = openpyxl.load_workbook(path)
    tr = wb[SHEET]
    for ref in cells:
        assert fill(tr, ref) is None, ref
        assert note(tr, ref) is None, ref
    assert fill(tr, "C4") in (None, "00000000"[-6:])  # the mark under the user's note is gone too
    assert fill(wb["教师名册"], "C4") is None and note(wb["教师名册"], "C4") is None
    assert record(path) == []
    assert_user_things_kept(path)


# -- CLI marks, the button clears ------------------------------------------------------------------

def test_cli_marks_are_cleared_by_the_button(book, tmp_path):
    assert write_tabs(book, [], marks=MARKS, backup=False)
    wb = openpyxl.load_workbook(book, keep_vba=True)
    tr = wb[SHEET]
    assert {fill(tr, r) for r in ("B5", "C5", "E5")} == {MARK_FILL}
    # issue 18: a cell with someone's note is marked too (the fill); the note stays the user's own
    assert fill(tr, "C4") == MARK_FILL and note(tr, "C4").startswith("用户自己的批注")
    assert "用户已有批注的格子" not in note(tr, "C4")
    assert wb[MARK_STORE].sheet_state == "hidden"
    assert set(record(book)) == {(SHEET, "B5"), (SHEET, "C5"), (SHEET, "E5"), (SHEET, "C4"), ("教师名册", "C4")}

    cleared = tmp_path / "cleared.xlsm"
    alerts = button_clear(book, cleared)
    assert "5" in alerts[0][0]
    wb = openpyxl.load_workbook(cleared)
    tr = wb[SHEET]
    assert fill(tr, "E5") == USER_FILL_MARKED  # the colour the user had under the mark comes back
    assert note(tr, "E5") is None
    assert_clean(cleared)
    assert tab_values(cleared, MARK_STORE) == [MARK_STORE_HEADER]


def _comment_xml(path: Path, ref: str) -> bytes:
    """The <comment> element on ``ref`` as the package holds it, byte for byte."""
    import zipfile

    from lxml import etree

    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if name.startswith("xl/comments") and name.endswith(".xml"):
                for el in etree.fromstring(z.read(name)).iter("{*}comment"):
                    if el.get("ref") == ref:
                        return etree.tostring(el, method="c14n")
    return b""


def test_cli_marks_a_cell_with_a_user_note_and_clear_marks_gives_the_note_back_unchanged(book):
    before = _comment_xml(book, "C4")
    assert b"\xe7\x94\xa8\xe6\x88\xb7" in before  # 用户…: the user's own note is there
    assert write_tabs(book, [], marks=MARKS, backup=False)
    tr = openpyxl.load_workbook(book)[SHEET]
    assert fill(tr, "C4") == MARK_FILL
    assert _comment_xml(book, "C4") == before  # marking does not touch the note
    r = cli("clear-marks", book, "--no-backup")
    assert r.returncode == 0, r.stderr
    assert "5" in r.stdout
    tr = openpyxl.load_workbook(book)[SHEET]
    assert fill(tr, "C4") is None
    assert _comment_xml(book, "C4") == before


# -- button marks, the CLI clears ------------------------------------------------------------------

def test_button_marks_are_cleared_by_the_cli(book, tmp_path):
    marked = tmp_path / "marked.xlsm"
    button_marks(book, marked, [m for m in MARKS if m.cell != "E5"])
    tr = openpyxl.load_workbook(marked)[SHEET]
    assert {fill(tr, r) for r in ("B5", "C5", "C4")} == {MARK_FILL}
    assert tr["B5"].comment.author == "王老师"

    r = cli("clear-marks", marked, "--no-backup")
    assert r.returncode == 0, r.stderr
    assert "4" in r.stdout
    assert_clean(marked)
    assert fill(openpyxl.load_workbook(marked)[SHEET], "E5") == USER_FILL_MARKED
    assert MARK_STORE not in openpyxl.load_workbook(marked).sheetnames
    assert clear_marks(marked, backup=False) == 0


# -- re-marking after a fix leaves nothing stale, whichever door marks -----------------------------

def test_remarking_alternating_doors_leaves_no_stale_mark(book, tmp_path):
    write_tabs(book, [], marks=MARKS, backup=False)  # CLI: B5, C5, E5, 教师名册!C4

    step2 = tmp_path / "step2.xlsm"  # B5, E5 and 教师名册!C4 fixed; the button re-marks C5 only
    button_marks(book, step2, [MARKS[1]])
    wb = openpyxl.load_workbook(step2)
    tr = wb[SHEET]
    assert fill(tr, "C5") == MARK_FILL and "9999" in note(tr, "C5")
    assert fill(tr, "B5") is None and note(tr, "B5") is None
    assert fill(tr, "E5") == USER_FILL_MARKED and note(tr, "E5") is None
    assert fill(wb["教师名册"], "C4") is None and note(wb["教师名册"], "C4") is None
    assert record(step2) == [(SHEET, "C5")]

    # C5 fixed, B5 wrong again: the CLI re-marks B5 only (on a file Excel-like software saved)
    write_tabs(step2, [], marks=[MARKS[0]], backup=False)
    tr = openpyxl.load_workbook(step2)[SHEET]
    assert fill(tr, "C5") is None and note(tr, "C5") is None
    assert fill(tr, "B5") == MARK_FILL and "有效日期" in note(tr, "B5")
    assert record(step2) == [(SHEET, "B5")]
    assert_user_things_kept(step2)

    step3 = tmp_path / "step3.xlsm"
    button_clear(step2, step3)
    assert_clean(step3)
    assert fill(openpyxl.load_workbook(step3)[SHEET], "E5") == USER_FILL_MARKED


def test_cli_remark_replaces_button_marks(book, tmp_path):
    marked = tmp_path / "marked.xlsm"
    button_marks(book, marked, MARKS[:3])
    write_tabs(marked, [], marks=[MARKS[1]], backup=False)  # only C5 still wrong
    tr = openpyxl.load_workbook(marked)[SHEET]
    assert fill(tr, "B5") is None and note(tr, "B5") is None
    assert note(tr, "E5") is None and fill(tr, "E5") is None  # the button could not know E5's colour
    assert fill(tr, "C5") == MARK_FILL and "9999" in note(tr, "C5")
    assert record(marked) == [(SHEET, "C5")]
    assert_user_things_kept(marked)


def test_button_remark_keeps_the_user_note_and_marks_only_current_errors(book, tmp_path):
    first = tmp_path / "first.xlsm"
    button_marks(book, first, MARKS)
    second = tmp_path / "second.xlsm"
    button_marks(first, second, [MARKS[3]])  # only C4 (the cell with the user's note) still wrong
    tr = openpyxl.load_workbook(second)[SHEET]
    assert fill(tr, "C4") == MARK_FILL and note(tr, "C4").startswith("用户自己的批注")
    for ref in ("B5", "C5", "E5"):
        assert fill(tr, ref) is None and note(tr, ref) is None, ref
    assert record(second) == [(SHEET, "C4")]
    third = tmp_path / "third.xlsm"
    button_clear(second, third)
    assert_clean(third)


# -- the record survives a LibreOffice save ------------------------------------------------------

@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_cli_marks_survive_a_libreoffice_save_and_are_cleared(tmp_path):
    src = tmp_path / "in" / "学校.xlsx"
    src.parent.mkdir()
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = SHEET
    ws.append(["日期", "工号", "学时", "备注"])
    ws.append(["2024-13-01", "9999", 1.5, -1])
    ws["C2"].fill = openpyxl.styles.PatternFill("solid", start_color="FF" + USER_FILL, end_color="FF" + USER_FILL)
    ws["D2"].fill = openpyxl.styles.PatternFill("solid", start_color="FF" + USER_FILL_MARKED,
                                                end_color="FF" + USER_FILL_MARKED)
    ws["D2"].number_format = "0.00"
    ws["C2"].comment = Comment("用户自己的批注", "王老师")
    wb.save(src)
    write_tabs(src, [], marks=[CellMark(SHEET, "A2", "日期无效"), CellMark(SHEET, "D2", "学时为负")], backup=False)

    out = tmp_path / "out"
    subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path}/lo", "--headless", "--convert-to", "xlsx",
                    "--outdir", str(out), str(src)], check=True, capture_output=True, timeout=180)
    saved = out / src.name
    assert openpyxl.load_workbook(saved)[MARK_STORE].sheet_state == "hidden"
    assert set(record(saved)) == {(SHEET, "A2"), (SHEET, "D2")}
    assert clear_marks(saved, backup=False) == 2
    ws = openpyxl.load_workbook(saved)[SHEET]
    assert fill(ws, "A2") is None and note(ws, "A2") is None
    assert fill(ws, "D2") == USER_FILL_MARKED and note(ws, "D2") is None and ws["D2"].number_format == "0.00"
    assert fill(ws, "C2") == USER_FILL and note(ws, "C2").startswith("用户自己的批注")
    assert MARK_STORE not in openpyxl.load_workbook(saved).sheetnames


def test_record_rows_read_older_records_and_skip_junk():
    from cpdsheets.doors.mark_record import MarkRow, rows_from_values, values_from_rows

    old_button_record = [["工作表", "单元格", "批注由本工具添加"], ["培训记录", "$b$5", 1.0], ["培训记录", "C5", 0],
                         [None, "D5", 1], ["培训记录", None], ["培训记录", "B5", 0]]
    assert rows_from_values(old_button_record) == [MarkRow("培训记录", "B5", True), MarkRow("培训记录", "C5", False)]
    row = MarkRow("教师名册", "C4", True, "FFF2CC", '<xf numFmtId="0"/>', "<fill/>")
    assert rows_from_values(values_from_rows([row])) == [row]
    assert rows_from_values([["x", "A1", "1", "not a colour"]])[0].fill_rgb == ""
