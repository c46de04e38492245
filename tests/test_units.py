"""A unit typed after a number is read as the number (docs/SPEC.md), but a unit that belongs to another
column (`8人` in 学时) is said: it often means the value went into the wrong column."""

import datetime as dt
import json

from conftest import TRAININGS, READING
from conftest import invoke_cli as cli


def _findings(book):
    r = cli("validate", book, "--format", "json")
    assert r.returncode in (0, 1), r.stderr
    return json.loads(r.stdout)["files"][0]["findings"]


def test_a_unit_of_another_column_is_a_warning_and_the_number_counts(book_factory):
    day = dt.date(2025, 9, 17)
    trainings = [*TRAININGS,
                 [day, "1001", "张三", "读书会", "校本研修", "校级", "8人", "出勤"],
                 [day, "1002", "李四", "读书会", "校本研修", "校级", "2学时", "出勤"],
                 [day, "0007", "王五", "读书会", "校本研修", "校级", "３ 小时", "出勤"]]
    reading = [*READING, ["1002", day, "小学语文教师", "教育刊物", "3天"], ["0007", day, "人民教育", "教育刊物", "2千字"]]
    findings = _findings(book_factory(培训记录=trainings, 读书记录=reading))
    units = [f for f in findings if f["code"] == "unexpected-unit"]
    assert {(f["sheet"], f["cell"], f["value"]) for f in units} == {("培训记录", "G4", "8人"), ("读书记录", "E3", "3天")}
    by_cell = {f["cell"]: f for f in units}
    assert by_cell["G4"]["severity"] == "warning"
    assert "「人」" in by_cell["G4"]["message"] and "学时" in by_cell["G4"]["message"] and "按 8 计入" in by_cell["G4"]["message"]
    assert "本行仍计入统计" in by_cell["G4"]["message"]
    assert not [f for f in findings if f["level" if "level" in f else "severity"] == "error"]


def test_the_row_with_a_foreign_unit_earns_what_the_plain_number_earns(book_factory):
    day = dt.date(2025, 9, 17)

    def credits(hours):
        book = book_factory(培训记录=[*TRAININGS, [day, "0007", "王五", "读书会", "校本研修", "校级", hours, "出勤"]])
        r = cli("recalc", book, "--dry-run", "--format", "json")
        return {t["teacher_id"]: t for t in json.loads(r.stdout)["teachers"]}["0007"]["credits"]

    assert credits("8人") == credits(8) > credits(2) > 0
