"""The records of `school_records`, written into the canonical template and into three books shaped
the way schools keep their own, each by a different writer:

- ``semesters`` (xlsxwriter): 教职工名单, one 听课登记 per semester under a merged title row, 培训登记,
  读书登记, 成果登记, 教研活动记录; people by name only (听课教师, 读者, 师傅, 姓名);
- ``grid`` (openpyxl): 教师花名册 and a 校本培训签到表 (two merged title rows, stacked 日期 / 项目 / 学时
  rows with merged cells, one row per teacher, √ 到 假 缺 or blank); the other trainings and logs as
  plain sheets;
- ``per_teacher`` (openpyxl, then re-saved by LibreOffice): 教职工名单, one tab per teacher holding the
  lessons that teacher heard (tab named after the teacher, `教师：王芳` in A1, no teacher column),
  and the other logs as plain sheets.

Every book holds every record (the sign-in grid's blank mark is absence, written 缺勤 in the others),
so each gives the credits and alerts of the canonical book.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from datetime import date
from pathlib import Path
from typing import Any, Callable, Iterable

from ..doors.template.book_content import BookContent, SheetContent
from ..doors.template.master import build_master
from .school_records import SCHOOL, SEMESTERS, YEAR, Records, Teacher, school_records

SHAPES = ("semesters", "grid", "per_teacher")


def _month(d: date) -> str:
    return f"{d.year}.{d.month:02d}"


def _dotted(d: date | str) -> str:
    return d if isinstance(d, str) else f"{d.year}.{d.month}.{d.day}"


# -- the canonical template --------------------------------------------------------------------------

def canonical_content(rec: Records) -> BookContent:
    """The records as the template's own sheets hold them (工号 everywhere, contract headers)."""
    def sheet(headers: list[str], rows: Iterable[list[Any]]) -> SheetContent:
        return SheetContent(rows=list(rows), headers=headers)

    return BookContent(sheets={
        "teachers": sheet(["工号", "姓名", "性别", "出生日期", "参加工作时间", "教研组", "岗位", "师傅工号"],
                          ([t.id, t.name, t.gender, t.born, t.work_start, t.group, t.roles, t.mentor or None]
                           for t in rec.teachers)),
        "trainings": sheet(["日期", "工号", "姓名", "项目名称", "类别", "级别", "学时", "考勤", "天数"],
                           ([r.date, r.teacher, rec.name_of(r.teacher), r.title, r.category, r.level, r.hours,
                             r.attendance, r.days] for r in rec.trainings)),
        "observations": sheet(["日期", "听课人工号", "听课人", "授课教师", "学科", "课题", "地点", "评课字数"],
                              ([r.date, r.observer, rec.name_of(r.observer), r.taught_by, r.subject, r.topic,
                                r.location, r.chars] for r in rec.observations)),
        "reading": sheet(["工号", "日期", "书刊名称", "类型", "字数"],
                         ([r.reader, r.date, r.title, r.type, r.chars] for r in rec.reading)),
        "outputs": sheet(["工号", "日期", "类型", "级别", "题目"],
                         ([r.teacher, r.date, r.type, r.level or None, r.title] for r in rec.outputs)),
        "activities": sheet(["日期", "组别", "类型", "主讲人", "人数"],
                            ([r.date, r.group, r.type, r.speaker, r.attendees] for r in rec.activities)),
    })


def write_canonical(path: Path, rec: Records) -> Path:
    return build_master(path, year=YEAR, school=SCHOOL, data=canonical_content(rec), macros=False)


# -- the school's sheets, as header + rows (shared by the three writers) --------------------------

Table = tuple[list[str], list[list[Any]]]


def roster_table(rec: Records) -> Table:
    return (["工号", "姓名", "性别", "出生年月", "参加工作年月", "教研组", "职务", "师傅"],
            [[t.id, t.name, t.gender, _month(t.born), _month(t.work_start), t.group, t.roles or None,
              rec.mentor_name(t) or None] for t in rec.teachers])


def observation_table(rec: Records, semester: int, dates: Callable[[date], Any]) -> Table:
    return (["听课时间", "听课教师", "执教教师", "学科", "课题", "听课地点", "笔记字数"],
            [[dates(r.date), rec.name_of(r.observer), r.taught_by, r.subject, r.topic, r.location, r.chars]
             for r in rec.observations if rec.semester_of(r.date) == semester])


def training_table(rec: Records, sessions_too: bool = True) -> Table:
    return (["培训日期", "姓名", "培训内容", "培训类别", "级别", "学时", "天数", "考勤"],
            [[r.date, rec.name_of(r.teacher), r.title, r.category, r.level, r.hours, r.days, r.attendance]
             for r in rec.trainings if sessions_too or not r.is_session])


def reading_table(rec: Records) -> Table:
    return (["读者", "日期", "书名", "类别", "字数"],
            [[rec.name_of(r.reader), r.date, r.title, r.type, r.chars] for r in rec.reading])


def output_table(rec: Records) -> Table:
    return (["姓名", "日期", "成果类型", "级别", "题目"],
            [[rec.name_of(r.teacher), r.date, r.type, r.level or None, r.title] for r in rec.outputs])


def activity_table(rec: Records) -> Table:
    return (["活动日期", "教研组", "活动形式", "主讲人", "参加人数"],
            [[r.date, r.group, r.type, r.speaker, r.attendees] for r in rec.activities])


def semester_title(semester: int) -> str:
    start = SEMESTERS[semester][0]
    return f"{start.year}{'秋季' if semester == 0 else '春季'}听课登记"


# -- semester sheets (xlsxwriter) ------------------------------------------------------------------

def write_semesters(path: Path, rec: Records) -> Path:
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False,
                                         "strings_to_urls": False})
    bold = wb.add_format({"bold": True, "border": 1, "align": "center"})
    title = wb.add_format({"bold": True, "font_size": 14, "align": "center"})
    day = wb.add_format({"num_format": "yyyy/m/d"})

    def table(name: str, t: Table, *, heading: str | None = None) -> None:
        ws = wb.add_worksheet(name)
        headers, rows = t
        top = 0
        if heading:
            ws.merge_range(0, 0, 0, len(headers) - 1, heading, title)
            top = 1
        ws.write_row(top, 0, headers, bold)
        ws.set_column(0, len(headers) - 1, 12)
        for r, values in enumerate(rows, start=top + 1):
            for c, v in enumerate(values):
                if isinstance(v, date):
                    ws.write_datetime(r, c, v, day)
                elif isinstance(v, str):
                    ws.write_string(r, c, v)
                elif v is not None:
                    ws.write_number(r, c, v)

    table("教职工名单", roster_table(rec))
    # Autumn's dates are real dates; spring's were typed as text `2025.3.12`.
    table("2024秋季听课登记", observation_table(rec, 0, lambda d: d), heading=semester_title(0) + "表")
    table("2025春季听课登记", observation_table(rec, 1, _dotted), heading=semester_title(1) + "表")
    table("培训登记", training_table(rec))
    table("读书登记", reading_table(rec))
    table("成果登记", output_table(rec))
    table("教研活动记录", activity_table(rec))
    wb.close()
    return path


# -- a sign-in grid (openpyxl) ------------------------------------------------------------------------

GRID_SHEET = "校本培训签到表"
GRID_FIRST_SESSION_COL = 3  # 1-based: A 工号, B 姓名, then one column per session


def write_grid(path: Path, rec: Records) -> Path:
    from openpyxl import Workbook  # type: ignore[import-untyped]
    from openpyxl.styles import Alignment, Font  # type: ignore[import-untyped]

    wb = Workbook()
    roster = wb.active
    roster.title = "教师花名册"
    roster.append(["序号", "工号", "姓名", "性别", "出生日期", "参加工作时间", "所在教研组", "岗位", "师傅姓名"])
    for n, t in enumerate(rec.teachers, start=1):
        roster.append([n, t.id, t.name, t.gender, t.born, t.work_start, t.group, t.roles or None,
                       rec.mentor_name(t) or None])
    for row in roster.iter_rows(min_row=2, min_col=5, max_col=6):
        for cell in row:
            cell.number_format = "yyyy-mm-dd"

    _grid_sheet(wb.create_sheet(GRID_SHEET), rec, Font, Alignment)
    _plain(wb.create_sheet("外出培训登记"),
           (["日期", "工号", "姓名", "培训项目", "类别", "级别", "学时", "天数"],
            [[r.date, r.teacher, rec.name_of(r.teacher), r.title, r.category, r.level, r.hours, r.days]
             for r in rec.trainings if not r.is_session]))
    _plain(wb.create_sheet("听课记录表"),
           (["日期", "听课人", "授课人", "学科", "课题", "地点", "评课字数"],
            [[r.date, rec.name_of(r.observer), r.taught_by, r.subject, r.topic, r.location, r.chars]
             for r in rec.observations]))
    _plain(wb.create_sheet("读书登记"), reading_table(rec))
    _plain(wb.create_sheet("成果登记"),
           (["工号", "姓名", "日期", "类型", "级别", "题目"],
            [[r.teacher, rec.name_of(r.teacher), r.date, r.type, r.level or None, r.title] for r in rec.outputs]))
    _plain(wb.create_sheet("教研活动"), activity_table(rec))
    wb.save(path)
    return path


def _grid_sheet(ws, rec: Records, Font, Alignment) -> None:
    """Two merged title rows; 日期 / 项目 / 学时 rows labelled in merged A:B cells (a day with two
    sessions has one merged date cell over both); the 工号 / 姓名 row; one row per teacher."""
    first = GRID_FIRST_SESSION_COL
    last = first + len(rec.sessions) - 1
    centre = Alignment(horizontal="center", vertical="center", wrap_text=True)
    ws.cell(1, 1, f"{SCHOOL}{YEAR}学年校本培训签到表").font = Font(bold=True, size=14)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=last)
    ws.cell(2, 1, "（√、到：出勤；假：请假；缺：缺勤；空白：未到）")
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=last)
    for row, label in ((3, "日期"), (4, "项目"), (5, "学时")):
        ws.cell(row, 1, label).alignment = centre
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=2)
    ws.cell(6, 1, "工号")
    ws.cell(6, 2, "姓名")
    col = first
    for n, (day, title, hours) in enumerate(rec.sessions):
        if n == 0 or rec.sessions[n - 1][0] != day:
            cell = ws.cell(3, col, day)
            cell.number_format = "yyyy.m.d"
            cell.alignment = centre
            span = sum(1 for s in rec.sessions if s[0] == day)
            if span > 1:
                ws.merge_cells(start_row=3, start_column=col, end_row=3, end_column=col + span - 1)
        ws.cell(4, col, title).alignment = centre
        ws.cell(5, col, hours)
        col += 1
    marks = {(r.teacher, r.date, r.title): r.mark for r in rec.trainings if r.is_session}
    for i, t in enumerate(rec.teachers, start=7):
        ws.cell(i, 1, t.id)
        ws.cell(i, 2, t.name)
        for c, (day, title, _) in enumerate(rec.sessions, start=first):
            mark = marks[(t.id, day, title)]
            if mark:
                ws.cell(i, c, mark).alignment = centre
    ws.freeze_panes = ws.cell(7, first)


def _plain(ws, t: Table) -> None:
    headers, rows = t
    ws.append(headers)
    for values in rows:
        ws.append(values)
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, date):
                cell.number_format = "yyyy-mm-dd"


# -- one tab per teacher (openpyxl, re-saved by LibreOffice) ----------------------------------------

PER_TEACHER_HEADERS = ["听课日期", "执教教师", "学科", "课题", "听课地点", "评课字数"]


def write_per_teacher(path: Path, rec: Records) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    roster = wb.active
    roster.title = "教职工名单"
    _plain(roster, roster_table(rec))
    for t in rec.teachers:
        _teacher_tab(wb.create_sheet(t.name), rec, t)
    _plain(wb.create_sheet("培训登记"), training_table(rec))
    _plain(wb.create_sheet("读书登记"), reading_table(rec))
    _plain(wb.create_sheet("成果登记"), output_table(rec))
    _plain(wb.create_sheet("教研活动记录"), activity_table(rec))
    with tempfile.TemporaryDirectory(prefix="cpdsheets-books-") as tmp:
        draft = Path(tmp) / path.name
        wb.save(draft)
        _libreoffice_resave(draft, path)
    return path


def _teacher_tab(ws, rec: Records, t: Teacher) -> None:
    ws.cell(1, 1, f"教师：{t.name}")
    ws.append(PER_TEACHER_HEADERS)
    for r in rec.observations:
        if r.observer == t.id:
            ws.append([r.date, r.taught_by, r.subject, r.topic, r.location, r.chars])
    for row in ws.iter_rows(min_row=3, max_col=1):
        row[0].number_format = "yyyy-mm-dd"


def _libreoffice_resave(src: Path, dest: Path) -> None:
    """`soffice --convert-to xlsx` with a profile of its own, so it never meets another soffice's."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        raise RuntimeError("LibreOffice (soffice) is needed to write the one-tab-per-teacher book")
    with tempfile.TemporaryDirectory(prefix="cpdsheets-lo-") as tmp:
        out = Path(tmp) / "out"
        profile = Path(tmp) / "profile"
        subprocess.run([soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to",
                        "xlsx:Calc MS Excel 2007 XML", "--outdir", str(out), str(src)],
                       check=True, capture_output=True, timeout=180, env={**os.environ, "HOME": tmp})
        shutil.move(str(out / src.name), dest)


# -- all of them ----------------------------------------------------------------------------------

WRITERS: dict[str, Callable[[Path, Records], Path]] = {
    "semesters": write_semesters, "grid": write_grid, "per_teacher": write_per_teacher,
}
FILE_NAMES = {"semesters": "城东小学听课培训登记.xlsx", "grid": "城东小学签到表.xlsx",
              "per_teacher": "城东小学每人一表.xlsx"}


def write_school_book(shape: str, folder: Path, rec: Records | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return WRITERS[shape](folder / FILE_NAMES[shape], rec or school_records())


def write_books(folder: Path, rec: Records | None = None) -> dict[str, Path]:
    """The canonical book and the three school books of one set of records, in ``folder``."""
    rec = rec or school_records()
    folder.mkdir(parents=True, exist_ok=True)
    books = {"canonical": write_canonical(folder / "城东小学模板.xlsx", rec)}
    books.update({shape: write_school_book(shape, folder, rec) for shape in SHAPES})
    return books


if __name__ == "__main__":
    import sys

    for shape, p in write_books(Path(sys.argv[1] if len(sys.argv) > 1 else "school_books")).items():
        print(f"{shape}: {p}")
