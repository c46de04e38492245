"""A value that only a 映射 default gave (a default line's 级别 `乡级`, a 签到表's default 学时 `abc`, a
每人一表's teacher named in 映射) that the checks refuse is ONE finding at that default's 映射 cell, saying
the default is wrong, not one finding per row of the school's sheet; the rows taking it follow the usual
rule (a required field: left out; an optional one: read as blank)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
from conftest import invoke_cli as cli

from bound_books import D, ROSTER, ROSTER_BINDING, sheet, write_book
from cpdsheets.contract.binding import Binding
from cpdsheets.jobs.book import check, run_recalc
from cpdsheets.doors.reader import read_workbook
from cpdsheets.engine.binding.mapping_sheet import mapping_rows

AS_OF = dt.date(2025, 7, 1)

TRAINING_LOG = [["培训日期", "工号", "培训内容", "学时"],
                [D(2024, 9, 10), "1001", "新课标解读", 2],
                [D(2024, 9, 24), "1002", "作业设计", 1.5],
                [D(2024, 10, 8), "1001", "读书分享", 1]]
TRAINING = (("培训日期", "date"), ("工号", "teacher_id"), ("培训内容", "title"), ("学时", "hours"))

# A grid whose first two sessions carry their hours and whose third takes 映射's default.
GRID = [["工号", "姓名", "2024.9.10 新课标解读 2学时", "2024.9.24 作业设计 1学时", "2024.10.8 读书分享"],
        ["1001", "王芳", "√", "√", "√"],
        ["1002", "李强", "√", "缺", "√"]]


# A reading log without a 类型 column: 映射 gives every row its type.
READING_LOG = [["读书日期", "工号", "书名"],
               [D(2024, 11, 1), "1001", "给教师的建议"],
               [D(2024, 11, 5), "1002", "课堂观察"]]
READING = (("读书日期", "date"), ("工号", "teacher_id"), ("书名", "title"))


def _line(binding: Binding, sheet_name: str, field: str) -> int:
    """The 1-based 映射 row of ``sheet_name``'s default line for ``field`` (as mapping_rows writes it)."""
    labels = {"type": "类型", "level": "级别", "hours": "学时"}
    for r, row in enumerate(mapping_rows(binding), start=1):
        if row[0] == sheet_name and row[1] == "" and row[2] == labels[field]:
            return r
    raise AssertionError(field)


def _training_book(tmp_path: Path, *defaults: tuple[str, str, str]) -> tuple[Path, Binding]:
    binding = Binding(sheets=(ROSTER_BINDING, sheet("培训登记", "trainings", *TRAINING, *defaults)))
    return write_book(tmp_path / "培训.xlsx", {"教职工名单": ROSTER, "培训登记": TRAINING_LOG}, binding), binding


def _reading_book(tmp_path: Path, default_type: str) -> tuple[Path, Binding]:
    binding = Binding(sheets=(ROSTER_BINDING, sheet("读书登记", "reading", *READING, ("", "type", default_type))))
    return write_book(tmp_path / "读书.xlsx", {"教职工名单": ROSTER, "读书登记": READING_LOG}, binding), binding


def test_a_required_field_s_bad_default_is_one_finding_at_its_mapping_cell_and_its_rows_are_left_out(tmp_path):
    path, binding = _reading_book(tmp_path, "心情随笔")
    _, validation, findings, _ = check(read_workbook(path), as_of=AS_OF)
    line = _line(binding, "读书登记", "type")
    about = [f for f in findings if f.value == "心情随笔"]
    assert [(f.code, f.sheet, f.cell, f.row, f.column) for f in about] == [
        ("invalid-mapping-default", "映射", f"D{line}", line, "默认值")]
    f = about[0]
    assert f.level == "error"
    assert f.message() == ("「映射」给工作表「读书登记」的「类型」填的默认值有误："
                           "「心情随笔」不是「类型」的有效选项。用到这个默认值的行不计入统计。")
    assert f.message("en") == ("The 映射 default of '类型' for sheet '读书登记' is wrong: '心情随笔' is not a valid '类型'. "
                               "Rows taking this default are not counted.")
    assert f.hint().startswith("可选：必读书目、") and f.hint().endswith("在「映射」的这一格改正后重新校验。")
    assert not [g for g in findings if g.sheet == "读书登记"]  # nothing on the school's rows
    assert not validation.dataset.frame("reading")["_ok"].any()  # 类型 is required: every row left out
    # A good default: no finding, every row counts (the rows were left out for the default alone).
    good = tmp_path / "good"
    good.mkdir()
    path, _ = _reading_book(good, "专业书籍")
    _, validation, findings, _ = check(read_workbook(path), as_of=AS_OF)
    assert not [f for f in findings if f.code == "invalid-mapping-default"]
    assert validation.dataset.frame("reading")["_ok"].all()


def test_an_optional_field_s_bad_default_leaves_the_rows_counting_with_the_value_blank(tmp_path):
    path, binding = _training_book(tmp_path, ("", "category", "校本研修"), ("", "level", "乡级"))
    outcome = run_recalc(read_workbook(path), as_of=AS_OF)
    about = [f for f in outcome.findings if f.value == "乡级"]
    line = _line(binding, "培训登记", "level")
    assert [(f.code, f.sheet, f.cell) for f in about] == [("invalid-mapping-default", "映射", f"D{line}")]
    assert "用到这个默认值的行，这一项按空白处理，仍计入统计。" in about[0].message()
    trainings = outcome.validation.dataset.frame("trainings")
    assert trainings["_ok"].all() and trainings["level"].isna().all()
    credits = outcome.results.teachers.set_index("teacher_id")["credits"]
    assert credits["1001"] > 0 and credits["1002"] > 0


def test_a_grid_s_bad_default_hours_is_one_finding_and_only_the_session_taking_it_is_left_out(tmp_path):
    binding = Binding(sheets=(ROSTER_BINDING, sheet("签到表", "trainings", ("工号", "teacher_id"), ("姓名", "name"),
                                                    ("", "hours", "abc"), shape="grid")))
    path = write_book(tmp_path / "签到.xlsx", {"教职工名单": ROSTER, "签到表": GRID}, binding)
    _, validation, findings, _ = check(read_workbook(path), as_of=AS_OF)
    line = _line(binding, "签到表", "hours")
    about = [f for f in findings if f.value == "abc"]
    assert [(f.code, f.sheet, f.cell) for f in about] == [("invalid-mapping-default", "映射", f"D{line}")]
    assert about[0].params["field"] == "学时" and about[0].params["school_sheet"] == "签到表"
    assert not [f for f in findings if f.sheet == "签到表"]
    t = validation.dataset.frame("trainings")
    ok = t[t["_ok"]]
    assert sorted(ok["title"].unique()) == ["作业设计", "新课标解读"]  # the sessions with their own hours count
    assert len(t) - len(ok) == 2  # the third session, for both teachers


def test_a_teacher_named_in_the_mapping_for_a_per_teacher_tab_is_one_finding_at_that_cell(tmp_path):
    tab = [["日期", "书名", "类型"], [D(2024, 11, 1), "甲", "专业书籍"], [D(2024, 11, 2), "乙", "专业书籍"]]
    binding = Binding(sheets=(ROSTER_BINDING, sheet("读书", "reading", ("日期", "date"), ("书名", "title"),
                                                    ("类型", "type"), shape="per_teacher", teacher="赵六")))
    path = write_book(tmp_path / "t.xlsx", {"教职工名单": ROSTER, "读书": tab}, binding)
    _, validation, findings, _ = check(read_workbook(path), as_of=AS_OF)
    line = next(r for r, row in enumerate(mapping_rows(binding), start=1) if row[:2] == ["读书", "（整张表）"])
    about = [f for f in findings if f.value == "赵六"]
    assert [(f.code, f.sheet, f.cell) for f in about] == [("invalid-mapping-default", "映射", f"D{line}")]
    assert "不是名册中教师的姓名" in about[0].message()
    assert not [f for f in findings if f.sheet == "读书"]
    assert not validation.dataset.frame("reading")["_ok"].any()


def test_a_column_line_s_default_for_blank_cells_is_said_at_its_mapping_cell_once(tmp_path):
    log = [["听课时间", "听课教师", "执教教师", "听课地点"],
           [D(2024, 10, 8), "1001", "李强", None],
           [D(2024, 10, 9), "1002", "王芳", "校外"],
           [D(2024, 10, 10), "1001", "李强", None]]
    binding = Binding(sheets=(ROSTER_BINDING, sheet("听课登记", "observations", ("听课时间", "date"),
                                                    ("听课教师", "teacher_id"), ("执教教师", "taught_by"),
                                                    ("听课地点", "location", "教室"))))
    path = write_book(tmp_path / "o.xlsx", {"教职工名单": ROSTER, "听课登记": log}, binding)
    _, validation, findings, _ = check(read_workbook(path), as_of=AS_OF)
    line = next(r for r, row in enumerate(mapping_rows(binding), start=1) if row[:2] == ["听课登记", "听课地点"])
    about = [f for f in findings if f.value == "教室"]
    assert [(f.code, f.sheet, f.cell) for f in about] == [("invalid-mapping-default", "映射", f"D{line}")]
    assert validation.dataset.frame("observations")["_ok"].tolist() == [False, True, False]


def test_recalc_mark_notes_the_mapping_cell_and_the_archive_names_it_for_the_rows_left_out(tmp_path):
    path, binding = _reading_book(tmp_path, "心情随笔")
    line = _line(binding, "读书登记", "type")
    r = cli("recalc", path, "--mark", "--no-backup", "--as-of", AS_OF.isoformat())
    assert r.returncode == 0, r.stderr
    wb = openpyxl.load_workbook(path)
    assert "心情随笔" in wb["映射"][f"D{line}"].comment.text
    assert not [c for row in wb["读书登记"].iter_rows() for c in row if c.comment is not None]

    from cpdsheets.jobs.archive import ArchiveRequest, archive
    from cpdsheets.reports.archive import archive_dict

    run = archive(ArchiveRequest(read_workbook(path), as_of=AS_OF))
    wang = next(t for t in archive_dict(run.archive)["teachers"] if t["teacher_id"] == "1001")
    assert {(x["sheet"], x["cell"], x["code"]) for x in wang["excluded"]} == {
        ("读书登记", f"映射!D{line}", "invalid-mapping-default")}
