"""Read the 规则 sheet into a ``Policy``: a settings table headed ``设置项 | 值`` and a rules table.

Both tables are found by their header rows anywhere in the sheet, in either order. Every cell that
cannot be used becomes a finding at that cell; a bad setting keeps its default, a bad rule row is
left out. A sheet without a rules table gets ``DEFAULT_RULES``.

Settings the sheet understands (key column, value column):
- 学校名称, 学年开始, 学年结束, 第一学期开始, 第一学期结束, 第二学期开始, 第二学期结束, 统计截止日;
- 学分换算: a number (every category), or ``校本研修=0.5；网络研修=0.25；默认=0.5``; or one row per
  category keyed ``学分换算:校本研修``;
- 成果学分: ``公开课/区级=2；论文=3`` (a type without level: any level), or keyed ``成果学分:公开课/区级``;
- 学分上限 (category caps): ``网络研修=10``, or keyed ``学分上限:网络研修``; ``无`` for none. Caps listed in
  the sheet replace the default caps.
"""

from __future__ import annotations

import functools

import re
from dataclasses import dataclass
from datetime import date
from collections.abc import Iterable
from typing import Any

from ..contract.book import RawSheet
from ..contract.conditions import (
    Condition, ConditionError, bind_condition, parse_condition, sheet_field, subject_types,
)
from ..contract.findings import Finding, InvalidRule, InvalidSetting, Severity, bilingual, plain_number
from ..contract.policy import (
    CREDITS_SHEET, CREDITS_SHEET_NAMES, DEFAULT_RULES, METRIC_SPECS, PACE_END_ONLY, PACE_PACED, PERIOD_KIND_SPECS,
    MetricSpec, Pace, Policy, Rule, RuleSeverity, Settings,
)
from ..contract.school_calendar import SchoolCalendar
from ..contract.schema import COUNTED_SHEETS, CREDIT_LEDGER, LEVELS, OUTPUT_TYPES, SHEETS, TEACHERS
from ..contract.states import SubjectType
from ..contract.texts import Catalogue, Text
from ..contract.school_year import DATE_SETTINGS, MAP_SETTINGS, NAME_SETTING, SETTINGS_HEADERS
from .calendar_block import calendar_header, read_calendar
from .normalize import header_key, parse_date_value, parse_number_value

POLICY_READER = Catalogue("policy sheet reasons", {
    "row-no-id": ("(第{row}行)", "(row {row})"),
    "no-rule-id": ("缺少规则编号", "no rule ID"),
    "duplicate-id": ("规则编号与第 {seen} 行重复", "same rule ID as row {seen}"),
    "no-bound": ("下限和上限至少填写一个", "give a lower or an upper bound"),
    "bounds-crossed": ("下限 {low} 大于上限 {high}", "lower bound {low} is above the upper bound {high}"),
    "pace-words": ("应为 {paced} 或 {end_only}",
                             "use {paced} (pace in the open period) or {end_only} (closed periods only)"),
    "blank": ("不能为空，{reason}", "must not be blank; {reason}"),
    "no-such-field": ("「{sheet}」表中没有这个字段", "no such field on '{sheet}'"),
    "needs-number-field": ("{metrics}须指定一个数字字段", "{metrics} need a number field"),
    "field-not-number": ("该字段不是数字，不能合计", "this field is not a number and cannot be summed"),
    "not-a-number": ("不是数字", "not a number"),
    "must-not-be-negative": ("不能为负数", "must not be negative"),
    "share-above-100": ("占比不能超过 100%", "a share cannot be above 100%"),
    "teacher-attribute-on-groups": ("「{sheet}」的每一行是一个组的活动，条件不能用教师的「{field}」",
                                    "each row of '{sheet}' is a group's meeting; the condition cannot use a "
                                    "teacher's '{field}'"),
})

DEFAULT_WORDS = {"默认", "其他", "其它", "default", "*", ""}
NONE_WORDS = {"无", "没有", "none", "-", "—"}

RULE_COLUMNS: dict[str, tuple[str, ...]] = {
    "rule_id": ("规则编号", "编号", "ruleid", "id"),
    "name": ("规则名称", "名称", "rulename", "name"),
    "metric": ("指标", "metric"),
    "sheet": ("数据表", "工作表", "sheet"),
    "field": ("字段", "field"),
    "condition": ("条件", "condition"),
    "period": ("周期", "period"),
    "applies_to": ("适用对象", "对象", "appliesto", "who"),
    "lower": ("下限", "lower", "min", "最少"),
    "upper": ("上限", "upper", "max", "最多"),
    "severity": ("严重度", "严重程度", "severity"),
    "consequence": ("后果", "consequence"),
    "enabled": ("启用", "是否启用", "enabled", "active"),
    "pace": ("进度提示", "进度", "pace"),
}
RULE_HEADER_NAMES = {"rule_id": "规则编号", "name": "规则名称", "metric": "指标", "sheet": "数据表",
                     "field": "字段", "condition": "条件", "period": "周期", "applies_to": "适用对象",
                     "lower": "下限", "upper": "上限", "severity": "严重度", "consequence": "后果",
                     "enabled": "启用", "pace": "进度提示"}

METRIC_WORDS = {word: m.key for m in METRIC_SPECS.values() for word in (m.key, *m.aliases)}
PERIOD_WORDS = {word: p.key for p in PERIOD_KIND_SPECS.values() for word in (p.key, *p.aliases)}
SEVERITY_WORDS = {
    **dict.fromkeys(["错误", "严重", "高", "error"], "error"),
    **dict.fromkeys(["警告", "一般", "中", "warning", "warn"], "warning"),
    **dict.fromkeys(["提示", "信息", "低", "info"], "info"),
}
ENABLED_WORDS = {
    **dict.fromkeys(["是", "启用", "√", "✓", "✔", "1", "true", "yes", "y", "on", "开"], True),
    **dict.fromkeys(["否", "停用", "禁用", "不启用", "×", "✗", "0", "false", "no", "n", "off", "关"], False),
}
PACE_WORDS = {
    **dict.fromkeys(["按进度", "进度", "按进度提示", "提示进度", "是", "paced", "pace", "yes"], PACE_PACED),
    **dict.fromkeys(["仅期末", "期末", "只看期末", "仅期末判定", "不提示进度", "否", "endonly", "end", "no"],
                    PACE_END_ONLY),
}
# Fields of the virtual credits sheet (the credit ledger): name -> key, and those that are numbers.
CREDIT_FIELDS = {name: c.key for c in CREDIT_LEDGER.columns for name in c.names}
CREDIT_NUMBER_FIELDS = {c.key for c in CREDIT_LEDGER.columns if c.kind == "number"}


def _listed(keys: Iterable[str], zh_or: str = " 或 ", en_or: str = " or ") -> tuple[str, str]:
    """("计数、合计、占比 或 字数", "计数, 合计, 占比 or 字数"): the keys of a table, as a message lists them."""
    *head, last = list(keys)
    return (f"{'、'.join(head)}{zh_or}{last}", f"{', '.join(head)}{en_or}{last}") if head else (last, last)


def _one_of(keys: Iterable[str]) -> tuple[str, str]:
    """("应为 计数、合计、占比 或 字数", "use 计数, 合计, 占比 or 字数")."""
    zh, en = _listed(keys)
    return f"应为 {zh}", f"use {en}"


def read_policy(sheet: RawSheet | None) -> tuple[Policy, list[Finding]]:
    """The policy the 规则 sheet describes and the problems found in it. A missing or empty sheet
    gives the defaults (school-year dates left None for the caller to infer)."""
    if sheet is None:
        return Policy(rules=list(DEFAULT_RULES)), []
    reader = _Reader(sheet)
    return reader.read()


@dataclass(slots=True)
class _Block:
    header_row: int  # 0-based
    cols: dict[str, int]  # key -> 0-based column
    headers: dict[str, str]  # key -> header text as typed
    end: int = 0  # exclusive


@functools.lru_cache(maxsize=1)
def _rule_column_keys() -> dict[str, frozenset[str]]:
    """RULE_COLUMNS' names as header keys, worked out once (every row of the sheet is tried as a header)."""
    return {col_key: frozenset(header_key(n) for n in names) for col_key, names in RULE_COLUMNS.items()}


class _Reader:
    def __init__(self, sheet: RawSheet):
        self.sheet = sheet
        self.rows = sheet.rows
        self.findings: list[Finding] = []

    # -- locating the two tables ---------------------------------------------------------------

    def read(self) -> tuple[Policy, list[Finding]]:
        settings_blocks, rules_blocks, calendar_blocks = [], [], []
        for r, row in enumerate(self.rows):
            keys = [header_key(v) if isinstance(v, str) else "" for v in row]
            s_block = self._settings_header(r, row, keys)
            if s_block:
                settings_blocks.append(s_block)
                continue
            r_block = self._rules_header(r, row, keys)
            if r_block:
                rules_blocks.append(r_block)
                continue
            c_cols = calendar_header(row)
            if c_cols:
                calendar_blocks.append(_Block(r, c_cols, {}))
        blocks = settings_blocks + rules_blocks + calendar_blocks
        starts = sorted(b.header_row for b in blocks) + [len(self.rows)]
        for b in blocks:
            b.end = next(s for s in starts if s > b.header_row)
        settings = self._settings(settings_blocks[0]) if settings_blocks else Settings()
        calendar = SchoolCalendar()
        if calendar_blocks:
            b = calendar_blocks[0]
            calendar, found = read_calendar(self.sheet, b.header_row, b.end, b.cols, settings.year_start)
            self.findings += found
        if not rules_blocks:
            return Policy(settings=settings, rules=list(DEFAULT_RULES), from_sheet=False,
                          calendar=calendar), self.findings
        rules, attempted = self._rules(rules_blocks[0], settings)
        if not attempted:
            return Policy(settings=settings, rules=list(DEFAULT_RULES), from_sheet=False,
                          calendar=calendar), self.findings
        return Policy(settings=settings, rules=rules, from_sheet=True, calendar=calendar), self.findings

    def _settings_header(self, r: int, row: list[Any], keys: list[str]) -> _Block | None:
        k = next((c for c, v in enumerate(keys) if v in SETTINGS_HEADERS[0]), None)
        v = next((c for c, v in enumerate(keys) if v in SETTINGS_HEADERS[1]), None)
        if k is None or v is None or "规则编号" in keys:
            return None
        return _Block(r, {"key": k, "value": v}, {"key": str(row[k]).strip(), "value": str(row[v]).strip()})

    def _rules_header(self, r: int, row: list[Any], keys: list[str]) -> _Block | None:
        cols, headers = {}, {}
        for c, key in enumerate(keys):
            for col_key, names in _rule_column_keys().items():
                if col_key not in cols and key in names:
                    cols[col_key], headers[col_key] = c, str(row[c]).strip()
                    break
        if "rule_id" not in cols or len(cols) < 4:
            return None
        return _Block(r, cols, headers)

    # -- settings ------------------------------------------------------------------------------

    def _settings(self, block: _Block) -> Settings:
        values: dict[str, Any] = {}
        rows = []
        for r in range(block.header_row + 1, block.end):
            key_raw, value = self._cell(r, block.cols["key"]), self._cell(r, block.cols["value"])
            if _blank(key_raw):
                continue
            rows.append((r, str(key_raw).strip(), header_key(str(key_raw)), value))
        year_hint = None
        where: dict[str, tuple[int, str, Any]] = {}
        for r, name, key, value in rows:  # the school year first: it dates `9月1日`-style entries
            if key in {header_key(n) for n in DATE_SETTINGS["year_start"]}:
                year_hint = self._date_setting(r, block, name, value)
                values["year_start"] = year_hint
                where["year_start"] = (r, name, value)
        maps: dict[str, dict] = {"credit_rates": {}, "output_credits": {}, "category_caps": {}}
        caps_given = False
        for r, name, key, value in rows:
            field = _date_field(key)
            if field == "year_start":
                continue
            if field:
                values[field] = self._date_setting(r, block, name, value, year_hint)
                where[field] = (r, name, value)
            elif key in {header_key(n) for n in NAME_SETTING}:
                values["school_name"] = "" if _blank(value) else str(value).strip()
            elif (m := _map_setting(key)) is not None:
                kind, sub = m
                caps_given |= kind == "category_caps"
                self._map_setting(r, block, name, kind, sub, value, maps, values)
            elif not _blank(value):
                self._bad_setting(r, block, name, value, "未知的设置项，已忽略", severity="warning",
                                  en="unknown setting, ignored")
        self._check_date_order(block, values, where)
        settings = Settings(**{k: v for k, v in values.items() if v is not None or k == "as_of"})
        settings.credit_rates.update(maps["credit_rates"])
        for kind, by_level in maps["output_credits"].items():
            settings.output_credits.setdefault(kind, {}).update(by_level)
        if caps_given:
            settings.category_caps = maps["category_caps"]
        return settings

    # (earlier, later): a later date before the earlier one is a finding, and the later one is dropped
    # so the calendar falls back to its default instead of a year that ends before it starts.
    DATE_ORDER = (("year_start", "year_end"), ("sem1_start", "sem1_end"), ("sem2_start", "sem2_end"),
                  ("sem1_end", "sem2_start"), ("year_start", "sem1_start"), ("sem2_end", "year_end"))

    def _check_date_order(self, block: _Block, values: dict[str, Any], where: dict[str, tuple[int, str, Any]]) -> None:
        for first, then in self.DATE_ORDER:
            a, b = values.get(first), values.get(then)
            if a is None or b is None or a <= b:
                continue
            r, name, value = where[then]
            self._bad_setting(r, block, name, value, f"早于「{where[first][1]}」（{a.isoformat()}），已改用默认值",
                              en=f"before '{where[first][1]}' ({a.isoformat()}); the default is used")
            values[then] = None

    def _date_setting(self, r: int, block: _Block, name: str, value: Any, year_hint: date | None = None) -> date | None:
        if _blank(value):
            return None
        d = parse_date_value(value, year_hint)
        if d is None:
            self._bad_setting(r, block, name, value, "不是有效日期，应如 2024-09-01",
                              en="not a valid date; write it as 2024-09-01")
        return d

    def _map_setting(self, r: int, block: _Block, name: str, kind: str, sub: str | None, value: Any,
                     maps: dict[str, dict], values: dict[str, Any]) -> None:
        if _blank(value):
            return
        entries: list[tuple[str, Any]] | None
        if sub is not None:
            entries = [(sub, value)]
        elif kind == "credit_rates" and parse_number_value(value) is not None:
            entries = [("", value)]
        elif kind == "category_caps" and str(value).strip().lower() in NONE_WORDS:
            return
        else:
            entries = _pairs(str(value))
            if entries is None:
                self._bad_setting(r, block, name, value, "应写成 名称=数值，多项用；分隔",
                                  en="write name=number, several separated by ；")
                return
        for target, raw in entries:
            number = _percentless_number(raw)
            if number is None or number < 0:
                self._bad_setting(r, block, name, value, f"「{raw}」不是非负数字",
                                  en=f"'{raw}' is not a number of zero or more")
                continue
            if kind == "credit_rates":
                if target.lower() in DEFAULT_WORDS:
                    values["default_rate"] = number
                else:
                    maps["credit_rates"][target] = number
            elif kind == "category_caps":
                maps["category_caps"][target] = number
            else:
                parts = [p for p in re.split(r"[/:：\-·、\s]+", target) if p]
                out_type = next((p for p in parts if p in OUTPUT_TYPES), None)
                level = next((p for p in parts if p in LEVELS), "")
                rest = [p for p in parts if p != out_type and p != level]
                if out_type is None or rest:
                    self._bad_setting(r, block, name, value,
                                      f"「{target}」应为成果类型（{'、'.join(OUTPUT_TYPES)}）加可选级别",
                                      en=f"'{target}' should be an output type ({', '.join(OUTPUT_TYPES)}) "
                                         "and an optional level")
                    continue
                maps["output_credits"].setdefault(out_type, {})[level] = number

    def _bad_setting(self, r: int, block: _Block, name: str, value: Any, reason: str,
                     severity: Severity | None = None, en: str = "") -> None:
        c = block.cols["value"]
        self.findings.append(InvalidSetting.at(
            self.sheet.name, row=r + 1, cell=a1(r, c), column=block.headers["value"], value=value,
            severity=severity, setting=name, reason=Text(reason, en)))

    # -- rules ---------------------------------------------------------------------------------

    def _rules(self, block: _Block, settings: Settings) -> tuple[list[Rule], int]:
        rules: list[Rule] = []
        seen: dict[str, int] = {}
        attempted = 0
        for r in range(block.header_row + 1, block.end):
            cells = {k: self._cell(r, c) for k, c in block.cols.items()}
            if all(_blank(v) for v in cells.values()):
                continue
            attempted += 1
            rule = _RuleRow(self, block, r, cells).parse(seen)
            if rule is not None:
                seen[rule.rule_id] = r + 1
                rules.append(rule)
        return rules, attempted

    def _cell(self, r: int, c: int) -> Any:
        row = self.rows[r]
        return row[c] if c < len(row) else None


class _RuleRow:
    def __init__(self, reader: _Reader, block: _Block, r: int, cells: dict[str, Any]):
        self.reader, self.block, self.r, self.cells = reader, block, r, cells
        self.rule_id = "" if _blank(cells.get("rule_id")) else _text(cells["rule_id"])
        self.ok = True

    def bad(self, key: str, reason: str | Text, en: str = "") -> None:
        self.ok = False
        c = self.block.cols.get(key, self.block.cols["rule_id"])
        self.reader.findings.append(InvalidRule.at(
            self.reader.sheet.name, row=self.r + 1, cell=a1(self.r, c),
            column=self.block.headers.get(key, RULE_HEADER_NAMES[key]), value=self.cells.get(key),
            rule_id=self.rule_id or POLICY_READER["row-no-id"].fill(row=self.r + 1),
            rule_column=RULE_HEADER_NAMES[key], reason=reason if isinstance(reason, Text) else Text(reason, en)))

    def text(self, key: str) -> str:
        v = self.cells.get(key)
        return "" if _blank(v) else _text(v)

    def parse(self, seen: dict[str, int]) -> Rule | None:
        if not self.rule_id:
            self.bad("rule_id", POLICY_READER["no-rule-id"])
        elif self.rule_id in seen:
            self.bad("rule_id", POLICY_READER["duplicate-id"].fill(seen=seen[self.rule_id]))
        metric = self.word("metric", METRIC_WORDS, *_one_of(METRIC_SPECS))
        measure = METRIC_SPECS.get(metric) if metric else None
        period = self.word("period", PERIOD_WORDS, *_one_of(PERIOD_KIND_SPECS))
        sheet = self.sheet_key()
        field = self.field(sheet, measure) if sheet else None
        condition = self.condition("condition", None if sheet == CREDITS_SHEET else sheet,
                                   extra=CREDIT_FIELDS if sheet == CREDITS_SHEET else None) if sheet else None
        applies = self.condition("applies_to", TEACHERS.key)
        if sheet and applies is not None:
            groups = any(kind is not None and kind.is_group for kind in map(SubjectType.from_word, subject_types(applies)))
            about_groups = sheet in SHEETS and SHEETS[sheet].subject == "group"
            if groups and not about_groups:
                logs = "、".join(s.name for s in COUNTED_SHEETS if s.subject == "group")
                self.bad("applies_to", f"对象为教研组或备课组的规则只能统计「{logs}」表",
                         f"a rule about 教研组 or 备课组 can only count the {logs} sheet")
            elif not groups and about_groups:
                self.bad("applies_to", f"「{SHEETS[sheet].name}」表的规则须写明 对象=教研组 或 对象=备课组",
                         f"a rule on the {SHEETS[sheet].name} sheet needs 对象=教研组 or 对象=备课组")
        if sheet in SHEETS and SHEETS[sheet].subject == "group" and condition is not None:
            # its rows carry no teacher, so a teacher attribute (岗位, 教龄) has nothing to be read from
            person = next((t for t in condition.terms if t.key.startswith("t:") and t.key != "t:subject_type"), None)
            if person is not None:
                self.bad("condition", POLICY_READER["teacher-attribute-on-groups"].fill(
                    sheet=SHEETS[sheet].name, field=person.field))
        lower = self.bound("lower", measure)
        upper = self.bound("upper", measure)
        if self.ok and lower is None and upper is None:
            self.bad("lower", POLICY_READER["no-bound"])
        if lower is not None and upper is not None and lower > upper:
            low, high = (plain_number(v, percent=measure is not None and measure.is_share) for v in (lower, upper))
            self.bad("lower", POLICY_READER["bounds-crossed"].fill(low=low, high=high))
        severity: RuleSeverity = "error"
        if self.text("severity"):
            severity = self.word("severity", SEVERITY_WORDS, "应为 错误、警告 或 提示", "use 错误, 警告 or 提示")
        enabled = True
        if self.text("enabled"):
            enabled = self.word("enabled", ENABLED_WORDS, "应为 是 或 否", "use 是 (yes) or 否 (no)")
        pace: Pace = measure.default_pace if measure else PACE_PACED  # blank, or a book from before the column
        if self.text("pace"):
            pace = self.word("pace", PACE_WORDS, POLICY_READER["pace-words"].fill(paced=PACE_PACED, end_only=PACE_END_ONLY))
        if not self.ok or sheet is None or condition is None or applies is None:  # each None came with a finding (self.bad)
            return None
        return Rule(
            rule_id=self.rule_id, name=self.text("name") or self.rule_id, metric=metric, sheet=sheet,
            field=field, condition=condition, period=period, applies_to=applies, lower=lower, upper=upper,
            severity=severity, consequence=self.text("consequence"), enabled=enabled, pace=pace, row=self.r + 1,
            cells={k: a1(self.r, c) for k, c in self.block.cols.items()},
        )

    def word(self, key: str, table: dict[str, Any], reason: str | Text, en: str = "") -> Any:
        reason = reason if isinstance(reason, Text) else Text(reason, en)
        raw = self.text(key)
        if not raw:
            self.bad(key, POLICY_READER["blank"].fill(reason=reason))
            return None
        value = table.get(header_key(raw))
        if value is None:
            self.bad(key, reason)
        return value

    def sheet_key(self) -> str | None:
        raw = self.text("sheet")
        if not raw:
            self.bad("sheet", "不能为空，应为数据表名称，如 听课记录", "must not be blank; name a data sheet such as 听课记录")
            return None
        key = header_key(raw)
        if key in {header_key(n) for n in CREDITS_SHEET_NAMES}:
            return CREDITS_SHEET
        names = "、".join(s.name for s in COUNTED_SHEETS)
        for spec in COUNTED_SHEETS:
            if key in {header_key(n) for n in (*spec.names, spec.key)}:
                return spec.key
        for spec in SHEETS.values():  # 教师名册, 豁免: real sheets, but nothing in them is counted
            if key in {header_key(n) for n in (*spec.names, spec.key)}:
                self.bad("sheet", f"「{spec.name}」不是记录表，规则不能统计它；应为 {names} 或 学分",
                         f"'{spec.name}' is not a log a rule can count; use {names.replace('、', ', ')} or 学分")
                return None
        self.bad("sheet", f"未知数据表，应为 {names} 或 学分", f"unknown sheet; use {names.replace('、', ', ')} or 学分")
        return None

    def field(self, sheet: str, metric: MetricSpec | None) -> str | None:
        raw = self.text("field")
        if sheet == CREDITS_SHEET:
            key = CREDIT_FIELDS.get(header_key(raw)) if raw else (metric.default_field(sheet) if metric else None)
            numeric = key in CREDIT_NUMBER_FIELDS
        elif raw:
            key = sheet_field(sheet, raw)
            numeric = key is not None and SHEETS[sheet].column(key).kind == "number"
        else:
            key = metric.default_field(sheet) if metric else None
            numeric = key is not None
        if raw and key is None:
            self.bad("field", POLICY_READER["no-such-field"].fill(
                sheet=SHEETS[sheet].name if sheet in SHEETS else "学分"))
            return None
        if metric is not None and metric.sums and not numeric:
            if key is None:
                zh, en = _listed((m.key for m in METRIC_SPECS.values() if m.sums), "与", " and ")
                self.bad("field", POLICY_READER["needs-number-field"].fill(metrics=Text(zh, en)))
            else:
                self.bad("field", POLICY_READER["field-not-number"])
            return None
        return key

    def condition(self, key: str, sheet: str | None, extra: dict[str, str] | None = None) -> Condition | None:
        raw = self.cells.get(key)
        try:
            return bind_condition(parse_condition(raw), sheet, extra=extra)
        except ConditionError as e:
            self.bad(key, e.text)
            return None

    def bound(self, key: str, metric: MetricSpec | None) -> float | None:
        raw = self.cells.get(key)
        if _blank(raw):
            return None
        text = str(raw).strip()
        is_percent = text.endswith(("%", "％"))
        value = _percentless_number(raw)
        if value is None:
            self.bad(key, POLICY_READER["not-a-number"])
            return None
        if value < 0:
            self.bad(key, POLICY_READER["must-not-be-negative"])
            return None
        share = metric is not None and metric.is_share
        if share and not is_percent and not isinstance(raw, str) and value <= 1:
            return value
        if share and (is_percent or value > 1):
            if not is_percent:
                value = value / 100  # "30" for a share means 30 %
            if value > 1:
                self.bad(key, POLICY_READER["share-above-100"])
                return None
        return value


# -- helpers -----------------------------------------------------------------------------------

def a1(r: int, c: int) -> str:
    """0-based row and column to an A1 address."""
    letters = ""
    c += 1
    while c:
        c, rem = divmod(c - 1, 26)
        letters = chr(65 + rem) + letters
    return f"{letters}{r + 1}"


def _blank(v: Any) -> bool:
    return v is None or (isinstance(v, str) and not v.strip()) or (isinstance(v, float) and v != v)


def _text(v: Any) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def _date_field(key: str) -> str | None:
    for field, names in DATE_SETTINGS.items():
        if key in {header_key(n) for n in names}:
            return field
    return None


def _map_setting(key: str) -> tuple[str, str | None] | None:
    """(kind, sub-key or None) for 学分换算 / 成果学分 / 学分上限 keys, e.g. 学分换算:校本研修."""
    for kind, prefixes in MAP_SETTINGS.items():
        for p in prefixes:
            hp = header_key(p)
            if key == hp:
                return kind, None
            if key.startswith(hp):
                sub = key[len(hp):].strip("-_/()（）[]【】·、")
                return kind, sub
            if key.endswith(hp) and kind != "output_credits":  # 网络研修上限
                return kind, key[: -len(hp)].strip("-_/()（）[]【】·、")
    return None


def _pairs(text: str) -> list[tuple[str, str]] | None:
    out = []
    for part in re.split(r"[；;，,\n]+", text):
        part = part.strip()
        if not part:
            continue
        m = re.match(r"^(.+?)\s*[=＝:：]\s*(.+)$", part)
        if not m:
            return None
        out.append((m.group(1).strip(), m.group(2).strip()))
    return out or None


def _percentless_number(raw: Any) -> float | None:
    if isinstance(raw, bool):
        return None
    if isinstance(raw, str):
        text = raw.strip()
        if text.endswith(("%", "％")):
            v = parse_number_value(text[:-1])
            return None if v is None else v / 100
    return parse_number_value(raw)
