"""Change the style index of a few cells of a parsed worksheet part.

Only the ``s`` attribute of the targeted cells changes (a missing cell or row is inserted empty,
in row and column order); every other element and attribute stays as it was. Rows and cells
without an ``r`` attribute take the position after the one before them, as the schema says.
"""

from __future__ import annotations

from collections.abc import Callable

from lxml import etree

from cpdsheets.doors.xml_text import column_letters, split_a1
from cpdsheets.doors.ooxml.xml_tree import child, children, make, ns_of, q

Restyle = Callable[[int, int, int], int]  # (row, col, old s) -> new s


def _int(v: str | None, default: int) -> int:
    return int(v) if v is not None and v.isdigit() else default


def _rows(data: etree._Element, ns: str, wanted: set[int]) -> dict[int, etree._Element]:
    """The rows numbered ``wanted`` that exist; only those are kept (a Python object for each of a
    sheet's 150,000 rows would cost seconds to free)."""
    out: dict[int, etree._Element] = {}
    n = 0
    last = max(wanted, default=0)
    for row in data.iterchildren(q(ns, "row")):
        try:
            n = int(row.get("r"))
        except (TypeError, ValueError):  # no r=: the row after the one before
            n += 1
        if n in wanted and n not in out:
            out[n] = row
        elif n > last:
            break
    return out


def _next_rows(data: etree._Element, ns: str, missing: list[int]) -> dict[int, etree._Element]:
    """For each missing row number (ascending), the first existing row after it, in one pass."""
    out: dict[int, etree._Element] = {}
    i, n = 0, 0
    for row in data.iterchildren(q(ns, "row")):
        if i == len(missing):
            break
        try:
            n = int(row.get("r"))
        except (TypeError, ValueError):
            n += 1
        while i < len(missing) and n > missing[i]:
            out[missing[i]] = row
            i += 1
    return out


def _cells(row: etree._Element, ns: str) -> list[tuple[int, etree._Element]]:
    out = []
    col = -1
    for c in children(row, ns, "c"):
        ref = c.get("r")
        try:
            col = split_a1(ref)[1] if ref else col + 1
        except ValueError:
            col += 1
        out.append((col, c))
    return out


def restyle_cells_at(root: etree._Element, cells: dict[int, list[int]], restyle: Restyle) -> bool:
    """``cells`` maps 1-based row -> 0-based columns. Returns whether a cell or row was inserted."""
    if not cells:
        return False
    ns = ns_of(root)
    data = child(root, ns, "sheetData")
    if data is None:
        raise ValueError("worksheet without sheetData")
    rows = _rows(data, ns, set(cells))
    later_rows = _next_rows(data, ns, sorted(set(cells) - set(rows)))
    inserted = False
    for r in sorted(cells):
        row = rows.get(r)
        if row is None:
            row = make(data, ns, "row", {"r": str(r)})
            later = later_rows.get(r)
            if later is not None:
                later.addprevious(row)
            else:
                data.append(row)
            rows[r] = row
        have = _cells(row, ns)
        by_col = {col: c for col, c in have}
        for col in sorted(set(cells[r])):
            c = by_col.get(col)
            if c is not None:
                old = _int(c.get("s"), 0)
                new = restyle(r, col, old)
                if new != old and new == 0:  # the default format is no `s` at all, as Excel and openpyxl write it
                    c.attrib.pop("s", None)
                elif new != old:
                    c.set("s", str(new))
                continue
            new = restyle(r, col, 0)
            if not new:
                continue
            c = make(row, ns, "c", {"r": f"{column_letters(col)}{r}", "s": str(new)})
            later = next((x for k, x in have if k > col), None)
            if later is not None:
                later.addprevious(c)
            else:
                row.append(c)
            have = _cells(row, ns)
            inserted = True
            if "spans" in row.attrib:  # an optimisation hint that no longer covers the row
                del row.attrib["spans"]
    return inserted


def drop_blank_cells(root: etree._Element, refs: list[tuple[int, int]]) -> None:
    """Cells inserted only to carry a mark are empty with the default format again: take them
    out, and a row left with nothing but its number with them."""
    ns = ns_of(root)
    data = child(root, ns, "sheetData")
    if data is None:
        return
    rows = _rows(data, ns, {r for r, _ in refs})
    for r, c in refs:
        row = rows.get(r)
        if row is None:
            continue
        for col, cell in _cells(row, ns):
            if col == c and len(cell) == 0 and set(cell.attrib) <= {"r", "s"} and cell.get("s", "0") == "0":
                row.remove(cell)
        if len(row) == 0 and set(row.attrib) <= {"r"}:
            data.remove(row)
            del rows[r]
