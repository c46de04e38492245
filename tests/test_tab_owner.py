"""The one decision every door follows (doors/tab_owner.plan_write): where each output tab goes, which
of our sheets are deleted (switching language), what the record says after the run. Pure: sheet
names and records in, a plan out; the doors carrying it out are tests/test_book_door.py."""

from __future__ import annotations

from cpdsheets.contract.schema import OUTPUT_TABS
from cpdsheets.doors.tab_owner import other_language_tabs, plan_write, tab_name
from cpdsheets.reports.tables import Column, TabTable

INPUTS = ["教师名册", "培训记录"]


def _tabs(lang: str) -> list[TabTable]:
    return [TabTable(key, tab_name(key, lang), [Column("x")], []) for key in OUTPUT_TABS]


def _unread(name: str) -> list[list[str]]:
    raise AssertionError(f"a book with a record is never judged by content ({name})")


def test_a_first_run_adds_every_tab_and_records_it():
    plan = plan_write(_tabs("zh"), INPUTS, {}, lambda name: [])
    assert plan.names == [zh for zh, _ in OUTPUT_TABS.values()] and plan.delete == []
    assert plan.owned == {zh: key for key, (zh, _) in OUTPUT_TABS.items()}


def test_switching_language_deletes_our_tabs_of_the_other_language_only():
    zh_owned = {zh: key for key, (zh, _) in OUTPUT_TABS.items()}
    sheets = INPUTS + list(zh_owned) + ["Summary"]  # "Summary" is the user's own: not in the record
    plan = plan_write(_tabs("en"), sheets, zh_owned, _unread, remove=other_language_tabs("en"))
    assert plan.delete == list(zh_owned)
    assert plan.names == ["Summary(2)"] + [en for _, en in list(OUTPUT_TABS.values())[1:]]
    assert plan.owned == {n: key for n, key in zip(plan.names, OUTPUT_TABS)}


def test_remove_spares_a_user_sheet_and_our_tabs_not_named():
    owned = {"学分汇总": "summary", "校验问题": "issues"}
    sheets = INPUTS + ["学分汇总", "校验问题", "Groups"]  # Groups: the user's
    issues = [t for t in _tabs("en") if t.key == "issues"]
    plan = plan_write(issues, sheets, owned, _unread, remove=other_language_tabs("zh"))
    assert plan.delete == ["校验问题"]  # the same key under its other name; "Groups" is not ours
    assert plan.names == ["Issues"] and plan.owned == {"学分汇总": "summary", "Issues": "issues"}


def test_a_book_without_a_record_is_judged_by_its_first_rows():
    rows = {"学分汇总": [["2025学年学分汇总"], ["工号", "姓名", "学分"]], "达标预警": [["我的笔记"]]}
    plan = plan_write(_tabs("zh"), INPUTS + list(rows), {}, lambda name: rows.get(name, []))
    assert plan.names[0] == "学分汇总"  # an earlier version's tab: replaced in place
    assert plan.names[1] == "达标预警(2)"  # a user's sheet of the same name: kept
    assert plan.delete == []


def test_other_language_tabs_names_each_tab_once():
    assert other_language_tabs("zh") == [en for _, en in OUTPUT_TABS.values()]
    assert other_language_tabs("en") == [zh for zh, _ in OUTPUT_TABS.values()]
