"""A whole realistic school year, typed the way staff type: the test bed for alerts on a real calendar.

The 2025-2026 year of a 40-teacher primary school (实验小学) on China's national calendar (the template's
校历: 国庆 10/1-10/8 with 9/28 and 10/11 worked, 元旦, the Spring Festival, 清明, 劳动节, 端午; the second
semester starting 3/2). Every record is dated on a school day up to ``as_of`` (default 2025-12-15,
mid-December, as in issue 18's trial); ``as_of=date(2026, 7, 31)`` gives the whole year, with the
summer training in July.

The cast the tests look at (:data:`CAST`):
- ``left``: transferred out on 2025-11-14 (离校日期); observed 7 lessons by then;
- ``joined``: transferred in on 2025-10-20 (入校日期);
- ``maternity``: on maternity leave from 2025-10-08 to 2026-02-28 (豁免, every rule, 原因 产假);
- ``slackers``: observe about half the lessons they should (the real 未达标);
- ``skipping_group``: a 备课组 that also skipped one ordinary week (11/10-11/16): its one real R17 failure.
Every 备课组 meets once in each week with at least three school days, and skips the weeks with fewer
(the National Day week has two), as real groups do.

Credits come as they do in a real school: a monthly 校本研修 session (2 学时), some 网络研修 and
外出培训 with 天数, and the July summer training (30 学时) that brings most teachers to 40 学分.

Cells are typed the messy ways docs/SPEC.md lists (``2025/9/3``, ``9月3日``, serial numbers as text, ``1001.0``,
`` 1001 ``, ``2学时``, full-width digits, ``√``, ``本校``), all of which the reader understands.
Deterministic for a given ``seed``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from ..contract.schema import SHEETS
from ..doors.template.book_content import BookContent, SheetContent
from ..doors.template.master import build_master
from ..contract.national_calendar import national_year
from .typed_variants import typed_record

YEAR = "2025-2026"
SCHOOL = "实验小学"
AS_OF = date(2025, 12, 15)
NATIONAL = national_year(2025)
DATES = NATIONAL.dates
SEMESTERS = ((DATES.sem1_start, DATES.sem1_end), (DATES.sem2_start, DATES.sem2_end))
SUMMER_TRAINING = [date(2026, 7, 13) + timedelta(days=i) for i in range(5)]

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红建文辉力婷雪梅琳晨宇浩然欣怡"
# 教研组 -> (subject, its 备课组, how many teachers)
GROUPS = {
    "语文组": ("语文", ("语文低段备课组", "语文高段备课组"), 12),
    "数学组": ("数学", ("数学低段备课组", "数学高段备课组"), 12),
    "英语组": ("英语", ("英语备课组",), 8),
    "综合组": ("科学", ("综合备课组",), 8),
}
R18_TYPES = ("跨学科", "跨学段", "跨校", "数字化教研")


@dataclass(frozen=True, slots=True)
class Cast:
    left: str = "1014"
    left_on: date = date(2025, 11, 14)
    joined: str = "1039"
    joined_on: date = date(2025, 10, 20)
    maternity: str = "1022"
    maternity_from: date = date(2025, 10, 8)
    maternity_to: date = date(2026, 2, 28)
    slackers: tuple[str, ...] = ("1005", "1017", "1028", "1033")
    middle: tuple[str, ...] = ("1001", "1013", "1025", "1033")  # 中层
    novices: tuple[str, ...] = ("1012", "1024", "1032", "1040")  # 教龄 <= 5, each with a mentor
    skipping_group: str = "综合备课组"
    skipped_week: date = date(2025, 11, 10)


CAST = Cast()


def school_days(start: date, end: date) -> list[date]:
    """The school days between ``start`` and ``end`` by the national calendar, inside the semesters."""
    off = {d for ln in NATIONAL.lines if ln.kind != "调休上班" for d in ln.days()}
    extra = {d for ln in NATIONAL.lines if ln.kind == "调休上班" for d in ln.days()}
    out = []
    d = start
    while d <= end:
        in_sem = any(a <= d <= b for a, b in SEMESTERS)
        if in_sem and ((d.weekday() < 5 and d not in off) or d in extra):
            out.append(d)
        d += timedelta(days=1)
    return out


@dataclass(slots=True)
class _Teacher:
    id: str
    name: str
    group: str
    lesson_group: str
    roles: str
    mentor: str
    work_start: date
    join: date | None = None
    leave: date | None = None

    def span(self, as_of: date) -> tuple[date, date]:
        """The days this teacher works here (and is not on leave) up to ``as_of``."""
        start = max(self.join or DATES.start, DATES.start)
        end = min(self.leave or as_of, as_of)
        if self.id == CAST.maternity:
            end = min(end, CAST.maternity_from - timedelta(days=1))
        return start, end


def realistic_year(path: str | Path, *, seed: int = 0, as_of: date = AS_OF, macros: bool = False) -> Path:
    """Write the book (.xlsx, or .xlsm with ``macros``) and return its path."""
    rng = random.Random(seed)
    roster = _roster(rng)
    days = school_days(DATES.start, as_of)
    records = {
        "trainings": _trainings(rng, roster, days, as_of),
        "observations": _observations(rng, roster, as_of),
        "reading": _reading(rng, roster, as_of),
        "outputs": _outputs(rng, roster, as_of),
        "activities": _activities(rng, roster, as_of),
    }
    sheets = {key: SheetContent(rows=[_cells(key, typed_record(rng, key, r)) for r in rows])
              for key, rows in records.items()}
    sheets["teachers"] = SheetContent(rows=[_cells("teachers", _roster_record(t)) for t in roster])
    sheets["exemptions"] = SheetContent(rows=[[CAST.maternity, "", CAST.maternity_from, CAST.maternity_to, "产假"]])
    content = BookContent(sheets=sheets, settings={"学校名称": SCHOOL, "统计截止日": as_of})
    return build_master(Path(path), year=YEAR, school=SCHOOL, data=content, macros=macros)


def _cells(key: str, record: dict[str, Any]) -> list[Any]:
    return [record.get(c.key) for c in SHEETS[key].columns]


# -- roster ------------------------------------------------------------------------------------

def _roster(rng: random.Random) -> list[_Teacher]:
    out: list[_Teacher] = []
    n = 0
    names: set[str] = set()
    for group, (_, lesson_groups, size) in GROUPS.items():
        for k in range(size):
            n += 1
            tid = f"{1000 + n}"
            name = ""
            while not name or name in names:
                name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
            names.add(name)
            novice = tid in CAST.novices
            roles = [r for r, p in (("班主任", 0.5), ("骨干", 0.15)) if rng.random() < p]
            if tid in CAST.middle:
                roles.append("中层")
            if novice:
                roles.insert(0, "新教师")
            work = date(rng.randint(2022, 2024) if novice else rng.randint(1992, 2018), 8, 28)
            out.append(_Teacher(tid, name, group, lesson_groups[k % len(lesson_groups)],
                                rng.choice(("、", "，", " ", "/")).join(roles), "", work))
    by_group: dict[str, list[_Teacher]] = {}
    for t in out:
        by_group.setdefault(t.group, []).append(t)
    for t in out:
        if t.id in CAST.novices:  # a senior colleague of the same group
            t.mentor = next(c.id for c in by_group[t.group] if c.id not in CAST.novices and c.id != CAST.left)
        if t.id == CAST.left:
            t.leave = CAST.left_on
        if t.id == CAST.joined:
            t.join = CAST.joined_on
    return out


def _roster_record(t: _Teacher) -> dict[str, Any]:
    born = date(t.work_start.year - 22, 3 + int(t.id) % 9, 1 + int(t.id) % 27)
    return dict(teacher_id=t.id, name=t.name, gender="女" if int(t.id) % 3 else "男", birth_date=born,
                work_start=t.work_start, teaching_group=t.group, lesson_group=t.lesson_group, roles=t.roles,
                mentor_id=t.mentor, join_date=t.join, leave_date=t.leave)


# -- log sheets ---------------------------------------------------------------------------------

def _months(start: date, end: date) -> list[tuple[date, date]]:
    out, d = [], date(start.year, start.month, 1)
    while d <= end:
        nxt = date(d.year + (d.month == 12), d.month % 12 + 1, 1)
        out.append((max(d, start), min(nxt - timedelta(days=1), end)))
        d = nxt
    return out


def _pick(rng: random.Random, start: date, end: date) -> date | None:
    days = school_days(start, end)
    return rng.choice(days) if days else None


def _trainings(rng: random.Random, roster: list[_Teacher], days: list[date], as_of: date) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []

    def row(t: _Teacher, d: date, title: str, category: str, level: str, hours: float, n_days: int | None = None):
        attendance = "请假" if rng.random() < 0.03 else "出勤"
        rows.append(dict(date=d, teacher_id=t.id, name=t.name, title=title, category=category, level=level,
                         hours=hours, attendance=attendance, days=n_days))

    for a, b in _months(DATES.start, as_of):
        d = next((x for x in school_days(a + timedelta(days=14), b) if x.weekday() == 2), None)  # a Wednesday
        for t in roster:
            s, e = t.span(as_of)
            if d is not None and s <= d <= e:
                row(t, d, f"{d.month}月校本研修：课堂观察与评价", "校本研修", "校级", 2)
    for t in roster:
        s, e = t.span(as_of)
        own = school_days(s, e)
        for d in rng.sample(own, min(len(own), rng.randint(1, 3))):  # on different days: one course a day
            row(t, d, "国培计划网络研修", "网络研修", "国家级", rng.choice((4, 6, 8)))
        if rng.random() < 0.4 and (d := _pick(rng, s, e)) is not None:
            n = rng.choice((1, 2))
            row(t, d, "区级骨干教师外出培训", "外出培训", "区级", 6 * n, n)
        for d in SUMMER_TRAINING:
            if d <= e and (t.leave is None or d <= t.leave):
                row(t, d, "暑期教师集中培训", "通识培训", "校级", 6)
    rows.sort(key=lambda r: (r["date"], r["teacher_id"]))
    return rows


def _observations(rng: random.Random, roster: list[_Teacher], as_of: date) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    by_id = {t.id: t for t in roster}
    apprentices: dict[str, list[_Teacher]] = {}
    for t in roster:
        if t.mentor:
            apprentices.setdefault(t.mentor, []).append(t)
    for t in roster:
        s, e = t.span(as_of)
        for a, b in SEMESTERS:
            days = school_days(max(a, s), min(b, e))
            if not days:
                continue
            share = len(days) / len(school_days(a, b))
            per_sem = 32 if "中层" in t.roles else 22
            if t.id in CAST.slackers:
                per_sem = 10
            if t.id == CAST.left:
                per_sem = 14  # 7 by 11-14: short of the 10 the days in post ask
            count = min(len(days), round(per_sem * share))
            # a mentor hears each apprentice 12 times a semester (R11), an apprentice the mentor most often (R10)
            planned = [a for a in apprentices.get(t.id, []) for _ in range(round(12 * share))]
            for k, d in enumerate(sorted(rng.sample(days, min(len(days), max(count, len(planned)))))):
                if k < len(planned):
                    who = planned[k]
                elif t.mentor and rng.random() < 0.7:
                    who = by_id[t.mentor]
                else:
                    who = rng.choice([c for c in roster if c.id != t.id and c.group == t.group])
                inside = who.id == t.mentor or who.mentor == t.id or rng.random() < 0.75
                rows.append(dict(date=d, teacher_id=t.id, name=t.name,
                                 taught_by=who.name if inside else "兄弟学校张老师",
                                 subject=GROUPS[who.group][0], topic="第三单元", lesson_type="推门课" if inside else "公开课",
                                 location="校内" if inside else "校外", comment_chars=rng.choice((300, 500, 800))))
    rows.sort(key=lambda r: (r["date"], r["teacher_id"]))
    return rows


def _reading(rng: random.Random, roster: list[_Teacher], as_of: date) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for t in roster:
        s, e = t.span(as_of)
        for a, b in SEMESTERS:
            if (d := _pick(rng, max(a, s), min(b, e))) is not None:
                rows.append(dict(teacher_id=t.id, date=d, title="《给教师的建议》", type="必读书目", chars=1500))
            for ma, mb in _months(max(a, s), min(b, e)):
                if (d := _pick(rng, ma, mb)) is not None:
                    rows.append(dict(teacher_id=t.id, date=d, title="《人民教育》", type="教育刊物", chars=600))
            cur = a
            while cur <= min(b, e):  # one 读书导研单 in each fortnight counted from the semester's start
                if (d := _pick(rng, max(cur, s), min(cur + timedelta(days=13), b, e))) is not None:
                    rows.append(dict(teacher_id=t.id, date=d, title="读书导研单", type="读书导研单", chars=300))
                cur += timedelta(days=14)
    rows.sort(key=lambda r: (r["date"], r["teacher_id"]))
    return rows


def _outputs(rng: random.Random, roster: list[_Teacher], as_of: date) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for t in roster:
        s, e = t.span(as_of)
        for a, b in SEMESTERS:
            lo, hi = max(a, s), min(b, e)
            if t.id in CAST.novices:
                for ma, mb in _months(lo, hi):
                    if (d := _pick(rng, ma, mb)) is not None:
                        rows.append(dict(teacher_id=t.id, date=d, type="教育随笔", title="我的课堂故事"))
                if (d := _pick(rng, lo, hi)) is not None:
                    rows.append(dict(teacher_id=t.id, date=d, type="公开课", level="校级", title="汇报课"))
            if "中层" in t.roles:
                for _ in range(2):
                    if (d := _pick(rng, lo, hi)) is not None:
                        rows.append(dict(teacher_id=t.id, date=d, type="讲座", level="校级", title="校本研修讲座"))
    rows.sort(key=lambda r: (r["date"], r["teacher_id"]))
    return rows


def _activities(rng: random.Random, roster: list[_Teacher], as_of: date) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for group, (_, lesson_groups, size) in GROUPS.items():
        for a, b in SEMESTERS:
            for ma, mb in _months(a, min(b, as_of)):
                if (d := _pick(rng, ma, mb)) is not None:
                    rows.append(dict(date=d, group=group, type="主题教研", speaker="组长", attendees=size))
            for i, kind in enumerate(R18_TYPES):
                if (d := _pick(rng, a + timedelta(days=20 * i), min(b, as_of))) is not None:
                    rows.append(dict(date=d, group=group, type=kind, speaker="组长", attendees=size))
            for lg in lesson_groups:
                monday = a - timedelta(days=a.weekday())
                while monday <= min(b, as_of):
                    week = school_days(max(monday, a), min(monday + timedelta(days=6), b, as_of))
                    skip = lg == CAST.skipping_group and monday == CAST.skipped_week
                    if len(week) >= 3 and not skip:  # a holiday week is skipped, as real groups do
                        rows.append(dict(date=week[min(2, len(week) - 1)], group=lg, type="集体备课",
                                         speaker="备课组长", attendees=size // len(lesson_groups)))
                    monday += timedelta(days=7)
    rows.sort(key=lambda r: (r["date"], r["group"]))
    return rows


if __name__ == "__main__":  # python -m cpdsheets.samples.realistic_year OUT.xlsx
    import sys

    print(realistic_year(sys.argv[1] if len(sys.argv) > 1 else "realistic_year.xlsx"))
