"""The package writer against real workbooks: what changes, what must not, and the safety rules."""

from __future__ import annotations

import os
import re
import stat
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from python_calamine import CalamineWorkbook

from cpdsheets.doors.ooxml import zip_package
from cpdsheets.doors.mark_record import MARK_STORE
from cpdsheets.doors.ooxml.package_writer import CHANGED_PARTS, clear_marks, write_tabs
from cpdsheets.doors.ooxml.safe_replace import backup_path
from cpdsheets.doors.ooxml.styles_xml import StyleBook
from cpdsheets.doors.ooxml.write_errors import (NotAWorkbook, OutputTypeMismatch, WorkbookLocked, WorkbookNotWritable,
                                               WriteFailed)
from cpdsheets.doors.xml_text import clean_text
from cpdsheets.reports.tables import CellMark, Column, TabTable
from writer_books import TRICKY_TEXT, macro_book, output_tabs, parts

OUTPUT_NAMES = ["学分汇总", "达标预警", "校验问题", "教研组统计", "运行记录"]
INPUT_SHEETS = ["听课记录", "教师名册"]


@pytest.fixture()
def book(tmp_path: Path) -> Path:
    return macro_book(tmp_path / "校本培训.xlsm")


def _sheet_parts(path: Path) -> dict[str, str]:
    """sheet name -> zip part, read from the written workbook itself."""
    p = parts(path)
    wb = p["xl/workbook.xml"].decode()
    rels = p["xl/_rels/workbook.xml.rels"].decode()
    targets = dict(re.findall(r'Id="(rId\d+)"[^>]*Target="([^"]+)"', rels))
    targets.update({a: b for b, a in re.findall(r'Target="([^"]+)"[^>]*Id="(rId\d+)"', rels)})
    return {name: "xl/" + targets[rid] for name, rid in re.findall(r'<sheet name="([^"]+)" sheetId="\d+" r:id="(rId\d+)"', wb)}


def _canonical(xml: bytes) -> bytes:
    from lxml import etree

    return etree.tostring(etree.fromstring(xml), method="c14n")


def _names(wb: openpyxl.Workbook) -> list[str]:
    """Sheet names without the hidden record sheet (the tabs and marks cpdsheets wrote)."""
    return [n for n in wb.sheetnames if n != MARK_STORE]


def _input_cells(path: Path) -> dict:
    wb = openpyxl.load_workbook(path, keep_vba=True)
    out = {}
    for name in INPUT_SHEETS:
        for row in wb[name].iter_rows():
            for c in row:
                out[(name, c.coordinate)] = (c.value, c.number_format, c.fill.fgColor.rgb, c.font.b,
                                             c.data_type)
    return out


def _expected(tab: TabTable) -> list[list]:
    rows = [[c.header for c in tab.columns]]
    for r in tab.rows:
        out = []
        for v, col in zip(r, tab.columns):
            if v is None:
                out.append("")
            elif col.kind in ("int", "number", "percent"):
                out.append(float(v))
            elif col.kind == "date":
                out.append(v)
            else:
                out.append(clean_text(str(v)))
        rows.append(out)
    return rows


def _calamine_rows(path: Path, name: str) -> list[list]:
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(name).to_python()
    return [[float(v) if isinstance(v, int) and not isinstance(v, bool) else v for v in r] for r in rows]


# -- fidelity -----------------------------------------------------------------------------------------
def test_untouched_parts_stay_byte_identical(book: Path) -> None:
    before = parts(book)
    write_tabs(book, output_tabs())
    after = parts(book)
    changed = {n for n in before if before[n] != after.get(n)}
    assert changed <= set(CHANGED_PARTS), changed
    assert "xl/vbaProject.bin" in after and after["xl/vbaProject.bin"] == before["xl/vbaProject.bin"]
    assert "macroEnabled.main+xml" in after["[Content_Types].xml"].decode()
    # every input part (sheets, VML button and notes, table, chart, drawings) is present and identical
    for name in ["xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml", "xl/drawings/vmlDrawing1.vml",
                 "xl/comments1.xml", "xl/tables/table1.xml", "xl/charts/chart1.xml", "xl/sharedStrings.xml"]:
        assert after[name] == before[name], name
    # the file's properties list the sheets the book now has (the hidden record sheet included)
    app = after["docProps/app.xml"].decode()
    assert all(f"<vt:lpstr>{n}</vt:lpstr>" in app for n in INPUT_SHEETS + OUTPUT_NAMES + [MARK_STORE])
    # styles only grew: every original entry keeps its index and text
    old, new = StyleBook(before["xl/styles.xml"].decode()), StyleBook(after["xl/styles.xml"].decode())
    for section in ("numFmts", "fonts", "fills", "cellXfs"):
        o, n = old.sections[section].items, new.sections[section].items
        assert n[: len(o)] == o and len(n) > len(o) or section == "numFmts" and n[: len(o)] == o
    # the original sheets and the defined name are still declared as they were
    wb_old, wb_new = before["xl/workbook.xml"].decode(), after["xl/workbook.xml"].decode()
    for tag in re.findall(r"<sheet [^>]*/>|<definedName .*?</definedName>", wb_old):
        assert tag in wb_new


def test_input_cells_unchanged_and_tabs_read_back(book: Path) -> None:
    cells = _input_cells(book)
    tabs = output_tabs()
    write_tabs(book, tabs)
    assert _input_cells(book) == cells
    wb = openpyxl.load_workbook(book, keep_vba=True)
    assert _names(wb) == INPUT_SHEETS + OUTPUT_NAMES
    assert wb.vba_archive is not None
    for tab in tabs:
        assert _calamine_rows(book, tab.name) == _expected(tab), tab.name


def test_second_run_same_package_no_duplicates(book: Path) -> None:
    write_tabs(book, output_tabs(datetime(2025, 1, 10, 8, 0, 0)))
    first = parts(book)
    write_tabs(book, output_tabs(datetime(2025, 1, 11, 9, 15, 0)))
    second = parts(book)
    runlog = _sheet_parts(book)["运行记录"]
    assert set(first) == set(second)
    assert [n for n in first if first[n] != second[n]] == [runlog]
    assert _names(openpyxl.load_workbook(book)) == INPUT_SHEETS + OUTPUT_NAMES
    assert _calamine_rows(book, "运行记录")[2][1] == "2025-01-11 09:15:00"
    write_tabs(book, output_tabs(datetime(2025, 1, 11, 9, 15, 0)))
    assert parts(book) == second


def test_formula_like_text_stays_text(book: Path) -> None:
    write_tabs(book, output_tabs())
    ws = openpyxl.load_workbook(book)["校验问题"]
    seen = [ws.cell(row=2 + i, column=3) for i in range(len(TRICKY_TEXT))]
    # openpyxl leaves Excel's _xHHHH_ escapes undecoded in inline strings: compare up to that one;
    # calamine and LibreOffice decode it (test_input_cells_unchanged_and_tabs_read_back, test_office_open)
    assert [c.value for c in seen][:-1] == [clean_text(t) for t in TRICKY_TEXT][:-1]
    assert all(c.data_type == "s" for c in seen)
    sheet = parts(book)[_sheet_parts(book)["校验问题"]].decode()
    assert "<f>" not in sheet and "<f " not in sheet
    assert ws["A2"].hyperlink is not None and ws["A2"].hyperlink.location == "'听课记录'!C3"


def test_output_tab_formatting(book: Path) -> None:
    write_tabs(book, output_tabs())
    wb = openpyxl.load_workbook(book)
    ws = wb["学分汇总"]
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:F13"
    assert ws["A1"].font.b and ws["A1"].fill.fgColor.rgb == "FFD9E1F2"
    assert ws["C2"].number_format == "0.0#" and ws["E2"].number_format == "0.0%"
    assert ws["F2"].fill.fgColor.rgb == "FFC6EFCE" and ws["F4"].fill.fgColor.rgb == "FFFFC7CE"
    assert ws.column_dimensions["B"].width >= 6
    assert wb["校验问题"]["D2"].number_format == "yyyy-mm-dd"
    assert len(wb["教研组统计"]._charts) == 0 or True  # openpyxl drops charts on read; checked below
    p = parts(book)
    chart = next(n for n in p if n.startswith("xl/charts/") and n != "xl/charts/chart1.xml")
    assert "'教研组统计'!$C$2:$C$4" in p[chart].decode()


def test_long_names_and_a_user_sheet_of_the_same_name_kept(tmp_path: Path) -> None:
    # a user-made 学分汇总 with its own chart and a print area: not ours, so kept whole; the tab
    # goes to the first free name, and the next run replaces that tab in place
    import xlsxwriter

    wb = xlsxwriter.Workbook(tmp_path / "u.xlsx")
    ws = wb.add_worksheet("数据")
    ws.write_column("A1", [1, 2, 3])
    ws2 = wb.add_worksheet("学分汇总")
    ws2.write_formula("A1", "=SUM(数据!A1:A3)", None, 6)
    ch = wb.add_chart({"type": "pie"})
    ch.add_series({"values": "=数据!$A$1:$A$3"})
    ws2.insert_chart("C3", ch)
    ws2.print_area("A1:B5")
    wb.close()
    book = tmp_path / "u.xlsx"
    long_name = "很长的名字" * 8
    tabs = [TabTable("summary", "学分汇总", [Column("工号")], [["1001"]]),
            TabTable("x", long_name, [Column("a[b]")], [["v"]])]
    before = parts(book)
    write_tabs(book, tabs)
    p = parts(book)
    assert _names(openpyxl.load_workbook(book)) == ["数据", "学分汇总", "学分汇总(2)", long_name[:31]]
    assert all(p[n] == before[n] for n in before if n.startswith(("xl/charts/", "xl/drawings/", "xl/worksheets/")))
    assert "Print_Area" in p["xl/workbook.xml"].decode()
    assert _calamine_rows(book, "学分汇总(2)") == [["工号"], ["1001"]]
    write_tabs(book, [TabTable("summary", "学分汇总", [Column("工号")], [["1002"]])])
    assert _names(openpyxl.load_workbook(book)) == ["数据", "学分汇总", "学分汇总(2)", long_name[:31]]
    assert _calamine_rows(book, "学分汇总(2)") == [["工号"], ["1002"]]
    assert _calamine_rows(book, "学分汇总")[0][0] == 6


# -- safety -------------------------------------------------------------------------------------------
def test_backup_and_out(book: Path, tmp_path: Path) -> None:
    original = book.read_bytes()
    out = tmp_path / "copy.xlsm"
    assert write_tabs(book, output_tabs(), out=out) == out
    assert book.read_bytes() == original and not backup_path(book).exists()
    assert "学分汇总" in openpyxl.load_workbook(out).sheetnames
    write_tabs(book, output_tabs())
    assert backup_path(book).read_bytes() == original
    previous = book.read_bytes()
    write_tabs(book, output_tabs(), backup=False)
    assert backup_path(book).read_bytes() == original and book.read_bytes() == previous
    with pytest.raises(OutputTypeMismatch):
        write_tabs(book, output_tabs(), out=tmp_path / "copy.xlsx")


def test_lock_file_refusal(book: Path) -> None:
    original = book.read_bytes()
    lock = book.with_name("~$" + book.name)
    lock.write_bytes(b"owner")
    with pytest.raises(WorkbookLocked) as exc:
        write_tabs(book, output_tabs())
    assert "关闭" in str(exc.value) and "close" in exc.value.message_en
    assert book.read_bytes() == original
    lock.unlink()
    write_tabs(book, output_tabs())


def test_read_only_refusal(book: Path) -> None:
    original = book.read_bytes()
    os.chmod(book, stat.S_IRUSR | stat.S_IRGRP)
    try:
        with pytest.raises(WorkbookNotWritable) as exc:
            write_tabs(book, output_tabs())
        assert "只读" in str(exc.value)
        assert book.read_bytes() == original
    finally:
        os.chmod(book, stat.S_IRUSR | stat.S_IWUSR)


def test_not_a_workbook(tmp_path: Path) -> None:
    bad = tmp_path / "x.xlsx"
    bad.write_text("not a zip")
    with pytest.raises(NotAWorkbook):
        write_tabs(bad, output_tabs())
    with pytest.raises(NotAWorkbook):
        write_tabs(tmp_path / "missing.xlsx", output_tabs())


def test_crash_mid_write_leaves_book_intact(book: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    original = book.read_bytes()
    listing = sorted(os.listdir(book.parent))
    real = zip_package.Package._write_entry
    written = []

    def failing(self, out, entry):
        if len(written) == 6:
            raise OSError("disk full (injected)")
        written.append(entry.name)
        return real(self, out, entry)

    monkeypatch.setattr(zip_package.Package, "_write_entry", failing)
    with pytest.raises(WriteFailed, match="injected"):  # one message for the user, not an OSError traceback
        write_tabs(book, output_tabs())
    assert len(written) == 6
    assert book.read_bytes() == original
    assert sorted(os.listdir(book.parent)) == listing


# -- marks --------------------------------------------------------------------------------------------
def test_marks_then_clear(book: Path) -> None:
    write_tabs(book, output_tabs())
    clean = parts(book)
    cells = _input_cells(book)
    marks = [CellMark("听课记录", "C5", "授课教师不存在"), CellMark("听课记录", "C5", "第二个问题"),
             CellMark("听课记录", "E9", "评课字数为负"), CellMark("听课记录", "K300", "空单元格"),
             CellMark("听课记录", "B3", "已有老师的批注")]
    write_tabs(book, output_tabs(), marks=marks)
    ws = openpyxl.load_workbook(book)["听课记录"]
    for ref in ("C5", "E9", "K300"):
        assert ws[ref].fill.fgColor.rgb == "FFFF9999", ref
        assert ws[ref].comment is not None and ws[ref].comment.author == "cpdsheets"
    assert "第二个问题" in ws["C5"].comment.text
    assert ws["E9"].number_format == "0.00" and ws["E9"].font.color.rgb == "FFC00000"  # format kept under the fill
    assert ws["B3"].comment.text == "老师自己的批注"  # someone else's note is never overwritten
    assert ws["B3"].fill.fgColor.rgb == "FFFF9999"  # ... but the cell is still marked (fill only)
    assert ws["B2"].fill.fgColor.rgb == "FFFFF2CC"  # the user's own fill
    # marking again replaces the marks instead of stacking them
    write_tabs(book, output_tabs(), marks=marks)
    assert clear_marks(book) == 4  # B3 too: its fill goes, the teacher's note stays
    assert _input_cells(book) == cells
    after = parts(book)
    assert after["xl/worksheets/sheet2.xml"] == clean["xl/worksheets/sheet2.xml"]
    for name in ("xl/comments1.xml", "xl/drawings/vmlDrawing1.vml"):  # parsed and written: the same XML
        assert _canonical(after[name]) == _canonical(clean[name]), name
    assert "_cpdsheets_marks" not in after["xl/workbook.xml"].decode()
    assert clear_marks(book) == 0


def test_clear_marks_gives_back_an_openpyxl_sheet_as_it_was(tmp_path: Path) -> None:
    # openpyxl (like Excel) writes no `s` on a cell of the default format; a mark sets one, and
    # clearing it must take the attribute away again rather than leave s="0".
    book = tmp_path / "o.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "听课记录"
    for r in range(1, 6):
        ws.append([f"教师{r}", r, "本校"])
    wb.save(book)
    before = parts(book)["xl/worksheets/sheet1.xml"]
    assert b' s="' not in before
    write_tabs(book, [], marks=[CellMark("听课记录", "B3", "字数为负"), CellMark("听课记录", "E2", "空单元格")])
    assert parts(book)["xl/worksheets/sheet1.xml"] != before
    assert clear_marks(book) == 2
    # the same XML; only openpyxl's &#25945; comes back as the UTF-8 character it stands for
    assert _canonical(parts(book)["xl/worksheets/sheet1.xml"]) == _canonical(before)


def test_marks_on_sheet_without_notes(tmp_path: Path) -> None:
    book = macro_book(tmp_path / "b.xlsx")
    write_tabs(book, [], marks=[CellMark("教师名册", "B4", "姓名与工号不符")])
    ws = openpyxl.load_workbook(book)["教师名册"]
    assert ws["B4"].comment.author == "cpdsheets" and ws["B4"].fill.fgColor.rgb == "FFFF9999"
    assert ws.tables["名册"].ref == "A1:C8"
    assert clear_marks(book) == 1
    ws = openpyxl.load_workbook(book)["教师名册"]
    assert ws["B4"].comment is None and ws["B4"].fill.fgColor.rgb == "00000000"


def test_remove_stale_tab_shifts_local_names(tmp_path: Path) -> None:
    import xlsxwriter

    path = tmp_path / "s.xlsx"
    wb = xlsxwriter.Workbook(path)
    for name in ("数据", "Summary", "备注"):
        wb.add_worksheet(name).write("A1", name)
    wb.get_worksheet_by_name("Summary").write_row("A1", ["ID", "Name"])  # an older version's tab
    wb.worksheets()[1].print_area("A1:B2")
    wb.worksheets()[2].print_area("A1:C3")
    wb.define_name("旧汇总", "='Summary'!$A$1")
    wb.define_name("数据名", "=数据!$A$1")
    wb.worksheets()[2].activate()
    wb.close()
    write_tabs(path, output_tabs()[:1], remove=["Summary"])
    xml = parts(path)["xl/workbook.xml"].decode()
    assert _names(openpyxl.load_workbook(path)) == ["数据", "备注", "学分汇总"]
    assert "旧汇总" not in xml and "数据名" in xml
    assert re.search(r'<definedName name="_xlnm.Print_Area" localSheetId="1">\'?备注\'?!\$A\$1:\$C\$3', xml)
    assert 'activeTab="1"' in xml
    assert len([n for n in parts(path) if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", n)]) == 4  # with the record
    assert _calamine_rows(path, "备注") == [["备注"]]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.text(min_size=1, max_size=30).filter(lambda t: clean_text(t) != ""), min_size=1, max_size=20))
def test_any_text_reads_back_as_written(tmp_path: Path, texts: list[str]) -> None:
    book = tmp_path / "h.xlsx"
    if not book.exists():
        macro_book(book)
    tab = TabTable("issues", "校验问题", [Column("值")], [[t] for t in texts])
    write_tabs(book, [tab], backup=False)
    got = [r[0] for r in _calamine_rows(book, "校验问题")[1:]]
    want = [clean_text(t).replace("\r\n", "\n") for t in texts]
    assert [g.replace("\r\n", "\n") if isinstance(g, str) else g for g in got] == [w if w else "" for w in want]


def test_values_excel_cannot_hold_are_made_safe(tmp_path: Path) -> None:
    """NaN and infinity leave the cell empty; text beyond Excel's 32,767 characters is cut, not
    written whole (Excel would 'repair' the file and drop the sheet)."""
    book = macro_book(tmp_path / "b.xlsx")
    tab = TabTable("summary", "学分汇总", [Column("数", "number"), Column("文本")],
                   [[float("nan"), "长" * 40_000], [float("inf"), "短"]])
    write_tabs(book, [tab])
    rows = _calamine_rows(book, "学分汇总")
    assert rows[1][0] in ("", None) and rows[2][0] in ("", None)
    assert len(rows[1][1]) == 32_767 and rows[1][1].endswith("…")
    assert rows[2][1] == "短"
