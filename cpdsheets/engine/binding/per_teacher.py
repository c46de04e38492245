"""One tab per teacher (shape ``per_teacher``): whose tab it is comes from the 映射 line, else a title
cell above the header (`教师：王芳`, `王芳老师培训记录`), else the tab's own name; its rows need no 工号."""

from __future__ import annotations

from ...contract.binding import SheetBinding
from ...contract.book import RawSheet
from ..normalize import header_key
from .piece import Piece, find_header_row, teacher_in_text
from .rows import Teacher, rows_piece


def per_teacher_piece(sheet: RawSheet, sb: SheetBinding) -> Piece:
    return rows_piece(sheet, sb, teacher_of(sheet, sb))


def teacher_of(sheet: RawSheet, sb: SheetBinding) -> Teacher:
    if sb.teacher:
        return Teacher(sb.teacher, 1, 0, "教师（映射）", from_mapping=True)
    named = [c.header for c in sb.columns if c.header]
    h = find_header_row(sheet.rows, named, sb.header_row)
    above = sheet.rows[:h] if h is not None else sheet.rows[:3]
    keys = {header_key(n) for n in named}
    for r, row in enumerate(above):
        for c, v in enumerate(row):
            if isinstance(v, str) and header_key(v) not in keys:
                found = teacher_in_text(v)
                if found:
                    return Teacher(found, r + 1, c, "教师（标题）")
    return Teacher(teacher_in_text(sheet.name) or sheet.name.strip(), 1, 0, "教师（工作表名）")
