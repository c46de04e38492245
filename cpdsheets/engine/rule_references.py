"""Values a rule's 条件 and 适用对象 name that the book must hold: a group (教研组=语文组, 组别=…) the roster
has, a role (岗位 含 中层) some teacher has or the template knows. A misspelt one makes the rule match no
one in silence; here it is a warning at the rule's cell, with the likely value."""

from __future__ import annotations

import pandas as pd

from ..contract.findings import Finding, UnknownRuleValue, bilingual
from ..contract.policy import Policy, Rule
from ..contract.schema import ROLES
from ..contract.texts import Catalogue, Text
from .checks import likely_name
from .roster import group_names

REFERENCE_WORDS = Catalogue("rule reference words", {
    "a-group-on-the-roster": ("「教师名册」中的教研组或备课组", "a group on the roster"),
    "a-role-teachers-hold": ("可识别的岗位", "a role teachers hold"),
})

POLICY_SHEET = "规则"
_COLUMNS = {"condition": "条件", "applies_to": "适用对象"}
_WHAT = {
    "t:teaching_group": bilingual("「教师名册」中的教研组", "a 教研组 on the roster"),
    "t:lesson_group": bilingual("「教师名册」中的备课组", "a 备课组 on the roster"),
    "group": REFERENCE_WORDS["a-group-on-the-roster"],
    "t:roles": REFERENCE_WORDS["a-role-teachers-hold"],
}


def rule_reference_findings(policy: Policy, attrs: pd.DataFrame) -> list[Finding]:
    known = _known_values(attrs)
    out: list[Finding] = []
    for rule in policy.active_rules:
        for column, cond in (("condition", rule.condition), ("applies_to", rule.applies_to)):
            for term in cond.terms:
                names = known.get(term.key)
                if not names or term.op in ("<", "<=", ">", ">="):
                    continue
                out += [_finding(rule, column, term.key, v, names) for v in term.values if v not in names]
    return out


def _known_values(attrs: pd.DataFrame) -> dict[str, list[str]]:
    teaching, lesson = group_names(attrs, "t:teaching_group"), group_names(attrs, "t:lesson_group")
    held = {r for cell in attrs["t:roles"].dropna() for r in str(cell).split("、") if r}
    known = {"t:roles": list(dict.fromkeys([*ROLES, *sorted(held)]))}
    # A roster without groups names none to check against (its group rules have no subjects anyway).
    if teaching:
        known["t:teaching_group"] = teaching
    if lesson:
        known["t:lesson_group"] = lesson
    if teaching or lesson:
        known["group"] = sorted({*teaching, *lesson})
    return known


def _finding(rule: Rule, column: str, key: str, value: str, names: list[str]) -> Finding:
    cell = rule.cells.get(column, "")
    shown = "、".join(names[:12]) + ("…" if len(names) > 12 else "")
    f = UnknownRuleValue.at(POLICY_SHEET, row=rule.row, cell=cell, column=_COLUMNS[column] if cell else "",
                            value=value, rule_id=rule.rule_id, rule_column=_COLUMNS[column], what=_WHAT[key],
                            known=Text(shown, shown.replace("、", ", ")))
    likely = likely_name(value, names)
    if likely:
        f.variant = "likely"
        f.params = {**f.params, "suggest_value": likely}
    return f
