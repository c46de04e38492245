"""School-style books as schools keep them (their own sheet names, headers, title rows, a sign-in grid,
one tab per teacher), written with openpyxl or xlsxwriter, for the `bind` tests."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

ROSTER = [
    ["2024学年教职工名单"],
    ["工号", "姓名", "性别", "出生年月", "参加工作年月", "教研组", "师傅", "联系电话"],
    ["1001", "王芳", "女", "1985.3", "2008.9", "语文组", "", "13800000001"],
    ["1002", "李强", "男", "1990.7", "2013.9", "数学组", "王芳", "13800000002"],
    ["1003", "张敏", "女", "1998.1", "2022.8", "语文组", "王芳", "13800000003"],
]

OBS_HEADER = ["序号", "听课教师", "执教教师", "学科", "课题", "听课时间", "地点", "笔记字数"]
OBS_AUTUMN = [
    ["2024学年第一学期听课登记表"],
    OBS_HEADER,
    [1, "李强", "王芳", "语文", "秋天的雨", "2024-10-12", "校内", 320],
    [2, "张敏", "王芳", "语文", "秋天的雨", "2024-10-12", "校内", 260],
]
OBS_SPRING = [
    ["2025年春季听课登记"],
    OBS_HEADER,
    [1, "王芳", "李强", "数学", "分数的意义", "2025-03-20", "校外", 410],
]

# Stacked header rows: 日期 / 项目 / 学时 above the 工号 | 姓名 row.
GRID_STACKED = [
    ["2024学年第一学期校本培训签到表"],
    ["日期", None, dt.datetime(2024, 9, 10), dt.datetime(2024, 10, 15), dt.datetime(2024, 11, 20)],
    ["项目", None, "新课标解读", "作业设计", "课堂观察"],
    ["学时", None, 2, 1.5, 2],
    ["工号", "姓名"],
    ["1001", "王芳", "√", "到", "√"],
    ["1002", "李强", "假", "√", "缺"],
    ["1003", "张敏", "√", None, "到"],
]

# One header cell per session: `2024.9.10 新课标解读 2学时`.
GRID_INLINE = [
    ["校本研修考勤表"],
    ["工号", "姓名", "2024.9.10 新课标解读 2学时", "2024.10.15 作业设计 1.5学时", "备注"],
    ["1001", "王芳", "√", "√", ""],
    ["1002", "李强", "到", "缺", "病假"],
]

READING_WANG = [
    ["教师：王芳"],
    ["日期", "书名", "类型", "字数"],
    ["2024-10-01", "给教师的建议", "必读书目", 1500],
    ["2025-01-05", "人民教育", "教育刊物", 800],
]
READING_LI = [
    ["教师：李强"],
    ["日期", "书名", "类型", "字数"],
    ["2024-11-11", "数学教育心理学", "专业书籍", 1200],
]

NOTES = [["本学期工作安排"], ["九月：开学准备"], ["十月：公开课周"]]


def school_sheets() -> dict[str, list[list]]:
    """The whole school book, sheet by sheet, in tab order."""
    return {
        "教职工名单": ROSTER,
        "2024秋季听课登记": OBS_AUTUMN,
        "2025春季听课登记": OBS_SPRING,
        "校本培训签到表": GRID_STACKED,
        "王芳": READING_WANG,
        "李强": READING_LI,
        "工作安排": NOTES,
    }


def write_openpyxl(path: Path, sheets: dict[str, list[list]], merged: dict[str, list[str]] | None = None) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
        for ref in (merged or {}).get(name, []):
            ws.merge_cells(ref)
    wb.save(path)
    return path


def write_xlsxwriter(path: Path, sheets: dict[str, list[list]], merged: dict[str, list[str]] | None = None) -> Path:
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path))
    dates = wb.add_format({"num_format": "yyyy-mm-dd"})

    def put(ws, r: int, c: int, v) -> None:
        if isinstance(v, dt.datetime):
            ws.write_datetime(r, c, v, dates)
        elif v is not None:
            ws.write(r, c, v)

    for name, rows in sheets.items():
        ws = wb.add_worksheet(name)
        for ref in (merged or {}).get(name, []):
            ws.merge_range(ref, "")
        for r, row in enumerate(rows):
            for c, v in enumerate(row):
                put(ws, r, c, v)
    wb.close()
    return path


MERGED = {"校本培训签到表": ["A1:E1", "A2:B2", "A3:B3", "A4:B4"], "2024秋季听课登记": ["A1:H1"]}


def school_book(path: Path, writer: str = "openpyxl") -> Path:
    write = write_openpyxl if writer == "openpyxl" else write_xlsxwriter
    return write(path, school_sheets(), MERGED)
