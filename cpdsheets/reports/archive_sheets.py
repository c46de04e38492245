"""The 个人培训档案 laid out for print: one sheet per teacher, and 全校概览 first.

Pure layout of what ``reports.archive`` gathered (and of the results' group figures): headers,
tables, sentences and signature lines, Chinese first, English with ``lang="en"``.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

from ..contract.findings import Finding, Lang
from ..contract.results import Results
from ..contract.states import State, SubjectType
from ..contract.texts import WORDS, Text
from ..contract.period import PERIOD_KIND_SPECS
from ..contract.schema import RECORD_SHEETS
from .period_text import period_text
from .archive import AFTER_AS_OF, Record, RuleLine, SchoolArchive, TeacherArchive
from .plain_values import text
from .print_sheet import Block, Facts, Lines, PrintSheet, Signatures, Table
from .rule_standing import BEHIND, FAILED, IN_PROGRESS, MET, SUBJECT_KEYS, rate_of, subject_standing
from .safe_names import sheet_names
from .tables import STATUS_FILLS, ChartSpec, Column
from .tabs import _state as state_word  # the tabs' English state words, shared
from .archive_texts import ARCHIVE

TEACHER_WIDTHS = [8.0, 15.0, 26.0, 23.0, 9.0, 9.0, 9.0, 14.0]
OVERVIEW_WIDTHS = [14.0, 10.0, 26.0, 10.0, 8.0, 8.0, 10.0, 16.0]
_SIGNATURES = ("sign-teacher", "sign-group-leader", "sign-checked-by", "sign-date")
_FINAL_REASON = {"已离校": "reason-left", "休假": "reason-on-leave"}  # the engine's two reasons


def _fill(state: str) -> str | None:
    return STATUS_FILLS.get(state)


_RED, _YELLOW, _GREEN = State.FAILED.fill, State.BEHIND.fill, State.MET.fill


def _n(v: float | None) -> str:
    if v is None:
        return ""
    return f"{v:.0f}" if float(v).is_integer() else f"{v:.2f}".rstrip("0").rstrip(".")


def archive_sheets(archive: SchoolArchive, results: Results, findings: list[Finding], lang: Lang = "zh", *,
                   overview: bool = True) -> list[PrintSheet]:
    """全校概览 (when ``overview``) then one sheet per teacher, with valid unique sheet names."""
    wanted = ([ARCHIVE.render("overview",
                              lang)] if overview else []) + [f"{t.teacher_id} {t.name}" for t in archive.teachers]
    names = sheet_names(wanted)
    sheets = [overview_sheet(archive, results, findings, lang, names[0])] if overview else []
    for t, name in zip(archive.teachers, names[len(sheets):]):
        sheets.append(teacher_sheet(archive, t, lang, name))
    return sheets


def _title(archive: SchoolArchive, lang: Lang, what: str) -> str:
    return ARCHIVE.render("title", lang, school=archive.school, year_label=archive.year_label, what=ARCHIVE[what]).strip()


# -- one teacher -------------------------------------------------------------------------------

def teacher_sheet(archive: SchoolArchive, t: TeacherArchive, lang: Lang, name: str) -> PrintSheet:
    as_of = archive.as_of.isoformat()
    subtitle = ARCHIVE.render("id-as-of", lang, teacher_id=t.teacher_id, name=t.name, as_of=as_of)
    credit_rules = [r for r in t.rules if r.unit.zh == "学分"]
    other_rules = [r for r in t.rules if r.unit.zh != "学分"]
    blocks: list[Block] = [
        _identity(archive, t, lang),
        _credits(archive, t, lang),
        _rules_table(ARCHIVE.render("credit-rules", lang), credit_rules, lang),
        _rules_table(ARCHIVE.render("every-rule-met-or-not", lang), other_rules, lang),
        Lines(ARCHIVE.render("still-needed-in-the-open", lang), still_needed_lines(t, lang),
              empty=ARCHIVE.render("nothing-left-to-do-in", lang)),
        Lines(ARCHIVE.render("pro-rating-and-exemptions", lang), adjustment_lines(archive, t, lang),
              empty=ARCHIVE.render("none-every-requirement-applies-in", lang)),
        *_record_tables(archive, t, lang),
        _left_out_table(t, lang),
        *([Lines(ARCHIVE.render("rows-after-the-as-of", lang), later)]
          if (later := later_lines(archive, t, lang)) else []),
        Signatures([ARCHIVE.render(code, lang) for code in _SIGNATURES]),
    ]
    return PrintSheet(name=name, title=_title(archive, lang, "title-teacher"), subtitle=subtitle,
                      widths=list(TEACHER_WIDTHS), blocks=blocks, file_stem=f"{t.teacher_id}-{t.name}",
                      footer_left=archive.school)


def _identity(archive: SchoolArchive, t: TeacherArchive, lang: Lang) -> Facts:
    years = "" if t.seniority is None else ARCHIVE.render("years", lang, seniority=t.seniority)
    pairs = [
        (ARCHIVE.render("school", lang), archive.school), (ARCHIVE.render("school-year", lang), archive.year_label),
        (ARCHIVE.render("id", lang), t.teacher_id), (ARCHIVE.render("name", lang), t.name),
        (ARCHIVE.render("group", lang), t.group), (ARCHIVE.render("lesson-group", lang), t.lesson_group),
        (ARCHIVE.render("roles", lang), t.roles), (ARCHIVE.render("years-teaching", lang), years),
        (ARCHIVE.render("mentor", lang), t.mentor or "—"), (ARCHIVE.render("apprentices",
                        lang), "、".join(t.apprentices) or "—"),
    ]
    if t.join_date or t.leave_date:
        pairs += [(ARCHIVE.render("joined", lang), t.join_date.isoformat() if t.join_date else ""),
                  (ARCHIVE.render("left", lang), t.leave_date.isoformat() if t.leave_date else "")]
    pairs += [(ARCHIVE.render("credits", lang), _n(t.credits)), (ARCHIVE.render("status", lang), state_word(t.status,
                              lang)),
              (ARCHIVE.render("as-of", lang), archive.as_of.isoformat())]
    return Facts(pairs)


def _credits(archive: SchoolArchive, t: TeacherArchive, lang: Lang) -> Table:
    cols = [Column(ARCHIVE.render("category", lang)), Column(ARCHIVE.render("credits-2", lang), "number"),
            Column(ARCHIVE.render("note", lang))]
    rows = []
    for cat in sorted(t.credits_by_category):
        raw = t.uncapped_by_category.get(cat, t.credits_by_category[cat])
        cap = archive.caps.get(cat)
        note = ""
        if cap is not None and raw > t.credits_by_category[cat]:
            note = ARCHIVE.render("capped-at-of", lang, cap=_n(cap), raw=_n(raw))
        rows.append([cat, t.credits_by_category[cat], note])
    rows.append([ARCHIVE.render("total", lang), t.credits, ""])
    return Table(ARCHIVE.render("credits-by-category", lang), cols, rows)


def _requirement(r: RuleLine, lang: Lang) -> str:
    if r.is_share and r.required is not None:
        return f"≥ {r.required:.0%}"
    if r.required is not None:
        return f"≥ {_n(r.required)}"
    if r.upper is not None:
        return f"≤ {_n(r.upper)}"
    return ""


def _actual(r: RuleLine) -> str | float:
    return f"{r.actual:.1%}" if r.is_share else r.actual


def _rules_table(title: str, rules: list[RuleLine], lang: Lang) -> Table:
    cols = [Column(ARCHIVE.render("rule", lang)), Column(ARCHIVE.render("period",
                                  lang)), Column(ARCHIVE.render("name-2", lang)),
            Column(ARCHIVE.render("from-to", lang)), Column(ARCHIVE.render("actual", lang), "number"),
            Column(ARCHIVE.render("required", lang), "number"), Column(ARCHIVE.render("state", lang), "status"),
            Column(ARCHIVE.render("note", lang))]
    rows, fills = [], []  # type: list[list[Any]], list[str | None]
    for r in rules:
        name = f"{r.rule_name}（{r.detail_name}）" if r.detail_name else r.rule_name
        span = f"{r.period_start.isoformat()} ~ {r.period_end.isoformat()}"
        # An open period not yet judged (on pace, or 仅期末) whose requirement is still ahead reads 进行中,
        # not 达标: a head who sees 达标 beside 14.5 of 40 credits is told the opposite of the truth.
        in_progress = r.state == State.MET and r.still_needed is not None
        rows.append([r.rule_id, period_text(r.period, lang), name, span, _actual(r), _requirement(r, lang),
                     ARCHIVE.render("open", lang) if in_progress else state_word(r.state, lang), _note(r, lang)])
        fills.append(None if in_progress else _fill(r.state))
    return Table(title, cols, rows, fills={6: fills}, empty=ARCHIVE.render("no-rule-applies", lang))


def _note(r: RuleLine, lang: Lang) -> str:
    note = _state_note(r, lang)
    if not r.final_reason:
        return note
    why = ARCHIVE.render(_FINAL_REASON[r.final_reason], lang)
    return WORDS.render("two-clauses", lang, first=why, second=note) if note else why


def _state_note(r: RuleLine, lang: Lang) -> str:
    if r.state == State.FAILED and r.required is not None and not r.is_share:
        short = r.required - r.actual
        short = math.ceil(short - 1e-9) if r.whole else round(short, 2)
        said = ARCHIVE.render("short", lang, short=_n(short), unit=r.unit)
        return WORDS.render("two-clauses", lang, first=said, second=r.consequence) if r.consequence else said
    if r.state in (State.FAILED, State.OVER) and r.consequence:
        return r.consequence
    if r.still_needed is not None:
        return ARCHIVE.render("to-go", lang, needed=_needed(r, lang))
    if not r.closed:
        return ARCHIVE.render("open", lang)
    return ""


def _needed(r: RuleLine, lang: Lang) -> str:
    if r.is_share:
        return f"{r.still_needed:.0%}"
    return WORDS.render("number-unit", lang, number=_n(r.still_needed), unit=r.unit).strip()


def still_needed_lines(t: TeacherArchive, lang: Lang) -> list[str]:
    """`每学期听课节数：本学期还需 6节，截止 2026-07-10。` for each open period short of its requirement."""
    out = []
    for r in t.rules:
        if r.still_needed is None:
            continue
        kind = PERIOD_KIND_SPECS.get(r.period_kind)
        period = Text(kind.zh_this, kind.en) if kind else ARCHIVE["this-period"]
        who = f"（{r.detail_name}）" if r.detail_name else ""
        end = r.period_end.isoformat()
        if r.is_share:
            out.append(ARCHIVE.render("reach-this-now-by", lang, rule_name=r.rule_name, who=who, period=period,
                                      required=r.required, actual=r.actual, end=end, rule_id=r.rule_id))
        else:
            out.append(ARCHIVE.render("more-this-by", lang, rule_name=r.rule_name, who=who, period=period,
                                      needed=_needed(r, lang), end=end, rule_id=r.rule_id))
    return out


def adjustment_lines(archive: SchoolArchive, t: TeacherArchive, lang: Lang) -> list[str]:
    """Why a requirement is less than the rule's bound, in words: the dates and exemptions, then
    each pro-rated period with its days."""
    out = []
    if t.join_date and t.join_date > archive.year_start:
        out.append(ARCHIVE.render("joined-days-before-that-carry", lang, join_date=t.join_date.isoformat()))
    if t.leave_date and t.leave_date < archive.year_end:
        out.append(ARCHIVE.render("left-days-after-that-carry", lang, leave_date=t.leave_date.isoformat()))
    for e in t.exemptions:
        which = e.rule_id or ARCHIVE.render("every-rule", lang)
        span = f"{e.start.isoformat() if e.start else '?'} ~ {e.end.isoformat() if e.end else '?'}"
        why = WORDS.render("aside", lang, aside=e.reason) if e.reason else ""
        out.append(ARCHIVE.render("exempt-from-no-requirement-on", lang, span=span, why=why, which=which))
    for r in t.rules:
        if r.prorated and r.required is not None:
            out.append(ARCHIVE.render("applies-on-of-school-days", lang, rule_id=r.rule_id, rule_name=r.rule_name,
                                      period_label=r.period_label, applicable_days=r.applicable_days,
                                      period_days=r.period_days, lower=_n(r.lower), required=_n(round(r.required, 2)),
                                      period_text=period_text(r.period, lang)))
    return out


def _record_tables(archive: SchoolArchive, t: TeacherArchive, lang: Lang) -> list[Table]:
    tables = []
    for spec in RECORD_SHEETS:
        sheet = archive.sheet_names[spec.key]
        rows = t.records.get(sheet, [])
        cols = [Column(ARCHIVE.render("row", lang), "int"), Column(ARCHIVE.render("date", lang), "date")]
        cols += [Column(Text(c.zh, c.en)[lang], c.kind) for c in spec.archive_columns]
        # Several of the school's sheets feed this log (a bound book's 上/下学期): a row number alone
        # would not say which sheet to open, so each sheet's rows get a table of their own.
        by_sheet: dict[str, list[Record]] = {}
        for r in rows:
            by_sheet.setdefault(r.sheet or sheet, []).append(r)
        for own, own_rows in (by_sheet or {sheet: []}).items():
            shown = ARCHIVE.render("sheet-shown", lang, own=own, sheet=spec.en)
            total = ARCHIVE.render("rows-counted", lang, n_own_rows=len(own_rows))
            tables.append(Table(ARCHIVE.render("shown-total", lang, shown=shown, total=total), cols,
                                [[r.row, r.date, *r.cells] for r in own_rows],
                                empty=ARCHIVE.render("no-rows-counted", lang)))
    return tables


def _left_out_table(t: TeacherArchive, lang: Lang) -> Table:
    """Rows left out for a finding, one by one (each says what to fix). Rows merely dated after the
    as-of date are not wrong: they are summed up per sheet in ``later_lines``."""
    cols = [Column(ARCHIVE.render("row", lang), "int"), Column(ARCHIVE.render("sheet", lang)),
            Column(ARCHIVE.render("problem-and-fix", lang)), Column(ARCHIVE.render("value", lang)),
            Column(ARCHIVE.render("cell", lang)), Column(ARCHIVE.render("code", lang))]
    rows = [[x.row, x.sheet, f"{x.message} {x.hint}".strip(), x.value, x.cell, x.code]
            for x in t.left_out if x.code != AFTER_AS_OF]
    # The problem and its fix get two of the page's columns, the value two: sentences, not codes, are
    # what a teacher reads; the code is last, for whoever checks the file in CI.
    return Table(ARCHIVE.render("rows-left-out-fix-them", lang), cols, rows,
                 empty=ARCHIVE.render("none-every-row-of-yours", lang),
                 spans=[1, 1, 2, 2, 1, 1])


def later_lines(archive: SchoolArchive, t: TeacherArchive, lang: Lang) -> list[str]:
    """`听课记录：3 行（第 120–145 行之间），日期 2026-04-16 至 2026-05-08，在统计截止日之后，本次不计入。`"""
    by_sheet: dict[str, list] = {}
    for x in t.left_out:
        if x.code == AFTER_AS_OF:
            by_sheet.setdefault(x.sheet, []).append(x)
    out = []
    for sheet, items in by_sheet.items():
        rows = sorted(x.row for x in items)
        dates = sorted(x.value for x in items)
        out.append(ARCHIVE.render("rows-between-rows-and-dated", lang, sheet=sheet, n_items=len(items), rows=rows[0],
                                  rows2=rows[-1], dates=dates[0], dates2=dates[-1], as_of=archive.as_of.isoformat()))
    return out


# -- 全校概览 ---------------------------------------------------------------------------------------

def overview_sheet(archive: SchoolArchive, results: Results, findings: list[Finding], lang: Lang, name: str) -> PrintSheet:
    teachers = results.teachers
    progress = results.progress
    statuses = Counter(teachers["status"])
    errors = sum(1 for f in findings if f.level == "error")
    warnings = sum(1 for f in findings if f.level == "warning")
    facts = Facts([
        (ARCHIVE.render("school", lang), archive.school), (ARCHIVE.render("school-year", lang), archive.year_label),
        (ARCHIVE.render("as-of", lang), archive.as_of.isoformat()),
        (ARCHIVE.render("teachers", lang), str(len(teachers))),
        (ARCHIVE.render("not-met", lang), str(statuses.get(State.FAILED, 0))),
        (ARCHIVE.render("behind", lang), str(statuses.get(State.BEHIND, 0))),
        (ARCHIVE.render("errors", lang), str(errors)), (ARCHIVE.render("warnings", lang), str(warnings)),
    ])
    blocks = [facts, _rule_rates(progress, lang), *_distribution(teachers, lang), _failed_teachers(teachers, progress, lang),
              _groups(results, lang), _problems(findings, lang)]
    subtitle = ARCHIVE.render("as-of-teachers", lang, as_of=archive.as_of.isoformat(), n_teachers=len(teachers))
    return PrintSheet(name=name, title=_title(archive, lang, "title-overview"), subtitle=subtitle,
                      widths=list(OVERVIEW_WIDTHS), blocks=blocks, file_stem=ARCHIVE.render("overview", lang),
                      footer_left=archive.school, one_page=True)


def _rate_fill(rate: float) -> str | None:
    return _GREEN if rate >= 0.9 else _YELLOW if rate >= 0.7 else _RED


def _rule_rates(progress: pd.DataFrame, lang: Lang) -> Table:
    """Per enabled rule: how many of the subjects it applies to meet it in every started period."""
    cols = [Column(ARCHIVE.render("rule", lang)), Column(ARCHIVE.render("period",
                                  lang)), Column(ARCHIVE.render("name-2", lang)),
            Column(ARCHIVE.render("who", lang)), Column(ARCHIVE.render("applies", lang), "int"),
            Column(ARCHIVE.render("met", lang), "int"), Column(ARCHIVE.render("rate", lang), "percent"),
            Column(ARCHIVE.render("not-met-behind", lang))]
    rows, fills = [], []  # type: list[list[Any]], list[str | None]
    if len(progress):
        # Where each subject stands (rule_standing): 进行中, an open period whose requirement is still
        # ahead (a yearly 仅期末 sum in November), is neither 达标 nor a failure: counted apart, so that
        # 14.5 of 40 credits is never shown as 达标, and coloured by the share still on track. The
        # district roll-up counts with the same definition.
        first = progress.groupby(SUBJECT_KEYS, sort=True).agg(name=("rule_name", "first"),
                                                               kind=("period_kind", "first"))
        per_subject = first.assign(standing=subject_standing(progress, sort=True))
        for (rule_id, kind), g in per_subject.groupby(level=[0, 1], sort=True):
            standing = g["standing"]
            applies, met = len(g), int((standing == MET).sum())
            in_progress = int((standing == IN_PROGRESS).sum())
            # 达标 ÷ the subjects judged, as the district rate (rule_standing.rate_of): a rule whose
            # subjects are all 进行中 has no rate yet, printed "—" as the district's text and page print it.
            judged_rate = rate_of(met, applies - in_progress)
            rate: float | str = "—" if judged_rate is None else judged_rate
            on_track = (met + in_progress) / applies if applies else 0.0
            who = SubjectType(kind).label(lang, plural=True)
            period = g["kind"].iloc[0]
            period = Text(period, PERIOD_KIND_SPECS[period].en)[lang] if period in PERIOD_KIND_SPECS else period
            rows.append([rule_id, period, g["name"].iloc[0], who, applies, met, rate,
                         f"{int((standing == FAILED).sum())} / {int((standing == BEHIND).sum())} / {in_progress}"])
            fills.append(_rate_fill(on_track))
    return Table(ARCHIVE.render("each-rule-subjects-meeting-it", lang), cols, rows, fills={6: fills},
                 empty=ARCHIVE.render("no-rule-is-enabled", lang))


def _distribution(teachers: pd.DataFrame, lang: Lang) -> list[Block]:
    credits = [float(c) for c in teachers["credits"]]
    if not credits:
        return []
    top = max(5.0, math.ceil(max(credits) / 5.0) * 5.0)
    width = max(5.0, math.ceil(top / 8 / 5.0) * 5.0)
    edges = [i * width for i in range(int(math.ceil(top / width)) + 1)]
    counts = Counter(min(int(c // width), len(edges) - 2) for c in credits)
    rows = [[f"{_n(edges[i])}–{_n(edges[i + 1])}", counts.get(i, 0)] for i in range(len(edges) - 1)]
    cols = [Column(ARCHIVE.render("credits-3", lang)), Column(ARCHIVE.render("teachers-2", lang), "int")]
    chart = ChartSpec(ARCHIVE.render("credits-per-teacher", lang), 0, [1], "column", ARCHIVE.render("teachers-2",
                                     lang))
    summary = Lines(ARCHIVE.render("credits-4",
                                   lang), [ARCHIVE.render("lowest-median-highest-credits", lang, min=_n(min(credits)), median=_n(statistics.median(credits)), max=_n(max(credits)))])
    return [summary, Table("", cols, rows, chart=chart)]


def _failed_teachers(teachers: pd.DataFrame, progress: pd.DataFrame, lang: Lang) -> Table:
    cols = [Column(ARCHIVE.render("id", lang)), Column(ARCHIVE.render("name", lang)),
            Column(ARCHIVE.render("rules-not-met", lang)), Column(ARCHIVE.render("group", lang))]
    failed = teachers[teachers["status"] == State.FAILED]
    bad = progress[(progress["subject_type"] == SubjectType.TEACHER) & progress["state"].isin([State.FAILED, State.OVER])
                   & (progress["severity"] == "error")]
    by_teacher: dict[str, list[str]] = {}
    for subject, rule_id, rule_name in bad.drop_duplicates(["subject", "rule_id"])[
            ["subject", "rule_id", "rule_name"]].itertuples(index=False, name=None):
        by_teacher.setdefault(subject, []).append(f"{rule_id} {rule_name}")
    rows = [[text(t.teacher_id), text(t.name), "；".join(by_teacher.get(t.teacher_id, [])), text(t.group)]
            for t in failed.itertuples(index=False)]
    return Table(ARCHIVE.render("teachers-not-meeting-a-rule", lang, n_rows=len(rows)), cols, rows,
                 empty=ARCHIVE.render("none", lang))


def _groups(results: Results, lang: Lang) -> Table:
    cols = [Column(ARCHIVE.render("group-2", lang)), Column(ARCHIVE.render("kind", lang)),
            Column(ARCHIVE.render("group-rules-not-met", lang)), Column(ARCHIVE.render("teachers-3", lang), "int"),
            Column(ARCHIVE.render("mean-credits", lang), "number"), Column(ARCHIVE.render("teachers-ok",
                                  lang), "percent"),
            Column(ARCHIVE.render("group-rules-met", lang))]
    progress = results.progress
    stats = {g.group: g for g in results.groups.itertuples(index=False)}
    grp = progress[progress["subject_type"].isin([SubjectType.TEACHING_GROUP, SubjectType.LESSON_GROUP])]
    keys = sorted({(k, s) for k, s in zip(grp["subject_type"], grp["subject"])}
                  | {(SubjectType.TEACHING_GROUP.value, g) for g in stats},
                  key=lambda x: (x[0] != SubjectType.TEACHING_GROUP, x[1]))
    rows, fills = [], []  # type: list[list[Any]], list[str | None]
    for kind, name in keys:
        mine = grp[(grp["subject_type"] == kind) & (grp["subject"] == name)]
        per_rule = (mine["state"] == State.MET).groupby(mine["rule_id"]).all().astype(bool)  # empty when no group rule ran
        missed = "；".join(f"{rid} {mine.loc[mine['rule_id'] == rid, 'rule_name'].iloc[0]}"
                          for rid, ok in per_rule.items() if not ok)
        s = stats.get(name) if kind == SubjectType.TEACHING_GROUP else None
        rows.append([name, ARCHIVE.render("group-teaching" if kind == SubjectType.TEACHING_GROUP else "group-lesson",
                                          lang), missed,
                     int(s.teachers) if s is not None else None, float(s.mean_credits) if s is not None else None,
                     float(s.share_ok) if s is not None else None, f"{int(per_rule.sum())} / {len(per_rule)}"])
        fills.append(_GREEN if not missed else _RED)
    return Table(ARCHIVE.render("groups", lang), cols, rows, fills={2: fills},
                 empty=ARCHIVE.render("no-groups-in-the-roster", lang))


def _problems(findings: list[Finding], lang: Lang) -> Table:
    cols = [Column(ARCHIVE.render("sheet", lang)), Column(ARCHIVE.render("errors-2", lang), "int"),
            Column(ARCHIVE.render("most-frequent", lang)), Column(ARCHIVE.render("warnings-2", lang), "int"),
            Column(ARCHIVE.render("codes", lang))]
    by_sheet: dict[str, list[Finding]] = {}
    for f in findings:
        if f.level in ("error", "warning"):
            by_sheet.setdefault(f.sheet or "—", []).append(f)
    rows, fills = [], []  # type: list[list[Any]], list[str | None]
    for sheet, items in sorted(by_sheet.items()):
        errs = [f for f in items if f.level == "error"]
        common = Counter((f.title(lang), f.code) for f in (errs or items)).most_common(3)
        rows.append([sheet, len(errs), ARCHIVE.render("text", lang).join(f"{t} {n}" for (t, _), n in common),
                     len(items) - len(errs), " ".join(code for (_, code), _ in common)])
        fills.append(_RED if errs else _YELLOW)
    # In words for the head; the codes of the same problems last, for CI.
    return Table(ARCHIVE.render("validation-problems-outstanding-see-the", lang),
                 cols, rows, fills={1: fills}, empty=ARCHIVE.render("none", lang), spans=[1, 1, 3, 1, 2])
