"""How a school's policy differs from the shipped one (``DEFAULT_RULES`` and ``Settings()``).

A district compares schools' numbers only where the rules behind them are the same, so each
difference is one ``PolicyChange``: a rule switched off or on, a default rule missing from the
sheet, a rule of the school's own, a rule whose bound (or period, condition, ...) was changed, a
credit setting changed. Names and consequences are wording, not rules, and are not compared.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from ..contract.conditions import Condition
from ..contract.policy import DEFAULT_RULES, Policy, Rule, Settings

ChangeKind = Literal["rule-disabled", "rule-enabled", "rule-missing", "rule-added", "rule-changed",
                     "setting-changed"]
# Rule fields that change what is counted, in the order they are reported.
COMPARED_FIELDS = ("metric", "sheet", "field", "condition", "period", "applies_to", "lower", "upper", "severity")


@dataclass(frozen=True, slots=True)
class PolicyChange:
    """One difference; ``default`` and ``value`` are shown as text ("" when there is none)."""

    kind: ChangeKind
    rule_id: str = ""  # the rule's id, or the setting's name for setting-changed
    field: str = ""  # a COMPARED_FIELDS name, or the setting's sub-key (category, type/level)
    default: str = ""
    value: str = ""

    def as_dict(self) -> dict[str, str]:
        return {"kind": self.kind, "rule_id": self.rule_id, "field": self.field, "default": self.default,
                "value": self.value}


def policy_changes(policy: Policy, defaults: tuple[Rule, ...] = DEFAULT_RULES,
                   default_settings: Settings | None = None) -> list[PolicyChange]:
    changes = _rule_changes(policy.rules, defaults) if policy.from_sheet else []
    return changes + _setting_changes(policy.settings, default_settings or Settings())


def _rule_changes(rules: list[Rule], defaults: tuple[Rule, ...]) -> list[PolicyChange]:
    shipped = {r.rule_id: r for r in defaults}
    mine = {r.rule_id: r for r in rules}
    out: list[PolicyChange] = []
    for rule_id, base in shipped.items():
        rule = mine.get(rule_id)
        if rule is None:
            if base.enabled:
                out.append(PolicyChange("rule-missing", rule_id, default=base.name))
            continue
        if base.enabled and not rule.enabled:
            out.append(PolicyChange("rule-disabled", rule_id))
        elif rule.enabled and not base.enabled:
            out.append(PolicyChange("rule-enabled", rule_id))
        if not rule.enabled:
            continue  # a rule that is off counts nothing: how it is written does not matter
        for name in COMPARED_FIELDS:
            was, now = _shown(getattr(base, name)), _shown(getattr(rule, name))
            if _key(getattr(base, name)) != _key(getattr(rule, name)):
                out.append(PolicyChange("rule-changed", rule_id, name, was, now))
    for rule_id, rule in mine.items():
        if rule_id not in shipped and rule.enabled:
            out.append(PolicyChange("rule-added", rule_id, value=rule.name))
    return out


def _setting_changes(mine: Settings, base: Settings) -> list[PolicyChange]:
    out: list[PolicyChange] = []
    if mine.default_rate != base.default_rate:
        out.append(PolicyChange("setting-changed", "学分换算", "默认", _num(base.default_rate), _num(mine.default_rate)))
    for cat in sorted(set(mine.credit_rates) | set(base.credit_rates)):
        if mine.rate(cat) != base.rate(cat):
            out.append(PolicyChange("setting-changed", "学分换算", cat, _num(base.rate(cat)), _num(mine.rate(cat))))
    for kind in sorted(set(mine.output_credits) | set(base.output_credits)):
        levels = set(mine.output_credits.get(kind, {})) | set(base.output_credits.get(kind, {}))
        for level in sorted(levels):
            a, b = base.output_credit(kind, level), mine.output_credit(kind, level)
            if a != b:
                out.append(PolicyChange("setting-changed", "成果学分", f"{kind}/{level}" if level else kind,
                                        _num(a), _num(b)))
    for cat in sorted(set(mine.category_caps) | set(base.category_caps)):
        cap_a, cap_b = base.category_caps.get(cat), mine.category_caps.get(cat)
        if cap_a != cap_b:
            out.append(PolicyChange("setting-changed", "学分上限", cat, _num(cap_a), _num(cap_b)))
    return out


def _key(v: Any) -> Any:
    """What decides equality: a condition by its resolved terms, not by how it was typed."""
    if isinstance(v, Condition):
        return tuple((t.key, t.op, t.values) for t in v.terms)
    return v


def _shown(v: Any) -> str:
    if isinstance(v, Condition):
        return v.text.strip()
    if isinstance(v, float):
        return _num(v)
    return "" if v is None else str(v)


def _num(v: float | None) -> str:
    if v is None:
        return ""
    return str(int(v)) if float(v).is_integer() else f"{v:g}"
