"""Teacher attributes the condition language can test, derived from the roster.

One row per roster teacher (valid rows only), columns named by the ``t:`` keys of
``contract.conditions.TEACHER_ATTRIBUTES`` so they can be joined onto any sheet's rows:
age and 教龄 are whole years at the school year's start (NaN when the date is unknown).
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from ..contract.findings import AttributeUnknown, Finding, bilingual
from ..contract.policy import Rule
from ..contract.texts import Catalogue, Text
from .filters import attributes_used
from .sheet_frame import SheetRead

ROSTER_WORDS = Catalogue("roster attributes", {
    "age": ("年龄", "age"),
    "length-of-service": ("教龄", "length of service"),
    "mentor-pairing": ("师徒关系", "mentor pairing"),
})

# Roster columns the condition language's attributes come from, and what is unknown without them.
ATTRIBUTE_SOURCES: dict[str, tuple[frozenset[str], Text]] = {
    "birth_date": (frozenset({"t:age"}), ROSTER_WORDS["age"]),
    "work_start": (frozenset({"t:seniority"}), ROSTER_WORDS["length-of-service"]),
    "mentor_id": (frozenset({"t:has_mentor", "t:is_mentor", "t:mentor", "t:mentor_name", "t:apprentice"}),
                  ROSTER_WORDS["mentor-pairing"]),
}


def teacher_attributes(teachers: pd.DataFrame, year_start: date) -> pd.DataFrame:
    t = teachers.drop_duplicates("teacher_id").reset_index(drop=True)
    ids = t["teacher_id"].astype("object")
    mentor = t["mentor_id"].astype("object").where(t["mentor_id"].notna() & (t["mentor_id"] != ids), pd.NA)
    names = pd.Series(t["name"].to_numpy(), index=ids.to_numpy())
    apprentices = (
        pd.DataFrame({"mentor": mentor, "apprentice": ids}).dropna()
        .groupby("mentor")["apprentice"].agg(lambda s: "、".join(sorted(s)))
    )
    out = pd.DataFrame({
        "teacher_id": ids,
        "t:teacher_id": ids,
        "t:name": t["name"],
        "t:gender": t["gender"],
        "t:teaching_group": t["teaching_group"],
        "t:lesson_group": t["lesson_group"],
        "t:roles": t["roles"].fillna("").astype("object"),
        "t:mentor": mentor,
        "t:mentor_name": mentor.map(names).astype("object"),
        "t:has_mentor": mentor.notna().to_numpy(),
        "t:apprentice": ids.map(apprentices).astype("object").where(ids.isin(apprentices.index), ""),
        "t:age": whole_years(t["birth_date"], year_start),
        "t:seniority": whole_years(t["work_start"], year_start),
        "join_date": t["join_date"],
        "leave_date": t["leave_date"],
    })
    out["t:is_mentor"] = out["t:apprentice"] != ""
    return out


def whole_years(born: pd.Series, at: date) -> pd.Series:
    b = pd.to_datetime(born)
    years = at.year - b.dt.year
    before_birthday = (b.dt.month > at.month) | ((b.dt.month == at.month) & (b.dt.day > at.day))
    return (years - before_birthday.astype("float64")).astype("float64")


def mentor_pairs(attrs: pd.DataFrame) -> pd.DataFrame:
    """(mentor_id, apprentice_id, apprentice_name) for every apprentice whose mentor is in the roster."""
    known = set(attrs["teacher_id"])
    pairs = attrs.loc[attrs["t:mentor"].notna(), ["t:mentor", "teacher_id", "t:name"]]
    pairs = pairs[pairs["t:mentor"].isin(known)]
    return pairs.rename(columns={"t:mentor": "mentor_id", "teacher_id": "apprentice_id",
                                 "t:name": "apprentice_name"}).reset_index(drop=True)


def group_names(attrs: pd.DataFrame, column: str) -> list[str]:
    """The distinct non-blank 教研组 / 备课组 names of the roster, sorted."""
    s = attrs[column].dropna().astype(str).str.strip()
    return sorted(set(s[s != ""]))



def attribute_findings(read: SheetRead | None, sheet: str, rules: list[Rule]) -> list[Finding]:
    """A teacher whose roster cell could not be read stays in every result; each rule that needs the
    attribute it gives (教龄 from 参加工作时间…) cannot tell whether it applies, and says so here."""
    if read is None or not read.blanked:
        return []
    needs = [(r.rule_id, attributes_used(r.applies_to) | attributes_used(r.condition)) for r in rules]
    df = read.frame
    out: list[Finding] = []
    for key, rows in read.blanked.items():
        if key not in ATTRIBUTE_SOURCES:
            continue
        attrs, label = ATTRIBUTE_SOURCES[key]
        affected = [rule_id for rule_id, used in needs if used & attrs]
        place = read.places.get(key)
        if not affected or place is None:
            continue
        for r in rows:
            if not df.at[r, "_ok"]:
                continue
            name = df.at[r, "name"]
            out.append(AttributeUnknown.at(sheet, row=int(r), cell=f"{place.letter}{r}", column=place.header,
                                           value=read.raw[key].get(r, ""), teacher_id=df.at[r, "teacher_id"],
                                           name=name if isinstance(name, str) else "", attribute=label,
                                           rules=bilingual("、".join(affected), ", ".join(affected))))
    return out
