"""Reading a bound book (issue 13): a school's own sheets, read through its 映射 table, validated and
recalculated by the same engine, with every finding on the school's own sheet, cell and header."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest
from conftest import invoke_cli as cli

from bound_books import D, ROSTER, ROSTER_BINDING, sheet, write_book
from cpdsheets.contract.binding import Binding
from cpdsheets.contract.policy import Settings
from cpdsheets.jobs.book import check, run_recalc
from cpdsheets.doors.reader import read_workbook

AS_OF = dt.date(2025, 7, 1)


def _check(path: Path):
    return check(read_workbook(path), as_of=AS_OF)


def _at(findings, sheet_name: str, cell: str) -> list:
    return [f for f in findings if f.sheet == sheet_name and f.cell == cell]


# -- several sheets feeding one log, each with its own headers ---------------------------------

AUTUMN = [["听课时间", "听课教师", "执教教师", "听课地点"],
          [D(2024, 10, 8), "1001", "李强", "校内"],
          [D(2024, 10, 9), "1002", "王芳", None]]
SPRING = [["2025春季听课登记"],
          ["日期", "听课人", "授课人", "地点", "备注"],
          [D(2025, 3, 4), "1001", "李强", "校外", ""],
          ["2025-13-01", "1002", "王芳", "校内", "记错了"]]
OBS = (("听课时间", "date"), ("听课教师", "teacher_id"), ("执教教师", "taught_by"), ("听课地点", "location", "校内"))
OBS_SPRING = (("日期", "date"), ("听课人", "teacher_id"), ("授课人", "taught_by"), ("地点", "location"))


def _semester_book(tmp_path: Path) -> Path:
    binding = Binding(sheets=(ROSTER_BINDING, sheet("2024秋季听课登记", "observations", *OBS),
                              sheet("2025春季听课登记", "observations", *OBS_SPRING)))
    return write_book(tmp_path / "听课.xlsx", {"教职工名单": ROSTER, "2024秋季听课登记": AUTUMN,
                                                "2025春季听课登记": SPRING}, binding)


def test_semester_sheets_feed_one_log_in_binding_order_with_their_own_headers(tmp_path):
    _, validation, findings, _ = _check(_semester_book(tmp_path))
    obs = validation.dataset.frame("observations")
    assert obs["date"].dt.date.tolist()[:3] == [D(2024, 10, 8), D(2024, 10, 9), D(2025, 3, 4)]
    assert obs["teacher_id"].tolist() == ["1001", "1002", "1001", "1002"]
    assert obs["location"].tolist()[:3] == ["校内", "校内", "校外"]  # the 映射 default fills the blank cell
    # The spring sheet's bad date: on the spring sheet, at its own cell, under its own header.
    bad = [f for f in findings if f.code == "invalid-date"]
    assert [(f.sheet, f.cell, f.column, f.value) for f in bad] == [("2025春季听课登记", "A4", "日期", "2025-13-01")]
    assert not [f for f in findings if f.sheet == "听课记录"]  # nothing left on the virtual sheet
    assert validation.dataset.sources["observations"]["sheet"].tolist() == [
        "2024秋季听课登记", "2024秋季听课登记", "2025春季听课登记", "2025春季听课登记"]


# -- names in 工号 fields ------------------------------------------------------------------------

def test_names_are_matched_to_the_roster_and_ambiguous_or_unknown_names_are_findings_at_their_cells(tmp_path):
    log = [["听课时间", "听课教师", "执教教师", "听课地点"],
           [D(2024, 10, 8), "王芳", "李强", "校内"],  # one 王芳: her 工号
           [D(2024, 10, 9), "刘洋", "王芳", "校内"],  # two 刘洋
           [D(2024, 10, 10), "孙七", "王芳", "校内"],  # no one
           [D(2024, 10, 11), "1002", "王芳", "校内"]]
    binding = Binding(sheets=(ROSTER_BINDING, sheet("听课登记", "observations", *OBS)))
    path = write_book(tmp_path / "名字.xlsx", {"教职工名单": ROSTER, "听课登记": log}, binding)
    _, validation, findings, _ = _check(path)
    obs = validation.dataset.frame("observations")
    assert obs["teacher_id"].tolist()[0] == "1001" and bool(obs["_ok"].iloc[0])
    assert not _at(findings, "听课登记", "B2")
    ambiguous = _at(findings, "听课登记", "B3")
    assert [f.code for f in ambiguous] == ["ambiguous-teacher-name"]
    assert "1003、1004" in ambiguous[0].message() and ambiguous[0].column == "听课教师"
    assert [f.code for f in _at(findings, "听课登记", "B4")] == ["unknown-teacher-name"]
    assert obs["_ok"].tolist() == [True, False, False, True]
    # 师傅 holds a name on the roster itself: 李强's mentor is 王芳, 1001.
    roster = validation.dataset.frame("teachers").set_index("teacher_id")
    assert roster.loc["1002", "mentor_id"] == "1001"


# -- sign-in grid -----------------------------------------------------------------------------

GRID = [
    ["2024学年第一学期校本培训签到表"],
    ["日期", "", D(2024, 9, 10), "2024.9.24", "10月8日", "10月22日"],
    ["项目", "", "新课标解读", "作业设计", "读书分享", None],
    ["学时", "", 2, "1.5学时", 1, None],
    ["工号", "姓名", None, None, None, None],
    ["1001", "王芳", "√", "到", "假", "√"],
    ["1002", "李强", "缺", None, "迟到", "？"],
    ["合计", "", 1, 1, 1, 1],
    ["说明：√ 出勤，假 请假，缺 缺勤"],
]
GRID_MERGES = ["A1:F1", "E3:F3"]  # a merged title, one title over two sessions


def _grid_book(tmp_path: Path, *extra: tuple[str, str, str]) -> Path:
    binding = Binding(sheets=(ROSTER_BINDING, sheet("校本培训签到表", "trainings", ("工号", "teacher_id"),
                                                    ("姓名", "name"), *extra, shape="grid")))
    return write_book(tmp_path / "签到.xlsx", {"教职工名单": ROSTER, "校本培训签到表": GRID}, binding,
                      merges={"校本培训签到表": GRID_MERGES})


def test_a_sign_in_grid_with_stacked_merged_header_rows_is_read_as_training_rows(tmp_path):
    _, validation, findings, _ = _check(_grid_book(tmp_path))
    t = validation.dataset.frame("trainings")
    assert len(t) == 8  # two teachers x four sessions; 合计 and the note below are no teachers
    wang = t[t["teacher_id"] == "1001"]
    assert wang["date"].dt.date.tolist() == [D(2024, 9, 10), D(2024, 9, 24), D(2024, 10, 8), D(2024, 10, 22)]
    assert wang["title"].tolist() == ["新课标解读", "作业设计", "读书分享", "读书分享"]  # merged E3:F3
    assert wang["attendance"].tolist() == ["出勤", "出勤", "请假", "出勤"]
    assert set(t["category"]) == {"校本研修"} and set(t["level"]) == {"校级"}
    li = t[t["teacher_id"] == "1002"]
    assert li["attendance"].tolist()[:3] == ["缺勤", "缺勤", "迟到"]  # 缺, blank = absent, 迟到
    # hours: 2, `1.5学时`, 1; the fourth session has none: one finding at its header cell, no
    # missing-value per teacher behind it.
    assert wang["hours"].tolist()[:3] == [2.0, 1.5, 1.0]
    session = [f for f in findings if f.code == "grid-session-unreadable"]
    assert [(f.sheet, f.cell) for f in session] == [("校本培训签到表", "F2")]
    assert not [f for f in findings if f.code == "missing-value"]
    # An unreadable mark: at its own grid cell.
    mark = _at(findings, "校本培训签到表", "F7")
    assert [f.code for f in mark] == ["invalid-choice"] and mark[0].value == "？"


def test_grid_defaults_from_the_mapping_fill_hours_category_and_level(tmp_path):
    _, validation, findings, _ = _check(_grid_book(tmp_path, ("", "hours", "3"), ("", "category", "师德培训"),
                                                   ("", "level", "区级")))
    t = validation.dataset.frame("trainings")
    assert t[t["teacher_id"] == "1001"]["hours"].tolist() == [2.0, 1.5, 1.0, 3.0]
    assert set(t["category"]) == {"师德培训"} and set(t["level"]) == {"区级"}
    assert not [f for f in findings if f.code == "grid-session-unreadable"]


def test_a_grid_with_one_header_cell_per_session_and_names_only(tmp_path):
    grid = [["姓名", "2024.9.10 新课标解读 2学时", "9月24日 作业设计（1.5课时）", "2024年10月8日 读书分享 3小时", "备注"],
            ["王芳", "√", "✓", "出勤", ""],
            ["李强", "×", "请假", "缺勤", "病假"]]
    binding = Binding(sheets=(ROSTER_BINDING, sheet("签到", "trainings", ("姓名", "teacher_id"), shape="grid")))
    path = write_book(tmp_path / "g.xlsx", {"教职工名单": ROSTER, "签到": grid}, binding)
    _, validation, findings, _ = _check(path)
    t = validation.dataset.frame("trainings")
    assert t["teacher_id"].tolist() == ["1001"] * 3 + ["1002"] * 3  # names matched to the roster
    assert t["date"].dt.date.tolist()[:3] == [D(2024, 9, 10), D(2024, 9, 24), D(2024, 10, 8)]
    assert t["title"].tolist()[:3] == ["新课标解读", "作业设计", "读书分享"]
    assert t["hours"].tolist()[:3] == [2.0, 1.5, 3.0]
    assert t["attendance"].tolist() == ["出勤", "出勤", "出勤", "缺勤", "请假", "缺勤"]
    assert t["_ok"].all() and not [f for f in findings if f.sheet == "签到"]


def test_a_record_repeated_across_two_semester_sheets_is_reported_on_the_later_sheet(tmp_path):
    spring = [["日期", "听课人", "授课人", "地点"], [D(2024, 10, 8), "1001", "李强", "校内"]]
    binding = Binding(sheets=(ROSTER_BINDING, sheet("秋", "observations", *OBS), sheet("春", "observations", *OBS_SPRING)))
    path = write_book(tmp_path / "d.xlsx", {"教职工名单": ROSTER, "秋": AUTUMN, "春": spring}, binding)
    _, _, findings, _ = _check(path)
    dup = [f for f in findings if f.code == "duplicate-row"]
    assert [(f.sheet, f.cell) for f in dup] == [("春", "A2")]
    assert "2（秋）" in dup[0].message()


# -- one tab per teacher ----------------------------------------------------------------------

def test_one_tab_per_teacher_takes_the_teacher_from_a_title_cell_or_the_tab_name(tmp_path):
    wang = [["教师：王芳    学科：语文"], ["日期", "书名", "类型"],
            [D(2024, 11, 1), "给教师的建议", "专业书籍"], [D(2024, 12, 1), "教育的情调", "专业书籍"]]
    li = [["日期", "书名", "类型"], [D(2024, 11, 5), "课堂观察", "专业书籍"]]
    reading = (("日期", "date"), ("书名", "title"), ("类型", "type"))
    binding = Binding(sheets=(ROSTER_BINDING, sheet("读书1", "reading", *reading, shape="per_teacher"),
                              sheet("李强老师", "reading", *reading, shape="per_teacher")))
    path = write_book(tmp_path / "每人.xlsx", {"教职工名单": ROSTER, "读书1": wang, "李强老师": li}, binding)
    _, validation, findings, _ = _check(path)
    r = validation.dataset.frame("reading")
    assert r["teacher_id"].tolist() == ["1001", "1001", "1002"] and r["_ok"].all()
    assert r["title"].tolist() == ["给教师的建议", "教育的情调", "课堂观察"]
    assert not [f for f in findings if f.sheet in ("读书1", "李强老师")]


def test_a_per_teacher_tab_whose_teacher_is_unknown_is_one_finding_at_the_title_cell(tmp_path):
    tab = [["教师：赵六"], ["日期", "书名", "类型"], [D(2024, 11, 1), "甲", "专业书籍"], [D(2024, 11, 2), "乙", "专业书籍"]]
    binding = Binding(sheets=(ROSTER_BINDING, sheet("读书", "reading", ("日期", "date"), ("书名", "title"),
                                                    ("类型", "type"), shape="per_teacher")))
    path = write_book(tmp_path / "t.xlsx", {"教职工名单": ROSTER, "读书": tab}, binding)
    _, _, findings, _ = _check(path)
    mine = [f for f in findings if f.sheet == "读书"]
    assert [(f.code, f.cell, f.value) for f in mine] == [("unknown-teacher-name", "A1", "赵六")]


# -- the 映射 table itself ---------------------------------------------------------------------

def test_a_required_field_nothing_maps_to_is_one_finding_listing_the_candidate_columns(tmp_path):
    log = [["听课时间", "听课教师", "执教教师", "教室", "备注"],
           [D(2024, 10, 8), "1001", "李强", "三楼", ""], [D(2024, 10, 9), "1002", "王芳", "二楼", ""]]
    binding = Binding(sheets=(ROSTER_BINDING, sheet("听课登记", "observations", ("听课时间", "date"),
                                                    ("听课教师", "teacher_id"), ("执教教师", "taught_by"))))
    path = write_book(tmp_path / "u.xlsx", {"教职工名单": ROSTER, "听课登记": log}, binding)
    _, validation, findings, _ = _check(path)
    unbound = [f for f in findings if f.code == "unbound-field"]
    assert len(unbound) == 1
    f = unbound[0]
    assert (f.sheet, f.cell, f.params["field"]) == ("听课登记", "A1", "地点")
    assert f.params["candidates"] == "教室、备注"
    assert not [g for g in findings if g.code in ("missing-value", "missing-column")]
    assert not validation.dataset.frame("observations")["_ok"].any()


def test_an_invalid_mapping_line_is_a_finding_at_its_cell_and_the_rest_still_binds(tmp_path):
    from cpdsheets.engine.binding.mapping_sheet import mapping_rows

    binding = Binding(sheets=(ROSTER_BINDING, sheet("2024秋季听课登记", "observations", *OBS)))
    rows = mapping_rows(binding)
    rows.append(["2024秋季听课登记", "备注", "心情", ""])
    path = write_book(tmp_path / "m.xlsx", {"教职工名单": ROSTER, "2024秋季听课登记": AUTUMN}, None, mapping=rows)
    _, validation, findings, _ = _check(path)
    bad = [f for f in findings if f.code == "invalid-mapping"]
    assert [(f.sheet, f.cell, f.value) for f in bad] == [("映射", f"C{len(rows)}", "心情")]
    assert len(validation.dataset.frame("observations")) == 2


def test_a_mapped_sheet_or_header_the_book_lacks_is_a_finding(tmp_path):
    binding = Binding(sheets=(ROSTER_BINDING, sheet("2024秋季听课登记", "observations", *OBS, ("课节", "subject")),
                              sheet("2023听课", "observations", *OBS)))
    path = write_book(tmp_path / "x.xlsx", {"教职工名单": ROSTER, "2024秋季听课登记": AUTUMN}, binding)
    _, _, findings, _ = _check(path)
    assert [(f.sheet, f.value) for f in findings if f.code == "mapped-sheet-missing"] == [("映射", "2023听课")]
    assert [(f.sheet, f.cell, f.value) for f in findings if f.code == "mapped-header-missing"] == [
        ("2024秋季听课登记", "A1", "课节")]


# -- recalc on a bound book ----------------------------------------------------------------------

def _recalc_book(tmp_path: Path) -> Path:
    binding = Binding(sheets=(ROSTER_BINDING, sheet("校本培训签到表", "trainings", ("工号", "teacher_id"),
                                                    ("姓名", "name"), shape="grid"),
                              sheet("2024秋季听课登记", "observations", *OBS)))
    bad_autumn = [*AUTUMN, [D(2024, 10, 10), "孙七", "王芳", "校内"]]
    return write_book(tmp_path / "学校.xlsx", {"教职工名单": ROSTER, "校本培训签到表": GRID,
                                                "2024秋季听课登记": bad_autumn}, binding,
                      merges={"校本培训签到表": GRID_MERGES})


def test_recalc_mark_on_a_bound_book_writes_the_tabs_credits_and_notes_on_the_schools_cells(tmp_path):
    path = _recalc_book(tmp_path)
    r = cli("recalc", path, "--mark", "--no-backup", "--as-of", AS_OF.isoformat())
    assert r.returncode == 0, r.stderr
    wb = openpyxl.load_workbook(path)
    assert {"学分汇总", "达标预警", "校验问题", "运行记录"} <= set(wb.sheetnames)
    assert "培训记录" not in wb.sheetnames and "听课记录" not in wb.sheetnames  # no virtual sheet written
    # Credits by hand: hours x the 校本研修 rate for the sessions attended (出勤, 迟到), the
    # fourth session (no hours) not counted.
    rate = Settings().rate("校本研修")
    expected = {"1001": (2 + 1.5) * rate, "1002": 1 * rate}
    summary = wb["学分汇总"]
    rows = list(summary.iter_rows(values_only=True))
    head = next(i for i, row in enumerate(rows) if "工号" in row)
    id_col, credit_col = rows[head].index("工号"), rows[head].index("总学分")
    got = {row[id_col]: row[credit_col] for row in rows[head + 1:] if row[id_col] in expected}
    assert got == pytest.approx(expected)
    # Notes sit on the school's own cells: the unknown name, the bad mark, the session with no hours.
    noted = {(ws.title, c.coordinate) for ws in wb.worksheets for row in ws.iter_rows() for c in row
             if c.comment is not None}
    assert {("2024秋季听课登记", "B4"), ("校本培训签到表", "F7"), ("校本培训签到表", "F2")} <= noted
    assert "孙七" in wb["2024秋季听课登记"]["B4"].comment.text
    # The 校验问题 links go to the school's cells.
    issues = wb["校验问题"]
    links = {c.hyperlink.location for row in issues.iter_rows() for c in row if c.hyperlink is not None}
    assert "'2024秋季听课登记'!B4" in links


def test_the_input_hash_of_a_bound_book_is_stable_across_runs_and_its_own_output_tabs(tmp_path):
    path = _recalc_book(tmp_path)
    first = run_recalc(read_workbook(path), as_of=AS_OF)
    again = run_recalc(read_workbook(path), as_of=AS_OF)
    assert cli("recalc", path, "--no-backup", "--as-of", AS_OF.isoformat()).returncode == 0
    after = run_recalc(read_workbook(path), as_of=AS_OF)
    hashes = {_hash(o) for o in (first, again, after)}
    assert len(hashes) == 1


def _hash(outcome) -> str:
    from cpdsheets.jobs.book import input_hash

    return input_hash(outcome.validation)


def test_the_archive_of_a_bound_book_points_at_the_schools_sheets_and_rows(tmp_path):
    from cpdsheets.jobs.archive import ArchiveRequest, archive
    from cpdsheets.reports.archive import archive_dict

    run = archive(ArchiveRequest(read_workbook(_recalc_book(tmp_path)), as_of=AS_OF))
    teachers = {t["teacher_id"]: t for t in archive_dict(run.archive)["teachers"]}
    wang = teachers["1001"]
    trainings = next(v for k, v in wang["records"].items() if "签到表" in k)
    assert {x["row"] for x in trainings} == {6}  # 王芳's row of the grid
    observed = next(v for k, v in wang["records"].items() if "听课" in k)
    assert [x["row"] for x in observed] == [2]
    # Her fourth session has no hours: left out, with the finding at the session's header cell.
    assert [(x["sheet"], x["row"], x["cell"], x["code"]) for x in wang["excluded"]] == [
        ("校本培训签到表", 6, "F2", "grid-session-unreadable")]
    # 李强's unreadable mark in that session: his left-out record names that cell, not his other ones.
    li = teachers["1002"]["excluded"]
    assert ("F7", "invalid-choice") in {(x["cell"], x["code"]) for x in li}
    assert all(x["cell"] in ("F2", "F7") for x in li if x["code"] != "not-counted")


def test_the_archive_splits_a_log_fed_by_two_semester_sheets_into_one_table_per_sheet(tmp_path):
    from cpdsheets.jobs.archive import ArchiveRequest, archive
    from cpdsheets.reports.archive import archive_dict
    from cpdsheets.reports.archive_sheets import teacher_sheet

    run = archive(ArchiveRequest(read_workbook(_semester_book(tmp_path)), as_of=AS_OF))
    wang = next(t for t in run.archive.teachers if t.teacher_id == "1001")
    # 王芳 observed on row 2 of the autumn sheet and row 3 of the spring sheet: same row numbers
    # would be ambiguous under one joined title, so each names its own sheet.
    records = archive_dict(run.archive)["teachers"]
    rows = [(x["sheet"], x["row"]) for t in records if t["teacher_id"] == "1001" for x in next(
        v for k, v in t["records"].items() if "听课" in k)]
    assert rows == [("2024秋季听课登记", 2), ("2025春季听课登记", 3)]
    titles = [b.title for b in teacher_sheet(run.archive, wang, "zh", "x").blocks if hasattr(b, "rows")]
    assert "2024秋季听课登记：计入 1 行" in titles and "2025春季听课登记：计入 1 行" in titles
    assert not [x for x in titles if "、" in x]


def test_the_xlwings_buttons_on_a_bound_book_write_the_tabs_and_mark_the_schools_cells(tmp_path):
    from xlwings_remote import apply_actions, remote_book

    from cpdsheets import excel

    path = _recalc_book(tmp_path)
    book = remote_book(path)
    excel.recalc(book)
    out = tmp_path / "out.xlsx"
    apply_actions(path, out, book.json()["actions"])
    wb = openpyxl.load_workbook(out)
    assert "学分汇总" in wb.sheetnames
    assert wb["2024秋季听课登记"]["B4"].comment is not None
    assert wb["校本培训签到表"]["F7"].comment is not None


@pytest.mark.parametrize("other", [None, "课程映射说明"])
def test_names_are_matched_only_in_a_bound_book(tmp_path, other):
    """The template's own sheets, no 映射 (or a sheet of the school's whose name only contains 映射):
    the book is read as before, and a name where a 工号 belongs is the engine's finding."""
    rows = [["工号", "姓名"], ["1001", "王芳"]]
    log = [["日期", "听课人工号", "授课教师", "地点"], [D(2024, 10, 8), "王芳", "李强", "校内"]]
    sheets = {"教师名册": rows, "听课记录": log}
    if other:
        sheets[other] = [["语文课程与教材的对应关系"], ["见附件"]]
    _, validation, findings, _ = _check(write_book(tmp_path / "plain.xlsx", sheets, None))
    assert validation.bound is None and not validation.dataset.sources
    assert [f.code for f in _at(findings, "听课记录", "B2")] == ["invalid-teacher-id"]
    assert not [f for f in findings if f.code == "invalid-mapping"]


def test_rollup_reads_a_bound_book_as_recalc_does(tmp_path):
    import json

    folder = tmp_path / "schools"
    folder.mkdir()
    path = _recalc_book(folder)
    outcome = run_recalc(read_workbook(path), as_of=AS_OF)
    r = cli("rollup", folder, "--as-of", AS_OF.isoformat(), "-f", "json")
    school = json.loads(r.stdout)["schools"][0]
    assert school["teachers"] == len(outcome.results.teachers) == 4
    assert school["errors"] == outcome.counts["errors"] > 0
    assert school["rows"] == outcome.counts["rows"] == 4 + 8 + 3


def test_what_to_add_is_said_in_the_mapping_s_terms(tmp_path):
    """A bound book names its sheets in 映射: a missing log or column is fixed there, not by adding a sheet."""
    findings = check(read_workbook(_semester_book(tmp_path)))[2]
    missing = [f for f in findings if f.code in ("missing-sheet", "rule-not-evaluated")]
    assert missing, "the book lacks 教研活动 and 豁免"
    assert all("映射" in f.hint() and "映射" in f.hint("en") for f in missing)
