"""A finding about a value that only 映射 gave — a default line's 类别 `师德学习`, a 签到表's default
学时 `abc`, a 每人一表's teacher — is about that 映射 cell, not about the school's rows: it is said once,
there, as the default being wrong. Which rows count stays the engine's decision, made before this (a
required field: the rows taking the default are left out; an optional one: the value is read as blank).

A finding about how a record relates to others (a repeated row, too many hours in a day, dates in the
wrong order) is not the default's fault alone: it stays on the record's own row.
"""

from __future__ import annotations

import dataclasses

from ...contract.binding import MAPPING_HEADERS
from ...contract.findings import (
    DateOrder, DuplicateRow, DuplicateTeacherId, Finding, InvalidMappingDefault, NameMismatch, SelfMentor,
    TooManyHours, bilingual,
)
from ...contract.schema import SHEETS
from ...contract.texts import Catalogue
from .piece import Piece, a1

DEFAULT_EFFECTS = Catalogue("mapped default effects", {
    "left-out": ("用到这个默认值的行不计入统计。", "Rows taking this default are not counted."),
    "blank": ("用到这个默认值的行，这一项按空白处理，仍计入统计。",
                                      "Rows taking this default read it as blank and still count."),
    "counts": ("用到这个默认值的行仍计入统计。", "Rows taking this default still count."),
})

_RELATIONS = {t.code for t in (DuplicateRow, TooManyHours, DuplicateTeacherId, DateOrder, NameMismatch, SelfMentor)}

_OUTCOME = {
    "left-out": DEFAULT_EFFECTS["left-out"],
    "blank": DEFAULT_EFFECTS["blank"],
    "counts": DEFAULT_EFFECTS["counts"],
}


def at_mapping_default(f: Finding, p: Piece, key: str, i: int) -> Finding | None:
    """``f``, about record ``i``'s ``key`` value on ``p``, as a finding at the 映射 cell that value was
    typed in; None when the value is the school's own or the finding is about more than the value."""
    place = p.mapping_cell(key, i)
    if place is None or f.code in _RELATIONS:
        return None
    sheet, row, col = place
    field = SHEETS[p.target].column(key).header
    said = dataclasses.replace(f, sheet=p.sheet, column=field)
    if f.level != "error":
        outcome = _OUTCOME["counts"]
    else:
        outcome = _OUTCOME["left-out" if f.drops_row else "blank"]
    return InvalidMappingDefault.at(
        sheet, row=row, cell=a1(row, col), column=MAPPING_HEADERS[3], value=f.value, severity=f.level,
        drops_row=f.drops_row, school_sheet=p.sheet, field=field, outcome=outcome,
        reason=bilingual(said.statement("zh"), said.statement("en")),
        fix=bilingual(said.hint("zh"), said.hint("en")))
