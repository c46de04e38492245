"""The `new` job: which workbook to make for a school, decided once for every door that makes one.

A door parses what it was given (the file, checked as an output; the school year, read by
:func:`.dates.request_year`; the school's name; the district service's address, checked) and asks.
The job answers with a :class:`NewBook`: what the template door (``doors/template``, or the demo)
builds, and what the door tells the user afterwards. No file is touched here; writing is a door's.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..contract.findings import Lang
from ..contract.national_calendar import national_year
from ..contract.school_year import SchoolYearDates

DEFAULT_YEAR = "2025-2026"  # the template's school year when none is asked for


@dataclass(frozen=True, slots=True)
class NewRequest:
    """``target``: the file to make, checked by the door (an .xlsm or .xlsx, not an input); ``year``:
    the school year asked for (None: the template's); ``server``: the district service's address,
    checked, or ""; ``demo``: the demo school with its data, in place of an empty template."""

    target: Path
    lang: Lang = "zh"
    year: SchoolYearDates | None = None
    school: str = ""
    server: str = ""
    demo: bool = False


@dataclass(frozen=True, slots=True)
class NewBook:
    """What to build. ``macros``: an .xlsm with the buttons' VBA project (else an .xlsx without);
    ``year``: the school year's label (``2026-2027``, the template's :data:`DEFAULT_YEAR` when none was
    asked for), None for the demo, whose data has its own;
    ``estimated_calendar``: the label of the year whose national holidays the State Council has not
    announced yet, so the 校历 the template fills in is computed (the door says so), else None."""

    target: Path
    lang: Lang
    macros: bool
    demo: bool
    year: str | None
    school: str
    server: str
    estimated_calendar: str | None


def new(request: NewRequest) -> NewBook:
    macros = request.target.suffix.lower() != ".xlsx"
    year = estimated = None
    if not request.demo:  # the demo's year is its own data's, not a year asked for
        asked = request.year
        year = f"{asked.start.year}-{asked.end.year}" if asked is not None else DEFAULT_YEAR
        if not national_year(int(year[:4])).announced:
            estimated = year
    return NewBook(request.target, request.lang, macros, request.demo, year, request.school.strip(),
                   request.server, estimated)
