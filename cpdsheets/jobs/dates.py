"""Dates a request gives (an as-of date, a school year), and the one place a job settles its as-of date.

Precedence, for a job on one book: the request's date (``--as-of``, a form field), else the book's
规则 (统计截止日), else today. A roll-up has one date for every school: the request's, else today; a
school's own 统计截止日 is not asked, since schools' 规则 may differ and a district report must
compare them on one day.
"""

from __future__ import annotations

import datetime as dt
import re

from ..contract.policy import Policy
from ..contract.school_year import SchoolYearDates, default_year

_YEAR = re.compile(r"^\s*(\d{4})\s*(?:(?:[-/~～—–至到]|学年)\s*(\d{4}|\d{2})?)?\s*(?:学年)?\s*$")


def request_date(text: str) -> dt.date | None:
    """``2026-04-20``, ``2026/4/20``, ``2026.4.20``, ``2026年4月20日`` …; None when it is no date."""
    from ..engine.normalize import parse_date_value  # pandas: not for `new`, which reads a school year only

    return parse_date_value(text.strip())


def request_year(text: str) -> SchoolYearDates | None:
    """``"2025-2026"`` (or ``"2025"``, ``"2025/26"``, ``"2025学年"``) -> the default dates of that school
    year; None for text that is no school year, a span of more than one year (``"2025-2027"``) included."""
    match = _YEAR.match(str(text))
    if not match:
        return None
    first, second = int(match.group(1)), match.group(2)
    if second and int(second) != (first + 1 if len(second) == 4 else (first + 1) % 100):
        return None
    return default_year(first)


def book_as_of(given: dt.date | None, policy: Policy) -> dt.date:
    """The as-of date of a job on one book: ``given`` (the request's), else 规则's, else today."""
    return given or policy.settings.as_of or dt.date.today()


def district_as_of(given: dt.date | None) -> dt.date:
    """The as-of date of a roll-up, the same for every school: ``given``, else today."""
    return given or dt.date.today()
