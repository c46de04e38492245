"""Periods as a reader of either language reads them.

The engine makes each period as data (``contract.period.Period``: kind, semester, index, year); its
Chinese label (``第一学期``, ``2024年10月``, ``第一学期第3双周``, ``2024-2025学年``) is what results and the
JSON carry. Tabs and text shown in English format the same period in English; nothing parses a label.
"""

from __future__ import annotations

from ..contract.period import Period, period_label
from ..contract.texts import Lang


def period_text(period: Period, lang: Lang) -> str:
    """``period`` in ``lang``."""
    return period_label(period, lang)
