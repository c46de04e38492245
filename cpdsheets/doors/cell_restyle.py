"""Change the style index of a few cells in a worksheet part in one forward pass over its text.

Only the ``s`` attribute of the targeted cells changes (a missing cell or row is inserted empty);
every other byte of the sheet stays as it was.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from cpdsheets.doors.xml_text import column_index, column_letters

_ROW = re.compile(r'<(\w+:)?row\b[^>]*?\sr="(\d+)"[^>]*?(/?)>')
_CELL = re.compile(r'<(?:\w+:)?c\b[^>]*?\sr="([A-Z]+)(\d+)"[^>]*?(/?)>')
_S = re.compile(r'\ss="(\d*)"')
_SPANS = re.compile(r'\sspans="[^"]*"')


def _restyle_tag(tag: str, restyle: Callable[[int], int]) -> str:
    m = _S.search(tag)
    old = int(m.group(1) or 0) if m else 0
    new = restyle(old)
    if new == old:
        return tag
    if m:
        return tag[: m.start()] + f' s="{new}"' + tag[m.end():]
    cut = tag.index("c", 1) + 1  # after "<c" or "<x:c"
    return tag[:cut] + f' s="{new}"' + tag[cut:]


def _new_cell(prefix: str, row: int, col: int, restyle: Callable[[int, int, int], int]) -> str:
    new = restyle(row, col, 0)
    return f'<{prefix}c r="{column_letters(col)}{row}" s="{new}"/>' if new else ""


def _restyle_row(content: str, prefix: str, row: int, cols: list[int],
                 restyle: Callable[[int, int, int], int]) -> tuple[str, bool]:
    """Returns the new row content and whether a cell had to be inserted."""
    out: list[str] = []
    pos = 0
    pending = sorted(cols)
    inserted = False
    for m in _CELL.finditer(content):
        if not pending:
            break
        col = column_index(m.group(1))
        while pending and pending[0] < col:
            out.append(content[pos:m.start()])
            pos = m.start()
            out.append(_new_cell(prefix, row, pending.pop(0), restyle))
            inserted = True
        if pending and pending[0] == col:
            pending.pop(0)
            out.append(content[pos:m.start()])
            out.append(_restyle_tag(m.group(0), lambda old: restyle(row, col, old)))
            pos = m.end()
    out.append(content[pos:])
    for col in pending:
        out.append(_new_cell(prefix, row, col, restyle))
        inserted = True
    return "".join(out), inserted


def restyle_cells(xml: str, cells: dict[int, list[int]], restyle: Callable[[int], int]) -> str:
    """``cells`` maps 1-based row -> 0-based columns; ``restyle(old_s) -> new_s``."""
    return restyle_cells_at(xml, cells, lambda _row, _col, old: restyle(old))


def restyle_cells_at(xml: str, cells: dict[int, list[int]], restyle: Callable[[int, int, int], int]) -> str:
    """As :func:`restyle_cells`, with ``restyle(row, col, old_s) -> new_s`` told which cell it styles."""
    if not cells:
        return xml
    start = re.search(r"<(\w+:)?sheetData\b[^>]*?(/?)>", xml)
    if start is None:
        raise ValueError("worksheet without sheetData")
    prefix = start.group(1) or ""
    if start.group(2):  # <sheetData/>: no rows at all
        rows = "".join(f'<{prefix}row r="{r}">' + _restyle_row("", prefix, r, cells[r], restyle)[0]
                       + f"</{prefix}row>" for r in sorted(cells))
        return xml[: start.start()] + f"<{prefix}sheetData>{rows}</{prefix}sheetData>" + xml[start.end():]
    end_data = xml.index(f"</{prefix}sheetData>", start.end())
    out: list[str] = []
    pos = 0
    search_from = start.end()
    for r in sorted(cells):
        # Fast path: Excel and most writers put r= first, so the row tag can be found directly.
        at = xml.find(f'<{prefix}row r="{r}"', search_from, end_data)
        m = _ROW.match(xml, at) if at != -1 else None
        if m is None or int(m.group(2)) != r:
            while True:
                m = _ROW.search(xml, search_from, end_data)
                if m is None or int(m.group(2)) >= r:
                    break
                search_from = m.end()
        if m is not None and int(m.group(2)) == r:
            tag = m.group(0)
            if m.group(3):  # <row .../>
                content, _ = _restyle_row("", prefix, r, cells[r], restyle)
                out.append(xml[pos:m.start()])
                out.append(_SPANS.sub("", tag[:-2].rstrip()) + ">" + content + f"</{prefix}row>")
                pos = search_from = m.end()
            else:
                close = xml.index(f"</{prefix}row>", m.end())
                content, inserted = _restyle_row(xml[m.end():close], prefix, r, cells[r], restyle)
                out.append(xml[pos:m.start()])
                out.append(_SPANS.sub("", tag) if inserted else tag)
                out.append(content)
                pos = search_from = close
        else:
            at = m.start() if m is not None else end_data
            content, _ = _restyle_row("", prefix, r, cells[r], restyle)
            if content:
                out.append(xml[pos:at])
                out.append(f'<{prefix}row r="{r}">{content}</{prefix}row>')
                pos = search_from = at
    out.append(xml[pos:])
    return "".join(out)
