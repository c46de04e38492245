"""A date a request gives (``--as-of``, a form field), read in every form the sheets take."""

from __future__ import annotations

import datetime as dt

from ..engine.normalize import parse_date_value


def request_date(text: str) -> dt.date | None:
    """``2026-04-20``, ``2026/4/20``, ``2026.4.20``, ``2026年4月20日`` …; None when it is no date."""
    return parse_date_value(text.strip())
