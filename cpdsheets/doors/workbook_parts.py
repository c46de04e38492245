"""The workbook part and its sheet list: find, replace and add sheets by editing workbook.xml
and workbook.xml.rels as text (their namespaces and extension lists stay exactly as they were)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from cpdsheets.doors import opc
from cpdsheets.doors.xml_text import attr_xml
from cpdsheets.doors.zip_package import Package

OFFICE_DOC_REL = opc.REL + "/officeDocument"
CALC_CHAIN_REL = opc.REL + "/calcChain"
STYLES_REL = opc.REL + "/styles"


@dataclass(slots=True)
class SheetEntry:
    name: str
    sheet_id: int
    rid: str
    part: str  # resolved zip name; "" when the relationship is missing
    xml: str  # the <sheet .../> element as it stands


class Workbook:
    def __init__(self, pkg: Package):
        self.pkg = pkg
        root_rels = opc.parse_rels(pkg.text("_rels/.rels")) if pkg.has("_rels/.rels") else []
        main = next((r for r in root_rels if r.type.endswith("/officeDocument")), None)
        self.part = opc.resolve("", main.target) if main else "xl/workbook.xml"
        if not pkg.has(self.part):
            raise KeyError(self.part)
        self.xml = pkg.text(self.part)
        self.rels_part = opc.rels_name(self.part)
        self.rels_xml = pkg.text(self.rels_part)
        self.rels = opc.parse_rels(self.rels_xml)
        self.content_types = opc.ContentTypes(pkg)
        root = re.search(r"<(\w+:)?workbook\b[^>]*>", self.xml)
        self.prefix = root.group(1) or "" if root else ""
        m = re.search(rf'xmlns:(\w+)="{re.escape(opc.REL)}"', self.xml)
        self.r_prefix = m.group(1) if m else "r"
        self._new_rels: list[str] = []
        self._refs: dict[str, int] | None = None

    # -- reading -------------------------------------------------------------------------
    def sheets(self) -> list[SheetEntry]:
        out = []
        by_id = {r.id: r for r in self.rels}
        for m in re.finditer(rf"<{self.prefix}sheet\b[^>]*?/?>", self.xml):
            tag = m.group(0)
            rid = opc._attr(tag, rf"{self.r_prefix}:id") or ""
            rel = by_id.get(rid)
            part = opc.resolve(self.part, rel.target) if rel and not rel.external else ""
            out.append(SheetEntry(opc._attr(tag, "name") or "", int(opc._attr(tag, "sheetId") or 0),
                                  rid, part, tag))
        return out

    def find(self, name: str) -> tuple[int, SheetEntry] | None:
        """Sheet by name; Excel compares sheet names case-insensitively."""
        key = name.casefold()
        for i, s in enumerate(self.sheets()):
            if s.name.casefold() == key:
                return i, s
        return None

    def styles_part(self) -> str:
        rel = next((r for r in self.rels if r.type == STYLES_REL), None)
        return opc.resolve(self.part, rel.target) if rel else "xl/styles.xml"

    # -- editing -------------------------------------------------------------------------
    def add_sheet(self, name: str) -> SheetEntry:
        part = opc.free_name(self.pkg, "xl/worksheets/sheet{}.xml")
        rid = opc.next_rid(self.rels)
        sheet_id = max([s.sheet_id for s in self.sheets()] + [0]) + 1
        target = opc.relative(self.part, part)
        rel_tag = f'<Relationship Id="{rid}" Type="{opc.WORKSHEET_REL}" Target="{target}"/>'
        self.rels.append(opc.Rel(rid, opc.WORKSHEET_REL, target, False, rel_tag))
        self._new_rels.append(rel_tag)
        tag = f'<{self.prefix}sheet name="{attr_xml(name)}" sheetId="{sheet_id}" {self.r_prefix}:id="{rid}"/>'
        close = f"</{self.prefix}sheets>"
        if close in self.xml:
            self.xml = self.xml.replace(close, tag + close, 1)
        else:
            self.xml = re.sub(rf"<{self.prefix}sheets\s*/>", f"<{self.prefix}sheets>{tag}{close}", self.xml, count=1)
        self.content_types.set(part, opc.WORKSHEET_CT)
        return SheetEntry(name, sheet_id, rid, part, tag)

    def make_worksheet_rel(self, entry: SheetEntry) -> None:
        """A replaced chartsheet/dialogsheet becomes a worksheet."""
        for r in self.rels:
            if r.id == entry.rid and r.type != opc.WORKSHEET_REL:
                new = r.xml.replace(f'Type="{r.type}"', f'Type="{opc.WORKSHEET_REL}"')
                self.rels_xml = self.rels_xml.replace(r.xml, new)
                r.xml, r.type = new, opc.WORKSHEET_REL
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

    def drop_local_names(self, index: int, keep: tuple[str, ...] = ()) -> None:
        """Defined names scoped to a replaced sheet described its old content: remove them."""
        def edit(m: re.Match[str]) -> str:
            tag = m.group(0)
            local = opc._attr(tag, "localSheetId")
            name = opc._attr(tag, "name") or ""
            return "" if local == str(index) and name not in keep else tag

        p = self.prefix
        self.xml = re.sub(rf"<{p}definedName\b[^>]*?(?:/>|>.*?</{p}definedName>)", edit, self.xml, flags=re.S)
        self.xml = re.sub(rf"<{p}definedNames>\s*</{p}definedNames>", "", self.xml)

    def remove_sheet(self, name: str) -> bool:
        """Delete a sheet the add-in no longer writes: its parts, relationship, scoped names (later
        sheets' localSheetId shift down by one), names whose formula points at it, and calc chain."""
        found = self.find(name)
        if found is None:
            return False
        index, entry = found
        if entry.part and self.pkg.has(entry.part):
            if re.search(rb"<(?:\w+:)?f[\s>/]", self.pkg.read(entry.part)):
                self.drop_calc_chain_of(entry.sheet_id)
            self.drop_owned_parts(entry.part)
            self.pkg.remove(entry.part)
            self.content_types.drop(entry.part)
        for r in [r for r in self.rels if r.id == entry.rid]:
            self.rels_xml = self.rels_xml.replace(r.xml, "")
            self.rels.remove(r)
        self.xml = self.xml.replace(entry.xml, "", 1)
        quoted = "'" + entry.name.replace("'", "''") + "'!"
        p = self.prefix

        def edit(m: re.Match[str]) -> str:
            tag = m.group(0)
            local = opc._attr(tag, "localSheetId")
            body = opc._unescape(re.sub(r"^<[^>]*>|</[^>]*>$", "", tag))
            if local == str(index) or quoted in body or re.search(rf"(?<![\w.']){re.escape(entry.name)}!", body):
                return ""
            if local is not None and int(local) > index:
                return re.sub(r'localSheetId="\d+"', f'localSheetId="{int(local) - 1}"', tag, count=1)
            return tag

        self.xml = re.sub(rf"<{p}definedName\b[^>]*?(?:/>|>.*?</{p}definedName>)", edit, self.xml, flags=re.S)
        self.xml = re.sub(rf"<{p}definedNames>\s*</{p}definedNames>", "", self.xml)

        def view(m: re.Match[str]) -> str:
            tag = m.group(0)
            for attr in ("activeTab", "firstSheet"):
                v = opc._attr(tag, attr)
                if v is not None and int(v) >= index and int(v) > 0:
                    tag = re.sub(rf'{attr}="\d+"', f'{attr}="{int(v) - 1}"', tag, count=1)
            return tag

        self.xml = re.sub(rf"<{p}workbookView\b[^>]*>", view, self.xml)
        return True

    def defined_name(self, name: str) -> str | None:
        p = self.prefix
        m = re.search(rf'<{p}definedName\b[^>]*\sname="{re.escape(name)}"[^>]*>(.*?)</{p}definedName>', self.xml, re.S)
        return None if m is None else opc._unescape(m.group(1))

    def set_defined_name(self, name: str, value: str | None) -> None:
        """Add, replace or (value None) remove a hidden workbook-level defined name."""
        p = self.prefix
        pattern = rf'<{p}definedName\b[^>]*\sname="{re.escape(name)}"[^>]*>.*?</{p}definedName>'
        tag = "" if value is None else f'<{p}definedName name="{name}" hidden="1">{attr_xml(value)}</{p}definedName>'
        self._put_name(pattern, tag)

    def set_print_titles(self, sheet: str, last_row: int) -> None:
        """Rows 1..last_row of ``sheet`` repeat at the top of every printed page: the defined name
        _xlnm.Print_Titles scoped to the sheet by its position (Excel, WPS and LibreOffice read it)."""
        found = self.find(sheet)
        if found is None:
            return
        index, p = found[0], self.prefix
        ref = "'" + sheet.replace("'", "''") + f"'!$1:${last_row}"
        pattern = (rf'<{p}definedName\b(?=[^>]*\sname="_xlnm\.Print_Titles")(?=[^>]*\slocalSheetId="{index}")'
                   rf'[^>]*>.*?</{p}definedName>')
        self._put_name(pattern, f'<{p}definedName name="_xlnm.Print_Titles" localSheetId="{index}">'
                                f'{attr_xml(ref)}</{p}definedName>')

    def _put_name(self, pattern: str, tag: str) -> None:
        """Replace the definedName matching ``pattern`` by ``tag`` ("" removes it), or add ``tag``."""
        p = self.prefix
        self.xml = re.sub(rf"<{p}definedNames\s*/>", f"<{p}definedNames></{p}definedNames>", self.xml)
        if re.search(pattern, self.xml, re.S):
            self.xml = re.sub(pattern, lambda _: tag, self.xml, count=1, flags=re.S)
        elif tag:
            close = f"</{p}definedNames>"
            if close in self.xml:
                self.xml = self.xml.replace(close, tag + close, 1)
            else:  # definedNames follows sheets (and externalReferences, if any)
                anchor = max(self.xml.rfind(f"</{p}sheets>") + len(f"</{p}sheets>"),
                             self.xml.rfind(f"</{p}externalReferences>") + len(f"</{p}externalReferences>"))
                self.xml = self.xml[:anchor] + f"<{p}definedNames>{tag}{close}" + self.xml[anchor:]
        self.xml = re.sub(rf"<{p}definedNames>\s*</{p}definedNames>", "", self.xml)

    def drop_calc_chain_of(self, sheet_id: int) -> None:
        """Formula cells of a replaced sheet are gone; Excel repairs a book whose calcChain lists them."""
        rel = next((r for r in self.rels if r.type == CALC_CHAIN_REL), None)
        if rel is None:
            return
        part = opc.resolve(self.part, rel.target)
        if not self.pkg.has(part):
            return
        xml = self.pkg.text(part)
        current = None
        kept = []
        for m in re.finditer(r"<(?:\w+:)?c\b[^>]*?/>", xml):
            tag = m.group(0)
            i = opc._attr(tag, "i")
            if i is not None:
                current = i
            if current == str(sheet_id):
                continue
            kept.append(re.sub(r'\si="\d+"', "", tag).replace("<c ", f'<c i="{current}" ', 1)
                        if i is None and current else tag)
        if not kept:
            self.pkg.remove(part)
            self.content_types.drop(part)
            self.rels_xml = self.rels_xml.replace(rel.xml, "")
            self.rels = [r for r in self.rels if r.id != rel.id]
            return
        start = xml.find("<", xml.find("<calcChain") + 1)
        end = xml.rfind("</")
        self.pkg.put(part, xml[:start] + "".join(kept) + xml[end:])

    def flush(self) -> None:
        self.pkg.put(self.part, self.xml)
        rels_xml = self.rels_xml
        if self._new_rels:
            end = rels_xml.rindex("</")
            rels_xml = rels_xml[:end] + "".join(self._new_rels) + rels_xml[end:]
        self.pkg.put(self.rels_part, rels_xml)
        self.content_types.flush()
