"""The district roll-up: one small summary per school, and the district built from those summaries.

``school_summary`` turns one book's results (handed in by a door, never computed here) into a few
hundred bytes of plain data, so a worker process returns only that and memory stays flat however
many schools there are. ``District`` holds the summaries and the files that could not be read, and
answers the tables every output needs: the JSON contract, the text lines, and the rows of the
district workbook's sheets. A summary is plain data in both directions (``as_dict`` /
``read_report``), so district JSON reports merge into a province's without reading a book again.

Definitions, the same in every output:
- where a subject (teacher or group) stands on a rule is :mod:`.rule_standing`'s, the school archive's
  own: ``met`` (every started period has reached its requirement), ``in_progress`` (a period not yet
  over still has its requirement ahead, not behind pace), ``behind``, ``failed``; a rule's ``rate`` is
  met ÷ judged (met + behind + failed), None while no subject is judged; ``in_progress`` is counted
  apart. (Before, ``met`` counted every subject without an alert, in-progress ones too: that number is
  ``met + in_progress`` now);
- ``teachers_failing`` are teachers whose status is 未达标, ``teachers_behind`` 进度落后 (statuses as
  ``recalc``: error-severity rules only); ``teachers_meeting_all`` have no alert at all;
- a *transfer* is the same 工号 and 姓名 on the rosters of two or more schools' books of one school
  year: listed once, and counted once in the district's distinct teachers.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import math
from dataclasses import asdict, dataclass, field
from statistics import median
from typing import TYPE_CHECKING, Any

from typing_extensions import NotRequired, TypedDict  # pydantic validates these, not typing's, before 3.12

from .. import __version__
from ..contract.findings import Finding, Lang, NotBound
from ..contract.policy import Policy
from ..contract.results import Results
from ..contract.states import State, SubjectType
from ..contract.texts import LANGS, WORDS, BilingualError, Catalogue, joined
from .alert_rows import alert_row_states
from .district_texts import DISTRICT
from .plain_values import text
from .rule_standing import rate_of, rule_counts
from .safe_text import json_text

if TYPE_CHECKING:  # the district roll-up reads finished summaries; pandas is only a type here
    import pandas as pd

ALERT_STATES = (State.FAILED.value, State.BEHIND.value, State.OVER.value)  # the JSON's key order
FAILED, BEHIND = State.FAILED.value, State.BEHIND.value
STANDINGS = ("met", "in_progress", "behind", "failed")  # a RuleRate's counts, in the JSON's order
# A rule "fails in most schools" when under this share of its subjects meet it in more than half the schools.
LOW_RATE = 0.5


class RuleRate(TypedDict):
    """Where a rule's subjects (teachers or groups) stand in one school (:mod:`.rule_standing`):
    ``subjects`` = met + in_progress + behind + failed; ``rate`` = met ÷ (subjects − in_progress)."""

    rule_id: str
    rule_name: str
    subjects: int
    met: int
    in_progress: int
    behind: int
    failed: int
    rate: float | None


class AlertTeacher(TypedDict):
    teacher_id: str
    name: str
    group: str
    rules: str
    detail: str


@dataclass(slots=True)
class SchoolSummary:
    path: str
    school: str
    year: str  # "2025-09-01~2026-08-31": transfers are matched within one school year
    teachers: int
    rows: int
    errors: int
    warnings: int
    alerts: dict[str, int]
    teachers_failing: int
    teachers_behind: int
    teachers_meeting_all: int
    median_credits: float | None
    rules: list[RuleRate]
    policy_changes: list[dict[str, str]]
    finding_codes: dict[str, int]
    alert_teachers: list[AlertTeacher]
    roster: list[list[str]]  # [工号, 姓名] pairs, for transfers
    seconds: float = 0.0
    # 达标预警's rows by state (one per subject, rule and semester, as the school's tab and recalc's head
    # line count them); ``alerts`` counts the engine's alerts, one per period. Empty in a report
    # written before it was kept.
    alert_rows: dict[str, int] = field(default_factory=dict)

    @property
    def failing_share(self) -> float:
        return self.teachers_failing / self.teachers if self.teachers else 0.0

    @property
    def meeting_share(self) -> float | None:
        return self.teachers_meeting_all / self.teachers if self.teachers else None

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["seconds"] = round(self.seconds, 3)
        return out


@dataclass(slots=True)
class Unreadable:
    path: str
    error: str
    # The same line in every language, when the reader gave it in both (a page shows its reader's
    # language); not in the report's JSON, which is one language. Empty: only ``error`` is known.
    lines: dict[str, str] = field(default_factory=dict, compare=False)

    def line(self, lang: str) -> str:
        return self.lines.get(lang) or self.error


SKIP_REASONS = Catalogue("rollup skipped files", {
    "same_file": ("与「{kept}」是同一个文件（链接或另一个名字），只计一次",
                  "the same file as '{kept}' (a link or another name); counted once"),
    "same_content": ("内容与「{kept}」完全相同，只计一次", "the same bytes as '{kept}'; counted once"),
    "bound_beside": ("已绑定为旁边的「{kept}」，按「{kept}」计", "bound as '{kept}' beside it, which is counted instead"),
    "own_output": ("是 cpdsheets rollup 写出的区域汇总工作簿，不是学校", "a district workbook cpdsheets rollup wrote, "
                   "not a school"),
})


@dataclass(slots=True)
class Skipped:
    """A file given to the rollup and left out, with why (a ``SKIP_REASONS`` code) and the file kept."""

    path: str
    why: str
    kept: str = ""

    def message(self, lang: Lang = "zh") -> str:
        return SKIP_REASONS.render(self.why, lang, kept=self.kept)


def school_summary(path: str, results: Results, policy: Policy, findings: list[Finding], rows: int,
                   changes: list[dict[str, str]], seconds: float = 0.0) -> SchoolSummary:
    """Everything the district needs from one book's ``recalc`` results, and nothing row-sized."""
    teachers, progress, alerts = results.teachers, results.progress, results.alerts
    s = policy.settings
    name = s.school_name.strip() if s.school_name else ""
    by_state = alerts["state"].value_counts()
    codes: dict[str, int] = {}
    for f in findings:
        codes[f.code] = codes.get(f.code, 0) + 1
    credits = teachers["credits"].dropna()
    return SchoolSummary(
        path=path,
        school=name or _stem(path),
        year=f"{s.year_start.isoformat() if s.year_start else ''}~{s.year_end.isoformat() if s.year_end else ''}",
        teachers=len(teachers),
        rows=rows,
        errors=sum(1 for f in findings if f.level == "error"),
        warnings=sum(1 for f in findings if f.level == "warning"),
        alerts={state: int(by_state.get(state, 0)) for state in ALERT_STATES},
        teachers_failing=int((teachers["status"] == FAILED).sum()),
        teachers_behind=int((teachers["status"] == BEHIND).sum()),
        teachers_meeting_all=int((teachers["alerts"] == 0).sum()),
        median_credits=round(float(median(credits)), 2) if len(credits) else None,
        rules=_rule_rates(progress, policy),
        policy_changes=list(changes),
        finding_codes=dict(sorted(codes.items(), key=lambda kv: -kv[1])),
        alert_teachers=_alert_teachers(teachers, alerts),
        roster=[[text(t), text(n)] for t, n in zip(teachers["teacher_id"], teachers["name"])],
        seconds=seconds,
        alert_rows={state: n for state, n in alert_row_states(alerts).items()},
    )


def _stem(path: str) -> str:
    name = path.replace("\\", "/").rsplit("/", 1)[-1]
    return name.rsplit(".", 1)[0] if "." in name else name


def _rule_rates(progress: pd.DataFrame, policy: Policy) -> list[RuleRate]:
    by_rule = rule_counts(progress)
    out: list[RuleRate] = []
    for rule in policy.active_rules:
        counts = by_rule.get(rule.rule_id) or dict.fromkeys(STANDINGS, 0)
        subjects = sum(counts.values())
        out.append({"rule_id": rule.rule_id, "rule_name": rule.name, "subjects": subjects, "met": counts["met"],
                    "in_progress": counts["in_progress"], "behind": counts["behind"], "failed": counts["failed"],
                    "rate": rate_of(counts["met"], subjects - counts["in_progress"])})
    return out


def _alert_teachers(teachers: pd.DataFrame, alerts: pd.DataFrame) -> list[AlertTeacher]:
    """Teachers whose status is 未达标, with the rules that made it so and their details
    (R11: the apprentice, R18: the activity type)."""
    failing = teachers[teachers["status"] == FAILED]
    if not len(failing):
        return []
    mine = alerts[(alerts["subject_type"] == SubjectType.TEACHER) & (alerts["severity"] == "error")
                  & alerts["state"].isin([FAILED, State.OVER]) & alerts["subject"].isin(set(failing["teacher_id"]))]
    detail_col = "detail_name" if "detail_name" in mine.columns else "detail"
    rules: dict[str, dict[str, str]] = {}
    details: dict[str, list[str]] = {}
    for a in mine[["subject", "rule_id", "rule_name", detail_col]].itertuples(index=False):
        rules.setdefault(a.subject, {})[a.rule_id] = a.rule_name
        d = getattr(a, detail_col)
        if isinstance(d, str) and d.strip():
            entry = f"{a.rule_id} {d.strip()}"
            seen = details.setdefault(a.subject, [])
            if entry not in seen:
                seen.append(entry)
    return [{"teacher_id": text(t.teacher_id), "name": text(t.name), "group": text(t.group),
             "rules": "；".join(f"{k} {v}" for k, v in sorted(rules.get(t.teacher_id, {}).items())),
             "detail": "；".join(details.get(t.teacher_id, []))}
            for t in failing.itertuples(index=False)]


# -- the district ----------------------------------------------------------------------------------

@dataclass(slots=True)
class District:
    schools: list[SchoolSummary]
    unreadable: list[Unreadable] = field(default_factory=list)
    as_of: dt.date = field(default_factory=dt.date.today)
    seconds: float = 0.0
    jobs: int = 1
    skipped: list[Skipped] = field(default_factory=list)

    def ranked(self) -> list[SchoolSummary]:
        """Worst first: the largest share of teachers 未达标, then the most errors."""
        return sorted(self.schools, key=lambda s: (-s.failing_share, -s.errors, -s.warnings, s.school, s.path))

    def rule_columns(self) -> list[tuple[str, str]]:
        """(rule_id, name) of every rule enabled in some school, R-rules first, in id order."""
        names: dict[str, str] = {}
        for s in self.schools:
            for r in s.rules:
                names.setdefault(r["rule_id"], r["rule_name"])
        return sorted(names.items(), key=lambda kv: (not kv[0].startswith("R"), kv[0]))

    def district_rates(self) -> dict[str, dict[str, Any]]:
        """Per rule over the district: schools enabling it, subjects, met / in_progress / behind / failed,
        rate (met ÷ judged), schools whose own rate is under LOW_RATE (schools with none judged left out)."""
        out: dict[str, dict[str, Any]] = {}
        for rule_id, name in self.rule_columns():
            rows = [r for s in self.schools for r in s.rules if r["rule_id"] == rule_id]
            counts = {k: sum(r[k] for r in rows) for k in STANDINGS}  # type: ignore[literal-required]
            subjects = sum(r["subjects"] for r in rows)
            rated = [rate for r in rows if (rate := r["rate"]) is not None]
            low = sum(1 for rate in rated if rate < LOW_RATE)
            out[rule_id] = {"rule_id": rule_id, "rule_name": name, "schools": len(rows), "subjects": subjects,
                            **counts, "judged": subjects - counts["in_progress"],
                            "rate": rate_of(counts["met"], subjects - counts["in_progress"]),
                            "schools_low": low, "fails_in_most": bool(rated) and low * 2 > len(rated)}
        return out

    def transfers(self) -> list[dict[str, Any]]:
        where: dict[tuple[str, str, str], list[SchoolSummary]] = {}
        for s in self.schools:
            for tid, name in {(t, n) for t, n in s.roster}:
                where.setdefault((s.year, tid, name), []).append(s)
        return [{"teacher_id": tid, "name": name, "year": year,
                 "schools": [{"path": s.path, "school": s.school} for s in found]}
                for (year, tid, name), found in sorted(where.items()) if len(found) > 1]

    def totals(self, transfers: list[dict[str, Any]] | None = None) -> dict[str, Any]:
        transfers = self.transfers() if transfers is None else transfers
        teachers = sum(s.teachers for s in self.schools)
        credits = [s.median_credits for s in self.schools if s.median_credits is not None]
        return {
            "files": len(self.schools) + len(self.unreadable),
            "schools": len(self.schools),
            "unreadable": len(self.unreadable),
            "skipped": len(self.skipped),
            "teachers": teachers,
            "distinct_teachers": teachers - sum(len(t["schools"]) - 1 for t in transfers),
            "rows": sum(s.rows for s in self.schools),
            "errors": sum(s.errors for s in self.schools),
            "warnings": sum(s.warnings for s in self.schools),
            "alerts": {st: sum(s.alerts.get(st, 0) for s in self.schools) for st in ALERT_STATES},
            "alert_rows": {st: sum(s.alert_rows.get(st, 0) for s in self.schools) for st in ALERT_STATES},
            "teachers_failing": sum(s.teachers_failing for s in self.schools),
            "teachers_behind": sum(s.teachers_behind for s in self.schools),
            "teachers_meeting_all": sum(s.teachers_meeting_all for s in self.schools),
            "median_of_school_medians": round(median(credits), 2) if credits else None,
            "schools_with_policy_changes": sum(1 for s in self.schools if s.policy_changes),
            "transfers": len(transfers),
            "rules": list(self.district_rates().values()),
        }

    def as_dict(self) -> dict[str, Any]:
        transfers = self.transfers()
        return {
            "tool": "cpdsheets", "version": __version__, "as_of": self.as_of.isoformat(),
            "schools": [s.as_dict() for s in self.ranked()],
            "unreadable": [{"path": u.path, "error": u.error} for u in self.unreadable],
            "skipped": [{"path": k.path, "why": k.why, "kept": k.kept} for k in self.skipped],
            "transfers": transfers,
            "totals": self.totals(transfers),
        }

    def to_json(self) -> str:
        return json_text(self.as_dict())  # never NaN or Infinity, whatever a merged report held

    def exit_code(self, fail_on: str) -> int:
        """As ``validate``: 2 a file unreadable, 1 findings at or above ``fail_on`` (a transfer is a
        warning), else 0."""
        if self.unreadable:
            return 2
        if any(s.errors for s in self.schools):
            return 1
        if fail_on == "warning" and (any(s.warnings for s in self.schools) or self.transfers()):
            return 1
        return 0

    def to_text(self, lang: Lang = "zh") -> str:
        lines = [DISTRICT.render("text-head", lang, as_of=self.as_of)]
        for s in self.ranked():
            share = "—" if s.meeting_share is None else f"{s.meeting_share:.0%}"
            lines.append(DISTRICT.render(
                "text-school", lang, school=s.school, path=s.path, teachers=s.teachers, failing=s.teachers_failing,
                behind=s.teachers_behind, share=share, errors=s.errors, warnings=s.warnings,
                changes=DISTRICT.render("text-changes", lang, n=len(s.policy_changes)) if s.policy_changes else ""))
            if s.finding_codes.get(NotBound.code):  # counted as a school of no teachers until it is bound
                lines.append(DISTRICT.render("text-not-bound", lang, path=s.path))
        for u in self.unreadable:
            lines.append(DISTRICT.render("text-unreadable", lang, path=u.path, error=u.error))
        for k in self.skipped:
            lines.append(DISTRICT.render("text-skipped", lang, path=k.path, message=k.message(lang)))
        transfers = self.transfers()
        for t in transfers:
            where = joined(lang, (DISTRICT.render("text-school-file", lang, school=x["school"], path=x["path"])
                                  for x in t["schools"]), "list-sep")
            lines.append(DISTRICT.render("text-transfer", lang, teacher_id=t["teacher_id"], name=t["name"],
                                         n=len(t["schools"]), where=where))
        rates = self.district_rates()
        if rates:
            lines.append(DISTRICT.render("text-rules-head", lang))
        for r in rates.values():
            rate = "—" if r["rate"] is None else f"{r['rate']:.0%}"
            lines.append(DISTRICT.render("text-rule", lang, rule_id=r["rule_id"], rule_name=r["rule_name"],
                                         met=r["met"], judged=r["judged"], rate=rate, behind=r["behind"],
                                         failed=r["failed"], in_progress=r["in_progress"]))
        low = [r["rule_id"] for r in rates.values() if r["fails_in_most"]]
        if low:
            lines.append(DISTRICT.render("text-low-rules", lang, rules=joined(lang, low, "list-sep")))
        t = self.totals(transfers)
        lines.append(DISTRICT.render(
            "text-totals", lang, schools=t["schools"], unreadable=t["unreadable"],
            skipped=DISTRICT.render("text-totals-skipped", lang, n=t["skipped"]) if t["skipped"] else "",
            teachers=t["teachers"], transfers=t["transfers"], distinct=t["distinct_teachers"],
            failing=t["teachers_failing"], behind=t["teachers_behind"], errors=t["errors"], warnings=t["warnings"]))
        return "\n".join(lines)


def merge_reports(districts: list[District]) -> District:
    """Districts' reports (each from ``read_report``) as one, a province's: the caller has checked
    that they share one as-of date."""
    schools = [s for d in districts for s in d.schools]
    unreadable = [u for d in districts for u in d.unreadable]
    skipped = [k for d in districts for k in d.skipped]
    return District(schools, unreadable, districts[0].as_of if districts else dt.date.today(), skipped=skipped)


class ReportInvalid(BilingualError):
    """A JSON value that is not a `rollup --format json` report: ``message(lang)`` says where."""


class ReportOutdated(ReportInvalid):
    """A roll-up report written before rules counted 进行中 apart: its ``met`` is today's met + in_progress
    and cannot be split again, so the district must be rolled up anew (said as such, not as "not a report")."""


class _UnreadableEntry(TypedDict):
    path: str
    error: str


class _SkippedEntry(TypedDict):
    path: str
    why: str
    kept: str


class _Report(TypedDict):
    as_of: dt.date
    schools: list[SchoolSummary]
    unreadable: NotRequired[list[_UnreadableEntry]]
    skipped: NotRequired[list[_SkippedEntry]]


# What the person fixing the file needs to hear of pydantic's error types; the rest say "wrong value".
_PROBLEMS = {"missing": "missing", "int_parsing": "whole", "int_type": "whole", "int_from_float": "whole",
             "float_parsing": "number", "float_type": "number", "string_type": "text", "dict_type": "object",
             "list_type": "list", "date_from_datetime_parsing": "date", "date_parsing": "date", "date_type": "date"}


@functools.cache
def _report_adapter() -> Any:
    from pydantic import TypeAdapter  # only a merge needs it

    return TypeAdapter(_Report)


# A report's numbers are counts, shares and credits: a whole number past JSON's exact range (2**53)
# or one that is not finite is not one of ours, and would only overflow or print as NaN downstream.
_LARGEST_WHOLE = 2**53


def _not_a_number(word: str) -> Any:
    raise ReportInvalid(DISTRICT["report-not-a-number"].fill(word=word))


def _whole(text: str) -> int:
    if len(text.lstrip("-")) > 16 or abs(int(text)) > _LARGEST_WHOLE:  # length first: int() of 5000 digits raises
        raise ReportInvalid(DISTRICT["report-out-of-range"].fill(number=_shown_number(text)))
    return int(text)


def _decimal(text: str) -> float:
    value = float(text)
    if not math.isfinite(value) or abs(value) > _LARGEST_WHOLE:
        raise ReportInvalid(DISTRICT["report-out-of-range"].fill(number=_shown_number(text)))
    return value


def _shown_number(text: str) -> str:
    return f"{text[:20]}{'…' if len(text) > 20 else ''}"


def load_report(text: str) -> District:
    """A district's report from its JSON text, parsed strictly: NaN, Infinity, numbers out of range and
    nesting past the parser's depth are a ``ReportInvalid``, as any other break of the contract
    (``read_report``); text that is not JSON at all raises ``json.JSONDecodeError``."""
    try:
        value = json.loads(text, parse_constant=_not_a_number, parse_int=_whole, parse_float=_decimal)
    except RecursionError:  # the C parser's own depth guard: `[[[[…` 200,000 deep
        raise ReportInvalid(DISTRICT["report-too-deep"]) from None
    return read_report(value)


def read_report(value: Any) -> District:
    """One district's JSON report (``json.loads`` of ``rollup --format json``), checked against the
    contract first: a hand-edited or foreign file is a ``ReportInvalid`` saying where, never a
    traceback halfway through the tables."""
    from pydantic import ValidationError

    if not isinstance(value, dict) or "schools" not in value:
        raise ReportInvalid(DISTRICT["report-no-schools"])
    try:
        report = _report_adapter().validate_python(value)
    except ValidationError as exc:
        problems = exc.errors()
        if all(e["type"] == "missing" and e["loc"][-1] in STANDINGS[1:] for e in problems):
            raise ReportOutdated(DISTRICT["report-before-standings"]) from None
        shown = [(_where(e["loc"]), DISTRICT[f"problem-{_PROBLEMS.get(e['type'], 'wrong')}"]) for e in problems[:3]]
        more = len(problems) - len(shown)
        zh, en = (joined(lang, (WORDS.render("labelled", lang, label=where, value=what) for where, what in shown))
                  + (DISTRICT.render("problems-more", lang, n=more) if more else "") for lang in LANGS)
        raise ReportInvalid(zh, en) from None
    unreadable = [Unreadable(u["path"], u["error"]) for u in report.get("unreadable", [])]
    skipped = [Skipped(k["path"], k["why"], k["kept"]) for k in report.get("skipped", []) if k["why"] in SKIP_REASONS]
    return District(report["schools"], unreadable, report["as_of"], skipped=skipped)


def _where(loc: tuple[Any, ...]) -> str:
    """('schools', 0, 'teachers') -> schools[0].teachers"""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out
