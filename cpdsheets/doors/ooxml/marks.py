"""--mark: a fill and a note on input cells that carry an error finding, and their exact removal.
A cell that already has someone's note gets the fill only; its note is never touched.

Which cells are marked, and how to undo each mark, is the hidden sheet ``cpdsheets.marks``
(:mod:`cpdsheets.doors.mark_record`), the same record the Excel button keeps: either door clears
or replaces the other's marks. A mark's fill comes from a copy of the cell's format with only the
fill changed; the record keeps the original format's XML (not its index, which Excel and
LibreOffice may renumber on save), so clearing gives the cell back its exact format when the
styles were left alone, and otherwise the format it has now with the original fill. A cell whose
fill is no longer the mark colour was recoloured by the user since: its fill is kept.
Books marked by an earlier version (notes authored ``cpdsheets``, formats in the hidden defined
name ``_cpdsheets_marks``) are cleared too.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Set

from lxml import etree

from cpdsheets.doors.ooxml import opc
from cpdsheets.doors.ooxml.cell_restyle import drop_blank_cells, restyle_cells_at
from cpdsheets.doors.mark_plan import plan_marks
from cpdsheets.doors.mark_record import MARK_STORE, MarkRow, rows_from_values, tabs_from_values, values_from_rows
from cpdsheets.doors.ooxml.sheet_values import shared_strings, sheet_values
from cpdsheets.doors.ooxml.styles_xml import StyleBook, fill_id, key, solid_rgb, with_fill
from cpdsheets.doors.ooxml.workbook_parts import Workbook
from cpdsheets.doors.xml_text import clean_text, column_letters, split_a1, text_xml
from cpdsheets.doors.ooxml.xml_tree import (MAIN, REL, XmlPart, child, children, insert_ordered, local, make, ns_of, q,
                                      remove)
from cpdsheets.doors.ooxml.zip_package import Package
from cpdsheets.reports.tables import MARK_FILL, CellMark

NOTE_AUTHOR = "cpdsheets"
LEGACY_MARKS_NAME = "_cpdsheets_marks"
COMMENTS_REL = opc.REL + "/comments"
VML_REL = opc.REL + "/vmlDrawing"
COMMENTS_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.comments+xml"
VML_CT = "application/vnd.openxmlformats-officedocument.vmlDrawing"
_V = "urn:schemas-microsoft-com:vml"
_O = "urn:schemas-microsoft-com:office:office"
_X = "urn:schemas-microsoft-com:office:excel"
_VML_NS = {"v": _V, "o": _O, "x": _X}
_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
IDS_PER_BLOCK = 1024  # a VML part owns the shape ids of the blocks its o:idmap lists
# CT_Worksheet's child sequence (ECMA-376 Part 1, 18.3.1.99)
WORKSHEET_ORDER = [
    "sheetPr", "dimension", "sheetViews", "sheetFormatPr", "cols", "sheetData", "sheetCalcPr", "sheetProtection",
    "protectedRanges", "scenarios", "autoFilter", "sortState", "dataConsolidate", "customSheetViews", "mergeCells",
    "phoneticPr", "conditionalFormatting", "dataValidations", "hyperlinks", "printOptions", "pageMargins",
    "pageSetup", "headerFooter", "rowBreaks", "colBreaks", "customProperties", "cellWatches", "ignoredErrors",
    "smartTags", "drawing", "legacyDrawing", "legacyDrawingHF", "drawingHF", "picture", "oleObjects", "controls",
    "webPublishItems", "tableParts", "extLst"]
_SHAPE_TYPE_202 = (
    '<v:shapetype xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" '
    'id="_x0000_t202" coordsize="21600,21600" o:spt="202" path="m,l,21600r21600,l21600,xe">'
    '<v:stroke joinstyle="miter"/><v:path gradientshapeok="t" o:connecttype="rect"/></v:shapetype>')


# -- the shared record sheet ------------------------------------------------------------------
def read_record(pkg: Package, wb: Workbook) -> tuple[list[MarkRow], dict[str, str]]:
    """The marks and the output tabs recorded in the book by either door (none without a record)."""
    found = wb.find(MARK_STORE)
    if found is None or not found[1].part or not pkg.has(found[1].part):
        return [], {}
    values = sheet_values(pkg.read(found[1].part), shared_strings(pkg, wb))
    return rows_from_values(values), tabs_from_values(values)


def _record_xml(rows: list[MarkRow], tabs: dict[str, str]) -> str:
    out = []
    for r, values in enumerate(values_from_rows(rows, tabs), start=1):
        cells = []
        for c, value in enumerate(values):
            ref = f"{column_letters(c)}{r}"
            if isinstance(value, int):
                cells.append(f'<c r="{ref}"><v>{value}</v></c>')
            elif value:
                cells.append(f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{text_xml(value)}</t></is></c>')
        out.append(f'<row r="{r}">{"".join(cells)}</row>')
    return f'{_HEAD}<worksheet xmlns="{MAIN}"><sheetData>{"".join(out)}</sheetData></worksheet>'


def write_record(pkg: Package, wb: Workbook, rows: list[MarkRow], tabs: dict[str, str] | None = None) -> None:
    """Replace the record sheet's content (adding the sheet, hidden, if missing); nothing to
    record: remove it."""
    found = wb.find(MARK_STORE)
    if not rows and not tabs:
        if found is not None:
            wb.remove_sheet(found[1].name)
        return
    if found is not None and found[1].part:
        entry = found[1]
        wb.drop_owned_parts(entry.part)
        wb.make_worksheet_rel(entry)
    else:
        if found is not None:
            wb.remove_sheet(found[1].name)
        entry = wb.add_sheet(MARK_STORE, hidden=True)
    pkg.put(entry.part, _record_xml(rows, tabs or {}))


# -- formats: a mark's copy and its undoing -------------------------------------------------
def _base_xf(styles: StyleBook, index: int) -> etree._Element:
    return styles.xf_el(index) if styles.xf_el(index) is not None else (
        styles.xf_el(0) if styles.xf_el(0) is not None
        else styles.element('<xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'))


def _recorded(styles: StyleBook, text: str) -> etree._Element | None:
    """A format or fill as the record keeps it (this version's or an earlier one's text)."""
    if not text:
        return None
    try:
        return styles.element(text)
    except etree.XMLSyntaxError:
        return None


def _restore(styles: StyleBook, current: int, row: MarkRow, legacy: dict[int, int]) -> int:
    """The cell format to give back for one recorded mark, given the format the cell has now."""
    cur = styles.xf_el(current)
    if cur is None or solid_rgb(styles.fill_el(fill_id(cur))) != MARK_FILL.upper():
        return current  # not (or no longer) our fill: the user's colour stays
    if current in legacy:
        return legacy[current]
    xf = _recorded(styles, row.xf_xml)
    if xf is not None and key(with_fill(xf, fill_id(cur))) == key(cur):
        return styles.add_xf(xf)  # styles untouched since marking: the very same format
    fill_el = _recorded(styles, row.fill_xml)
    if fill_el is not None:
        fill = styles.sections["fills"].add(fill_el)
    else:
        fill = styles.fill(row.fill_rgb) if row.fill_rgb else 0
    return styles.add_xf(with_fill(cur, fill))


def _legacy_map(wb: Workbook) -> dict[int, int]:
    raw = wb.defined_name(LEGACY_MARKS_NAME) or ""
    return {int(a): int(b) for a, b in re.findall(r"(\d+):(\d+)", raw)}


# -- notes ----------------------------------------------------------------------------------
def _authors(root: etree._Element) -> list[str]:
    ns = ns_of(root)
    block = child(root, ns, "authors")
    return [] if block is None else ["".join(a.itertext()) for a in children(block, ns, "author")]


def _comment_list(root: etree._Element) -> etree._Element:
    ns = ns_of(root)
    el = child(root, ns, "commentList")
    if el is None:
        el = make(root, ns, "commentList")
        root.append(el)
    return el


def _comment_refs(root: etree._Element) -> set[str]:
    return {c.get("ref", "") for c in children(_comment_list(root), ns_of(root), "comment")}


def _comment(parent: etree._Element, ref: str, author_id: int, note: str, author: str = NOTE_AUTHOR) -> etree._Element:
    ns = ns_of(parent)
    c = make(parent, ns, "comment", {"ref": ref, "authorId": str(author_id)})
    text = make(c, ns, "text")
    c.append(text)
    for body, bold in ((f"{author}:\n", True), (clean_text(note), False)):
        run = make(text, ns, "r")
        text.append(run)
        rpr = make(run, ns, "rPr")
        run.append(rpr)
        if bold:
            rpr.append(make(rpr, ns, "b"))
        rpr.append(make(rpr, ns, "sz", {"val": "9"}))
        t = make(run, ns, "t")
        t.set(_XML_SPACE, "preserve")
        t.text = body
        run.append(t)
    return c


def _vml_root_with_namespaces(doc: XmlPart) -> etree._Element:
    """The VML root, re-declared with v:, o: and x: if any is missing (Excel reads the shapes
    by these prefixes; openpyxl's VML may lack some)."""
    root = doc.root
    have = set(root.nsmap.values())
    missing = {p: u for p, u in _VML_NS.items() if u not in have}
    if not missing:
        return root
    nsmap = dict(root.nsmap)
    for p, u in missing.items():
        nsmap[p if p not in nsmap else f"{p}{len(nsmap)}"] = u
    new = etree.Element(root.tag, attrib=dict(root.attrib), nsmap=nsmap)
    new.text = root.text
    for c in list(root):
        new.append(c)
    doc.tree._setroot(new)
    doc.root = new
    return new


def _vml_fragment(xml: str) -> etree._Element:
    wrapper = etree.fromstring(f'<w xmlns:v="{_V}" xmlns:o="{_O}" xmlns:x="{_X}">{xml}</w>'.encode("utf-8"))
    el = wrapper[0]
    wrapper.remove(el)
    return el


def _vml_shape(shape_id: int, row: int, col: int) -> etree._Element:
    return _vml_fragment(
        f'<v:shape id="_x0000_s{shape_id}" type="#_x0000_t202" style="position:absolute;margin-left:59.25pt;'
        'margin-top:1.5pt;width:144pt;height:72pt;z-index:1;visibility:hidden" fillcolor="#ffffe1" '
        'o:insetmode="auto"><v:fill color2="#ffffe1"/><v:shadow on="t" color="black" obscured="t"/>'
        '<v:path o:connecttype="none"/><v:textbox style="mso-direction-alt:auto"><div style="text-align:left">'
        '</div></v:textbox><x:ClientData ObjectType="Note"><x:MoveWithCells/><x:SizeWithCells/>'
        f"<x:Anchor>{col + 1}, 15, {max(row - 2, 0)}, 10, {col + 4}, 15, {row + 3}, 4</x:Anchor>"
        f"<x:AutoFill>False</x:AutoFill><x:Row>{row - 1}</x:Row><x:Column>{col}</x:Column></x:ClientData>"
        "</v:shape>")


def _idmap(root: etree._Element) -> etree._Element | None:
    return next(root.iter(q(_O, "idmap")), None)


def _blocks(idmap: etree._Element | None) -> list[int]:
    if idmap is None:
        return []
    return [int(b) for b in re.split(r"[,\s]+", idmap.get("data", "") or "") if b.isdigit()]


def _shape_ids(root: etree._Element) -> set[int]:
    out = set()
    for el in root.iter():
        sid = el.get("id") if isinstance(el.tag, str) else None
        if sid and sid.startswith("_x0000_s") and sid[8:].isdigit():
            out.add(int(sid[8:]))
        spid = el.get(q(_O, "spid")) if isinstance(el.tag, str) else None
        if spid and spid.startswith("_x0000_s") and spid[8:].isdigit():
            out.add(int(spid[8:]))
    return out


def _other_blocks(pkg: Package, vml_part: str) -> set[int]:
    """The idmap blocks every other VML part of the package claims."""
    used: set[int] = set()
    for name in pkg.names():
        if name.lower().endswith(".vml") and name != vml_part:
            try:
                used.update(_blocks(_idmap(XmlPart(pkg.read(name), name, lenient=True).root)))
            except ValueError:
                continue
    return used


def _new_ids(pkg: Package, vml_part: str, root: etree._Element, count: int) -> list[int]:
    """``count`` free shape ids inside the part's own idmap blocks, claiming further free blocks
    (1,024 ids each, as Excel does) when they run out; the idmap is widened to list them."""
    idmap = _idmap(root)
    blocks = _blocks(idmap)
    taken_blocks = _other_blocks(pkg, vml_part)
    used = _shape_ids(root)
    out: list[int] = []
    for block in blocks:
        for i in range(block * IDS_PER_BLOCK + 1, (block + 1) * IDS_PER_BLOCK):
            if len(out) == count:
                break
            if i not in used:
                out.append(i)
    new_blocks = []
    candidate = 1
    while len(out) < count:
        while candidate in taken_blocks or candidate in blocks or candidate in new_blocks:
            candidate += 1
        new_blocks.append(candidate)
        for i in range(candidate * IDS_PER_BLOCK + 1, (candidate + 1) * IDS_PER_BLOCK):
            if len(out) == count:
                break
            out.append(i)
    if new_blocks:
        if idmap is None:
            layout = _vml_fragment(f'<o:shapelayout v:ext="edit"><o:idmap v:ext="edit" data=""/></o:shapelayout>')
            root.insert(0, layout)
            idmap = _idmap(layout)
        assert idmap is not None  # the fragment just inserted holds one
        idmap.set("data", ",".join(str(b) for b in blocks + new_blocks))
    return out


def _insert_legacy_drawing(sheet: etree._Element, rid: str) -> None:
    el = make(sheet, ns_of(sheet), "legacyDrawing", declare={"r": REL})
    el.set(q(REL, "id"), rid)
    insert_ordered(sheet, el, WORKSHEET_ORDER)


def _add_notes(pkg: Package, wb: Workbook, part: str, sheet: etree._Element,
               notes: dict[tuple[int, int], str], author: str = NOTE_AUTHOR) -> None:
    """Add the notes to the sheet's comments and VML parts (creating them if needed)."""
    rels = opc.Rels(pkg, part)
    crel = rels.of_type(COMMENTS_REL)
    if crel:
        comments_part = rels.target_of(crel)
        cdoc = XmlPart(pkg.read(comments_part), comments_part)
    else:
        comments_part = opc.free_name(pkg, "xl/comments{}.xml")
        cdoc = XmlPart(f'{_HEAD}<comments xmlns="{MAIN}"><authors/><commentList/></comments>', comments_part)
        rels.add(COMMENTS_REL, comments_part)
        wb.content_types.set(comments_part, COMMENTS_CT)
    croot = cdoc.root
    cns = ns_of(croot)
    authors = _authors(croot)
    if author in authors:
        author_id = authors.index(author)
    else:
        author_id = len(authors)
        block = child(croot, cns, "authors")
        if block is None:
            block = make(croot, cns, "authors")
            croot.insert(0, block)
        a = make(block, cns, "author")
        a.text = author
        block.append(a)
    clist = _comment_list(croot)
    for (r, c), note in sorted(notes.items()):
        clist.append(_comment(clist, f"{column_letters(c)}{r}", author_id, note, author))
    pkg.put(comments_part, cdoc.to_bytes())

    vrel = rels.of_type(VML_REL)
    if vrel:
        vml_part = rels.target_of(vrel)
        vdoc = XmlPart(pkg.read(vml_part), vml_part, lenient=True)
    else:
        vml_part = opc.free_name(pkg, "xl/drawings/vmlDrawing{}.vml")
        vdoc = XmlPart(f'<xml xmlns:v="{_V}" xmlns:o="{_O}" xmlns:x="{_X}"/>', vml_part)
        vrel = rels.add(VML_REL, vml_part)
        wb.content_types.default("vml", VML_CT)
        _insert_legacy_drawing(sheet, vrel.id)
    root = _vml_root_with_namespaces(vdoc)
    if not any(el.get("id") == "_x0000_t202" for el in root.iter(q(_V, "shapetype"))):
        root.append(_vml_fragment(_SHAPE_TYPE_202))
    ids = _new_ids(pkg, vml_part, root, len(notes))
    for sid, (r, c) in zip(ids, sorted(notes)):
        root.append(_vml_shape(sid, r, c))
    pkg.put(vml_part, vdoc.to_bytes())
    rels.flush()


def add_notes(pkg: Package, wb: Workbook, part: str, notes: dict[tuple[int, int], str], *,
              author: str = NOTE_AUTHOR) -> None:
    """Notes (1-based row, 0-based column -> text) on a worksheet part, as marks carry them. Notes
    that are not marks need another ``author``: --mark clears every ``cpdsheets`` note no record lists."""
    doc = XmlPart(pkg.read(part), part)
    _add_notes(pkg, wb, part, doc.root, notes, author)
    pkg.put(part, doc.to_bytes())


def _comments_root(pkg: Package, part: str) -> etree._Element | None:
    """The root of a worksheet part's comments, None when it has none."""
    rels = opc.Rels(pkg, part)
    crel = rels.of_type(COMMENTS_REL)
    if crel is None or not pkg.has(rels.target_of(crel)):
        return None
    return XmlPart(pkg.read(rels.target_of(crel)), rels.target_of(crel)).root


def read_notes(pkg: Package, part: str) -> list[tuple[int, int, str, str]]:
    """The notes on a worksheet part: (1-based row, 0-based column, author, text), the text without
    the ``author:`` line Excel starts it with (add_notes puts that back)."""
    root = _comments_root(pkg, part)
    if root is None:
        return []
    authors = _authors(root)
    out = []
    for c in children(_comment_list(root), ns_of(root), "comment"):
        try:
            row, col = split_a1(c.get("ref", ""))
        except ValueError:
            continue
        aid = c.get("authorId", "")
        author = authors[int(aid)] if aid.isdigit() and int(aid) < len(authors) else ""
        text = "".join(t.text or "" for t in c.iter(q(ns_of(root), "t")))
        out.append((row, col, author, text.removeprefix(f"{author}:\n") if author else text))
    return out


def _note_cell(shape: etree._Element) -> tuple[int, int] | None:
    data = next(shape.iter(q(_X, "ClientData")), None)
    if data is None or data.get("ObjectType") != "Note":
        return None
    r, c = child(data, _X, "Row"), child(data, _X, "Column")
    try:
        # A missing Row or Column element is the AttributeError caught below.
        return int((r.text or "").strip()) + 1, int((c.text or "").strip())  # type: ignore[union-attr]
    except (AttributeError, ValueError):
        return None


def _drop_notes(pkg: Package, wb: Workbook, part: str, sheet: etree._Element, cells: set[tuple[int, int]]) -> None:
    """Delete the notes on ``cells`` (whoever the comment part names as author: the button's notes
    carry the Excel user's name) and their VML shapes; parts left empty go, with their links."""
    rels = opc.Rels(pkg, part)
    crel = rels.of_type(COMMENTS_REL)
    if crel is None or not cells:
        return
    cpart = rels.target_of(crel)
    cdoc = XmlPart(pkg.read(cpart), cpart)
    croot = cdoc.root
    cns = ns_of(croot)
    clist = _comment_list(croot)
    dropped = False
    for c in list(children(clist, cns, "comment")):
        try:
            if split_a1(c.get("ref", "")) in cells:
                remove(c)
                dropped = True
        except ValueError:
            continue
    if not dropped:
        return
    authors = child(croot, cns, "authors")
    names = _authors(croot)
    if names and names[-1] == NOTE_AUTHOR and not any(
            c.get("authorId") == str(len(names) - 1) for c in children(clist, cns, "comment")):
        remove(list(children(authors, cns, "author"))[-1])
    if next(children(clist, cns, "comment"), None) is None:
        pkg.remove(cpart)
        wb.content_types.drop(cpart)
        rels.drop(crel)
    else:
        pkg.put(cpart, cdoc.to_bytes())
    vrel = rels.of_type(VML_REL)
    if vrel:
        vpart = rels.target_of(vrel)
        vdoc = XmlPart(pkg.read(vpart), vpart, lenient=True)
        shapes = list(vdoc.root.iter(q(_V, "shape")))
        for shape in shapes:
            if _note_cell(shape) in cells:
                remove(shape)
        drawn = [el for el in vdoc.root.iter() if isinstance(el.tag, str) and ns_of(el) == _V
                 and local(el) in ("shape", "rect", "oval", "line", "roundrect", "group")]
        if not drawn:
            pkg.remove(vpart)
            rels.drop(vrel)
            for el in list(children(sheet, ns_of(sheet), "legacyDrawing")):
                if el.get(q(REL, "id")) == vrel.id:
                    remove(el)
        else:
            pkg.put(vpart, vdoc.to_bytes())
    rels.flush()


def _legacy_rows(pkg: Package, part: str, sheet_name: str) -> list[MarkRow]:
    """Notes authored ``cpdsheets`` that no record lists (an earlier version's marks, or a record
    sheet someone deleted): marks all the same, their original fill unknown."""
    root = _comments_root(pkg, part)
    if root is None:
        return []
    authors = _authors(root)
    if NOTE_AUTHOR not in authors:
        return []
    ours = str(authors.index(NOTE_AUTHOR))
    rows = []
    for c in children(_comment_list(root), ns_of(root), "comment"):
        ref = c.get("ref", "")
        if c.get("authorId") == ours and re.fullmatch(r"[A-Z]+\d+", ref):
            rows.append(MarkRow(sheet_name, ref, True))
    return rows


def _clear(pkg: Package, wb: Workbook, styles: StyleBook, record: list[MarkRow],
           docs: dict[str, XmlPart]) -> list[MarkRow]:
    """Undo every recorded mark (and any legacy one); returns the marks undone. Sheets edited
    are left parsed in ``docs`` (a big sheet is parsed and written once per run)."""
    recorded: dict[str, dict[tuple[int, int], MarkRow]] = defaultdict(dict)
    for row in record:
        try:
            recorded[row.sheet.casefold()][split_a1(row.cell)] = row
        except ValueError:
            continue
    legacy = _legacy_map(wb)
    undone: list[MarkRow] = []
    for entry in wb.sheets():
        if not entry.part or not pkg.has(entry.part) or entry.name.casefold() == MARK_STORE.casefold():
            continue
        cells = recorded.get(entry.name.casefold(), {})
        for row in _legacy_rows(pkg, entry.part, entry.name):
            cells.setdefault(split_a1(row.cell), row)
        if not cells:
            continue
        doc = _parsed(pkg, docs, entry.part)
        targets: dict[int, list[int]] = defaultdict(list)
        for r, c in cells:
            targets[r].append(c)
        restyle_cells_at(doc.root, targets, lambda r, c, old: _restore(styles, old, cells[(r, c)], legacy))
        drop_blank_cells(doc.root, sorted(cells))
        _drop_notes(pkg, wb, entry.part, doc.root, {rc for rc, row in cells.items() if row.note_added})
        undone.extend(cells.values())
    if legacy or wb.defined_name(LEGACY_MARKS_NAME) is not None:
        wb.set_defined_name(LEGACY_MARKS_NAME, None)
    return undone


# -- public ---------------------------------------------------------------------------------
def apply_marks(pkg: Package, wb: Workbook, styles: StyleBook, marks: list[CellMark], record: list[MarkRow],
                *, skip: Set[str] = frozenset()) -> list[MarkRow]:
    """Replace any previous marks (either door's, ``record``) with these; returns the new record rows.

    Which cells are marked, with which note, is :func:`..mark_plan.plan_marks`'s decision, the one
    the live and client doors take; this renders it in the package. Every recorded mark is given back
    first, also on a cell still in error: marking it again from the format it was given back records
    the same row the plan keeps (the format's XML). A cell that already holds someone's note is filled
    and keeps that note as it is (a cell has room for one note; the 校验问题 tab says what is wrong there)."""
    docs: dict[str, XmlPart] = {}
    _clear(pkg, wb, styles, record, docs)
    plan = plan_marks(marks, record, lambda name: _sheet_named(pkg, wb, name), skip)
    fill = styles.fill(MARK_FILL)
    out: list[MarkRow] = []
    for sheet_name, cells in plan.cells.items():
        found = wb.find(sheet_name)
        assert found is not None  # the plan names the book's own sheets only
        entry = found[1]
        rels = opc.Rels(pkg, entry.part)
        crel = rels.of_type(COMMENTS_REL)
        taken = set()
        if crel is not None and pkg.has(rels.target_of(crel)):
            taken = _comment_refs(XmlPart(pkg.read(rels.target_of(crel)), rels.target_of(crel)).root)
        # Every cell is filled; only one without a note gets ours. A cell holding someone's note keeps
        # it untouched (the record says the note is not ours), so clearing gives it back as it was.
        notes = {(cell.row, cell.col - 1): cell.note for cell in cells if cell.address not in taken}
        targets: dict[int, list[int]] = defaultdict(list)
        for cell in cells:
            targets[cell.row].append(cell.col - 1)

        def to_mark(r: int, c: int, old: int) -> int:
            xf = _base_xf(styles, old)
            fill_el = styles.fill_el(fill_id(xf))
            out.append(MarkRow(entry.name, f"{column_letters(c)}{r}", (r, c) in notes, solid_rgb(fill_el),
                               styles.text(xf), "" if fill_el is None else styles.text(fill_el)))
            return styles.add_xf(with_fill(xf, fill))

        doc = _parsed(pkg, docs, entry.part)
        restyle_cells_at(doc.root, targets, to_mark)
        if notes:
            _add_notes(pkg, wb, entry.part, doc.root, notes)
    _put_all(pkg, docs)
    return out


def _sheet_named(pkg: Package, wb: Workbook, name: str) -> str | None:
    """The book's worksheet of that name (Excel compares names case-insensitively), None when it has
    none (or its part is missing)."""
    found = wb.find(name)
    return found[1].name if found is not None and found[1].part and pkg.has(found[1].part) else None


def _parsed(pkg: Package, docs: dict[str, XmlPart], part: str) -> XmlPart:
    if part not in docs:
        docs[part] = XmlPart(pkg.read(part), part)
    return docs[part]


def _put_all(pkg: Package, docs: dict[str, XmlPart]) -> None:
    for part, doc in docs.items():
        pkg.put(part, doc.to_bytes())


def remove_marks(pkg: Package, wb: Workbook, styles: StyleBook, record: list[MarkRow]) -> int:
    """Undo every mark either door recorded (fill and, where it was ours, the note); returns the
    cell count. The caller drops the marks from the record."""
    docs: dict[str, XmlPart] = {}
    undone = _clear(pkg, wb, styles, record, docs)
    _put_all(pkg, docs)
    return len(undone)
