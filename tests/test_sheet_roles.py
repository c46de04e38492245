"""A sheet's rows earn credits, or take days out of a teacher's duty, because its SheetSpec says so
(``credit``: a CreditRule, ``exempts``: an ExemptSpan): the engine finds such sheets by the fact and loops,
so a new one is a record, not a function. The demo's and test_rules' figures pin the two shipped rules."""

from __future__ import annotations

import pandas as pd
import pytest
from engine_data import D, dataset, frame, policy, rule, teacher

from cpdsheets.contract.dataset import Dataset
from cpdsheets.contract.policy import Settings
from cpdsheets.contract.schema import (
    CREDITED_SHEETS, DATA_SHEETS, EXEMPTING_SHEETS, EXEMPTIONS, OUTPUTS, SHEETS, TRAININGS, SheetSpec, _col,
)
from cpdsheets.contract.sheet_roles import CreditRule, ExemptSpan
from cpdsheets.engine import availability, compute as compute_module, credits
from cpdsheets.engine.compute import compute

# A sheet no school has: talks given, credited at the settings' rate of their 类型 per hour, 0 when 取消.
TALKS = SheetSpec(
    key="talks", name="讲座记录", en="Talks", columns=(
        _col("date", "日期", kind="date", required=True), _col("teacher_id", "工号", kind="teacher_id", required=True),
        _col("kind", "类型"), _col("hours", "学时", kind="number"), _col("status", "状态"),
        _col("credits", "学分", kind="number"),
    ),
    credit=CreditRule(hours="hours", rate_by="kind", void_column="status", void_values=("取消",), category="讲座",
                      level_column=None),
)
# A second exempting sheet whose columns are named otherwise than 豁免's.
LEAVES = SheetSpec(
    key="leaves", name="请假记录", en="Leaves", columns=(
        _col("teacher_id", "工号", kind="teacher_id", required=True), _col("from", "起", kind="date", required=True),
        _col("to", "止", kind="date", required=True), _col("which", "规则"),
    ),
    exempts=ExemptSpan(start="from", end="to", rule="which", reason=None),
)


def test_the_shipped_sheets_declare_their_roles():
    # the two shipped credited sheets first, in the contract's order (a sheet added by record may follow)
    assert [s.key for s in CREDITED_SHEETS][:2] == [TRAININGS.key, OUTPUTS.key]
    assert EXEMPTIONS in EXEMPTING_SHEETS
    for spec in DATA_SHEETS:  # every column a role names is the sheet's own
        keys = {c.key for c in spec.columns}
        for role in (spec.credit, spec.exempts):
            assert role is None or set(role.columns) <= keys, spec.key
        assert set(spec.title_distinct_by) <= keys, spec.key
        assert not spec.credited or spec.counted, "a credited sheet's rows are counted rows (compute builds them)"
        for key in spec.exempts.columns[:2] if spec.exempts else ():
            assert spec.column(key).kind == "date"


def _talks() -> pd.DataFrame:
    return pd.DataFrame({
        "date": pd.to_datetime(["2024-10-01"] * 4), "teacher_id": ["1001"] * 4, "kind": ["专业培训", None, "专业培训", "x"],
        "hours": [4.0, 2.0, 6.0, None], "status": ["", "", "取消", ""], "credits": [None, None, None, 1.5],
        "_row": [2, 3, 4, 5],
    })


def test_a_credited_sheet_declared_by_record_alone_enters_the_ledger(monkeypatch):
    monkeypatch.setattr(credits, "CREDITED_SHEETS", (*CREDITED_SHEETS, TALKS))
    settings = Settings(credit_rates={"专业培训": 1.0}, default_rate=0.25)
    trainings = frame(TRAININGS.key, [dict(date=D(2024, 10, 2), teacher_id="1001", title="t", category="专业培训",
                                           hours=2.0)])
    ledger = credits.credit_ledger({TRAININGS.key: trainings, "talks": _talks()}, settings)
    talks = ledger[ledger["source"] == "talks"]
    # 4 h × 1.0; 2 h × the default 0.25 (no 类型); 取消 earns 0; the typed 1.5 wins over a blank 学时
    assert talks["credits"].tolist() == [4.0, 0.5, 0.0, 1.5]
    assert set(talks["category"]) == {"讲座"} and talks["level"].isna().all()
    assert talks["hours"].tolist()[:3] == [4.0, 2.0, 6.0] and talks["_row"].tolist() == [2, 3, 4, 5]
    assert ledger["source"].tolist()[0] == TRAININGS.key  # the contract's order: 培训记录 first
    earned = credits.with_earned_credits({"talks": _talks()}, settings)["talks"]
    assert earned["credits"].tolist() == [4.0, 0.5, 0.0, 1.5]


def test_no_credited_rows_give_an_empty_ledger_of_the_usual_columns():
    ledger = credits.credit_ledger({}, Settings())
    assert list(ledger.columns) == credits.LEDGER_COLUMNS and not len(ledger)


def _leaves(*rows: tuple[str, str, str, str]) -> pd.DataFrame:
    return pd.DataFrame({"teacher_id": [r[0] for r in rows], "from": pd.to_datetime([r[1] for r in rows]),
                         "to": pd.to_datetime([r[2] for r in rows]), "which": [r[3] for r in rows],
                         "_row": range(2, len(rows) + 2), "_ok": True})


def test_exempt_spans_are_read_through_each_sheet_s_declared_columns(monkeypatch):
    monkeypatch.setitem(availability.SHEETS, LEAVES.key, LEAVES)
    ex = frame(EXEMPTIONS.key, [dict(teacher_id="1002", rule_id="R03", start=D(2024, 9, 1), end=D(2024, 9, 30))])
    spans = availability.exemption_spans({EXEMPTIONS.key: ex, "leaves": _leaves(("1001", "2024-10-01", "2024-10-31", ""))})
    assert list(spans.columns) == availability.SPAN_COLUMNS
    assert spans.values.tolist() == [["1002", pd.Timestamp("2024-09-01"), pd.Timestamp("2024-09-30"), "R03"],
                                     ["1001", pd.Timestamp("2024-10-01"), pd.Timestamp("2024-10-31"), ""]]
    assert SHEETS[EXEMPTIONS.key].exempts is not None


def test_compute_takes_days_out_by_every_exempting_sheet(monkeypatch):
    """A teacher on leave for all of 第一学期 in a second exempting sheet has no applicable day there."""
    monkeypatch.setitem(availability.SHEETS, LEAVES.key, LEAVES)
    monkeypatch.setattr(compute_module, "EXEMPTING_SHEETS", (*EXEMPTING_SHEETS, LEAVES))
    base = dataset([teacher("1001"), teacher("1002")])
    frames = dict(base.frames)
    frames["leaves"] = _leaves(("1001", "2024-09-01", "2025-01-31", "R03"))
    res = compute(Dataset(frames=frames), policy("R03"), D(2025, 1, 20))
    sem1 = res.progress[(res.progress["rule_id"] == "R03") & (res.progress["period_label"] == "第一学期")]
    days = dict(zip(sem1["subject"], sem1["applicable_days"]))
    assert days.get("1001", 0) == 0 and days["1002"] > 90
    again = compute(Dataset(frames={**frames, "leaves": _leaves(("1001", "2024-09-01", "2025-01-31", "R99"))}),
                    policy("R03"), D(2025, 1, 20))  # a span for another rule takes nothing from R03
    sem1 = again.progress[(again.progress["rule_id"] == "R03") & (again.progress["period_label"] == "第一学期")]
    assert dict(zip(sem1["subject"], sem1["applicable_days"]))["1001"] == days["1002"]


@pytest.mark.parametrize("taught_by,left_out", [(("甲", "甲"), 1), (("甲", "乙"), 0)])
def test_likely_duplicates_compare_the_sheet_s_distinct_columns(taught_by, left_out):
    """听课记录 declares 授课教师 in title_distinct_by: 同课异构 (one 课题, two teachers) is two lessons."""
    from cpdsheets.contract.book import RawBook, RawSheet
    from cpdsheets.engine.validate import validate_book

    assert SHEETS["observations"].title_distinct_by == ("taught_by",)
    head = ["日期", "听课人工号", "授课教师", "课题", "地点"]
    rows = [head, *([D(2024, 10, 8), "1001", t, title, "校内"] for t, title in zip(taught_by, ("荷花", "《荷花》")))]
    raw = RawBook({"教师名册": RawSheet("教师名册", [["工号", "姓名"], ["1001", "甲"], ["1002", "乙"]]),
                   "听课记录": RawSheet("听课记录", rows)})
    found = [f for f in validate_book(raw).findings if f.code == "likely-duplicate"]
    assert len(found) == left_out
