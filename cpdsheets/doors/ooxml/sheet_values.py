"""A small worksheet's values by position, whoever wrote it (inline or shared strings): the mark
record and the first rows of a tab whose ownership is being judged."""

from __future__ import annotations

import re

from lxml import etree

from cpdsheets.doors.ooxml import opc
from cpdsheets.doors.ooxml.workbook_parts import Workbook
from cpdsheets.doors.xml_text import split_a1
from cpdsheets.doors.ooxml.xml_tree import XmlPart, child, children, local, ns_of, q
from cpdsheets.doors.ooxml.zip_package import Package

SHARED_STRINGS_REL = opc.REL + "/sharedStrings"
_EXCEL_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def _unescape(text: str) -> str:
    return _EXCEL_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text) if "_x" in text else text


def string_item(si: etree._Element) -> str:
    """The text of a shared-string item or inline string: its <t>, or its runs' <t>, not the
    phonetic (rPh) runs."""
    ns = ns_of(si)
    parts = []
    for el in si.iter(q(ns, "t")):
        if local(el.getparent()) != "rPh":
            parts.append(el.text or "")
    return _unescape("".join(parts))


def shared_strings(pkg: Package, wb: Workbook) -> list[str]:
    rel = wb.rels.of_type(SHARED_STRINGS_REL)
    part = wb.rels.target_of(rel) if rel else ""
    if not part or not pkg.has(part):
        return []
    root = XmlPart(pkg.read(part), part).root
    return [string_item(si) for si in children(root, ns_of(root), "si")]


def sheet_values(xml: bytes, strings: list[str], max_rows: int | None = None) -> list[list[object]]:
    root = XmlPart(xml, "sheet").root
    ns = ns_of(root)
    data = child(root, ns, "sheetData")
    grid: dict[tuple[int, int], object] = {}
    for row in () if data is None else children(data, ns, "row"):
        for c in children(row, ns, "c"):
            ref = c.get("r")
            if not ref:
                continue
            try:
                rc = split_a1(ref)
            except ValueError:
                continue
            if max_rows is not None and rc[0] > max_rows:
                break
            kind = c.get("t") or "n"
            v = child(c, ns, "v")
            if kind == "inlineStr":
                inline = child(c, ns, "is")
                value: object = "" if inline is None else string_item(inline)
            elif v is None:
                continue
            elif kind == "s":
                i = int(v.text) if (v.text or "").strip().isdigit() else -1
                value = strings[i] if 0 <= i < len(strings) else ""
            elif kind in ("str", "e"):
                value = _unescape(v.text or "")
            else:
                try:
                    value = float(v.text or "")
                except ValueError:
                    value = _unescape(v.text or "")
            grid[rc] = value
        if max_rows is not None and grid and max(r for r, _ in grid) >= max_rows:
            break
    if not grid:
        return []
    height = max(r for r, _ in grid)
    width = max(c for _, c in grid) + 1
    return [[grid.get((r, c)) for c in range(width)] for r in range(1, height + 1)]
