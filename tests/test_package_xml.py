"""The package writer against awkward and hostile books (issue 9, items 1, 3 and 6): the XML it
reads and writes is parsed, not matched; the tabs it replaces are the ones it wrote; notes,
sheet properties, links and text come out the way Excel expects."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import olefile
import openpyxl
import pytest
import xlsxwriter
from lxml import etree
from python_calamine import CalamineWorkbook

from writer_books import macro_book, output_tabs, parts
from xlwings_remote import apply_actions, remote_book

from cpdsheets.doors.live.live_door import LiveDoor
from cpdsheets.doors.mark_record import MARK_STORE
from cpdsheets.doors.ooxml.package_writer import clear_marks, write_tabs
from cpdsheets.doors.template.master import build_master
from cpdsheets.doors.ooxml.write_errors import NotAWorkbook
from cpdsheets.reports.tables import CellMark, ChartSpec, Column, TabTable

from conftest import invoke_cli as cli

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
APP = "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"
VML, OFFICE = "urn:schemas-microsoft-com:vml", "urn:schemas-microsoft-com:office:office"
USER_NAMES = ["groups", "SUMMARY", "Alerts", "issues", "RunLog", "学分汇总"]



def rewrite(path: Path, edit: dict[str, bytes | None]) -> None:
    """Replace (or, with None, drop) parts of a package, keeping the others."""
    old = parts(path)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in old.items():
            if name in edit:
                data = edit[name]
            if data is not None:
                z.writestr(name, data)


def sheet_parts(path: Path) -> dict[str, str]:
    """sheet name -> part, resolved through the parsed workbook and its relationships."""
    p = parts(path)
    wb = etree.fromstring(p["xl/workbook.xml"])
    rels = {r.get("Id"): r.get("Target") for r in etree.fromstring(p["xl/_rels/workbook.xml.rels"])}
    out = {}
    for s in wb.iter(f"{{{MAIN}}}sheet"):
        target = rels[s.get(f"{{{REL}}}id")]
        out[s.get("name")] = target.lstrip("/") if target.startswith("/") else "xl/" + target
    return out


def names(path: Path) -> list[str]:
    return [n for n in openpyxl.load_workbook(path).sheetnames if n != MARK_STORE]


def rows(path: Path, sheet: str) -> list[list]:
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python()


# -- item 1: parsed XML ---------------------------------------------------------------------------
def test_openpyxl_saved_master_recalcs_to_a_well_formed_workbook(tmp_path: Path) -> None:
    """openpyxl declares xmlns:r on each <sheet>, not the root: new sheets must declare it too."""
    book = build_master(tmp_path / "a.xlsm")
    wb = openpyxl.load_workbook(book, keep_vba=True)
    wb.save(book)
    out = tmp_path / "b.xlsm"
    r = cli("recalc", book, "-o", out)
    assert r.returncode == 0, r.stderr
    etree.fromstring(parts(out)["xl/workbook.xml"])  # raises when a prefix is unbound
    assert {"学分汇总", "运行记录"} <= set(openpyxl.load_workbook(out, keep_vba=True).sheetnames)
    assert set(sheet_parts(out).values()) <= set(parts(out))


def test_a_comment_holding_a_sheet_element_is_not_a_sheet(tmp_path: Path) -> None:
    book = macro_book(tmp_path / "b.xlsx")
    xml = parts(book)["xl/workbook.xml"].decode()
    fake = '<!-- <sheet name="学分汇总" sheetId="1" r:id="rId1"/> -->'
    rewrite(book, {"xl/workbook.xml": xml.replace("<sheets>", "<sheets>" + fake, 1).encode()})
    before = rows(book, "听课记录")
    write_tabs(book, output_tabs())
    assert rows(book, "听课记录") == before  # the input sheet the comment named is untouched
    assert rows(book, "学分汇总")[0][0] == "工号"
    assert CalamineWorkbook.from_path(str(book)).sheet_names == [
        "听课记录", "教师名册", "学分汇总", "达标预警", "校验问题", "教研组统计", "运行记录", MARK_STORE]


def test_a_part_with_a_doctype_is_refused_and_the_book_left_alone(tmp_path: Path) -> None:
    book = macro_book(tmp_path / "b.xlsx")
    xml = parts(book)["xl/workbook.xml"].decode()
    hostile = xml.replace("<workbook ", '<!DOCTYPE workbook [<!ENTITY e "boom">]><workbook ', 1)
    rewrite(book, {"xl/workbook.xml": hostile.encode()})
    original = book.read_bytes()
    with pytest.raises(NotAWorkbook, match="DOCTYPE"):
        write_tabs(book, output_tabs())
    assert book.read_bytes() == original


def _without_styles(book: Path) -> None:
    p = parts(book)
    rels = p["xl/_rels/workbook.xml.rels"].decode()
    rels = re.sub(r'<Relationship [^>]*styles\.xml"/>', "", rels)
    ct = p["[Content_Types].xml"].decode().replace(
        '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument'
        '.spreadsheetml.styles+xml"/>', "")
    rewrite(book, {"xl/styles.xml": None, "xl/_rels/workbook.xml.rels": rels.encode(), "[Content_Types].xml": ct.encode()})


def test_a_book_without_styles_gets_a_styles_part(tmp_path: Path) -> None:
    book = tmp_path / "b.xlsx"  # as LibreOffice opens them: no styles part at all
    wb = xlsxwriter.Workbook(book)
    wb.add_worksheet("听课记录").write_column("C1", ["授课教师", "张老师", "李老师", "王老师", "赵老师"])
    wb.close()
    _without_styles(book)
    assert "xl/styles.xml" not in parts(book)
    write_tabs(book, output_tabs(), marks=[CellMark("听课记录", "C5", "授课教师不存在")])
    p = parts(book)
    assert "xl/styles.xml" in p and "styles.xml" in p["xl/_rels/workbook.xml.rels"].decode()
    assert "/xl/styles.xml" in p["[Content_Types].xml"].decode()
    ws = openpyxl.load_workbook(book)["学分汇总"]
    assert ws["A1"].font.b and ws["C2"].number_format == "0.0#"
    assert openpyxl.load_workbook(book)["听课记录"]["C5"].fill.fgColor.rgb == "FFFF9999"


def test_styles_without_cell_formats_are_completed(tmp_path: Path) -> None:
    book = macro_book(tmp_path / "b.xlsx")
    styles = etree.fromstring(parts(book)["xl/styles.xml"])
    for tag in ("cellXfs", "cellStyles"):
        for el in styles.findall(f"{{{MAIN}}}{tag}"):
            styles.remove(el)
    rewrite(book, {"xl/styles.xml": etree.tostring(styles, xml_declaration=True, encoding="UTF-8")})
    write_tabs(book, output_tabs())
    ws = openpyxl.load_workbook(book)["学分汇总"]
    assert ws["A1"].font.b and ws["E3"].number_format == "0.0%"


# -- item 3: only our own tabs ------------------------------------------------------------------------
def _master_with_user_sheets(path: Path) -> Path:
    build_master(path)
    wb = openpyxl.load_workbook(path, keep_vba=True)
    for name in USER_NAMES:
        wb.create_sheet(name)["A1"] = f"{name} 我的数据"
    wb.save(path)
    return path


def test_user_sheets_named_like_output_tabs_are_kept(tmp_path: Path) -> None:
    book = _master_with_user_sheets(tmp_path / "学校.xlsm")
    for lang in ("zh", "en", "zh"):
        r = cli("recalc", book, "--lang", lang, "--no-backup")
        assert r.returncode == 0, r.stderr
        for name in USER_NAMES:
            assert rows(book, name) == [[f"{name} 我的数据"]], (lang, name)
    got = names(book)
    # ours under a free name next to the user's 学分汇总; the English tabs went when zh came back
    assert "学分汇总(2)" in got and rows(book, "学分汇总(2)")[1][0] == "工号"
    assert not any(n in got for n in ("Alerts(2)", "Summary(2)", "学分汇总(3)"))
    assert got.count("达标预警") == 1


def test_an_older_versions_tab_without_record_is_recognised(tmp_path: Path) -> None:
    book = build_master(tmp_path / "学校.xlsm")
    wb = openpyxl.load_workbook(book, keep_vba=True)
    wb.create_sheet("Summary").append(["ID", "Name", "Group"])  # an older English run's tab
    wb.save(book)
    assert cli("recalc", book, "--no-backup").returncode == 0
    got = names(book)
    assert "Summary" not in got and "学分汇总" in got


def test_button_keeps_a_user_sheet_of_the_same_name(tmp_path: Path) -> None:
    src = _master_with_user_sheets(tmp_path / "学校.xlsm")
    book = remote_book(src)
    tab = TabTable("summary", "学分汇总", [Column("工号"), Column("姓名")], [["1001", "张三"]])
    written = LiveDoor(book).write([tab])
    dst = tmp_path / "after.xlsm"
    apply_actions(src, dst, book.json()["actions"])
    assert written == {"学分汇总(2)": "summary"}
    assert rows(dst, "学分汇总") == [["学分汇总 我的数据"]]
    assert rows(dst, "学分汇总(2)") == [["工号", "姓名"], ["1001", "张三"]]
    # the CLI finds the button's tab in the same record and replaces it in place
    write_tabs(dst, [tab])
    assert names(dst).count("学分汇总(2)") == 1 and "学分汇总(3)" not in names(dst)


# -- item 6: sheet properties, notes, charts, properties, links, text --------------------------------
def test_a_replaced_tab_keeps_its_code_name(tmp_path: Path) -> None:
    book = macro_book(tmp_path / "b.xlsm")
    write_tabs(book, output_tabs())
    part = sheet_parts(book)["学分汇总"]
    xml = parts(book)[part].decode()
    # as Excel saves it: the tab now has a document module named Sheet7
    rewrite(book, {part: xml.replace("<sheetPr>", '<sheetPr codeName="Sheet7" filterMode="0">', 1).encode()})
    write_tabs(book, output_tabs())
    pr = etree.fromstring(parts(book)[sheet_parts(book)["学分汇总"]]).find(f"{{{MAIN}}}sheetPr")
    assert pr.get("codeName") == "Sheet7" and pr.get("filterMode") == "0"
    assert pr.find(f"{{{MAIN}}}tabColor") is not None and pr.find(f"{{{MAIN}}}pageSetUpPr").get("fitToPage") == "1"


def _shape_ids_by_part(path: Path) -> dict[str, tuple[set[int], list[int]]]:
    out = {}
    for name, data in parts(path).items():
        if name.endswith(".vml"):
            root = etree.fromstring(data)  # strict: every prefix declared
            idmap = next(root.iter(f"{{{OFFICE}}}idmap"))
            blocks = [int(b) for b in idmap.get("data").split(",")]
            ids = {int(s.get("id")[len("_x0000_s"):]) for s in root.iter(f"{{{VML}}}shape")}
            out[name] = (ids, blocks)
    return out


def test_1200_marks_keep_note_ids_inside_their_parts_blocks(tmp_path: Path) -> None:
    book = macro_book(tmp_path / "b.xlsm")
    write_tabs(book, [], marks=[CellMark("教师名册", "B3", "姓名有误")])  # a second VML part
    marks = [CellMark("听课记录", f"G{r}", "问题") for r in range(3, 1203)]
    write_tabs(book, [], marks=marks + [CellMark("教师名册", "B3", "姓名有误")])
    by_part = _shape_ids_by_part(book)
    assert len(by_part) == 2
    seen_blocks: set[int] = set()
    for ids, blocks in by_part.values():
        assert not seen_blocks & set(blocks)
        seen_blocks |= set(blocks)
        assert all(i // 1024 in blocks for i in ids), sorted(i for i in ids if i // 1024 not in blocks)[:5]
    assert sum(len(ids) for ids, _ in by_part.values()) >= 1201
    ws = openpyxl.load_workbook(book)["听课记录"]
    assert ws["G1202"].comment is not None and ws["G3"].comment is not None


def test_marks_on_an_openpyxl_saved_book_use_declared_prefixes(tmp_path: Path) -> None:
    book = macro_book(tmp_path / "b.xlsx")
    wb = openpyxl.load_workbook(book)
    wb.save(book)
    write_tabs(book, [], marks=[CellMark("听课记录", "C5", "授课教师不存在"), CellMark("教师名册", "B4", "x")])
    assert _shape_ids_by_part(book)  # every VML part parses strictly
    ws = openpyxl.load_workbook(book)["听课记录"]
    assert "授课教师不存在" in ws["C5"].comment.text and ws["B3"].comment is not None
    assert clear_marks(book) == 2


_ORDER = ["sheetPr", "dimension", "sheetViews", "sheetFormatPr", "cols", "sheetData", "sheetCalcPr",
          "sheetProtection", "protectedRanges", "scenarios", "autoFilter", "sortState", "dataConsolidate",
          "customSheetViews", "mergeCells", "phoneticPr", "conditionalFormatting", "dataValidations", "hyperlinks",
          "printOptions", "pageMargins", "pageSetup", "headerFooter", "rowBreaks", "colBreaks", "customProperties",
          "cellWatches", "ignoredErrors", "smartTags", "drawing", "legacyDrawing", "legacyDrawingHF", "drawingHF",
          "picture", "oleObjects", "controls", "webPublishItems", "tableParts", "extLst"]


def test_legacy_drawing_goes_in_schema_position_not_into_a_data_bar(tmp_path: Path) -> None:
    path = tmp_path / "bar.xlsx"
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet("数据")
    for r in range(10):
        ws.write_number(r, 0, r * 3)
    ws.conditional_format("A1:A10", {"type": "data_bar", "bar_solid": True})  # x14 extLst inside cfRule
    wb.close()
    write_tabs(path, [], marks=[CellMark("数据", "A3", "数值异常")])
    root = etree.fromstring(parts(path)[sheet_parts(path)["数据"]])
    top = [etree.QName(c).localname for c in root if isinstance(c.tag, str)]
    assert "legacyDrawing" in top
    assert [_ORDER.index(n) for n in top] == sorted(_ORDER.index(n) for n in top)
    assert len(list(root.iter(f"{{{MAIN}}}legacyDrawing"))) == 1


def test_a_replaced_chart_leaves_no_stale_content_type(tmp_path: Path) -> None:
    book = macro_book(tmp_path / "b.xlsx")
    groups = TabTable("groups", "教研组统计", [Column("组"), Column("率", "percent")], [["语文组", 0.5]],
                      chart=ChartSpec("达标率", 0, [1]))
    write_tabs(book, [groups])
    # a writer that spells each Override with an end tag (well-formed, and read as the same thing)
    ct_xml = parts(book)["[Content_Types].xml"].decode()
    rewrite(book, {"[Content_Types].xml": re.sub(r"(<Override [^>]*?)/>", r"\1></Override>", ct_xml).encode()})
    write_tabs(book, [TabTable("groups", "教研组统计", [Column("组")], [["语文组"]])])  # no chart now
    p = parts(book)
    ct = etree.fromstring(p["[Content_Types].xml"])
    overrides = [o.get("PartName").lstrip("/") for o in ct if o.get("PartName")]
    assert [o for o in overrides if o not in p] == []


def test_app_properties_list_the_real_sheets(tmp_path: Path) -> None:
    book = macro_book(tmp_path / "b.xlsx")
    write_tabs(book, output_tabs())
    app = etree.fromstring(parts(book)["docProps/app.xml"])
    vt = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
    titles = [e.text for e in app.find(f"{{{APP}}}TitlesOfParts").iter(f"{{{vt}}}lpstr")]
    sheets = openpyxl.load_workbook(book).sheetnames
    assert titles[: len(sheets)] == sheets
    counts = [int(e.text) for e in app.iter(f"{{{vt}}}i4")]
    assert counts[0] == len(sheets)


def test_links_to_a_sheet_with_an_apostrophe_are_quoted(tmp_path: Path) -> None:
    book = macro_book(tmp_path / "b.xlsx")
    tab = TabTable("issues", "校验问题", [Column("位置")], [["O'Brien!A1"]], links=["'O'Brien'!A1"])
    write_tabs(book, [tab])
    root = etree.fromstring(parts(book)[sheet_parts(book)["校验问题"]])
    assert [h.get("location") for h in root.iter(f"{{{MAIN}}}hyperlink")] == ["'O''Brien'!A1"]


def test_text_that_looks_like_a_formula_carries_the_quote_prefix(tmp_path: Path) -> None:
    book = macro_book(tmp_path / "b.xlsx")
    texts = ["=1+1", "+86 123", "-3", "@x", "普通"]
    write_tabs(book, [TabTable("issues", "校验问题", [Column("值")], [[t] for t in texts])])
    ws = openpyxl.load_workbook(book)["校验问题"]
    assert [(c.value, c.quotePrefix) for c in ws["A"][1:]] == [(t, t != "普通") for t in texts]


def test_vba_project_is_named_like_excels_and_its_storage_starts_at_zero() -> None:
    master = Path(__file__).parents[1] / "workbook" / "cpd_master.xlsm"
    with zipfile.ZipFile(master) as z:
        data = z.read("xl/vbaProject.bin")
    ole = olefile.OleFileIO(data)
    assert b'Name="VBAProject"' in ole.openstream("PROJECT").read()
    vba = next(e for e in ole.direntries if e is not None and e.name == "VBA")
    assert vba.entry_type == olefile.STGTY_STORAGE and vba.isectStart == 0
