"""The demo school's people: a fictional primary school, 12 teachers, one exemption.

Chosen so every kind of teacher the rules care about is present: 中层 (R04, R05, R14), 班主任,
新教师 with 教龄 ≤ 5 (R12, R13), a mentor with two apprentices (R10, R11), a teacher who joined
mid-year, one who left, and one on maternity leave (exempt from every rule).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from .demo_calendar import AS_OF, YEAR_END, YEAR_START

SCHOOL = "青禾路小学"


@dataclass(frozen=True, slots=True)
class Teacher:
    id: str
    name: str
    gender: str
    born: date
    work_start: date
    group: str  # 教研组
    lesson_group: str  # 备课组
    roles: str  # as typed in the roster: separators vary on purpose
    mentor: str = ""
    joined: date | None = None
    left: date | None = None

    @property
    def is_manager(self) -> bool:
        return "中层" in self.roles

    @property
    def is_novice(self) -> bool:  # 教龄 ≤ 5
        return (AS_OF - self.work_start).days < 5 * 365


ROSTER: tuple[Teacher, ...] = (
    Teacher("1001", "陈建国", "男", date(1972, 3, 15), date(1993, 8, 20), "语文组", "高段语文备课组", "中层、学科带头人"),
    Teacher("1002", "李秀英", "女", date(1980, 6, 2), date(2001, 8, 25), "数学组", "高段数学备课组", "中层,骨干"),
    Teacher("1003", "王莉", "女", date(1985, 11, 20), date(2007, 8, 28), "语文组", "低段语文备课组", "班主任、骨干"),
    Teacher("1004", "张伟", "男", date(1983, 4, 9), date(2005, 8, 30), "数学组", "低段数学备课组", "班主任"),
    Teacher("1005", "刘芳", "女", date(1988, 9, 12), date(2010, 8, 26), "英语组", "英语备课组", "班主任"),
    Teacher("1006", "杨帆", "男", date(1986, 1, 30), date(2009, 8, 27), "综合组", "综合备课组", "骨干"),
    Teacher("1007", "赵敏", "女", date(1990, 7, 7), date(2012, 8, 28), "英语组", "英语备课组", "班主任"),
    Teacher("1008", "黄志强", "男", date(1979, 12, 1), date(2000, 8, 25), "综合组", "综合备课组", "",
            left=date(2026, 1, 23)),
    Teacher("1009", "周婷", "女", date(2000, 5, 18), date(2023, 8, 28), "语文组", "低段语文备课组", "新教师 班主任",
            mentor="1003"),
    Teacher("1010", "吴昊", "男", date(2001, 10, 3), date(2024, 8, 26), "数学组", "低段数学备课组", "新教师"),
    Teacher("1011", "徐静", "女", date(1999, 2, 14), date(2022, 8, 29), "语文组", "高段语文备课组", "新教师；班主任",
            mentor="1003"),
    Teacher("1012", "孙磊", "男", date(1994, 8, 21), date(2017, 8, 28), "数学组", "高段数学备课组", "班主任",
            joined=date(2025, 11, 10)),
)
BY_ID = {t.id: t for t in ROSTER}
TEACHING_GROUPS = ("语文组", "数学组", "英语组", "综合组")
LESSON_GROUPS = ("低段语文备课组", "高段语文备课组", "低段数学备课组", "高段数学备课组", "英语备课组", "综合备课组")
SUBJECT_OF_GROUP = {"语文组": "语文", "数学组": "数学", "英语组": "英语", "综合组": "科学"}

# (工号, 规则编号, 开始, 结束, 原因): 赵敏 on maternity leave from March.
EXEMPTIONS = (("1007", "", date(2026, 3, 1), date(2026, 6, 30), "产假"),)


def active_span(t: Teacher) -> tuple[date, date]:
    """The days up to the as-of date on which a teacher is in post and not exempt (one span here:
    the only exemption runs past the as-of date)."""
    start = t.joined or YEAR_START
    end = min(t.left or YEAR_END, AS_OF)
    for tid, _rule, ex_start, _ex_end, _why in EXEMPTIONS:
        if tid == t.id:
            end = min(end, ex_start - timedelta(days=1))
    return start, end


def active_on(t: Teacher, day: date) -> bool:
    start, end = active_span(t)
    return start <= day <= end
