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
from ..contract.texts import pick as _h
from ..contract.period import PERIOD_KIND_SPECS
from ..contract.schema import RECORD_SHEETS
from .period_text import period_text
from .archive import AFTER_AS_OF, Record, RuleLine, SchoolArchive, TeacherArchive
from .plain_values import text
from .print_sheet import Block, Facts, Lines, PrintSheet, Signatures, Table
from .safe_names import sheet_names
from .tables import STATUS_FILLS, ChartSpec, Column
from .tabs import _state as state_word  # the tabs' English state words, shared

TEACHER_WIDTHS = [8.0, 15.0, 26.0, 23.0, 9.0, 9.0, 9.0, 14.0]
OVERVIEW_WIDTHS = [14.0, 10.0, 26.0, 10.0, 8.0, 8.0, 10.0, 16.0]
OVERVIEW_NAME = {"zh": "全校概览", "en": "Overview"}
_SIGNATURES = {"zh": ["教师签名", "教研组长", "教科室审核", "日期"],
               "en": ["Teacher", "Group leader", "Checked by (教科室)", "Date"]}


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
    wanted = ([OVERVIEW_NAME[lang]] if overview else []) + [f"{t.teacher_id} {t.name}" for t in archive.teachers]
    names = sheet_names(wanted)
    sheets = [overview_sheet(archive, results, findings, lang, names[0])] if overview else []
    for t, name in zip(archive.teachers, names[len(sheets):]):
        sheets.append(teacher_sheet(archive, t, lang, name))
    return sheets


def _title(archive: SchoolArchive, lang: Lang, what_zh: str, what_en: str) -> str:
    return _h(lang, f"{archive.school} {archive.year_label}学年 {what_zh}",
              f"{archive.school} {archive.year_label} {what_en}").strip()


# -- one teacher -------------------------------------------------------------------------------

def teacher_sheet(archive: SchoolArchive, t: TeacherArchive, lang: Lang, name: str) -> PrintSheet:
    as_of = archive.as_of.isoformat()
    subtitle = _h(lang, f"工号 {t.teacher_id}　姓名 {t.name}　统计截止 {as_of}",
                  f"ID {t.teacher_id}   {t.name}   as of {as_of}")
    credit_rules = [r for r in t.rules if r.unit[0] == "学分"]
    other_rules = [r for r in t.rules if r.unit[0] != "学分"]
    blocks: list[Block] = [
        _identity(archive, t, lang),
        _credits(archive, t, lang),
        _rules_table(_h(lang, "学分要求", "Credit rules"), credit_rules, lang),
        _rules_table(_h(lang, "各项规则达标情况（含已达标）", "Every rule, met or not"), other_rules, lang),
        Lines(_h(lang, "本期还需完成", "Still needed in the open periods"), still_needed_lines(t, lang),
              empty=_h(lang, "当前周期的要求均已完成。", "Nothing left to do in the open periods.")),
        Lines(_h(lang, "折算与豁免", "Pro-rating and exemptions"), adjustment_lines(archive, t, lang),
              empty=_h(lang, "无：各项要求均按全额计算。", "None: every requirement applies in full.")),
        *_record_tables(archive, t, lang),
        _left_out_table(t, lang),
        *([Lines(_h(lang, "统计截止日之后的记录", "Rows after the as-of date"), later)]
          if (later := later_lines(archive, t, lang)) else []),
        Signatures(_SIGNATURES[lang]),
    ]
    return PrintSheet(name=name, title=_title(archive, lang, "个人培训档案", "training record"), subtitle=subtitle,
                      widths=list(TEACHER_WIDTHS), blocks=blocks, file_stem=f"{t.teacher_id}-{t.name}",
                      footer_left=archive.school)


def _identity(archive: SchoolArchive, t: TeacherArchive, lang: Lang) -> Facts:
    years = "" if t.seniority is None else _h(lang, f"{t.seniority:.0f} 年", f"{t.seniority:.0f} years")
    pairs = [
        (_h(lang, "学校", "School"), archive.school), (_h(lang, "学年", "School year"), archive.year_label),
        (_h(lang, "工号", "ID"), t.teacher_id), (_h(lang, "姓名", "Name"), t.name),
        (_h(lang, "教研组", "Group"), t.group), (_h(lang, "备课组", "Lesson group"), t.lesson_group),
        (_h(lang, "岗位", "Roles"), t.roles), (_h(lang, "教龄", "Years teaching"), years),
        (_h(lang, "师傅", "Mentor"), t.mentor or "—"), (_h(lang, "徒弟", "Apprentices"), "、".join(t.apprentices) or "—"),
    ]
    if t.join_date or t.leave_date:
        pairs += [(_h(lang, "入校日期", "Joined"), t.join_date.isoformat() if t.join_date else ""),
                  (_h(lang, "离校日期", "Left"), t.leave_date.isoformat() if t.leave_date else "")]
    pairs += [(_h(lang, "总学分", "Credits"), _n(t.credits)), (_h(lang, "状态", "Status"), state_word(t.status, lang)),
              (_h(lang, "统计截止", "As of"), archive.as_of.isoformat())]
    return Facts(pairs)


def _credits(archive: SchoolArchive, t: TeacherArchive, lang: Lang) -> Table:
    cols = [Column(_h(lang, "类别", "Category")), Column(_h(lang, "学分", "Credits"), "number"),
            Column(_h(lang, "说明", "Note"))]
    rows = []
    for cat in sorted(t.credits_by_category):
        raw = t.uncapped_by_category.get(cat, t.credits_by_category[cat])
        cap = archive.caps.get(cat)
        note = ""
        if cap is not None and raw > t.credits_by_category[cat]:
            note = _h(lang, f"上限 {_n(cap)}，已登记 {_n(raw)}", f"capped at {_n(cap)} of {_n(raw)}")
        rows.append([cat, t.credits_by_category[cat], note])
    rows.append([_h(lang, "合计", "Total"), t.credits, ""])
    return Table(_h(lang, "学分（按类别）", "Credits by category"), cols, rows)


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
    cols = [Column(_h(lang, "规则", "Rule")), Column(_h(lang, "周期", "Period")), Column(_h(lang, "名称", "Name")),
            Column(_h(lang, "起止", "From ~ to")), Column(_h(lang, "实际", "Actual"), "number"),
            Column(_h(lang, "要求", "Required"), "number"), Column(_h(lang, "状态", "State"), "status"),
            Column(_h(lang, "说明", "Note"))]
    rows, fills = [], []  # type: list[list[Any]], list[str | None]
    for r in rules:
        name = f"{r.rule_name}（{r.detail_name}）" if r.detail_name else r.rule_name
        span = f"{r.period_start.isoformat()} ~ {r.period_end.isoformat()}"
        rows.append([r.rule_id, period_text(r.period, lang), name, span, _actual(r), _requirement(r, lang),
                     state_word(r.state, lang), _note(r, lang)])
        fills.append(_fill(r.state))
    return Table(title, cols, rows, fills={6: fills}, empty=_h(lang, "无适用的规则。", "No rule applies."))


def _note(r: RuleLine, lang: Lang) -> str:
    note = _state_note(r, lang)
    if not r.final_reason:
        return note
    why = r.final_reason if lang == "zh" else {"已离校": "left the school", "休假": "on leave"}.get(r.final_reason, "")
    return f"{why}；{note}" if note and lang == "zh" else (f"{why}; {note}" if note else why)


def _state_note(r: RuleLine, lang: Lang) -> str:
    if r.state == State.FAILED and r.required is not None and not r.is_share:
        short = r.required - r.actual
        short = math.ceil(short - 1e-9) if r.whole else round(short, 2)
        unit = r.unit[0 if lang == "zh" else 1]
        said = _h(lang, f"差 {_n(short)}{unit}", f"{_n(short)} {unit} short")
        return f"{said}；{r.consequence}" if r.consequence and lang == "zh" else (
            f"{said}; {r.consequence}" if r.consequence else said)
    if r.state in (State.FAILED, State.OVER) and r.consequence:
        return r.consequence
    if r.still_needed is not None:
        return _h(lang, f"还需 {_needed(r, lang)}", f"{_needed(r, lang)} to go")
    if not r.closed:
        return _h(lang, "进行中", "open")
    return ""


def _needed(r: RuleLine, lang: Lang) -> str:
    unit = r.unit[0 if lang == "zh" else 1]
    if r.is_share:
        return f"{r.still_needed:.0%}"
    return f"{_n(r.still_needed)} {unit}".strip() if lang == "en" else f"{_n(r.still_needed)}{unit}"


def still_needed_lines(t: TeacherArchive, lang: Lang) -> list[str]:
    """`每学期听课节数：本学期还需 6节，截止 2026-07-10。` for each open period short of its requirement."""
    out = []
    for r in t.rules:
        if r.still_needed is None:
            continue
        kind = PERIOD_KIND_SPECS.get(r.period_kind)
        word_zh, word_en = (kind.zh_this, kind.en) if kind else ("本期", "period")
        who = f"（{r.detail_name}）" if r.detail_name else ""
        end = r.period_end.isoformat()
        if r.is_share:
            out.append(_h(lang, f"{r.rule_name}{who}：{word_zh}需达到 {r.required:.0%}（目前 {r.actual:.0%}），截止 {end}。",
                          f"{r.rule_id} {r.rule_name}{who}: reach {r.required:.0%} this {word_en} "
                          f"(now {r.actual:.0%}), by {end}."))
        else:
            out.append(_h(lang, f"{r.rule_name}{who}：{word_zh}还需 {_needed(r, lang)}，截止 {end}。",
                          f"{r.rule_id} {r.rule_name}{who}: {_needed(r, lang)} more this {word_en}, by {end}."))
    return out


def adjustment_lines(archive: SchoolArchive, t: TeacherArchive, lang: Lang) -> list[str]:
    """Why a requirement is less than the rule's bound, in words: the dates and exemptions, then
    each pro-rated period with its days."""
    out = []
    if t.join_date and t.join_date > archive.year_start:
        out.append(_h(lang, f"入校日期 {t.join_date.isoformat()}：此前的天数不计要求。",
                      f"Joined {t.join_date.isoformat()}: days before that carry no requirement."))
    if t.leave_date and t.leave_date < archive.year_end:
        out.append(_h(lang, f"离校日期 {t.leave_date.isoformat()}：此后的天数不计要求。",
                      f"Left {t.leave_date.isoformat()}: days after that carry no requirement."))
    for e in t.exemptions:
        which = e.rule_id or _h(lang, "全部规则", "every rule")
        span = f"{e.start.isoformat() if e.start else '?'} ~ {e.end.isoformat() if e.end else '?'}"
        why = f"（{e.reason}）" if e.reason and lang == "zh" else (f" ({e.reason})" if e.reason else "")
        out.append(_h(lang, f"豁免 {span}{why}：{which}在此期间不计要求。",
                      f"Exempt {span}{why} from {which}: no requirement on those days."))
    for r in t.rules:
        if r.prorated and r.required is not None:
            out.append(_h(lang, f"{r.rule_id} {r.rule_name}（{r.period_label}）：适用 {r.applicable_days}/{r.period_days} 个上课日，"
                                f"要求由 {_n(r.lower)} 按上课日折算为 {_n(round(r.required, 2))}。",
                          f"{r.rule_id} {r.rule_name} ({period_text(r.period, lang)}): applies on {r.applicable_days} of "
                          f"{r.period_days} school days, so {_n(r.lower)} becomes {_n(round(r.required, 2))}."))
    return out


def _record_tables(archive: SchoolArchive, t: TeacherArchive, lang: Lang) -> list[Table]:
    tables = []
    for spec in RECORD_SHEETS:
        sheet = archive.sheet_names[spec.key]
        rows = t.records.get(sheet, [])
        cols = [Column(_h(lang, "行", "Row"), "int"), Column(_h(lang, "日期", "Date"), "date")]
        cols += [Column(c.zh if lang == "zh" else c.en, c.kind) for c in spec.archive_columns]
        # Several of the school's sheets feed this log (a bound book's 上/下学期): a row number alone
        # would not say which sheet to open, so each sheet's rows get a table of their own.
        by_sheet: dict[str, list[Record]] = {}
        for r in rows:
            by_sheet.setdefault(r.sheet or sheet, []).append(r)
        for own, own_rows in (by_sheet or {sheet: []}).items():
            shown = own if lang == "zh" else f"{spec.en} ({own})"
            total = _h(lang, f"计入 {len(own_rows)} 行", f"{len(own_rows)} rows counted")
            tables.append(Table(f"{shown}：{total}" if lang == "zh" else f"{shown}: {total}", cols,
                                [[r.row, r.date, *r.cells] for r in own_rows],
                                empty=_h(lang, "无计入的记录。", "No rows counted.")))
    return tables


def _left_out_table(t: TeacherArchive, lang: Lang) -> Table:
    """Rows left out for a finding, one by one (each says what to fix). Rows merely dated after the
    as-of date are not wrong: they are summed up per sheet in ``later_lines``."""
    cols = [Column(_h(lang, "行", "Row"), "int"), Column(_h(lang, "工作表", "Sheet")),
            Column(_h(lang, "问题与修改建议", "Problem and fix")), Column(_h(lang, "填写内容", "Value")),
            Column(_h(lang, "单元格", "Cell")), Column(_h(lang, "代码", "Code"))]
    rows = [[x.row, x.sheet, f"{x.message} {x.hint}".strip(), x.value, x.cell, x.code]
            for x in t.left_out if x.code != AFTER_AS_OF]
    # The problem and its fix get two of the page's columns, the value two: sentences, not codes, are
    # what a teacher reads; the code is last, for whoever checks the file in CI.
    return Table(_h(lang, "未计入的记录（请改正后重新计算）", "Rows left out (fix them and recalculate)"), cols, rows,
                 empty=_h(lang, "无：本人登记的每一行都已计入。", "None: every row of yours counted."),
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
        out.append(_h(lang, f"{sheet}：{len(items)} 行（第 {rows[0]}–{rows[-1]} 行之间），日期 {dates[0]} 至 {dates[-1]}，"
                            f"在统计截止日 {archive.as_of.isoformat()} 之后，本次不计入。",
                      f"{sheet}: {len(items)} rows (between rows {rows[0]} and {rows[-1]}) dated {dates[0]} to "
                      f"{dates[-1]}, after the as-of date {archive.as_of.isoformat()}: not counted this time."))
    return out


# -- 全校概览 ---------------------------------------------------------------------------------------

def overview_sheet(archive: SchoolArchive, results: Results, findings: list[Finding], lang: Lang, name: str) -> PrintSheet:
    teachers = results.teachers
    progress = results.progress
    statuses = Counter(teachers["status"])
    errors = sum(1 for f in findings if f.level == "error")
    warnings = sum(1 for f in findings if f.level == "warning")
    facts = Facts([
        (_h(lang, "学校", "School"), archive.school), (_h(lang, "学年", "School year"), archive.year_label),
        (_h(lang, "统计截止", "As of"), archive.as_of.isoformat()),
        (_h(lang, "教师人数", "Teachers"), str(len(teachers))),
        (_h(lang, "未达标", "Not met"), str(statuses.get(State.FAILED, 0))),
        (_h(lang, "进度落后", "Behind"), str(statuses.get(State.BEHIND, 0))),
        (_h(lang, "校验错误", "Errors"), str(errors)), (_h(lang, "校验警告", "Warnings"), str(warnings)),
    ])
    blocks = [facts, _rule_rates(progress, lang), *_distribution(teachers, lang), _failed_teachers(teachers, progress, lang),
              _groups(results, lang), _problems(findings, lang)]
    subtitle = _h(lang, f"统计截止 {archive.as_of.isoformat()}　共 {len(teachers)} 位教师",
                  f"as of {archive.as_of.isoformat()}, {len(teachers)} teachers")
    return PrintSheet(name=name, title=_title(archive, lang, "校本培训全校概览", "school overview"), subtitle=subtitle,
                      widths=list(OVERVIEW_WIDTHS), blocks=blocks, file_stem=OVERVIEW_NAME[lang],
                      footer_left=archive.school, one_page=True)


def _rate_fill(rate: float) -> str | None:
    return _GREEN if rate >= 0.9 else _YELLOW if rate >= 0.7 else _RED


def _rule_rates(progress: pd.DataFrame, lang: Lang) -> Table:
    """Per enabled rule: how many of the subjects it applies to meet it in every started period."""
    cols = [Column(_h(lang, "规则", "Rule")), Column(_h(lang, "周期", "Period")), Column(_h(lang, "名称", "Name")),
            Column(_h(lang, "对象", "Who")), Column(_h(lang, "适用", "Applies"), "int"),
            Column(_h(lang, "达标", "Met"), "int"), Column(_h(lang, "达标率", "Rate"), "percent"),
            Column(_h(lang, "未达标/落后", "Not met / behind"))]
    rows, fills = [], []  # type: list[list[Any]], list[str | None]
    if len(progress):
        p = progress.assign(_bad=progress["state"] != State.MET,
                            _failed=progress["state"].isin([State.FAILED, State.OVER]),
                            _behind=progress["state"] == State.BEHIND)
        per_subject = p.groupby(["rule_id", "subject_type", "subject"], sort=True).agg(
            name=("rule_name", "first"), kind=("period_kind", "first"), bad=("_bad", "any"),
            failed=("_failed", "any"), behind=("_behind", "any"))
        for (rule_id, kind), g in per_subject.groupby(level=[0, 1], sort=True):
            applies, met = len(g), int((~g["bad"]).sum())
            rate = met / applies if applies else 0.0
            who = SubjectType(kind).label(lang, plural=True)
            period = g["kind"].iloc[0]
            period = period if lang == "zh" or period not in PERIOD_KIND_SPECS else PERIOD_KIND_SPECS[period].en
            rows.append([rule_id, period, g["name"].iloc[0], who, applies, met, rate,
                         f"{int(g['failed'].sum())} / {int((g['behind'] & ~g['failed']).sum())}"])
            fills.append(_rate_fill(rate))
    return Table(_h(lang, "各规则达标情况（每个已开始的周期都达标才算达标）",
                    "Each rule: subjects meeting it in every started period"), cols, rows, fills={6: fills},
                 empty=_h(lang, "没有启用的规则。", "No rule is enabled."))


def _distribution(teachers: pd.DataFrame, lang: Lang) -> list[Block]:
    credits = [float(c) for c in teachers["credits"]]
    if not credits:
        return []
    top = max(5.0, math.ceil(max(credits) / 5.0) * 5.0)
    width = max(5.0, math.ceil(top / 8 / 5.0) * 5.0)
    edges = [i * width for i in range(int(math.ceil(top / width)) + 1)]
    counts = Counter(min(int(c // width), len(edges) - 2) for c in credits)
    rows = [[f"{_n(edges[i])}–{_n(edges[i + 1])}", counts.get(i, 0)] for i in range(len(edges) - 1)]
    cols = [Column(_h(lang, "学分区间", "Credits")), Column(_h(lang, "人数", "Teachers"), "int")]
    chart = ChartSpec(_h(lang, "教师学分分布", "Credits per teacher"), 0, [1], "column", _h(lang, "人数", "Teachers"))
    summary = Lines(_h(lang, "学分分布", "Credits"), [_h(
        lang, f"最低 {_n(min(credits))}，中位数 {_n(statistics.median(credits))}，最高 {_n(max(credits))} 学分。",
        f"Lowest {_n(min(credits))}, median {_n(statistics.median(credits))}, highest {_n(max(credits))} credits.")])
    return [summary, Table("", cols, rows, chart=chart)]


def _failed_teachers(teachers: pd.DataFrame, progress: pd.DataFrame, lang: Lang) -> Table:
    cols = [Column(_h(lang, "工号", "ID")), Column(_h(lang, "姓名", "Name")),
            Column(_h(lang, "未达标的规则", "Rules not met")), Column(_h(lang, "教研组", "Group"))]
    failed = teachers[teachers["status"] == State.FAILED]
    bad = progress[(progress["subject_type"] == SubjectType.TEACHER) & progress["state"].isin([State.FAILED, State.OVER])
                   & (progress["severity"] == "error")]
    by_teacher: dict[str, list[str]] = {}
    for subject, rule_id, rule_name in bad.drop_duplicates(["subject", "rule_id"])[
            ["subject", "rule_id", "rule_name"]].itertuples(index=False, name=None):
        by_teacher.setdefault(subject, []).append(f"{rule_id} {rule_name}")
    rows = [[text(t.teacher_id), text(t.name), "；".join(by_teacher.get(t.teacher_id, [])), text(t.group)]
            for t in failed.itertuples(index=False)]
    return Table(_h(lang, f"未达标教师（{len(rows)} 人）", f"Teachers not meeting a rule ({len(rows)})"), cols, rows,
                 empty=_h(lang, "无。", "None."))


def _groups(results: Results, lang: Lang) -> Table:
    cols = [Column(_h(lang, "组", "Group")), Column(_h(lang, "类型", "Kind")),
            Column(_h(lang, "组规则未达标", "Group rules not met")), Column(_h(lang, "教师数", "Teachers"), "int"),
            Column(_h(lang, "平均学分", "Mean credits"), "number"), Column(_h(lang, "教师达标率", "Teachers OK"), "percent"),
            Column(_h(lang, "组规则达标", "Group rules met"))]
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
        rows.append([name, _h(lang, kind, "teaching" if kind == SubjectType.TEACHING_GROUP else "lesson"), missed,
                     int(s.teachers) if s is not None else None, float(s.mean_credits) if s is not None else None,
                     float(s.share_ok) if s is not None else None, f"{int(per_rule.sum())} / {len(per_rule)}"])
        fills.append(_GREEN if not missed else _RED)
    return Table(_h(lang, "教研组与备课组", "Groups"), cols, rows, fills={2: fills},
                 empty=_h(lang, "名册中没有教研组。", "No groups in the roster."))


def _problems(findings: list[Finding], lang: Lang) -> Table:
    cols = [Column(_h(lang, "工作表", "Sheet")), Column(_h(lang, "错误", "Errors"), "int"),
            Column(_h(lang, "主要问题", "Most frequent")), Column(_h(lang, "警告", "Warnings"), "int"),
            Column(_h(lang, "代码", "Codes"))]
    by_sheet: dict[str, list[Finding]] = {}
    for f in findings:
        if f.level in ("error", "warning"):
            by_sheet.setdefault(f.sheet or "—", []).append(f)
    rows, fills = [], []  # type: list[list[Any]], list[str | None]
    for sheet, items in sorted(by_sheet.items()):
        errs = [f for f in items if f.level == "error"]
        common = Counter((f.title(lang), f.code) for f in (errs or items)).most_common(3)
        rows.append([sheet, len(errs), _h(lang, "、", ", ").join(f"{t} {n}" for (t, _), n in common),
                     len(items) - len(errs), " ".join(code for (_, code), _ in common)])
        fills.append(_RED if errs else _YELLOW)
    # In words for the head; the codes of the same problems last, for CI.
    return Table(_h(lang, "尚未改正的校验问题（详见总表「校验问题」）", "Validation problems outstanding (see the Issues tab)"),
                 cols, rows, fills={1: fills}, empty=_h(lang, "无。", "None."), spans=[1, 1, 3, 1, 2])
