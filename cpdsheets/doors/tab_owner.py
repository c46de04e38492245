"""Which sheets are the add-in's output tabs: the ones the book's record says it wrote, never a
sheet that merely shares a name. Every door (the package writer, the Excel button, the service's
answer to the VBA client) decides here, through :func:`plan_write`: which sheet each tab is written
to, which of our sheets go (the other language's, an older version's), and the record after the run.

The record is the hidden sheet ``cpdsheets.marks`` (:mod:`mark_record`): one row per tab written,
with its key. A user's sheet named like an output tab (学分汇总, Summary, groups...) is kept, and
the tab is written under the first free name ``学分汇总(2)``, ``学分汇总(3)``...: the run still
gives the coordinator the results, and the next run finds that tab in the record and replaces it
in place. Refusing would leave a school without its summary over a naming clash.

A book written before the record existed has none: there a sheet counts as ours when its name
is an output tab name (either language) and its content looks like one of our tabs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from cpdsheets.contract.texts import Lang, Text, other_lang
from cpdsheets.contract.schema import OUTPUT_TABS
from cpdsheets.doors.xml_text import SHEET_NAME_MAX, safe_sheet_name
from cpdsheets.reports.tables import TabTable


@dataclass(slots=True)
class TabPlan:
    names: list[str]  # the sheet name for each tab, in order
    stale: list[str]  # our earlier tabs of the same keys under other names: delete them
    owned: dict[str, str] = field(default_factory=dict)  # the record after this run: name -> key


def plan_tabs(tabs: list[TabTable], sheets: list[str], owned: dict[str, str],
              looks_ours: Callable[[str, str], bool], *, has_record: bool) -> TabPlan:
    """``sheets``: the book's sheet names; ``owned``: the record (name -> key); ``looks_ours(name,
    key)`` judges a sheet of a book that has no record yet."""
    existing = {s.casefold(): s for s in sheets}
    mine = {n.casefold(): k for n, k in owned.items() if n.casefold() in existing}
    if not has_record:
        for key, tab_names in OUTPUT_TABS.items():
            for n in tab_names:
                if n.casefold() in existing and looks_ours(existing[n.casefold()], key):
                    mine[n.casefold()] = key
    taken: set[str] = set()
    names: list[str] = []
    for tab in tabs:
        want = safe_sheet_name(tab.name)
        cand, k = want, 1
        while cand.casefold() in taken or (cand.casefold() in existing and cand.casefold() not in mine):
            k += 1
            suffix = f"({k})"
            cand = want[: SHEET_NAME_MAX - len(suffix)] + suffix
        taken.add(cand.casefold())
        names.append(cand)
    keys = {t.key for t in tabs}
    stale = [existing[cf] for cf, k in mine.items() if k in keys and cf not in taken]
    record = {existing[cf]: k for cf, k in mine.items() if cf not in taken and k not in keys}
    record.update({name: tab.key for name, tab in zip(names, tabs)})
    return TabPlan(names, stale, record)


@dataclass(slots=True)
class WritePlan:
    """What a door does to write a run's tabs: delete ``delete`` (in order), then write each tab to
    its name in ``names`` (replacing a sheet of that name, else adding one after the last sheet),
    and record ``owned``."""

    names: list[str]
    delete: list[str]
    owned: dict[str, str]


def plan_write(tabs: list[TabTable], sheets: list[str], owned: dict[str, str],
               first_rows: Callable[[str], list[list[Any]]], *, remove: Iterable[str] = ()) -> WritePlan:
    """The one decision every door follows. ``sheets``: the book's sheet names (the record sheet
    left out); ``owned``: its record (name -> key); ``first_rows(name)``: a sheet's first two rows,
    read only for a book without a record (see :func:`looks_like_tab`). Our earlier tabs of the same
    keys under other names are deleted; so is a name in ``remove`` (:func:`other_language_tabs`), but
    only when it is ours."""
    plan = plan_tabs(tabs, sheets, owned, lambda name, key: looks_like_tab(first_rows(name), key),
                     has_record=bool(owned))
    keep = {n.casefold() for n in plan.names}
    present = {s.casefold(): s for s in sheets}
    record = dict(plan.owned)
    delete: dict[str, str] = {}  # casefolded -> the sheet's name, in order
    for name in [*plan.stale, *remove]:
        folded = name.casefold()
        ours = name in plan.stale or any(n.casefold() == folded for n in record)
        if ours and folded not in keep and folded not in delete:
            record.pop(name, None)
            if folded in present:
                delete[folded] = present[folded]
    after = (set(present) - set(delete)) | keep  # the book's sheets once the plan is carried out
    return WritePlan(plan.names, list(delete.values()), {n: k for n, k in record.items() if n.casefold() in after})


def tab_name(key: str, lang: Lang) -> str:
    """An output tab's name in ``lang``."""
    return Text(*OUTPUT_TABS[key])[lang]


def other_language_tabs(lang: Lang) -> list[str]:
    """The output tabs' names in the language not written: a run in ``lang`` replaces them (both names
    of each tab belong to the add-in, docs/SPEC.md "Sheets"), so switching language never leaves two."""
    return [Text(*pair)[other_lang(lang)] for pair in OUTPUT_TABS.values()]


def looks_like_tab(rows: list[list[Any]], key: str) -> bool:
    """An unrecorded sheet is an earlier version's tab when one of its first two rows starts with
    that tab's first header (in either language) and holds at least two header-like cells."""
    firsts = _FIRST_HEADERS.get(key, ())
    for row in rows[:2]:
        cells = [c for c in row if isinstance(c, str) and c.strip()]
        if row and isinstance(row[0], str) and row[0].strip() in firsts and len(cells) >= 2:
            return True
    return False


# The first column header of each tab as every version wrote it (zh and en).
_FIRST_HEADERS = {
    "summary": ("工号", "Teacher ID", "ID"),
    "alerts": ("状态", "State", "工号", "Teacher ID", "严重度", "Severity"),
    "issues": ("严重度", "Severity", "位置", "Location"),
    "groups": ("教研组", "Group"),
    "runlog": ("项目", "Item"),
}
