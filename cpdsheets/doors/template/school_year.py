"""Default dates of a school year, and the settings block of the 规则 sheet written by the template.

Chinese primary schools start the year on 1 September; the first semester runs to the end of
January, the second from mid-February (after the Spring Festival break) to early July. A school
overwrites these dates on its 规则 sheet; they are only sensible defaults for a new workbook.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from ...contract.policy import DEFAULT_CATEGORY_CAPS, DEFAULT_CREDIT_RATES, DEFAULT_OUTPUT_CREDITS, DEFAULT_RATE
from ...contract.schema import TRAINING_CATEGORIES

# Setting names with a sub-key are written "学分换算：通识培训", "成果学分：公开课/区级" (engine.policy_sheet).
RATE_PREFIX, OUTPUT_PREFIX, CAP_PREFIX = "学分换算", "成果学分", "学分上限"
SEP = "："


@dataclass(frozen=True, slots=True)
class SchoolYear:
    start: date
    end: date
    sem1_start: date
    sem1_end: date
    sem2_start: date
    sem2_end: date


_YEAR = re.compile(r"^\s*(\d{4})\s*(?:(?:[-/~～—–至到]|学年)\s*(\d{4}|\d{2})?)?\s*(?:学年)?\s*$")


def school_year(year: str) -> SchoolYear:
    """``"2025-2026"`` (or ``"2025"``, ``"2025/26"``, ``"2025学年"``) -> the default dates of that school
    year; a span that is not one year (``"2025-2027"``) is a ValueError."""
    match = _YEAR.match(str(year))
    second = match.group(2) if match else None
    y = int(match.group(1)) if match else 0
    if not match or second and int(second) != (y + 1 if len(second) == 4 else (y + 1) % 100):
        raise ValueError(f"学年格式应为 2025-2026，而不是「{year}」")
    return SchoolYear(
        start=date(y, 9, 1), end=date(y + 1, 8, 31),
        sem1_start=date(y, 9, 1), sem1_end=date(y + 1, 1, 31),
        sem2_start=date(y + 1, 2, 16), sem2_end=date(y + 1, 7, 10),
    )


def year_label(year: str) -> str:
    sy = school_year(year)
    return f"{sy.start.year}-{sy.end.year}"


def default_settings(year: str, school: str) -> list[tuple[str, Any, str]]:
    """The rows of the settings table: (设置项, 值, 说明)."""
    sy = school_year(year)
    rows: list[tuple[str, Any, str]] = [
        ("学校名称", school, ""),
        ("学年开始", sy.start, "学年起止日期，日期不在其中的记录会被提示"),
        ("学年结束", sy.end, ""),
        ("第一学期开始", sy.sem1_start, "月、周、双周只在学期内计算"),
        ("第一学期结束", sy.sem1_end, ""),
        ("第二学期开始", sy.sem2_start, ""),
        ("第二学期结束", sy.sem2_end, ""),
        ("统计截止日", None, "留空表示今天；之前结束的周期按未达标统计，当前周期显示进度"),
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
