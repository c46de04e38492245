"""The bind job: which of a school's own sheets and columns hold which log (the proposal), merged
with the book's 映射 when it has one, staff's lines winning; and, for a door that writes the binding,
what the book already holds that the writing must respect (:func:`book_layout`).

A 映射 line that cannot be used would be lost when 映射 is written again, so such a book gets no
merged proposal: the door shows the lines and leaves the book as it is until staff fix or delete them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from ..contract.binding import MAPPING_SHEET_NAMES, Binding
from ..contract.book import RawBook
from ..contract.findings import Finding
from ..contract.proposal import Proposal
from ..contract.school_year import start_year_of
from ..engine.binding.recognise import propose
from ..engine.normalize import header_key
from .request import BookRequest


@dataclass(frozen=True, slots=True)
class BindRequest(BookRequest):
    """`bind` on a school's own book (``as_of`` is not used: a binding holds no date)."""


@dataclass(slots=True)
class BindProposal:
    """What bind would write. ``unusable``: 映射 lines that block a re-bind (then ``proposal`` is the
    recognition alone and must not be written); ``mapping_sheet``: the book's 映射, if it has one."""

    proposal: Proposal
    mapping_sheet: str | None = None
    unusable: list[Finding] = field(default_factory=list)


def bind(request: BindRequest) -> BindProposal:
    raw = request.book
    proposal = propose(raw)
    mapping = next((raw.sheets[n] for n in MAPPING_SHEET_NAMES if n in raw.sheets), None)
    if mapping is None:
        return BindProposal(proposal)
    from ..engine.binding.mapping_sheet import read_mapping
    from ..engine.binding.rebind import merge

    existing, unusable = read_mapping(mapping)
    if unusable:
        return BindProposal(proposal, mapping.name, unusable)
    # Re-binding: what would be written is the merge, so that is what is shown.
    return BindProposal(proposal.rebound(merge(existing, proposal.binding)), mapping.name)


def bind_proposal(raw: RawBook) -> BindProposal:
    """:func:`bind` on ``raw``."""
    return bind(BindRequest(raw))


@dataclass(slots=True)
class MappingTable:
    """The 映射 to write. ``header_at`` None: a new table, its header the first row. Otherwise the rows
    are laid out around the book's own 映射 (staff's columns, notes and order stay): ``header_at`` is its
    header's row and ``row_of`` where each of its old rows went (0-based, old -> new), for their cell notes."""

    rows: list[list[Any]]
    header_at: int | None = None
    row_of: dict[int, int] = field(default_factory=dict)


@dataclass(slots=True)
class BookLayout:
    """What writing ``binding`` into the book must respect: the book's own 映射 sheet (replaced; None when
    absent; ``mapping_taken`` when a sheet of that name holds no 映射 table, which the writer refuses),
    the school year of a new 规则 sheet, and the 映射 to write. The door asks :func:`sheet_named` for the
    sheets it keeps (控制台, 规则)."""

    mapping: str | None
    mapping_taken: bool
    year_start: int
    table: MappingTable


def book_layout(book: RawBook, binding: Binding, *, year_start: int | None = None) -> BookLayout:
    """``year_start``: the school year asked for (``--year``); else the one holding most of the bound
    logs' dates; else the current one."""
    from ..engine.binding.mapping_sheet import read_mapping
    from ..engine.binding.school_year import bound_start_year

    mapping = sheet_named(book, MAPPING_SHEET_NAMES)
    taken = False
    if mapping is not None:
        _, findings = read_mapping(book.sheets[mapping])
        taken = any(f.cell == "A1" and not f.row for f in findings)
    if year_start is None:
        year_start = bound_start_year(book, binding)
    if year_start is None:
        year_start = start_year_of(dt.date.today())
    table = _mapping_table(binding, book, None if taken else mapping)
    return BookLayout(mapping, taken, year_start, table)


def _mapping_table(binding: Binding, book: RawBook, existing: str | None) -> MappingTable:
    from ..engine.binding.mapping_layout import relaid_rows
    from ..engine.binding.mapping_sheet import mapping_rows

    relaid = relaid_rows(book.sheets[existing], binding) if existing is not None else None
    if relaid is not None:
        return MappingTable(relaid.rows, relaid.header_at, relaid.row_of)
    return MappingTable(mapping_rows(binding))


def sheet_named(book: RawBook, names: tuple[str, ...]) -> str | None:
    """The book's sheet named one of ``names`` (compared as the readers compare headers)."""
    wanted = {header_key(n) for n in names}
    return next((n for n in book.sheets if header_key(n) in wanted), None)
