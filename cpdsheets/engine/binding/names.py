"""Names typed where a 工号 belongs (听课教师 `王芳`, 读者, 师傅), matched to the roster.

In a bound book a value that is not a roster 工号 but is exactly one roster teacher's 姓名 becomes that
工号, silently; a name two teachers share, or a name that is no one's, is one finding at its cell (and
the engine's own finding at that cell is dropped, see materialise); a name only 映射 gave (a
·每人一表's teacher, a default) is one finding at that 映射 cell. A value shaped like a 工号 that the
roster lacks is left to the engine's unknown-teacher check.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ...contract.book import RawSheet
from ...contract.findings import AmbiguousTeacherName, Finding, FindingType, UnknownTeacherName, bilingual
from ...contract.schema import TEACHERS
from ..normalize import normalize_teacher_ids
from ..sheet_frame import find_header
from .mapped_default import at_mapping_default
from .piece import Piece, a1

ID_FIELDS = ("teacher_id", "mentor_id")


@dataclass(slots=True)
class Roster:
    ids: set[str] = field(default_factory=set)
    by_name: dict[str, list[str]] = field(default_factory=dict)  # 姓名 -> 工号s

    @classmethod
    def of(cls, pieces: list[Piece]) -> Roster:
        roster = cls()
        for p in pieces:
            if "teacher_id" not in p.values:
                continue
            ids = normalize_teacher_ids(pd.Series(p.values["teacher_id"], dtype=object)).values
            names = p.values.get("name", [None] * len(p))
            for tid, name in zip(ids.tolist(), names):
                if tid is pd.NA or tid is None:
                    continue
                roster.ids.add(tid)
                key = _name(name)
                if key and tid not in roster.by_name.setdefault(key, []):
                    roster.by_name[key].append(tid)
        return roster


def canonical_roster(sheet: RawSheet | None) -> Roster:
    """The roster of a book whose 教师名册 is not bound (it keeps the template's sheet as it is)."""
    roster = Roster()
    header = find_header(sheet.rows, TEACHERS) if sheet is not None else None
    if sheet is None or header is None or "teacher_id" not in header.columns:
        return roster
    body = sheet.rows[header.row + 1:]

    def column(key: str) -> list[object]:
        c = header.columns.get(key)
        return [r[c] if c is not None and c < len(r) else None for r in body]

    n = len(body)
    piece = Piece(sheet.name, TEACHERS.key, header.row + 1, np.zeros(n, np.int64), np.zeros(n, np.int64),
                  values={"teacher_id": column("teacher_id"), "name": column("name")})
    return Roster.of([piece])


def resolve_names(pieces: list[Piece], roster: Roster) -> list[Finding]:
    """Replace names by 工号 in every 工号 field of ``pieces``, in place; the findings for the rest."""
    out: dict[tuple[str, str], Finding] = {}
    for p in pieces:
        for key in ID_FIELDS:
            values = p.values.get(key)
            if not values:
                continue
            series = pd.Series(values, dtype=object)
            codes, uniques = pd.factorize(series, use_na_sentinel=True)
            ids = normalize_teacher_ids(pd.Series(uniques, dtype=object)).values.tolist()
            replace: dict[int, str] = {}
            problems: dict[int, tuple[type[FindingType], dict[str, Any]]] = {}
            for u, (typed, tid) in enumerate(zip(uniques, ids)):
                if tid is not pd.NA and tid in roster.ids:
                    continue
                owners = roster.by_name.get(_name(typed), [])
                if len(owners) == 1:
                    replace[u] = owners[0]
                elif len(owners) > 1:
                    problems[u] = (AmbiguousTeacherName, {"teacher_ids": bilingual("、".join(owners), ", ".join(owners))})
                elif tid is pd.NA and _name(typed):
                    problems[u] = (UnknownTeacherName, {})
            if replace:
                resolved = list(values)
                for i in np.flatnonzero(np.isin(codes, list(replace))):
                    resolved[i] = replace[codes[i]]
                p.values[key] = resolved
            if problems:
                rows, cols = p.cell_rows[key], p.cell_cols[key]
                for i in np.flatnonzero(np.isin(codes, list(problems))):
                    kind, params = problems[codes[i]]
                    row, col = int(rows[i]), int(cols[i])
                    if col < 0:
                        row, col = int(p.anchor_rows[i]), int(p.anchor_cols[i])
                    cell = a1(row, col)
                    if (p.sheet, cell) in out:
                        continue
                    found = kind.at(p.sheet, row=row, cell=cell, column=p.header_of(key, int(i)),
                                    value=values[i], drops_row=key == "teacher_id", **params)
                    found = at_mapping_default(found, p, key, int(i)) or found
                    out.setdefault((found.sheet, found.cell), found)
    return list(out.values())


def _name(v: object) -> str:
    if v is None or (isinstance(v, float) and v != v):
        return ""
    return "".join(str(v).split())
