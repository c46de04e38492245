"""The bind job: which of a school's own sheets and columns hold which log (the proposal), merged
with the book's 映射 when it has one, staff's lines winning.

A 映射 line that cannot be used would be lost when 映射 is written again, so such a book gets no
merged proposal: the door shows the lines and leaves the book as it is until staff fix or delete them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..contract.binding import MAPPING_SHEET_NAMES
from ..contract.book import RawBook
from ..contract.findings import Finding
from ..contract.proposal import Proposal
from ..engine.binding.recognise import propose


@dataclass(slots=True)
class BindProposal:
    """What bind would write. ``unusable``: 映射 lines that block a re-bind (then ``proposal`` is the
    recognition alone and must not be written); ``mapping_sheet``: the book's 映射, if it has one."""

    proposal: Proposal
    mapping_sheet: str | None = None
    unusable: list[Finding] = field(default_factory=list)


def bind_proposal(raw: RawBook) -> BindProposal:
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
