"""The district workbook's sheets as plain tables (headers, kinds, rows), Chinese first.

Built from a ``District`` only; the door that writes the workbook decides colours, links and the
chart, this module decides what is shown and in which words.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..contract.findings import Lang
from ..contract.states import State
from ..contract.texts import pick as _w
from .rollup import District, SchoolSummary
from .safe_names import sheet_name as safe_sheet_name
from .tables import Column

SHEET_NAMES: dict[str, tuple[str, str]] = {
    "overview": ("学校总览", "Schools"),
    "rates": ("规则达标率", "Rule rates"),
    "teachers": ("预警教师", "Teachers not met"),
    "policy": ("规则差异", "Policy changes"),
    "transfers": ("跨校重复教师", "Teachers in two schools"),
    "unreadable": ("无法读取", "Unreadable"),
    "runlog": ("运行记录", "Run log"),
}
ALERT_ORDER = (State.FAILED, State.BEHIND, State.OVER)  # as each school block lists them
CHANGE_WORDS = {
    "rule-disabled": ("停用了默认规则", "default rule disabled"),
    "rule-enabled": ("启用了备选规则", "alternative rule enabled"),
    "rule-missing": ("缺少默认规则", "default rule missing"),
    "rule-added": ("本校自定规则", "rule of its own"),
    "rule-changed": ("修改了规则", "rule changed"),
    "setting-changed": ("修改了设置", "setting changed"),
}
FIELD_WORDS = {
    "metric": ("指标", "metric"), "sheet": ("数据表", "sheet"), "field": ("字段", "field"),
    "condition": ("条件", "condition"), "period": ("周期", "period"), "applies_to": ("适用对象", "applies to"),
    "lower": ("下限", "lower bound"), "upper": ("上限", "upper bound"), "severity": ("严重度", "severity"),
}


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


@dataclass(slots=True)
class SchoolBlock:
    """One school's detail section under the overview."""

    heading: str
    lines: list[str]
    columns: list[Column]
    rows: list[list[Any]]


def sheet_name(key: str, lang: Lang) -> str:
    zh, en = SHEET_NAMES[key]
    return safe_sheet_name(_w(lang, zh, en))


def _title(key: str, district: District, lang: Lang) -> str:
    return _w(lang, f"区域汇总 · {SHEET_NAMES[key][0]}（统计截止 {district.as_of}）",
              f"District roll-up · {SHEET_NAMES[key][1]} (as of {district.as_of})")


def overview(district: District, lang: Lang = "zh") -> DistrictSheet:
    cols = [Column(_w(lang, "学校", "School"), width=22), Column(_w(lang, "文件", "File"), width=28),
            Column(_w(lang, "教师", "Teachers"), "int"), Column(_w(lang, "达标教师", "Met"), "int"),
            Column(_w(lang, "进度落后", "Behind"), "int"), Column(_w(lang, "未达标", "Not met"), "int"),
            Column(_w(lang, "未达标占比", "Not met share"), "percent"),
            Column(_w(lang, "全部规则达标", "Meeting every rule"), "percent"),
            Column(_w(lang, "学分中位数", "Median credits"), "number"),
            Column(_w(lang, "记录行数", "Log rows"), "int"), Column(_w(lang, "错误", "Errors"), "int"),
            Column(_w(lang, "警告", "Warnings"), "int"), Column(_w(lang, "规则差异", "Policy changes"), "int")]
    rows = [_overview_row(s) for s in district.ranked()]
    t = district.totals()
    met_total = t["teachers"] - t["teachers_failing"] - t["teachers_behind"]
    total = [_w(lang, "全区", "District"), _w(lang, f"{t['schools']} 所学校", f"{t['schools']} schools"),
             t["teachers"], met_total, t["teachers_behind"], t["teachers_failing"],
             t["teachers_failing"] / t["teachers"] if t["teachers"] else None,
             t["teachers_meeting_all"] / t["teachers"] if t["teachers"] else None,
             t["median_of_school_medians"], t["rows"], t["errors"], t["warnings"], t["schools_with_policy_changes"]]
    note = _w(lang, f"共 {t['schools']} 所学校（{t['unreadable']} 个文件无法读取），按未达标教师占比从高到低排列；"
                    "点击学校名称查看该校明细。",
              f"{t['schools']} schools ({t['unreadable']} files unreadable), the largest share of teachers not met "
              "first; click a school for its details.")
    return DistrictSheet("overview", sheet_name("overview", lang), _title("overview", district, lang), note,
                         cols, rows, total)


def _overview_row(s: SchoolSummary) -> list[Any]:
    met = s.teachers - s.teachers_failing - s.teachers_behind
    return [s.school, s.path, s.teachers, met, s.teachers_behind, s.teachers_failing,
            s.failing_share if s.teachers else None, s.meeting_share, s.median_credits, s.rows, s.errors,
            s.warnings, len(s.policy_changes)]


def school_blocks(district: District, lang: Lang = "zh") -> list[SchoolBlock]:
    cols = [Column(_w(lang, "规则编号", "Rule")), Column(_w(lang, "规则名称", "Name")),
            Column(_w(lang, "适用对象", "Subjects"), "int"), Column(_w(lang, "达标", "Met"), "int"),
            Column(_w(lang, "达标率", "Rate"), "percent")]
    out = []
    for s in district.ranked():
        codes = ("、" if lang == "zh" else ", ").join(f"{k} {v}" for k, v in s.finding_codes.items())
        lines = [
            _w(lang, f"文件：{s.path}    学年：{s.year}    用时 {s.seconds:.2f} 秒",
               f"File: {s.path}    School year: {s.year}    {s.seconds:.2f} s"),
            _w(lang, f"校验问题：{s.errors} 个错误，{s.warnings} 个警告" + (f"（{codes}）" if codes else ""),
               f"Findings: {s.errors} errors, {s.warnings} warnings" + (f" ({codes})" if codes else "")),
            _w(lang, "预警：" + "，".join(f"{st} {s.alerts.get(st, 0)} 条" for st in ALERT_ORDER)
                     + f"；规则与默认不同 {len(s.policy_changes)} 处",
               "Alerts: " + ", ".join(f"{s.alerts.get(st, 0)} {st.en}" for st in ALERT_ORDER)
               + f"; {len(s.policy_changes)} policy changes"),
        ]
        rows = [[r["rule_id"], r["rule_name"], r["subjects"], r["met"], r["rate"]] for r in s.rules]
        out.append(SchoolBlock(s.school, lines, cols, rows))
    return out


def rates(district: District, lang: Lang = "zh") -> DistrictSheet:
    rule_cols = district.rule_columns()
    by_rule = district.district_rates()
    cols = [Column(_w(lang, "学校", "School"), width=22)] + \
        [Column(f"{rid}\n{name}", "percent", width=9) for rid, name in rule_cols]
    rows = []
    for s in district.ranked():
        mine = {r["rule_id"]: r["rate"] for r in s.rules}
        rows.append([s.school] + [mine.get(rid) for rid, _ in rule_cols])
    total = [_w(lang, "全区", "District")] + [by_rule[rid]["rate"] for rid, _ in rule_cols]
    flagged = [i + 1 for i, (rid, _) in enumerate(rule_cols) if by_rule[rid]["fails_in_most"]]
    note = _w(lang, "每格：该校适用该规则的对象中达标的比例（红低绿高）；空白：该校未启用该规则或无适用对象；"
                    "红色表头：多数学校达标率低于 50% 的规则。",
              "Each cell: the share of the school's subjects meeting the rule (red low, green high); blank: rule "
              "off or no subject; red header: under 50 % in most schools.")
    return DistrictSheet("rates", sheet_name("rates", lang), _title("rates", district, lang), note, cols, rows,
                         total, flagged)


def alert_teachers(district: District, lang: Lang = "zh") -> DistrictSheet:
    cols = [Column(_w(lang, "学校", "School"), width=20), Column(_w(lang, "工号", "ID")),
            Column(_w(lang, "姓名", "Name")), Column(_w(lang, "教研组", "Group")),
            Column(_w(lang, "未达标规则", "Rules not met"), width=48), Column(_w(lang, "明细", "Detail"), width=30),
            Column(_w(lang, "文件", "File"), width=28)]
    rows = [[s.school, t["teacher_id"], t["name"], t["group"], t["rules"], t["detail"], s.path]
            for s in district.ranked() for t in s.alert_teachers]
    note = _w(lang, f"状态为「未达标」的教师共 {len(rows)} 位；明细：按对象拆分的规则中未达标的一项（如 R11 的徒弟）。",
              f"{len(rows)} teachers whose status is not met; detail: the part of a split rule that is short "
              "(e.g. the apprentice for R11).")
    return DistrictSheet("teachers", sheet_name("teachers", lang), _title("teachers", district, lang), note,
                         cols, rows)


def policy_changes(district: District, lang: Lang = "zh") -> DistrictSheet:
    cols = [Column(_w(lang, "学校", "School"), width=20), Column(_w(lang, "差异", "Change"), width=16),
            Column(_w(lang, "规则或设置", "Rule or setting")), Column(_w(lang, "项目", "Item")),
            Column(_w(lang, "默认", "Default"), width=20), Column(_w(lang, "本校", "This school"), width=20),
            Column(_w(lang, "文件", "File"), width=28)]
    rows = []
    for s in district.ranked():
        for c in s.policy_changes:
            kind = CHANGE_WORDS.get(c["kind"], (c["kind"], c["kind"]))
            item = FIELD_WORDS.get(c["field"], (c["field"], c["field"]))
            rows.append([s.school, _w(lang, *kind), c["rule_id"], _w(lang, *item), c["default"], c["value"], s.path])
    changed = sum(1 for s in district.schools if s.policy_changes)
    note = _w(lang, f"{changed} 所学校的规则表与默认规则不同：这些学校的达标率与其他学校不能直接比较。"
              if changed else "所有学校都使用默认规则与设置，达标率可以直接比较。",
              f"{changed} schools' 规则 sheets differ from the defaults: their rates are not directly comparable."
              if changed else "Every school uses the default rules and settings: rates are comparable.")
    return DistrictSheet("policy", sheet_name("policy", lang), _title("policy", district, lang), note, cols, rows)


def transfers(district: District, lang: Lang = "zh") -> DistrictSheet:
    cols = [Column(_w(lang, "工号", "ID")), Column(_w(lang, "姓名", "Name")),
            Column(_w(lang, "学年", "School year"), width=24), Column(_w(lang, "学校数", "Schools"), "int"),
            Column(_w(lang, "学校", "Schools"), width=40), Column(_w(lang, "文件", "Files"), width=50)]
    sep = "、" if lang == "zh" else ", "
    found = district.transfers()
    rows = [[t["teacher_id"], t["name"], t["year"], len(t["schools"]), sep.join(x["school"] for x in t["schools"]),
             sep.join(x["path"] for x in t["schools"])] for t in found]
    note = _w(lang, f"同一学年同一工号和姓名出现在多所学校名册中的教师 {len(rows)} 位（调动或重复登记），"
                    "全区教师数中只计一次。",
              f"{len(rows)} teachers with the same ID and name on several schools' rosters in one school year "
              "(a transfer or a double entry), counted once in the district's teachers.")
    return DistrictSheet("transfers", sheet_name("transfers", lang), _title("transfers", district, lang), note,
                         cols, rows)


def unreadable(district: District, lang: Lang = "zh") -> DistrictSheet:
    cols = [Column(_w(lang, "文件", "File"), width=40), Column(_w(lang, "原因", "Reason"), width=60)]
    rows = [[u.path, u.error] for u in district.unreadable]
    note = _w(lang, f"{len(rows)} 个文件无法读取，未计入汇总。", f"{len(rows)} files could not be read and are not "
              "in the roll-up.")
    return DistrictSheet("unreadable", sheet_name("unreadable", lang), _title("unreadable", district, lang),
                         note, cols, rows)


def runlog(district: District, info: dict[str, Any], lang: Lang = "zh") -> DistrictSheet:
    t = district.totals()
    pairs = [
        (("版本", "Version"), info.get("version", "")), (("命令", "Command"), info.get("command", "")),
        (("运行时间", "Run at"), info.get("time", "")), (("统计截止日", "As of"), district.as_of.isoformat()),
        (("文件", "Files"), t["files"]), (("学校", "Schools"), t["schools"]),
        (("无法读取", "Unreadable"), t["unreadable"]), (("跳过的文件", "Files skipped"), t["skipped"]),
        (("教师", "Teachers"), t["teachers"]),
        (("去重后教师", "Distinct teachers"), t["distinct_teachers"]), (("记录行数", "Log rows"), t["rows"]),
        (("错误", "Errors"), t["errors"]), (("警告", "Warnings"), t["warnings"]),
        (("并行进程", "Jobs"), district.jobs), (("用时（秒）", "Seconds"), round(district.seconds, 2)),
    ]
    cols = [Column(_w(lang, "项目", "Item"), width=16), Column(_w(lang, "值", "Value"), width=60)]
    rows = [[_w(lang, *k), v] for k, v in pairs]
    rows += [[_w(lang, "跳过", "Skipped"), f"{k.path}：{k.message(lang)}" if lang == "zh" else f"{k.path}: {k.message(lang)}"]
             for k in district.skipped]
    rows += [[_w(lang, "说明", "Note"), note] for note in info.get("notes", [])]
    return DistrictSheet("runlog", sheet_name("runlog", lang), _title("runlog", district, lang), "", cols, rows)
