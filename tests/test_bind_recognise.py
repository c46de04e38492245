"""`bind`'s recogniser on real school-style books: which contract sheet each sheet is, in which shape,
which header is which field; the 映射 round trip; re-binding keeps staff's edits; the README's
synonym table is the catalogue."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from school_style import (
    GRID_INLINE, OBS_AUTUMN, OBS_HEADER, OBS_SPRING, READING_WANG, ROSTER, school_book, school_sheets, write_openpyxl,
    write_xlsxwriter,
)

from cpdsheets.contract.binding import Binding, ColumnBinding, SheetBinding
from cpdsheets.doors.reader import read_workbook
from cpdsheets.engine.binding.mapping_sheet import mapping_rows, read_mapping
from cpdsheets.engine.binding.rebind import merge
from cpdsheets.engine.binding.recognise import propose
from cpdsheets.reports.binding_text import catalogue_markdown

README = Path(__file__).parents[1] / "README.md"


def _propose(path: Path):
    return propose(read_workbook(path))


def _fields(sheet: SheetBinding) -> dict[str, str]:
    """header -> field, for the column lines ("" = unused)."""
    return {c.header: c.field for c in sheet.columns if c.header}


@pytest.mark.parametrize("writer", ["openpyxl", "xlsxwriter"])
def test_school_book_is_recognised_sheet_by_sheet(tmp_path, writer):
    proposal = _propose(school_book(tmp_path / f"school-{writer}.xlsx", writer))
    b = proposal.binding
    shapes = {s.sheet: (s.target, s.shape, s.header_row, s.teacher) for s in b.sheets}
    assert shapes == {
        "教职工名单": ("teachers", "rows", 2, ""),
        "2024秋季听课登记": ("observations", "rows", 2, ""),
        "2025春季听课登记": ("observations", "rows", 2, ""),
        "校本培训签到表": ("trainings", "grid", 5, ""),
        "王芳": ("reading", "per_teacher", 2, "王芳"),
        "李强": ("reading", "per_teacher", 2, "李强"),
    }
    assert [s.sheet for s in b.feeding("observations")] == ["2024秋季听课登记", "2025春季听课登记"]
    assert [(k.sheet, k.reason) for k in proposal.skipped] == [("工作安排", "unrecognised")]

    assert _fields(b.for_sheet("教职工名单")) == {
        "工号": "teacher_id", "姓名": "name", "性别": "gender", "出生年月": "birth_date", "参加工作年月": "work_start",
        "教研组": "teaching_group", "师傅": "mentor_id", "联系电话": ""}
    # No 工号 column: the observer's NAME column is the teacher (names matched to the roster when read).
    assert _fields(b.for_sheet("2024秋季听课登记")) == {
        "序号": "", "听课教师": "teacher_id", "执教教师": "taught_by", "学科": "subject", "课题": "topic",
        "听课时间": "date", "地点": "location", "笔记字数": "comment_chars"}
    assert _fields(b.for_sheet("王芳")) == {"日期": "date", "书名": "title", "类型": "type", "字数": "chars"}
    assert proposal.details("教职工名单").unmapped == ("联系电话",)
    assert proposal.details("2024秋季听课登记").unmapped == ("序号",)
    assert proposal.complete


@pytest.mark.parametrize("writer", ["openpyxl", "xlsxwriter"])
def test_confidences_rank_exact_over_synonym(tmp_path, writer):
    b = _propose(school_book(tmp_path / "s.xlsx", writer)).binding
    conf = {c.header: c.confidence for c in b.for_sheet("2024秋季听课登记").columns}
    assert conf["执教教师"] == 1.0  # the contract's own alias
    assert conf["听课时间"] == 0.9 and conf["笔记字数"] == 0.9  # catalogue synonyms
    assert conf["序号"] == 0.0
    assert 0.9 <= b.for_sheet("2024秋季听课登记").confidence <= 1.0


@pytest.mark.parametrize("writer", ["openpyxl", "xlsxwriter"])
def test_stacked_sign_in_grid(tmp_path, writer):
    proposal = _propose(school_book(tmp_path / "s.xlsx", writer))
    grid = proposal.binding.for_sheet("校本培训签到表")
    assert _fields(grid) == {"工号": "teacher_id", "姓名": "name"}
    assert grid.defaults() == {"category": "校本研修", "level": "校级"}
    sessions = [(s.column, s.date, s.title, s.hours) for s in proposal.details("校本培训签到表").sessions]
    assert sessions == [("C", "2024-09-10", "新课标解读", "2"), ("D", "2024-10-15", "作业设计", "1.5"),
                        ("E", "2024-11-20", "课堂观察", "2")]
    assert proposal.details("校本培训签到表").missing == ()


@pytest.mark.parametrize("write", [write_openpyxl, write_xlsxwriter])
def test_inline_sign_in_grid_by_name_only(tmp_path, write):
    """Session headers `2024.9.10 新课标解读 2学时`; a grid whose people are named only; a 师德 grid."""
    names_only = [["2024学年师德培训签到表"], ["序号", "姓名", "9月10日 师德讲座", "10月8日 师德案例"],
                  [1, "王芳", "√", "假"], [2, "李强", "缺", "√"]]
    proposal = _propose(write(tmp_path / "grids.xlsx", {"考勤": GRID_INLINE, "师德签到": names_only}))
    inline = proposal.binding.for_sheet("考勤")
    assert (inline.target, inline.shape, inline.header_row) == ("trainings", "grid", 2)
    assert _fields(inline) == {"工号": "teacher_id", "姓名": "name", "备注": ""}
    assert [(s.column, s.date, s.title, s.hours) for s in proposal.details("考勤").sessions] == [
        ("C", "2024-09-10", "新课标解读", "2"), ("D", "2024-10-15", "作业设计", "1.5")]
    by_name = proposal.binding.for_sheet("师德签到")
    assert by_name.shape == "grid" and _fields(by_name) == {"序号": "", "姓名": "teacher_id"}
    assert by_name.defaults()["category"] == "师德培训"
    assert [(s.date, s.title) for s in proposal.details("师德签到").sessions] == [("9月10日", "师德讲座"),
                                                                                  ("10月8日", "师德案例")]
    # no hours in its headers: 学时 is the one field missing, and the report says to give a default
    assert [m.field for m in proposal.details("师德签到").missing] == ["hours"]


def test_dated_data_rows_do_not_make_a_grid(tmp_path):
    """A roster whose data rows hold two dates each is still the roster, not a sign-in grid."""
    roster = [["工号", "姓名", "出生日期", "参加工作时间"],
              ["1001", "王芳", dt.datetime(1985, 3, 1), dt.datetime(2008, 9, 1)],
              ["1002", "李强", dt.datetime(1990, 7, 1), dt.datetime(2013, 9, 1)]]
    b = _propose(write_xlsxwriter(tmp_path / "r.xlsx", {"Sheet1": roster})).binding
    assert [(s.target, s.shape) for s in b.sheets] == [("teachers", "rows")]


def test_header_row_found_by_its_headers_not_the_sheet_name(tmp_path):
    rows = [["某某小学"], ["2025年春季"], [], ["听课者", "授课人", "听课日期", "地点", "评课字数"],
            ["王芳", "李强", "2025-03-01", "校内", 200]]
    b = _propose(write_openpyxl(tmp_path / "x.xlsx", {"Sheet3": rows})).binding
    s = b.for_sheet("Sheet3")
    assert (s.target, s.header_row) == ("observations", 4)
    assert _fields(s) == {"听课者": "teacher_id", "授课人": "taught_by", "听课日期": "date", "地点": "location",
                          "评课字数": "comment_chars"}


@pytest.mark.parametrize("header,target,field", [
    *[(h, "observations", "taught_by") for h in ("执教教师", "授课教师", "授课人", "执教者", "上课教师")],
    *[(h, "observations", "date") for h in ("听课时间", "听课日期", "日期", "时间")],
    *[(h, "observations", "comment_chars") for h in ("笔记字数", "评课字数", "听课笔记字数")],
    *[(h, "teachers", "work_start") for h in ("参加工作年月", "参加工作时间", "工作时间", "入职时间")],
    *[(h, "teachers", "birth_date") for h in ("出生年月", "出生日期")],
    *[(h, "teachers", "mentor_id") for h in ("师傅", "带教师傅", "指导教师", "导师")],
    *[(h, "reading", "title") for h in ("书名", "书目", "篇名", "读物名称")],
    *[(h, "trainings", "title") for h in ("培训内容", "培训主题", "培训项目", "项目")],
    *[(h, "trainings", "hours") for h in ("课时", "学时", "时长")],
])
def test_issue_synonyms(tmp_path, header, target, field):
    """Each of the issue's headers, among a sheet's usual others, maps to its field."""
    base = {"observations": ["听课人", "授课教师", "日期", "地点", "评课字数"],
            "teachers": ["工号", "姓名", "出生日期", "参加工作时间", "师傅工号"],
            "reading": ["工号", "日期", "书刊名称", "类型"],
            "trainings": ["日期", "工号", "项目名称", "类别", "学时"]}[target]
    own = next(c for c in base if _propose_field(target, c) == field)
    headers = [header if c == own else c for c in base]
    b = _propose(write_openpyxl(tmp_path / "one.xlsx", {"表一": [headers, ["x"] * len(headers)]})).binding
    s = b.for_sheet("表一")
    assert s.target == target and s.field_of(header) == field


def _propose_field(target: str, header: str) -> str:
    from cpdsheets.contract.schema import SHEETS

    return next(c.key for c in SHEETS[target].columns if header in c.names)


def test_person_column_is_name_when_the_sheet_has_an_id(tmp_path):
    obs = [["听课人工号", "听课教师", "执教教师", "日期", "地点"], ["1002", "李强", "王芳", "2024-10-12", "校内"]]
    reading = [["工号", "读者", "书名", "日期", "类型"], ["1001", "王芳", "给教师的建议", "2024-10-01", "必读书目"]]
    b = _propose(write_openpyxl(tmp_path / "p.xlsx", {"听课": obs, "阅读": reading})).binding
    assert _fields(b.for_sheet("听课"))["听课教师"] == "name"
    assert _fields(b.for_sheet("听课"))["听课人工号"] == "teacher_id"
    # reading has no name field: the reader's name is left unused where a 工号 column says who it is
    assert _fields(b.for_sheet("阅读"))["读者"] == "" and _fields(b.for_sheet("阅读"))["工号"] == "teacher_id"


def test_tab_named_after_a_roster_teacher(tmp_path):
    """No title cell, no teacher column: the tab's name is a roster teacher's."""
    sheets = {"教职工名单": ROSTER, "张敏": READING_WANG[1:], "李强": [["备忘"], ["下周听课"]]}
    b = _propose(write_xlsxwriter(tmp_path / "t.xlsx", sheets)).binding
    zhang = b.for_sheet("张敏")
    assert (zhang.target, zhang.shape, zhang.teacher, zhang.header_row) == ("reading", "per_teacher", "张敏", 1)
    assert b.for_sheet("李强") is None


def test_missing_required_field_lists_columns_that_could_hold_it(tmp_path):
    rows = [["听课教师", "执教教师", "听课日期", "场合", "备注"],
            ["李强", "王芳", "2024-10-12", "校内", "很好的一节课"],
            ["张敏", "王芳", "2024-10-13", "外校", "学习了"]]
    proposal = _propose(write_openpyxl(tmp_path / "m.xlsx", {"听课登记": rows}))
    missing = proposal.details("听课登记").missing
    assert [(m.field, m.candidates) for m in missing] == [("location", ("场合",))]
    assert not proposal.complete


def test_own_and_empty_sheets_are_skipped(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.title = "听课登记"
    for row in [OBS_HEADER, *OBS_SPRING[2:]]:
        wb.active.append(row)
    for name in ("规则", "映射", "控制台", "说明", "学分汇总", "Alerts", "空白"):
        wb.create_sheet(name)["A1"] = None if name == "空白" else "x"
    hidden = wb.create_sheet("cpdsheets.marks")
    hidden["A1"] = "工号"
    hidden.sheet_state = "hidden"
    wb.save(tmp_path / "own.xlsx")
    proposal = _propose(tmp_path / "own.xlsx")
    assert [s.sheet for s in proposal.binding.sheets] == ["听课登记"]
    reasons = {k.sheet: k.reason for k in proposal.skipped}
    assert reasons == {"规则": "own", "映射": "own", "控制台": "own", "说明": "own", "学分汇总": "own", "Alerts": "own",
                       "空白": "empty", "cpdsheets.marks": "own"}


def _lines(binding: Binding) -> list[tuple]:
    return [(s.sheet, s.target, s.shape, s.header_row, s.teacher, [(c.header, c.field, c.default) for c in s.columns])
            for s in binding.sheets]


@pytest.mark.parametrize("writer", ["openpyxl", "xlsxwriter"])
def test_proposal_round_trips_through_the_mapping_sheet(tmp_path, writer):
    proposed = _propose(school_book(tmp_path / "s.xlsx", writer)).binding
    write = write_openpyxl if writer == "openpyxl" else write_xlsxwriter
    book = read_workbook(write(tmp_path / "m.xlsx", {"映射": mapping_rows(proposed)}))
    read, findings = read_mapping(book.sheets["映射"])
    assert findings == []
    assert _lines(read) == _lines(proposed)


def test_rebind_keeps_staff_edits_and_adds_what_is_new(tmp_path):
    path = school_book(tmp_path / "s.xlsx")
    proposed = _propose(path).binding
    # Staff edit the written 映射: 笔记字数 is not used, the grid's sessions count at 区级, and a sheet of
    # last year stays bound though the book no longer has it.
    rows = mapping_rows(proposed)
    for row in rows:
        if row[:2] == ["2024秋季听课登记", "笔记字数"]:
            row[2] = "（不用）"
        if row[0] == "校本培训签到表" and row[1] == "" and row[2] == "级别":
            row[3] = "区级"
    rows.append(["2023秋季听课登记", "（整张表）", "听课记录", ""])
    rows.append(["2023秋季听课登记", "听课人", "听课人", ""])
    existing, findings = read_mapping(read_workbook(write_openpyxl(tmp_path / "m.xlsx", {"映射": rows})).sheets["映射"])
    assert findings == []

    # Meanwhile the school added a column to one sheet and a new semester's sheet.
    autumn = [list(r) for r in OBS_AUTUMN]
    autumn[1] = autumn[1] + ["听课节次"]
    sheets = school_sheets()
    sheets["2024秋季听课登记"] = autumn
    sheets["2025秋季听课登记"] = OBS_SPRING
    fresh = _propose(write_openpyxl(tmp_path / "later.xlsx", sheets)).binding

    merged = merge(existing, fresh)
    autumn_binding = merged.for_sheet("2024秋季听课登记")
    assert autumn_binding.field_of("笔记字数") == ""  # staff's edit kept
    assert autumn_binding.field_of("听课节次") == ""  # the new column, mapped to nothing known
    assert merged.for_sheet("校本培训签到表").defaults()["level"] == "区级"
    assert merged.for_sheet("2025秋季听课登记").target == "observations"  # the new sheet added
    assert merged.for_sheet("2023秋季听课登记") is not None  # kept: the reader reports it missing
    assert [s.sheet for s in merged.sheets][:len(existing.sheets)] == [s.sheet for s in existing.sheets]


def test_rebind_adds_a_new_column_unless_staff_map_its_field_elsewhere():
    kept = SheetBinding(sheet="听课", target="observations", columns=(
        ColumnBinding(header="听课教师", field="teacher_id"), ColumnBinding(header="备注", field="location")))
    proposed = SheetBinding(sheet="听课", target="observations", columns=(
        ColumnBinding(header="听课教师", field="name", confidence=0.9),
        ColumnBinding(header="地点", field="location", confidence=1.0),
        ColumnBinding(header="执教教师", field="taught_by", confidence=1.0)))
    merged = merge(Binding(sheets=(kept,)), Binding(sheets=(proposed,))).for_sheet("听课")
    assert [(c.header, c.field) for c in merged.columns] == [
        ("听课教师", "teacher_id"), ("备注", "location"), ("地点", ""), ("执教教师", "taught_by")]


def test_readme_carries_the_synonym_catalogue():
    text = README.read_text(encoding="utf-8")
    assert "### 表头同义词（bind 如何认出各列）" in text
    assert catalogue_markdown() in text, "regenerate the table: python3 -c 'from cpdsheets.reports.binding_text " \
                                         "import catalogue_markdown; print(catalogue_markdown())'"


def test_other_logs_by_their_usual_headers(tmp_path):
    sheets = {
        "2024学年培训登记": [["序号", "姓名", "培训日期", "培训内容", "培训类型", "级别", "学时", "出勤"],
                             [1, "王芳", "2024-09-20", "心理健康", "通识培训", "区级", 3, "√"]],
        "获奖登记": [["姓名", "获奖时间", "类别", "获奖级别", "名称", "获奖等次"],
                     ["李强", "2024-12-01", "论文", "市级", "分数教学初探", "一等奖"]],
        "集体备课记录": [["日期", "备课组", "主备人", "活动形式", "参加人数", "内容"],
                         ["2024-10-08", "三年级语文", "王芳", "集体备课", 6, "第三单元"]],
        "请假登记": [["姓名", "开始时间", "结束时间", "事由"], ["张敏", "2025-03-01", "2025-06-30", "产假"]],
    }
    b = _propose(write_xlsxwriter(tmp_path / "logs.xlsx", sheets)).binding
    assert {s.sheet: s.target for s in b.sheets} == {"2024学年培训登记": "trainings", "获奖登记": "outputs",
                                                     "集体备课记录": "activities", "请假登记": "exemptions"}
    assert _fields(b.for_sheet("2024学年培训登记")) == {
        "序号": "", "姓名": "teacher_id", "培训日期": "date", "培训内容": "title", "培训类型": "category",
        "级别": "level", "学时": "hours", "出勤": "attendance"}
    assert _fields(b.for_sheet("获奖登记")) == {"姓名": "teacher_id", "获奖时间": "date", "类别": "type",
                                                "获奖级别": "level", "名称": "title", "获奖等次": "award"}
    assert _fields(b.for_sheet("集体备课记录")) == {"日期": "date", "备课组": "group", "主备人": "speaker",
                                                    "活动形式": "type", "参加人数": "attendees", "内容": ""}
    assert _fields(b.for_sheet("请假登记")) == {"姓名": "teacher_id", "开始时间": "start", "结束时间": "end",
                                                "事由": "reason"}


@pytest.mark.parametrize("write", [write_openpyxl, write_xlsxwriter])
def test_grid_with_teacher_headers_merged_down_beside_the_labels(tmp_path, write):
    """工号 and 姓名 merged over three rows; 日期 / 项目 / 学时 labels in the column beside them; one date
    merged over two sessions held that day."""
    rows = [["2024学年第一学期教师培训考勤表"],
            ["工号", "姓名", "日期", dt.datetime(2024, 9, 10), dt.datetime(2024, 10, 15), None],
            [None, None, "项目", "新课标解读", "作业设计", "师德专题（1学时）"],
            [None, None, "学时", 2, "1.5学时", None],
            ["1001", "王芳", None, "√", "到", "√"],
            ["1002", "李强", None, "假", "缺", "√"]]
    merged = {"考勤表": ["A1:F1", "A2:A4", "B2:B4", "E2:F2"]}
    proposal = _propose(write(tmp_path / "g.xlsx", {"考勤表": rows}, merged))
    grid = proposal.binding.for_sheet("考勤表")
    assert (grid.target, grid.shape, grid.header_row) == ("trainings", "grid", 2)
    assert _fields(grid) == {"工号": "teacher_id", "姓名": "name", "日期": ""}  # the label column is no session
    assert [(s.column, s.date, s.title, s.hours) for s in proposal.details("考勤表").sessions] == [
        ("D", "2024-09-10", "新课标解读", "2"), ("E", "2024-10-15", "作业设计", "1.5"),
        ("F", "2024-10-15", "师德专题", "1")]


def test_two_common_headers_do_not_make_a_log(tmp_path):
    """`日期 | 内容 | 负责人` holds two of 培训记录's five required fields: a school calendar, left out; the
    same headers under a name that says 培训 are a (thin) training log, shown with what it lacks."""
    calendar = [["日期", "内容", "负责人"], ["2024-09-01", "开学典礼", "王芳"]]
    proposal = _propose(write_openpyxl(tmp_path / "c.xlsx", {"工作安排": calendar, "培训安排": calendar}))
    assert [(k.sheet, k.reason) for k in proposal.skipped] == [("工作安排", "unrecognised")]
    assert proposal.binding.for_sheet("培训安排").target == "trainings"
    assert {m.field for m in proposal.details("培训安排").missing} == {"teacher_id", "category", "hours"}


def test_any_grid_of_cells_gives_a_proposal_that_round_trips():
    """Seeded random sheets (catalogue words, marks, dates, titles, formulas-as-text, odd types): propose
    never raises, the reports render, and the binding survives the 映射 rows unchanged."""
    import random

    from cpdsheets.contract.book import RawBook, RawSheet
    from cpdsheets.contract.synonyms import HEADER_SYNONYMS, PERSON_WORDS
    from cpdsheets.reports.binding_text import proposal_json, proposal_text

    words = [w for t in HEADER_SYNONYMS.values() for ws in t.values() for w in ws]
    words += [w for ws in PERSON_WORDS.values() for w in ws]
    odd = [None, "", " ", "√", "假", "缺", 1, 2.5, float("nan"), float("inf"), True, dt.datetime(2024, 9, 10),
           dt.date(1800, 1, 1), dt.time(8, 0), "2024.9.10 讲座 2学时", "9月10日", "2024.13.40 x", "教师：", "教师：王芳",
           "=1+1", "x" * 300, "日期", "项目", "学时"]
    rng = random.Random(7)
    bound = 0
    for _ in range(150):
        sheets = {}
        for i in range(rng.randint(1, 4)):
            name = rng.choice(["Sheet", "签到表", "听课", "王芳", "cpdsheets.x", "映射", "读书"]) + str(i)
            sheets[name] = RawSheet(name, [[rng.choice(words + odd) for _ in range(rng.randint(0, 9))]
                                           for _ in range(rng.randint(0, 20))])
        proposal = propose(RawBook(sheets))
        bound += len(proposal.binding.sheets)
        proposal_text(proposal, "x", "zh"), proposal_text(proposal, "x", "en"), proposal_json(proposal)
        read, findings = read_mapping(RawSheet("映射", mapping_rows(proposal.binding)))
        assert findings == [] and _lines(read) == _lines(proposal.binding)
    assert bound > 50  # the random sheets did bind: the round trip was exercised


@pytest.mark.parametrize("write", [write_openpyxl, write_xlsxwriter])
def test_session_headers_as_schools_type_them(tmp_path, write):
    rows = [["工号", "姓名", "第1次（2024.9.10）师德讲座 学时：2", "2024年10月8日 作业设计（1.5学时）", "11.20 读书分享",
             dt.datetime(2024, 12, 3)],
            ["1001", "王芳", "√", "到", "假", "缺"]]
    proposal = _propose(write(tmp_path / "h.xlsx", {"签到": rows}))
    assert [(s.column, s.date, s.title, s.hours) for s in proposal.details("签到").sessions] == [
        ("C", "2024-09-10", "第1次 师德讲座", "2"), ("D", "2024-10-08", "作业设计", "1.5"),
        ("E", "11月20日", "读书分享", ""), ("F", "2024-12-03", "", "")]
