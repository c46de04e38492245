"""Dates a request gives, and the one place a job settles its as-of date.

Precedence, for a job on one book: the request's date (``--as-of``, a form field), else the book's
规则 (统计截止日), else today. A roll-up has one date for every school: the request's, else today; a
school's own 统计截止日 is not asked, since schools' 规则 may differ and a district report must
compare them on one day.
"""

from __future__ import annotations

import datetime as dt

from ..contract.policy import Policy
from ..engine.normalize import parse_date_value


def request_date(text: str) -> dt.date | None:
    """``2026-04-20``, ``2026/4/20``, ``2026.4.20``, ``2026年4月20日`` …; None when it is no date."""
    return parse_date_value(text.strip())


def book_as_of(given: dt.date | None, policy: Policy) -> dt.date:
    """The as-of date of a job on one book: ``given`` (the request's), else 规则's, else today."""
    return given or policy.settings.as_of or dt.date.today()


def district_as_of(given: dt.date | None) -> dt.date:
    """The as-of date of a roll-up, the same for every school: ``given``, else today."""
    return given or dt.date.today()
