"""--mark: a fill and a note on input cells that carry an error finding, and their exact removal.

How a mark is recognised later: its note is authored ``cpdsheets`` (notes survive Excel, WPS and
LibreOffice saves with their author), and its fill comes from a cell format we appended whose
original format is recorded in the hidden defined name ``_cpdsheets_marks`` ("mark:orig ...").
A cell the user filled themselves carries no cpdsheets note, so clearing never touches it.
"""

from __future__ import annotations

import re
from collections import defaultdict

from cpdsheets.doors import opc
from cpdsheets.doors.cell_restyle import restyle_cells
from cpdsheets.doors.styles_xml import StyleBook
from cpdsheets.doors.workbook_parts import Workbook
from cpdsheets.doors.xml_text import column_letters, split_a1, text_xml
from cpdsheets.doors.zip_package import Package
from cpdsheets.reports.tables import MARK_FILL, CellMark

NOTE_AUTHOR = "cpdsheets"
MARKS_NAME = "_cpdsheets_marks"
COMMENTS_REL = opc.REL + "/comments"
VML_REL = opc.REL + "/vmlDrawing"
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


# -- the record of mark formats -------------------------------------------------------------
def _read_map(wb: Workbook) -> dict[int, int]:
    raw = wb.defined_name(MARKS_NAME) or ""
    return {int(a): int(b) for a, b in re.findall(r"(\d+):(\d+)", raw)}


def _write_map(wb: Workbook, mapping: dict[int, int]) -> None:
    value = '"' + " ".join(f"{a}:{b}" for a, b in sorted(mapping.items())) + '"' if mapping else None
    wb.set_defined_name(MARKS_NAME, value)


def _mark_xf(styles: StyleBook, original: int, fill: int) -> int:
    xml = styles.xf_xml(original) or styles.xf_xml(0) or '<xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
    xml = re.sub(r'\sfillId="\d+"', "", xml)
    xml = re.sub(r'\sapplyFill="\w+"', "", xml)
    cut = re.match(r"<(?:\w+:)?xf", xml).end()
    return styles.add_xf_xml(xml[:cut] + f' fillId="{fill}" applyFill="1"' + xml[cut:])


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


# -- public ---------------------------------------------------------------------------------
def apply_marks(pkg: Package, wb: Workbook, styles: StyleBook, marks: list[CellMark], *,
                skip: set[str] = frozenset()) -> int:
    """Replace any previous marks with these; returns how many cells were marked.

    A cell that already holds someone's note is left alone (a cell has room for one note only)."""
    remove_marks(pkg, wb, styles)
    mapping = _read_map(wb)
    fill = styles.fill(MARK_FILL)
    by_sheet: dict[str, dict[tuple[int, int], list[str]]] = defaultdict(lambda: defaultdict(list))
    for mark in marks:
        try:
            row, col = split_a1(mark.cell)
        except ValueError:
            continue
        by_sheet[mark.sheet][(row, col)].append(mark.note)
    skip_keys = {s.casefold() for s in skip}
    count = 0
    for sheet_name, cells in by_sheet.items():
        found = wb.find(sheet_name)
        if found is None or sheet_name.casefold() in skip_keys or not pkg.has(found[1].part):
            continue
        part = found[1].part
        existing = _sheet_rel(pkg, part, COMMENTS_REL)
        taken = _comment_refs(pkg.text(existing[1])) if existing else set()
        notes = {rc: "\n".join(dict.fromkeys(n)) for rc, n in cells.items()
                 if f"{column_letters(rc[1])}{rc[0]}" not in taken}
        if not notes:
            continue
        targets: dict[int, list[int]] = defaultdict(list)
        for r, c in notes:
            targets[r].append(c)

        def to_mark(old: int) -> int:
            if old in mapping:
                return old
            new = _mark_xf(styles, old, fill)
            mapping[new] = old
            return new

        sheet = restyle_cells(pkg.text(part), targets, to_mark)
        sheet = _add_notes(pkg, wb, part, sheet, notes)
        pkg.put(part, sheet)
        count += len(notes)
    _write_map(wb, mapping)
    return count


def remove_marks(pkg: Package, wb: Workbook, styles: StyleBook) -> int:
    """Remove every cpdsheets note and restore the cell format under it; returns the cell count."""
    mapping = _read_map(wb)
    total = 0
    for entry in wb.sheets():
        if not entry.part or not pkg.has(entry.part):
            continue
        found = _sheet_rel(pkg, entry.part, COMMENTS_REL)
        if not found:
            continue
        crel, cpart = found
        cxml = pkg.text(cpart)
        authors = _authors(cxml)
        if NOTE_AUTHOR not in authors:
            continue
        ours = str(authors.index(NOTE_AUTHOR))
        refs: list[tuple[int, int]] = []

        def drop(m: re.Match[str]) -> str:
            if re.search(rf'\sauthorId="{ours}"', m.group(0)):
                refs.append(split_a1(re.search(r'\sref="([^"]+)"', m.group(0)).group(1)))
                return ""
            return m.group(0)

        cxml = _COMMENT.sub(drop, cxml)
        if not refs:
            continue
        total += len(refs)
        sheet = pkg.text(entry.part)
        targets: dict[int, list[int]] = defaultdict(list)
        for r, c in refs:
            targets[r].append(c)
        sheet = restyle_cells(sheet, targets, lambda old: mapping.get(old, old))
        sheet = _drop_blank_cells(sheet, refs)
        removed_rels: list[opc.Rel] = []
        if authors[-1] == NOTE_AUTHOR and not re.search(rf'\sauthorId="{ours}"', cxml):
            cxml = re.sub(rf"<((?:\w+:)?)author>{NOTE_AUTHOR}</(?:\w+:)?author>(\s*</(?:\w+:)?authors>)", r"\2", cxml)
        if not _COMMENT.search(cxml):
            pkg.remove(cpart)
            wb.content_types.drop(cpart)
            removed_rels.append(crel)
        else:
            pkg.put(cpart, cxml)
        vml = _sheet_rel(pkg, entry.part, VML_REL)
        if vml:
            vrel, vpart = vml
            cells = set(refs)
            vxml = pkg.read(vpart).decode("utf-8", "replace")

            def drop_shape(m: re.Match[str]) -> str:
                s = m.group(0)
                if 'ObjectType="Note"' not in s:
                    return s
                r = re.search(r"<x:Row>(\d+)</x:Row>", s)
                c = re.search(r"<x:Column>(\d+)</x:Column>", s)
                return "" if r and c and (int(r.group(1)) + 1, int(c.group(1))) in cells else s

            vxml = _SHAPE.sub(drop_shape, vxml)
            if not _SHAPE.search(vxml) and not re.search(r"<v:(?:rect|oval|line|roundrect|group)\b", vxml):
                pkg.remove(vpart)
                removed_rels.append(vrel)
                sheet = re.sub(rf'<(?:\w+:)?legacyDrawing\b[^>]*\sr?\w*:id="{vrel.id}"[^>]*/>', "", sheet)
            else:
                pkg.put(vpart, vxml.encode("utf-8"))
        if removed_rels:
            rels_part = opc.rels_name(entry.part)
            rxml = pkg.text(rels_part)
            for rel in removed_rels:
                rxml = rxml.replace(rel.xml, "")
            if not opc.parse_rels(rxml):
                pkg.remove(rels_part)
            else:
                pkg.put(rels_part, rxml)
        pkg.put(entry.part, sheet)
    if total:
        _write_map(wb, {})
    return total
