"""Write a binding into the school's own workbook: 控制台, 规则 and 映射 sheets, and the macros.

Nothing the school wrote changes. Every existing part of the package is copied as stored (its
sheets, ``styles.xml``, shared strings, drawings, their own VBA project); only the package's index
parts gain entries: ``xl/workbook.xml`` (three sheets appended at the end, so no defined name's
``localSheetId`` and no active tab moves; ``workbookPr`` gains ``codeName`` when our VBA project is
added and it has none), its relationships, ``[Content_Types].xml`` (the workbook part's type
becomes macro-enabled) and ``docProps/app.xml`` (the sheet list). An existing 规则/Policy or
控制台 sheet is kept as it is; an existing 映射 sheet is ours and is replaced with the new lines.

An ``.xlsx`` becomes an ``.xlsm`` beside it (the ``.xlsx`` is left as it was; an ``.xlsm`` already
there is never overwritten unless named as OUT) carrying the
cpdsheets VBA project: ThisWorkbook plus the standard modules the buttons call. The school's
sheets get no document module (their parts cannot change to carry a ``codeName``); Excel makes
those itself when it opens the book. A book that already has a VBA project keeps it untouched and
cpdsheets' module is NOT added: the 控制台 says how to import it (and ``notes`` says so).
"""

from __future__ import annotations

from pathlib import Path

from ...contract.binding import MAPPING_SHEET_NAMES, Binding
from ...contract.book import RawBook
from ...contract.texts import Catalogue, Lang
from ...contract.schema import POLICY_SHEET_NAMES
from ...jobs.bind import BookLayout, book_layout, sheet_named
from ..ooxml import opc
from ..ooxml.file_door import FileDoor
from ..ooxml.form_buttons import VML_CT, VML_REL, buttons_vml, next_idmap
from ..ooxml.marks import NOTE_AUTHOR, add_notes, read_notes
from ..ooxml.package_writer import open_package, refused_parts, write_and_close
from ..ooxml.plain_sheet import PlainSheet, date_xf, plain_sheet_xml
from ..ooxml.safe_replace import atomic_write, book_lock, check_writable
from ..ooxml.styles_xml import StyleBook
from ..ooxml.workbook_parts import WORKBOOK_ORDER, Workbook, has_formula
from ..ooxml.write_errors import NotAWorkbook, why_not
from ..ooxml.xml_tree import child, insert_ordered, make
from ..ooxml.zip_package import Package
from ..template.master import CONSOLE_SHEET, POLICY_SHEET
from ..template.text import upload_page
from ..template.school_year import school_year, year_label
from .errors import BoundBookExists, MappingSheetTaken, NotAMacroBook
from .sheets import KEPT_VBA_NOTE, console_sheet, mapping_sheet, policy_notes, policy_sheet

MAPPING_SHEET = MAPPING_SHEET_NAMES[0]
VBA_PART = "xl/vbaProject.bin"
VBA_REL = "http://schemas.microsoft.com/office/2006/relationships/vbaProject"
VBA_CT = "application/vnd.ms-office.vbaProject"
OUR_MODULE = "CpdSheets"  # xlmacros/CpdSheets.bas, the module the buttons call
MACRO_MAIN_CT = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
WORKBOOK_CODENAME = "ThisWorkbook"  # what Excel and the template call the workbook's document module
SOURCE_SUFFIXES = (".xlsx", ".xlsm")

# What bind says under the file it wrote.
BIND_NOTES = Catalogue("bind notes", {
    "kept-console": ("「控制台」已存在，未改动：请在其中「服务器地址」一格填入 {server}。",
                     "控制台 exists and was kept: type {server} beside its Server address label."),
    "use-the-xlsm": ("{src} 未改动；以后请使用 {target}（它带有按钮和宏）。",
                     "{src} is unchanged: use {target} (with the buttons and macros) from now on."),
})
LINK_RID = "rId2"  # the console's 在线校验 link (rId1 is its buttons' drawing)
HYPERLINK_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink"
POLICY_NOTE_AUTHOR = "说明"  # the 规则 sheet's notes on 条件 and 适用对象


def bound_path(src: Path, out: Path | None = None) -> Path:
    """Where the bound book goes: OUT, else the book itself (.xlsm) or the .xlsm beside it (.xlsx)."""
    if out is not None:
        return Path(out)
    return src if src.suffix.lower() == ".xlsm" else src.with_suffix(".xlsm")


def write_binding(src: Path, binding: Binding, *, out: Path | None = None, year: str | None = None,
                  school: str = "", lang: Lang = "zh", notes: list[str] | None = None, server: str = "") -> Path:
    """Write the 控制台, 规则 and 映射 sheets (and the VBA project) into ``src`` or ``out``; return
    the path written. ``year`` (``2024-2025``) is the school year of a new 规则 sheet; without it,
    the year the bound logs' dates fall in (else the current one). What a user should know (their
    VBA project kept, the .xlsx left beside the new .xlsm) is appended to ``notes``, in ``lang``.
    ``server``: the district service's address, on a new 控制台 with its 在线校验 link.
    The book's lock (:func:`book_lock`) is held from reading to replacing; it is re-entrant, so a
    command that holds it already may call this.

    Raises ``WorkbookUnreadable`` for a book that cannot be read (missing, corrupt, encrypted, over
    a limit), a ``WorkbookWriteError`` when it cannot be written, ``ValueError`` for a bad ``year``.
    """
    src = Path(src)
    if src.suffix.lower() not in SOURCE_SUFFIXES:
        raise NotAWorkbook(src, why_not("extension"))
    target = bound_path(src, out)
    if target.suffix.lower() != ".xlsm":
        raise NotAMacroBook(target)
    if out is None and target != src and target.exists():
        raise BoundBookExists(src, target)
    asked = school_year(year).start.year if year else None  # a ValueError before anything is read
    lang = "en" if lang.startswith("en") else "zh"
    messages = notes if notes is not None else []
    with book_lock(src):
        book = FileDoor(src).read()  # refuses a book over the limits or unreadable, before any work
        check_writable(target)
        layout = book_layout(book, binding, year_start=asked)
        if layout.mapping_taken and layout.mapping:
            raise MappingSheetTaken(src, layout.mapping)
        label = year_label(str(layout.year_start))
        with refused_parts(src):
            pkg = open_package(src)
            try:
                kept_vba = _bind_package(pkg, book, layout, label, school, lang, server)
            except BaseException:
                pkg.close()
                raise
            written = atomic_write(target, lambda fh: write_and_close(pkg, fh), backup=target.exists(), like=src)
    if kept_vba:
        messages.append(KEPT_VBA_NOTE[lang])
    if server and sheet_named(book, (CONSOLE_SHEET,)) is not None:
        messages.append(BIND_NOTES.render("kept-console", lang, server=server))
    if target != src and src.suffix.lower() == ".xlsx" and out is None:
        messages.append(BIND_NOTES.render("use-the-xlsm", lang, src=src.name, target=target.name))
    return written


def _bind_package(pkg: Package, book: RawBook, layout: BookLayout, label: str, school: str, lang: Lang,
                  server: str = "") -> bool:
    """Edit the package in memory; True when the book's own VBA project was kept."""
    try:
        wb = Workbook(pkg)
    except KeyError as exc:
        raise NotAWorkbook(pkg.path, why_not("missing-part", part=exc)) from exc
    has_vba = _has_vba(wb)
    kept_vba = has_vba and not _is_ours(wb)  # a book we bound before carries our project: nothing to say
    if sheet_named(book, (CONSOLE_SHEET,)) is None:
        sheet, buttons, col_px, row_px = console_sheet(lang, kept_vba=kept_vba, server=server, link_rid=LINK_RID)
        vml = opc.free_name(pkg, "xl/drawings/vmlDrawing{}.vml")
        pkg.put(vml, buttons_vml(buttons, next_idmap(pkg), col_px, row_px))
        wb.content_types.ensure(vml, VML_CT)
        sheet.legacy_drawing_rid = "rId1"
        entry = _add_sheet(pkg, wb, CONSOLE_SHEET, plain_sheet_xml(sheet))
        rels = [("rId1", VML_REL, opc.relative(entry.part, vml))]
        if server:
            rels.append((LINK_RID, HYPERLINK_REL, upload_page(server)))
        pkg.put(opc.rels_name(entry.part), opc.rels_xml(rels, external=frozenset({LINK_RID})))
    if sheet_named(book, POLICY_SHEET_NAMES) is None:
        date_style = _date_style(pkg, wb)
        policy = policy_sheet(label, school, real_dates=date_style is not None)
        entry = _add_sheet(pkg, wb, POLICY_SHEET, plain_sheet_xml(policy, date_style=date_style))
        # Not authored `cpdsheets`: recalc --mark would take them for marks no record lists and clear them.
        add_notes(pkg, wb, entry.part, policy_notes(policy), author=POLICY_NOTE_AUTHOR)
    # On a re-bind the new 映射 is laid out around the old one's rows: staff's columns, notes and order stay.
    _put_mapping(pkg, wb, mapping_sheet(layout.table, lang), layout.mapping, layout.table.row_of)
    if not has_vba:
        _add_vba(pkg, wb)
    wb.flush()
    return kept_vba


def _add_sheet(pkg: Package, wb: Workbook, name: str, xml: str):
    entry = wb.add_sheet(name)
    pkg.put(entry.part, xml)  # at once: the next add_sheet picks the next free part name
    return entry


def _put_mapping(pkg: Package, wb: Workbook, sheet: PlainSheet, existing: str | None, row_of: dict[int, int]) -> None:
    """Write 映射, replacing the existing one's part; staff's notes on its cells follow their rows
    (``row_of``, 0-based old -> new). Our marks (author cpdsheets) go: recalc --mark puts them back."""
    found = wb.find(existing) if existing else None
    if found is None:
        _add_sheet(pkg, wb, MAPPING_SHEET, plain_sheet_xml(sheet))
        return
    _, entry = found
    if not entry.part:
        raise NotAWorkbook(pkg.path, why_not("sheet-without-relationship", name=entry.name))
    notes: dict[str, dict[tuple[int, int], str]] = {}
    for row, col, author, text in read_notes(pkg, entry.part) if pkg.has(entry.part) else []:
        if author != NOTE_AUTHOR and row - 1 in row_of:
            notes.setdefault(author, {})[(row_of[row - 1] + 1, col)] = text
    if pkg.has(entry.part) and has_formula(pkg.read(entry.part)):
        wb.drop_calc_chain_of(entry.sheet_id)
    wb.drop_owned_parts(entry.part)
    wb.make_worksheet_rel(entry)
    pkg.put(entry.part, plain_sheet_xml(sheet))
    for author, cells in notes.items():
        add_notes(pkg, wb, entry.part, cells, author=author)


def _has_vba(wb: Workbook) -> bool:
    rel = wb.rels.of_type(VBA_REL)
    return rel is not None and wb.pkg.has(wb.rels.target_of(rel))


def _is_ours(wb: Workbook) -> bool:
    """The book's VBA project is the one bind adds: its directory names our module (CFB names are UTF-16)."""
    rel = wb.rels.of_type(VBA_REL)
    return rel is not None and OUR_MODULE.encode("utf-16-le") in wb.pkg.read(wb.rels.target_of(rel))


def _add_vba(pkg: Package, wb: Workbook) -> None:
    codename = _workbook_codename(wb)
    part = VBA_PART if not pkg.has(VBA_PART) else opc.free_name(pkg, "xl/vbaProject{}.bin")
    pkg.put(part, _vba_project(codename))
    wb.rels.add(VBA_REL, part)
    wb.content_types.ensure(part, VBA_CT)
    wb.content_types.set(wb.part, MACRO_MAIN_CT)


def _workbook_codename(wb: Workbook) -> str:
    """The workbook's code name (its document module's name); ``ThisWorkbook`` is set when it has none."""
    pr = child(wb.root, wb.ns, "workbookPr")
    if pr is None:
        pr = insert_ordered(wb.root, make(wb.root, wb.ns, "workbookPr"), WORKBOOK_ORDER)
    name = pr.get("codeName")
    if not name:
        pr.set("codeName", WORKBOOK_CODENAME)
        name = WORKBOOK_CODENAME
    return name


def _vba_project(codename: str) -> bytes:
    """ThisWorkbook (under the book's code name) and the modules the buttons call; no sheet modules."""
    from ..template.master import xlmacros_dir
    from ..vba import ModuleKind, VbaModule, build_vba_project, load_modules

    modules = [m for m in load_modules(xlmacros_dir(), 1) if m.kind is not ModuleKind.DOCUMENT]
    return build_vba_project([VbaModule.document(codename, workbook=True), *modules])


def _date_style(pkg: Package, wb: Workbook) -> int | None:
    part = wb.styles_part()
    return date_xf(StyleBook(pkg.read(part), part)) if part and pkg.has(part) else None
