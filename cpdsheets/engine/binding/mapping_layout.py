"""映射 written again (a re-bind) around what staff typed in it, not from scratch.

The table is staff's: besides its four columns they add columns of their own (a 备注), notes in
rows of their own, and put the lines in the order they read them in. Writing the binding afresh
would drop all of that. So the existing sheet's rows are the starting point, each kept whole:
- a line the binding still states, meaning the same, stays exactly as typed (its spelling, its
  extra cells, its place);
- a line whose meaning the binding changed gets the binding's four cells; its extra cells stay;
- a line the binding no longer states goes (a narrower binding written on purpose), except the
  column lines of a sheet 映射 leaves out: they say nothing while the sheet is not read, and staff
  keep them to read it again later;
- a row that is no line (blank in the four columns: a note, a spacer) stays where it is;
- a line new to the binding goes after the last row of its sheet, or at the end for a new sheet.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ...contract.binding import HEADER_ROW_LINE, MAPPING_HEADERS, NOT_KEPT, WHOLE_SHEET, Binding
from ...contract.book import RawSheet
from ..normalize import header_key
from .mapping_sheet import (
    cell_text, field_of, find_header, mapping_rows, not_kept_of, read_mapping, says_not_kept, target_of,
)

# What identifies a line: its sheet, its kind, and for a column its header (with the occurrence, as a
# sheet may have two columns headed alike) or for a default line its field.
LineKey = tuple[str, ...]


@dataclass(slots=True)
class Relaid:
    rows: list[list[Any]]  # the new 映射: values as typed, the binding's cells as text
    header_at: int  # 0-based row of its header
    row_of: dict[int, int]  # 0-based row of a kept row in the old table -> its row now (for its cell notes)


def relaid_rows(existing: RawSheet, binding: Binding) -> Relaid | None:
    """The new 映射 laid out around ``existing``; None when it has no 映射 header to lay out around."""
    rows = existing.rows
    header_at, cols = find_header(rows)
    if header_at is None:
        return None
    old, _ = read_mapping(existing)
    old_targets = {s.sheet: s.target for s in old.sheets}
    new_targets = {s.sheet: s.target for s in binding.sheets}
    left_out = set(binding.left_out)

    wanted: dict[LineKey, list[str]] = {}
    for key, line in _keyed(mapping_rows(binding)[1:], new_targets):
        if key is not None:
            wanted[key] = line

    width = max(cols) + 1
    head = [list(r) for r in rows[:header_at + 1]]
    if len(head[header_at]) <= cols[3]:  # no 默认值 column: the binding's defaults need one
        head[header_at] += [""] * (cols[3] - len(head[header_at])) + [MAPPING_HEADERS[3]]
    body: list[tuple[int, list[Any]]] = []  # (old row, row)
    last_of_sheet: dict[str, int] = {}
    placed: set[LineKey] = set()
    typed = [list(r) for r in rows[header_at + 1:]]
    texts = [[cell_text(r[c]) if c < len(r) else "" for c in cols] for r in typed]
    for i, (row, (key, line)) in enumerate(zip(typed, _keyed(texts, old_targets, blank=True))):
        old_row = header_at + 1 + i
        if key is None:  # not a line: a note, a spacer
            body.append((old_row, row))
            continue
        sheet = key[0]
        new = wanted.get(key)
        if new is None or key in placed:
            if sheet in left_out and key[1] != "sheet":
                body.append((old_row, row))
                last_of_sheet[sheet] = len(body)
            continue
        placed.add(key)
        if _meaning(line, old_targets.get(sheet)) != _meaning(new, new_targets.get(sheet)):
            row = row + [""] * (width - len(row))
            for c, value in zip(cols, _typed_cells(new)):
                row[c] = value
        body.append((old_row, row))
        last_of_sheet[sheet] = len(body)

    added: dict[int, list[list[Any]]] = {}
    for key, line in wanted.items():
        if key in placed:
            continue
        at = last_of_sheet.get(key[0], len(body))
        added.setdefault(at, []).append(_in_columns(_typed_cells(line), cols))
    out = list(head)
    row_of = {r: r for r in range(len(head))}
    for i in range(len(body) + 1):
        out += added.get(i, [])
        if i < len(body):
            row_of[body[i][0]] = len(out)
            out.append(body[i][1])
    return Relaid(out, header_at, row_of)


def _keyed(lines: list[list[str]], targets: dict[str, str],
           blank: bool = False) -> Iterator[tuple[LineKey | None, list[str]]]:
    """(key, the four texts) of each line, in order; with ``blank``, (None, texts) for a row that is
    no line, so the keys stay in step with the rows."""
    seen: dict[LineKey, int] = {}
    for texts in lines:
        sheet, header, field, _ = texts
        if not sheet:
            if blank or any(texts):
                yield None, texts
            continue
        key = _key(sheet, header, field, targets.get(sheet))
        n = seen.get(key, 0)
        seen[key] = n + 1
        yield (*key, str(n)) if n else key, texts


def _key(sheet: str, header: str, field: str, target: str | None) -> LineKey:
    if says_not_kept(sheet):  # one line per log, however 本校不登记 is spelt
        return (NOT_KEPT, "not-kept", not_kept_of(field) or header_key(field))
    kind = _kind(header)
    if kind == "column" and not header:
        found = field_of(target, field) if target else None
        return (sheet, "default", header_key(field) if found is None else found)
    return (sheet, kind, header) if kind == "column" else (sheet, kind)


def _kind(header: str) -> str:
    if header == WHOLE_SHEET or header_key(header) == header_key(WHOLE_SHEET):
        return "sheet"
    if header == HEADER_ROW_LINE or header_key(header) == header_key(HEADER_ROW_LINE):
        return "header-row"
    return "column"


def _meaning(texts: list[str], target: str | None) -> tuple[Any, ...]:
    """What a line says, whatever way it is spelt (`不用` and `（不用）`, `3` and `3.0`)."""
    _, header, field, default = texts
    kind = _kind(header)
    if kind == "sheet":
        return kind, target_of(field), default
    if kind == "header-row":
        try:
            return kind, int(float(default))
        except ValueError:
            return kind, default
    return kind, field_of(target, field) if target else header_key(field), default


def _typed_cells(line: list[str]) -> list[Any]:
    # the header-row line's row number as a number: Excel flags a number stored as text
    if line[1] == HEADER_ROW_LINE and line[3].isdigit():
        return [*line[:3], int(line[3])]
    return list(line)


def _in_columns(values: list[Any], cols: list[int]) -> list[Any]:
    row: list[Any] = [""] * (max(cols) + 1)
    for c, value in zip(cols, values):
        row[c] = value
    return row
