"""The settings block of the 规则 sheet written by the template, for a school year typed as text.

The default dates and the setting names are the contract's (:mod:`cpdsheets.contract.school_year`).
"""

from __future__ import annotations

from typing import Any

from ...contract.policy import DEFAULT_CATEGORY_CAPS, DEFAULT_CREDIT_RATES, DEFAULT_OUTPUT_CREDITS, DEFAULT_RATE
from ...contract.schema import TRAINING_CATEGORIES
from ...contract.states import State
from ...contract.school_year import SUBKEY_SEP as SEP
from ...contract.school_calendar import CalendarLine
from ...contract.school_year import SchoolYearDates, setting_name
from ...contract.national_calendar import national_year
from ...jobs.dates import request_year

RATE_PREFIX, OUTPUT_PREFIX, CAP_PREFIX = (setting_name(k) for k in ("credit_rates", "output_credits", "category_caps"))
__all__ = ["SchoolYearDates", "school_year", "year_label", "default_settings", "calendar_rows"]


def school_year(year: str) -> SchoolYearDates:
    """``"2025-2026"`` (or ``"2025"``, ``"2025/26"``, ``"2025学年"``) -> the default dates of that school
    year (read as a request's year is, :func:`cpdsheets.jobs.dates.request_year`); a span that is not one
    year (``"2025-2027"``) is a ValueError."""
    dates = request_year(year)
    if dates is None:
        raise ValueError(f"学年格式应为 2025-2026，而不是「{year}」")
    return dates


def year_label(year: str) -> str:
    sy = school_year(year)
    return f"{sy.start.year}-{sy.end.year}"


def national_dates(year: str) -> SchoolYearDates:
    """The school year's dates with the second semester after the Spring Festival holiday."""
    return national_year(school_year(year).start.year).dates


def calendar_rows(year: str, lines: list[CalendarLine] | None = None) -> list[tuple[Any, Any, str, str]]:
    """The 校历 block's lines (校历日期, 结束日期, 类型, 说明): ``lines``, else the national calendar."""
    if lines is None:
        lines = list(national_year(school_year(year).start.year).lines)
    return [(ln.start, ln.end if ln.end != ln.start else None, ln.kind, ln.note) for ln in lines]


def default_settings(year: str, school: str) -> list[tuple[str, Any, str]]:
    """The rows of the settings table: (设置项, 值, 说明)."""
    sy = national_dates(year)
    rows: list[tuple[str, Any, str]] = [
        (setting_name("school"), school, ""),
        (setting_name("year_start"), sy.start, "学年起止日期，日期不在其中的记录会被提示"),
        (setting_name("year_end"), sy.end, ""),
        (setting_name("sem1_start"), sy.sem1_start, "月、周、双周只在学期内计算"),
        (setting_name("sem1_end"), sy.sem1_end, ""),
        (setting_name("sem2_start"), sy.sem2_start, ""),
        (setting_name("sem2_end"), sy.sem2_end, ""),
        (setting_name("as_of"), None, f"留空表示今天；之前结束的周期按{State.FAILED}统计，当前周期显示进度"),
    ]
    rows.append((RATE_PREFIX, DEFAULT_RATE, "每学时折算的学分（下面未列出的类别）"))
    for category in dict.fromkeys((*TRAINING_CATEGORIES, *DEFAULT_CREDIT_RATES)):
        rows.append((f"{RATE_PREFIX}{SEP}{category}", DEFAULT_CREDIT_RATES.get(category, DEFAULT_RATE), ""))
    for kind, by_level in DEFAULT_OUTPUT_CREDITS.items():
        for level, credits in by_level.items():
            name = f"{OUTPUT_PREFIX}{SEP}{kind}" + (f"/{level}" if level else "")
            rows.append((name, credits, "" if level else "未列出级别时的学分"))
    for category, cap in DEFAULT_CATEGORY_CAPS.items():
        rows.append((f"{CAP_PREFIX}{SEP}{category}", cap, "该类别计入总学分的上限"))
    return rows
