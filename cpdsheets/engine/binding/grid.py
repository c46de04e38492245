"""A sign-in grid (签到表, shape ``grid``) read as training rows.

Rows are teachers (the 工号 and/or 姓名 column 映射 names); every other column whose header carries a
date is one session. The header is one cell (`2024.9.10 新课标解读 2学时`) or several stacked rows,
labelled or not (日期 / 项目 / 学时), merged cells included. Each (teacher, session) is one record:
date, title and hours from the header (else 映射's defaults), category and level from 映射 (else
``GRID_DEFAULTS``), attendance from the cell (blank: absent).

A sheet per session (`9.10新课标培训签到`) is the same with one session: 映射 maps its 签到 column to
考勤, and the session's date, title and hours come from the title rows above the header (else the tab's
name, then 映射's defaults); a teacher's own name typed in the 签到 cell is a signature: present.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

import numpy as np

from ...contract.binding import GRID_DEFAULTS, SheetBinding
from ...contract.book import RawSheet
from ...contract.findings import GridSessionUnreadable, bilingual
from ...contract.schema import SHEETS
from ..normalize import ATTENDANCE_WORDS, header_key, to_halfwidth
from ..sheet_frame import fill_merged
from .session_headers import FULL_DATE, HOURS, title_session  # one reading of a session for bind and the jobs
from .piece import (
    Piece, a1, column_of, empty_piece, find_header_row, header_not_found, is_blank, missing_header, pad,
    unbound_findings,
)

_DATE_WORDS = {"日期", "时间", "培训日期", "培训时间", "date"}
_TITLE_WORDS = {"项目", "内容", "主题", "项目名称", "培训内容", "培训项目", "培训主题", "title"}
_HOURS_WORDS = {"学时", "课时", "时长", "小时", "学时数", "hours"}
_NOT_TEACHERS = {"合计", "总计", "小计", "备注", "说明", "签到人数", "出勤人数", "应到", "实到"}
_SHORT = re.compile(r"(?<![\d.])(?P<m>\d{1,2})\s*(?:月\s*(?P<d>\d{1,2})\s*[日号]?|[./]\s*(?P<d2>\d{1,2})(?![\d.]))")
_TRIM = " \t\n-—_/|，,：:;；()（）[]【】·"


@dataclass(slots=True)
class _Session:
    col: int
    label: str  # the header as a person reads it, for findings
    date: Any
    date_at: tuple[int, int]  # 1-based row, 0-based column of the cell that says so
    title: str
    title_at: tuple[int, int]
    hours: Any
    hours_at: tuple[int, int]
    from_mapping: frozenset[str] = frozenset()  # of title, hours: those that are 映射's defaults


def grid_piece(sheet: RawSheet, sb: SheetBinding) -> Piece:
    rows = fill_merged(sheet)
    mapped = sb.mapped
    who = [h for h in (mapped.get("teacher_id"), mapped.get("name")) if h]
    named = [c.header for c in sb.columns if c.header]
    h = find_header_row(rows, who or named, sb.header_row)
    if h is None or not who:
        piece = empty_piece(sheet.name, sb.target, (h or 0) + 1 if h is not None else 0)
        if h is None:
            piece.findings.append(header_not_found(sheet.name, named))
        else:
            piece.unbound = {"teacher_id"}
            piece.findings += unbound_findings(piece, rows[h], set())
        return piece
    width = max(map(len, rows), default=0)
    rows = pad(rows, width)
    header = rows[h]
    id_col = column_of(header, mapped["teacher_id"]) if "teacher_id" in mapped else None
    name_col = column_of(header, mapped["name"]) if "name" in mapped else None
    who_cols = [c for c in (id_col, name_col) if c is not None]
    if not who_cols:
        piece = empty_piece(sheet.name, sb.target, h + 1)
        piece.findings += [missing_header(sheet.name, h + 1, x, header) for x in who]
        return piece
    mapped_cols = {c for c in (column_of(header, x) for x in named) if c is not None}

    first = _first_data_row(rows, h, who_cols)
    defaults = sb.defaults()
    mark_col = column_of(header, mapped["attendance"]) if "attendance" in mapped else None
    if mark_col is not None:  # one session per sheet: its date, title and hours in the title rows
        found = _one_session(sheet, rows, h, mark_col, defaults)
        if isinstance(found, list):
            piece = empty_piece(sheet.name, sb.target, h + 1)
            piece.findings += found
            return piece
        sessions = [found]
    else:
        band = _band(rows, h, first)
        top_left = _merge_top_left(sheet, band[0] if band else h, first)
        sessions = [x for c in range(width) if c not in mapped_cols
                    if (x := _session(rows, band, c, defaults, sheet.name, top_left)) is not None]

    teacher_rows = [r for r in range(first, len(rows)) if _is_teacher_row(rows[r], who_cols)]
    t, s = len(teacher_rows), len(sessions)
    if not s or not t:
        piece = empty_piece(sheet.name, sb.target, h + 1)
        piece.findings += _unreadable(sessions, sheet.name)
        return piece
    trow = np.asarray(teacher_rows, np.int64)
    scol = np.asarray([x.col for x in sessions], np.int64)
    rows_of = np.repeat(trow + 1, s)
    cols_of = np.tile(scol, t)
    piece = Piece(sheet.name, sb.target, h + 1, rows_of, cols_of)
    marks = [rows[r][c] for r in teacher_rows for c in scol.tolist()]
    if mark_col is not None:
        marks = [_signed(m, [rows[r][c] for c in who_cols]) for m, r in zip(marks, teacher_rows)]
    attendance = np.where(is_blank(marks), "缺勤", np.asarray(marks, dtype=object)).tolist()
    labels = np.tile(np.asarray([x.label for x in sessions], dtype=object), t)
    piece.put("attendance", attendance, rows_of, cols_of, labels if mark_col is None else _text(header[mark_col]))
    for key, col in (("teacher_id", id_col if id_col is not None else name_col), ("name", name_col)):
        if col is not None:
            values = [rows[r][col] for r in teacher_rows]
            piece.put(key, np.repeat(np.asarray(values, dtype=object), s).tolist(), rows_of,
                      np.full(t * s, col, np.int64), str(header[col]).strip())
    for key in ("date", "title", "hours"):
        at = np.asarray([getattr(x, key + "_at") for x in sessions], np.int64)
        piece.put(key, np.tile(np.asarray([getattr(x, key) for x in sessions], dtype=object), t).tolist(),
                  np.tile(at[:, 0], t), np.tile(at[:, 1], t), labels,
                  np.tile(np.asarray([key in x.from_mapping for x in sessions], bool), t))
    spec_keys = {c.key for c in SHEETS[sb.target].columns}
    for key, value in {**GRID_DEFAULTS, **defaults}.items():
        if key not in piece.values and key in spec_keys:
            piece.put_default(key, value)
    piece.findings += _unreadable(sessions, sheet.name)
    return piece


def _one_session(sheet: RawSheet, rows: list[list[Any]], h: int, mark_col: int,
                 defaults: dict[str, str]) -> _Session | list:
    """The session a one-session sheet's title rows state, or the finding saying what they lack (at
    the title cell: a sheet with no title rows, at its header's first cell)."""
    found = title_session(rows, h, sheet.name)
    title_at = (found.title_at[0] + 1, found.title_at[1]) if found else (h + 1, 0)
    label = _text(rows[title_at[0] - 1][title_at[1]]) or sheet.name
    if found is None or not found.date:
        why = bilingual("表头上方的标题行中没有日期（如「2024年9月10日 新课标解读培训签到表」或「时间：2024.9.10」）",
                        "has no date in the title rows above its header (e.g. '时间：2024.9.10')")
        return [GridSessionUnreadable.at(sheet.name, row=title_at[0], cell=a1(*title_at), column=label, value=label,
                                         reason=why)]

    def at(cell: tuple[int, int] | None) -> tuple[int, int]:
        return (cell[0] + 1, cell[1]) if cell else title_at

    hours: Any = found.hours or defaults.get("hours") or None
    title = found.title or defaults.get("title") or sheet.name
    from_mapping = _from_mapping(hours=not found.hours and bool(defaults.get("hours")),
                                 title=not found.title and bool(defaults.get("title")))
    return _Session(mark_col, label, found.date, at(found.date_at), title, at(found.named_at), hours,
                    at(found.hours_at), from_mapping)


def _from_mapping(**taken: bool) -> frozenset[str]:
    return frozenset(key for key, took in taken.items() if took)


def _signed(mark: Any, names: list[Any]) -> Any:
    """A signature (the teacher's name typed in the 签到 cell) is present; anything else as typed."""
    text = _text(mark).replace(" ", "")
    if text and text.lower() not in ATTENDANCE_WORDS and text in {_text(n).replace(" ", "") for n in names}:
        return "出勤"
    return mark


def _first_data_row(rows: list[list[Any]], h: int, who_cols: list[int]) -> int:
    """The first row below the header whose teacher cell holds a teacher (not the header itself, as a
    merged 工号 cell repeats it down the stacked header rows, nor a label)."""
    words = {header_key(rows[h][c]) for c in who_cols} | {header_key(w) for w in _DATE_WORDS | _TITLE_WORDS | _HOURS_WORDS}
    for r in range(h + 1, len(rows)):
        cells = [rows[r][c] for c in who_cols]
        if any(not is_blank([v])[0] and header_key(v) not in words for v in cells):
            return r
    return len(rows)


def _band(rows: list[list[Any]], h: int, first: int) -> list[int]:
    """The header rows: from the teacher header row's block of header rows above it (title rows, one
    merged value across the sheet, excluded) down to the first teacher."""
    top = h
    while top > 0 and len({_text(v) for v in rows[top - 1] if _text(v)}) > 1:
        top -= 1
    return list(range(top, first))


def _merge_top_left(sheet: RawSheet, r0: int, r1: int) -> dict[tuple[int, int], tuple[int, int]]:
    """(row, col) -> the top-left cell of its merged range, for the header rows: a finding sits where
    the text is."""
    out = {}
    for (a, b), (c, d) in sheet.merged:
        if c < r0 or a >= r1:
            continue
        for r in range(max(a, r0), min(c, r1 - 1) + 1):
            for col in range(b, d + 1):
                out[(r, col)] = (a, b)
    return out


def _session(rows: list[list[Any]], band: list[int], c: int, defaults: dict[str, str], sheet: str,
             top_left: dict[tuple[int, int], tuple[int, int]]) -> _Session | None:
    labelled: dict[str, tuple[Any, int]] = {}
    loose: list[tuple[str, int]] = []
    for r in band:
        v = rows[r][c]
        if _text(v) == "":
            continue
        kind = _row_kind(rows[r], c)
        if kind and kind not in labelled:
            labelled[kind] = (v, r)
        elif not loose or loose[-1][0] != _text(v):
            loose.append((_text(v), r))

    def at(r: int) -> tuple[int, int]:
        rr, cc = top_left.get((r, c), (r, c))
        return rr + 1, cc

    date, date_r = _date(labelled.get("date"), loose)
    if date is None:
        return None
    label = " ".join(_text(rows[r][c]) for r in band if _text(rows[r][c]))
    label = " ".join(dict.fromkeys(label.split()))
    hours, hours_r = _hours(labelled.get("hours"), loose)
    default_hours = hours is None and bool(defaults.get("hours"))
    if default_hours:
        hours, hours_r = defaults["hours"], date_r
    title, title_r = _title(labelled.get("title"), loose)
    default_title = not title and bool(defaults.get("title"))
    if not title:
        title, title_r = defaults.get("title") or sheet, date_r
    return _Session(c, label, date, at(date_r), title, at(title_r), hours, at(hours_r if hours is not None else date_r),
                    _from_mapping(hours=default_hours, title=default_title))


def _row_kind(row: list[Any], c: int) -> str | None:
    """What a header row holds, from a label cell left of the session (`日期`, `项目`, `学时`)."""
    for v in row[:c]:
        key = header_key(v) if isinstance(v, str) else ""
        if key in _DATE_WORDS:
            return "date"
        if key in _TITLE_WORDS:
            return "title"
        if key in _HOURS_WORDS:
            return "hours"
    return None


def _date(labelled: tuple[Any, int] | None, loose: list[tuple[str, int]]) -> tuple[Any, int]:
    if labelled is not None:
        v, r = labelled
        if isinstance(v, (dt.date, dt.datetime, int, float)) and not isinstance(v, bool):
            return v, r
        found = _date_in(str(v))
        return (found if found else v), r
    for text, r in loose:
        found = _date_in(text)
        if found:
            return found, r
    return None, -1


def _date_in(text: str) -> str | None:
    """The date a header text carries, as the engine reads it: `2024-09-10`, or `9月10日` (its year
    is the school year's)."""
    text = HOURS.sub(" ", to_halfwidth(text))  # `1.5学时` is no date
    m = FULL_DATE.search(text)
    if m:
        return f"{m['y']}-{int(m['m']):02d}-{int(m['d']):02d}"
    m = _SHORT.search(text)
    if m and 1 <= int(m["m"]) <= 12:
        return f"{int(m['m'])}月{int(m['d'] or m['d2'])}日"
    return None


def _hours(labelled: tuple[Any, int] | None, loose: list[tuple[str, int]]) -> tuple[Any, int]:
    if labelled is not None:
        return labelled
    for text, r in loose:
        m = HOURS.search(to_halfwidth(text))
        if m:
            return m["h"] or m["h2"], r
    return None, -1


def _title(labelled: tuple[Any, int] | None, loose: list[tuple[str, int]]) -> tuple[str, int]:
    if labelled is not None:
        return _text(labelled[0]), labelled[1]
    for text, r in loose:
        rest = _SHORT.sub(" ", FULL_DATE.sub(" ", HOURS.sub(" ", to_halfwidth(text))))
        rest = " ".join(rest.split()).strip(_TRIM)
        if rest:
            return rest, r
    return "", -1


def _is_teacher_row(row: list[Any], who_cols: list[int]) -> bool:
    """A teacher's row, not a total (`合计`) nor a note below the grid (`说明：√ 表示出勤`)."""
    cells = [_text(row[c]) for c in who_cols]
    return any(cells) and not any(header_key(v) in _NOT_TEACHERS or ":" in v or "：" in v for v in cells if v)


def _unreadable(sessions: list[_Session], sheet: str) -> list:
    return [GridSessionUnreadable.at(sheet, row=s.hours_at[0], cell=a1(*s.hours_at), column=s.label, value=s.label,
                                     reason=bilingual("没有学时（表头中没有「2学时」，也没有学时行或默认值）",
                                                      "has no hours (no '2学时' in the header, no 学时 row, no default)"))
            for s in sessions if s.hours is None]


def _text(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, (dt.datetime, dt.date)):
        return v.isoformat()[:10]
    return str(v).strip()
