"""One school sheet's records for one contract sheet, with the school's cell each value came from.

Every shape (rows, sign-in grid, one tab per teacher) is read into a :class:`Piece`; the pieces feeding
one contract sheet are then laid end to end into one virtual sheet (engine.binding.materialise).
Values and origins are whole columns (lists and NumPy arrays), so a 20,000-row sheet costs no Python
loop per cell beyond reading it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ...contract.a1 import column_letters
from ...contract.findings import Finding, HeaderNotFound, MappedHeaderMissing, UnboundField
from ...contract.schema import SHEETS
from ..normalize import header_key
from ..sheet_frame import HEADER_SCAN_ROWS

NO_CELL = -1  # a value that is no cell of the school's (a 映射 default line): without its 映射 cell, a
# finding about it sits at the row's anchor


@dataclass(slots=True)
class Piece:
    sheet: str  # the school's sheet name
    target: str  # the contract sheet key it feeds
    header_row: int  # 1-based row of the school's header (0: none found)
    anchor_rows: np.ndarray  # per record: the 1-based school row a finding about the whole record sits on
    anchor_cols: np.ndarray  # per record: its 0-based column
    values: dict[str, list[Any]] = field(default_factory=dict)  # contract field -> value per record
    cell_rows: dict[str, np.ndarray] = field(default_factory=dict)  # field -> 1-based origin row per record
    cell_cols: dict[str, np.ndarray] = field(default_factory=dict)  # field -> 0-based origin column (NO_CELL)
    headers: dict[str, Any] = field(default_factory=dict)  # field -> the school's header: str, or one per record
    findings: list[Finding] = field(default_factory=list)
    unbound: set[str] = field(default_factory=set)  # required fields nothing feeds (one UnboundField each)
    # field -> per record: the value is 映射's default (a default line, or a column line's for a blank cell)
    defaulted: dict[str, np.ndarray] = field(default_factory=dict)
    # field -> the 映射 cell its default is typed in (sheet, 1-based row, 0-based column), when read
    # through a 映射 sheet: a finding about a defaulted value goes there, once (engine.binding.mapped_default)
    default_cells: dict[str, tuple[str, int, int]] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.anchor_rows)

    def header_of(self, key: str, i: int) -> str:
        h = self.headers.get(key, "")
        return h if isinstance(h, str) else str(h[i])

    def put(self, key: str, values: list[Any], rows: np.ndarray, cols: np.ndarray, header: Any,
            defaulted: np.ndarray | None = None) -> None:
        """``key``'s value and origin cell per record; ``defaulted`` marks the records whose value is
        映射's default (their origin is then where a finding falls back to without the 映射 cell)."""
        self.values[key] = values
        self.cell_rows[key] = rows
        self.cell_cols[key] = cols
        self.headers[key] = header
        if defaulted is not None and defaulted.any():
            self.defaulted[key] = defaulted
        else:
            self.defaulted.pop(key, None)

    def put_default(self, key: str, value: Any) -> None:
        """``value`` on every record, from 映射 (no cell of the school's holds it)."""
        n = len(self)
        self.put(key, [value] * n, self.anchor_rows, np.full(n, NO_CELL, dtype=np.int64),
                 SHEETS[self.target].column(key).header + "（映射默认值）", np.ones(n, bool))

    def mapping_cell(self, key: str, i: int) -> tuple[str, int, int] | None:
        """The 映射 cell record ``i``'s ``key`` value was typed in, when it is 映射's default."""
        took = self.defaulted.get(key)
        if took is None or not took[i]:
            return None
        return self.default_cells.get(key)


def empty_piece(sheet: str, target: str, header_row: int = 0) -> Piece:
    return Piece(sheet, target, header_row, np.zeros(0, np.int64), np.zeros(0, np.int64))


def is_blank(values: Sequence[Any] | np.ndarray) -> np.ndarray:
    return np.fromiter((v is None or (isinstance(v, str) and not v.strip()) for v in values), bool, len(values))


def pad(rows: list[list[Any]], width: int) -> list[list[Any]]:
    return [r if len(r) >= width else list(r) + [None] * (width - len(r)) for r in rows]


def find_header_row(rows: list[list[Any]], headers: list[str], header_row: int = 0) -> int | None:
    """The 0-based row holding most of ``headers`` (the binding's), among the first rows; or the 映射's
    own row number."""
    if header_row:
        return header_row - 1 if header_row <= len(rows) else None
    wanted = {header_key(h) for h in headers if h}
    best, best_hits = None, 0
    for r, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        hits = len(wanted & {header_key(v) for v in row if isinstance(v, str)})
        if hits > best_hits:
            best, best_hits = r, hits
    return best


def column_of(row: list[Any], header: str) -> int | None:
    key = header_key(header)
    for c, v in enumerate(row):
        if isinstance(v, str) and header_key(v) == key:
            return c
    return None


def header_not_found(sheet: str, headers: list[str]) -> Finding:
    return HeaderNotFound.at(sheet, cell="A1", rows=HEADER_SCAN_ROWS, expected="、".join(h for h in headers if h))


def missing_header(sheet: str, header_row: int, header: str, row: list[Any]) -> Finding:
    shown = "、".join(str(v).strip() for v in row if isinstance(v, str) and v.strip()) or "（无）"
    return MappedHeaderMissing.at(sheet, row=header_row, cell=f"A{header_row}", value=header, headers=shown)


def unbound_findings(piece: Piece, header_cells: list[Any], used: set[int]) -> list[Finding]:
    """One finding per required field nothing feeds, listing the school's columns no 映射 line uses."""
    spec = SHEETS[piece.target]
    candidates = "、".join(str(v).strip() for c, v in enumerate(header_cells)
                           if c not in used and isinstance(v, str) and v.strip()) or "（无）"
    row = piece.header_row or None
    out = []
    for col in spec.columns:
        if col.key not in piece.unbound:
            continue
        out.append(UnboundField.at(piece.sheet, row=row, cell=f"A{row}" if row else "A1", column=col.header,
                                   drops_row=col.drops_row, field=col.header, target=spec.name,
                                   candidates=candidates))
    return out


def a1(row: int, col: int) -> str:
    return f"{column_letters(col)}{row}"


_TEACHER_TITLE = re.compile(r"(?:教师姓名|教师|姓名|老师)\s*[:：]\s*([^\s:：,，;；()（）]+)")
_NAME_TEACHER = re.compile(r"^\s*([\u4e00-\u9fff·]{2,5}?)老师")


def teacher_in_text(text: str) -> str | None:
    """`教师：王芳`, `姓名: 王芳 学科：语文`, `王芳老师培训记录` -> 王芳."""
    m = _TEACHER_TITLE.search(text) or _NAME_TEACHER.search(text)
    return m.group(1) if m else None
