"""Header detection: title rows, blank rows, alias and English headers, marks, merged cells, order."""

import datetime as dt

import openpyxl

from cpdsheets.doors.cli import validate_file
from cpdsheets.doors.reader import read_workbook
from cpdsheets.engine.validate import validate_book
from conftest import base_sheets, write_book

D = dt.date


def test_title_rows_and_marked_headers(tmp_path):
    sheets = base_sheets()
    sheets["培训记录"] = [
        ["2025-2026学年培训记录"], [],
        ["考勤", "*日期", "工 号(必填)", "项目名称（必填）", "类别", "学时", "备注"],
        ["√", "2025/9/3", 1001.0, "师德培训", "师德培训", "2学时", "自带列"],
    ]
    report = validate_file(str(write_book(tmp_path / "b.xlsx", sheets)))
    assert report.findings == []
    v = validate_book(read_workbook(tmp_path / "b.xlsx"))
    df = v.dataset.frame("trainings")
    assert list(df["_row"]) == [4]
    assert df["teacher_id"].tolist() == ["1001"] and df["hours"].tolist() == [2.0]
    assert v.dataset.places["trainings"]["teacher_id"].letter == "C"
    assert v.dataset.places["trainings"]["teacher_id"].header == "工 号(必填)"


def test_english_sheet_and_headers(tmp_path):
    sheets = base_sheets()
    del sheets["听课记录"]
    sheets["Observations"] = [["Date", "Observer ID", "Taught by", "Location"],
                              [D(2025, 9, 10), "1002", "张三", "in"]]
    report = validate_file(str(write_book(tmp_path / "b.xlsx", sheets)))
    assert report.findings == []
    assert report.rows > 0


def test_sheet_name_with_year_prefix_is_found(tmp_path):
    sheets = base_sheets()
    sheets["2025学年听课记录"] = sheets.pop("听课记录")
    assert validate_file(str(write_book(tmp_path / "b.xlsx", sheets))).findings == []


def test_blank_rows_inside_and_after_table_and_hidden_rows(tmp_path):
    sheets = base_sheets()
    rows = sheets["培训记录"]
    sheets["培训记录"] = [rows[0], rows[1], [], [None] * 8, rows[2], [], []]
    path = write_book(tmp_path / "b.xlsx", sheets)
    wb = openpyxl.load_workbook(path)
    wb["培训记录"].row_dimensions[5].hidden = True
    wb.save(path)
    v = validate_book(read_workbook(path))
    df = v.dataset.frame("trainings")
    assert list(df["_row"]) == [2, 5]  # the hidden row still counts; blank rows do not
    assert v.findings == [] or all(f.code == "no-school-year" for f in v.findings)


def test_merged_cells_fill_down_and_formulas_use_cached_values(tmp_path):
    import xlsxwriter

    path = tmp_path / "m.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    for name, rows in base_sheets().items():
        ws = wb.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, v in enumerate(row):
                if isinstance(v, dt.date):
                    ws.write_datetime(r, c, dt.datetime(v.year, v.month, v.day), fmt)
                elif v is not None:
                    ws.write(r, c, v)
    ws = wb.get_worksheet_by_name("培训记录")
    # one session, three teachers: the date and the title merged down, hours computed by a formula
    ws.merge_range("A4:A5", None)
    ws.write_datetime("A4", dt.datetime(2025, 10, 8), fmt)
    ws.merge_range("D4:D5", "教研培训")
    for r, tid in ((3, "1001"), (4, "1002")):
        ws.write(r, 1, tid)
        ws.write(r, 4, "校本研修")
        ws.write(r, 5, "校级")
        ws.write_formula(r, 6, "=1+2", None, 3)
        ws.write(r, 7, "出勤")
    wb.close()
    v = validate_book(read_workbook(path))
    df = v.dataset.frame("trainings").set_index("_row")
    assert df.loc[5, "date"].date() == D(2025, 10, 8)
    assert df.loc[5, "title"] == "教研培训"
    assert df.loc[4, "hours"] == 3.0 and df.loc[5, "hours"] == 3.0
    assert [f.code for f in v.findings if f.level == "error"] == []


def test_true_and_one_in_one_column_are_parsed_apart(tmp_path):
    # pandas hashes True like 1: each must still get its own verdict
    sheets = base_sheets()
    rows = sheets["培训记录"]
    rows[1][6] = 1  # 学时 1: fine
    rows[2][6] = True  # 学时 TRUE: not a number
    report = validate_file(str(write_book(tmp_path / "b.xlsx", sheets)))
    assert [(f.code, f.cell) for f in report.findings] == [("invalid-number", "G3")]
