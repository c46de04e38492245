"""Findings are built from their classes, and which rows count is decided once, from the error findings.

The catalogue's templates are checked against each type's declared ``fields``, so no message can show an
unfilled ``{field}``; the checks are run on a real workbook and must leave the frame as they found it.
"""

from __future__ import annotations

import ast
import datetime as dt
import string
from pathlib import Path

import pytest

import cpdsheets
from cpdsheets.contract.findings import FindingType, finding_codes
from cpdsheets.contract.schema import SHEETS
from cpdsheets.doors.reader import read_workbook
from cpdsheets.engine import checks
from cpdsheets.engine.sheet_frame import read_sheet
from cpdsheets.engine.validate import validate_book
from cpdsheets.engine.verdict import judge

PACKAGE = Path(cpdsheets.__file__).parent
PLACE = {"column", "value", "sheet"}  # what every finding fills from where it is
# what engine.checks.suggest_ids (and check_groups) add for a variant hint
SUGGESTION = {"suggest_id", "suggest_name", "suggest_value"}


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@pytest.mark.parametrize("code", finding_codes())
def test_every_code_has_a_class_whose_fields_fill_its_templates(code):
    kind = FindingType.registry[code]
    assert kind.code == code and issubclass(kind, FindingType)
    used: set[str] = set()
    for lang in ("zh", "en"):
        for template in (kind.title[lang], kind.message[lang], kind.hint[lang]):
            assert _fields(template) <= set(kind.fields) | PLACE, (code, template)
            used |= _fields(template)
        for hint in kind.variant_hints.values():
            assert _fields(hint[lang]) <= set(kind.fields) | PLACE | SUGGESTION, (code, hint[lang])
    assert set(kind.fields) <= used, f"{code} declares fields no template shows"

    finding = kind.at("培训记录", row=3, cell="B3", column="工号", value="x",
                      **{name: f"<{name}>" for name in kind.fields})
    assert finding.code == code
    for lang in ("zh", "en"):
        text = finding.message(lang) + finding.hint(lang)
        assert "{" not in text and all(f"<{name}>" in text for name in kind.fields
                                       if name in _fields(kind.message[lang] + kind.hint[lang]))


@pytest.mark.parametrize("code", finding_codes())
def test_a_factory_refuses_a_missing_or_unknown_parameter(code):
    kind = FindingType.registry[code]
    params = {name: "x" for name in kind.fields}
    with pytest.raises(TypeError):
        kind.at("s", **params, not_a_field="x")
    if params:
        params.popitem()
        with pytest.raises(TypeError):
            kind.at("s", **params)


def _package_modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        yield path, ast.parse(path.read_text(encoding="utf-8"))


def test_the_package_builds_findings_only_from_their_classes():
    """``Finding("no-school-year", ...)`` would bypass the type's fields; only contract/findings.py may call it."""
    calls = [
        f"{path.relative_to(PACKAGE)}:{node.lineno}"
        for path, tree in _package_modules() if path != PACKAGE / "contract" / "findings.py"
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "Finding"
    ]
    assert calls == []


def test_no_key_error_is_swallowed():
    """A handler that catches KeyError must turn it into a clear error, never carry on silently."""
    silent = []
    for path, tree in _package_modules():
        for node in ast.walk(tree):
            if not isinstance(node, ast.ExceptHandler) or node.type is None:
                continue
            caught = node.type.elts if isinstance(node.type, ast.Tuple) else [node.type]
            if any(isinstance(c, ast.Name) and c.id == "KeyError" for c in caught):
                if not any(isinstance(n, ast.Raise) for n in ast.walk(node)):
                    silent.append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
    assert silent == []


D = dt.date
TRAININGS = [
    ["日期", "工号", "姓名", "项目名称", "类别", "级别", "学时", "考勤", "天数"],
    [D(2025, 9, 3), "1001", "张三", "师德培训", "师德培训", "校级", 2, "出勤", None],
    [D(2025, 9, 3), "1001", "张三", "师德培训", "师德培训", "校级", 2, "出勤", None],  # row 3: repeats row 2
    [D(2025, 9, 4), "1002", "李四", "师德培训", "师德培训", "校级", "两小时半", "出勤", None],  # row 4: 学时 unreadable
    [D(2025, 9, 5), "1002", "李四", "班主任培训", "专业培训", "区级", 6, "出勤", "很多"],  # row 5: 天数 unreadable
    [D(2025, 9, 6), "9999", "无名", "班主任培训", "专业培训", "校级", 2, "出勤", None],  # row 6: unknown 工号
    [D(2025, 9, 7), "1001", "张三", "外出培训", "外出培训", "市级", 14, "出勤", None],  # row 7: 14 学时 in a day
]


def test_rows_left_out_and_cells_blanked_are_exactly_those_of_the_error_findings(book_factory):
    book = read_workbook(book_factory(培训记录=TRAININGS))
    validation = validate_book(book)
    read = validation.reads["trainings"]
    errors = [f for f in validation.findings if f.sheet == "培训记录" and f.level == "error"]

    left_out = set(read.frame.index[~read.frame["_ok"]])
    assert left_out == {f.row for f in errors if f.drops_row} == {3, 4, 6}
    blanked = {(key, int(r)) for key, rows in read.blanked.items() for r in rows}
    assert blanked == {("days", f.row) for f in errors if not f.drops_row} == {("days", 5)}
    assert read.frame.at[5, "_ok"] and read.frame["days"].isna().all()
    # A warning never decides: too-many-hours on row 7 keeps the row.
    assert any(f.code == "too-many-hours" and f.row == 7 for f in validation.findings)
    assert read.frame.at[7, "_ok"]


def test_checks_only_report_and_never_touch_the_frame(book_factory):
    book = read_workbook(book_factory(培训记录=TRAININGS))
    roster_read = read_sheet(book.sheets["教师名册"], SHEETS["teachers"], None)
    read = read_sheet(book.sheets["培训记录"], SHEETS["trainings"], None)
    assert "_ok" not in read.frame  # nothing has decided yet
    before = read.frame.copy()

    found = checks.check_duplicates(read, "培训记录", [c.key for c in SHEETS["trainings"].columns],
                                    judge(read, read.findings))
    found += checks.check_teacher_refs(read, "培训记录", roster_read.frame)
    found += checks.check_hours_per_day(read, "培训记录", read.frame)
    assert {f.code for f in found} >= {"duplicate-row", "unknown-teacher", "too-many-hours"}
    assert read.frame.equals(before) and "_ok" not in read.frame and read.blanked == {}
    # Only the verdict, from the findings, leaves rows out.
    assert not judge(read, [*read.findings, *found]).ok[[3, 4, 6]].any()
