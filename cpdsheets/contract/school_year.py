"""The school year a workbook is about: its default dates and the names of the 规则 sheet's settings.

Chinese primary schools start the year on 1 September. The first semester runs to the end of
January (or to the eve of an early Spring Festival holiday); the second starts on the Monday after
the Spring Festival holiday (:mod:`national_calendar`) and ends in early July, before the summer
break. A school overwrites these dates on its 规则 sheet; they are what a new workbook is given
(the template), and what the engine assumes for any date the sheet leaves out (a year inferred from
the logged dates, or a semester boundary not filled in). Records dated in the breaks count toward
the year's rules, not a semester's.
"""

from __future__ import annotations

from datetime import date

from .year_dates import SEM1_END, SEM2_END, SEM2_START, YEAR_END, YEAR_START, SchoolYearDates, fixed_year

__all__ = ["SEM1_END", "SEM2_END", "SEM2_START", "YEAR_END", "YEAR_START", "SchoolYearDates", "default_year",
           "fixed_year", "start_year_of"]


def default_year(start_year: int) -> SchoolYearDates:
    """The default dates of the school year that starts in September of ``start_year``: the semesters
    around that year's Spring Festival holiday."""
    from .national_calendar import national_year  # the holiday schedule is loaded only when asked for

    return national_year(start_year).dates


def start_year_of(day: date) -> int:
    """The calendar year in which the school year holding ``day`` started."""
    return day.year if (day.month, day.day) >= YEAR_START else day.year - 1


# -- the 规则 sheet's settings block -------------------------------------------------------------
# Each setting's names as a cell may spell them (compared after header_key folding); the first is
# the one the template writes.

SETTINGS_HEADERS = ({"设置项", "设置", "setting", "settings", "项目"}, {"值", "设置值", "value"})
DATE_SETTINGS: dict[str, tuple[str, ...]] = {
    "year_start": ("学年开始", "学年开始日期", "学年起始", "yearstart", "schoolyearstart"),
    "year_end": ("学年结束", "学年结束日期", "yearend", "schoolyearend"),
    "sem1_start": ("第一学期开始", "上学期开始", "semester1start", "sem1start"),
    "sem1_end": ("第一学期结束", "上学期结束", "semester1end", "sem1end"),
    "sem2_start": ("第二学期开始", "下学期开始", "semester2start", "sem2start"),
    "sem2_end": ("第二学期结束", "下学期结束", "semester2end", "sem2end"),
    "as_of": ("统计截止日", "统计截止日期", "截止日期", "asof", "asofdate"),
}
NAME_SETTING = ("学校名称", "学校", "schoolname", "school")
MAP_SETTINGS: dict[str, tuple[str, ...]] = {  # longest first within each, matched as prefixes
    "credit_rates": ("学分换算", "学时换算", "换算", "creditrates", "creditrate"),
    "output_credits": ("成果学分", "outputcredits", "outputcredit"),
    "category_caps": ("学分上限", "类别上限", "上限", "creditcaps", "creditcap", "categorycaps", "categorycap"),
}
# A setting with a sub-key is written "学分换算：通识培训", "成果学分：公开课/区级".
SUBKEY_SEP = "："


def setting_name(field: str) -> str:
    """The name the template writes for a setting (``year_start`` -> 学年开始)."""
    if field in DATE_SETTINGS:
        return DATE_SETTINGS[field][0]
    if field == "school":
        return NAME_SETTING[0]
    return MAP_SETTINGS[field][0]
