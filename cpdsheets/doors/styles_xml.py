"""Append the few styles the add-in needs to an existing styles.xml, never renumbering any.

Every existing font, fill, number format and cell format keeps its index and its exact text, so
cells on the input sheets look and mean the same. Our entries are found again by their exact text,
so a second run reuses them instead of appending more.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from cpdsheets.doors.xml_text import attr_xml

_ORDER = ["numFmts", "fonts", "fills", "borders", "cellStyleXfs", "cellXfs"]
_ITEM = {"numFmts": "numFmt", "fonts": "font", "fills": "fill", "borders": "border", "cellXfs": "xf"}


@dataclass(slots=True)
class _Section:
    name: str
    items: list[str]
    added: list[str] = field(default_factory=list)

    def index_of(self, xml: str) -> int | None:
        for i, item in enumerate(self.items):
            if item == xml:
                return i
        for i, item in enumerate(self.added):
            if item == xml:
                return len(self.items) + i
        return None

    def add(self, xml: str) -> int:
        found = self.index_of(xml)
        if found is not None:
            return found
        self.added.append(xml)
        return len(self.items) + len(self.added) - 1


class StyleBook:
    """The styles part, with append-only helpers that return indices usable in ``s=""``."""

    def __init__(self, xml: str):
        self.xml = xml
        root = re.search(r"<(\w+:)?styleSheet\b", xml)
        if not root:
            raise ValueError("styles.xml has no styleSheet")
        self.prefix = root.group(1) or ""
        self.sections: dict[str, _Section] = {}
        for name in _ORDER:
            if name == "cellStyleXfs":
                continue
            inner = self._inner(name)
            item = self.prefix + _ITEM[name]
            pattern = rf"<{item}\b[^>]*?/>|<{item}\b[^>]*>.*?</{item}>"
            self.sections[name] = _Section(name, re.findall(pattern, inner or "", re.S))
        self._base_font = self._font_basics()

    # -- parsing -------------------------------------------------------------------------
    def _block(self, name: str, xml: str | None = None) -> re.Match[str] | None:
        tag = self.prefix + name
        return re.search(rf"<{tag}\b[^>]*?(?:/>|>(.*?)</{tag}>)", self.xml if xml is None else xml, re.S)

    def _inner(self, name: str) -> str | None:
        m = self._block(name)
        return None if m is None else (m.group(1) or "")

    def _font_basics(self) -> str:
        fonts = self.sections["fonts"].items
        first = fonts[0] if fonts else ""
        parts = []
        for tag in ("sz", "name", "family", "charset", "scheme"):
            m = re.search(rf"<(?:\w+:)?{tag}\b[^>]*?val=\"([^\"]*)\"", first)
            if m:
                parts.append((tag, m.group(1)))
        if not any(t == "sz" for t, _ in parts):
            parts.insert(0, ("sz", "11"))
        if not any(t == "name" for t, _ in parts):
            parts.insert(1, ("name", "Calibri"))
        self._base_size = float(dict(parts)["sz"])
        return "".join(f'<{tag} val="{attr_xml(v)}"/>' for tag, v in parts)

    def _p(self, xml: str) -> str:
        """Give generated elements the part's namespace prefix, if it uses one."""
        return re.sub(r"<(/?)(\w)", rf"<\1{self.prefix}\2", xml) if self.prefix else xml

    # -- adding --------------------------------------------------------------------------
    def font(self, *, bold: bool = False, underline: bool = False, color: str | None = None,
             size_delta: float = 0) -> int:
        base = self._base_font
        if size_delta:
            size = self._base_size + size_delta
            base = re.sub(r'<sz val="[^"]*"/>', f'<sz val="{size:g}"/>', base)
        # CT_Font children in the order Excel writes them: b, u, sz, color, name, family, ...
        head = ("<b/>" if bold else "") + ('<u/>' if underline else "")
        sz, rest = base.split("/>", 1)
        colour = f'<color rgb="FF{color}"/>' if color else ""
        return self.sections["fonts"].add(self._p(f"<font>{head}{sz}/>{colour}{rest}</font>"))

    def fill(self, rgb: str) -> int:
        xml = (f'<fill><patternFill patternType="solid"><fgColor rgb="FF{rgb.upper()}"/>'
               f'<bgColor indexed="64"/></patternFill></fill>')
        return self.sections["fills"].add(self._p(xml))

    def num_fmt(self, code: str) -> int:
        """Id of a number format code, appending it with a free id >= 164 when new."""
        section = self.sections["numFmts"]
        used = []
        for item in section.items + section.added:
            fid = re.search(r'numFmtId="(\d+)"', item)
            fcode = re.search(r'formatCode="([^"]*)"', item)
            if fid and fcode and fcode.group(1) == attr_xml(code):
                return int(fid.group(1))
            if fid:
                used.append(int(fid.group(1)))
        new_id = max([163, *used]) + 1
        section.added.append(self._p(f'<numFmt numFmtId="{new_id}" formatCode="{attr_xml(code)}"/>'))
        return new_id

    def xf(self, *, num_fmt: int = 0, font: int = 0, fill: int = 0, align: str = "") -> int:
        attrs = f'numFmtId="{num_fmt}" fontId="{font}" fillId="{fill}" borderId="0" xfId="0"'
        attrs += ' applyNumberFormat="1"' if num_fmt else ""
        attrs += ' applyFont="1"' if font else ""
        attrs += ' applyFill="1"' if fill else ""
        if align:
            return self.add_xf_xml(f'<xf {attrs} applyAlignment="1"><alignment {align}/></xf>')
        return self.add_xf_xml(f"<xf {attrs}/>")

    def add_xf_xml(self, xml: str) -> int:
        return self.sections["cellXfs"].add(self._p(xml) if not xml.startswith(f"<{self.prefix}xf") else xml)

    def xf_xml(self, index: int) -> str | None:
        s = self.sections["cellXfs"]
        allx = s.items + s.added
        return allx[index] if 0 <= index < len(allx) else None

    def fill_xml(self, index: int) -> str | None:
        s = self.sections["fills"]
        allf = s.items + s.added
        return allf[index] if 0 <= index < len(allf) else None

    @property
    def changed(self) -> bool:
        return any(s.added for s in self.sections.values())

    # -- writing -------------------------------------------------------------------------
    def render(self) -> str:
        xml = self.xml
        for name in ("cellXfs", "borders", "fills", "fonts", "numFmts"):  # back to front: spans stay valid
            section = self.sections[name]
            if not section.added:
                continue
            tag = self.prefix + name
            count = len(section.items) + len(section.added)
            m = self._block(name, xml)
            if m is None:
                anchor = re.search(rf"<{self.prefix}fonts\b", xml) if name == "numFmts" else None
                if anchor is None:
                    raise ValueError(f"styles.xml lacks <{name}>")
                block = f'<{tag} count="{count}">{"".join(section.added)}</{tag}>'
                xml = xml[: anchor.start()] + block + xml[anchor.start():]
                continue
            open_tag = re.match(rf"<{tag}\b[^>]*?(?=/?>)", m.group(0)).group(0)
            if 'count="' in open_tag:
                open_tag = re.sub(r'count="\d*"', f'count="{count}"', open_tag)
            else:
                open_tag += f' count="{count}"'
            inner = m.group(1) or ""
            block = f"{open_tag}>{inner}{''.join(section.added)}</{tag}>"
            xml = xml[: m.start()] + block + xml[m.end():]
        return xml
