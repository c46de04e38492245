"""The two jobs every door runs, on a RawBook from wherever it came: validate, and recalc.

The CLI, the xlwings buttons, the service and CI all call these, so one engine gives one answer. They
answer with the findings and results; the output tabs are a separate step (:mod:`.tabs`), taken only
by a door that writes them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..contract.binding import MAPPING_SHEET_NAMES, target_label
from ..contract.book import RawBook
from ..contract.findings import (
    Finding, FormulaNotCalculated, FormulasNotCalculated, Lang, MissingSheet, MissingValue, NoSchoolYear, NotBound,
    bilingual,
)
from ..contract.policy import Policy
from ..contract.results import Results
from ..contract.schema import POLICY_SHEET_NAMES, TEACHERS
from ..engine.normalize import header_key
from ..engine.policy_sheet import read_policy
from ..engine.roster import attribute_findings
from ..engine.sheet_frame import locate_sheet
from ..contract.school_year import default_year
from ..engine.validate import SchoolYear, Validation, validate_book
from ..reports.alert_rows import alert_row_count
from .dates import book_as_of
from .request import BookRequest


def check(raw: RawBook, *, as_of: dt.date | None = None) -> tuple[Policy, Validation, list[Finding], dt.date]:
    """Policy and validation: everything up to, not including, computation. A book with a 映射 sheet
    is validated as the binding reads it, and its findings are put back on the school's own cells."""
    policy, validation, findings, resolved = _check_book(raw, as_of)
    return policy, validation, _formula_findings(raw, validation, findings), resolved


def _formula_findings(raw: RawBook, validation: Validation, findings: list[Finding]) -> list[Finding]:
    """A required cell read as empty that is a formula the file keeps no result for is said as that
    formula; the other such cells of the sheets read are said once per sheet."""
    if not raw.uncalculated:
        return findings
    formulas = {(sheet, cell): text for sheet, found in raw.uncalculated.items() for cell, text in found}
    out: list[Finding] = []
    said = set()
    for f in findings:
        text = formulas.get((f.sheet, f.cell)) if f.code == MissingValue.code else None
        if text is None:
            out.append(f)
        else:
            out.append(FormulaNotCalculated.instead_of(f, text))
            said.add((f.sheet, f.cell))
    read = _sheets_read(raw, validation)
    for sheet, found in raw.uncalculated.items():
        rest = [(cell, text) for cell, text in found if (sheet, cell) not in said]
        if sheet in read and rest:
            examples = "、".join(f"{cell} {text}" for cell, text in rest[:3]) + ("…" if len(rest) > 3 else "")
            out.append(FormulasNotCalculated.at(sheet, count=len(rest), examples=examples))
    return out


def _sheets_read(raw: RawBook, validation: Validation) -> set[str]:
    """The book's own sheets the jobs read: the logs (a bound book's sources) and the policy sheet."""
    dataset = validation.dataset
    names = set(dataset.sheet_names.values())
    for src in dataset.sources.values():
        names |= set(src["sheet"].tolist()) if len(src) else set()
    policy_sheet = locate_sheet(raw, POLICY_SHEET_NAMES)
    if policy_sheet is not None:
        names.add(policy_sheet.name)
    return names & set(raw.sheets)


def _check_book(raw: RawBook, as_of: dt.date | None) -> tuple[Policy, Validation, list[Finding], dt.date]:
    mapping_sheet = locate_sheet(raw, MAPPING_SHEET_NAMES)
    if mapping_sheet is None:
        return _unbound_said(raw, *_check(raw, as_of))
    # Imported here: most books have no 映射, and the binding modules cost a book's start-up ~0.1 s.
    from ..engine.binding.mapping_sheet import DefaultCells, read_mapping
    from ..engine.binding.materialise import bound_book

    default_cells: DefaultCells = {}
    binding, mapping_findings = read_mapping(mapping_sheet, default_cells)
    if not binding.sheets and not _named_mapping(mapping_sheet.name) and _no_header(mapping_findings):
        return _check(raw, as_of)  # `课程映射说明`: a sheet of the school's that only looks like 映射 by name
    bound = bound_book(raw, binding, mapping_sheet.name, default_cells)
    policy, validation, findings, resolved = _check(bound.raw, as_of, binding.not_kept)
    bound.attach(validation)
    return policy, validation, mapping_findings + bound.translate(findings), resolved


def _unbound_said(raw: RawBook, policy: Policy, validation: Validation, findings: list[Finding],
                  resolved: dt.date) -> tuple[Policy, Validation, list[Finding], dt.date]:
    """A book with neither 映射 nor 教师名册 whose sheets `bind` recognises is a school's own book: one
    not-bound finding says to run `cpdsheets bind` on it, in place of a missing-sheet error per log."""
    if not any(f.code == MissingSheet.code and f.sheet == TEACHERS.name for f in findings):
        return policy, validation, findings, resolved
    from ..engine.binding.recognise import propose

    bound = propose(raw).binding.sheets
    if not any(s.target == TEACHERS.key for s in bound):
        return policy, validation, findings, resolved
    pairs = [f"{s.sheet} → {target_label(s.target, s.shape)}" for s in bound[:6]]
    more = "…" if len(bound) > 6 else ""
    book = Path(raw.path).name if raw.path else "工作簿.xlsx"
    said = NotBound.at(TEACHERS.name, book=_quoted(book),
                       sheets=bilingual("、".join(pairs) + more, ", ".join(pairs) + more))
    return policy, validation, [said, *(f for f in findings if f.code != MissingSheet.code)], resolved


def _quoted(name: str) -> str:
    """A file name as it is typed at a prompt: quoted when it holds a space."""
    return f'"{name}"' if any(c.isspace() for c in name) else name


def _named_mapping(name: str) -> bool:
    return header_key(name) in {header_key(n) for n in MAPPING_SHEET_NAMES}


def _no_header(findings: list[Finding]) -> bool:
    return len(findings) == 1 and findings[0].row is None


def school_findings(validation: Validation, findings: list[Finding]) -> list[Finding]:
    """Findings of a later step (computation) on the school's own cells, for a bound book."""
    bound = validation.bound
    if bound is None:
        return findings
    return [g for f in findings for g in bound.placed(f)]


def _check(raw: RawBook, as_of: dt.date | None,
           not_kept: tuple[str, ...] = ()) -> tuple[Policy, Validation, list[Finding], dt.date]:
    policy_sheet = locate_sheet(raw, POLICY_SHEET_NAMES)
    policy, findings = read_policy(policy_sheet)
    s = policy.settings
    year = SchoolYear(s.year_start, s.year_end) if s.year_start and s.year_end else None
    rule_ids = {r.rule_id for r in policy.rules}
    validation = validate_book(raw, year=year, rule_ids=rule_ids, categories=policy.training_categories(),
                               not_kept=not_kept)
    validation.findings += attribute_findings(validation.reads.get(TEACHERS.key),
                                              validation.dataset.sheet_names.get(TEACHERS.key, ""), policy.active_rules)
    if year is None and validation.year is not None:
        y = validation.year
        findings.append(NoSchoolYear.for_year(policy_sheet.name if policy_sheet else "规则", y.start, y.end))
        policy = _with_year(policy, y)
    findings = findings + validation.findings
    return policy, validation, findings, book_as_of(as_of, policy)


def _with_year(policy: Policy, year: SchoolYear) -> Policy:
    """Fill the school year and its two semesters (the contract's default dates) when the sheet
    gives none."""
    s = policy.settings
    default = default_year(year.start.year)
    settings = s.model_copy(update={
        "year_start": year.start, "year_end": year.end,
        "sem1_start": s.sem1_start or default.sem1_start, "sem1_end": s.sem1_end or default.sem1_end,
        "sem2_start": s.sem2_start or default.sem2_start, "sem2_end": s.sem2_end or default.sem2_end,
    })
    return policy.model_copy(update={"settings": settings})


@dataclass(frozen=True, slots=True)
class ValidateRequest(BookRequest):
    """`validate`: check the book against the contract and its 规则; nothing is computed."""


@dataclass(frozen=True, slots=True)
class RecalcRequest(BookRequest):
    """`recalc`: check, then compute credits, progress and alerts."""


@dataclass(slots=True)
class Validated:
    """validate's answer. No tab is built here: a door that writes them calls :func:`.tabs.book_tabs`."""

    request: BookRequest
    findings: list[Finding]
    counts: dict[str, int]
    as_of: dt.date  # settled once, by the job (:func:`.dates.book_as_of`)
    policy: Policy
    validation: Validation
    seconds: float = 0.0

    @property
    def job(self) -> str:
        return "validate"


@dataclass(slots=True, kw_only=True)
class Recalculation(Validated):
    """What recalc adds: the computed results, handed to the reports as they are, and the rules whose
    metric is a share (占比), which the reports write as a percentage."""

    results: Results
    share_rules: frozenset[str] = frozenset()

    @property
    def job(self) -> str:
        return "recalc"


def validate(request: BookRequest) -> Validated:
    started = time.perf_counter()
    policy, validation, findings, resolved = check(request.book, as_of=request.as_of)
    return Validated(request, findings, _counts(findings, validation), resolved, policy, validation,
                     seconds=time.perf_counter() - started)


def recalc(request: BookRequest) -> Recalculation:
    from ..engine.compute import compute

    started = time.perf_counter()
    policy, validation, findings, resolved = check(request.book, as_of=request.as_of)
    results = compute(validation.dataset, policy, resolved)
    findings = findings + school_findings(validation, results.findings)
    seconds = time.perf_counter() - started
    counts = _counts(findings, validation)
    counts["teachers"] = len(results.teachers)
    counts["alerts"] = alert_row_count(results.alerts)  # 达标预警 rows, as the coordinator counts them
    counts["alert_periods"] = len(results.alerts)  # one per period, as the JSON lists them
    shares = frozenset(r.rule_id for r in policy.rules if r.metric_spec.is_share)
    return Recalculation(request, findings, counts, resolved, policy, validation, seconds=seconds, results=results,
                         share_rules=shares)


def run_validate(raw: RawBook, *, lang: Lang = "zh", as_of: dt.date | None = None) -> Validated:
    """:func:`validate` asked in keywords."""
    return validate(ValidateRequest(raw, lang, as_of))


def run_recalc(raw: RawBook, *, lang: Lang = "zh", as_of: dt.date | None = None) -> Recalculation:
    """:func:`recalc` asked in keywords."""
    return recalc(RecalcRequest(raw, lang, as_of))


def _counts(findings: list[Finding], validation: Validation) -> dict[str, int]:
    return {
        "errors": sum(1 for f in findings if f.level == "error"),
        "warnings": sum(1 for f in findings if f.level == "warning"),
        "rows": validation.rows,
        "teachers": len(validation.dataset.frame(TEACHERS.key)),
        "alerts": 0,
    }


def input_hash(validation: Validation) -> str:
    """A fingerprint of the input as understood (the normalised sheets), so it is the same whichever
    door read the book, and our own output tabs never change it."""
    h = hashlib.sha256()
    for key, frame in sorted(validation.dataset.frames.items()):
        h.update(key.encode())
        cols = [c for c in frame.columns if c != "_ok"]
        h.update(pd.util.hash_pandas_object(frame[cols], index=False).to_numpy().tobytes())
    return h.hexdigest()[:16]
