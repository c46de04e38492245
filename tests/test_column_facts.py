"""Facts about one column are fields of its ColumnSpec, and facts about what feeds the credit ledger are
fields of the CreditRule, so the code asks them instead of naming a column:

- ``roster_id``: the roster's own 工号; every other 工号 column (师傅工号, a log's teacher) is offered the
  roster's ids in the template;
- ``wide``: free text written at length, a wide template column;
- ``names_teacher``: a condition may say 师傅 / 徒弟 on it (授课教师=师傅), the row teacher's mentor or apprentice;
- a column of kind "roles" (and the roster's 岗位) is a list: ``岗位=中层`` means "has the role";
- ``CreditRule.ledger_needs``: a 学分 rule testing 级别 is not evaluated when 培训记录 lacks 级别, but
  成果记录 without 级别 only reads blank there.
"""

from __future__ import annotations

import openpyxl
import pytest

from cpdsheets.contract import conditions, policy as policy_module
from cpdsheets.contract.conditions import ConditionError, bind_condition, parse_condition
from cpdsheets.contract.dataset import Dataset
from cpdsheets.contract.policy import CREDITS_SHEET, DEFAULT_RULES
from cpdsheets.contract.schema import (
    CREDITED_SHEETS, DATA_SHEETS, OBSERVATIONS, OUTPUTS, SHEETS, TEACHERS, TRAININGS, SheetSpec, _col,
)
from cpdsheets.contract.sheet_roles import CreditRule
from cpdsheets.doors.template.master import ROSTER_IDS_NAME, build_master
from cpdsheets.engine import rule_inputs
from cpdsheets.engine.filters import evaluate, is_apprentice_term, is_mentor_term

import pandas as pd

# A sheet no school has: a lesson a teacher gave, watched by a named colleague.
DEMOS = SheetSpec(
    key="demos", name="示范课", en="Demos", counted=True, columns=(
        _col("date", "日期", kind="date", required=True), _col("teacher_id", "工号", kind="teacher_id", required=True),
        _col("watcher", "观课教师", names_teacher=True), _col("note", "备注"),
    ),
)


def test_the_shipped_columns_declare_their_facts():
    roster_ids = [(s.key, c.key) for s in DATA_SHEETS for c in s.columns if c.roster_id]
    assert roster_ids == [(TEACHERS.key, "teacher_id")]  # one roster, one id column
    assert [(s.key, c.key) for s in DATA_SHEETS for c in s.columns if c.names_teacher] == [(OBSERVATIONS.key, "taught_by")]
    for spec in DATA_SHEETS:
        for c in spec.columns:
            assert not c.wide or c.kind == "text", (spec.key, c.key)
    for spec in CREDITED_SHEETS:  # every ledger field a sheet must feed is one of its own columns
        assert spec.credit is not None
        for field in spec.credit.ledger_needs:
            column = spec.credit.ledger_column(field)
            assert column is not None and spec.column(column), (spec.key, field)


def test_mentor_and_apprentice_are_read_on_any_column_that_names_a_teacher(monkeypatch):
    monkeypatch.setitem(conditions.SHEETS, DEMOS.key, DEMOS)
    mentor = bind_condition(parse_condition("观课教师=师傅"), DEMOS.key).terms[0]
    apprentice = bind_condition(parse_condition("授课教师=徒弟"), OBSERVATIONS.key).terms[0]
    assert is_mentor_term(mentor) and not is_apprentice_term(mentor)
    assert is_apprentice_term(apprentice) and not is_mentor_term(apprentice)
    plain = bind_condition(parse_condition("备注=师傅"), DEMOS.key).terms[0]  # a column of free text: the word itself
    assert plain.pairing == "" and not is_mentor_term(plain)
    frame = pd.DataFrame({"note": ["师傅", "徒弟"]})
    assert evaluate(bind_condition(parse_condition("备注=师傅"), DEMOS.key), frame).tolist() == [True, False]
    with pytest.raises(ConditionError, match="不能与其他取值合用"):
        bind_condition(parse_condition("观课教师=师傅|张三"), DEMOS.key)
    bind_condition(parse_condition("备注=师傅|张三"), DEMOS.key)  # no pairing there: any values go


def test_a_list_column_is_read_as_a_list_by_its_kind():
    roles = bind_condition(parse_condition("岗位=中层"), TEACHERS.key)
    frame = pd.DataFrame({"t:roles": ["班主任、中层", "中层干事", None]})
    assert roles.terms[0].listed and evaluate(roles, frame).tolist() == [True, False, False]
    note = bind_condition(parse_condition("课题=中层"), OBSERVATIONS.key)
    assert not note.terms[0].listed


def _book_without(sheet: SheetSpec, column: str) -> Dataset:
    """The roster and every credited sheet (and ``sheet``) with all their columns, but ``sheet`` without
    ``column``."""
    sheets = {s.key: s for s in (sheet, *CREDITED_SHEETS)}
    frames = {k: pd.DataFrame() for k in (TEACHERS.key, *sheets)}  # only their presence is read
    places = {k: {c.key: object() for c in s.columns if not (s is sheet and c.key == column)}
              for k, s in sheets.items()}
    return Dataset(frames=frames, places=places)  # type: ignore[arg-type]  # a place's content is not read


def _credit_rule(cond: str):
    base = next(r for r in DEFAULT_RULES if r.sheet == CREDITS_SHEET)
    return base.model_copy(update={"condition": bind_condition(parse_condition(cond), None,
                                                               extra={"级别": "level", "学时": "hours"})})


def test_a_credit_rule_on_level_needs_the_level_only_where_a_credited_sheet_declares_it(monkeypatch):
    on_level = _credit_rule("级别=市级")
    problem = rule_inputs.rule_problem(_book_without(TRAININGS, "level"), on_level)
    assert problem is not None and "培训记录" in problem[0] and "级别" in problem[0]
    assert rule_inputs.rule_problem(_book_without(OUTPUTS, "level"), on_level) is None
    assert rule_inputs.rule_problem(_book_without(TRAININGS, "level"), _credit_rule("")) is None
    # a credited sheet added by record that declares it must feed 级别 is asked for it too
    talks = SheetSpec(key="talks", name="讲座记录", en="Talks", counted=True, columns=(
        _col("date", "日期", kind="date", required=True), _col("teacher_id", "工号", kind="teacher_id", required=True),
        _col("level", "级别"), _col("credits", "学分", kind="number"),
    ), credit=CreditRule(category="讲座", ledger_needs=("level",)))
    for module in (rule_inputs, policy_module):  # the ledger's sources, as a credited SheetSpec makes them
        monkeypatch.setattr(module, "CREDITED_SHEETS", (*CREDITED_SHEETS, talks))
    monkeypatch.setitem(rule_inputs.SHEETS, talks.key, talks)
    problem = rule_inputs.rule_problem(_book_without(talks, "level"), on_level)
    assert problem is not None and "讲座记录" in problem[0] and "级别" in problem[0]


def test_the_template_offers_roster_ids_on_every_other_id_column_and_widens_long_text(tmp_path):
    path = build_master(tmp_path / "t.xlsx", macros=False)
    wb = openpyxl.load_workbook(path)
    for spec in (TEACHERS, TRAININGS, OBSERVATIONS, OUTPUTS):
        ws = wb[spec.name]
        header_row = next(r for r in ws.iter_rows(max_row=5) if any(c.value == spec.columns[0].header for c in r))
        letters = {c.value: c.column_letter for c in header_row if c.value}
        places = {c.value: c.column for c in header_row if c.value}
        widths = {i: d.width for d in ws.column_dimensions.values() for i in range(d.min, d.max + 1)}  # ranges
        listed = {str(dv.sqref).split(":")[0].rstrip("0123456789") for dv in ws.data_validations.dataValidation
                  if dv.formula1 == ROSTER_IDS_NAME}
        for col in spec.columns:
            letter = letters[col.header]
            assert (letter in listed) == (col.kind == "teacher_id" and not col.roster_id), (spec.key, col.key)
            assert (widths[places[col.header]] >= 30) == col.wide, (spec.key, col.key)  # others are short
    assert SHEETS[TEACHERS.key].column("mentor_id").kind == "teacher_id"


def test_a_book_lacking_an_optional_credited_sheet_still_evaluates_the_credit_rules(monkeypatch):
    talks = SheetSpec(key="talks", name="讲座记录", en="Talks", counted=True, optional=True, columns=(
        _col("date", "日期", kind="date", required=True), _col("teacher_id", "工号", kind="teacher_id", required=True),
        _col("credits", "学分", kind="number"),
    ), credit=CreditRule(category="讲座", level_column=None))
    for module in (rule_inputs, policy_module):
        monkeypatch.setattr(module, "CREDITED_SHEETS", (*CREDITED_SHEETS, talks))
    monkeypatch.setitem(rule_inputs.SHEETS, talks.key, talks)
    total = _credit_rule("")
    assert talks.key in total.logs
    book = _book_without(TRAININGS, "")  # every shipped sheet whole, no 讲座记录
    assert rule_inputs.rule_problem(book, total) is None
    lacking = Dataset(frames={k: v for k, v in book.frames.items() if k != OUTPUTS.key}, places=book.places)
    problem = rule_inputs.rule_problem(lacking, total)  # a required credited sheet missing still stops it
    assert problem is not None and "成果记录" in problem[0]
    counting_talks = total.model_copy(update={"sheet": talks.key})  # a rule over the optional sheet alone
    monkeypatch.setitem(policy_module.SHEETS, talks.key, talks)
    problem = rule_inputs.rule_problem(book, counting_talks)
    assert problem is not None and "讲座记录" in problem[0]
