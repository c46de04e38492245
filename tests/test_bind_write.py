"""`bind` writing into the school's own book: 控制台, 规则 and 映射 are added, the .xlsx becomes an
.xlsm with the VBA project, and every part the school had stays byte-identical (the package's index
parts only gain entries). Books written by xlsxwriter, by openpyxl and re-saved by LibreOffice."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import olefile
import openpyxl
import pytest
import xlsxwriter
from lxml import etree

import cpdsheets
from conftest import invoke_cli, libreoffice_uno_missing
from cpdsheets.contract.binding import Binding, ColumnBinding, SheetBinding
from cpdsheets.doors.binding.errors import BoundBookExists, MappingSheetTaken, NotAMacroBook
from cpdsheets.doors.binding.writer import write_binding
from cpdsheets.doors.ooxml.safe_replace import book_lock
from cpdsheets.doors.ooxml.write_errors import NotAWorkbook, WorkbookBusy
from cpdsheets.doors.reader import WorkbookUnreadable, read_workbook
from cpdsheets.doors.template.master import build_master
from cpdsheets.doors.template.text import BUTTONS, CONSOLE_SERVICE_NOTE
from cpdsheets.engine.binding.mapping_sheet import read_mapping
from cpdsheets.engine.policy_sheet import read_policy
from writer_books import macro_book

INDEX_PARTS = {"xl/workbook.xml", "xl/_rels/workbook.xml.rels", "[Content_Types].xml", "docProps/app.xml"}
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
RELS_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
VT_NS = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
MACRO_MAIN = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
ADDED = ["控制台", "规则", "映射"]
PROBE = Path(__file__).with_name("uno_vba_probe.py")

ROSTER = [["工号", "姓名", "参加工作年月", "教研组"],
          ["T01", "王芳", "2010.9", "语文组"], ["T02", "李明", "2015.9", "数学组"], ["T03", "张丽", "2020.8", "英语组"]]
OBSERVED = [["听课教师", "执教教师", "听课时间", "学科", "课题", "笔记字数"],
            ["王芳", "李明", dt.datetime(2024, 10, 9), "数学", "分数的意义", 320],
            ["李明", "王芳", dt.datetime(2024, 11, 13), "语文", "秋天的雨", 410],
            ["张丽", "王芳", dt.datetime(2024, 12, 4), "语文", "=不是公式", 150]]
SESSIONS = ["2024.9.10 新课标解读 2学时", "2024.10.15 作业设计 1.5学时", "2024.11.20 课堂观察 2学时"]
GRID = [["工号", "姓名", *SESSIONS], ["T01", "王芳", "√", "√", "假"], ["T02", "李明", "√", "缺", "√"],
        ["T03", "张丽", "到", "√", ""]]
OBSERVED_TITLE, GRID_TITLE = "2024秋季听课登记表", "2024学年校本培训签到表"

BINDING = Binding(sheets=(
    SheetBinding(sheet="教职工名单", target="teachers", header_row=1, columns=(
        ColumnBinding(header="工号", field="teacher_id"), ColumnBinding(header="姓名", field="name"),
        ColumnBinding(header="参加工作年月", field="work_start"), ColumnBinding(header="教研组", field="teaching_group"))),
    SheetBinding(sheet="2024秋季听课登记", target="observations", header_row=2, columns=(
        ColumnBinding(header="听课教师", field="teacher_id"), ColumnBinding(header="执教教师", field="taught_by"),
        ColumnBinding(header="听课时间", field="date"), ColumnBinding(header="学科", field="subject"),
        ColumnBinding(header="课题", field="topic"), ColumnBinding(header="笔记字数", field="comment_chars"),
        ColumnBinding(header="", field="location", default="校内"))),
    SheetBinding(sheet="校本培训签到表", target="trainings", shape="grid", header_row=2, columns=(
        ColumnBinding(header="工号", field="teacher_id"), ColumnBinding(header="姓名", field="name"),
        ColumnBinding(header="", field="category", default="校本研修"),
        ColumnBinding(header="", field="level", default="校级"))),
))


# -- the school's books ---------------------------------------------------------------------------

def xlsxwriter_book(path: Path, *, dated: bool = True) -> Path:
    """Shared strings, styles as Excel lays them out, a note (a VML drawing of its own), a defined
    name, an autofilter, validation, and the second sheet active."""
    wb = xlsxwriter.Workbook(path, {"strings_to_formulas": False, "strings_to_numbers": False})
    bold = wb.add_format({"bold": True, "align": "center"})
    day = wb.add_format({"num_format": "yyyy-mm-dd"}) if dated else None
    roster = wb.add_worksheet("教职工名单")
    for r, row in enumerate(ROSTER):
        roster.write_row(r, 0, row)
    roster.write_comment("C1", "写到月即可")
    obs = wb.add_worksheet("2024秋季听课登记")
    obs.merge_range("A1:F1", OBSERVED_TITLE, bold)
    for r, row in enumerate(OBSERVED, start=1):
        for c, v in enumerate(row):
            if isinstance(v, dt.datetime):
                obs.write_datetime(r, c, v, day) if dated else obs.write_string(r, c, f"{v:%Y年%m月%d日}")
            else:
                obs.write(r, c, v)
    obs.autofilter(1, 0, len(OBSERVED), len(OBSERVED[0]) - 1)
    obs.data_validation("D3:D50", {"validate": "list", "source": ["语文", "数学", "英语"]})
    grid = wb.add_worksheet("校本培训签到表")
    grid.merge_range("A1:E1", GRID_TITLE, bold)
    for r, row in enumerate(GRID, start=1):
        grid.write_row(r, 0, row)
    wb.define_name("教师名单", "=教职工名单!$B$2:$B$4")
    obs.activate()
    wb.close()
    return path


def openpyxl_book(path: Path) -> Path:
    wb = openpyxl.Workbook()
    roster = wb.active
    roster.title = "教职工名单"
    for row in ROSTER:
        roster.append(row)
    obs = wb.create_sheet("2024秋季听课登记")
    obs.append([OBSERVED_TITLE])
    obs.merge_cells("A1:F1")
    for row in OBSERVED:
        obs.append(row)
    obs["E5"].data_type = "s"  # the typed "=不是公式" is text, as the teacher meant it
    grid = wb.create_sheet("校本培训签到表")
    grid.append([GRID_TITLE])
    grid.merge_cells("A1:E1")
    for row in GRID:
        grid.append(row)
    wb.defined_names["教师名单"] = openpyxl.workbook.defined_name.DefinedName("教师名单", attr_text="教职工名单!$B$2:$B$4")
    wb.active = 1
    wb.save(path)
    return path


def soffice(*args: object, folder: Path) -> None:
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if exe is None:
        pytest.skip("LibreOffice is not installed")
    subprocess.run([exe, f"-env:UserInstallation={(folder / 'lo-profile').as_uri()}", "--headless", *map(str, args)],
                   capture_output=True, timeout=300, check=True)


def libreoffice_book(path: Path) -> Path:
    src = openpyxl_book(path.with_name("for-lo.xlsx"))
    soffice("--convert-to", "xlsx", "--outdir", path.parent / "lo", src, folder=path.parent)
    shutil.move(path.parent / "lo" / src.name, path)
    return path


WRITERS = {"xlsxwriter": xlsxwriter_book, "openpyxl": openpyxl_book, "libreoffice": libreoffice_book}


@pytest.fixture(scope="module")
def books(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("school-books")
    return {name: make(folder / f"{name}.xlsx") for name, make in WRITERS.items()}


@pytest.fixture(params=list(WRITERS))
def school(request, books, tmp_path) -> Path:
    """A fresh copy of one school's book in this test's folder."""
    return Path(shutil.copy(books[request.param], tmp_path / "学校登记.xlsx"))


# -- reading packages -----------------------------------------------------------------------------

def members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {i.filename: z.read(i) for i in z.infolist()}


def xml(data: bytes) -> etree._Element:
    return etree.fromstring(data)


def entries(root: etree._Element, ns: str, tag: str, key: str) -> dict[str, dict[str, str]]:
    return {el.get(key): dict(el.attrib) for el in root.iter(f"{{{ns}}}{tag}")}


def sheet_list(wb: bytes) -> list[dict[str, str]]:
    return [dict(el.attrib) for el in xml(wb).iter(f"{{{MAIN_NS}}}sheet")]


def assert_school_parts_kept(before: dict[str, bytes], after: dict[str, bytes]) -> None:
    """Every original part byte-identical, except the index parts whose original entries are kept."""
    changed = [n for n in before if n not in INDEX_PARTS and after.get(n) != before[n]]
    assert changed == []
    old_wb, new_wb = xml(before["xl/workbook.xml"]), xml(after["xl/workbook.xml"])
    old_sheets, new_sheets = sheet_list(before["xl/workbook.xml"]), sheet_list(after["xl/workbook.xml"])
    assert new_sheets[:len(old_sheets)] == old_sheets  # same sheets, same order, new ones at the end
    assert [s["name"] for s in new_sheets[len(old_sheets):]] == ADDED
    for tag in ("definedName", "workbookView", "calcPr", "fileVersion"):
        assert [dict(e.attrib, text=e.text) for e in old_wb.iter(f"{{{MAIN_NS}}}{tag}")] == \
               [dict(e.attrib, text=e.text) for e in new_wb.iter(f"{{{MAIN_NS}}}{tag}")], tag
    old_pr = next(old_wb.iter(f"{{{MAIN_NS}}}workbookPr"), None)
    new_pr = next(new_wb.iter(f"{{{MAIN_NS}}}workbookPr"))
    assert {k: v for k, v in new_pr.attrib.items() if k != "codeName"} == \
           ({} if old_pr is None else {k: v for k, v in old_pr.attrib.items() if k != "codeName"})
    old_rels = entries(xml(before["xl/_rels/workbook.xml.rels"]), RELS_NS, "Relationship", "Id")
    new_rels = entries(xml(after["xl/_rels/workbook.xml.rels"]), RELS_NS, "Relationship", "Id")
    assert {k: new_rels.get(k) for k in old_rels} == old_rels
    old_ct, new_ct = xml(before["[Content_Types].xml"]), xml(after["[Content_Types].xml"])
    assert entries(new_ct, CT_NS, "Default", "Extension").items() >= entries(old_ct, CT_NS, "Default", "Extension").items()
    old_over, new_over = (entries(t, CT_NS, "Override", "PartName") for t in (old_ct, new_ct))
    assert {k: new_over.get(k) for k in old_over if k != "/xl/workbook.xml"} == \
           {k: v for k, v in old_over.items() if k != "/xl/workbook.xml"}
    if "docProps/app.xml" in before:
        old_titles = [e.text for e in xml(before["docProps/app.xml"]).iter(f"{{{VT_NS}}}lpstr")]
        new_titles = [e.text for e in xml(after["docProps/app.xml"]).iter(f"{{{VT_NS}}}lpstr")]
        assert all(t in new_titles for t in old_titles)


def part_of_sheet(parts: dict[str, bytes], name: str) -> str:
    rels = entries(xml(parts["xl/_rels/workbook.xml.rels"]), RELS_NS, "Relationship", "Id")
    sheet = next(s for s in sheet_list(parts["xl/workbook.xml"]) if s["name"] == name)
    target = rels[sheet[f"{{{R_NS}}}id"]]["Target"]
    return target.lstrip("/") if target.startswith("/") else "xl/" + target


def template_policy(year: str):
    """The policy `cpdsheets new --year` writes, read back: what our 规则 sheet must equal."""
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = build_master(Path(folder) / "new.xlsx", year=year, school="", macros=False)
        sheet = read_workbook(path).sheets["规则"]
        return read_policy(sheet)[0], sheet.rows


# -- the tests ------------------------------------------------------------------------------------

def test_every_part_the_school_had_stays_byte_identical(school):
    before = members(school)
    out = write_binding(school, BINDING)
    assert out == school.with_suffix(".xlsm")
    assert_school_parts_kept(before, members(out))
    assert school.read_bytes() and members(school) == before  # the .xlsx beside it is left as it was


def test_an_xlsx_becomes_an_xlsm_carrying_the_vba_project(school):
    out = write_binding(school, BINDING)
    parts = members(out)
    ct = xml(parts["[Content_Types].xml"])
    assert entries(ct, CT_NS, "Override", "PartName")["/xl/workbook.xml"]["ContentType"] == MACRO_MAIN
    rels = entries(xml(parts["xl/_rels/workbook.xml.rels"]), RELS_NS, "Relationship", "Id").values()
    vba = [r for r in rels if r["Type"].endswith("/vbaProject")]
    assert [r["Target"] for r in vba] == ["vbaProject.bin"]
    with olefile.OleFileIO(parts["xl/vbaProject.bin"]) as ole:
        streams = {"/".join(s) for s in ole.listdir()}
    assert {"VBA/CpdSheets", "VBA/ThisWorkbook", "PROJECT"} <= streams
    assert 'codeName="ThisWorkbook"' in parts["xl/workbook.xml"].decode()


def test_the_console_has_the_templates_buttons(school):
    before = members(school)
    parts = members(write_binding(school, BINDING))
    console = part_of_sheet(parts, "控制台")
    rels = entries(xml(parts[console.replace("worksheets/", "worksheets/_rels/") + ".rels"]), RELS_NS,
                   "Relationship", "Id")
    (vml_rel,) = rels.values()
    assert vml_rel["Type"].endswith("/vmlDrawing")
    vml = parts["xl/" + vml_rel["Target"].replace("../", "")].decode()
    assert re.findall(r"<x:FmlaMacro>\[0\]!(\w+)</x:FmlaMacro>", vml) == [b[0] for b in BUTTONS]
    assert re.findall(r'<font [^>]*>([^<]+)</font>', vml) == [caption["zh"] for _, caption, _ in BUTTONS]
    assert vml.count('ObjectType="Button"') == len(BUTTONS)
    # the book's own notes keep their shape ids: ours take a block no other drawing claims
    theirs = {m for n, d in before.items() if n.endswith(".vml") for m in re.findall(rb'data="(\d+)"', d)}
    ours = re.findall(r'<o:idmap v:ext="edit" data="(\d+)"/>', vml)
    assert ours and not set(o.encode() for o in ours) & theirs
    rows = read_workbook(school.with_suffix(".xlsm")).sheets["控制台"].rows
    # each button's description, then the district service's note (issue 22)
    assert [r[2] for r in rows if len(r) > 2 and r[2]] == [note["zh"] for *_, note in BUTTONS] + [CONSOLE_SERVICE_NOTE["zh"]]


def test_mapping_and_policy_read_back(school):
    out = write_binding(school, BINDING)
    book = read_workbook(out)
    binding, findings = read_mapping(book.sheets["映射"])
    assert findings == [] and binding == BINDING
    policy, findings = read_policy(book.sheets["规则"])
    assert findings == []
    expected, expected_rows = template_policy("2024-2025")  # the year the book's dates fall in
    assert policy == expected
    # the same cells as `cpdsheets new --year` writes (a date as ISO text where the book has no date format)
    assert iso(book.sheets["规则"].rows) == iso(expected_rows)


def iso(rows: list[list]) -> list[list]:
    return [[v.isoformat() if isinstance(v, dt.date) else v for v in row] for row in rows]


def test_the_year_given_wins_and_a_book_without_date_formats_gets_text_dates(tmp_path):
    school = xlsxwriter_book(tmp_path / "无日期格式.xlsx", dated=False)
    out = write_binding(school, BINDING, year="2025-2026")
    sheet = read_workbook(out).sheets["规则"]
    policy, findings = read_policy(sheet)
    assert findings == [] and policy == template_policy("2025-2026")[0]
    assert sheet.rows[4][:2] == ["学年开始", "2025-09-01"]  # no date format of the book's to show it with
    assert members(out)["xl/styles.xml"] == members(school)["xl/styles.xml"]


def test_the_mapping_sheet_is_a_readable_table(school):
    parts = members(write_binding(school, BINDING))
    sheet = parts[part_of_sheet(parts, "映射")].decode()
    assert '<pane ySplit="2" topLeftCell="A3" activePane="bottomLeft" state="frozen"/>' in sheet
    header = re.search(r'<row r="2">(.*?)</row>', sheet).group(1)
    assert header.count("<b/>") == 4 and "工作表" in header and "对应字段" in header
    assert re.search(r'<cols>(<col min="\d" max="\d" width="[\d.]+" customWidth="1"/>){4}</cols>', sheet)


def test_mapping_and_policy_print_landscape_one_page_wide(school):
    # 映射's four columns and 规则's thirteen ran over two or three portrait pages across.
    parts = members(write_binding(school, BINDING))
    for name in ("映射", "规则"):
        sheet = parts[part_of_sheet(parts, name)].decode()
        assert '<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr><dimension' in sheet, name
        assert '<pageSetup paperSize="9" orientation="landscape" fitToWidth="1" fitToHeight="0"/>' in sheet, name
    assert "<pageSetup" not in parts[part_of_sheet(parts, "控制台")].decode()


def test_text_that_looks_like_a_formula_stays_text(school):
    odd = Binding(sheets=(SheetBinding(sheet="2024秋季听课登记", target="observations", columns=(
        ColumnBinding(header="=听课教师", field="teacher_id"), ColumnBinding(header="+时间", field="date"),
        ColumnBinding(header="@课题", field="topic", default="-无"))),))
    parts = members(write_binding(school, odd))
    sheet = parts[part_of_sheet(parts, "映射")].decode()
    assert "<f>" not in sheet and "<f " not in sheet
    binding, findings = read_mapping(read_workbook(school.with_suffix(".xlsm")).sheets["映射"])
    assert findings == [] and binding == odd


def audit_errors(path: Path) -> set[tuple[str, str]]:
    r = subprocess.run(["openxml-audit", "-o", "json", "-m", "0", str(path)], capture_output=True, text=True,
                       timeout=300)
    report = json.loads(r.stdout)[0]
    return {(e["description"], e["part_uri"]) for e in report["errors"] if e["severity"] == "error"}


@pytest.mark.skipif(shutil.which("openxml-audit") is None, reason="openxml-audit is not installed")
def test_openxml_audit_finds_no_error_the_school_book_lacked(school):
    out = write_binding(school, BINDING)
    assert audit_errors(out) <= audit_errors(school)


def test_libreoffice_opens_the_bound_book(school, tmp_path):
    out = write_binding(school, BINDING)
    soffice("--convert-to", "pdf", "--outdir", tmp_path / "pdf", out, folder=tmp_path)
    pdf = tmp_path / "pdf" / (out.stem + ".pdf")
    assert pdf.stat().st_size > 1000
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
        assert "对应字段" in text and "规则与设置" in text and OBSERVED_TITLE in text


def test_libreoffice_imports_the_macros_and_binds_the_buttons_to_them(books, tmp_path):
    reason = libreoffice_uno_missing()
    if reason:
        pytest.skip(reason)
    out = write_binding(Path(shutil.copy(books["openpyxl"], tmp_path / "学校.xlsx")), BINDING)
    run = subprocess.run(["/usr/bin/python3", str(PROBE), str(out), str(tmp_path / "converted.xlsx"),
                          str(tmp_path / "profile")], capture_output=True, text=True, timeout=180)
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout)
    subs = re.findall(r"^\s*(?:Public\s+)?Sub\s+(\w+)", report["libraries"]["VBAProject"]["CpdSheets"], re.M)
    assert {b[0] for b in BUTTONS} <= set(subs)
    assert report["buttons"]["控制台"] == [
        [caption["zh"], f"vnd.sun.star.script:VBAProject.CpdSheets.{macro}?language=Basic&location=document"]
        for macro, caption, _ in BUTTONS]
    assert report["sheets"] == ["教职工名单", "2024秋季听课登记", "校本培训签到表", *ADDED]


def test_rebinding_replaces_the_mapping_and_keeps_everything_else(school):
    first = write_binding(school, BINDING)
    before = members(first)
    narrower = Binding(sheets=BINDING.sheets[:2])
    notes: list[str] = []
    again = write_binding(first, narrower, notes=notes)
    assert again == first
    assert notes == []  # our own VBA project from the first bind is not "the school's own" to warn about
    after = members(again)
    mapping = part_of_sheet(after, "映射")
    assert after[mapping] != before[mapping]
    assert [n for n in before if n != mapping and after.get(n) != before[n]] == []  # index parts included
    assert sheet_list(after["xl/workbook.xml"]) == sheet_list(before["xl/workbook.xml"])
    assert read_mapping(read_workbook(again).sheets["映射"])[0] == narrower
    assert members(first.with_name(first.name + ".bak")) == before  # the version read is kept


def test_an_existing_policy_sheet_is_kept_as_it_is(tmp_path):
    wb = openpyxl.load_workbook(openpyxl_book(tmp_path / "s.xlsx"))
    own = wb.create_sheet("规则")
    own.append(["设置项", "值"])
    own.append(["学年开始", dt.date(2024, 9, 2)])
    wb.save(tmp_path / "own.xlsx")
    before = members(tmp_path / "own.xlsx")
    parts = members(write_binding(tmp_path / "own.xlsx", BINDING))
    names = [s["name"] for s in sheet_list(parts["xl/workbook.xml"])]
    assert names.count("规则") == 1 and names[-2:] == ["控制台", "映射"]
    kept = part_of_sheet(before, "规则")
    assert parts[kept] == before[kept]
    policy, _ = read_policy(read_workbook(tmp_path / "own.xlsm").sheets["规则"])
    assert policy.settings.year_start == dt.date(2024, 9, 2)


def test_out_leaves_the_source_byte_identical(school, tmp_path):
    original = school.read_bytes()
    target = tmp_path / "bound" / "绑定后.xlsm"
    target.parent.mkdir()
    assert write_binding(school, BINDING, out=target) == target
    assert school.read_bytes() == original
    assert sorted(p.name for p in school.parent.iterdir() if p.is_file()) == [school.name]
    assert_school_parts_kept(members(school), members(target))
    with pytest.raises(NotAMacroBook):
        write_binding(school, BINDING, out=tmp_path / "bound.xlsx")


def test_a_book_with_its_own_vba_keeps_it_and_says_so(tmp_path):
    src = macro_book(tmp_path / "有宏.xlsm")
    before = members(src)
    notes: list[str] = []
    out = write_binding(src, BINDING, notes=notes)
    after = members(out)
    assert out == src and after["xl/vbaProject.bin"] == before["xl/vbaProject.bin"]
    assert [n for n in after if n.endswith(".bin")] == ["xl/vbaProject.bin"]
    assert len(notes) == 1 and "CpdSheets.bas" in notes[0]
    console = read_workbook(out).sheets["控制台"].rows
    assert any("CpdSheets.bas" in str(v) for row in console for v in row)
    assert_school_parts_kept(before, after)
    assert xml(after["xl/workbook.xml"]).find(f"{{{MAIN_NS}}}workbookPr").attrib == \
           xml(before["xl/workbook.xml"]).find(f"{{{MAIN_NS}}}workbookPr").attrib


_FULL_DISK = """
import resource, signal, sys
from pathlib import Path
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
size = int(sys.argv[2])
resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))
from cpdsheets.doors.binding.writer import write_binding
from cpdsheets.doors.ooxml.write_errors import WorkbookWriteError
import test_bind_write as t
try:
    write_binding(Path(sys.argv[1]), t.BINDING)
except WorkbookWriteError as exc:
    print(exc.message("zh"))
"""


def test_a_failing_write_leaves_the_book_intact(school):
    bound = write_binding(school, BINDING)  # an .xlsm: the next bind writes over it in place
    os.remove(school)
    original = bound.read_bytes()
    listing = sorted(os.listdir(bound.parent))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(Path(cpdsheets.__file__).parents[1]),
                                                       str(Path(__file__).parent)])}
    run = subprocess.run([sys.executable, "-c", _FULL_DISK, str(bound), str(len(original) // 2)],
                         capture_output=True, text=True, env=env, timeout=300)
    assert "写入" in run.stdout and "原文件未改动" in run.stdout, run.stderr
    assert bound.read_bytes() == original
    assert sorted(os.listdir(bound.parent)) == listing  # no temp file, no .bak


def test_a_broken_or_oversized_book_is_one_clear_error(school, tmp_path, monkeypatch):
    broken = tmp_path / "broken.xlsx"
    with zipfile.ZipFile(school) as zin, zipfile.ZipFile(broken, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info)
            zout.writestr(info, data + b"<" if info.filename == "xl/_rels/workbook.xml.rels" else data)
    with pytest.raises((NotAWorkbook, WorkbookUnreadable)) as exc:
        write_binding(broken, BINDING)
    assert "\n" not in exc.value.message("zh")
    assert not broken.with_suffix(".xlsm").exists()
    monkeypatch.setenv("CPDSHEETS_LIMIT_MAX_CELLS", "10")
    with pytest.raises(WorkbookUnreadable) as exc:
        write_binding(school, BINDING)
    assert "拒绝读取" in exc.value.message("zh") and not school.with_suffix(".xlsm").exists()


def test_a_sheet_named_mapping_that_is_the_schools_own_is_never_replaced(tmp_path):
    wb = openpyxl.load_workbook(openpyxl_book(tmp_path / "s.xlsx"))
    wb.create_sheet("映射").append(["学科", "教研组"])
    wb.save(tmp_path / "own.xlsx")
    with pytest.raises(MappingSheetTaken):
        write_binding(tmp_path / "own.xlsx", BINDING)
    assert not (tmp_path / "own.xlsm").exists()


_HOLD_LOCK = """
import sys, time
from cpdsheets.doors.ooxml.safe_replace import book_lock
with book_lock(sys.argv[1]):
    print("held", flush=True)
    time.sleep(60)
"""


def test_a_second_run_on_the_same_book_waits_then_refuses(school, monkeypatch):
    monkeypatch.setenv("CPDSHEETS_LIMIT_LOCK_WAIT_SECONDS", "0.3")
    env = {**os.environ, "PYTHONPATH": str(Path(cpdsheets.__file__).parents[1])}
    other = subprocess.Popen([sys.executable, "-c", _HOLD_LOCK, str(school)], stdout=subprocess.PIPE, text=True,
                             env=env)
    try:
        assert other.stdout.readline().strip() == "held"
        with pytest.raises(WorkbookBusy):
            write_binding(school, BINDING)
        assert not school.with_suffix(".xlsm").exists()
    finally:
        other.kill()
        other.wait()
        other.stdout.close()


def test_a_command_holding_the_lock_can_write(school):
    """`cpdsheets bind` locks the book for its whole run and then calls the writer, which locks too."""
    with book_lock(school):
        assert write_binding(school, BINDING).exists()


def test_validate_runs_on_a_bound_book(books, tmp_path):
    school = Path(shutil.copy(books["xlsxwriter"], tmp_path / "学校.xlsx"))
    out = write_binding(school, BINDING)
    run = invoke_cli("validate", out, "--format", "json")
    assert run.returncode in (0, 1), run.stderr


def test_the_school_year_comes_from_the_bound_sheets_dates(tmp_path):
    """Only what the binding reads counts: a sign-in grid's session headers (text, or a row of real
    dates); an unbound sheet full of older dates does not."""
    path = tmp_path / "签到.xlsx"
    wb = xlsxwriter.Workbook(path)
    day = wb.add_format({"num_format": "yyyy-mm-dd"})
    text_grid = wb.add_worksheet("秋季签到")
    text_grid.write_row(0, 0, ["工号", "姓名", "2025.10.9 读书分享 2学时", "2025年11月6日 教研 1学时"])
    text_grid.write_row(1, 0, ["T01", "王芳", "√", "√"])
    dated_grid = wb.add_worksheet("春季签到")
    dated_grid.write_row(0, 0, ["日期", ""])
    dated_grid.write_datetime(0, 2, dt.datetime(2026, 3, 12), day)
    dated_grid.write_row(1, 0, ["工号", "姓名", "师德培训"])
    dated_grid.write_row(2, 0, ["T01", "王芳", "到"])
    old = wb.add_worksheet("往年听课")
    old.write_row(0, 0, ["日期", "听课人"])
    for r in range(1, 20):
        old.write_datetime(r, 0, dt.datetime(2019, 10, r), day)
    wb.close()
    grid = dict(target="trainings", shape="grid", columns=(ColumnBinding(header="工号", field="teacher_id"),))
    binding = Binding(sheets=(SheetBinding(sheet="秋季签到", **grid), SheetBinding(sheet="春季签到", header_row=2, **grid)))
    sheet = read_workbook(write_binding(path, binding)).sheets["规则"]
    assert sheet.rows[0][0] == "2025-2026学年 规则与设置"
    assert read_policy(sheet)[0] == template_policy("2025-2026")[0]


def test_the_console_in_english(books, tmp_path):
    out = write_binding(Path(shutil.copy(books["openpyxl"], tmp_path / "school.xlsx")), BINDING, lang="en")
    parts = members(out)
    console = part_of_sheet(parts, "控制台")
    vml = next(d.decode() for n, d in parts.items() if n.endswith(".vml") and n not in members(books["openpyxl"]))
    assert re.findall(r'<font [^>]*>([^<]+)</font>', vml) == [caption["en"] for _, caption, _ in BUTTONS]
    rows = read_workbook(out).sheets["控制台"].rows
    assert [r[2] for r in rows if len(r) > 2 and r[2]] == [note["en"] for *_, note in BUTTONS] + [CONSOLE_SERVICE_NOTE["en"]]
    assert console in parts


def test_an_xlsm_bound_earlier_is_not_overwritten_from_the_xlsx(school):
    bound = write_binding(school, BINDING)
    bound_bytes, school_bytes = bound.read_bytes(), school.read_bytes()
    with pytest.raises(BoundBookExists) as exc:
        write_binding(school, BINDING)
    assert bound.name in exc.value.message("zh")
    assert bound.read_bytes() == bound_bytes and school.read_bytes() == school_bytes


def test_the_policy_sheet_carries_the_templates_notes(books, tmp_path):
    import tempfile

    out = write_binding(Path(shutil.copy(books["xlsxwriter"], tmp_path / "school.xlsx")), BINDING)
    ours = {c.coordinate: c.comment.text for row in openpyxl.load_workbook(out)["规则"].iter_rows()
            for c in row if c.comment}
    with tempfile.TemporaryDirectory() as folder:
        template = build_master(Path(folder) / "new.xlsx", year="2024-2025", school="", macros=False)
        theirs = {c.coordinate: c.comment.text for row in openpyxl.load_workbook(template)["规则"].iter_rows()
                  for c in row if c.comment}
    assert ours.keys() == theirs.keys() and len(ours) == 4  # the 校历 header, 条件, 适用对象, 进度提示
    assert all(theirs[ref] in ours[ref] for ref in ours)


def test_policy_dates_use_a_plain_date_format_of_the_book(tmp_path):
    """The school's highlighted date format comes first in its styles; the 规则 dates take the plain one."""
    path = tmp_path / "高亮.xlsx"
    wb = xlsxwriter.Workbook(path)
    loud = wb.add_format({"num_format": "yyyy-mm-dd", "bg_color": "#FFFF00", "bold": True})
    plain = wb.add_format({"num_format": "yyyy/m/d"})
    ws = wb.add_worksheet("2024秋季听课登记")
    ws.write_row(1, 0, OBSERVED[0])
    ws.write_datetime(2, 2, dt.datetime(2024, 10, 9), loud)
    ws.write_datetime(3, 2, dt.datetime(2024, 10, 10), plain)
    wb.close()
    parts = members(write_binding(path, Binding(sheets=BINDING.sheets[1:2])))
    cell = re.search(rb'<c r="B5" s="(\d+)">', parts[part_of_sheet(parts, "规则")])
    xfs = xml(parts["xl/styles.xml"]).find(f"{{{MAIN_NS}}}cellXfs")
    xf = xfs[int(cell.group(1))]
    assert xf.get("fillId", "0") == "0" and xf.get("fontId", "0") == "0" and xf.get("numFmtId") != "0"
    assert read_workbook(path.with_suffix(".xlsm")).sheets["规则"].rows[4][1] == dt.date(2024, 9, 1)
