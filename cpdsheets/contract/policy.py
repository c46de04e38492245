"""The school's policy: settings and quota rules, read from the workbook's 规则 sheet.

When the sheet has no rules table the default rules below apply. Their ids R01-R18 and bounds are
the table "The default rules" in docs/SPEC.md (distilled from school training plans, whose numbers
it quotes in its source column); the alternatives listed there ship as disabled rules A01-A06.

Default numbers and where they come from:
- 学分换算 0.5 学分 per 学时 for every category: one plan asks for 80 学时 a year (docs/SPEC.md, the
  "alt" training-hours row) and another for 40 学分 a year (R01), i.e. 80 学时 ≈ 40 学分. The plans
  give no per-category rates.
- 成果学分 (credits per output): the plans give none; the defaults grow with the level
  (校级 1 → 国家级 5 for lessons and talks, papers and projects double that, an essay 0.5).
  Schools override them in the 规则 sheet.
- Category caps: 网络研修 at most 10 学分 toward the total (docs/SPEC.md's example; the number is ours).
"""

from __future__ import annotations

from datetime import date
from typing import Final, Literal

from pydantic import BaseModel, ConfigDict, Field

from .conditions import Condition, bind_condition, parse_condition
from .period import PERIOD_KIND_SPECS as PERIOD_KIND_SPECS
from .period import PERIOD_KINDS as PERIOD_KINDS
from .period import PeriodKind as PeriodKind
from .period import PeriodKindSpec
from .school_calendar import SchoolCalendar
from .schema import CREDIT_LEDGER, CREDITED_SHEETS, SHEETS, TRAINING_CATEGORIES

# The value a rule stores (the 规则 sheet's 指标, the JSON): one of METRIC_SPECS' keys.
Metric = Literal["计数", "合计", "占比", "字数"]
RuleSeverity = Literal["error", "warning", "info"]
# 进度提示: 按进度 shows 进度落后 in the open period; 仅期末 judges closed periods only (credits and yearly
# sums come in bursts such as summer training, so an even pace says nothing about them).
Pace = Literal["按进度", "仅期末"]
PACE_PACED: Final = "按进度"
PACE_END_ONLY: Final = "仅期末"
PACES: tuple[str, ...] = (PACE_PACED, PACE_END_ONLY)


class MetricSpec(BaseModel):
    """What a rule's 指标 measures over a subject's matching rows in a period (engine.rules)."""

    model_config = ConfigDict(frozen=True)

    key: Metric
    aliases: tuple[str, ...]  # what the 规则 sheet's 指标 accepts besides the key (header_key form)
    en: str
    # 占比: matching rows ÷ all the subject's rows; bounds are fractions (30 or 30% is 0.3), shown as %.
    is_share: bool = False
    # Whole items (计数): requirements rounded half up, the expected pace floored, a shortfall rounded up.
    whole: bool = False
    # Sums a number field (合计, 字数): the rule needs one, and its unit is the field's.
    sums: bool = False
    # A rule's 进度提示 when none is typed (or the book predates the column): follows what the rule
    # measures, not its number. Sums come in bursts such as summer training, so they are judged at
    # the period's end; counts and shares are paced (docs/SPEC.md, "School calendar").
    default_pace: Pace = PACE_PACED
    # The field when the rule gives none: the sheet's column that measures this (ColumnSpec.measures) ...
    default_measure: str = ""
    # ... or, on the credit ledger, what it measures (its credits).
    default_ledger_measure: str = ""

    def default_field(self, sheet: str) -> str | None:
        if sheet == CREDITS_SHEET:
            return CREDIT_LEDGER.measured(self.default_ledger_measure)
        return SHEETS[sheet].measured(self.default_measure) if sheet in SHEETS else None


METRIC_SPECS: dict[str, MetricSpec] = {m.key: m for m in (
    MetricSpec(key="计数", aliases=("count", "次数", "个数"), en="count", whole=True),
    MetricSpec(key="合计", aliases=("sum", "总计", "求和", "total"), en="sum", sums=True, default_pace=PACE_END_ONLY,
               default_ledger_measure="credits"),
    MetricSpec(key="占比", aliases=("share", "比例", "比率", "ratio"), en="share", is_share=True),
    MetricSpec(key="字数", aliases=("chars", "characters"), en="characters", sums=True, default_pace=PACE_END_ONLY,
               default_measure="chars"),
)}
METRICS: tuple[str, ...] = tuple(METRIC_SPECS)


def default_pace(metric: str) -> Pace:
    """A rule's 进度提示 when none is typed: its metric's (``MetricSpec.default_pace``). Of the default
    rules, R01, R02, R09 and R15 are the sums."""
    return METRIC_SPECS[metric].default_pace

# A virtual sheet: the credit ledger (every counted training and output row with its credits after
# conversion), so a rule can total credits across both sheets with the category caps applied.
CREDITS_SHEET = CREDIT_LEDGER.key
CREDITS_SHEET_NAMES = (*CREDIT_LEDGER.names, CREDIT_LEDGER.key)

CONSEQUENCE_ANNUAL = "不得参加年度评优，次年不得参加职称评定"  # docs/SPEC.md, "The default rules" (the consequences)

DEFAULT_RATE = 0.5
DEFAULT_CREDIT_RATES: dict[str, float] = {}  # every category at DEFAULT_RATE unless the sheet says otherwise
_BY_LEVEL = {"校级": 1.0, "区级": 2.0, "市级": 3.0, "省级": 4.0, "国家级": 5.0}
DEFAULT_OUTPUT_CREDITS: dict[str, dict[str, float]] = {
    "公开课": {"": 1.0, **_BY_LEVEL},
    "示范课": {"": 1.0, **_BY_LEVEL},
    "汇报课": {"": 1.0, **_BY_LEVEL},
    "讲座": {"": 1.0, **_BY_LEVEL},
    "论文": {"": 2.0, **{k: 2 * v for k, v in _BY_LEVEL.items()}},
    "课题": {"": 2.0, **{k: 2 * v for k, v in _BY_LEVEL.items()}},
    "教育随笔": {"": 0.5},
}
DEFAULT_CATEGORY_CAPS: dict[str, float] = {"网络研修": 10.0}


class Settings(BaseModel):
    school_name: str = ""
    year_start: date | None = None
    year_end: date | None = None
    sem1_start: date | None = None
    sem1_end: date | None = None
    sem2_start: date | None = None
    sem2_end: date | None = None
    as_of: date | None = None
    credit_rates: dict[str, float] = Field(default_factory=lambda: dict(DEFAULT_CREDIT_RATES))
    default_rate: float = DEFAULT_RATE
    # output type -> level -> credits; level "" is the value for any level not listed
    output_credits: dict[str, dict[str, float]] = Field(
        default_factory=lambda: {k: dict(v) for k, v in DEFAULT_OUTPUT_CREDITS.items()})
    category_caps: dict[str, float] = Field(default_factory=lambda: dict(DEFAULT_CATEGORY_CAPS))

    def rate(self, category: str | None) -> float:
        return self.credit_rates.get(category or "", self.default_rate)

    def output_credit(self, kind: str | None, level: str | None) -> float:
        by_level = self.output_credits.get(kind or "", {})
        return by_level.get(level or "", by_level.get("", 0.0))


class Rule(BaseModel):
    """One quota. ``sheet`` is a sheet key of ``contract.schema`` or ``CREDITS_SHEET``; ``field`` a
    column key of it (合计/字数: the column summed; 计数: counted separately for each value of it the
    condition lists, e.g. 类型=跨学科|跨学段 or 授课教师=徒弟). ``cells`` maps a column key of the rules
    table (rule_id, name, metric, ...) to the A1 cell it came from (empty for default rules)."""

    model_config = ConfigDict(frozen=True)

    rule_id: str
    name: str = ""
    metric: Metric
    sheet: str
    field: str | None = None
    condition: Condition = Condition()
    period: PeriodKind
    applies_to: Condition = Condition()
    lower: float | None = None
    upper: float | None = None
    severity: RuleSeverity = "error"
    consequence: str = ""
    enabled: bool = True
    pace: Pace = "按进度"
    row: int | None = None
    cells: dict[str, str] = Field(default_factory=dict)

    @property
    def metric_spec(self) -> MetricSpec:
        return METRIC_SPECS[self.metric]

    @property
    def period_spec(self) -> PeriodKindSpec:
        return PERIOD_KIND_SPECS[self.period]

    @property
    def logs(self) -> tuple[str, ...]:
        """The sheet keys whose rows the rule counts: the credit ledger's are every credited sheet."""
        return tuple(s.key for s in CREDITED_SHEETS) if self.sheet == CREDITS_SHEET else (self.sheet,)


class Policy(BaseModel):
    settings: Settings = Field(default_factory=Settings)
    rules: list[Rule] = Field(default_factory=list)
    from_sheet: bool = False  # False: the rules are DEFAULT_RULES
    calendar: SchoolCalendar = Field(default_factory=SchoolCalendar)  # the 规则 sheet's 校历 block

    @property
    def active_rules(self) -> list[Rule]:
        return [r for r in self.rules if r.enabled]

    def training_categories(self) -> list[str]:
        """Every 类别 this policy names: the template's, 学分换算's, the caps' and its rules' conditions
        (a 培训记录 row of any other category is credited, but matched by no category rule or cap)."""
        named = [*TRAINING_CATEGORIES, *self.settings.credit_rates, *self.settings.category_caps]
        for rule in self.rules:
            if rule.sheet in ("trainings", CREDITS_SHEET):
                named += [v for t in rule.condition.terms if t.key == "category" for v in t.values]
        return list(dict.fromkeys(named))


def _rule(rule_id: str, name: str, metric: Metric, sheet: str, period: PeriodKind, *, field: str | None = None,
          cond: str = "", who: str = "", lower: float | None = None, upper: float | None = None,
          severity: RuleSeverity = "error", consequence: str = "", enabled: bool = True,
          pace: Pace | None = None) -> Rule:
    applies = bind_condition(parse_condition(who), "teachers")
    condition = bind_condition(parse_condition(cond), None if sheet == CREDITS_SHEET else sheet)
    return Rule(rule_id=rule_id, name=name, metric=metric, sheet=sheet, field=field, condition=condition,
                period=period, applies_to=applies, lower=lower, upper=upper, severity=severity,
                consequence=consequence, enabled=enabled, pace=pace or default_pace(metric))


GROUP_TYPES_R18 = "跨学科|跨学段|跨校|数字化教研"

DEFAULT_RULES: tuple[Rule, ...] = (
    _rule("R01", "年度总学分", "合计", CREDITS_SHEET, "学年", field="credits", lower=40,
          consequence=CONSEQUENCE_ANNUAL, pace="仅期末"),
    _rule("R02", "校级校本培训学分", "合计", "trainings", "学年", field="credits", cond="级别=校级", lower=16,
          consequence=CONSEQUENCE_ANNUAL, pace="仅期末"),
    _rule("R03", "每学期听课节数", "计数", "observations", "学期", lower=20),
    _rule("R04", "中层每学期听课节数", "计数", "observations", "学期", who="岗位 含 中层", lower=30),
    _rule("R05", "中层校内听课占比", "占比", "observations", "学期", cond="地点=校内", who="岗位 含 中层",
          lower=0.3),
    _rule("R06", "每学期必读书目", "计数", "reading", "学期", cond="类型=必读书目", lower=1),
    _rule("R07", "每月教育刊物", "计数", "reading", "月", cond="类型=教育刊物", lower=1),
    _rule("R08", "每双周读书导研单", "计数", "reading", "双周", cond="类型=读书导研单", lower=1),
    # Notes are written on required books, journals and 读书导研单 alike: every row's 字数 counts.
    _rule("R09", "年度读书笔记字数", "字数", "reading", "学年", field="chars", lower=5000, pace="仅期末"),
    _rule("R10", "徒弟听师傅的课", "计数", "observations", "学年", cond="授课教师=师傅", who="有师傅", lower=30),
    _rule("R11", "师傅听每位徒弟的课", "计数", "observations", "学年", field="taught_by", cond="授课教师=徒弟",
          who="是师傅", lower=20),
    _rule("R12", "新教师每月教育随笔", "计数", "outputs", "月", cond="类型=教育随笔", who="教龄<=5", lower=1),
    _rule("R13", "新教师每学期公开课", "计数", "outputs", "学期", cond="类型=公开课", who="教龄<=5", lower=1),
    _rule("R14", "中层每学期讲座", "计数", "outputs", "学期", cond="类型=讲座", who="岗位 含 中层", lower=2),
    # Only days away count (docs/SPEC.md: 类别=外出培训): staff give 天数 on online courses too, as the hours check asks.
    _rule("R15", "年度外出培训天数", "合计", "trainings", "学年", field="days", cond="类别=外出培训", upper=8,
          severity="warning", pace="仅期末"),
    _rule("R16", "教研组每月活动", "计数", "activities", "月", who="对象=教研组", lower=1),
    _rule("R17", "备课组每周活动", "计数", "activities", "周", who="对象=备课组", lower=1),
    _rule("R18", "教研组每学期特色教研", "计数", "activities", "学期", field="type", cond=f"类型={GROUP_TYPES_R18}",
          who="对象=教研组", lower=1),
    # Alternatives from docs/SPEC.md, shipped disabled.
    _rule("A01", "青年教师每月读书", "计数", "reading", "月", who="年龄<40", lower=2, enabled=False),
    _rule("A02", "每月读书", "计数", "reading", "月", who="年龄>=40", lower=1, enabled=False),
    _rule("A03", "每学期专业书籍", "计数", "reading", "学期", cond="类型=专业书籍", lower=2, enabled=False),
    _rule("A04", "每学期论文", "计数", "outputs", "学期", cond="类型=论文", lower=2, enabled=False),
    _rule("A05", "年度培训学时", "合计", "trainings", "学年", field="hours", lower=80, enabled=False),
    _rule("A06", "班主任年度培训学时", "合计", "trainings", "学年", field="hours", who="岗位 含 班主任", lower=30,
          enabled=False),
    _rule("A07", "新教师年度培训学时", "合计", "trainings", "学年", field="hours", who="岗位 含 新教师", lower=60,
          enabled=False),
)


def default_policy() -> Policy:
    return Policy(settings=Settings(), rules=list(DEFAULT_RULES), from_sheet=False)
