"""Period kinds (学年, 学期, 月, 双周, 周) and one period as data: kind, index, year.

Quotas are counted over periods of one kind (docs/SPEC.md, "School calendar"). ``PERIOD_KIND_SPECS``
says what each kind is called and how long a normal one is; a ``Period`` is one period the engine
made (engine.periods), and :func:`period_label` says it in either language. Labels are only ever
formatted from a ``Period``, never parsed back: the Chinese one is what results and the JSON carry.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict

from .texts import Catalogue, Lang



def _known_kind(key: str) -> str:
    """A period kind is any key of ``PERIOD_KIND_SPECS``: a new kind is one record there, no type to widen."""
    if key not in PERIOD_KIND_SPECS:
        raise ValueError(f"unknown period kind {key!r}; known: {', '.join(PERIOD_KIND_SPECS)}")
    return key


PeriodKind = Annotated[str, AfterValidator(_known_kind)]
# How the periods of a kind are cut: the school year whole, each semester whole, runs of ``months``
# calendar months (from the semester's first month), or runs of ``days`` days (from each Monday, or
# from the semester's start); all but the year are cut at the semesters' bounds.
Span = Literal["year", "semester", "month", "days"]


class PeriodKindSpec(BaseModel):
    model_config = ConfigDict(frozen=True)

    key: str
    aliases: tuple[str, ...]  # what the 规则 sheet's 周期 accepts besides the key (header_key form)
    en: str  # one period in English: "fortnight"
    en_plural: str  # "fortnights"
    zh_many: str  # counting them in Chinese: 4/10 个双周
    zh_this: str  # the current one: 本双周
    span: Span
    days: int = 0  # span "days": the length of one
    months: int = 1  # span "month": calendar months in one (月 1, a 季度 3)
    from_monday: bool = False  # span "days": aligned to Mondays (a 周 is Monday to Sunday), else to the semester
    # School days of a normal window (周 5, 双周 10); 0: measured otherwise (a 月 by its calendar month's
    # weekdays, a 学期 or 学年 by its own school days).
    normal_days: int = 0

    @property
    def window(self) -> bool:
        """A window inside a semester (月, 双周, 周): read per semester, several to a row of 达标预警."""
        return self.span in ("month", "days")

    @property
    def calendar_month(self) -> bool:
        """A normal window is its whole calendar months' weekdays."""
        return self.span == "month"

    @property
    def label(self) -> str:
        """How one is labelled (PERIOD_LABELS): a single month by its calendar month (2025年9月), any other
        window by its number inside the semester (第一学期第3双周)."""
        if self.span == "month" and self.months == 1:
            return "month"
        return "window" if self.window else self.span


PERIOD_KIND_SPECS: dict[str, PeriodKindSpec] = {s.key: s for s in (
    PeriodKindSpec(key="学年", aliases=("年", "每年", "每学年", "year", "schoolyear"), en="school year",
                   en_plural="school years", zh_many="个学年", zh_this="本学年", span="year"),
    PeriodKindSpec(key="学期", aliases=("每学期", "semester", "term"), en="semester", en_plural="semesters",
                   zh_many="个学期", zh_this="本学期", span="semester"),
    PeriodKindSpec(key="月", aliases=("每月", "month"), en="month", en_plural="months", zh_many="个月",
                   zh_this="本月", span="month"),
    PeriodKindSpec(key="双周", aliases=("每双周", "两周", "每两周", "fortnight", "biweekly", "2weeks"), en="fortnight",
                   en_plural="fortnights", zh_many="个双周", zh_this="本双周", span="days", days=14, normal_days=10),
    PeriodKindSpec(key="周", aliases=("每周", "week", "weekly"), en="week", en_plural="weeks", zh_many="周",
                   zh_this="本周", span="days", days=7, from_monday=True, normal_days=5),
)}
PERIOD_KINDS: tuple[str, ...] = tuple(PERIOD_KIND_SPECS)
SEMESTER = "学期"  # the kind a person reads windows by (Period.reading_unit)
_SEMESTER_ZH = ("第一学期", "第二学期")


@dataclass(frozen=True, slots=True)
class Period:
    """One period: ``semester`` is 1-based (0 for 学年); ``index`` the window's number inside its
    semester (周, 双周, a run of months) or the month (月), 0 otherwise; ``year`` the calendar year of a
    月, the first year of a 学年 (``end_year`` its last)."""

    kind: str
    semester: int = 0
    index: int = 0
    year: int = 0
    end_year: int = 0

    @property
    def spec(self) -> PeriodKindSpec:
        return PERIOD_KIND_SPECS[self.kind]

    @property
    def reading_unit(self) -> Period:
        """The period a person reads alerts by: the school year for 学年, else the semester."""
        return self if self.spec.span == "year" else Period(SEMESTER, self.semester)


# A period's label by its kind's span; the Chinese is the results' ``period_label``.
PERIOD_LABELS = Catalogue("period labels", {
    "year": ("{year}-{end_year}{kind}", "School year {year}-{end_year}"),
    "month": ("{year}年{index}月", "{year}-{index:02d}"),
    "semester": ("{semester_zh}", "Semester {semester}"),
    "window": ("{semester_zh}第{index}{kind}", "Semester {semester} {kind_en} {index}"),
})


def period_label(p: Period, lang: Lang = "zh") -> str:
    """``第一学期第3双周`` / ``Semester 1 fortnight 3``; the Chinese is the results' ``period_label``."""
    code = p.spec.label
    semester_zh = _SEMESTER_ZH[p.semester - 1] if p.semester <= len(_SEMESTER_ZH) else f"第{p.semester}学期"
    return PERIOD_LABELS.render(code, lang, year=p.year, end_year=p.end_year, index=p.index, kind=p.kind,
                                kind_en=p.spec.en, semester=p.semester, semester_zh=semester_zh)
