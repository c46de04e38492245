"""The demo school's calendar for 2025-2026: semesters, holidays and the rule periods inside them.

Periods follow docs/SPEC.md: 月, 周 (Monday-Sunday) and 双周 (two-week windows counted from each semester's
start) exist only inside semesters, clipped to them.
"""

from __future__ import annotations

from datetime import date, timedelta

YEAR = "2025-2026"
YEAR_START, YEAR_END = date(2025, 9, 1), date(2026, 8, 31)
SEMESTERS = ((date(2025, 9, 1), date(2026, 1, 31)), (date(2026, 2, 16), date(2026, 7, 10)))
AS_OF = date(2026, 4, 15)  # 统计截止日: semester 1 closed, semester 2 open

# National Day, New Year and Qingming (the Spring Festival falls in the winter break).
HOLIDAYS = frozenset(
    [date(2025, 10, 1) + timedelta(days=i) for i in range(8)]
    + [date(2026, 1, 1), date(2026, 1, 2), date(2026, 4, 6)]
)

Period = tuple[date, date]
# The 校历 lines the demo's 规则 sheet carries: its own holidays (not the national schedule's 调休), so
# the demo keeps the semesters and school days its rows were planted on.
CALENDAR_LINES = (
    (date(2025, 10, 1), date(2025, 10, 8), "国庆节、中秋节"),
    (date(2026, 1, 1), date(2026, 1, 2), "元旦"),
    (date(2026, 4, 6), date(2026, 4, 6), "清明节"),
)
assert HOLIDAYS == frozenset(d for a, b, _ in CALENDAR_LINES for d in
                             (a + timedelta(days=i) for i in range((b - a).days + 1)))


def days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


def school_days(start: date, end: date) -> list[date]:
    """Weekdays that are not holidays, start..end inclusive."""
    return [d for d in days(start, end) if d.weekday() < 5 and d not in HOLIDAYS]


def months(sem: Period) -> list[Period]:
    out, d = [], sem[0]
    while d <= sem[1]:
        nxt = date(d.year + (d.month == 12), d.month % 12 + 1, 1)
        out.append((d, min(nxt - timedelta(days=1), sem[1])))
        d = nxt
    return out


def windows(sem: Period, length_days: int) -> list[Period]:
    """Consecutive windows from the semester's first day (it starts on a Monday: weeks align)."""
    out, d = [], sem[0]
    while d <= sem[1]:
        out.append((d, min(d + timedelta(days=length_days - 1), sem[1])))
        d += timedelta(days=length_days)
    return out


def clip(period: Period, start: date, end: date) -> Period | None:
    lo, hi = max(period[0], start), min(period[1], end)
    return (lo, hi) if lo <= hi else None
