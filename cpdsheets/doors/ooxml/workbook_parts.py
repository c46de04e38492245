"""The workbook part and its sheet list: find, replace and add sheets by editing the parsed
workbook.xml and workbook.xml.rels (their namespaces and extension lists stay as they were)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree

from cpdsheets.doors.ooxml import opc
from cpdsheets.doors.ooxml.xml_tree import MAIN, REL, XmlPart, child, children, insert_ordered, local, make, q, remove, text_of
from cpdsheets.doors.ooxml.zip_package import Package

OFFICE_DOC_REL = REL + "/officeDocument"
CALC_CHAIN_REL = REL + "/calcChain"
STYLES_REL = REL + "/styles"
EXTENDED_PROPS_REL = REL + "/extended-properties"
STYLES_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"
_APP_NS = "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"
_VT = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
_WORKSHEET_HEADINGS = {"worksheets", "工作表", "工作表 ", "arbeitsblätter", "feuilles de calcul"}
# CT_Workbook's child sequence (ECMA-376 Part 1, 18.2.27)
WORKBOOK_ORDER = ["fileVersion", "fileSharing", "workbookPr", "workbookProtection", "bookViews", "sheets",
                  "functionGroups", "externalReferences", "definedNames", "calcPr", "oleSize",
                  "customWorkbookViews", "pivotCaches", "smartTagPr", "smartTagTypes", "webPublishing",
                  "fileRecoveryPr", "webPublishObjects", "extLst"]


@dataclass(slots=True)
class SheetEntry:
    name: str
    sheet_id: int
    rid: str
    part: str  # resolved zip name; "" when the relationship is missing
    el: etree._Element  # the <sheet/> element


class Workbook:
    def __init__(self, pkg: Package):
        self.pkg = pkg
        root_rels = opc.read_rels(pkg, "") if pkg.has("_rels/.rels") else []
        main = next((r for r in root_rels if r.type.endswith("/officeDocument")), None)
        self.part = opc.resolve("", main.target) if main else "xl/workbook.xml"
        if not pkg.has(self.part):
            raise KeyError(self.part)
        self.doc = XmlPart(pkg.read(self.part), self.part)
        self.ns = self.doc.root.tag[1:].split("}")[0] if self.doc.root.tag.startswith("{") else ""
        self.rels = opc.Rels(pkg, self.part)
        self.content_types = opc.ContentTypes(pkg)
        self._refs: dict[str, int] | None = None
        self._sheets_changed = False

    @property
    def root(self) -> etree._Element:
        return self.doc.root

    def _sheets_el(self) -> etree._Element:
        el = child(self.root, self.ns, "sheets")
        if el is None:
            el = insert_ordered(self.root, make(self.root, self.ns, "sheets"), WORKBOOK_ORDER)
        return el

    # -- reading -------------------------------------------------------------------------
    def sheets(self) -> list[SheetEntry]:
        out = []
        by_id = {r.id: r for r in self.rels.rels}
        for el in children(self._sheets_el(), self.ns, "sheet"):
            rid = el.get(q(REL, "id")) or ""
            rel = by_id.get(rid)
            part = opc.resolve(self.part, rel.target) if rel and not rel.external else ""
            try:
                sheet_id = int(el.get("sheetId") or 0)
            except ValueError:
                sheet_id = 0
            out.append(SheetEntry(el.get("name") or "", sheet_id, rid, part, el))
        return out

    def find(self, name: str) -> tuple[int, SheetEntry] | None:
        """Sheet by name; Excel compares sheet names case-insensitively."""
        key = name.casefold()
        for i, s in enumerate(self.sheets()):
            if s.name.casefold() == key:
                return i, s
        return None

    def styles_part(self) -> str | None:
        rel = self.rels.of_type(STYLES_REL)
        return self.rels.target_of(rel) if rel else None

    def add_styles_part(self, xml: bytes) -> str:
        """A book without a styles part (LibreOffice opens such files) gets one, with its
        relationship and content type."""
        part = "xl/styles.xml" if not self.pkg.has("xl/styles.xml") else opc.free_name(self.pkg, "xl/styles{}.xml")
        self.pkg.put(part, xml)
        self.rels.add(STYLES_REL, part)
        self.content_types.set(part, STYLES_CT)
        return part

    # -- editing -------------------------------------------------------------------------
    def add_sheet(self, name: str, *, hidden: bool = False) -> SheetEntry:
        part = opc.free_name(self.pkg, "xl/worksheets/sheet{}.xml")
        rel = self.rels.add(opc.WORKSHEET_REL, part)
        sheet_id = max([s.sheet_id for s in self.sheets()] + [0]) + 1
        parent = self._sheets_el()
        el = make(parent, self.ns, "sheet", {"name": name, "sheetId": str(sheet_id)}, declare={"r": REL})
        el.set(q(REL, "id"), rel.id)
        if hidden:
            el.set("state", "hidden")
        parent.append(el)
        self.content_types.set(part, opc.WORKSHEET_CT)
        self._sheets_changed = True
        return SheetEntry(name, sheet_id, rel.id, part, el)

    def make_worksheet_rel(self, entry: SheetEntry) -> None:
        """A replaced chartsheet/dialogsheet becomes a worksheet."""
        for r in self.rels.rels:
            if r.id == entry.rid:
                self.rels.set_type(r, opc.WORKSHEET_REL)
        self.content_types.set(entry.part, opc.WORKSHEET_CT)

    def drop_owned_parts(self, part: str) -> None:
        """Remove the parts only ``part`` points at (drawings, charts, comments...), recursively."""
        if self._refs is None:
            self._refs = opc.incoming_counts(self.pkg)
        for rel in opc.read_rels(self.pkg, part):
            if rel.external:
                continue
            target = opc.resolve(part, rel.target)
            self._refs[target] = self._refs.get(target, 1) - 1
            if self._refs[target] <= 0 and self.pkg.has(target):
                self.drop_owned_parts(target)
                self.pkg.remove(target)
                self.content_types.drop(target)
        self.pkg.remove(opc.rels_name(part))

    def _defined_names(self) -> list[etree._Element]:
        block = child(self.root, self.ns, "definedNames")
        return [] if block is None else list(children(block, self.ns, "definedName"))

    def _prune_defined_names(self) -> None:
        block = child(self.root, self.ns, "definedNames")
        if block is not None and next(children(block, self.ns, "definedName"), None) is None:
            remove(block)

    def drop_local_names(self, index: int, keep: tuple[str, ...] = ()) -> None:
        """Defined names scoped to a replaced sheet described its old content: remove them."""
        for el in self._defined_names():
            if el.get("localSheetId") == str(index) and el.get("name", "") not in keep:
                remove(el)
        self._prune_defined_names()

    def remove_sheet(self, name: str) -> bool:
        """Delete a sheet the add-in no longer writes: its parts, relationship, scoped names (later
        sheets' localSheetId shift down by one), names whose formula points at it, and calc chain."""
        found = self.find(name)
        if found is None:
            return False
        index, entry = found
        if entry.part and self.pkg.has(entry.part):
            if has_formula(self.pkg.read(entry.part)):
                self.drop_calc_chain_of(entry.sheet_id)
            self.drop_owned_parts(entry.part)
            self.pkg.remove(entry.part)
            self.content_types.drop(entry.part)
        for r in [r for r in self.rels.rels if r.id == entry.rid]:
            self.rels.drop(r)
        remove(entry.el)
        self._sheets_changed = True
        quoted = "'" + entry.name.replace("'", "''") + "'!"
        bare = re.compile(rf"(?<![\w.']){re.escape(entry.name)}!")
        for el in self._defined_names():
            local_id = el.get("localSheetId")
            body = text_of(el)
            if local_id == str(index) or quoted in body or bare.search(body):
                remove(el)
            elif local_id is not None and local_id.isdigit() and int(local_id) > index:
                el.set("localSheetId", str(int(local_id) - 1))
        self._prune_defined_names()
        views = child(self.root, self.ns, "bookViews")
        for view in () if views is None else children(views, self.ns, "workbookView"):
            for attr in ("activeTab", "firstSheet"):
                v = view.get(attr)
                if v is not None and v.isdigit() and int(v) >= index and int(v) > 0:
                    view.set(attr, str(int(v) - 1))
        return True

    def defined_name(self, name: str) -> str | None:
        el = next((e for e in self._defined_names() if e.get("name") == name), None)
        return None if el is None else text_of(el)

    def set_defined_name(self, name: str, value: str | None) -> None:
        """Add, replace or (value None) remove a hidden workbook-level defined name."""
        el = next((e for e in self._defined_names() if e.get("name") == name), None)
        if value is None:
            if el is not None:
                remove(el)
            self._prune_defined_names()
            return
        if el is None:
            block = child(self.root, self.ns, "definedNames")
            if block is None:
                block = insert_ordered(self.root, make(self.root, self.ns, "definedNames"), WORKBOOK_ORDER)
            el = make(block, self.ns, "definedName", {"name": name, "hidden": "1"})
            block.append(el)
        el.text = value

    def set_print_titles(self, sheet: str, last_row: int) -> None:
        """Rows 1..last_row of ``sheet`` repeat at the top of every printed page: the defined name
        _xlnm.Print_Titles scoped to the sheet by its position (Excel, WPS and LibreOffice read it)."""
        found = self.find(sheet)
        if found is None:
            return
        index = str(found[0])
        for el in [e for e in self._defined_names()
                   if e.get("name") == "_xlnm.Print_Titles" and e.get("localSheetId") == index]:
            remove(el)
        block = child(self.root, self.ns, "definedNames")
        if block is None:
            block = insert_ordered(self.root, make(self.root, self.ns, "definedNames"), WORKBOOK_ORDER)
        el = make(block, self.ns, "definedName", {"name": "_xlnm.Print_Titles", "localSheetId": index})
        el.text = "'" + sheet.replace("'", "''") + f"'!$1:${last_row}"
        block.append(el)

    def drop_calc_chain_of(self, sheet_id: int) -> None:
        """Formula cells of a replaced sheet are gone; Excel repairs a book whose calcChain lists them."""
        rel = self.rels.of_type(CALC_CHAIN_REL)
        if rel is None:
            return
        part = self.rels.target_of(rel)
        if not self.pkg.has(part):
            return
        doc = XmlPart(self.pkg.read(part), part)
        current = None
        kept = 0
        # a <c> without i= belongs to the sheet of the <c> before it
        for c in list(doc.root):
            if local(c) != "c":
                continue
            i = c.get("i")
            if i is not None:
                current = i
            if current == str(sheet_id):
                remove(c)
                continue
            if i is None and current is not None:
                c.set("i", current)
            kept += 1
        if not kept:
            self.pkg.remove(part)
            self.content_types.drop(part)
            self.rels.drop(rel)
            return
        self.pkg.put(part, doc.to_bytes())

    def flush(self) -> None:
        self.pkg.put(self.part, self.doc.to_bytes())
        self.rels.flush()
        if self._sheets_changed:
            self._update_app_properties()
        self.content_types.flush()

    def _update_app_properties(self) -> None:
        """docProps/app.xml lists the worksheet names (TitlesOfParts, counted in HeadingPairs);
        Excel shows a stale list in the file's properties, so it follows the real sheets."""
        root_rels = opc.read_rels(self.pkg, "")
        rel = next((r for r in root_rels if r.type == EXTENDED_PROPS_REL and not r.external), None)
        part = opc.resolve("", rel.target) if rel else "docProps/app.xml"
        if not self.pkg.has(part):
            return
        doc = XmlPart(self.pkg.read(part), part)
        pairs = child(doc.root, _APP_NS, "HeadingPairs")
        titles = child(doc.root, _APP_NS, "TitlesOfParts")
        pv = None if pairs is None else child(pairs, _VT, "vector")
        tv = None if titles is None else child(titles, _VT, "vector")
        if pv is None or tv is None:
            return
        variants = [text_of(v).strip() for v in children(pv, _VT, "variant")]
        items = list(children(tv, _VT, "lpstr"))
        start = 0
        names = [s.name for s in self.sheets() if self._is_worksheet(s)]
        for k in range(0, len(variants) - 1, 2):
            count_el = next(iter(pv[k + 1].iter(q(_VT, "i4"))), None) if k + 1 < len(pv) else None
            count = int(count_el.text) if count_el is not None and (count_el.text or "").strip().isdigit() else 0
            if variants[k].casefold() in _WORKSHEET_HEADINGS:
                old = [text_of(e) for e in items[start:start + count]]
                if old == names:
                    return
                anchor = items[start - 1] if start > 0 else None
                for e in items[start:start + count]:
                    remove(e)
                new = []
                for n in names:
                    e = make(tv, _VT, "lpstr")
                    e.text = n
                    new.append(e)
                if anchor is not None:
                    for e in reversed(new):
                        anchor.addnext(e)
                else:
                    for e in reversed(new):
                        tv.insert(0, e)
                if count_el is not None:  # an app.xml without the count still gets the names
                    count_el.text = str(len(names))
                tv.set("size", str(len(list(children(tv, _VT, "lpstr")))))
                self.pkg.put(part, doc.to_bytes())
                return
            start += count

    def _is_worksheet(self, entry: SheetEntry) -> bool:
        rel = next((r for r in self.rels.rels if r.id == entry.rid), None)
        return rel is not None and rel.type == opc.WORKSHEET_REL


def has_formula(sheet: bytes | etree._Element) -> bool:
    """Whether a worksheet part (or its parsed root) holds any formula (its cells then sit in the
    calc chain)."""
    root = XmlPart(sheet, "sheet").root if isinstance(sheet, bytes) else sheet
    return next(root.iter(q(MAIN, "f")), None) is not None
