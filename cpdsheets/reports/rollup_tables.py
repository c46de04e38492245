"""The district workbook's sheets as plain tables (headers, kinds, rows), Chinese first.

Built from a ``District`` only; the door that writes the workbook decides colours, links and the
chart, this module decides what is shown and in which words.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..contract.findings import Lang
from ..contract.states import State
from ..contract.texts import WORDS, Catalogue, joined
from .rollup import District, SchoolSummary
from .safe_names import sheet_name as safe_sheet_name
from .tables import Column
from .district_texts import DISTRICT

SHEET_NAMES = Catalogue("district sheet names", {
    "overview": ("学校总览", "Schools"),
    "rates": ("规则达标率", "Rule rates"),
    "teachers": ("预警教师", "Teachers not met"),
    "policy": ("规则差异", "Policy changes"),
    "transfers": ("跨校重复教师", "Teachers in two schools"),
    "unreadable": ("无法读取", "Unreadable"),
    "runlog": ("运行记录", "Run log"),
})
ALERT_ORDER = (State.FAILED, State.BEHIND, State.OVER)  # as each school block lists them
CHANGE_WORDS = Catalogue("policy change kinds", {
    "rule-disabled": ("停用了默认规则", "default rule disabled"),
    "rule-enabled": ("启用了备选规则", "alternative rule enabled"),
    "rule-missing": ("缺少默认规则", "default rule missing"),
    "rule-added": ("本校自定规则", "rule of its own"),
    "rule-changed": ("修改了规则", "rule changed"),
    "setting-changed": ("修改了设置", "setting changed"),
})
FIELD_WORDS = Catalogue("policy change fields", {
    "metric": ("指标", "metric"), "sheet": ("数据表", "sheet"), "field": ("字段", "field"),
    "condition": ("条件", "condition"), "period": ("周期", "period"), "applies_to": ("适用对象", "applies to"),
    "lower": ("下限", "lower bound"), "upper": ("上限", "upper bound"), "severity": ("严重度", "severity"),
})


@dataclass(slots=True)
class DistrictSheet:
    key: str
    name: str
    title: str  # first line of the sheet, with the as-of date
    note: str  # second line: how to read the sheet
    columns: list[Column]
    rows: list[list[Any]]
    total: list[Any] | None = None  # the district line under the rows
    flagged: list[int] = field(default_factory=list)  # columns to call out (rules failing in most schools)
    counts: list[list[Any]] = field(default_factory=list)  # lines of whole numbers under the total (进行中)


@dataclass(slots=True)
class SchoolBlock:
    """One school's detail section under the overview."""

    heading: str
    lines: list[str]
    columns: list[Column]
    rows: list[list[Any]]


def sheet_name(key: str, lang: Lang) -> str:
    return safe_sheet_name(SHEET_NAMES.render(key, lang))


def _title(key: str, district: District, lang: Lang) -> str:
    return DISTRICT.render("sheet-title", lang, sheet=SHEET_NAMES[key], as_of=district.as_of)


def overview(district: District, lang: Lang = "zh") -> DistrictSheet:
    cols = [Column(DISTRICT.render("school", lang), width=22), Column(DISTRICT.render("file", lang), width=28),
            Column(DISTRICT.render("teachers", lang), "int"), Column(DISTRICT.render("met", lang), "int"),
            Column(DISTRICT.render("behind", lang), "int"), Column(DISTRICT.render("not-met", lang), "int"),
            Column(DISTRICT.render("not-met-share", lang), "percent"),
            Column(DISTRICT.render("meeting-every-rule", lang), "percent"),
            Column(DISTRICT.render("median-credits", lang), "number"),
            Column(DISTRICT.render("log-rows", lang), "int"), Column(DISTRICT.render("errors", lang), "int"),
            Column(DISTRICT.render("warnings", lang), "int"), Column(DISTRICT.render("policy-changes", lang), "int")]
    rows = [_overview_row(s) for s in district.ranked()]
    t = district.totals()
    met_total = t["teachers"] - t["teachers_failing"] - t["teachers_behind"]
    total = [DISTRICT.render("district", lang), DISTRICT.render("schools", lang, schools=t['schools']),
             t["teachers"], met_total, t["teachers_behind"], t["teachers_failing"],
             t["teachers_failing"] / t["teachers"] if t["teachers"] else None,
             t["teachers_meeting_all"] / t["teachers"] if t["teachers"] else None,
             t["median_of_school_medians"], t["rows"], t["errors"], t["warnings"], t["schools_with_policy_changes"]]
    note = DISTRICT.render("schools-files-unreadable-the-largest", lang, schools=t['schools'],
                           unreadable=t['unreadable'])
    return DistrictSheet("overview", sheet_name("overview", lang), _title("overview", district, lang), note,
                         cols, rows, total)


def _overview_row(s: SchoolSummary) -> list[Any]:
    met = s.teachers - s.teachers_failing - s.teachers_behind
    return [s.school, s.path, s.teachers, met, s.teachers_behind, s.teachers_failing,
            s.failing_share if s.teachers else None, s.meeting_share, s.median_credits, s.rows, s.errors,
            s.warnings, len(s.policy_changes)]


def school_blocks(district: District, lang: Lang = "zh") -> list[SchoolBlock]:
    # The rate stays the fifth column (the writer's colour scale); the standings the rate leaves out
    # (进行中) or counts against it follow it.
    cols = [Column(DISTRICT.render("rule", lang)), Column(DISTRICT.render("name", lang)),
            Column(DISTRICT.render("subjects", lang), "int"), Column(DISTRICT.render("met-2", lang), "int"),
            Column(DISTRICT.render("rate", lang), "percent"), Column(DISTRICT.render("in-progress", lang), "int"),
            Column(DISTRICT.render("behind", lang), "int"), Column(DISTRICT.render("not-met", lang), "int")]
    out = []
    for s in district.ranked():
        codes = joined(lang, (f"{k} {v}" for k, v in s.finding_codes.items()), "list-sep")
        lines = [
            DISTRICT.render("file-school-year-s", lang, path=s.path, year=s.year, seconds=s.seconds),
            DISTRICT.render("school-findings", lang, errors=s.errors, warnings=s.warnings,
                            codes=WORDS.render("aside", lang, aside=codes) if codes else ""),
            DISTRICT.render("school-alerts", lang, n_changes=len(s.policy_changes), alerts=WORDS.render(
                "alert-sep", lang).join(DISTRICT.render("school-alert", lang, state=st.text, n=_alert_rows(s).get(st, 0))
                                        for st in ALERT_ORDER)),
        ]
        rows = [[r["rule_id"], r["rule_name"], r["subjects"], r["met"], r["rate"], r["in_progress"], r["behind"],
                 r["failed"]] for r in s.rules]
        out.append(SchoolBlock(s.school, lines, cols, rows))
    return out


def _alert_rows(s: SchoolSummary) -> dict[str, int]:
    """The school's 达标预警 rows by state, as its own tab lists them (a report written before they were
    kept: its alerts, one per period)."""
    return s.alert_rows or s.alerts


def rates(district: District, lang: Lang = "zh") -> DistrictSheet:
    rule_cols = district.rule_columns()
    by_rule = district.district_rates()
    cols = [Column(DISTRICT.render("school", lang), width=22)] + \
        [Column(f"{rid}\n{name}", "percent", width=9) for rid, name in rule_cols]
    rows = []
    for s in district.ranked():
        mine = {r["rule_id"]: r["rate"] for r in s.rules}
        rows.append([s.school] + [mine.get(rid) for rid, _ in rule_cols])
    total = [DISTRICT.render("district", lang)] + [by_rule[rid]["rate"] for rid, _ in rule_cols]
    flagged = [i + 1 for i, (rid, _) in enumerate(rule_cols) if by_rule[rid]["fails_in_most"]]
    # The district's subjects per standing, under the rates: 进行中 is not in any rate, so it is shown here.
    counts = [[DISTRICT.render(f"district-{key}", lang)] + [by_rule[rid][key] for rid, _ in rule_cols]
              for key in ("met", "judged", "in_progress")]
    note = DISTRICT.render("each-cell-the-share-of", lang)
    return DistrictSheet("rates", sheet_name("rates", lang), _title("rates", district, lang), note, cols, rows,
                         total, flagged, counts)


def alert_teachers(district: District, lang: Lang = "zh") -> DistrictSheet:
    cols = [Column(DISTRICT.render("school", lang), width=20), Column(DISTRICT.render("id", lang)),
            Column(DISTRICT.render("name-2", lang)), Column(DISTRICT.render("group", lang)),
            Column(DISTRICT.render("rules-not-met", lang), width=48), Column(DISTRICT.render("detail",
                                   lang), width=30),
            Column(DISTRICT.render("file", lang), width=28)]
    rows = [[s.school, t["teacher_id"], t["name"], t["group"], t["rules"], t["detail"], s.path]
            for s in district.ranked() for t in s.alert_teachers]
    note = DISTRICT.render("teachers-whose-status-is-not", lang, n_rows=len(rows))
    return DistrictSheet("teachers", sheet_name("teachers", lang), _title("teachers", district, lang), note,
                         cols, rows)


def policy_changes(district: District, lang: Lang = "zh") -> DistrictSheet:
    cols = [Column(DISTRICT.render("school", lang), width=20), Column(DISTRICT.render("change", lang), width=16),
            Column(DISTRICT.render("rule-or-setting", lang)), Column(DISTRICT.render("item", lang)),
            Column(DISTRICT.render("default", lang), width=20), Column(DISTRICT.render("this-school",
                                   lang), width=20),
            Column(DISTRICT.render("file", lang), width=28)]
    rows = []
    for s in district.ranked():
        for c in s.policy_changes:
            kind = CHANGE_WORDS.render(c["kind"], lang) if c["kind"] in CHANGE_WORDS else c["kind"]
            item = FIELD_WORDS.render(c["field"], lang) if c["field"] in FIELD_WORDS else c["field"]
            rows.append([s.school, kind, c["rule_id"], item, c["default"], c["value"], s.path])
    changed = sum(1 for s in district.schools if s.policy_changes)
    note = (DISTRICT.render("policy-changed", lang, changed=changed) if changed
            else DISTRICT.render("policy-unchanged", lang))
    return DistrictSheet("policy", sheet_name("policy", lang), _title("policy", district, lang), note, cols, rows)


def transfers(district: District, lang: Lang = "zh") -> DistrictSheet:
    cols = [Column(DISTRICT.render("id", lang)), Column(DISTRICT.render("name-2", lang)),
            Column(DISTRICT.render("school-year", lang), width=24), Column(DISTRICT.render("schools-2", lang), "int"),
            Column(DISTRICT.render("schools-3", lang), width=40), Column(DISTRICT.render("files", lang), width=50)]
    sep = WORDS.render("list-sep", lang)
    found = district.transfers()
    rows = [[t["teacher_id"], t["name"], t["year"], len(t["schools"]), sep.join(x["school"] for x in t["schools"]),
             sep.join(x["path"] for x in t["schools"])] for t in found]
    note = DISTRICT.render("teachers-with-the-same-id", lang, n_rows=len(rows))
    return DistrictSheet("transfers", sheet_name("transfers", lang), _title("transfers", district, lang), note,
                         cols, rows)


def unreadable(district: District, lang: Lang = "zh") -> DistrictSheet:
    cols = [Column(DISTRICT.render("file", lang), width=40), Column(DISTRICT.render("reason", lang), width=60)]
    rows = [[u.path, u.line(lang)] for u in district.unreadable]  # the workbook's language, where both were kept
    note = DISTRICT.render("files-could-not-be-read", lang, n_rows=len(rows))
    return DistrictSheet("unreadable", sheet_name("unreadable", lang), _title("unreadable", district, lang),
                         note, cols, rows)


def runlog(district: District, info: dict[str, Any], lang: Lang = "zh") -> DistrictSheet:
    t = district.totals()
    pairs = [
        ("runlog-version", info.get("version", "")), ("runlog-command", info.get("command", "")),
        ("runlog-time", info.get("time", "")), ("runlog-as-of", district.as_of.isoformat()),
        ("runlog-files", t["files"]), ("runlog-schools", t["schools"]),
        ("runlog-unreadable", t["unreadable"]), ("runlog-skipped", t["skipped"]),
        ("runlog-teachers", t["teachers"]),
        ("runlog-distinct-teachers", t["distinct_teachers"]), ("runlog-rows", t["rows"]),
        ("runlog-errors", t["errors"]), ("runlog-warnings", t["warnings"]),
        ("runlog-jobs", district.jobs), ("runlog-seconds", round(district.seconds, 2)),
    ]
    cols = [Column(DISTRICT.render("item", lang), width=16), Column(DISTRICT.render("value", lang), width=60)]
    rows = [[DISTRICT.render(code, lang), v] for code, v in pairs]
    rows += [[DISTRICT.render("skipped", lang), DISTRICT.render("path-message", lang, path=k.path,
                              message=k.message(lang))]
             for k in district.skipped]
    rows += [[DISTRICT.render("note", lang), note] for note in info.get("notes", [])]
    return DistrictSheet("runlog", sheet_name("runlog", lang), _title("runlog", district, lang), "", cols, rows)
