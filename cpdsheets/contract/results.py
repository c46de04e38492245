"""What a recalculation hands the reports: the typed boundary between engine and reports.

The engine builds a ``Results`` (engine.compute) and the reports only read one, so neither imports
the other; each frame's columns are listed where it is built (the ``*_COLUMNS`` of engine.compute,
engine.rules and engine.credits).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from .findings import Finding

if TYPE_CHECKING:  # the contract stays importable without pandas (CLI start-up); frames are only types here
    import numpy as np
    import pandas as pd


@dataclass(frozen=True, slots=True)
class Calendar:
    """The school year and its semesters as counted (engine.periods.make_calendar fills what is missing)."""

    year_start: date
    year_end: date
    semesters: tuple[tuple[date, date], ...]
    # 校历: days off inside the semesters (放假, 学校停课) and weekend days with school (调休上班)
    off_days: frozenset[date] = frozenset()
    extra_days: frozenset[date] = frozenset()

    def school_day_mask(self) -> np.ndarray:
        """One bool per day of the school year: a weekday inside a semester that is not off, or an
        调休 workday inside a semester (docs/SPEC.md, "School calendar")."""
        import numpy as np

        out = np.zeros(self.days, dtype=bool)
        for s, e in self.semesters:
            for i in range((s - self.year_start).days, (e - self.year_start).days + 1):
                if 0 <= i < self.days:
                    day = date.fromordinal(self.year_start.toordinal() + i)
                    out[i] = (day.weekday() < 5 and day not in self.off_days) or day in self.extra_days
        return out

    @property
    def days(self) -> int:
        return (self.year_end - self.year_start).days + 1

    def day_index(self, dates: pd.Series) -> np.ndarray:
        """Days since the school year's start (may fall outside 0..days-1); NaT -> a large sentinel."""
        import pandas as pd

        start = pd.Timestamp(self.year_start)
        idx = (pd.to_datetime(dates) - start).dt.days
        return idx.to_numpy(dtype="float64")


@dataclass(slots=True)
class Results:
    as_of: date
    calendar: Calendar
    teachers: pd.DataFrame  # engine.compute.TEACHER_COLUMNS, one row per roster teacher
    progress: pd.DataFrame  # engine.rules.PROGRESS_COLUMNS, every (subject, rule, detail, started period)
    alerts: pd.DataFrame  # progress rows whose state is not 达标
    groups: pd.DataFrame  # engine.compute.GROUP_COLUMNS, one row per 教研组
    ledger: pd.DataFrame  # engine.credits.LEDGER_COLUMNS, every counted training/output row with its credits
    findings: list[Finding] = field(default_factory=list)  # rules not evaluated, optional sheets missing
