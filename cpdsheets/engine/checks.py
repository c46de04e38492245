"""Cross-row and cross-sheet checks, run after every sheet is normalised.

Each check looks at whole columns at once and only returns findings: which rows count is decided
once from all of them (engine.verdict). A check that looks only at rows still counting is handed
them by the caller, judged from the findings so far.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import unicodedata
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from ..contract.findings import (
    DateOrder,
    DateOutsideYear,
    DuplicateRow,
    DuplicateTeacherId,
    Finding,
    FindingType,
    InvalidTeacherId,
    LikelyDuplicate,
    LikelyDuplicateCounted,
    NameMismatch,
    SelfMentor,
    TooManyHours,
    UnknownCategory,
    UnknownGroup,
    UnknownMentor,
    UnknownObservedTeacher,
    UnknownRuleId,
    UnexpectedUnit,
    UnknownTeacher,
    plain_number,
)
from ..contract.schema import DATA_SHEETS
from .normalize import PARSES, Parsed, number_unit, to_halfwidth
from .sheet_frame import SheetRead
from .verdict import Verdict

MAX_HOURS_PER_DAY = 12
# Training categories done over days or weeks (an online course logged as one row with its total
# 学时): without 天数 such a row says nothing about hours in one day.
SPREAD_CATEGORY_WORDS = ("网络", "线上", "在线", "远程", "网上")
# The column that names what a row was, per log: with the teacher and the day it identifies a session.
TITLE_COLUMNS = {s.key: s.title_column for s in DATA_SHEETS if s.title_column}


def typed_at(raw: pd.Series, rows: Any) -> list[Any]:
    """``raw.get(r, "")`` for each of ``rows``, looked up at once: a ``Series.get`` per finding was most
    of a large sheet's check when it has thousands of findings."""
    rows = list(rows)
    if not rows:
        return []
    values = raw.to_numpy()
    return [values[p] if p >= 0 else "" for p in raw.index.get_indexer(rows)]


def _at(read: SheetRead, sheet: str, key: str, rows: pd.Index, kind: type[FindingType],
        values: pd.Series | None = None, params_of: Callable[[Any], dict[str, Any]] | None = None) -> list[Finding]:
    place = read.places.get(key)
    if place is None:
        return []
    raw = read.raw[key] if key in read.raw else pd.Series(dtype=object)
    out = []
    drops_row = read.drops_row(key)
    typed = typed_at(raw, rows) if values is None else [values[r] for r in rows]
    for r, value in zip(rows, typed):
        params = params_of(r) if params_of else {}
        out.append(kind.at(sheet, row=int(r), cell=f"{place.letter}{r}", column=place.header,
                           value=value, drops_row=drops_row, **params))
    return out


def _malformed_ids(read: SheetRead) -> list[Finding]:
    return [f for f in read.findings if f.code == InvalidTeacherId.code]


def check_roster(read: SheetRead, sheet: str, counting: Callable[[list[Finding]], pd.DataFrame]) -> list[Finding]:
    """Duplicate 工号, self-mentors, unknown mentors and date order on the roster. ``counting`` gives
    the roster rows that count, judged from the read's findings and those passed."""
    df = read.frame
    findings: list[Finding] = []
    ids = df["teacher_id"]
    has_id = ids.notna()
    dup = has_id & ids.duplicated(keep="first")
    if dup.any():
        first = df[has_id].groupby("teacher_id")["_row"].transform("min")
        findings += _at(read, sheet, "teacher_id", df.index[dup], DuplicateTeacherId,
                        params_of=lambda r: {"first_row": int(first[r])})

    mentor = df["mentor_id"]
    has_mentor = mentor.notna()
    own = has_mentor & (mentor == ids)
    findings += _at(read, sheet, "mentor_id", df.index[own], SelfMentor, values=ids)
    unknown = has_mentor & ~own & ~mentor.isin(set(ids.dropna()))
    mentors = _at(read, sheet, "mentor_id", df.index[unknown], UnknownMentor)
    valid = counting(findings)
    findings += suggest_ids(mentors, valid)
    suggest_ids(_malformed_ids(read), valid)
    findings += _date_order(read, sheet, "join_date", "leave_date")
    return findings


def _date_order(read: SheetRead, sheet: str, start_key: str, end_key: str) -> list[Finding]:
    df = read.frame
    wrong = df[start_key].notna() & df[end_key].notna() & (df[end_key] < df[start_key])
    if not wrong.any() or end_key not in read.places:
        return []
    start_header = read.places[start_key].header if start_key in read.places else start_key
    end_header = read.places[end_key].header

    def params(r: Any) -> dict[str, Any]:
        return {"start_column": start_header, "end_column": end_header,
                "start": df.at[r, start_key].date().isoformat(), "end": df.at[r, end_key].date().isoformat()}

    rows = df.index[wrong]
    return _at(read, sheet, end_key, rows, DateOrder, params_of=params)


def check_teacher_refs(read: SheetRead, sheet: str, roster: pd.DataFrame) -> list[Finding]:
    """Unknown 工号 and 姓名 that do not match the roster."""
    df = read.frame
    known = _roster_names(roster)
    has_id = df["teacher_id"].notna()
    unknown = has_id & ~df["teacher_id"].isin(known.index)
    findings = suggest_ids(_at(read, sheet, "teacher_id", df.index[unknown], UnknownTeacher), roster)
    suggest_ids(_malformed_ids(read), roster)

    if "name" in read.places:
        expected = df["teacher_id"].map(known)
        typed = df["name"]
        mismatch = has_id & ~unknown & typed.notna() & expected.notna() & (typed != expected)
        if mismatch.any():  # only the few that differ are looked at again without spaces
            mismatch[mismatch] = _squeeze(typed[mismatch]) != _squeeze(expected[mismatch])
        findings += _at(read, sheet, "name", df.index[mismatch], NameMismatch,
                        params_of=lambda r: {"teacher_id": df.at[r, "teacher_id"], "expected": expected[r]})
    return findings


def _roster_names(roster: pd.DataFrame) -> pd.Series:
    """Each roster 工号's name (its first row), kept for the roster last asked about: every log sheet of a
    book asks about the same roster. Only read by callers."""
    kept = _ROSTER_NAMES[0]
    if kept is not None and kept[0] is roster:  # (the entry keeps the roster alive: its id is not reused)
        return kept[1]
    known = roster[roster["teacher_id"].notna()].drop_duplicates("teacher_id").set_index("teacher_id")["name"]
    _ROSTER_NAMES[0] = (roster, known)
    return known


_ROSTER_NAMES: list[tuple[pd.DataFrame, pd.Series] | None] = [None]


def check_duplicates(read: SheetRead, sheet: str, keys: list[str], verdict: Verdict) -> list[Finding]:
    """Rows repeating an earlier row in every column of ``keys``; ``verdict`` is the read's own, from
    its cell findings."""
    cols = [k for k in keys if k in read.places]
    if not cols or len(read.frame) < 2:
        return []
    # Rows already left out are no duplicates of anything; a cell read as blank compares as typed, so
    # two rows differing only in an unreadable optional cell are not one row twice.
    df = read.frame.loc[verdict.ok, [*cols, "_row"]]
    for key in set(verdict.blanked) & set(cols):
        blanked = verdict.blanked[key].intersection(df.index)
        if len(blanked):
            df[key] = df[key].astype("object")
            df.loc[blanked, key] = "\0" + read.raw.loc[blanked, key].map(str)
    dup = df.duplicated(subset=cols, keep="first")
    if not dup.any():
        return []
    first = df.groupby(cols, dropna=False)["_row"].transform("min")
    rows = df.index[dup]
    return [DuplicateRow.from_row(sheet, int(r), first_row=int(f), value=v)
            for r, f, v in zip(rows, first[dup].tolist(), typed_at(read.raw[cols[0]], rows))]


def check_dates_in_year(read: SheetRead, sheet: str, key: str, start: dt.date, end: dt.date) -> list[Finding]:
    df = read.frame
    d = df[key]
    outside = d.notna() & ((d < pd.Timestamp(start)) | (d > pd.Timestamp(end)))
    return _at(read, sheet, key, df.index[outside], DateOutsideYear,
               params_of=lambda r: {"start": start.isoformat(), "end": end.isoformat()})


def check_hours_per_day(read: SheetRead, sheet: str, df: pd.DataFrame) -> list[Finding]:
    """A row's hours per day are 学时 ÷ 天数 (1 day when blank): a five-day course of 30 学时 is 6 a day.
    ``df``: the rows of ``read.frame`` that count after the checks before this one."""
    if df.empty or "hours" not in read.places:
        return []
    if "category" in df:
        spread = df["days"].isna() & df["category"].astype("object").fillna("").astype(str).str.contains(
            "|".join(SPREAD_CATEGORY_WORDS), regex=True)
        df = df[~spread]
        if df.empty:
            return []
    days = df["days"].where(df["days"] > 0, 1.0).fillna(1.0)
    per_day = (df["hours"] / days).rename("per_day")
    totals = pd.concat([df[["teacher_id", "date"]], per_day], axis=1).groupby(["teacher_id", "date"])["per_day"].agg(
        ["sum", "size"])
    over = totals[totals["sum"] > MAX_HOURS_PER_DAY + 1e-9]
    if over.empty:
        return []
    first_rows = df.reset_index().groupby(["teacher_id", "date"])["index"].min()
    place = read.places["hours"]
    out = []
    for (tid, day), row in over.iterrows():
        r = int(first_rows[(tid, day)])
        out.append(TooManyHours.at(sheet, row=r, cell=f"{place.letter}{r}", column=place.header,
                                   value=read.raw["hours"].get(r, ""), teacher_id=tid,
                                   date=day.date().isoformat(), hours=plain_number(row["sum"]),
                                   limit=MAX_HOURS_PER_DAY))
    return out


def suggest_ids(findings: list[Finding], roster: pd.DataFrame) -> list[Finding]:
    """Give an unknown or malformed 工号 the likely fix: the roster ID it is with its leading zeros
    (`101` for `0101`), or the ID of the one roster teacher whose name was typed instead."""
    if not findings or not len(roster):
        return findings
    known = roster[roster["teacher_id"].notna()].drop_duplicates("teacher_id")
    names = known["name"].astype("object")
    by_digits: dict[str, list[int]] = {}
    for i, tid in enumerate(known["teacher_id"]):
        by_digits.setdefault(str(tid).lstrip("0").upper(), []).append(i)
    by_name: dict[str, list[int]] = {}
    for i, name in enumerate(names):
        if isinstance(name, str):
            by_name.setdefault(re.sub(r"\s+", "", to_halfwidth(name)), []).append(i)
    for f in findings:
        typed = re.sub(r"\s+", "", to_halfwidth(_shown_text(f.value)))
        typed = re.sub(r"^(\d+)\.0+$", r"\1", typed)
        hits, variant = by_name.get(typed, []), "by-name"
        if not hits and f.code != InvalidTeacherId.code:
            hits, variant = by_digits.get(typed.lstrip("0").upper(), []), "padded"
        if len(hits) == 1:
            i = hits[0]
            if variant == "padded" and len(typed) > len(str(known["teacher_id"].iat[i])):
                variant = "roster-unpadded"  # the roster's cell lost the zeros the log kept
            f.variant = variant
            f.params = {**f.params, "suggest_id": known["teacher_id"].iat[i], "suggest_name": names.iat[i]}
    return findings


def _shown_text(v: Any) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return "" if v is None else str(v)


def _squeeze(s: pd.Series) -> pd.Series:
    return s.astype("object").str.replace(r"\s+", "", regex=True)


def check_observed_teachers(read: SheetRead, sheet: str, roster: pd.DataFrame) -> list[Finding]:
    df = read.frame
    if "taught_by" not in read.places:
        return []
    names = set(roster["name"].dropna().astype(str).str.replace(r"\s+", "", regex=True))
    ids = set(roster["teacher_id"].dropna())
    inside = df["location"] == "校内"
    who = df["taught_by"]
    unknown = inside & who.notna() & ~who.isin(names) & ~who.isin(ids)
    if unknown.any():
        squeezed = _squeeze(who[unknown])
        as_id = squeezed.str.replace(r"^(\d+)\.0+$", r"\1", regex=True)
        unknown[unknown] = ~squeezed.isin(names) & ~as_id.isin(ids)
    return _at(read, sheet, "taught_by", df.index[unknown], UnknownObservedTeacher)


def check_exemption_rules(read: SheetRead, sheet: str, rule_ids: set[str]) -> list[Finding]:
    """An exemption naming no rule of the 规则 sheet excuses nothing: an error that leaves the row out
    (read as blank, the cell would excuse the teacher from every rule). The columns are the ones the
    sheet's ``SheetSpec.exempts`` names."""
    df, span = read.frame, read.spec.exempts
    assert span is not None  # the check runs on exempting sheets only
    findings = _date_order(read, sheet, span.start, span.end)
    if not rule_ids or span.rule not in read.places:
        return findings
    rid = df[span.rule].astype("object").str.strip().str.upper()
    unknown = rid.notna() & ~rid.isin({r.upper() for r in rule_ids})
    place = read.places[span.rule]
    shown = "、".join(sorted(rule_ids))
    return findings + [UnknownRuleId.at(sheet, row=int(r), cell=f"{place.letter}{r}", column=place.header,
                                        value=read.raw[span.rule].get(r, ""), drops_row=True, rule_ids=shown)
                       for r in df.index[unknown]]


def name_key(text: str) -> str:
    """A name as compared for a likely match: NFKC, no spaces, no trailing 组 (`英语 ` ~ `英语组`)."""
    key = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))
    return key[:-1] if key.endswith("组") and len(key) > 1 else key


def likely_name(text: str, names: list[str]) -> str:
    """The one of ``names`` that ``text`` most likely means: the same but for spaces, width or a final
    组 (`英语` -> `英语组`); else the only one it is part of or that is part of it (`外出` -> `外出培训`);
    else the only one close in spelling. "" when none stands out."""
    key = name_key(text)
    if not key:
        return ""
    keys = {n: name_key(n) for n in names}
    for test in (lambda k: k == key, lambda k: bool(k) and (key in k or k in key)):
        hits = [n for n, k in keys.items() if test(k)]
        if len(hits) == 1:
            return hits[0]
        if hits:
            return ""
    close = difflib.get_close_matches(key, list(keys.values()), n=2, cutoff=0.6)
    hits = [n for n, k in keys.items() if close and k == close[0]]
    return hits[0] if len(hits) == 1 and (len(close) == 1 or close[1] != close[0]) else ""


def _unknown_names(read: SheetRead, sheet: str, key: str, known: list[str], kind: type[FindingType],
                   list_param: str) -> list[Finding]:
    """A finding of ``kind`` at every cell of column ``key`` naming none of ``known``, with the likely
    name as the hint where one stands out."""
    typed = read.frame[key]
    unknown = typed.notna() & ~typed.astype("object").isin(known)
    if not unknown.any():
        return []
    shown = "、".join(known[:12]) + ("…" if len(known) > 12 else "")
    findings = _at(read, sheet, key, typed.index[unknown], kind, params_of=lambda r: {list_param: shown})
    likely = {v: likely_name(str(v), known) for v in typed[unknown].unique()}
    for f in findings:
        guess = likely[typed[f.row]]
        if guess:
            f.variant = "likely"
            f.params = {**f.params, "suggest_value": guess}
    return findings


def check_groups(read: SheetRead, sheet: str, roster: pd.DataFrame) -> list[Finding]:
    """Every 组别 names a 教研组 or 备课组 of the roster: the group rules count meetings by that exact
    name, so `英语` for `英语组` would silently leave the meeting out of every count."""
    if "group" not in read.places or "group" not in read.frame:
        return []
    groups = sorted({str(g).strip() for col in ("teaching_group", "lesson_group") if col in roster
                     for g in roster[col].dropna() if str(g).strip()})
    if not groups:
        return []  # a roster without groups names no reference to check against
    return _unknown_names(read, sheet, "group", groups, UnknownGroup, "groups")


def check_categories(read: SheetRead, sheet: str, categories: list[str]) -> list[Finding]:
    """Every 类别 is one the 规则 sheet knows (学分换算, caps, the template's list, rule conditions):
    R15 counts 外出培训 by name and the 网络研修 cap applies by name, so `外出` would escape both."""
    if not categories or "category" not in read.places:
        return []
    return _unknown_names(read, sheet, "category", categories, UnknownCategory, "categories")


def title_key(s: pd.Series) -> pd.Series:
    """What a title is after normalising: NFKC, case, and no spaces, punctuation or quote marks
    (`《给教师的建议》` and `给教师的建议 ` are one title)."""
    def one(v: object) -> object:
        if v is None or v is pd.NA or (isinstance(v, float) and v != v):
            return pd.NA
        text = unicodedata.normalize("NFKC", str(v)).casefold()
        text = "".join(ch for ch in text if unicodedata.category(ch)[0] not in "PZSC")
        return text or pd.NA

    codes, uniques = pd.factorize(s.astype("object"), use_na_sentinel=True)
    keys = pd.Series([one(u) for u in uniques] + [pd.NA], dtype="object")
    codes[codes < 0] = len(uniques)
    return pd.Series(keys.to_numpy()[codes], index=s.index, dtype="object")


def check_likely_duplicates(read: SheetRead, sheet: str, verdict: Verdict) -> list[Finding]:
    """Rows of one teacher on one day whose 项目名称 / 课题 / 书刊名称 are the same after normalising are
    one session typed twice (`2025.9.10 / 2` and `9月10日 / 2学时`): the first counts, each later one is
    an error at its title cell (left out), and the first carries a warning naming them. Rows the
    verdict already leaves out (an exact duplicate among them) take no part. A sheet's
    ``title_distinct_by`` columns must match too: the same 课题 taught by two teachers (同课异构) is
    two lessons."""
    title = TITLE_COLUMNS.get(read.spec.key)
    if title is None or title not in read.places or "teacher_id" not in read.frame or len(read.frame) < 2:
        return []
    distinct = [c for c in read.spec.title_distinct_by if c in read.frame]
    df = read.frame.loc[verdict.ok, ["teacher_id", "date", title, *distinct]]
    df = df[df["teacher_id"].notna() & df["date"].notna()]
    keys = pd.DataFrame({"teacher_id": df["teacher_id"], "date": df["date"], "title": title_key(df[title])})
    for col in distinct:
        keys[col] = title_key(df[col]).fillna("")
    keys = keys[keys["title"].notna()]
    cols = list(keys.columns)
    dup = keys.duplicated(subset=cols, keep=False)
    if not dup.any():
        return []
    keys = keys[dup]
    rows = pd.Series(keys.index.astype("int64"), index=keys.index)
    first = rows.groupby(keys.groupby(cols, sort=False).ngroup()).transform("min")
    later = rows != first
    pairs = list(zip(rows[later].tolist(), first[later].tolist()))  # (row left out, the row counted)
    others: dict[int, list[str]] = {}
    for r, f in pairs:
        others.setdefault(f, []).append(str(r))
    place, raw = read.places[title], read.raw[title]
    header, letter = place.header, place.letter
    out = [LikelyDuplicateCounted.at(sheet, row=f, cell=f"{letter}{f}", column=header, value=v,
                                     other_rows="、".join(left), title_column=header)
           for (f, left), v in zip(others.items(), typed_at(raw, others))]
    out += [LikelyDuplicate.at(sheet, row=r, cell=f"{letter}{r}", column=header, value=v,
                               drops_row=True, first_row=f, title_column=header)
            for (r, f), v in zip(pairs, typed_at(raw, [r for r, _ in pairs]))]
    return out


def _units(s: pd.Series) -> Parsed:
    return Parsed(number_unit(s), pd.Series(False, index=s.index))


def check_units(read: SheetRead, sheet: str) -> list[Finding]:
    """A number typed with a unit that belongs to another column (`8人` in 学时): read as the number, since
    people add units freely (docs/SPEC.md), but said, because it often means the value went in the wrong column."""
    out: list[Finding] = []
    for col in read.spec.columns:
        if not col.units or col.key not in read.raw:
            continue
        raw = read.raw[col.key]
        cells = raw.to_numpy()
        text = raw[np.fromiter((type(v) is str for v in cells), dtype=bool, count=len(cells))]
        if text.empty:
            continue
        distinct = pd.Series(text.unique(), dtype="object")
        units = PARSES.apply("number-unit", _units, distinct).values
        other = (units != "") & ~units.isin(col.units)
        if not other.any():  # the usual book: every unit typed is one of the column's own
            continue
        wrong = dict(zip(distinct[other], units[other]))
        numbers = read.frame[col.key]
        rows = text.index[text.isin(list(wrong)) & numbers.reindex(text.index).notna()]
        shown = "、".join(col.units[:4])
        out += _at(read, sheet, col.key, rows, UnexpectedUnit,
                   params_of=lambda r: {"unit": wrong[read.raw.at[r, col.key]], "units": shown,
                                        "number": plain_number(numbers[r])})
    return out
