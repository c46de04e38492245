"""Formula cells a worksheet part keeps no result for.

Excel and LibreOffice save each formula with its last result (``<c r="G3"><f>B3*2</f><v>4</v></c>``),
and that result is what calamine reads. A writer that does not calculate leaves it out: openpyxl
drops every cached result of a book it loads and saves (``<v></v>``), a script may write formulas
with none. Such a cell reads as blank, so the reader reports where they are and the jobs say so
instead of calling the cell empty. The formula text is reported, never evaluated.
"""

from __future__ import annotations

import re
from html import unescape

# A cell element, any namespace prefix (docs/SPEC.md: `x:` may stand for SpreadsheetML), and its content.
_CELL = re.compile(rb"<(?P<p>(?:[A-Za-z_][\w.-]*:)?)c\b(?P<attrs>[^>]*?)(?:/>|>(?P<body>.*?)</(?P=p)c>)", re.DOTALL)
_REF = re.compile(rb"""\br\s*=\s*["']([A-Za-z]{1,3}\d{1,7})["']""")
_TYPE = re.compile(rb"""\bt\s*=\s*["'](\w+)["']""")
_FORMULA = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f\b[^>]*?(?:/>|>(?P<text>.*?)</(?:[A-Za-z_][\w.-]*:)?f>)", re.DOTALL)
_VALUE = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?v\b[^>]*?(?:/>|>(?P<text>.*?)</(?:[A-Za-z_][\w.-]*:)?v>)", re.DOTALL)
_INLINE = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?is\b")
# Where a formula is followed by no result: `</f></c>`, `</f><v></v>`, `<f t="shared" si="0"/><v/>`. Starting
# from the element name's last letter keeps the search fast on a sheet of calculated formulas; a false
# hit only costs the exact look at its cell.
_NO_RESULT_AFTER = rb"\s*(?:</(?:[\w.-]+:)?c>|<(?:[\w.-]+:)?v\s*/>|<(?:[\w.-]+:)?v>\s*</(?:[\w.-]+:)?v>)"
_SUSPECT = re.compile(rb"f>" + _NO_RESULT_AFTER + rb"|f\b[^<>]*/>" + _NO_RESULT_AFTER)
_JUNCTION = 256  # bytes either side of a chunk boundary that a pattern split by it may span


def may_lack_results(chunk: bytes, before: bytes = b"") -> bool:
    """Whether ``chunk`` (``before`` being the end of the previous one) may hold a formula without a
    result: searched chunk by chunk while the limits scan inflates a part (a few ms for 20 MB)."""
    return (_SUSPECT.search(chunk) is not None
            or (bool(before) and _SUSPECT.search(before[-_JUNCTION:] + chunk[:_JUNCTION]) is not None))


def uncalculated(xml: bytes) -> list[tuple[str, str]]:
    """(cell, formula) for every formula cell of a worksheet part with no saved result, in order.

    A string result may be empty (``t="str"`` and ``<v></v>``: the formula gave ""), so only a
    number, date or boolean cell without a value counts; a shared formula's other cells carry no
    text of their own and are reported as ``=…``."""
    out = []
    looked: set[int] = set()
    for suspect in _SUSPECT.finditer(xml):
        start = _cell_start(xml, suspect.start())
        if start < 0 or start in looked:
            continue
        looked.add(start)
        cell = _CELL.match(xml, start)
        if cell is None:
            continue
        body = cell.group("body")
        if not body:
            continue
        formula = _FORMULA.search(body)
        if formula is None:
            continue
        kind = _TYPE.search(cell.group("attrs"))
        kind_name = kind.group(1) if kind else b"n"
        value = _VALUE.search(body)
        if kind_name in (b"str", b"inlineStr", b"e") or _INLINE.search(body):
            continue
        if value is not None and (value.group("text") or b"").strip():
            continue
        ref = _REF.search(cell.group("attrs"))
        if ref is None:
            continue
        text = unescape((formula.group("text") or b"").decode("utf-8", "replace")).strip()
        out.append((ref.group(1).decode().upper(), "=" + text if text else "=…"))
    return out


def _cell_start(xml: bytes, pos: int) -> int:
    """Where the cell element holding ``pos`` opens (`<c r=` or a prefixed `<x:c r=`), -1 if none.

    Looked for just before ``pos`` first: a search back to the part's start for a spelling the part
    does not use, once per cell, would make a large sheet quadratic."""
    for reach in (4096, 1 << 20, pos):
        low = max(pos - reach, 0)
        plain = xml.rfind(b"<c ", low, pos)
        prefixed = xml.rfind(b":c ", max(plain + 1, low), pos)
        if prefixed > plain:
            prefixed = xml.rfind(b"<", low, prefixed)
        if max(plain, prefixed) >= 0:
            return max(plain, prefixed)
    return -1
