"""Append the few styles the add-in needs to an existing styles part, never renumbering any.

Every existing font, fill, number format and cell format keeps its index and its content, so
cells on the input sheets look and mean the same. Our entries are found again by their canonical
XML (C14N: attribute order and prefixes do not matter), so a second run reuses them instead of
appending more. A book without a styles part, or whose part lacks a section, gets the defaults
Excel itself writes (one font, the two reserved fills, one border, one cell format).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

from cpdsheets.doors.ooxml.xml_tree import MAIN, XmlPart, child, children, insert_ordered, local, make, ns_of, q

# CT_Stylesheet's child sequence (ECMA-376 Part 1, 18.8.39)
_ORDER = ["numFmts", "fonts", "fills", "borders", "cellStyleXfs", "cellXfs", "cellStyles", "dxfs",
          "tableStyles", "colors", "extLst"]
_ITEM = {"numFmts": "numFmt", "fonts": "font", "fills": "fill", "borders": "border", "cellStyleXfs": "xf",
         "cellXfs": "xf"}
_DEFAULTS = {
    "fonts": ['<font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'],
    "fills": ['<fill><patternFill patternType="none"/></fill>', '<fill><patternFill patternType="gray125"/></fill>'],
    "borders": ["<border><left/><right/><top/><bottom/><diagonal/></border>"],
    "cellStyleXfs": ['<xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'],
    "cellXfs": ['<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'],
    "numFmts": [],
}
EMPTY_STYLES = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<styleSheet xmlns="{MAIN}">'
                '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
                "</styleSheet>").encode("utf-8")


def key(el: etree._Element) -> str:
    """An entry's identity: names (by namespace, not prefix), attributes in any order, text and
    children; equal for entries that mean the same however they were written."""
    attrs = ",".join(f"{k}={v!r}" for k, v in sorted(el.attrib.items()))
    inner = "".join(key(c) for c in el if isinstance(c.tag, str))
    return f"<{el.tag} {attrs}>{(el.text or '').strip()}{inner}</>"


def _adopt(parent: etree._Element, el: etree._Element) -> etree._Element:
    """A copy of ``el`` built inside ``parent``, so it takes the prefixes the part declares."""
    new = etree.SubElement(parent, el.tag, attrib=dict(el.attrib))
    new.text = el.text
    for c in el:
        if isinstance(c.tag, str):
            _adopt(new, c).tail = c.tail
    return new


@dataclass(slots=True)
class _Section:
    name: str
    block: etree._Element
    els: list[etree._Element]
    items: list[str]  # keys of the entries the part had
    added: list[str] = field(default_factory=list)
    _index: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for i, k in enumerate(self.items):
            self._index.setdefault(k, i)

    def index_of(self, el: etree._Element) -> int | None:
        return self._index.get(key(el))

    def add(self, el: etree._Element) -> int:
        k = key(el)
        found = self._index.get(k)
        if found is not None:
            return found
        self.els.append(_adopt(self.block, el))
        self.added.append(k)
        self._index[k] = len(self.els) - 1
        return len(self.els) - 1


class StyleBook:
    """The styles part, with append-only helpers that return indices usable in ``s=""``."""

    def __init__(self, xml: bytes | str | None, name: str = "xl/styles.xml"):
        self.doc = XmlPart(EMPTY_STYLES if xml is None else xml, name)
        self.created = xml is None
        root = self.doc.root
        if local(root) != "styleSheet":
            raise ValueError("styles part has no styleSheet")
        self.ns = ns_of(root)
        self._grew = False
        self.sections: dict[str, _Section] = {}
        for sec in ("numFmts", "fonts", "fills", "borders", "cellStyleXfs", "cellXfs"):
            block = child(root, self.ns, sec)
            if block is None:
                block = insert_ordered(root, make(root, self.ns, sec), _ORDER)
                for xml_item in _DEFAULTS[sec]:
                    _adopt(block, self.element(xml_item))
                self._grew = bool(_DEFAULTS[sec]) or self._grew
            els = list(children(block, self.ns, _ITEM[sec]))
            self.sections[sec] = _Section(sec, block, els, [key(e) for e in els])
        self._base_font()

    # -- parsing -------------------------------------------------------------------------
    def element(self, xml: str) -> etree._Element:
        """An entry written without a namespace (or as the record keeps it), in this part's namespace."""
        wrapper = etree.fromstring(f'<w xmlns="{self.ns}">{xml}</w>'.encode("utf-8"),
                                   etree.XMLParser(resolve_entities=False, no_network=True))
        return wrapper[0]  # left in its wrapper: its namespace stays the default one

    def text(self, el: etree._Element) -> str:
        """An entry as standalone XML text (for the mark record)."""
        return etree.tostring(el, encoding="unicode", with_tail=False)

    def _base_font(self) -> None:
        fonts = self.sections["fonts"].els
        first = fonts[0] if fonts else None
        vals: dict[str, str] = {}
        for tag in ("sz", "name", "family", "charset", "scheme"):
            el = None if first is None else child(first, self.ns, tag)
            if el is not None and el.get("val") is not None:
                vals[tag] = el.get("val")
        vals.setdefault("sz", "11")
        vals.setdefault("name", "Calibri")
        try:
            self._base_size = float(vals["sz"])
        except ValueError:
            self._base_size, vals["sz"] = 11.0, "11"
        self._font_vals = vals

    # -- adding --------------------------------------------------------------------------
    def font(self, *, bold: bool = False, underline: bool = False, color: str | None = None,
             size_delta: float = 0) -> int:
        vals = dict(self._font_vals)
        if size_delta:
            vals["sz"] = f"{self._base_size + size_delta:g}"
        font = self.element("<font/>")
        # CT_Font children in the order Excel writes them: b, u, sz, color, name, family, charset, scheme
        if bold:
            font.append(make(font, self.ns, "b"))
        if underline:
            font.append(make(font, self.ns, "u"))
        font.append(make(font, self.ns, "sz", {"val": vals["sz"]}))
        if color:
            font.append(make(font, self.ns, "color", {"rgb": f"FF{color}"}))
        for tag in ("name", "family", "charset", "scheme"):
            if tag in vals:
                font.append(make(font, self.ns, tag, {"val": vals[tag]}))
        return self.sections["fonts"].add(font)

    def fill(self, rgb: str) -> int:
        return self.sections["fills"].add(self.element(
            f'<fill><patternFill patternType="solid"><fgColor rgb="FF{rgb.upper()}"/>'
            '<bgColor indexed="64"/></patternFill></fill>'))

    def num_fmt(self, code: str) -> int:
        """Id of a number format code, appending it with a free id >= 164 when new."""
        used = []
        for el in self.sections["numFmts"].els:
            fid = el.get("numFmtId", "")
            if fid.isdigit() and el.get("formatCode") == code:
                return int(fid)
            if fid.isdigit():
                used.append(int(fid))
        new_id = max([163, *used]) + 1
        self.sections["numFmts"].add(make(self.sections["numFmts"].block, self.ns, "numFmt",
                                          {"numFmtId": str(new_id), "formatCode": code}))
        return new_id

    def xf(self, *, num_fmt: int = 0, font: int = 0, fill: int = 0, align: dict[str, str] | None = None,
           quote_prefix: bool = False) -> int:
        el = self.element(f'<xf numFmtId="{num_fmt}" fontId="{font}" fillId="{fill}" borderId="0" xfId="0"/>')
        for attr, on in (("applyNumberFormat", num_fmt), ("applyFont", font), ("applyFill", fill),
                         ("applyAlignment", align), ("quotePrefix", quote_prefix)):
            if on:
                el.set(attr, "1")
        if align:
            el.append(make(el, self.ns, "alignment", align))
        return self.add_xf(el)

    def add_xf(self, el: etree._Element) -> int:
        return self.sections["cellXfs"].add(el)

    def xf_el(self, index: int) -> etree._Element | None:
        els = self.sections["cellXfs"].els
        return els[index] if 0 <= index < len(els) else None

    def fill_el(self, index: int) -> etree._Element | None:
        els = self.sections["fills"].els
        return els[index] if 0 <= index < len(els) else None

    @property
    def changed(self) -> bool:
        return self._grew or any(s.added for s in self.sections.values())

    # -- writing -------------------------------------------------------------------------
    def render(self) -> bytes:
        for section in self.sections.values():
            if section.added or self._grew:
                section.block.set("count", str(len(section.els)))
        numfmts = self.sections["numFmts"].block
        if not len(numfmts):  # an empty <numFmts/> is not allowed (minOccurs 1 of numFmt)
            numfmts.getparent().remove(numfmts)
        return self.doc.to_bytes()


def fill_id(xf: etree._Element) -> int:
    v = xf.get("fillId", "0")
    return int(v) if v.isdigit() else 0


def with_fill(xf: etree._Element, fill: int) -> etree._Element:
    """A copy of a cell format with only its fill changed."""
    from copy import deepcopy

    out = deepcopy(xf)
    out.set("fillId", str(fill))
    out.set("applyFill", "1")
    return out


def solid_rgb(fill: etree._Element | None) -> str:
    """RRGGBB of a solid fill given as an explicit colour; "" for none, theme or indexed colours."""
    if fill is None:
        return ""
    pattern = next(fill.iter(q(ns_of(fill), "patternFill")), None)
    if pattern is None or pattern.get("patternType") != "solid":
        return ""
    fg = child(pattern, ns_of(fill), "fgColor")
    rgb = "" if fg is None else (fg.get("rgb") or "")
    return rgb[-6:].upper() if len(rgb) in (6, 8) and all(c in "0123456789abcdefABCDEF" for c in rgb) else ""
