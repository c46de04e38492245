"""The checks run after every sheet is read, each declared once: its sheets and the findings it may emit.

A ``CrossCheck`` names the sheets it looks at by what they are (``SheetSpec`` facts and columns: any
sheet with a 工号 column is checked against the roster, the sheet whose subject is a group against the
roster's groups), the finding types it can emit (as frictionless checks declare their ``Errors``), and
what it needs (the roster, the school year). :func:`run_cross_checks` is a loop over ``CROSS_CHECKS``
in order; the bodies are engine.checks'.

Order matters and is the declared order: the roster's own check decides which roster rows count
before any sheet is checked against it; a sheet's checks see the findings of the checks declared
before them on that sheet (likely duplicates look only at rows still counting); ``after`` checks run
once every sheet's own checks are done.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from ..contract.findings import (
    DateOrder, DateOutsideYear, DuplicateRow, DuplicateTeacherId, Finding, FindingType, LikelyDuplicate,
    LikelyDuplicateCounted, NameMismatch, SelfMentor, TooManyHours, UnexpectedUnit, UnknownCategory,
    UnknownGroup, UnknownMentor, UnknownObservedTeacher, UnknownRuleId, UnknownTeacher,
)
from ..contract.schema import DATA_SHEETS, TEACHERS, SheetSpec
from . import checks
from .sheet_frame import SheetRead
from .verdict import judge


@dataclass(slots=True)
class CheckInput:
    """What a check is handed for one sheet."""

    read: SheetRead
    sheet: str  # the sheet's name in the book
    found: list[Finding]  # this sheet's findings from the checks declared before
    roster: pd.DataFrame | None  # the roster rows that count (after the roster's own check)
    year: tuple[dt.date, dt.date] | None  # the school year, when the 规则 sheet gives it (not inferred)
    rule_ids: set[str]
    categories: list[str]

    def counting(self, more: list[Finding]) -> pd.DataFrame:
        """The sheet's rows that count, judged from its cell findings and ``more``."""
        return self.read.frame[judge(self.read, [*self.read.findings, *more]).ok]


@dataclass(frozen=True, slots=True)
class CrossCheck:
    name: str
    on: Callable[[SheetSpec], bool]  # the sheets it runs on
    emits: tuple[type[FindingType], ...]  # every finding type it may return
    run: Callable[[CheckInput], list[Finding]]
    needs_roster: bool = False
    needs_year: bool = False
    after: bool = False  # runs once every sheet's own checks are done

    @property
    def sheets(self) -> tuple[str, ...]:
        """The keys of the sheets it runs on."""
        return tuple(s.key for s in DATA_SHEETS if self.on(s))

    @property
    def codes(self) -> frozenset[str]:
        return frozenset(t.code for t in self.emits)


def _roster(s: SheetSpec) -> bool:
    return s.key == TEACHERS.key


def _log(s: SheetSpec) -> bool:
    return s.key != TEACHERS.key


def _with(*columns: str) -> Callable[[SheetSpec], bool]:
    def on(s: SheetSpec) -> bool:
        keys = {c.key for c in s.columns}
        return _log(s) and all(c in keys for c in columns)
    return on


def _year_date(c: CheckInput) -> list[Finding]:
    assert c.year is not None and c.read.spec.year_date is not None  # needs_year, on= year_date
    return checks.check_dates_in_year(c.read, c.sheet, c.read.spec.year_date, *c.year)


def _duplicates(c: CheckInput) -> list[Finding]:
    keys = [col.key for col in c.read.spec.columns]  # a row repeated in every column
    return checks.check_duplicates(c.read, c.sheet, keys, judge(c.read, c.read.findings))


def _likely_duplicates(c: CheckInput) -> list[Finding]:
    # After every check that leaves rows out: only rows that would count are one session twice.
    return checks.check_likely_duplicates(c.read, c.sheet, judge(c.read, [*c.read.findings, *c.found]))


CROSS_CHECKS: tuple[CrossCheck, ...] = (
    CrossCheck("roster", _roster, (DuplicateTeacherId, SelfMentor, UnknownMentor, DateOrder),
               lambda c: checks.check_roster(c.read, c.sheet, c.counting)),
    CrossCheck("duplicates", _log, (DuplicateRow,), _duplicates),
    CrossCheck("units", _log, (UnexpectedUnit,), lambda c: checks.check_units(c.read, c.sheet)),
    CrossCheck("teacher-refs", _with("teacher_id"), (UnknownTeacher, NameMismatch),
               lambda c: checks.check_teacher_refs(c.read, c.sheet, _given(c.roster)), needs_roster=True),
    CrossCheck("dates-in-year", lambda s: _log(s) and s.year_date is not None, (DateOutsideYear,), _year_date,
               needs_year=True),
    CrossCheck("groups", lambda s: s.subject == "group", (UnknownGroup,),
               lambda c: checks.check_groups(c.read, c.sheet, _given(c.roster)), needs_roster=True),
    CrossCheck("categories", _with("category"), (UnknownCategory,),
               lambda c: checks.check_categories(c.read, c.sheet, c.categories)),
    CrossCheck("likely-duplicates", _log, (LikelyDuplicate, LikelyDuplicateCounted), _likely_duplicates),
    CrossCheck("hours-per-day", _with("hours", "days"), (TooManyHours,),
               lambda c: checks.check_hours_per_day(c.read, c.sheet, c.counting(c.found)), after=True),
    CrossCheck("observed-teachers", _with("taught_by", "location"), (UnknownObservedTeacher,),
               lambda c: checks.check_observed_teachers(c.read, c.sheet, _given(c.roster)), needs_roster=True,
               after=True),
    CrossCheck("rule-ids", lambda s: s.exempts is not None, (DateOrder, UnknownRuleId),
               lambda c: checks.check_exemption_rules(c.read, c.sheet, c.rule_ids), after=True),
)


def _given(roster: pd.DataFrame | None) -> pd.DataFrame:
    assert roster is not None  # needs_roster
    return roster


class UndeclaredFinding(RuntimeError):
    """A check returned a finding type it does not declare in ``emits``: a programming error, not a problem
    in the book, so it is not a finding; the door's internal-error line shows it (naming check and code)."""

    def __init__(self, check: str, code: str, sheet: str):
        super().__init__(f"cross-check '{check}' emitted '{code}' on sheet '{sheet}', which its emits does not declare")
        self.check, self.code, self.sheet = check, code, sheet


@dataclass(slots=True)
class Ran:
    """One check's findings on one sheet."""

    check: CrossCheck
    sheet: str  # key
    findings: list[Finding]


def run_cross_checks(reads: dict[str, SheetRead], names: dict[str, str], year: tuple[dt.date, dt.date] | None,
                     rule_ids: set[str], categories: list[str],
                     declared: tuple[CrossCheck, ...] = CROSS_CHECKS) -> list[Ran]:
    """Every declared check on every sheet it names that the book has, in order (module docstring)."""
    out: list[Ran] = []
    found: dict[str, list[Finding]] = {}  # sheet key -> its cross-check findings so far
    roster: pd.DataFrame | None = None

    def one(check: CrossCheck, spec: SheetSpec) -> None:
        read = reads.get(spec.key)
        if read is None or (check.needs_roster and roster is None) or (check.needs_year and year is None):
            return
        mine = found.setdefault(spec.key, [])
        got = check.run(CheckInput(read, names[spec.key], mine, roster, year, rule_ids, categories))
        codes = check.codes
        undeclared = next((f.code for f in got if f.code not in codes), None)
        if undeclared is not None:  # the declared types are what the tests and the docs trust: enforced here
            raise UndeclaredFinding(check.name, undeclared, spec.key)
        mine += got
        out.append(Ran(check, spec.key, got))

    roster_checks = [c for c in declared if not c.after and c.on(TEACHERS)]
    for check in roster_checks:
        one(check, TEACHERS)
    if TEACHERS.key in reads:
        roster_read = reads[TEACHERS.key]
        roster = roster_read.frame[judge(roster_read, [*roster_read.findings, *found.get(TEACHERS.key, [])]).ok]
    for spec in DATA_SHEETS:
        for check in declared:
            if not check.after and check not in roster_checks and check.on(spec):
                one(check, spec)
    for check in declared:
        if check.after:
            for spec in DATA_SHEETS:
                if check.on(spec):
                    one(check, spec)
    return out
