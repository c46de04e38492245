"""Cross-row and cross-sheet checks, run after every sheet is normalised.

Each check looks at whole columns at once and only returns findings: which rows count is decided
once from all of them (engine.verdict). A check that looks only at rows still counting is handed
them by the caller, judged from the findings so far.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pandas as pd

from ..contract.findings import (
    DateOrder,
    DateOutsideYear,
    DuplicateRow,
    DuplicateTeacherId,
    Finding,
    FindingType,
    InvalidTeacherId,
    NameMismatch,
    SelfMentor,
    TooManyHours,
    UnknownMentor,
    UnknownObservedTeacher,
    UnknownRuleId,
    UnexpectedUnit,
    UnknownTeacher,
    plain_number,
)
from .normalize import number_unit, to_halfwidth
from .sheet_frame import SheetRead
from .verdict import Verdict

MAX_HOURS_PER_DAY = 12


def _at(read: SheetRead, sheet: str, key: str, rows: pd.Index, kind: type[FindingType],
        values: pd.Series | None = None, params_of: Callable[[Any], dict[str, Any]] | None = None) -> list[Finding]:
    place = read.places.get(key)
    if place is None:
        return []
    raw = read.raw[key] if key in read.raw else pd.Series(dtype=object)
    out = []
    drops_row = read.drops_row(key)
    for r in rows:
        value = raw.get(r, "") if values is None else values[r]
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
    known = roster[roster["teacher_id"].notna()].drop_duplicates("teacher_id").set_index("teacher_id")["name"]
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
    typed = read.raw[cols[0]]
    return [DuplicateRow.from_row(sheet, int(r), first_row=int(first[r]), value=typed.get(r, ""))
            for r in df.index[dup]]


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
    df = read.frame
    findings = _date_order(read, sheet, "start", "end")
    if not rule_ids or "rule_id" not in read.places:
        return findings
    rid = df["rule_id"].astype("object").str.strip().str.upper()
    unknown = rid.notna() & ~rid.isin({r.upper() for r in rule_ids})
    return findings + _at(read, sheet, "rule_id", df.index[unknown], UnknownRuleId)


def check_units(read: SheetRead, sheet: str) -> list[Finding]:
    """A number typed with a unit that belongs to another column (`8人` in 学时): read as the number, since
    people add units freely (SPEC), but said, because it often means the value went in the wrong column."""
    out: list[Finding] = []
    for col in read.spec.columns:
        if not col.units or col.key not in read.raw:
            continue
        raw = read.raw[col.key]
        text = raw[raw.map(type) == str]
        if text.empty:
            continue
        distinct = pd.Series(text.unique(), dtype="object")
        units = number_unit(distinct)
        wrong = dict(zip(distinct[(units != "") & ~units.isin(col.units)], units[(units != "") & ~units.isin(col.units)]))
        numbers = read.frame[col.key]
        rows = text.index[text.isin(list(wrong)) & numbers.reindex(text.index).notna()]
        shown = "、".join(col.units[:4])
        out += _at(read, sheet, col.key, rows, UnexpectedUnit,
                   params_of=lambda r: {"unit": wrong[read.raw.at[r, col.key]], "units": shown,
                                        "number": plain_number(numbers[r])})
    return out
