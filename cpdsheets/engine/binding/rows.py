"""A school sheet with one record per row (shape ``rows``; ``per_teacher`` adds its teacher): its
header row found, each mapped column taken whole, 映射 defaults applied where a cell is blank."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ...contract.binding import SheetBinding
from ...contract.book import RawSheet
from ...contract.schema import SHEETS
from ..sheet_frame import fill_merged
from .piece import (
    Piece, column_of, empty_piece, find_header_row, header_not_found, is_blank, missing_header, pad,
    unbound_findings,
)


@dataclass(frozen=True, slots=True)
class Teacher:
    """Whose records a per-teacher tab holds, and the school's cell that says so."""

    value: str
    row: int  # 1-based
    col: int  # 0-based
    header: str  # what to call it in a finding: `教师（标题）`, `教师（工作表名）`
    from_mapping: bool = False  # the sheet line's 默认值 in 映射 names the teacher


def rows_piece(sheet: RawSheet, sb: SheetBinding, teacher: Teacher | None = None) -> Piece:
    rows = fill_merged(sheet)
    named = [c.header for c in sb.columns if c.header]
    h = find_header_row(rows, named, sb.header_row)
    if h is None:
        piece = empty_piece(sheet.name, sb.target)
        piece.findings.append(header_not_found(sheet.name, named))
        return piece
    header = rows[h]
    body = rows[h + 1:]
    width = max(map(len, rows[h:]), default=0)
    body = pad(body, width)
    columns = list(zip(*body)) if body else []

    piece_findings = []
    cols: dict[str, int] = {}
    used: set[int] = set()
    missing: set[str] = set()
    for line in sb.columns:
        if not line.header:
            continue
        at = column_of(header, line.header)
        if at is None:
            piece_findings.append(missing_header(sheet.name, h + 1, line.header, header))
            if line.field:
                missing.add(line.field)
            continue
        used.add(at)
        if line.field and line.field not in cols:
            cols[line.field] = at
    cells = {key: np.asarray(columns[c] if c < len(columns) else [None] * len(body), dtype=object)
             for key, c in cols.items()}
    blank = {key: is_blank(v) for key, v in cells.items()}
    keep = ~np.logical_and.reduce(list(blank.values())) if blank else np.zeros(len(body), bool)
    idx = np.flatnonzero(keep)
    school_rows = (idx + h + 2).astype(np.int64)
    n = len(idx)
    piece = Piece(sheet.name, sb.target, h + 1, school_rows, np.zeros(n, np.int64))
    piece.findings = piece_findings

    defaults = sb.defaults()
    for key, c in cols.items():
        values = cells[key][idx]
        took = None
        if key in defaults:
            took = blank[key][idx]
            values = np.where(took, defaults[key], values)
        piece.put(key, values.tolist(), school_rows, np.full(n, c, np.int64), str(header[c]).strip(), took)
    for key, value in defaults.items():
        if key not in cols:
            piece.put_default(key, value)
    if teacher is not None:
        _put_teacher(piece, teacher, cells.get("teacher_id"), blank.get("teacher_id"), idx)
    spec = SHEETS[sb.target]
    piece.unbound = {c.key for c in spec.required if c.key not in piece.values and c.key not in missing}
    piece.findings += unbound_findings(piece, header, used)
    return piece


def _put_teacher(piece: Piece, teacher: Teacher, cells: np.ndarray | None, blank: np.ndarray | None,
                 idx: np.ndarray) -> None:
    """The tab's teacher on every row (a row's own 工号, where it has one, stays)."""
    n = len(piece)
    if cells is None or blank is None:
        piece.put("teacher_id", [teacher.value] * n, np.full(n, teacher.row, np.int64),
                  np.full(n, teacher.col, np.int64), teacher.header, np.full(n, teacher.from_mapping))
        return
    own = ~blank[idx]
    values: list[Any] = np.where(own, cells[idx], teacher.value).tolist()
    rows = np.where(own, piece.cell_rows["teacher_id"], teacher.row)
    cols = np.where(own, piece.cell_cols["teacher_id"], teacher.col)
    piece.put("teacher_id", values, rows, cols, piece.headers["teacher_id"], ~own & teacher.from_mapping)
