"""--mark: a fill and a note on input cells that carry an error finding, and their exact removal.

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

import html
import re
from collections import defaultdict

from cpdsheets.doors import opc
from cpdsheets.doors.cell_restyle import restyle_cells_at
from cpdsheets.doors.mark_record import MARK_STORE, MarkRow, rows_from_values, values_from_rows
from cpdsheets.doors.styles_xml import StyleBook
from cpdsheets.doors.workbook_parts import Workbook
from cpdsheets.doors.xml_text import column_letters, split_a1, text_xml
from cpdsheets.doors.zip_package import Package
from cpdsheets.reports.tables import MARK_FILL, CellMark

NOTE_AUTHOR = "cpdsheets"
LEGACY_MARKS_NAME = "_cpdsheets_marks"
COMMENTS_REL = opc.REL + "/comments"
VML_REL = opc.REL + "/vmlDrawing"
SHARED_STRINGS_REL = opc.REL + "/sharedStrings"
COMMENTS_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.comments+xml"
VML_CT = "application/vnd.openxmlformats-officedocument.vmlDrawing"
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_COMMENT = re.compile(r"<(?:\w+:)?comment\b[^>]*>.*?</(?:\w+:)?comment>|<(?:\w+:)?comment\b[^>]*/>", re.S)
_SHAPE = re.compile(r"<v:shape\b[^>]*>.*?</v:shape>", re.S)
_VML_SHAPETYPE_202 = (
    '<v:shapetype id="_x0000_t202" coordsize="21600,21600" o:spt="202" path="m,l,21600r21600,l21600,xe">'
    '<v:stroke joinstyle="miter"/><v:path gradientshapeok="t" o:connecttype="rect"/></v:shapetype>')
_AFTER_LEGACY = ("legacyDrawingHF", "drawingHF", "picture", "oleObjects", "controls", "webPublishItems",
                 "tableParts", "extLst")
_CELL = re.compile(r"<(?:\w+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)", re.S)
_SI = re.compile(r"<(?:\w+:)?si\b[^>]*?(?:/>|>(.*?)</(?:\w+:)?si>)", re.S)
_T = re.compile(r"<(?:\w+:)?t\b[^>]*?(?:/>|>(.*?)</(?:\w+:)?t>)", re.S)
_RPH = re.compile(r"<(?:\w+:)?rPh\b.*?</(?:\w+:)?rPh>", re.S)
_V = re.compile(r"<(?:\w+:)?v\b[^>]*>(.*?)</(?:\w+:)?v>", re.S)
_EXCEL_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


# -- the shared record sheet ------------------------------------------------------------------
def _xml_text(raw: str) -> str:
    text = html.unescape(raw)
    return _EXCEL_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text) if "_x" in text else text


def _string_items(xml: str) -> list[str]:
    return [_xml_text("".join(t or "" for t in _T.findall(_RPH.sub("", m.group(1) or ""))))
            for m in _SI.finditer(xml)]


def _shared_strings(pkg: Package, wb: Workbook) -> list[str]:
    rel = next((r for r in wb.rels if r.type == SHARED_STRINGS_REL and not r.external), None)
    part = opc.resolve(wb.part, rel.target) if rel else ""
    return _string_items(pkg.text(part)) if part and pkg.has(part) else []


def _sheet_values(xml: str, strings: list[str]) -> list[list[object]]:
    """A small worksheet's values by position, whoever wrote it (inline or shared strings)."""
    grid: dict[tuple[int, int], object] = {}
    for m in _CELL.finditer(xml):
        attrs, body = m.group(1), m.group(2) or ""
        ref = opc._attr(attrs, "r")
        if not ref:
            continue
        kind = opc._attr(attrs, "t") or "n"
        v = _V.search(body)
        if kind == "inlineStr":
            value: object = _string_items(f"<si>{body}</si>")[0]
        elif v is None:
            continue
        elif kind == "s":
            i = int(v.group(1))
            value = strings[i] if 0 <= i < len(strings) else ""
        elif kind in ("str", "e"):
            value = _xml_text(v.group(1))
        else:
            try:
                value = float(v.group(1))
            except ValueError:
                value = _xml_text(v.group(1))
        try:
            grid[split_a1(ref)] = value
        except ValueError:
            continue
    if not grid:
        return []
    height = max(r for r, _ in grid)
    width = max(c for _, c in grid) + 1
    return [[grid.get((r, c)) for c in range(width)] for r in range(1, height + 1)]


def read_record(pkg: Package, wb: Workbook) -> list[MarkRow]:
    """The marks recorded in the book by either door (none when there is no record sheet)."""
    found = wb.find(MARK_STORE)
    if found is None or not found[1].part or not pkg.has(found[1].part):
        return []
    return rows_from_values(_sheet_values(pkg.text(found[1].part), _shared_strings(pkg, wb)))


def _record_xml(rows: list[MarkRow]) -> str:
    out = []
    for r, values in enumerate(values_from_rows(rows), start=1):
        cells = []
        for c, value in enumerate(values):
            ref = f"{column_letters(c)}{r}"
            if isinstance(value, int):
                cells.append(f'<c r="{ref}"><v>{value}</v></c>')
            elif value:
                cells.append(f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{text_xml(value)}</t></is></c>')
        out.append(f'<row r="{r}">{"".join(cells)}</row>')
    return f'{_HEAD}<worksheet xmlns="{_MAIN}"><sheetData>{"".join(out)}</sheetData></worksheet>'


def write_record(pkg: Package, wb: Workbook, rows: list[MarkRow]) -> None:
    """Replace the record sheet's content (adding the sheet, hidden, if missing); no rows: remove it."""
    found = wb.find(MARK_STORE)
    if not rows:
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
        entry = wb.add_sheet(MARK_STORE)
        hidden = entry.xml.replace("/>", ' state="hidden"/>')
        wb.xml = wb.xml.replace(entry.xml, hidden, 1)
    pkg.put(entry.part, _record_xml(rows))


# -- formats: a mark's copy and its undoing -------------------------------------------------
def _fill_id(xf_xml: str) -> int:
    m = re.search(r'\sfillId="(\d+)"', xf_xml)
    return int(m.group(1)) if m else 0


def _with_fill(xf_xml: str, fill: int) -> str:
    xml = re.sub(r'\sfillId="\d+"', "", xf_xml)
    xml = re.sub(r'\sapplyFill="\w+"', "", xml)
    cut = re.match(r"<(?:\w+:)?xf", xml).end()
    return xml[:cut] + f' fillId="{fill}" applyFill="1"' + xml[cut:]


def _solid_rgb(fill_xml: str | None) -> str:
    """RRGGBB of a solid fill given as an explicit colour; "" for none, theme or indexed colours."""
    if not fill_xml or not re.search(r'patternType="solid"', fill_xml):
        return ""
    m = re.search(r'<(?:\w+:)?fgColor\b[^>]*\srgb="(?:[0-9A-Fa-f]{2})?([0-9A-Fa-f]{6})"', fill_xml)
    return m.group(1).upper() if m else ""


def _base_xf(styles: StyleBook, index: int) -> str:
    return styles.xf_xml(index) or styles.xf_xml(0) or '<xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'


def _restore(styles: StyleBook, current: int, row: MarkRow, legacy: dict[int, int]) -> int:
    """The cell format to give back for one recorded mark, given the format the cell has now."""
    cur_xml = styles.xf_xml(current)
    if cur_xml is None or _solid_rgb(styles.fill_xml(_fill_id(cur_xml))) != MARK_FILL.upper():
        return current  # not (or no longer) our fill: the user's colour stays
    if current in legacy:
        return legacy[current]
    if row.xf_xml and _with_fill(row.xf_xml, _fill_id(cur_xml)) == cur_xml:
        return styles.add_xf_xml(row.xf_xml)  # styles untouched since marking: the very same format
    if row.fill_xml:
        fill = styles.sections["fills"].add(row.fill_xml)
    else:
        fill = styles.fill(row.fill_rgb) if row.fill_rgb else 0
    return styles.add_xf_xml(_with_fill(cur_xml, fill))


def _legacy_map(wb: Workbook) -> dict[int, int]:
    raw = wb.defined_name(LEGACY_MARKS_NAME) or ""
    return {int(a): int(b) for a, b in re.findall(r"(\d+):(\d+)", raw)}


# -- notes ----------------------------------------------------------------------------------
def _sheet_rel(pkg: Package, part: str, rel_type: str) -> tuple[opc.Rel, str] | None:
    for rel in opc.read_rels(pkg, part):
        if rel.type == rel_type and not rel.external:
            return rel, opc.resolve(part, rel.target)
    return None


def _authors(xml: str) -> list[str]:
    block = re.search(r"<(?:\w+:)?authors\b[^>]*>(.*?)</(?:\w+:)?authors>", xml, re.S)
    if not block:
        return []
    return [opc._unescape(a) for a in re.findall(r"<(?:\w+:)?author>(.*?)</(?:\w+:)?author>", block.group(1), re.S)]


def _comment_refs(xml: str) -> set[str]:
    return set(re.findall(r'<(?:\w+:)?comment\b[^>]*\sref="([A-Z]+\d+)"', xml))


def _vml_shape(shape_id: int, row: int, col: int) -> str:
    return (
        f'<v:shape id="_x0000_s{shape_id}" type="#_x0000_t202" style="position:absolute;margin-left:59.25pt;'
        'margin-top:1.5pt;width:144pt;height:72pt;z-index:1;visibility:hidden" fillcolor="#ffffe1" '
        'o:insetmode="auto"><v:fill color2="#ffffe1"/><v:shadow on="t" color="black" obscured="t"/>'
        '<v:path o:connecttype="none"/><v:textbox style="mso-direction-alt:auto"><div style="text-align:left">'
        '</div></v:textbox><x:ClientData ObjectType="Note"><x:MoveWithCells/><x:SizeWithCells/>'
        f"<x:Anchor>{col + 1}, 15, {max(row - 2, 0)}, 10, {col + 4}, 15, {row + 3}, 4</x:Anchor>"
        f"<x:AutoFill>False</x:AutoFill><x:Row>{row - 1}</x:Row><x:Column>{col}</x:Column></x:ClientData>"
        "</v:shape>")


def _new_vml(block: int) -> str:
    return ('<xml xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" '
            'xmlns:x="urn:schemas-microsoft-com:office:excel">'
            f'<o:shapelayout v:ext="edit"><o:idmap v:ext="edit" data="{block}"/></o:shapelayout>'
            f"{_VML_SHAPETYPE_202}</xml>")


def _insert_legacy_drawing(sheet: str, rid: str) -> str:
    tag = f'<legacyDrawing xmlns:r="{opc.REL}" r:id="{rid}"/>'
    root = re.search(r"<(\w+:)?worksheet\b", sheet)
    p = (root.group(1) or "") if root else ""
    if p:
        tag = tag.replace("<legacyDrawing", f"<{p}legacyDrawing")
    tail_from = sheet.rfind(f"</{p}sheetData>")
    best = None
    for name in _AFTER_LEGACY:
        i = sheet.find(f"<{p}{name}", tail_from)
        if i != -1 and (best is None or i < best):
            best = i
    if best is None:
        best = sheet.rindex(f"</{p}worksheet>")
    return sheet[:best] + tag + sheet[best:]


def _add_notes(pkg: Package, wb: Workbook, part: str, sheet: str, notes: dict[tuple[int, int], str]) -> str:
    """Add the notes to the sheet's comments and VML parts (creating them if needed)."""
    rels = opc.read_rels(pkg, part)
    new_rels: list[str] = []
    found = _sheet_rel(pkg, part, COMMENTS_REL)
    if found:
        comments_part = found[1]
        cxml = pkg.text(comments_part)
    else:
        comments_part = opc.free_name(pkg, "xl/comments{}.xml")
        cxml = f'{_HEAD}<comments xmlns="{_MAIN}"><authors></authors><commentList></commentList></comments>'
        rid = opc.next_rid(rels + [opc.Rel(x, "", "", False, "") for x in new_rels])
        new_rels.append(f'<Relationship Id="{rid}" Type="{COMMENTS_REL}" Target="{opc.relative(part, comments_part)}"/>')
        wb.content_types.set(comments_part, COMMENTS_CT)
    authors = _authors(cxml)
    if NOTE_AUTHOR in authors:
        author_id = authors.index(NOTE_AUTHOR)
    else:
        author_id = len(authors)
        cxml = re.sub(r"(</(?:\w+:)?authors>)", f"<author>{NOTE_AUTHOR}</author>\\1", cxml, count=1)
        if author_id == 0 and "<author>" not in cxml:
            cxml = re.sub(r"<((?:\w+:)?authors)\s*/>", f"<\\1><author>{NOTE_AUTHOR}</author></\\1>", cxml, count=1)
    body = "".join(
        f'<comment ref="{column_letters(c)}{r}" authorId="{author_id}"><text><r><rPr><b/><sz val="9"/></rPr>'
        f'<t xml:space="preserve">{NOTE_AUTHOR}:\n</t></r><r><rPr><sz val="9"/></rPr><t xml:space="preserve">'
        f"{text_xml(note)}</t></r></text></comment>"
        for (r, c), note in sorted(notes.items()))
    if re.search(r"</(?:\w+:)?commentList>", cxml):
        cxml = re.sub(r"(</(?:\w+:)?commentList>)", lambda m: body + m.group(1), cxml, count=1)
    else:
        cxml = re.sub(r"<((?:\w+:)?commentList)\s*/>", lambda m: f"<{m.group(1)}>{body}</{m.group(1)}>", cxml, count=1)
    pkg.put(comments_part, cxml)

    vml = _sheet_rel(pkg, part, VML_REL)
    if vml:
        vml_part = vml[1]
        vxml = pkg.read(vml_part).decode("utf-8", "replace")
    else:
        vml_part = opc.free_name(pkg, "xl/drawings/vmlDrawing{}.vml")
        used = [int(b) for n in pkg.names() if n.endswith(".vml")
                for b in re.findall(r'<o:idmap[^>]*data="(\d+)', pkg.read(n).decode("utf-8", "replace"))]
        vxml = _new_vml(max(used + [0]) + 1)
        rid = opc.next_rid(rels + [opc.Rel(m, "", "", False, "")
                                   for m in re.findall(r'Id="([^"]+)"', "".join(new_rels))])
        new_rels.append(f'<Relationship Id="{rid}" Type="{VML_REL}" Target="{opc.relative(part, vml_part)}"/>')
        wb.content_types.default("vml", VML_CT)
        sheet = _insert_legacy_drawing(sheet, rid)
    if "_x0000_t202" not in vxml:
        vxml = vxml.replace("</xml>", _VML_SHAPETYPE_202 + "</xml>")
    block = re.search(r'<o:idmap[^>]*data="(\d+)', vxml)
    base = int(block.group(1)) * 1024 if block else 1024
    next_id = max([int(x) for x in re.findall(r'id="_x0000_s(\d+)"', vxml)] + [base]) + 1
    shapes = "".join(_vml_shape(next_id + i, r, c) for i, (r, c) in enumerate(sorted(notes)))
    end = vxml.rindex("</xml>")
    pkg.put(vml_part, vxml[:end] + shapes + vxml[end:])
    if new_rels:
        rels_part = opc.rels_name(part)
        if pkg.has(rels_part):
            rxml = pkg.text(rels_part)
            end = rxml.rindex("</")
            pkg.put(rels_part, rxml[:end] + "".join(new_rels) + rxml[end:])
        else:
            pkg.put(rels_part, opc.rels_xml([]).replace("</Relationships>", "".join(new_rels) + "</Relationships>"))
    return sheet


def _drop_blank_cells(sheet: str, refs: list[tuple[int, int]]) -> str:
    """Cells inserted only to carry a mark are empty with the default format again: take them out."""
    for r, c in refs:
        ref = f"{column_letters(c)}{r}"
        sheet = sheet.replace(f'<c r="{ref}" s="0"/>', "", 1)
        sheet = sheet.replace(f'<row r="{r}"></row>', "", 1)
    return sheet


def _drop_notes(pkg: Package, wb: Workbook, part: str, sheet: str, cells: set[tuple[int, int]]) -> str:
    """Delete the notes on ``cells`` (whoever the comment part names as author: the button's notes
    carry the Excel user's name) and their VML shapes; parts left empty go, with their links."""
    found = _sheet_rel(pkg, part, COMMENTS_REL)
    if not found or not cells:
        return sheet
    crel, cpart = found
    cxml = pkg.text(cpart)

    def drop(m: re.Match[str]) -> str:
        ref = re.search(r'\sref="([^"]+)"', m.group(0))
        try:
            return "" if ref and split_a1(ref.group(1)) in cells else m.group(0)
        except ValueError:
            return m.group(0)

    new_cxml = _COMMENT.sub(drop, cxml)
    if new_cxml == cxml:
        return sheet
    cxml = new_cxml
    authors = _authors(cxml)
    if authors and authors[-1] == NOTE_AUTHOR and not re.search(rf'\sauthorId="{len(authors) - 1}"', cxml):
        cxml = re.sub(rf"<((?:\w+:)?)author>{NOTE_AUTHOR}</(?:\w+:)?author>(\s*</(?:\w+:)?authors>)", r"\2", cxml)
    removed_rels: list[opc.Rel] = []
    if not _COMMENT.search(cxml):
        pkg.remove(cpart)
        wb.content_types.drop(cpart)
        removed_rels.append(crel)
    else:
        pkg.put(cpart, cxml)
    vml = _sheet_rel(pkg, part, VML_REL)
    if vml:
        vrel, vpart = vml
        vxml = pkg.read(vpart).decode("utf-8", "replace")

        def drop_shape(m: re.Match[str]) -> str:
            shape = m.group(0)
            if 'ObjectType="Note"' not in shape:
                return shape
            r = re.search(r"<x:Row>(\d+)</x:Row>", shape)
            c = re.search(r"<x:Column>(\d+)</x:Column>", shape)
            return "" if r and c and (int(r.group(1)) + 1, int(c.group(1))) in cells else shape

        vxml = _SHAPE.sub(drop_shape, vxml)
        if not _SHAPE.search(vxml) and not re.search(r"<v:(?:rect|oval|line|roundrect|group)\b", vxml):
            pkg.remove(vpart)
            removed_rels.append(vrel)
            sheet = re.sub(rf'<(?:\w+:)?legacyDrawing\b[^>]*\sr?\w*:id="{vrel.id}"[^>]*/>', "", sheet)
        else:
            pkg.put(vpart, vxml.encode("utf-8"))
    if removed_rels:
        rels_part = opc.rels_name(part)
        rxml = pkg.text(rels_part)
        for rel in removed_rels:
            rxml = rxml.replace(rel.xml, "")
        if not opc.parse_rels(rxml):
            pkg.remove(rels_part)
        else:
            pkg.put(rels_part, rxml)
    return sheet


def _legacy_rows(pkg: Package, part: str, sheet_name: str) -> list[MarkRow]:
    """Notes authored ``cpdsheets`` that no record lists (an earlier version's marks, or a record
    sheet someone deleted): marks all the same, their original fill unknown."""
    found = _sheet_rel(pkg, part, COMMENTS_REL)
    if not found:
        return []
    cxml = pkg.text(found[1])
    authors = _authors(cxml)
    if NOTE_AUTHOR not in authors:
        return []
    ours = str(authors.index(NOTE_AUTHOR))
    rows = []
    for m in _COMMENT.finditer(cxml):
        tag = m.group(0)[: m.group(0).index(">") + 1]
        ref = opc._attr(tag, "ref")
        if ref and opc._attr(tag, "authorId") == ours and re.fullmatch(r"[A-Z]+\d+", ref):
            rows.append(MarkRow(sheet_name, ref, True))
    return rows


def _clear(pkg: Package, wb: Workbook, styles: StyleBook) -> list[MarkRow]:
    """Undo every recorded mark (and any legacy one); returns the marks undone."""
    recorded: dict[str, dict[tuple[int, int], MarkRow]] = defaultdict(dict)
    for row in read_record(pkg, wb):
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
        sheet = pkg.text(entry.part)
        targets: dict[int, list[int]] = defaultdict(list)
        for r, c in cells:
            targets[r].append(c)
        sheet = restyle_cells_at(sheet, targets, lambda r, c, old: _restore(styles, old, cells[(r, c)], legacy))
        sheet = _drop_blank_cells(sheet, sorted(cells))
        sheet = _drop_notes(pkg, wb, entry.part, sheet, {rc for rc, row in cells.items() if row.note_added})
        pkg.put(entry.part, sheet)
        undone.extend(cells.values())
    if legacy or wb.defined_name(LEGACY_MARKS_NAME) is not None:
        wb.set_defined_name(LEGACY_MARKS_NAME, None)
    return undone


# -- public ---------------------------------------------------------------------------------
def apply_marks(pkg: Package, wb: Workbook, styles: StyleBook, marks: list[CellMark], *,
                skip: set[str] = frozenset()) -> int:
    """Replace any previous marks (either door's) with these; returns how many cells were marked.

    A cell that already holds someone's note is left alone (a cell has room for one note only)."""
    _clear(pkg, wb, styles)
    fill = styles.fill(MARK_FILL)
    by_sheet: dict[str, dict[tuple[int, int], list[str]]] = defaultdict(lambda: defaultdict(list))
    for mark in marks:
        try:
            row, col = split_a1(mark.cell)
        except ValueError:
            continue
        by_sheet[mark.sheet][(row, col)].append(mark.note)
    skip_keys = {s.casefold() for s in skip} | {MARK_STORE.casefold()}
    record: list[MarkRow] = []
    for sheet_name, cells in by_sheet.items():
        found = wb.find(sheet_name)
        if found is None or sheet_name.casefold() in skip_keys or not pkg.has(found[1].part):
            continue
        entry = found[1]
        existing = _sheet_rel(pkg, entry.part, COMMENTS_REL)
        taken = _comment_refs(pkg.text(existing[1])) if existing else set()
        notes = {rc: "\n".join(dict.fromkeys(n)) for rc, n in cells.items()
                 if f"{column_letters(rc[1])}{rc[0]}" not in taken}
        if not notes:
            continue
        targets: dict[int, list[int]] = defaultdict(list)
        for r, c in notes:
            targets[r].append(c)

        def to_mark(r: int, c: int, old: int) -> int:
            xf = _base_xf(styles, old)
            fill_xml = styles.fill_xml(_fill_id(xf)) or ""
            record.append(MarkRow(entry.name, f"{column_letters(c)}{r}", True, _solid_rgb(fill_xml), xf, fill_xml))
            return styles.add_xf_xml(_with_fill(xf, fill))

        sheet = restyle_cells_at(pkg.text(entry.part), targets, to_mark)
        sheet = _add_notes(pkg, wb, entry.part, sheet, notes)
        pkg.put(entry.part, sheet)
    write_record(pkg, wb, record)
    return len(record)


def remove_marks(pkg: Package, wb: Workbook, styles: StyleBook) -> int:
    """Undo every mark either door recorded (fill and, where it was ours, the note); returns the
    cell count. The record sheet goes with them."""
    undone = _clear(pkg, wb, styles)
    if undone or wb.find(MARK_STORE) is not None:
        write_record(pkg, wb, [])
    return len(undone)
