"""A bound book as the engine reads it, and the engine's findings as the school reads them.

``bound_book(raw, binding)`` lays the school's sheets, read through the binding (rows, sign-in grids,
one tab per teacher), end to end into one virtual sheet per contract sheet fed: the contract's name,
its headers in row 1, the records of every feeding sheet in binding order. The 规则 sheet and every
sheet the binding does not name pass through unchanged; a sheet 映射 leaves out (（不用）) is not read
at all. It keeps the school's cell behind every virtual cell, so :meth:`BoundBook.translate` puts each
finding back on the school's own sheet, cell and header — or, for a value only 映射 gave, on that 映射
cell (engine.binding.mapped_default).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ...contract.a1 import column_letters
from ...contract.binding import Binding
from ...contract.book import RawBook, RawSheet
from ...contract.findings import Finding, MappedSheetMissing, MissingValue
from ...contract.schema import SHEETS, TEACHERS
from ..normalize import header_key
from ..sheet_frame import locate_sheet
from ..validate import Validation
from .grid import grid_piece
from .mapped_default import at_mapping_default
from .mapping_sheet import DefaultCells
from .names import Roster, canonical_roster, resolve_names
from .per_teacher import per_teacher_piece
from .piece import Piece, a1
from .rows import rows_piece

_READERS = {"rows": rows_piece, "grid": grid_piece, "per_teacher": per_teacher_piece}


@dataclass(slots=True)
class VirtualSheet:
    """One contract sheet as the engine sees it, and which piece and record each of its rows is."""

    name: str
    target: str
    fields: list[str]
    pieces: list[Piece]
    piece_of: np.ndarray  # per virtual data row: index into ``pieces``
    record_of: np.ndarray  # per virtual data row: the record's index within its piece
    field_of_letter: dict[str, str] = field(default_factory=dict)

    def record(self, row: int) -> tuple[Piece, int] | None:
        """The piece and record behind 1-based virtual ``row`` (data rows start at 2)."""
        i = row - 2
        if not 0 <= i < len(self.piece_of):
            return None
        return self.pieces[int(self.piece_of[i])], int(self.record_of[i])

    def source_rows(self, rows: np.ndarray) -> tuple[list[str], np.ndarray]:
        """The school's sheet and row behind each virtual row (whole columns, for reports)."""
        i = np.asarray(rows, np.int64) - 2
        ok = (i >= 0) & (i < len(self.piece_of))
        j = np.where(ok, i, 0)
        if not len(self.piece_of):
            return [""] * len(i), np.zeros(len(i), np.int64)
        pieces = self.piece_of[j]
        records = self.record_of[j]
        out_rows = np.zeros(len(i), np.int64)
        for k, p in enumerate(self.pieces):
            mine = pieces == k
            out_rows[mine] = p.anchor_rows[records[mine]]
        return [self.pieces[k].sheet for k in pieces.tolist()], out_rows

    def source_cells(self, rows: np.ndarray) -> list[tuple[tuple[str, str], ...]]:
        """Every (sheet, cell) behind each virtual row (its fields' cells, its anchor, and the 映射 cell
        of each default it takes), so a report can find the findings that left a record out, wherever
        they sit."""
        i = np.asarray(rows, np.int64) - 2
        out: list[tuple[tuple[str, str], ...]] = [()] * len(i)
        if not len(self.piece_of):
            return out
        ok = (i >= 0) & (i < len(self.piece_of))
        piece_of = self.piece_of[np.where(ok, i, 0)]
        for k, p in enumerate(self.pieces):
            at = np.flatnonzero(ok & (piece_of == k))
            if not len(at):
                continue
            recs = self.record_of[i[at]]
            parts = [_a1_array(p.anchor_rows[recs], p.anchor_cols[recs])]
            for key in p.cell_cols:
                cols = p.cell_cols[key][recs]
                parts.append(_a1_array(np.where(cols >= 0, p.cell_rows[key][recs], p.anchor_rows[recs]),
                                       np.where(cols >= 0, cols, p.anchor_cols[recs])))
            places: list[list[tuple[str, str] | None]] = [[(p.sheet, cell) for cell in part] for part in parts]
            for key, took in p.defaulted.items():
                if key in p.default_cells:
                    sheet, row, col = p.default_cells[key]
                    places.append([(sheet, a1(row, col)) if t else None for t in took[recs].tolist()])
            for j, cells in zip(at.tolist(), zip(*places)):
                out[j] = tuple(dict.fromkeys(c for c in cells if c is not None))
        return out


def _a1_array(rows: np.ndarray, cols: np.ndarray) -> list[str]:
    letters = {c: column_letters(c) for c in np.unique(cols).tolist()}
    return [f"{letters[c]}{r}" for r, c in zip(rows.tolist(), cols.tolist())]


@dataclass(slots=True)
class BoundBook:
    raw: RawBook  # the canonical book the engine validates
    binding: Binding
    virtual: dict[str, VirtualSheet]  # virtual sheet name -> its sheet
    findings: list[Finding]  # the binding's own: sheets, headers, unbound fields, names, sign-in sessions

    def translate(self, findings: list[Finding]) -> list[Finding]:
        """``findings`` on the school's own sheets, cells and headers, with the binding's own findings;
        an engine finding at a cell the binding already reports on is dropped, and so are repeats (a
        sign-in grid's header cell stands behind every teacher's record of its session)."""
        taken = {(f.sheet, f.cell) for f in self.findings if f.cell and f.row}
        out = list(self.findings)
        seen: set[tuple[Any, ...]] = set()
        for f in findings:
            for g in self.placed(f):
                if g.cell and (g.sheet, g.cell) in taken:
                    continue
                key = (g.code, g.sheet, g.cell, g.column, str(g.value), repr(sorted(g.params.items(), key=str)))
                if key not in seen:
                    seen.add(key)
                    out.append(g)
        return out

    def attach(self, validation: Validation) -> None:
        """Put ``validation`` (of :attr:`raw`) on the school's sheets: its findings, and for each virtual
        sheet the school's sheet and row behind every frame row (``Dataset.sources``, for reports)."""
        validation.bound = self
        validation.findings = self.translate(validation.findings)
        dataset = validation.dataset
        for key, name in dataset.sheet_names.items():
            vs = self.virtual.get(name)
            if vs is not None:
                frame = dataset.frames[key]
                sheets, rows = vs.source_rows(frame["_row"].to_numpy())
                dataset.sources[key] = pd.DataFrame({"sheet": sheets, "row": rows}, index=frame.index)
        dataset.cells_of = lambda key, df: self.virtual[dataset.sheet_names[key]].source_cells(df["_row"].to_numpy())

    def placed(self, f: Finding) -> list[Finding]:
        """``f`` where the school reads it (several findings when it is about a whole virtual sheet)."""
        vs = self.virtual.get(f.sheet)
        if vs is None:
            # what to add is said in 映射's terms: the school names its own sheet or column there
            return [dataclasses.replace(f, variant="bound") if "bound" in f.type.variant_hints else f]
        found = vs.record(f.row) if f.row else None
        if found is None:  # about the whole sheet or its header row: said of each sheet feeding it
            sheets = list(dict.fromkeys((p.sheet, p.header_row) for p in vs.pieces)) or [(f.sheet, 0)]
            return [dataclasses.replace(f, sheet=s, row=(h or None) if f.row else None,
                                        cell=f"A{h}" if f.row and h else "") for s, h in sheets]
        p, j = found
        key = vs.field_of_letter.get(f.cell.rstrip("0123456789")) if f.column else None
        if key in p.unbound and f.code == MissingValue.code:
            return []  # said once, by the unbound-field finding
        if key in p.values and (default := at_mapping_default(f, p, key, j)) is not None:
            return [default]
        if key in p.values and p.cell_cols[key][j] >= 0:
            row, col = int(p.cell_rows[key][j]), int(p.cell_cols[key][j])
        else:
            row, col = int(p.anchor_rows[j]), int(p.anchor_cols[j])
        column = p.header_of(key, j) if key in p.values else f.column
        params = f.params
        if "first_row" in params:
            params = {**params, "first_row": self._row_text(vs, int(params["first_row"]), p.sheet)}
        return [dataclasses.replace(f, sheet=p.sheet, row=row, cell=a1(row, col), column=column, params=params)]

    def _row_text(self, vs: VirtualSheet, row: int, sheet: str) -> Any:
        found = vs.record(row)
        if found is None:
            return row
        p, j = found
        r = int(p.anchor_rows[j])
        return r if p.sheet == sheet else f"{r}（{p.sheet}）"


def bound_book(raw: RawBook, binding: Binding, mapping_sheet: str = "",
               default_cells: DefaultCells | None = None) -> BoundBook:
    """``raw`` read through ``binding``; ``default_cells`` (from read_mapping) says where in the
    ``mapping_sheet`` each default was typed, for findings about them."""
    findings: list[Finding] = []
    pieces: list[Piece] = []
    bound_names: set[str] = set()
    by_key = {header_key(n): s for n, s in raw.sheets.items()}
    for sb in binding.sheets:
        sheet = raw.sheets.get(sb.sheet) or by_key.get(header_key(sb.sheet))
        if sheet is None:
            findings.append(MappedSheetMissing.at(mapping_sheet or "映射", value=sb.sheet))
            continue
        bound_names.add(sheet.name)
        # A sign-in grid or a teacher's own tab is a teacher's records: for a sheet without 工号
        # (教研活动) the shape means nothing, and its rows are read as rows.
        shape = sb.shape if "teacher_id" in {c.key for c in SHEETS[sb.target].columns} else "rows"
        piece = _READERS[shape](sheet, sb)
        piece.default_cells = {key: (mapping_sheet or "映射", row, col)
                               for (name, key), (row, col) in (default_cells or {}).items() if name == sb.sheet}
        pieces.append(piece)
    left_out = {s.name for name in binding.left_out if (s := raw.sheets.get(name) or by_key.get(header_key(name)))}
    findings += [f for p in pieces for f in p.findings]
    rosters = [p for p in pieces if p.target == TEACHERS.key]
    if rosters:
        roster = Roster.of(rosters)
    else:  # the template's own 教师名册, kept as it is
        unbound = RawBook({n: s for n, s in raw.sheets.items() if n not in bound_names})
        roster = canonical_roster(locate_sheet(unbound, TEACHERS.names))
    findings += resolve_names(pieces, roster)

    virtual: dict[str, VirtualSheet] = {}
    sheets: dict[str, RawSheet] = {}
    targets = list(dict.fromkeys(sb.target for sb in binding.sheets))
    for target in targets:
        mine = [p for p in pieces if p.target == target]
        vs, grid = _virtual(target, mine)
        virtual[vs.name] = vs
        sheets[vs.name] = RawSheet(vs.name, grid)
    skip = bound_names | left_out | {mapping_sheet} | {
        n for n in raw.sheets if header_key(n) in {header_key(v) for v in virtual}}
    passed = {n: s for n, s in raw.sheets.items() if n not in skip}
    return BoundBook(RawBook({**passed, **sheets}, raw.path), binding, virtual, findings)


def _virtual(target: str, pieces: list[Piece]) -> tuple[VirtualSheet, list[list[Any]]]:
    spec = SHEETS[target]
    fields = [c.key for c in spec.columns if c.required or any(c.key in p.values for p in pieces)]
    columns = []
    for key in fields:
        column: list[Any] = []
        for p in pieces:
            column += p.values.get(key) or [None] * len(p)
        columns.append(column)
    grid = [[spec.column(k).header for k in fields], *map(list, zip(*columns))]
    sizes = [len(p) for p in pieces]
    piece_of = np.repeat(np.arange(len(pieces), dtype=np.int64), sizes)
    record_of = np.concatenate([np.arange(n, dtype=np.int64) for n in sizes]) if sizes else np.zeros(0, np.int64)
    letters = {column_letters(i): k for i, k in enumerate(fields)}
    return VirtualSheet(spec.name, target, fields, pieces, piece_of, record_of, letters), grid
