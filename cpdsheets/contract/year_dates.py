"""The fixed dates of a school year (1 September .. 31 August, the usual semester bounds), before the
Spring Festival moves the boundary between the semesters (:mod:`national_calendar`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

YEAR_START = (9, 1)  # month, day
SEM1_END = (1, 31)
SEM2_START = (2, 16)  # the usual start; the national calendar decides each year's
SEM2_END = (7, 10)
YEAR_END = (8, 31)


@dataclass(frozen=True, slots=True)
class SchoolYearDates:
    """Every date of one school year (the engine's own ``validate.SchoolYear`` is only its span)."""

    start: date
    end: date
    sem1_start: date
    sem1_end: date
    sem2_start: date
    sem2_end: date


def fixed_year(start_year: int) -> SchoolYearDates:
    """The school year's fixed dates (1 September .. 31 August, the semesters' usual bounds) before the
    Spring Festival moves the boundary between the semesters."""
    nxt = start_year + 1
    return SchoolYearDates(
        start=date(start_year, *YEAR_START), end=date(nxt, *YEAR_END),
        sem1_start=date(start_year, *YEAR_START), sem1_end=date(nxt, *SEM1_END),
        sem2_start=date(nxt, *SEM2_START), sem2_end=date(nxt, *SEM2_END),
    )
