"""What `cpdsheets bind` proposes for a school's book: the Binding, and what it could not place.

The recogniser (``engine/binding/recognise``) builds it; ``reports/binding_text`` prints it for
``--dry-run``; the writer turns its Binding into the 映射 table.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from .binding import Binding

SkipReason = Literal["own", "empty", "unrecognised", "left_out"]


class Session(BaseModel):
    """One column of a sign-in grid: a training session, as its header cells state it."""

    model_config = ConfigDict(frozen=True)

    column: str  # the column's letters, `D`
    date: str = ""  # ISO date, "" when the header holds none
    title: str = ""
    hours: str = ""  # as typed (`2`, `1.5`), "" when none


class MissingField(BaseModel):
    """A required field of the target sheet that no column maps to, with the columns that could."""

    model_config = ConfigDict(frozen=True)

    field: str  # contract column key
    candidates: tuple[str, ...] = ()  # the school's headers whose cells could hold it, likeliest first


class SheetProposal(BaseModel):
    """What the recogniser found on one bound sheet beyond its Binding lines."""

    model_config = ConfigDict(frozen=True)

    sheet: str
    unmapped: tuple[str, ...] = ()  # headers mapped to no field
    missing: tuple[MissingField, ...] = ()
    sessions: tuple[Session, ...] = ()  # sign-in grids only


class SkippedSheet(BaseModel):
    model_config = ConfigDict(frozen=True)

    sheet: str
    # own: the add-in's own tab; empty: nothing in it; unrecognised: no contract sheet fits; left_out: 映射
    # says it is not read (（整张表） | （不用）)
    reason: SkipReason


class Proposal(BaseModel):
    model_config = ConfigDict(frozen=True)

    binding: Binding = Binding()
    sheets: tuple[SheetProposal, ...] = ()  # one per bound sheet, in the binding's order
    skipped: tuple[SkippedSheet, ...] = ()

    def details(self, sheet: str) -> SheetProposal:
        for s in self.sheets:
            if s.sheet == sheet:
                return s
        return SheetProposal(sheet=sheet)

    def rebound(self, binding: Binding) -> Proposal:
        """This proposal over ``binding`` (the merge with staff's 映射): a missing field staff have since
        mapped to a column, or given a default, is missing no more; a sheet staff left out is listed
        as such, whatever the recogniser made of it."""
        left_out = set(binding.left_out)
        skipped = [k.model_copy(update={"reason": "left_out"}) if k.sheet in left_out and k.reason != "own" else k
                   for k in self.skipped]
        skipped += [SkippedSheet(sheet=d.sheet, reason="left_out") for d in self.sheets if d.sheet in left_out]
        sheets = []
        for d in self.sheets:
            if d.sheet in left_out:
                continue
            bound = binding.for_sheet(d.sheet)
            if bound is not None:
                given = set(bound.mapped) | set(bound.defaults())
                d = d.model_copy(update={"missing": tuple(m for m in d.missing if m.field not in given),
                                         "unmapped": tuple(h for h in d.unmapped if not bound.field_of(h))})
            sheets.append(d)
        return self.model_copy(update={"binding": binding, "sheets": tuple(sheets), "skipped": tuple(skipped)})

    @property
    def complete(self) -> bool:
        """Something is bound and every bound sheet has each required field."""
        return bool(self.binding.sheets) and not any(s.missing for s in self.sheets)
