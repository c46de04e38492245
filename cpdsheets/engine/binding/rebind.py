"""Re-binding a book whose 映射 staff have edited: their lines win, what the book gained since is added.

- A sheet already in 映射 keeps its sheet line (target, shape, teacher), its header-row line and every
  column and default line as staff left them. Only headers that 映射 does not mention yet (a column
  the school added since) are added from the proposal, as （不用） when staff already map that field
  from another column. Default lines are not re-proposed: staff may have removed one on purpose.
- A sheet new to the book is added as proposed, unless 映射 leaves it out (（整张表） | （不用）): staff
  said it is not read (a 2023 archive tab, a 备课 log), so it is never proposed again.
- A log 映射 says the school does not keep (（本校不登记）) stays so: the line is kept, and no sheet is
  proposed for that log (staff delete the line when the school starts keeping it, then bind again).
- A sheet in 映射 that the proposal does not bind is KEPT: it may be one staff bound by hand that the
  recogniser does not recognise, or a sheet renamed or deleted since, which every job then reports as
  missing rather than silently reading the book without it.
"""

from __future__ import annotations

from ...contract.binding import Binding, ColumnBinding, SheetBinding


def merge(existing: Binding, proposed: Binding) -> Binding:
    sheets = [_keep_with_new_columns(s, proposed.for_sheet(s.sheet)) for s in existing.sheets]
    known = {s.sheet for s in existing.sheets} | set(existing.left_out)
    sheets += [s for s in proposed.sheets if s.sheet not in known and s.target not in existing.not_kept]
    return Binding(sheets=tuple(sheets), left_out=existing.left_out, not_kept=existing.not_kept)


def _keep_with_new_columns(kept: SheetBinding, proposed: SheetBinding | None) -> SheetBinding:
    if proposed is None or proposed.target != kept.target:
        return kept
    headers = {c.header for c in kept.columns if c.header}
    fields = {c.field for c in kept.columns if c.field}
    added = []
    for c in proposed.columns:
        if not c.header or c.header in headers:
            continue
        field = "" if c.field in fields else c.field
        added.append(ColumnBinding(header=c.header, field=field, confidence=c.confidence if field else 0.0))
        fields.add(field)
    if not added:
        return kept
    return kept.model_copy(update={"columns": (*kept.columns, *added)})
