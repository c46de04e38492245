"""Which rules the workbook's sheets can answer, and a finding for each one they cannot.

A rule counts rows of one sheet (the credit rules: of every credited sheet). When that sheet is
missing, has no header row, or lacks a required column, none of its rows count; when a column the
rule sums or tests (字数 for R09, 级别 for R02) is absent, every row reads blank there. Evaluating
such a rule would report every teacher or group as short, so it is not evaluated: one
``rule-not-evaluated`` finding per rule says why, in place of an alert per teacher.
A missing optional sheet (豁免, 教研活动) is itself only an info finding.

A log the school says it does not keep (映射's （本校不登记） line, ``Dataset.not_kept``) is no problem:
a rule that counts only that log is not evaluated, with one ``rule-log-not-kept`` info; the credit
rules count their other logs. So do they when the book lacks an optional credited sheet.
"""

from __future__ import annotations

from ..contract.dataset import Dataset
from ..contract.findings import Finding, MissingSheet, RuleLogNotKept, RuleNotEvaluated
from ..contract.policy import CREDITS_SHEET, Policy, Rule
from ..contract.schema import CREDITED_SHEETS, OPTIONAL_SHEETS, SHEETS
from ..contract.texts import Text

POLICY_SHEET = "规则"


def sheet_problem(dataset: Dataset, key: str) -> tuple[str, str] | None:
    """(zh, en) why no row of a sheet can count, or None when it can."""
    spec = SHEETS[key]
    if key not in dataset.frames:
        return f"找不到工作表「{spec.name}」", f"sheet '{spec.name}' was not found"
    places = dataset.places.get(key, {})
    if not places:
        return f"「{spec.name}」找不到表头行", f"sheet '{spec.name}' has no header row"
    missing = [c.header for c in spec.required if c.key not in places]
    if missing:
        return (f"「{spec.name}」缺少必填列「{'、'.join(missing)}」",
                f"sheet '{spec.name}' lacks required column {', '.join(missing)}")
    return None


def _needed(rule: Rule) -> list[tuple[str, str]]:
    """(sheet key, column key) pairs the rule reads besides the sheet's required columns."""
    if rule.sheet == CREDITS_SHEET:  # the ledger's fields the credited sheets declare they must feed
        fields = {rule.field or "", *(t.key for t in rule.condition.terms)}
        return [(spec.key, column) for f in sorted(fields) for spec in CREDITED_SHEETS
                if spec.credit is not None and f in spec.credit.ledger_needs
                and (column := spec.credit.ledger_column(f)) is not None]
    keys = {t.key for t in rule.condition.terms if not t.key.startswith("t:")}
    if rule.field:
        keys.add(rule.field)
    credit = SHEETS[rule.sheet].credit
    computed = credit.typed if credit is not None else None  # the engine computes it where blank or absent
    return [(rule.sheet, k) for k in sorted(keys) if k != computed]


def rule_problem(dataset: Dataset, rule: Rule) -> tuple[str, str, str, str] | None:
    """(reason zh, reason en, fix zh, fix en) when the rule cannot be evaluated, else None. A log the
    school does not keep is no problem (it has no rows); nor, for a rule over several logs (学分), an
    optional one the book lacks while it has another (its missing-sheet info says so)."""
    sheets = [k for k in rule.logs if k not in dataset.not_kept]
    present = [k for k in sheets if k in dataset.frames or not SHEETS[k].optional]
    if len(rule.logs) > 1 and present:
        sheets = present
    for key in sheets:
        problem = sheet_problem(dataset, key)
        if problem:
            name = SHEETS[key].name
            return (*problem, f"「{name}」工作表及其表头", f"the '{name}' sheet with its header row")
    for key, column in _needed(rule):
        if key not in sheets:
            continue
        spec = SHEETS[key]
        if column not in dataset.places.get(key, {}):
            header = spec.column(column).header
            return (f"「{spec.name}」没有「{header}」列", f"sheet '{spec.name}' has no '{header}' column",
                    f"「{spec.name}」的「{header}」列", f"a '{header}' column on '{spec.name}'")
    return None


def unevaluated(dataset: Dataset, policy: Policy) -> tuple[set[str], list[Finding]]:
    """The ids of active rules that cannot be evaluated, and the findings saying so."""
    skipped: set[str] = set()
    findings: list[Finding] = []
    if not dataset.from_book:
        return skipped, findings
    for spec in OPTIONAL_SHEETS:
        if spec.key not in dataset.frames and spec.key not in dataset.not_kept:
            findings.append(MissingSheet.at(spec.name, severity="info", expected=spec.name,
                                            alias="/".join(spec.aliases)))
    for rule in policy.active_rules:
        cell = rule.cells.get("rule_id", "")
        if all(k in dataset.not_kept for k in rule.logs):
            skipped.add(rule.rule_id)
            findings.append(RuleLogNotKept.at(
                POLICY_SHEET, row=rule.row, cell=cell, column="规则编号" if cell else "", value=rule.rule_id,
                rule_id=rule.rule_id, rule_name=rule.name,
                log="、".join(SHEETS[k].name for k in rule.logs)))
            continue
        problem = rule_problem(dataset, rule)
        if problem is None:
            continue
        reason, reason_en, fix, fix_en = problem
        skipped.add(rule.rule_id)
        findings.append(RuleNotEvaluated.at(
            POLICY_SHEET, row=rule.row, cell=cell, column="规则编号" if cell else "", value=rule.rule_id,
            rule_id=rule.rule_id, rule_name=rule.name, reason=Text(reason, reason_en), fix=Text(fix, fix_en)))
    return skipped, findings
