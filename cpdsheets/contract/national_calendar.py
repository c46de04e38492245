"""A school year's national calendar: the holidays and 调休 workdays, and where the semesters fall.

The announced years come from ``chinese-calendar`` (the State Council's published schedules, kept up
to date by its maintainers). A year not yet announced gets the holidays it will certainly have:
元旦, the Spring Festival (除夕 to 初七, the usual eight days, from the lunar calendar via
``lunardate``), 清明, 劳动节 (1-5 May), 端午, 中秋 and 国庆 (1-7 October), without 调休 workdays, which
nobody can know before the announcement. Staff correct the lines in the 规则 sheet when it comes out.

The second semester starts on the first Monday after the Spring Festival holiday (2026: the holiday
runs 2/15-2/23, so 3/2), and the first semester ends by the day before that holiday or 31 January.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import groupby

import chinese_calendar
import lunardate

from .school_calendar import HOLIDAY, WORKDAY, CalendarLine
from .year_dates import SchoolYearDates, fixed_year

LUNAR_YEARS = (1901, 2099)  # the years lunardate's tables cover (a typo like 2205 must not crash)
_NAMES = {
    "New Year's Day": "元旦", "Spring Festival": "春节", "Tomb-sweeping Day": "清明节", "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节", "National Day": "国庆节", "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利纪念日",
}


@dataclass(frozen=True, slots=True)
class NationalYear:
    """One school year: its dates (the second semester after the Spring Festival) and the lines of its
    calendar; ``announced`` is False when the holidays were computed, not read from the schedule."""

    dates: SchoolYearDates
    lines: tuple[CalendarLine, ...]
    announced: bool


@functools.lru_cache(maxsize=64)
def national_year(start_year: int) -> NationalYear:
    base = fixed_year(start_year)
    if not LUNAR_YEARS[0] <= start_year + 1 < LUNAR_YEARS[1]:  # beyond the lunar tables: the fixed dates
        return NationalYear(base, (), False)
    known_until = date(max(chinese_calendar.holidays).year, 12, 31)  # the last announced year's end
    announced = base.sem2_end <= known_until
    lines = _announced_lines(base.start, min(base.end, known_until))
    lines += tuple(ln for ln in _computed_lines(start_year) if ln.start > known_until)
    spring = [ln for ln in lines if ln.kind == HOLIDAY and "春节" in ln.note]
    festival = spring[0] if spring else _spring_festival(start_year + 1)
    sem2_start = festival.end + timedelta(days=7 - festival.end.weekday())  # the first Monday after
    sem1_end = min(base.sem1_end, festival.start - timedelta(days=1))
    dates = SchoolYearDates(start=base.start, end=base.end, sem1_start=base.sem1_start, sem1_end=sem1_end,
                            sem2_start=sem2_start, sem2_end=base.sem2_end)
    inside = tuple(ln for ln in lines if _in_semesters(ln, dates))
    return NationalYear(dates, inside, announced)


def _in_semesters(line: CalendarLine, d: SchoolYearDates) -> bool:
    """Lines touching a semester; a 调休 workday in the winter break still says the schedule, so keep
    every line between the school year's start and the second semester's end."""
    return line.end >= d.sem1_start and line.start <= d.sem2_end


def _announced_lines(start: date, end: date) -> tuple[CalendarLine, ...]:
    days = sorted((d, str(h)) for d, h in chinese_calendar.holidays.items() if start <= d <= end)
    out = []
    # consecutive days make one line (2025: 国庆节 and 中秋节 together are 10/1-10/8)
    for _, run in groupby(enumerate(days), key=lambda x: x[1][0] - timedelta(days=x[0])):
        items = [item for _, item in run]
        names = "、".join(dict.fromkeys(_NAMES.get(name, name) for _, name in items))
        out.append(CalendarLine(start=items[0][0], end=items[-1][0], kind=HOLIDAY, note=names))
    for d, h in sorted(chinese_calendar.workdays.items()):
        if start <= d <= end and d.weekday() >= 5:
            out.append(CalendarLine(start=d, end=d, kind=WORKDAY, note=f"{_NAMES.get(str(h), str(h))}调休上班"))
    return tuple(sorted(out, key=lambda ln: ln.start))


def _spring_festival(year: int) -> CalendarLine:
    new_year = lunardate.LunarDate(year, 1, 1).to_solar_date()
    return CalendarLine(start=new_year - timedelta(days=1), end=new_year + timedelta(days=6), kind=HOLIDAY,
                        note="春节")


def _lunar(year: int, month: int, day: int) -> date:
    return lunardate.LunarDate(year, month, day).to_solar_date()


def _computed_lines(start_year: int) -> tuple[CalendarLine, ...]:
    nxt = start_year + 1
    qingming = [d for d, _ in chinese_calendar.get_solar_terms(date(nxt, 4, 3), date(nxt, 4, 6)) if _ == "清明"]

    def one(d: date, note: str) -> CalendarLine:
        return CalendarLine(start=d, end=d, kind=HOLIDAY, note=note)

    lines = [
        one(_lunar(start_year, 8, 15), "中秋节"),
        CalendarLine(start=date(start_year, 10, 1), end=date(start_year, 10, 7), kind=HOLIDAY, note="国庆节"),
        one(date(nxt, 1, 1), "元旦"),
        _spring_festival(nxt),
        one(qingming[0] if qingming else date(nxt, 4, 5), "清明节"),
        CalendarLine(start=date(nxt, 5, 1), end=date(nxt, 5, 5), kind=HOLIDAY, note="劳动节"),
        one(_lunar(nxt, 5, 5), "端午节"),
    ]
    # 中秋 inside 国庆 is already off; keep one line per day
    lines = [ln for ln in lines if not (ln.note == "中秋节" and date(start_year, 10, 1) <= ln.start <= date(start_year, 10, 7))]
    return tuple(sorted(lines, key=lambda ln: ln.start))
