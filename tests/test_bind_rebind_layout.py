"""Re-binding keeps whatever staff typed in 映射 (issue 19, item 3): a column of their own (备注) and
its notes, a note row, their spelling, the order they put the lines in, a sheet left out in the
middle of the table. Only the line for what the school added since (a new column) is new, and it
goes beside its sheet's other lines, not to the end."""

from __future__ import annotations

from pathlib import Path

import openpyxl
from openpyxl.comments import Comment

from conftest import invoke_cli
from cpdsheets.jobs.book import check
from cpdsheets.doors.reader import read_workbook
from cpdsheets.engine.binding.mapping_sheet import read_mapping
from school_style import MERGED, school_sheets, write_openpyxl

AUTUMN, SPRING = "2024秋季听课登记", "2025春季听课登记"
NOTE = "评课字数不计：教研组 2024-10 决定"
COMMENT = "春季表下学期再启用"


def _rows(path: Path) -> list[tuple]:
    ws = openpyxl.load_workbook(path)["映射"]
    return [tuple("" if v is None else v for v in row) for row in ws.iter_rows(min_row=2, max_col=6, values_only=True)]


def _edit_as_staff(path: Path) -> list[tuple]:
    """In Excel: a 备注 column with a note on one line, 不用 typed their way, 李强's block moved before
    王芳's, a note row above the spring sheet, the spring sheet left out (its column lines kept)."""
    wb = openpyxl.load_workbook(path, keep_vba=True)
    ws = wb["映射"]
    rows = [list(r) + [None] * (6 - len(r)) for r in ws.iter_rows(min_row=2, max_col=6, values_only=True)]
    rows[0][4] = "备注"
    for r in rows:
        if r[0] == AUTUMN and r[1] == "笔记字数":
            r[2], r[4] = "不用", NOTE
        if r[0] == SPRING and r[1] == "（整张表）":
            r[2], r[4] = "（不用）", "春季表暂不读取"
    wang = [r for r in rows if r[0] == "王芳"]
    li = [r for r in rows if r[0] == "李强"]
    rest = [r for r in rows if r[0] not in ("王芳", "李强")]
    spring_at = next(i for i, r in enumerate(rest) if r[0] == SPRING)
    rest.insert(spring_at, [None, None, None, None, None, "以下为春季学期"])
    rows = rest + li + wang
    ws.delete_rows(2, ws.max_row)
    for r in rows:
        ws.append(r)
    # A note (an Excel comment) on the spring sheet's line, which the new autumn line will push down.
    spring_row = 2 + next(i for i, r in enumerate(rows) if r[0] == SPRING and r[1] == "（整张表）")
    ws.cell(spring_row, 3).comment = Comment(COMMENT, "王老师")
    # ...and the school adds a column to the autumn log.
    wb[AUTUMN].cell(2, 9, "听课节次")
    wb.save(path)
    return [tuple("" if v is None else v for v in r) for r in rows]


def test_rebind_keeps_staff_columns_notes_spelling_and_order(tmp_path):
    src = write_openpyxl(tmp_path / "学校.xlsx", school_sheets(), MERGED)
    assert invoke_cli("bind", src).returncode in (0, 1)
    book = src.with_suffix(".xlsm")
    typed = _edit_as_staff(book)

    r = invoke_cli("bind", book)
    assert r.returncode in (0, 1), r.stdout + r.stderr
    after = _rows(book)

    # Every row staff typed is there, unchanged and in their order; one line is new.
    new = [row for row in after if row not in typed]
    assert [row[:2] for row in new] == [(AUTUMN, "听课节次")]
    assert [row for row in after if row in typed] == typed
    # The new line sits right after the last line of its sheet (the edited 笔记字数 line, note and all).
    at = after.index(new[0])
    assert after[at - 1] == (AUTUMN, "笔记字数", "不用", "", NOTE, "")
    assert after[0][4] == "备注"
    # Staff's note on a cell followed its line down.
    ws = openpyxl.load_workbook(book)["映射"]
    noted = [(c.row, c.column, c.comment.author, c.comment.text) for row in ws.iter_rows() for c in row if c.comment]
    spring = 2 + after.index(next(row for row in after if row[:2] == (SPRING, "（整张表）")))
    assert [(r, c, text.split("\n")[-1]) for r, c, _, text in noted] == [(spring, 3, COMMENT)]
    assert noted[0][2] == "王老师"

    # The table still reads as staff meant it: the spring sheet left out, 笔记字数 not used.
    raw = read_workbook(book)
    _, _, findings, _ = check(raw)
    assert not [f for f in findings if f.code == "invalid-mapping"]
    binding, _ = read_mapping(raw.sheets["映射"])
    assert binding.left_out == (SPRING,)
    assert binding.for_sheet(AUTUMN).field_of("笔记字数") == ""


def test_a_third_bind_changes_nothing_in_the_table(tmp_path):
    src = write_openpyxl(tmp_path / "学校.xlsx", school_sheets(), MERGED)
    invoke_cli("bind", src)
    book = src.with_suffix(".xlsm")
    _edit_as_staff(book)
    invoke_cli("bind", book)
    once = _rows(book)
    invoke_cli("bind", book)
    assert _rows(book) == once
