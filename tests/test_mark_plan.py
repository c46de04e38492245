"""doors/mark_plan.plan_marks on its own: which cells a run marks and which earlier marks go (the live
door and the VBA client's door carry it out, tests/test_book_door.py)."""

from __future__ import annotations

from cpdsheets.doors.mark_plan import NO_NOTE, plan_marks
from cpdsheets.doors.mark_record import MARK_STORE, MarkRow
from cpdsheets.reports.tables import CellMark

SHEETS = ["培训记录", "教师名册", "学分汇总"]


def _named(name: str) -> str | None:
    return next((s for s in SHEETS if s.casefold() == name.casefold()), None)


def test_a_run_replaces_the_marks_of_the_last():
    still = MarkRow("培训记录", "B5", True, "FFFF00")
    fixed = MarkRow("教师名册", "C4", True, "")
    marks = [CellMark("培训记录", "B5", "日期无效"), CellMark("培训记录", "B5", "日期无效"),
             CellMark("培训记录", "$c$6", "工号不在名册"), CellMark("培训记录", "D7", ""),
             CellMark("学分汇总", "A1", "ours"), CellMark(MARK_STORE, "A1", "ours"),
             CellMark("没有这张表", "A1", "x"), CellMark("培训记录", "not a cell", "x")]
    plan = plan_marks(marks, [still, fixed], _named, skip=["学分汇总"])
    assert plan.undo == [fixed]  # no longer in error: given back
    cells = plan.cells["培训记录"]
    assert [(c.address, c.row, c.col) for c in cells] == [("B5", 5, 2), ("C6", 6, 3), ("D7", 7, 4)]
    assert [c.note for c in cells] == ["日期无效", "工号不在名册", NO_NOTE]  # each note once; never blank
    assert cells[0].before == still and cells[1].before is None  # what undoing B5 needs stays as first recorded
    assert list(plan.cells) == ["培训记录"]  # our tabs, the record and a missing sheet are never marked
