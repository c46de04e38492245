"""个人培训档案: each teacher's record, gathered from the results a recalc computed.

Built from what the door hands in (the Results, the policy, the validated dataset, the findings and
the roster's attributes); nothing is computed twice: a teacher's credits, each rule's actual,
required and state are the engine's, so the archive always says what `recalc` says.

What this module adds is bookkeeping: which rows counted (by sheet), which of a teacher's rows were
left out and why (the finding at its cell), what is still needed by when in an open period, and the
pro-rating the engine applied, so it can be said in words.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any, cast

import pandas as pd

from .. import __version__
from ..contract.dataset import Dataset
from ..contract.findings import Finding, Lang
from ..contract.period import Period
from ..contract.policy import CREDITS_SHEET, METRIC_SPECS, Policy, Rule
from ..contract.results import Results
from ..contract.schema import CREDIT_LEDGER, EXEMPTING_SHEETS, LEFT_OUT_SHEETS, RECORD_SHEETS, SHEETS, ArchiveColumn, SheetSpec
from ..contract.states import State, SubjectType
from ..contract.texts import Text
from .archive_texts import ARCHIVE
from .report import sorted_findings
from .plain_values import day as _date
from .plain_values import number as _num
from .plain_values import text as _text
from .safe_text import json_text

# What a row of each sheet shows in the archive, after 行 and 日期: its SheetSpec.archive_columns. Several
# keys make one cell, their values joined by " · " (the particulars, kept to one column so the sheet
# stays one page wide and quick to write); the first column is the record's item.
_JOINED = " · "
# A row dated after the as-of date carries no finding (it is not wrong), but it is left out too.
AFTER_AS_OF = "after-as-of"
_NO_UNIT = Text("", "")  # a rule without a unit shows none in either language
STATE_MET = State.MET.value


@dataclass(slots=True)
class RuleLine:
    rule_id: str
    rule_name: str
    detail: str
    detail_name: str
    period_label: str
    period: Period
    period_start: dt.date
    period_end: dt.date
    closed: bool
    actual: float
    required: float | None
    lower: float | None
    upper: float | None
    state: str
    severity: str
    consequence: str
    metric: str
    unit: Text  # what is counted or summed, in both languages
    period_kind: str
    applicable_days: int
    period_days: int
    still_needed: float | None  # open period short of the requirement: what is left to do by period_end
    final_reason: str = ""  # the period is final early: 已离校 or 休假 (no 还需 then)

    @property
    def is_share(self) -> bool:
        return self.metric in METRIC_SPECS and METRIC_SPECS[self.metric].is_share

    @property
    def whole(self) -> bool:
        """Counts whole items (计数): a shortfall is rounded up."""
        return self.metric in METRIC_SPECS and METRIC_SPECS[self.metric].whole

    @property
    def prorated(self) -> bool:
        return self.lower is not None and not self.is_share and self.applicable_days < self.period_days


@dataclass(slots=True)
class Record:
    row: int
    date: dt.date | None
    item: str
    amount: float | None
    cells: list[Any]  # the values of its sheet's archive_columns, in order
    sheet: str = ""  # the sheet it was typed on: in a bound book, one of several that feed a log


@dataclass(slots=True)
class LeftOut:
    sheet: str
    row: int
    cell: str
    code: str
    message: str
    hint: str
    value: str


@dataclass(slots=True)
class Exemption:
    rule_id: str  # blank: every rule
    start: dt.date | None
    end: dt.date | None
    reason: str


@dataclass(slots=True)
class TeacherArchive:
    teacher_id: str
    name: str
    group: str
    lesson_group: str
    roles: str
    seniority: float | None
    mentor: str  # `工号 姓名` or ""
    apprentices: list[str]  # `工号 姓名` each
    join_date: dt.date | None
    leave_date: dt.date | None
    credits: float
    credits_by_category: dict[str, float]
    uncapped_by_category: dict[str, float]
    status: str
    rules: list[RuleLine] = field(default_factory=list)
    records: dict[str, list[Record]] = field(default_factory=dict)  # sheet name -> rows counted
    left_out: list[LeftOut] = field(default_factory=list)
    exemptions: list[Exemption] = field(default_factory=list)


@dataclass(slots=True)
class SchoolArchive:
    school: str
    year_label: str
    as_of: dt.date
    year_start: dt.date
    year_end: dt.date
    teachers: list[TeacherArchive]
    sheet_names: dict[str, str]  # sheet key -> its name in the workbook
    caps: dict[str, float]


def build_archive(results: Results, policy: Policy, dataset: Dataset, findings: list[Finding], attrs: pd.DataFrame, *,
                  teacher_ids: list[str] | None = None, lang: Lang = "zh") -> SchoolArchive:
    """Every roster teacher the results hold (or only ``teacher_ids``, in the order given)."""
    teachers = results.teachers
    if teacher_ids is not None:
        wanted = list(dict.fromkeys(teacher_ids))
        teachers = teachers.set_index("teacher_id", drop=False).loc[wanted].reset_index(drop=True)
    ids = set(teachers["teacher_id"])
    cal = results.calendar
    names = {key: dataset.shown_name(key) for key in dataset.sheet_names}
    for spec in LEFT_OUT_SHEETS:
        names.setdefault(spec.key, spec.key)
    rules = {r.rule_id: r for r in policy.rules}
    by_attr = attrs.set_index("teacher_id", drop=False)
    person = dict(zip(attrs["teacher_id"], attrs["t:name"]))

    rule_lines = _rule_lines(results.progress, rules, ids)
    records = _records(dataset, results, ids, names)
    left_out = _left_out(dataset, results, findings, ids, names, lang)
    exemptions = _exemptions(dataset, ids)
    uncapped = _uncapped(results.ledger, ids)

    out = []
    for t in teachers.itertuples(index=False):
        a = by_attr.loc[t.teacher_id] if t.teacher_id in by_attr.index else None
        mentor = _text(a["t:mentor"]) if a is not None else ""
        apprentices = [x for x in (_text(a["t:apprentice"]) if a is not None else "").split("、") if x]
        out.append(TeacherArchive(
            teacher_id=t.teacher_id, name=_text(t.name), group=_text(t.group), lesson_group=_text(t.lesson_group),
            roles=_text(t.roles), seniority=_num(a["t:seniority"]) if a is not None else None,
            mentor=f"{mentor} {person.get(mentor, '')}".strip() if mentor else "",
            apprentices=[f"{x} {person.get(x, '')}".strip() for x in apprentices],
            join_date=_date(a["join_date"]) if a is not None else None,
            leave_date=_date(a["leave_date"]) if a is not None else None,
            credits=float(t.credits), credits_by_category=dict(t.credits_by_category or {}),
            uncapped_by_category=uncapped.get(t.teacher_id, {}), status=t.status,
            rules=rule_lines.get(t.teacher_id, []), records=records.get(t.teacher_id, {}),
            left_out=left_out.get(t.teacher_id, []), exemptions=exemptions.get(t.teacher_id, []),
        ))
    return SchoolArchive(
        school=policy.settings.school_name or "", year_label=f"{cal.year_start.year}-{cal.year_end.year}",
        as_of=results.as_of, year_start=cal.year_start, year_end=cal.year_end, teachers=out,
        sheet_names=names, caps=dict(policy.settings.category_caps),
    )


# -- rules -------------------------------------------------------------------------------------

def _rule_lines(progress: pd.DataFrame, rules: dict, ids: set[str]) -> dict[str, list[RuleLine]]:
    mine = progress[(progress["subject_type"] == SubjectType.TEACHER) & progress["subject"].isin(ids)]
    out: dict[str, list[RuleLine]] = {}
    # Column by column into plain lists (a large school has tens of thousands of rule-period rows).
    periods: list[Period] = mine["period"].tolist()
    text = {c: _texts(mine[c]) for c in ("rule_id", "rule_name", "detail", "detail_name", "period_label", "state",
                                         "severity", "consequence", "period_kind", "final_reason")}
    num = {c: _nums(mine[c]) for c in ("actual", "required", "lower", "upper")}
    # A progress row's period always has both dates (engine.periods), so neither list holds a None.
    starts = cast(list[dt.date], _dates(mine["period_start"]))
    ends = cast(list[dt.date], _dates(mine["period_end"]))
    days = mine["applicable_days"].astype("int64").tolist(), mine["period_days"].astype("int64").tolist()
    for i, (subject, closed) in enumerate(zip(mine["subject"].tolist(), mine["closed"].astype(bool).tolist())):
        rule = rules.get(text["rule_id"][i])
        metric = rule.metric if rule is not None else ""
        whole = rule is not None and rule.metric_spec.whole
        actual, required = num["actual"][i] or 0.0, num["required"][i]
        needed = None
        if not closed and required is not None and actual < required:
            gap = required - actual
            needed = float(math.ceil(gap - 1e-9)) if whole else round(gap, 4)
        out.setdefault(subject, []).append(RuleLine(
            rule_id=text["rule_id"][i], rule_name=text["rule_name"][i], detail=text["detail"][i],
            detail_name=text["detail_name"][i], period_label=text["period_label"][i], period=periods[i], period_start=starts[i],
            period_end=ends[i], closed=closed, actual=actual, required=required, lower=num["lower"][i],
            upper=num["upper"][i], state=text["state"][i], severity=text["severity"][i],
            consequence=text["consequence"][i], metric=metric, unit=unit_of(rule), period_kind=text["period_kind"][i],
            applicable_days=days[0][i], period_days=days[1][i], still_needed=needed,
            final_reason=text["final_reason"][i],
        ))
    return out


def unit_of(rule: Rule | None) -> Text:
    """What the rule counts or sums, in both languages: a share in %, a counted row by its sheet's
    count_unit, a sum by its field's shown_unit."""
    if rule is None:
        return _NO_UNIT
    metric = rule.metric_spec
    if metric.is_share:
        return ARCHIVE["unit-percent"]
    if not metric.sums:
        return SHEETS[rule.sheet].count_unit if rule.sheet in SHEETS else ARCHIVE["unit-items"]
    spec = CREDIT_LEDGER if rule.sheet == CREDITS_SHEET else SHEETS[rule.sheet]
    keys = {c.key for c in spec.columns}
    return spec.column(rule.field).shown_unit if rule.field in keys else _NO_UNIT


# -- records -----------------------------------------------------------------------------------

def counted_mask(df: pd.DataFrame, year_start: dt.date, year_end: dt.date, as_of: dt.date) -> pd.Series:
    """The rows the engine counts: valid, dated inside the school year and on or before the as-of date
    (the window engine.compute applies; the engine's ledger checks it in the tests)."""
    d = df["date"]
    inside = (d >= pd.Timestamp(year_start)) & (d <= pd.Timestamp(year_end)) & (d <= pd.Timestamp(as_of))
    return df["_ok"].astype(bool) & inside.fillna(False).astype(bool)


def _records(dataset: Dataset, results: Results, ids: set[str], names: dict[str, str]) -> dict[str, dict[str, list[Record]]]:
    cal = results.calendar
    out: dict[str, dict[str, list[Record]]] = {}
    ledger = results.ledger
    for spec in RECORD_SHEETS:
        key = spec.key
        df = dataset.frame(key)
        if not len(df):
            continue
        df = df[counted_mask(df, cal.year_start, cal.year_end, results.as_of) & df["teacher_id"].isin(ids)]
        if spec.credited:
            earned = ledger.loc[ledger["source"] == key].set_index("_row")["credits"]
            df = df.assign(_credits=df["_row"].map(earned))
        df = df.sort_values(["teacher_id", "date", "_row"], kind="stable")
        # Whole columns at once: a 600-teacher book lists some 100,000 rows.
        columns = [_column_values(df, shown) for shown in spec.archive_columns]
        item = columns[0]
        amount = _amounts(spec, df)
        dates = _dates(df["date"])
        sheet = names[key]
        typed_sheets, typed_rows = dataset.typed_at(key, df)  # a bound book's rows are the school's own
        for i, (tid, row) in enumerate(zip(df["teacher_id"].tolist(), typed_rows)):
            cells = [c[i] for c in columns]
            out.setdefault(tid, {}).setdefault(sheet, []).append(
                Record(row, dates[i], item[i], amount[i], cells, typed_sheets[i]))
    return out


def _column_values(df: pd.DataFrame, shown: ArchiveColumn) -> list[Any]:
    keys, kind = shown.keys, shown.kind
    if kind != "text":
        values = _nums(df[keys[0]])
        if kind == "int":
            return [int(v) if v is not None and v.is_integer() else v for v in values]
        return values
    texts = [pd.Series(_texts(df[k]), index=df.index) for k in keys]
    if shown.first_non_blank:  # an item falls back to the next column (a lesson without a 课题: its teacher)
        first = texts[0]
        for t in texts[1:]:
            first = first.where(first != "", t)
        return first.tolist()
    if len(keys) == 1:
        return texts[0].tolist()
    return [_JOINED.join(p for p in parts if p) for parts in zip(*(t.tolist() for t in texts))]


def _amounts(spec: SheetSpec, df: pd.DataFrame) -> list[float | None]:
    """A row's contribution in its sheet's own unit: credits (培训, 成果), characters (读书), else one (听课)."""
    if spec.archive_amount is not None:
        return _nums(df[spec.archive_amount])
    if spec.credited:
        return _nums(df["_credits"])
    return [1.0] * len(df)


def _left_out(dataset: Dataset, results: Results, findings: list[Finding], ids: set[str], names: dict[str, str],
              lang: Lang) -> dict[str, list[LeftOut]]:
    """Per teacher, every row of theirs that did not count, with the error finding at its cell (every
    finding that leaves a row out is an error); for a row after the as-of date, that."""
    at: dict[tuple[str, int], list[Finding]] = {}
    at_cell: dict[tuple[str, str], list[Finding]] = {}
    for f in sorted_findings(findings):
        if f.row and f.level == "error":
            at.setdefault((f.sheet, int(f.row)), []).append(f)
            at_cell.setdefault((f.sheet, f.cell), []).append(f)
    cal = results.calendar
    out: dict[str, list[LeftOut]] = {}
    for spec in LEFT_OUT_SHEETS:
        key = spec.key
        df = dataset.frame(key)
        if not len(df):
            continue
        mine = df["teacher_id"].isin(ids)
        if not spec.counted:  # 豁免: its rows are not counted, only used; left out means invalid
            left = df[mine & ~df["_ok"].astype(bool)]
        else:
            left = df[mine & ~counted_mask(df, cal.year_start, cal.year_end, results.as_of)]
        date_place = None if key in dataset.sources else dataset.places.get(key, {}).get("date")
        dates = left["date"] if "date" in left else pd.Series(pd.NaT, index=left.index)
        sheets, rows = dataset.typed_at(key, left)  # a bound book's findings sit on the school's sheets
        cells = dataset.typed_cells(key, left)  # ... on any cell its record was read from (a grid's header)
        for i, (tid, sheet, row, when) in enumerate(zip(left["teacher_id"], sheets, rows, dates)):
            if cells is None:
                found = at.get((sheet, row), [])
            else:
                found = [f for place in cells[i] for f in at_cell.get(place, [])]
            # a finding on another sheet than the record's (a 映射 default's cell) is named with its sheet
            items = [LeftOut(sheet, row, f.cell if f.sheet == sheet else f"{f.sheet}!{f.cell}", f.code, f.message(lang),
                             f.hint(lang), f.shown_value) for f in found]
            if not items:
                date = _date(when)
                cell = f"{date_place.letter}{row}" if date_place else ""
                if date is not None and date > results.as_of:
                    msg = ARCHIVE.render("after-as-of", lang, date=date.isoformat(), as_of=results.as_of.isoformat())
                    items = [LeftOut(sheet, row, cell, AFTER_AS_OF, msg, "", date.isoformat())]
                else:
                    items = [LeftOut(sheet, row, "", "not-counted", ARCHIVE.render("not-counted", lang), "", "")]
            out.setdefault(tid, []).extend(items)
    return out


def _exemptions(dataset: Dataset, ids: set[str]) -> dict[str, list[Exemption]]:
    out: dict[str, list[Exemption]] = {}
    for spec in EXEMPTING_SHEETS:  # the sheets whose rows take days out (SheetSpec.exempts), by its columns
        span = spec.exempts
        assert span is not None
        ex = dataset.valid(spec.key)
        ex = ex[ex["teacher_id"].isin(ids)]
        why = ex[span.reason] if span.reason else pd.Series("", index=ex.index)
        for tid, rule, start, end, reason in zip(ex["teacher_id"], ex[span.rule], ex[span.start], ex[span.end], why):
            out.setdefault(tid, []).append(Exemption(_text(rule).upper(), _date(start), _date(end), _text(reason)))
    return out


def _uncapped(ledger: pd.DataFrame, ids: set[str]) -> dict[str, dict[str, float]]:
    sums = ledger[ledger["teacher_id"].isin(ids)].groupby(["teacher_id", "category"])["credits"].sum()
    out: dict[str, dict[str, float]] = {}
    for (tid, cat), v in sums.items():
        out.setdefault(tid, {})[cat] = float(v)
    return out


# -- JSON --------------------------------------------------------------------------------------

def archive_dict(archive: SchoolArchive) -> dict[str, Any]:
    """The `archive --format json` contract; credits and rule states are recalc's."""
    teachers = []
    for t in archive.teachers:
        teachers.append({
            "teacher_id": t.teacher_id, "name": t.name, "group": t.group, "roles": t.roles,
            "credits": _float(t.credits), "credits_by_category": {k: _float(v) for k, v in t.credits_by_category.items()},
            "status": t.status,
            "rules": [{"rule_id": r.rule_id, "rule_name": r.rule_name, "period_start": r.period_start.isoformat(),
                       "period_end": r.period_end.isoformat(), "actual": _float(r.actual),
                       "required": _float(r.required), "state": r.state, "detail": r.detail,
                       "still_needed": _float(r.still_needed), "final": r.final_reason} for r in t.rules],
            "records": {sheet: [{"sheet": x.sheet, "row": x.row, "date": x.date.isoformat() if x.date else None,
                                 "item": x.item, "amount": _float(x.amount)} for x in rows]
                        for sheet, rows in t.records.items()},
            "excluded": [{"sheet": x.sheet, "row": x.row, "cell": x.cell, "code": x.code, "message": x.message}
                         for x in t.left_out],
        })
    return {"tool": "cpdsheets", "version": __version__, "as_of": archive.as_of.isoformat(),
            "school": archive.school, "teachers": teachers}


def to_archive_json(archive: SchoolArchive) -> str:
    return json_text(archive_dict(archive))


# -- plain values ------------------------------------------------------------------------------

def _texts(s: pd.Series) -> list[str]:
    return s.astype("object").where(s.notna(), "").astype(str).str.strip().tolist()


def _nums(s: pd.Series) -> list[float | None]:
    values = pd.to_numeric(s, errors="coerce").astype("float64").tolist()
    return [None if v != v else v for v in values]


def _dates(s: pd.Series) -> list[dt.date | None]:
    """datetime64 values as dates (NaT as None), converted by NumPy in one go."""
    return pd.to_datetime(s).to_numpy().astype("datetime64[D]").tolist()


def _float(v: float | None) -> float | None:
    # Not rounded: the numbers are recalc's, to the last digit (`recalc --format json` gives them raw too).
    return None if v is None else float(v)
