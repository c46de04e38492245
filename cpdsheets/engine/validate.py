"""Validate a whole raw workbook lazily: every sheet, every check, every finding collected."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Protocol

import pandas as pd

from ..contract.book import RawBook
from ..contract.dataset import Dataset
from ..contract.findings import Finding, MissingSheet
from ..contract.school_year import YEAR_START, default_year
from ..contract.schema import DATA_SHEETS, YEAR_DATED_SHEETS
from .cross_checks import run_cross_checks
from .normalize import normalize_dates, school_year_of_month
from .sheet_frame import HEADER_SCAN_ROWS, SheetRead, find_header, locate_sheet, read_sheet
from .verdict import judge, settle


@dataclass(slots=True)
class SchoolYear:
    start: dt.date
    end: dt.date
    inferred: bool = False


class SchoolPlaces(Protocol):
    """How a bound book's findings are put back on the school's own cells (engine.binding.materialise)."""

    def placed(self, f: Finding) -> list[Finding]: ...


@dataclass(slots=True)
class Validation:
    dataset: Dataset
    findings: list[Finding]
    year: SchoolYear | None
    rows: int = 0
    reads: dict[str, SheetRead] = field(default_factory=dict)
    # A bound book's reading (engine.binding.materialise.BoundBook): where each virtual row came from.
    bound: SchoolPlaces | None = None


def validate_book(book: RawBook, *, year: SchoolYear | None = None, rule_ids: set[str] | None = None,
                  categories: list[str] | None = None, not_kept: tuple[str, ...] = ()) -> Validation:
    """``rule_ids`` and ``categories``: the rules and training categories the 规则 sheet names, which
    豁免's 规则编号 and 培训记录's 类别 must name (none given: not checked). ``not_kept``: the logs the
    school says it does not keep (映射): not missing when absent."""
    findings: list[Finding] = []
    if year is None:
        year = infer_school_year(book)
    year_of_month = school_year_of_month(year.start if year else None)

    reads: dict[str, SheetRead] = {}
    names: dict[str, str] = {}
    for spec in DATA_SHEETS:
        sheet = locate_sheet(book, spec.names)
        if sheet is None:
            if not spec.optional and spec.key not in not_kept:
                findings.append(MissingSheet.at(spec.name, expected=spec.name, alias="/".join(spec.aliases)))
            continue
        names[spec.key] = sheet.name
        read = read_sheet(sheet, spec, year_of_month)
        reads[spec.key] = read
        findings += read.findings

    span = (year.start, year.end) if year is not None and not year.inferred else None
    findings += [f for ran in run_cross_checks(reads, names, span, rule_ids or set(), categories or [])
                 for f in ran.findings]
    by_sheet: dict[str, list[Finding]] = {}
    for f in findings:
        by_sheet.setdefault(f.sheet, []).append(f)
    for read in reads.values():  # the one place rows are left out and cells set aside
        settle(read, judge(read, by_sheet.get(read.name, [])))
    dataset = Dataset(
        frames={k: r.frame for k, r in reads.items()},
        sheet_names=names,
        places={k: r.places for k, r in reads.items()},
        not_kept=frozenset(k for k in not_kept if k not in reads),
    )
    rows = sum(len(r.frame) for r in reads.values())
    return Validation(dataset, findings, year, rows, reads)


def infer_school_year(book: RawBook) -> SchoolYear | None:
    """Without a 规则 sheet that says so, the school year is the one (September to August, the
    contract's default dates) that holds most of the logged dates."""
    dates: list[pd.Series] = []
    for spec in YEAR_DATED_SHEETS:
        sheet = locate_sheet(book, spec.names)
        header = find_header(sheet.head(HEADER_SCAN_ROWS), spec) if sheet is not None else None
        if sheet is None or header is None or spec.year_date not in header.columns:
            continue
        cells = pd.Series(sheet.column(header.columns[spec.year_date], header.row + 1), dtype="object")
        dates.append(normalize_dates(pd.Series(cells.unique(), dtype="object")).values.dropna())
    y = modal_start_year(dates)
    if y is None:
        return None
    default = default_year(y)
    return SchoolYear(default.start, default.end, inferred=True)


def modal_start_year(dates: list[pd.Series]) -> int | None:
    """The start year of the school year (September to August) holding most of these dates."""
    all_dates = pd.concat(dates) if dates else pd.Series([], dtype="datetime64[ns]")
    if all_dates.empty:
        return None
    month, day = YEAR_START
    before_start = (all_dates.dt.month < month) | ((all_dates.dt.month == month) & (all_dates.dt.day < day))
    return int((all_dates.dt.year - before_start.astype(int)).mode().iloc[0])
