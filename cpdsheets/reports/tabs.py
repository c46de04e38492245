"""Build the add-in's output tabs (学分汇总, 达标预警, 校验问题, 教研组统计, 运行记录) from results
handed in. Pure: no file, no Excel; each door renders the TabTables its own way."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from ..contract.findings import Finding, Lang
from ..contract.policy import Policy, Settings
from ..contract.results import Results
from ..contract.schema import FIXED_CREDIT_CATEGORIES, OUTPUT_TABS, TRAINING_CATEGORIES
from ..contract.states import State, SubjectType
from ..contract.texts import WORDS, Text
from .alert_rows import STATE_RANK, alert_rows
from .plain_values import missing
from .report import sorted_findings
from .tab_texts import HEADERS, RUNLOG_ITEMS, SEVERITY_WORDS
from .tables import ChartSpec, Column, TabTable



def tab_name(key: str, lang: Lang) -> str:
    return Text(*OUTPUT_TABS[key])[lang]


def _state(state: str, lang: Lang) -> str:
    return State.label_of(state, lang)


def _severity(level: str, lang: Lang) -> str:
    return SEVERITY_WORDS.render(level, lang) if level in SEVERITY_WORDS else level


def _date(v: Any) -> dt.date | None:
    if missing(v):
        return None
    if isinstance(v, pd.Timestamp):
        return v.date()
    if isinstance(v, str):
        return dt.date.fromisoformat(v[:10])
    return v


def issues_tab(findings: list[Finding], lang: Lang = "zh") -> TabTable:
    rows, links = [], []
    for f in sorted_findings(findings):
        rows.append([_severity(f.level, lang), f.sheet, f.cell, f.column, f.shown_value,
                     f.message(lang), f.hint(lang), f.code])
        links.append(f"'{f.sheet}'!{f.cell}" if f.cell and f.row else None)
    cols = [Column(HEADERS.render("severity", lang), "status"), Column(HEADERS.render("sheet", lang)),
            Column(HEADERS.render("cell", lang)), Column(HEADERS.render("column", lang)),
            Column(HEADERS.render("typed-value", lang)), Column(HEADERS.render("problem", lang), width=48, wrap=True),
            Column(HEADERS.render("fix", lang), width=40, wrap=True), Column(HEADERS.render("code", lang))]
    return TabTable("issues", tab_name("issues", lang), cols, rows, links=links, link_column=2)


def summary_tab(results: Results, policy: Policy, lang: Lang = "zh") -> TabTable:
    teachers: pd.DataFrame = results.teachers
    categories = category_order({c for d in teachers["credits_by_category"] for c in (d or {})}, policy.settings)
    cols = [Column(HEADERS.render("teacher-id", lang)), Column(HEADERS.render("name", lang)),
            Column(HEADERS.render("teaching-group", lang)), Column(HEADERS.render("lesson-group", lang)),
            Column(HEADERS.render("roles", lang)), Column(HEADERS.render("credits", lang), "number"),
            Column(HEADERS.render("status", lang), "status"),
            Column(HEADERS.render("alert-items", lang), width=44, wrap=True)]
    cols += [Column(c, "number") for c in categories]
    alerts = _alert_lines(results.alerts, lang)
    rows = []
    for t in teachers.itertuples(index=False):
        by_cat = t.credits_by_category or {}
        rows.append([t.teacher_id, _blank(t.name), _blank(t.group), _blank(t.lesson_group), _blank(t.roles),
                     _num(t.credits), _state(t.status, lang), alerts.get(t.teacher_id, "")]
                    + [_num(by_cat.get(c, 0.0)) for c in categories])
    title = HEADERS.render("summary-title", lang, school=policy.settings.school_name,
                           as_of=results.as_of.isoformat()).strip()
    return TabTable("summary", tab_name("summary", lang), cols, rows, title=title)


def category_order(present: set[str], settings: Settings) -> list[str]:
    """Credit categories as the 规则 sheet lists them (学分换算, then 学分上限), the template's
    categories after those, anything else by name, and the categories a credited sheet fixes (成果, from
    成果学分, listed last) at the end."""
    listed = [*settings.credit_rates, *TRAINING_CATEGORIES, *settings.category_caps]
    fixed = set(FIXED_CREDIT_CATEGORIES)
    order = [c for c in dict.fromkeys(listed) if c in present and c not in fixed]
    order += sorted(present - set(order) - fixed)
    return order + [c for c in FIXED_CREDIT_CATEGORIES if c in present]


def _alert_lines(alerts: pd.DataFrame, lang: Lang) -> dict[str, str]:
    """Per teacher, each rule with an alert once, worst state first: `R03 每学期听课节数：未达标`."""
    if alerts.empty:
        return {}
    df = alerts[alerts["subject_type"] == SubjectType.TEACHER]
    df = df.assign(_r=-df["state"].map(STATE_RANK).fillna(0)).sort_values(["subject", "_r", "rule_id"])
    df = df.drop_duplicates(["subject", "rule_id"])
    sep = WORDS.render("clause-sep", lang)
    colon = WORDS.render("colon", lang)
    return (df["rule_id"] + " " + df["rule_name"] + colon + df["state"].map(lambda s: _state(s, lang))) \
        .groupby(df["subject"]).agg(sep.join).to_dict()


def _blank(v: Any) -> Any:
    return "" if missing(v) else v


def alerts_tab(results: Results, lang: Lang = "zh") -> TabTable:
    """One row per subject, rule and semester (see ``alert_rows``); the JSON keeps every period."""
    names = dict(zip(results.teachers["teacher_id"], results.teachers["name"]))
    cols = [Column(HEADERS.render("state", lang), "status"), Column(HEADERS.render("severity", lang)),
            Column(HEADERS.render("subject", lang)), Column(HEADERS.render("subject-name", lang)),
            Column(HEADERS.render("rule", lang)), Column(HEADERS.render("rule-name", lang)),
            Column(HEADERS.render("detail", lang)), Column(HEADERS.render("period", lang)),
            Column(HEADERS.render("period-start", lang), "date"), Column(HEADERS.render("period-end", lang), "date"),
            Column(HEADERS.render("actual", lang), "number"), Column(HEADERS.render("required", lang), "number"),
            Column(HEADERS.render("note", lang), width=56, wrap=True),
            Column(HEADERS.render("consequence", lang), width=36, wrap=True)]
    rows = [[_state(a.state, lang), _severity(a.severity, lang), a.subject,
             names.get(a.subject, a.subject), a.rule_id, a.rule_name, a.detail, a.period, _date(a.start),
             _date(a.end), _num(a.actual), _num(a.required), a.note, _blank(a.consequence)]
            for a in alert_rows(results.alerts, results.progress, list(results.teachers["teacher_id"]), lang)]
    return TabTable("alerts", tab_name("alerts", lang), cols, rows)


def _num(v: Any) -> float | None:
    # Six decimals: beyond that a share like 7/33 differs between doors only in the last binary digit.
    return None if v is None or v != v else round(float(v), 6)


def groups_tab(results: Results, lang: Lang = "zh") -> TabTable:
    groups: pd.DataFrame = results.groups
    cols = [Column(HEADERS.render("teaching-group", lang)), Column(HEADERS.render("teachers", lang), "int"),
            Column(HEADERS.render("mean-credits", lang), "number"),
            Column(HEADERS.render("completion", lang), "percent"),
            Column(HEADERS.render("teachers-behind", lang), "int"), Column(HEADERS.render("teachers-failed", lang), "int"),
            Column(HEADERS.render("teacher-alerts", lang), "int"),
            Column(HEADERS.render("group-alerts", lang), "int")]
    rows = [[g.group, int(g.teachers), _num(g.mean_credits), _num(g.share_ok), int(g.behind), int(g.failed),
             int(g.teacher_alerts), int(g.group_alerts)] for g in groups.itertuples(index=False)]
    chart = ChartSpec(HEADERS.render("groups-chart", lang), 0, [3], "column",
                      HEADERS.render("completion", lang)) if rows else None
    return TabTable("groups", tab_name("groups", lang), cols, rows, chart=chart)


def runlog_tab(info: dict[str, Any], lang: Lang = "zh") -> TabTable:
    rows = [[RUNLOG_ITEMS.render(k, lang) if k in RUNLOG_ITEMS else k, v] for k, v in info.items()]
    cols = [Column(HEADERS.render("item", lang)), Column(HEADERS.render("value", lang), width=40)]
    return TabTable("runlog", tab_name("runlog", lang), cols, rows)
