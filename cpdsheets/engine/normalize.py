"""Normalisers for what people really type, vectorised over a column of raw cell values.

Each ``normalize_*`` takes a Series of raw values (str, int, float, bool, date, datetime, time,
None, "") and returns a ``Parsed``: the typed values and a mask of cells that could not be
understood. Blank cells are neither values nor errors: required-ness is checked elsewhere.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..contract.schema import ROLES

EXCEL_EPOCH = pd.Timestamp("1899-12-30")
# Years a school record can carry; anything else is a typo (and outside what datetime64 holds).
MIN_YEAR, MAX_YEAR = 1900, 2199
SERIAL_MIN, SERIAL_MAX = 1, 109_574  # 1900-01-01 .. 2199-12-31 as Excel serial numbers

YearOfMonth = Callable[[int], int]  # month -> the school year's calendar year for it


@dataclass(slots=True)
class Parsed:
    values: pd.Series
    bad: pd.Series  # True where something was typed that cannot be understood
    negative: pd.Series | None = None  # numbers only: parsed but below zero


# Full-width ASCII (Ｕ+FF01..FF5E) and the ideographic space, to their ASCII forms.
_FULLWIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_FULLWIDTH[0x3000] = 0x20


def to_halfwidth(text: str) -> str:
    return text.translate(_FULLWIDTH)


def _types(s: pd.Series) -> pd.Series:
    return s.map(type)


def _text(s: pd.Series) -> pd.Series:
    """String cells, half-width and stripped; other cells NA."""
    return s.where(_types(s) == str).astype("object").str.translate(_FULLWIDTH).str.strip()


def _is_blank(v: Any) -> bool:
    if v is None or v is pd.NA or v is pd.NaT:
        return True
    if isinstance(v, str):
        return not v.strip()
    return isinstance(v, float) and v != v


def blank_mask(s: pd.Series) -> pd.Series:
    # A plain comprehension beats pandas' object-dtype string methods several times over here.
    return pd.Series(blank_array(s), index=s.index)


def blank_array(values: Any) -> np.ndarray:
    """``blank_mask`` as a plain array."""
    return np.fromiter(map(_is_blank, values), dtype=bool, count=len(values))


def _is_number_type(t: pd.Series) -> pd.Series:
    return t.isin([int, float, np.int64, np.float64])


# -- remembered parses ------------------------------------------------------------------------

class ParseMemo:
    """What an elementwise normaliser made of each distinct cell, remembered across calls.

    Every ``normalize_*`` above gives a cell the same answer whatever other cells it is handed with, so
    the answer can be kept per (how it was parsed, the cell's type and value). A warm worker reads book
    after book of one district: the same school-year dates, hours and category words in every book;
    pandas' cost per call, not per value, was most of checking a small book. Each table is bounded: a
    full one is emptied, never allowed to grow with a long-running worker."""

    LIMIT = 100_000  # distinct cells kept per way of parsing
    TABLES = 64  # ways of parsing kept (column kind, options, school year)

    def __init__(self) -> None:
        self.tables: dict[Any, dict[Any, tuple[Any, bool, Any]]] = {}
        self.dtypes: dict[Any, tuple[Any, np.dtype | None]] = {}

    def apply(self, how: Any, fn: Callable[[pd.Series], Parsed], s: pd.Series) -> Parsed:
        """``fn(s)``, its values taken from the table where ``how`` parsed them before."""
        table = self.tables.get(how)
        if table is None:
            if len(self.tables) >= self.TABLES:
                self.tables.clear()
            table = self.tables[how] = {}
        cells = s.to_numpy(dtype=object)
        keys = [_cell_key(v) for v in cells]
        found: list[tuple[Any, bool, Any] | None] = [table.get(k) if k is not None else None for k in keys]
        missing = [i for i, f in enumerate(found) if f is None]
        if missing:
            p = fn(pd.Series(cells[missing], dtype="object"))
            values, bad = p.values.to_numpy(), p.bad.to_numpy(dtype=bool)
            negative = p.negative.to_numpy(dtype=bool) if p.negative is not None else None
            self.dtypes[how] = (p.values.dtype, None if negative is None else np.dtype(bool))
            if len(table) + len(missing) > self.LIMIT:
                table.clear()
            for j, i in enumerate(missing):
                answer = (values[j], bool(bad[j]), None if negative is None else bool(negative[j]))
                found[i] = answer
                if keys[i] is not None:
                    table[keys[i]] = answer
        dtype, negative_dtype = self.dtypes[how]
        answers: list[tuple[Any, bool, Any]] = found  # type: ignore[assignment]
        out = np.empty(len(answers), dtype=object)
        out[:] = [a[0] for a in answers]
        values_out = pd.Series(out, dtype=dtype)
        bad_out = pd.Series(np.fromiter((a[1] for a in answers), dtype=bool, count=len(answers)))
        negative_out = None if negative_dtype is None else pd.Series(
            np.fromiter((a[2] for a in answers), dtype=bool, count=len(answers)))
        return Parsed(values_out, bad_out, negative_out)


def _cell_key(v: Any) -> Any:
    """A cell as a table key: its type and value (1, 1.0, True and "1" apart); a NaN and a -0.0 keyed
    apart from what they equal or fail to equal; None for a cell that cannot be a key."""
    t = type(v)
    if t is float or t is np.float64:
        if v != v:
            return (t, "nan", 0)
        if v == 0.0:
            return (t, 0.0, math.copysign(1.0, v))
    try:
        hash(v)
    except TypeError:
        return None
    return (t, v)


PARSES = ParseMemo()


# -- dates -------------------------------------------------------------------------------------

_FULL_DATE = re.compile(
    r"^(?P<y>\d{4})\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*[日号]?"
    r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"
)
_COMPACT_DATE = re.compile(r"^(?P<y>(?:19|20)\d{2})(?P<m>\d{2})(?P<d>\d{2})$")
_MONTH_DAY = re.compile(r"^(?P<m>\d{1,2})\s*(?:月\s*(?P<d>\d{1,2})\s*[日号]?|[/-]\s*(?P<d2>\d{1,2}))$")
# `2010.9`, `2010-09`, `2010年9月`: a month, where the contract says a month is a full answer.
_YEAR_MONTH = re.compile(r"^(?P<y>\d{4})\s*(?:[-/.]\s*(?P<m>\d{1,2})|年\s*(?P<m2>\d{1,2})\s*月)$")
_SERIAL_TEXT = re.compile(r"^\d{1,7}(?:\.0+)?$")


def school_year_of_month(year_start: dt.date | None) -> YearOfMonth | None:
    """For dates typed without a year (`9月3日`): months from the school year's start month on
    belong to its first calendar year, earlier months to the next."""
    if year_start is None:
        return None
    return _year_of_month(year_start.year, year_start.month)


@functools.lru_cache(maxsize=64)
def _year_of_month(year: int, month: int) -> YearOfMonth:
    # One function per school year start, so the parses it gives can be remembered by it (ParseMemo).
    return lambda m: year if m >= month else year + 1


def _serial_to_ts(serial: pd.Series) -> pd.Series:
    ok = (serial >= SERIAL_MIN) & (serial <= SERIAL_MAX)
    days = serial.where(ok).floordiv(1)
    return EXCEL_EPOCH + pd.to_timedelta(days, unit="D")


def normalize_dates(s: pd.Series, year_of_month: YearOfMonth | None = None, *,
                    month_is_enough: bool = False) -> Parsed:
    """``month_is_enough``: a year and month (`2010.9`, `2010年9月`, the number 2010.9 Excel makes of
    the first) is the 1st of that month, for columns such as 参加工作时间 where a month is the answer."""
    out = pd.Series(pd.NaT, index=s.index, dtype="datetime64[ns]")
    blank = blank_mask(s)
    t = _types(s)

    is_dt = t.isin([dt.datetime, dt.date, pd.Timestamp])
    if is_dt.any():
        is_dt &= s.map(lambda v: MIN_YEAR <= getattr(v, "year", 0) <= MAX_YEAR).astype(bool)
    if is_dt.any():
        out[is_dt] = pd.to_datetime(s[is_dt].map(_as_datetime)).dt.normalize()

    is_num = _is_number_type(t) & ~blank
    if is_num.any():
        out[is_num] = _serial_to_ts(s[is_num].astype("float64"))
        if month_is_enough:
            # Serials 1900..2199 are dates in 1905-1906: in such a column they are a typed `2010.9`.
            year_like = is_num & s.where(is_num).astype("float64").between(MIN_YEAR, MAX_YEAR + 0.99)
            if year_like.any():
                out[year_like] = s[year_like].map(_year_dot_month).astype("datetime64[ns]")

    is_text = (t == str) & ~blank
    if is_text.any():
        # One text at a time: pandas' string methods loop in Python too, and cost a millisecond a call
        # on the few new texts a book holds.
        out[is_text] = [_text_date(v, year_of_month, month_is_enough) for v in s[is_text]]
    bad = ~blank & out.isna()
    return Parsed(out, bad)


def _text_date(text: str, year_of_month: YearOfMonth | None, month_is_enough: bool) -> pd.Timestamp:
    """A date typed as text: `2024-09-03`, `20240903`, `9月3日` (with ``year_of_month``), `2010.9` (where
    a month is enough), a serial number as text; NaT when it is none of them."""
    tx = to_halfwidth(text).strip()
    parsed = pd.NaT
    full = _FULL_DATE.match(tx) or _COMPACT_DATE.match(tx)
    if full:
        parsed = _day(full["y"], full["m"], full["d"])
    if year_of_month is not None and (md := _MONTH_DAY.match(tx)):
        month = int(md["m"])
        parsed = _day(year_of_month(month), month, md["d"] if md["d"] is not None else md["d2"])
    if month_is_enough and (ym := _YEAR_MONTH.match(tx)):
        parsed = _day(ym["y"], ym["m"] if ym["m"] is not None else ym["m2"], 1)
    if _SERIAL_TEXT.fullmatch(tx):
        number = float(tx)
        # Where a month is the answer, `2010` is a year without its month, not a 1905 serial.
        parsed = pd.NaT if month_is_enough and MIN_YEAR <= number <= MAX_YEAR + 1 else _serial_day(number)
    return parsed


def _day(year: str | int, month: str | int, day: str | int | None) -> pd.Timestamp:
    """The day of these parts (as typed), NaT when there is none (31 September, the year 1066)."""
    if day is None:
        return pd.NaT
    y, m, d = int(year), int(month), int(day)
    if not MIN_YEAR <= y <= MAX_YEAR:
        return pd.NaT
    try:
        return pd.Timestamp(dt.date(y, m, d))
    except ValueError:
        return pd.NaT


def _serial_day(serial: float) -> pd.Timestamp:
    """An Excel serial number's day (`_serial_to_ts` of one number)."""
    if not SERIAL_MIN <= serial <= SERIAL_MAX:
        return pd.NaT
    return EXCEL_EPOCH + pd.Timedelta(days=math.floor(serial))


def date_number_guesses(s: pd.Series, month_is_enough: bool = False) -> pd.Series:
    """For each number cell that is a date Excel turned into a number, what it was probably typed as:
    `12.3` -> 12月3日 (or 12月30日: Excel drops the 0 of `12.30`), `2025.9` -> 2025年9月 (no day). NA
    elsewhere. Serials that small are days of 1900-1905, never a school record's date."""
    out = pd.Series(pd.NA, index=s.index, dtype="object")
    is_num = _is_number_type(_types(s)) & ~blank_mask(s)
    for i, v in s[is_num].items():
        guess = _date_number_guess(float(v), month_is_enough)
        if guess:
            out[i] = guess
    return out


def _date_number_guess(v: float, month_is_enough: bool) -> str:
    if not math.isfinite(v) or v.is_integer():
        return ""
    whole, _, digits = repr(v).partition(".")
    if not digits.isdigit() or len(digits) > 2:
        return ""
    head, tail = int(whole), int(digits)
    if 1 <= head <= 12 and 1 <= tail <= 31:
        shown = f"{head}月{tail}日"
        if len(digits) == 1 and tail * 10 <= _MONTH_DAYS[head]:
            shown += f"或{head}月{tail * 10}日"
        return shown if tail <= _MONTH_DAYS[head] else ""
    if not month_is_enough and MIN_YEAR <= head <= MAX_YEAR and 1 <= tail <= 12:
        return f"{head}年{tail}月的某一天"
    return ""


_MONTH_DAYS = {1: 31, 2: 29, 3: 31, 4: 30, 5: 31, 6: 30, 7: 31, 8: 31, 9: 30, 10: 31, 11: 30, 12: 31}


def _year_dot_month(v: float) -> pd.Timestamp:
    """2010.9 -> 2010-09-01, 2010.12 -> 2010-12-01 (the digits as shown); NaT when not a month."""
    year, _, digits = repr(float(v)).partition(".")
    month = int(digits) if digits.isdigit() and len(digits) <= 2 else 0
    return pd.Timestamp(int(year), month, 1) if 1 <= month <= 12 else pd.NaT


def _as_datetime(v: dt.date) -> dt.datetime:
    if isinstance(v, dt.datetime):
        return v
    return dt.datetime(v.year, v.month, v.day)


# -- numbers -----------------------------------------------------------------------------------

# Units people write after a number; none changes its value except 千字 (× 1000).
_UNITS = r"学时|课时|小时|个?课时|节课?|字|千字|天|日|学分|分|个?人|名|次|篇|本|h|hrs?|hours?|days?"
_NUMBER = re.compile(
    r"^(?P<n>[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|[+-]?\.\d+)\s*"
    r"(?:" + _UNITS + r")?$",
    re.IGNORECASE,
)
# Counts in words (`两`, `十二`, `半天`, `一天半`), for columns whose contract allows them.
_WORD_NUMBER = re.compile(
    r"^(?P<n>\d+|[零〇一二两三四五六七八九十百]+)?(?P<half>个?半)?(?:" + _UNITS + r")?(?P<half2>半)?$",
    re.IGNORECASE,
)
_DIGIT_WORDS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
                "八": 8, "九": 9}


def normalize_numbers(s: pd.Series, *, words: bool = False) -> Parsed:
    out = pd.Series(np.nan, index=s.index, dtype="float64")
    blank = blank_mask(s)
    t = _types(s)
    is_num = _is_number_type(t) & ~blank
    if is_num.any():
        out[is_num] = s[is_num].astype("float64")
    is_text = (t == str) & ~blank
    if is_text.any():
        tx = _text(s)[is_text].str.replace(r"\s+", "", regex=True)
        n = tx.str.extract(_NUMBER)["n"].str.replace(",", "", regex=False)
        value = pd.to_numeric(n, errors="coerce")
        thousand = tx.str.endswith("千字") & value.notna()
        value[thousand] = value[thousand] * 1000
        if words and value.isna().any():
            value[value.isna()] = tx[value.isna()].map(_words_to_number)
        out[is_text] = value
    out[~np.isfinite(out)] = np.nan  # inf from a live book is no number a person typed
    bad = ~blank & out.isna()
    negative = out < 0
    return Parsed(out, bad, negative)


_UNIT_AFTER = re.compile(
    r"^(?:[+-]?[\d,]*\.?\d+|[零〇一二两三四五六七八九十百]+)个?半?(?P<u>" + _UNITS + r")半?$", re.IGNORECASE)


def number_unit(s: pd.Series) -> pd.Series:
    """The unit word typed after a number in each text cell, lower case (`8 人` -> `人`); "" where none."""
    tx = _text(s).fillna("").str.replace(r"\s+", "", regex=True)
    unit = tx.str.extract(_UNIT_AFTER)["u"].fillna("").str.lower()
    return unit.str.replace(r"^个(?=人)", "", regex=True)


def _words_to_number(text: str) -> float:
    m = _WORD_NUMBER.match(text)
    if not m or not (m["n"] or m["half"] or m["half2"]) or (m["half"] and m["half2"]):
        return np.nan
    whole = 0 if m["n"] is None else int(m["n"]) if m["n"].isdigit() else _chinese_int(m["n"])
    if whole is None:
        return np.nan
    return whole + (0.5 if m["half"] or m["half2"] else 0.0)


def _chinese_int(text: str) -> int | None:
    """`三` 3, `十二` 12, `二十五` 25, `一百零五` 105; None for what no one writes (`三三`)."""
    total, digit = 0, None
    for ch in text:
        if ch in _DIGIT_WORDS:
            if digit not in (None, 0):
                return None
            digit = _DIGIT_WORDS[ch]
        else:  # 十 or 百
            unit = 10 if ch == "十" else 100
            total += (1 if digit is None else digit) * unit
            digit = None
    return total + (digit or 0)


# -- teacher IDs -------------------------------------------------------------------------------

_ID_OK = re.compile(r"^[0-9A-Za-z][0-9A-Za-z_\-]*$")


def normalize_teacher_ids(s: pd.Series) -> Parsed:
    out = pd.Series(pd.NA, index=s.index, dtype="object")
    blank = blank_mask(s)
    t = _types(s)
    is_num = _is_number_type(t) & ~blank
    if is_num.any():
        num = s[is_num].astype("float64")
        whole = np.isfinite(num) & (num == num.round()) & (num.abs() < 1e15)
        out[is_num & whole.reindex(s.index, fill_value=False)] = num[whole].astype("int64").astype(str)
    is_text = (t == str) & ~blank
    if is_text.any():
        tx = _text(s)[is_text].str.replace(r"\s+", "", regex=True)
        tx = tx.str.replace(r"^(\d+)\.0+$", r"\1", regex=True)
        out[is_text] = tx.where(tx.str.match(_ID_OK), pd.NA)
    bad = ~blank & out.isna()
    return Parsed(out, bad)


# -- vocabularies ------------------------------------------------------------------------------

ATTENDANCE_WORDS: dict[str, str] = {
    **dict.fromkeys(["出勤", "√", "✓", "✔", "到", "已到", "是", "1", "y", "yes", "true", "present", "p"], "出勤"),
    **dict.fromkeys(["缺勤", "×", "✗", "✘", "x", "缺", "未到", "否", "0", "n", "no", "false", "absent", "a"], "缺勤"),
    **dict.fromkeys(["请假", "假", "事假", "病假", "leave", "l"], "请假"),
    **dict.fromkeys(["迟到", "迟", "late"], "迟到"),
}

LOCATION_WORDS: dict[str, str] = {
    **dict.fromkeys(["校内", "本校", "内", "校内听课", "in", "inside", "internal"], "校内"),
    **dict.fromkeys(["校外", "外校", "外", "外出", "校外听课", "out", "outside", "external"], "校外"),
}

# Accepted shorthand for choice columns, beyond the canonical words themselves.
CHOICE_SYNONYMS: dict[str, str] = {
    "校": "校级", "学校": "校级", "区": "区级", "县级": "区级", "县区级": "区级", "市": "市级",
    "省": "省级", "国家": "国家级", "全国": "国家级",
    "导研单": "读书导研单", "导读单": "读书导研单", "期刊": "教育刊物", "刊物": "教育刊物",
    "杂志": "教育刊物", "必读": "必读书目", "必读书": "必读书目", "专业书": "专业书籍",
    "笔记": "读书笔记", "读书心得": "读书笔记", "随笔": "教育随笔", "教学随笔": "教育随笔",
    "公开": "公开课", "示范": "示范课", "推门听课": "推门课", "研讨": "研讨课", "师徒结对课": "师徒课",
    "数字化": "数字化教研", "跨学科教研": "跨学科", "跨学段教研": "跨学段", "跨校教研": "跨校",
}


def _lookup(s: pd.Series, table: dict[str, str]) -> Parsed:
    blank = blank_mask(s)
    key = s.where(blank, s.map(_as_text)).astype("object")
    key = key.str.translate(_FULLWIDTH).str.strip().str.lower()
    out = key.map(table)
    out = out.where(out.notna(), pd.NA).astype("object")
    bad = ~blank & out.isna()
    return Parsed(out, bad)


def _as_text(v: Any) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def normalize_attendance(s: pd.Series) -> Parsed:
    return _lookup(s, ATTENDANCE_WORDS)


def normalize_location(s: pd.Series) -> Parsed:
    return _lookup(s, LOCATION_WORDS)


def normalize_choice(s: pd.Series, choices: tuple[str, ...]) -> Parsed:
    table = {c.lower(): c for c in choices}
    table.update({k: v for k, v in CHOICE_SYNONYMS.items() if v in choices})
    return _lookup(s, table)


_ROLE_SPLIT = re.compile(r"[、,，;；/／\s]+")


def normalize_roles(s: pd.Series) -> Parsed:
    blank = blank_mask(s)
    text = s.where(~blank, "").map(lambda v: to_halfwidth(_as_text(v)))
    order = {r: i for i, r in enumerate(ROLES)}

    def canon(cell: str) -> str:
        parts = [p for p in _ROLE_SPLIT.split(cell.strip()) if p]
        uniq = dict.fromkeys(parts)
        return "、".join(sorted(uniq, key=lambda p: (order.get(p, len(order)), p)))

    out = text.map(canon)
    return Parsed(out.astype("object"), pd.Series(False, index=s.index))


def _clean_text(v: Any) -> Any:
    if _is_blank(v):
        return pd.NA
    return v.strip() if isinstance(v, str) else _as_text(v)


def normalize_text(s: pd.Series) -> Parsed:
    out = pd.Series([_clean_text(v) for v in s], index=s.index, dtype="object")
    return Parsed(out, pd.Series(False, index=s.index))


# -- scalar helpers for one-off cells (the policy sheet) --------------------------------------

def parse_date_value(value: Any, year_hint: dt.date | None = None) -> dt.date | None:
    # A typed date is what normalize_dates makes of it (its day, when its year is plausible) without
    # building a Series; text is parsed once per distinct string and year: the policy sheet asks for
    # seven dates on every book.
    if type(value) in (dt.datetime, dt.date, pd.Timestamp) and getattr(value, "tzinfo", None) is None:
        return dt.date(value.year, value.month, value.day) if MIN_YEAR <= value.year <= MAX_YEAR else None
    if value is None or type(value) is str:
        return _parse_date_text(value, year_hint)
    return _parse_date_series(value, year_hint)


@functools.lru_cache(maxsize=4096)
def _parse_date_text(value: str | None, year_hint: dt.date | None) -> dt.date | None:
    return _parse_date_series(value, year_hint)


def _parse_date_series(value: Any, year_hint: dt.date | None) -> dt.date | None:
    parsed = normalize_dates(pd.Series([value], dtype="object"), school_year_of_month(year_hint))
    ts = parsed.values.iloc[0]
    return None if pd.isna(ts) else ts.date()


def parse_number_value(value: Any) -> float | None:
    # A typed number is what normalize_numbers makes of it (finite, as a float) without building a
    # Series; text is parsed once per distinct string: the policy sheet asks about a hundred cells.
    if type(value) is float or (type(value) is int and abs(value) < 1 << 63):
        return float(value) if math.isfinite(value) else None
    if type(value) is str:
        return _parse_number_text(value)
    return _parse_number_series(value)


@functools.lru_cache(maxsize=4096)
def _parse_number_text(value: str) -> float | None:
    return _parse_number_series(value)


def _parse_number_series(value: Any) -> float | None:
    parsed = normalize_numbers(pd.Series([value], dtype="object"))
    v = parsed.values.iloc[0]
    return None if pd.isna(v) else float(v)


@functools.lru_cache(maxsize=8192)
def header_key(text: Any) -> str:
    """A header cell reduced to what matters for matching: NFKC, no spaces, no `*` or `(必填)` marks,
    lower case. `  *工 号（必填）` and `工号` compare equal."""
    if text is None:
        return ""
    s = unicodedata.normalize("NFKC", str(text))
    s = re.sub(r"[(（\[【](必填|选填|可选|required|optional)[)）\]】]", "", s, flags=re.IGNORECASE)
    s = re.sub(r"[\s*＊:：]+", "", s)
    return s.lower()
