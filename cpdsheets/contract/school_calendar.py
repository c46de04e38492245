"""The school calendar (校历): the days inside the semesters with no school, and the weekend days with it.

A school day is a Monday-Friday inside a semester, unless a line of the calendar says 放假 (a national
holiday) or 学校停课 (the school's own closure); a Saturday or Sunday is a school day when a line says
调休上班 (the State Council's make-up workday). Windows (周/双周/月) are measured in these days, and so
is pace in an open period (docs/SPEC.md, "School calendar").

The calendar is a block of the 规则 sheet (``校历日期 | 类型 | 说明``), one line per day or span, which
staff edit in Excel; ``cpdsheets new --year`` and ``bind`` fill it from the official schedule.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Final, Literal

from pydantic import BaseModel, ConfigDict

DayKind = Literal["放假", "调休上班", "学校停课"]
HOLIDAY: Final = "放假"
WORKDAY: Final = "调休上班"
CLOSURE: Final = "学校停课"
DAY_KINDS: tuple[str, ...] = (HOLIDAY, WORKDAY, CLOSURE)
# What staff type in the 类型 column (compared after header-style folding), for each kind.
DAY_KIND_WORDS: dict[str, DayKind] = {
    **dict.fromkeys(["放假", "假期", "节假日", "法定假日", "法定节假日", "休假", "休息", "holiday", "off"], HOLIDAY),
    **dict.fromkeys(["调休上班", "调休", "上班", "补班", "补课", "调休补班", "上课", "workday", "makeupday"], WORKDAY),
    **dict.fromkeys(["学校停课", "停课", "校内停课", "学校放假", "closure", "closed", "schoolclosure"], CLOSURE),
}
# The block's headers: (date column names, kind column names, note column names).
CALENDAR_HEADERS: tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]] = (
    ("校历日期", "校历", "日期", "起止日期", "日期起止", "日期/起止", "起止", "calendardate", "date", "dates"),
    ("类型", "校历类型", "安排", "daytype", "type", "kind"),
    ("说明", "备注", "名称", "note", "notes"),
)
CALENDAR_HEADER_WRITTEN = ("校历日期", "类型", "说明")


class CalendarLine(BaseModel):
    """One line of the calendar: ``start``..``end`` inclusive (one day: equal). ``cell`` is where it was
    read (A1 of its date cell; empty for a line that came from code)."""

    model_config = ConfigDict(frozen=True)

    start: date
    end: date
    kind: DayKind
    note: str = ""
    cell: str = ""

    def days(self) -> list[date]:
        return [self.start + timedelta(days=i) for i in range((self.end - self.start).days + 1)]


class SchoolCalendar(BaseModel):
    """The lines of the 校历 block. ``given`` is False for a book without the block: then every weekday
    inside a semester is a school day (an old book keeps its numbers until the calendar is added)."""

    lines: tuple[CalendarLine, ...] = ()
    given: bool = False

    def off_days(self) -> frozenset[date]:
        return frozenset(d for line in self.lines if line.kind != WORKDAY for d in line.days())

    def workdays(self) -> frozenset[date]:
        return frozenset(d for line in self.lines if line.kind == WORKDAY for d in line.days())

    def is_school_day(self, day: date) -> bool:
        """Whether ``day`` has school by the weekday and the lines (semesters are the caller's)."""
        if day in self.workdays():
            return True
        return day.weekday() < 5 and day not in self.off_days()
