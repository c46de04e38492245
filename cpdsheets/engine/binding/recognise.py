"""Propose a Binding for a school's own book: which contract sheet each of its sheets is, in which
shape, and which of its headers is which field.

A sheet is recognised by the headers it holds, not by its name: every row of its first
``HEADER_SCAN_ROWS`` is scored against every contract sheet (the sum of the header matches'
confidences: the contract's own header or alias 1.0, a catalogue synonym 0.9, a header containing one
0.6), a sheet name carrying the catalogue's words adds a bonus, and the best row and sheet win. A row
whose cells carry session dates and a 工号/姓名 column is a sign-in grid, and so is a sheet holding one
session (工号/姓名 and one 签到 column, the date in its title rows or its tab); a sheet whose rows have no
teacher column but whose tab or `教师：王芳` title names one is that teacher's own sheet.

What the proposed Binding states, for whoever reads the book through it: the header row is always
given; every text cell of it has a column line, （不用） where no field fits, so staff see and can
reassign each in 映射; a sign-in grid's header row is its 工号/姓名 row, its session columns have NO
line (every column without one is a session), and each session's date, title and hours stay where the
school typed them, in the header cell or in rows labelled 日期 / 项目 / 学时 (``session_headers``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from ...contract.a1 import column_letters
from ...contract.binding import GRID_DEFAULTS, MAPPING_SHEET_NAMES, Binding, ColumnBinding, Shape, SheetBinding
from ...contract.book import RawBook, RawSheet
from ...contract.proposal import MissingField, Proposal, Session, SheetProposal, SkippedSheet
from ...contract.schema import (
    OUTPUT_TABS, POLICY_SHEET_NAMES, SHEETS, SIGN_IN_SHEET, TEACHERS, TRAINING_CATEGORIES, ColumnSpec,
)
from ...contract.synonyms import GRID_SHEET_WORDS, PERSON_WORDS, SHEET_WORDS, contract_words, field_words
from ..normalize import (
    ATTENDANCE_WORDS, Parsed, blank_mask, header_key, normalize_choice, normalize_dates, normalize_location,
    normalize_numbers, normalize_teacher_ids,
)
from ..sheet_frame import HEADER_SCAN_ROWS, fill_merged
from .session_headers import SessionHeader, find_sessions, stacked_rows, title_session

EXACT, SYNONYM, CONTAINS = 1.0, 0.9, 0.6
NAME_BONUS = 1.0  # a sheet name carrying the target's word: worth one more matched column
MIN_SCORE = 1.5  # two synonyms, or one and the name: below that a sheet is not recognised
_LONG_HEADER = 20  # a longer cell is a title or a note: it only matches exactly
_PERSON = "@person"  # a name column on a sheet without a `name` field (reading, outputs, exemptions)
_SAMPLE_ROWS = 50  # data rows looked at to rank candidate columns for a missing field
_TITLE = re.compile(r"^\s*(?:教师|老师|姓名|教师姓名)\s*[:：]\s*(?P<name>[^\s:：,，;；]+)")

OWN_SHEETS = {header_key(n) for pair in OUTPUT_TABS.values() for n in pair} | {
    header_key(n) for n in (*POLICY_SHEET_NAMES, *MAPPING_SHEET_NAMES, "控制台", "Console", "说明", "Guide")}


@dataclass(slots=True)
class _Match:
    """The best reading of one sheet: its target, header row and each header's field."""

    target: str
    row: int  # 0-based header row
    fields: dict[int, tuple[str, float]]  # column -> (field or _PERSON, confidence)
    headers: dict[int, str]  # column -> header as typed (every non-blank text cell of the row)
    score: float
    named: bool  # the sheet's name carries the target's word
    shape: Shape = "rows"
    teacher: str = ""
    sessions: list[SessionHeader] = field(default_factory=list)
    defaults: dict[str, str] = field(default_factory=dict)


def propose(book: RawBook) -> Proposal:
    matches: list[tuple[RawSheet, _Match]] = []
    skipped: list[SkippedSheet] = []
    for name, sheet in book.sheets.items():
        if _is_own(sheet):
            skipped.append(SkippedSheet(sheet=name, reason="own"))
        elif not any(_filled(v) for row in sheet.rows for v in row):
            skipped.append(SkippedSheet(sheet=name, reason="empty"))
        else:
            match = _grid(sheet) or _best_rows(sheet)
            if match is None:
                skipped.append(SkippedSheet(sheet=name, reason="unrecognised"))
            else:
                matches.append((sheet, match))
    roster = _roster_names(matches)
    bindings, details = [], []
    for sheet, match in matches:
        _resolve_person(match)
        _per_teacher(sheet, match, roster)
        bindings.append(_sheet_binding(sheet, match))
        details.append(_details(sheet, match))
    return Proposal(binding=Binding(sheets=tuple(bindings)), sheets=tuple(details), skipped=tuple(skipped))


# -- which sheet, which row ----------------------------------------------------------------------

def _is_own(sheet: RawSheet) -> bool:
    return header_key(sheet.name) in OWN_SHEETS or sheet.name.lower().startswith("cpdsheets.")


def _filled(v: Any) -> bool:
    return v is not None and not (isinstance(v, str) and not v.strip())


def _text(v: Any) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def _named(sheet_name: str, target: str) -> bool:
    key = header_key(sheet_name)
    return any(header_key(w) in key for w in SHEET_WORDS[target])


def _best_rows(sheet: RawSheet) -> _Match | None:
    best: _Match | None = None
    for r, row in enumerate(sheet.rows[:HEADER_SCAN_ROWS]):
        headers = _headers(row)
        if not headers:
            continue
        for target in SHEETS:
            fields = _assign(headers, target)
            named = _named(sheet.name, target)
            score = sum(conf for _, conf in fields.values()) + (NAME_BONUS if named else 0.0)
            if not (named or _plausible(target, fields)):
                continue
            if best is None or score > best.score + 1e-9:
                best = _Match(target, r, fields, headers, score, named)
    return best if best is not None and best.score >= MIN_SCORE else None


def _plausible(target: str, fields: dict[int, tuple[str, float]]) -> bool:
    """Headers alone make a sheet ``target`` when they hold half its required fields (a name column
    counting as the teacher), and for the roster its 工号: `日期 | 内容 | 负责人` is no training log."""
    mapped = {"teacher_id" if f in ("name", _PERSON) and target != TEACHERS.key else f for f, _ in fields.values()}
    required = [c.key for c in SHEETS[target].required]
    if target == TEACHERS.key and "teacher_id" not in mapped:
        return False
    return len(fields) >= 2 and sum(f in mapped for f in required) >= len(required) / 2


def _headers(row: list[Any]) -> dict[int, str]:
    """Column -> header text, for the text cells of a row (a `教师：王芳` title is not a header)."""
    return {c: v.strip() for c, v in enumerate(row)
            if isinstance(v, str) and v.strip() and not _TITLE.match(v)}


@dataclass(frozen=True, slots=True)
class _Word:
    field: str
    key: str
    confidence: float


def _words(target: str) -> list[_Word]:
    """Every header word of ``target``, with the field it names and how surely (the contract's own: 1.0)."""
    words: list[_Word] = []
    for col in SHEETS[target].columns:
        own = {header_key(w) for w in contract_words(target, col.key)}
        for w in field_words(target, col.key):
            words.append(_Word(col.key, header_key(w), EXACT if header_key(w) in own else SYNONYM))
    has_name = any(c.key == "name" for c in SHEETS[target].columns)
    for w in PERSON_WORDS.get(target, ()):
        words.append(_Word("name" if has_name else _PERSON, header_key(w), SYNONYM))
    return words


_WORDS = {t: _words(t) for t in SHEETS}


def _candidates(header: str, target: str) -> list[tuple[str, float]]:
    """(field, confidence) a header may name: exact words first, then the longest word it contains."""
    key = header_key(header)
    exact: dict[str, float] = {}
    for w in _WORDS[target]:
        if w.key == key:
            exact[w.field] = max(exact.get(w.field, 0.0), w.confidence)
    if exact:
        return sorted(exact.items(), key=lambda kv: -kv[1])
    if len(key) > _LONG_HEADER:
        return []
    contained = [w for w in _WORDS[target] if len(w.key) >= 2 and w.key in key]
    if not contained:
        return []
    longest = max(len(w.key) for w in contained)
    return list(dict.fromkeys((w.field, CONTAINS) for w in contained if len(w.key) == longest))


def _assign(headers: dict[int, str], target: str) -> dict[int, tuple[str, float]]:
    """Each field to at most one column: the strongest match first, then the leftmost."""
    options = [(conf, c, f) for c, h in headers.items() for f, conf in _candidates(h, target)]
    options.sort(key=lambda o: (-o[0], o[1]))
    taken: dict[int, tuple[str, float]] = {}
    used: set[str] = set()
    for conf, c, f in options:
        if c in taken or f in used:
            continue
        taken[c] = (f, conf)
        used.add(f)
    return dict(sorted(taken.items()))


# -- sign-in grids --------------------------------------------------------------------------------

def _grid(sheet: RawSheet) -> _Match | None:
    """A sign-in grid: a 工号/姓名 header and session columns whose headers carry dates (a date merged
    over two columns is two sessions on that day)."""
    rows = fill_merged(RawSheet(sheet.name, sheet.rows[:HEADER_SCAN_ROWS], sheet.merged))
    teacher_row = next((r for r, row in enumerate(rows) if any(
        f in ("teacher_id", "name") and conf >= SYNONYM for f, conf in _assign(_headers(row), SIGN_IN_SHEET.key).values())),
        None)
    if teacher_row is None:
        return None
    single = _one_session(sheet, rows, teacher_row)  # before dates: a merged title repeats its date
    if single is not None:
        return single
    found = find_sessions(rows, teacher_row)
    if found is None:
        return None
    _, sessions = found
    session_cols = {s.column for s in sessions}
    headers = {c: h for c, h in _headers(rows[teacher_row]).items() if c not in session_cols}
    fields = {c: fc for c, fc in _assign(headers, SIGN_IN_SHEET.key).items() if fc[0] in ("teacher_id", "name")}
    first_session = min(session_cols)
    if not fields or min(fields) > first_session:
        return None
    data_from = max([teacher_row, *stacked_rows(rows, first_session)]) + 1
    if not _marks_fit(sheet.rows[data_from:], session_cols) and not _named_grid(sheet.name):
        return None
    defaults = dict(GRID_DEFAULTS)
    title = " ".join(str(v) for row in rows[:teacher_row + 1] for v in row if isinstance(v, str))
    category = next((c for c in TRAINING_CATEGORIES if c in sheet.name or c in title), None)
    if category:
        defaults["category"] = category
    score = len(fields) + len(sessions)
    return _Match(SIGN_IN_SHEET.key, teacher_row, fields, headers, score, _named(sheet.name, SIGN_IN_SHEET.key), shape="grid",
                  sessions=sessions, defaults=defaults)


def _one_session(sheet: RawSheet, rows: list[list[Any]], teacher_row: int) -> _Match | None:
    """A sheet recording ONE session (a 签到表 per training): a 工号/姓名 column, one attendance column
    (签到, 签名, 出勤), no date, title or hours column, and the session's date in the title rows above
    the header (or, with no date there, a name saying it is a 签到表: reading it then says what is
    missing). The attendance column's line in 映射 is what makes the reader take it as one session."""
    headers = _headers(rows[teacher_row])
    fields = _assign(headers, SIGN_IN_SHEET.key)
    kinds = {f for f, conf in fields.values() if f != "attendance" or conf >= SYNONYM}
    if "attendance" not in kinds or kinds & {"date", "title", "hours"}:
        return None
    session = title_session(rows, teacher_row, sheet.name)
    if session is None or not (session.date or _named_grid(sheet.name)):
        return None
    who = [c for c, (f, _) in fields.items() if f in ("teacher_id", "name")]
    mark_col = next(c for c, (f, _) in fields.items() if f == "attendance")
    if not _marks_fit(sheet.rows[teacher_row + 1:], {mark_col}, signatures=who):
        return None
    fields = {c: fc for c, fc in fields.items() if fc[0] in ("teacher_id", "name", "attendance")}
    defaults = dict(GRID_DEFAULTS)
    category = next((c for c in TRAINING_CATEGORIES if c in sheet.name or c in session.title), None)
    if category:
        defaults["category"] = category
    sessions = [SessionHeader(mark_col, session.date, session.title, session.hours)]
    return _Match(SIGN_IN_SHEET.key, teacher_row, fields, headers, len(fields) + 1.0, _named(sheet.name, SIGN_IN_SHEET.key),
                  shape="grid", sessions=sessions, defaults=defaults)


def _named_grid(name: str) -> bool:
    key = header_key(name)
    return any(w in key for w in GRID_SHEET_WORDS)


def _marks_fit(rows: list[list[Any]], cols: set[int], signatures: list[int] | None = None) -> bool:
    """Most filled session cells hold attendance marks (√ 到 假 缺), and at least one does; with
    ``signatures`` (the 工号/姓名 columns), a cell repeating the row's name is a mark too (it is signed)."""
    cells = [(_text(row[c]).lower(), {_text(row[w]) for w in signatures or () if w < len(row)})
             for row in rows for c in cols if c < len(row) and _filled(row[c])]
    marks = sum(1 for v, names in cells if v in ATTENDANCE_WORDS or v in names)
    return marks > 0 and marks >= 0.6 * len(cells)


# -- whose rows -----------------------------------------------------------------------------------

def _roster_names(matches: list[tuple[RawSheet, _Match]]) -> set[str]:
    names: set[str] = set()
    for sheet, m in matches:
        if m.target != TEACHERS.key:
            continue
        col = next((c for c, (f, _) in m.fields.items() if f == "name"), None)
        if col is not None:
            names |= {_text(row[col]) for row in sheet.rows[m.row + 1:]
                      if col < len(row) and _filled(row[col])}
    return names


def _resolve_person(m: _Match) -> None:
    """A name column is the teacher where the sheet has no 工号 column (names matched to the roster
    when read), and the `name` field (or nothing) where it has one."""
    if m.target not in PERSON_WORDS:
        return
    person = next((c for c, (f, _) in m.fields.items() if f in ("name", _PERSON)), None)
    has_id = any(f == "teacher_id" for f, _ in m.fields.values())
    if person is None:
        return
    if not has_id:  # names stand for the teacher: as sure as a synonym at most, the roster decides who
        m.fields[person] = ("teacher_id", min(m.fields[person][1], SYNONYM))
    elif m.fields[person][0] == _PERSON:
        del m.fields[person]


def _per_teacher(sheet: RawSheet, m: _Match, roster: set[str]) -> None:
    """No teacher column, but the tab or a `教师：王芳` title above the header names one."""
    if m.shape != "rows" or m.target == TEACHERS.key or "teacher_id" not in {c.key for c in SHEETS[m.target].columns}:
        return
    if any(f == "teacher_id" for f, _ in m.fields.values()):
        return
    for row in sheet.rows[:m.row]:
        for v in row:
            found = _TITLE.match(v) if isinstance(v, str) else None
            if found:
                m.shape, m.teacher = "per_teacher", found["name"]
                return
    tab = sheet.name.strip()
    named = tab if tab in roster else next((n for n in sorted(roster, key=len, reverse=True)
                                            if len(n) >= 2 and n in tab), None)
    if named:
        m.shape, m.teacher = "per_teacher", named


# -- the proposal --------------------------------------------------------------------------------

def _covered(m: _Match) -> set[str]:
    """Fields the shape itself provides: the teacher of a per-teacher sheet, a grid's sessions."""
    if m.shape == "per_teacher":
        return {"teacher_id"}
    if m.shape == "grid":
        given = {"date", "title", "attendance", *m.defaults}
        if all(s.hours for s in m.sessions):
            given.add("hours")
        return given
    return set()


def _sheet_binding(sheet: RawSheet, m: _Match) -> SheetBinding:
    columns = [ColumnBinding(header=h, field=m.fields[c][0] if c in m.fields else "",
                             confidence=round(m.fields[c][1], 2) if c in m.fields else 0.0)
               for c, h in m.headers.items()]
    columns += [ColumnBinding(header="", field=f, default=v) for f, v in m.defaults.items()]
    return SheetBinding(sheet=sheet.name, target=m.target, shape=m.shape, header_row=m.row + 1, teacher=m.teacher,
                        columns=tuple(columns), confidence=_confidence(m))


def _confidence(m: _Match) -> float:
    """The mean confidence of the required fields (0 for one nothing maps to), a little more for a
    sheet whose name agrees."""
    mapped = {f: conf for f, conf in m.fields.values()}
    covered = _covered(m)
    required = [c.key for c in SHEETS[m.target].required if c.key not in covered]
    base = sum(mapped.get(f, 0.0) for f in required) / len(required) if required else 1.0
    return round(min(1.0, base * 0.9 + (0.1 if m.named else 0.0)), 2)


def _details(sheet: RawSheet, m: _Match) -> SheetProposal:
    mapped = {f for f, _ in m.fields.values()}
    unmapped = [h for c, h in m.headers.items() if c not in m.fields]
    covered = _covered(m)
    missing = [MissingField(field=c.key, candidates=_candidates_for(sheet, m, c))
               for c in SHEETS[m.target].required if c.key not in mapped and c.key not in covered]
    sessions = [Session(column=column_letters(s.column), date=s.date, title=s.title, hours=s.hours)
                for s in m.sessions]
    return SheetProposal(sheet=sheet.name, unmapped=tuple(unmapped), missing=tuple(missing), sessions=tuple(sessions))


def _candidates_for(sheet: RawSheet, m: _Match, spec: ColumnSpec) -> tuple[str, ...]:
    """Unmapped columns whose cells could hold ``spec``, the best fitting first: for a typed field
    those where most filled cells read as that type, for a text field every unmapped column."""
    ranked: list[tuple[float, int, str]] = []
    for c, header in m.headers.items():
        if c in m.fields:
            continue
        cells = pd.Series([row[c] if c < len(row) else None for row in sheet.rows[m.row + 1:m.row + 1 + _SAMPLE_ROWS]],
                          dtype="object")
        filled = ~blank_mask(cells)
        fit = _fit(cells[filled], spec) if filled.any() else 0.5
        if fit >= 0.5:
            ranked.append((-fit, c, header))
    return tuple(h for _, _, h in sorted(ranked))


def _fit(cells: pd.Series, spec: ColumnSpec) -> float:
    """The share of ``cells`` that read as ``spec``'s kind (1.0 for free text)."""
    parsed: Parsed | None = None
    if spec.kind == "date":
        parsed = normalize_dates(cells, month_is_enough=spec.month_is_enough)
    elif spec.kind == "number":
        parsed = normalize_numbers(cells, words=spec.number_words)
    elif spec.kind == "location":
        parsed = normalize_location(cells)
    elif spec.kind == "choice":
        parsed = normalize_choice(cells, spec.choices)
    elif spec.kind == "teacher_id":
        parsed = normalize_teacher_ids(cells)
        return max(1.0 - float(parsed.bad.mean()), 0.5)  # names are matched to the roster: any text may do
    if parsed is None:
        return 1.0
    return 1.0 - float(parsed.bad.mean())
