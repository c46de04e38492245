"""A sign-in grid's header, read: which columns are sessions, and each one's date, title and hours.

Two layouts are common. Inline: one header cell per session, `2024.9.10 新课标解读 2学时`. Stacked:
rows labelled 日期 / 项目 / 学时 at their left, each session's cells below one another. Both may sit
above or beside the row holding 工号 and 姓名.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from ...contract.synonyms import GRID_ROW_LABELS
from ..normalize import header_key, to_halfwidth

# A full date anywhere in the cell (`第1次（2024.9.10）`); a month and day only at its start.
FULL_DATE = re.compile(r"(?<!\d)(?P<y>\d{4})\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*[日号]?")
_MONTH_DAY = re.compile(r"^(?P<m>\d{1,2})\s*(?:月\s*(?P<d>\d{1,2})\s*[日号]?|[./]\s*(?P<d2>\d{1,2})(?![\d.]))")
HOURS = re.compile(r"(?P<h>\d+(?:\.\d+)?)\s*(?:个)?(?:学时|课时|小时|h\b)|(?:学时|课时)\s*[:：]?\s*(?P<h2>\d+(?:\.\d+)?)",
                    re.IGNORECASE)
_EMPTY_BRACKETS = re.compile(r"[(（\[【]\s*[)）\]】]")
_LABEL_KEYS = {header_key(w): part for part, words in GRID_ROW_LABELS.items() for w in words}


@dataclass(slots=True)
class SessionHeader:
    column: int  # 0-based
    date: str = ""  # ISO with a year; `9月10日` as typed without one
    title: str = ""
    hours: str = ""


def session_date(value: Any) -> tuple[str, str] | None:
    """(the date, the rest of the text) when ``value`` starts with a date, else None."""
    if isinstance(value, dt.datetime | dt.date):
        return value.strftime("%Y-%m-%d") if 1900 <= value.year <= 2199 else "", ""
    if not isinstance(value, str):
        return None
    text = to_halfwidth(value).strip()
    m = FULL_DATE.search(text)
    if m:
        try:
            when = dt.date(int(m["y"]), int(m["m"]), int(m["d"]))
        except ValueError:
            return None
        return when.isoformat(), text[:m.start()] + " " + text[m.end():]
    m = _MONTH_DAY.match(text)
    if m:
        month, day = int(m["m"]), int(m["d"] or m["d2"])
        if 1 <= month <= 12 and 1 <= day <= 31:
            return f"{month}月{day}日", text[m.end():]
    return None


def split_title(rest: str) -> tuple[str, str]:
    """`新课标解读 2学时` -> (`新课标解读`, `2`)."""
    m = HOURS.search(rest)
    hours = (m["h"] or m["h2"]) if m else ""
    title = (rest[:m.start()] + rest[m.end():]) if m else rest
    title = _EMPTY_BRACKETS.sub(" ", title)  # what held the date or the hours
    return " ".join(title.split()).strip(" ,，;；、/()（）:：-"), hours


def row_label(row: list[Any], before: int) -> str | None:
    """`date`, `title` or `hours` when a cell left of column ``before`` labels this row as one."""
    for v in row[:before]:
        if isinstance(v, str) and header_key(v) in _LABEL_KEYS:
            return _LABEL_KEYS[header_key(v)]
    return None


def find_sessions(rows: list[list[Any]], last: int) -> tuple[int, list[SessionHeader]] | None:
    """The row holding the sessions' dates (0-based, at most ``last``: data rows below the header
    hold dates too) and the sessions, or None when no row carries two dates (or one under a 日期 label).
    Their titles and hours come from the same cells or from labelled rows anywhere in ``rows``."""
    for r, row in enumerate(rows[:last + 1]):
        dated = {c: session_date(v) for c, v in enumerate(row)}
        cols = [c for c, d in dated.items() if d is not None]
        if not cols or (len(cols) < 2 and row_label(row, cols[0]) != "date"):
            continue
        sessions = []
        for c in cols:
            date, rest = dated[c] or ("", "")
            title, hours = split_title(rest)
            sessions.append(SessionHeader(c, date, title, hours))
        _stacked(rows, r, sessions)
        return r, sessions
    return None


def stacked_rows(rows: list[list[Any]], first_col: int) -> dict[int, str]:
    """Row index -> `date`/`title`/`hours`, for the rows labelled so left of the sessions."""
    out = {}
    for r, row in enumerate(rows):
        label = row_label(row, first_col)
        if label is not None:
            out[r] = label
    return out


def _stacked(rows: list[list[Any]], date_row: int, sessions: list[SessionHeader]) -> None:
    """Title and hours from the 项目 and 学时 rows, where the date cells did not hold them."""
    first = min(s.column for s in sessions)
    for r, label in stacked_rows(rows, first).items():
        if r == date_row or label == "date":
            continue
        for s in sessions:
            v = rows[r][s.column] if s.column < len(rows[r]) else None
            if v is None or v == "":
                continue
            text = _as_text(v)
            if label == "title" and not s.title:
                s.title, hours = split_title(text)
                s.hours = s.hours or hours
            elif label == "hours" and not s.hours:
                s.hours = split_title(text)[1] or text


def _as_text(v: Any) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


# -- one session per sheet --------------------------------------------------------------------------

_TITLE_LINE = re.compile(r"^\s*(?P<label>[^\s:：]{1,6})\s*[:：]\s*(?P<value>.+?)\s*$")
_SIGN_IN_WORDS = re.compile(r"(?:签到表|签到单|考勤表|签到|考勤|点名表)$")


@dataclass(slots=True)
class TitleSession:
    """The one session of a sheet that records one (签到表 per session), from the title rows above its
    header: `2024年9月10日 新课标解读专题培训签到表（2学时）`, or lines `培训内容：…` / `时间：…` / `学时：2`.
    Each part keeps the 0-based (row, column) of the cell that says it; ``title_at`` is the first
    title cell (where a finding about the whole session sits)."""

    date: str = ""
    title: str = ""
    hours: str = ""
    title_at: tuple[int, int] = (0, 0)
    date_at: tuple[int, int] | None = None
    hours_at: tuple[int, int] | None = None
    named_at: tuple[int, int] | None = None  # where the title (the training's name) came from


def title_session(rows: list[list[Any]], header_row: int, tab: str = "") -> TitleSession | None:
    """The session the text cells above ``header_row`` (0-based) state; None when there are none.
    With no date there, a tab named after its day (`9.10新课标培训签到`) gives it (``date_at`` None)."""
    cells = [(r, c, v) for r, row in enumerate(rows[:header_row]) for c, v in enumerate(row)
             if isinstance(v, dt.datetime | dt.date | int | float) and not isinstance(v, bool)
             or (isinstance(v, str) and v.strip())]
    from_tab = session_date(tab) if tab else None
    if not cells and not from_tab:
        return None
    s = TitleSession(title_at=cells[0][:2] if cells else (header_row, 0))
    loose: list[tuple[int, int, Any]] = []
    pending: tuple[int, str] | None = None  # a label alone in its cell (`时间` | 2024-09-10): its row, part
    for r, c, v in cells:
        key = header_key(v.rstrip(":：")) if isinstance(v, str) else ""
        if key in _LABEL_KEYS:
            pending = (r, _LABEL_KEYS[key])
            continue
        m = _TITLE_LINE.match(v) if isinstance(v, str) else None
        part = _LABEL_KEYS.get(header_key(m["label"])) if m else None
        if part is not None and m is not None:
            _labelled(s, part, m["value"], (r, c))
        elif pending is not None and pending[0] == r:
            _labelled(s, pending[1], v, (r, c))
        else:
            loose.append((r, c, v))
        pending = None
    for r, c, v in loose:
        found = session_date(v)
        rest = v if found is None and isinstance(v, str) else (found[1] if found else "")
        if found is None and isinstance(v, str):
            m = FULL_DATE.search(to_halfwidth(v))  # a date inside the title: `新课标解读（2024.9.10）`
            if m:
                found = session_date(m.group(0))
                rest = to_halfwidth(v)[:m.start()] + " " + to_halfwidth(v)[m.end():]
        if found is not None and not s.date_at:
            s.date, s.date_at = found[0], (r, c)
        title, hours = split_title(rest)
        if hours and not s.hours_at:
            s.hours, s.hours_at = hours, (r, c)
        title = _SIGN_IN_WORDS.sub("", title).strip(" ,，;；、/()（）:：-")
        if title and not s.named_at:
            s.title, s.named_at = title, (r, c)
    if not s.date and from_tab:
        s.date = from_tab[0]
        s.title = s.title or _SIGN_IN_WORDS.sub("", split_title(from_tab[1])[0]).strip(" ,，;；、/()（）:：-")
    return s


def _labelled(s: TitleSession, part: str, value: Any, at: tuple[int, int]) -> None:
    """A part a label names (`时间：2024.9.10`, `学时：2`, `培训内容：新课标解读`); the first one counts."""
    text = to_halfwidth(_as_text(value)) if not isinstance(value, dt.datetime | dt.date) else ""
    if part == "date" and not s.date_at:
        found = session_date(value if text == "" else text)
        if found is None and text:
            m = FULL_DATE.search(text)
            found = session_date(m.group(0)) if m else None
        s.date, s.date_at = (found[0] if found else ""), at
    elif part == "title" and not s.named_at:
        s.title, s.named_at = split_title(text)[0], at
    elif part == "hours" and not s.hours_at:
        s.hours, s.hours_at = split_title(text)[1] or split_title(text + "学时")[1], at
