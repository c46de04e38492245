"""Test support: a school's own workbook written with openpyxl, plus the 映射 sheet a Binding states
(built by hand here, so these tests do not lean on the recogniser or the `bind` writer)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import openpyxl

from cpdsheets.contract.binding import Binding, ColumnBinding, SheetBinding
from cpdsheets.engine.binding.mapping_sheet import mapping_rows


def cols(*pairs: tuple[str, str] | tuple[str, str, str]) -> tuple[ColumnBinding, ...]:
    """(school header, contract field[, default]) -> column lines; header "" is a default line."""
    return tuple(ColumnBinding(header=p[0], field=p[1], default=p[2] if len(p) > 2 else "") for p in pairs)


def sheet(name: str, target: str, *pairs: Any, shape: str = "rows", teacher: str = "",
          header_row: int = 0) -> SheetBinding:
    return SheetBinding(sheet=name, target=target, shape=shape, teacher=teacher, header_row=header_row,
                        columns=cols(*pairs))


def write_book(path: Path, sheets: dict[str, list[list[Any]]], binding: Binding | None, *,
               merges: dict[str, list[str]] | None = None, mapping: list[list[str]] | None = None) -> Path:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
        for ref in (merges or {}).get(name, []):
            ws.merge_cells(ref)
    if binding is not None or mapping is not None:
        ws = wb.create_sheet("映射")
        for row in mapping if mapping is not None else mapping_rows(binding):
            ws.append(row)
    wb.save(path)
    return path


ROSTER = [
    ["XX小学教职工名单"],
    ["编号", "教师姓名", "性别", "参加工作年月", "师傅"],
    ["1001", "王芳", "女", "2010.9", ""],
    ["1002", "李强", "男", "2023.9", "王芳"],
    ["1003", "刘洋", "男", "2015.9", ""],
    ["1004", "刘洋", "女", "2016.9", ""],
]
ROSTER_BINDING = sheet("教职工名单", "teachers", ("编号", "teacher_id"), ("教师姓名", "name"),
                       ("参加工作年月", "work_start"), ("师傅", "mentor_id"))

D = dt.date
