"""The school year's calendar and the periods quotas are counted over.

学年 and the two 学期 come from the settings. 月, 周 (Monday–Sunday) and 双周 (two-week windows from each
semester's start, the last one shorter when the semester ends) exist only inside semesters: a month or
week that straddles a semester boundary is cut at it, and counts only its days inside.

Missing dates are filled so the engine always has a calendar (the lead infers the school year from the
data before calling; these are the last resort): the school year starts on 1 September before the
as-of date and ends the day before its anniversary; 第一学期 runs from the school year's start to 31
January (or the day before 第二学期开始), 第二学期 from the day after to the school year's end.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd

from ..contract.period import PERIOD_KIND_SPECS, Period, period_label
from ..contract.policy import Settings
from ..contract.results import Calendar
from ..contract.school_calendar import SchoolCalendar
from ..contract.school_year import default_year, start_year_of

# ``period`` is the structured period (contract.period.Period); ``period_label`` and ``semester`` (the
# label of its semester, or of the school year for 学年) are its Chinese labels, as results carry them.
PERIOD_COLUMNS = ["period_id", "period_kind", "period_label", "period_start", "period_end", "period_days",
                  "semester", "period"]


def normal_window_days(periods: pd.DataFrame) -> np.ndarray:
    """School days of a normal window of each period (docs/SPEC.md, "School calendar"): 5 for a 周, 10 for a
    双周, a 月's weekdays over the whole calendar month; 0 for 学期 and 学年, which are measured by
    their own school days."""
    spec = PERIOD_KIND_SPECS.get(periods["period_kind"].iloc[0]) if len(periods) else None
    if spec is not None and spec.normal_days:
        return np.full(len(periods), spec.normal_days, dtype="int64")
    if spec is not None and spec.calendar_month:  # the weekdays of the window's whole calendar months
        first = periods["period_start"].dt.to_period("M").dt.start_time
        last = first + pd.DateOffset(months=spec.months)
        return np.busday_count(first.to_numpy(dtype="datetime64[D]"), last.to_numpy(dtype="datetime64[D]"))
    return np.zeros(len(periods), dtype="int64")


def make_calendar(settings: Settings, as_of: date, school: SchoolCalendar | None = None) -> Calendar:
    """The school year's calendar; ``school`` (the 校历 block) says which days inside the semesters have
    no school and which weekend days have (:meth:`Calendar.school_day_mask`)."""
    ys = settings.year_start or default_year(start_year_of(as_of)).start
    default = default_year(ys.year)
    ye = settings.year_end or _add_year(ys) - timedelta(days=1)
    s1_start = settings.sem1_start or ys
    # a boundary the sheet gives decides its neighbour; the contract's dates fill the rest
    s1_end = settings.sem1_end
    if s1_end is None:
        s1_end = settings.sem2_start - timedelta(days=1) if settings.sem2_start else default.sem1_end
    s2_start = settings.sem2_start or (s1_end + timedelta(days=1) if settings.sem1_end else default.sem2_start)
    s2_end = settings.sem2_end or min(default.sem2_end, ye)
    semesters = tuple((max(a, ys), min(b, ye)) for a, b in ((s1_start, s1_end), (s2_start, s2_end)) if a <= b)
    if school is None:
        return Calendar(ys, ye, semesters)
    return Calendar(ys, ye, semesters, off_days=school.off_days(), extra_days=school.workdays())


def _months_after(d: date, months: int) -> date:
    """The 1st of the month ``months`` months after ``d``'s month."""
    m = d.month - 1 + months
    return date(d.year + m // 12, m % 12 + 1, 1)


def _add_year(d: date) -> date:
    try:
        return d.replace(year=d.year + 1)
    except ValueError:  # 29 February
        return d.replace(year=d.year + 1, day=28)


def period_table(cal: Calendar, kind: str) -> pd.DataFrame:
    """The periods of one kind, in date order, non-overlapping; ``period_end`` inclusive.
    ``semester`` names the semester a period lies in (the school year's label for 学年): the unit a
    person reads alerts by, e.g. "4 of 10 fortnights of 第一学期"."""
    spec = PERIOD_KIND_SPECS.get(kind)
    if spec is None:
        raise ValueError(f"unknown period kind {kind}")
    spans: list[tuple[Period, date, date]] = []
    if spec.span == "year":
        spans.append((Period(kind, year=cal.year_start.year, end_year=cal.year_end.year), cal.year_start, cal.year_end))
    for n, (s, e) in enumerate(cal.semesters, start=1):
        if spec.span == "semester":
            spans.append((Period(kind, n), s, e))
        elif spec.span == "month":  # runs of ``months`` calendar months from the semester's first month
            cur, k = s, 1
            while cur <= e:
                nxt = _months_after(cur, spec.months)
                at = Period(kind, n, cur.month, cur.year) if spec.months == 1 else Period(kind, n, k)
                spans.append((at, cur, min(nxt - timedelta(days=1), e)))
                cur, k = nxt, k + 1
        elif spec.span == "days":  # a 周 from its Monday (the first one cut at the semester's start)
            first = s - timedelta(days=s.weekday()) if spec.from_monday else s
            k = 1
            while first <= e:
                a, b = max(first, s), min(first + timedelta(days=spec.days - 1), e)
                spans.append((Period(kind, n, k), a, b))
                first += timedelta(days=spec.days)
                k += 1
    df = pd.DataFrame({
        "period_label": [period_label(p) for p, _, _ in spans],
        "period_start": [a for _, a, _ in spans],
        "period_end": [b for _, _, b in spans],
        "semester": [period_label(p.reading_unit) for p, _, _ in spans],
        "period": pd.Series([p for p, _, _ in spans], dtype="object"),
    })
    df["period_start"] = pd.to_datetime(df["period_start"])
    df["period_end"] = pd.to_datetime(df["period_end"])
    df.insert(0, "period_kind", kind)
    df.insert(0, "period_id", np.arange(len(df), dtype="int64"))
    df["period_days"] = (df["period_end"] - df["period_start"]).dt.days + 1
    return df[PERIOD_COLUMNS]


def assign_periods(dates: pd.Series, periods: pd.DataFrame) -> pd.Series:
    """The ``period_id`` each date falls in, -1 where it falls in none (e.g. between semesters)."""
    if not len(periods):
        return pd.Series(-1, index=dates.index, dtype="int64")
    starts = periods["period_start"].to_numpy(dtype="datetime64[ns]")
    ends = periods["period_end"].to_numpy(dtype="datetime64[ns]")
    d = pd.to_datetime(dates).to_numpy(dtype="datetime64[ns]")
    pos = np.searchsorted(starts, d, side="right") - 1
    safe = np.clip(pos, 0, len(starts) - 1)
    inside = (pos >= 0) & (d <= ends[safe]) & ~np.isnat(d)
    ids = periods["period_id"].to_numpy()[safe]
    return pd.Series(np.where(inside, ids, -1), index=dates.index, dtype="int64")
