"""What every job is asked: a book the door has read, the language of what comes back, and the
request's own as-of date.

A door fills a request from what it parsed (the command line, a form, the book the buttons sent) and
hands it to a job; the job answers with a typed result and never reads the command line or the clock
before it has to (see :mod:`.dates` for the one place ``as_of`` is settled).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..contract.book import RawBook
from ..contract.findings import Lang


@dataclass(frozen=True, slots=True)
class BookRequest:
    """``as_of``: the date the request gives (``--as-of``, a form field); None leaves it to the book's
    规则 (统计截止日), then to today, decided once by the job (:func:`.dates.book_as_of`)."""

    book: RawBook
    lang: Lang = "zh"
    as_of: dt.date | None = None
