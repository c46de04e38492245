"""One table per concept: sheets, metrics and period kinds are records in contract/, and the code asks them.

The scans read the package's source (ast): outside ``cpdsheets/contract/`` no module may hold a
literal collection naming two or more sheets (by key or name) or compare a value with a metric or
period-kind word; such a list would drift from the SheetSpec / MetricSpec / PeriodKindSpec tables
as the 豁免 KeyError once did (a rule on 豁免 passed the policy reader, compute built no frame).
Nor may it name one sheet by its key (``spec.key == "observations"``, ``dataset.valid("teachers")``):
a fact about one sheet is a field of its SheetSpec, and the roster is ``TEACHERS.key``. Nor one column
(``col.key == "mentor_id"``, ``t.key == "taught_by"``): a fact about a column is a field of its ColumnSpec.
"""

from __future__ import annotations

import ast
import dataclasses
import datetime as dt
import functools
from pathlib import Path

import pytest
from conftest import invoke_cli

from cpdsheets.contract.book import RawBook, RawSheet
from cpdsheets.doors.reader import read_workbook
from cpdsheets.engine import validate
from cpdsheets.contract.findings import DateOrder, DuplicateRow
from cpdsheets.doors.batch import validate_file
from cpdsheets.engine.cross_checks import CROSS_CHECKS, CrossCheck, Ran, UndeclaredFinding, run_cross_checks
from cpdsheets.jobs import book as jobs_book
from cpdsheets.contract.period import PERIOD_KIND_SPECS, Period, period_label
from cpdsheets.contract.policy import DEFAULT_RULES, METRIC_SPECS, METRICS
from cpdsheets.contract.schema import COUNTED_SHEETS, CREDIT_LEDGER, DATA_SHEETS, SHEETS, TEACHERS
from cpdsheets.contract.synonyms import SHEET_WORDS as SHEET_NAME_WORDS

PACKAGE = Path(__file__).parents[1] / "cpdsheets"
SHEET_WORDS = {s.key for s in DATA_SHEETS} | {s.name for s in DATA_SHEETS}
SHEET_KEYS = {s.key for s in DATA_SHEETS}
# The roster's key is also a word of the results ("teachers": a count, a JSON field, a catalogue
# code), so it is caught only where a sheet is meant; every other sheet key is caught anywhere.
ROSTER_KEY = TEACHERS.key
SHEET_LOOKUPS = {"valid", "frame"}  # dataset.valid("...") / .frame("...")
SHEET_MAPS = {"SHEETS", "reads", "sheet_names", "frames"}  # SHEETS["..."], reads.get("...")
KIND_WORDS = set(METRIC_SPECS) | set(PERIOD_KIND_SPECS)
# The two columns every sheet about a teacher shares by the contract's own convention: whose row it is
# (``teacher_id``, what frames are joined and grouped on everywhere) and that teacher's name where the
# sheet has one (``name``, where bind puts the person words). Naming them is not one column's special case.
SUBJECT_KEYS = {"teacher_id", "name"}
COLUMN_KEYS = {c.key for s in (*DATA_SHEETS, CREDIT_LEDGER) for c in s.columns} - SUBJECT_KEYS


def _modules() -> list[Path]:
    """Every module but the contract's, and the samples': a fictional school's records, sheet by sheet,
    are data (what staff typed), not facts about the sheets."""
    return sorted(p for p in PACKAGE.rglob("*.py") if not {"contract", "samples"} & set(p.relative_to(PACKAGE).parts))


def _strings(node: ast.AST) -> list[str]:
    return [n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str)]


def sheet_collections(tree: ast.AST) -> list[tuple[int, list[str]]]:
    """Literal tuples, lists, sets and dicts (outermost) naming two or more sheets, or two or more
    metrics or period kinds (``("月", "周", "双周")``, a dict of units by kind)."""
    out, inside = [], set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Tuple, ast.List, ast.Set, ast.Dict)) and id(node) not in inside:
            for sub in ast.walk(node):
                inside.add(id(sub))
            strings = _strings(node)
            for words in (SHEET_WORDS, set(METRIC_SPECS), set(PERIOD_KIND_SPECS)):  # each table apart: a catalogue
                # may hold 学年 (School year) beside 合计 (Total) as words to show
                named = [s for s in strings if s in words]
                if len(set(named)) >= 2:
                    out.append((node.lineno, named))
    return out


def kind_comparisons(tree: ast.AST) -> list[tuple[int, list[str]]]:
    """Comparisons (==, !=, in, not in) against a metric or period-kind word."""
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            named = [s for side in (node.left, *node.comparators) for s in _strings(side) if s in KIND_WORDS]
            if named:
                out.append((node.lineno, named))
    return out


def _name(node: ast.AST) -> str:
    return node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else ""


def _key_at(node: ast.AST) -> str | None:
    return node.value if isinstance(node, ast.Constant) and node.value in SHEET_KEYS else None


def sheet_key_literals(tree: ast.AST) -> list[tuple[int, str]]:
    """Places naming one sheet by its key: any literal key but the roster's, and the roster's where a
    sheet is meant (a comparison, ``SHEETS[...]``, ``.valid(...)``, ``reads.get(...)``); and any
    ``<spec>.key == "..."``, a special case of one sheet whatever the word."""
    out: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        key = _key_at(node)
        if key is not None and key != ROSTER_KEY:
            out.append((node.lineno, key))
        elif isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            keyed = any(isinstance(n, ast.Attribute) and n.attr == "key" and "spec" in _name(n.value) for n in sides)
            out += [(node.lineno, str(n.value)) for n in sides if isinstance(n, ast.Constant) and isinstance(n.value, str)
                    and (keyed or n.value == ROSTER_KEY)]
        elif isinstance(node, ast.Subscript) and _name(node.value) in SHEET_MAPS and _key_at(node.slice) == ROSTER_KEY:
            out.append((node.lineno, ROSTER_KEY))
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.args and (
                node.func.attr in SHEET_LOOKUPS or node.func.attr == "get" and _name(node.func.value) in SHEET_MAPS):
            out += [(node.lineno, ROSTER_KEY) for a in node.args[:1] if _key_at(a) == ROSTER_KEY]
    return sorted(set(out))


def column_key_tests(tree: ast.Module) -> list[tuple[int, str]]:
    """Comparisons of some ``<x>.key`` with a column's key, typed there or held by a module-level name
    (``col.key == "mentor_id"``, ``t.key in ("t:roles", "roles")``, ``col.key in _WIDE_TEXT``)."""
    named = {t.id: n.value for n in tree.body if isinstance(n, (ast.Assign, ast.AnnAssign)) and n.value is not None
             for t in (n.targets if isinstance(n, ast.Assign) else [n.target]) if isinstance(t, ast.Name)}
    out: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Compare):
            continue
        sides = [node.left, *node.comparators]
        if not any(isinstance(n, ast.Attribute) and n.attr == "key" for n in sides):
            continue
        for side in sides:
            held = named.get(side.id) if isinstance(side, ast.Name) else side
            out += [(node.lineno, w) for w in _strings(held) if w in COLUMN_KEYS] if held is not None else []
    return sorted(set(out))


def test_the_column_key_scan_catches_what_it_forbids():
    src = ast.parse('WIDE = {"title", "award"}\nif col.key == "mentor_id": pass\nif t.key in ("t:roles", "roles"): pass\n'
                    'if col.key in WIDE: pass\nif "taught_by" != term.key: pass\n'
                    'ok = col.key == "teacher_id"\nok = c.key == "name"\nok = t.key == "t:subject_type"\n'
                    'ok = col.key == rule.field\nok = frame["taught_by"]\nok = key == "mentor_id"\n')
    assert column_key_tests(src) == [(2, "mentor_id"), (3, "roles"), (4, "award"), (4, "title"), (5, "taught_by")]


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_column_special_cased_by_its_key_outside_the_contract(path):
    found = column_key_tests(ast.parse(path.read_text(encoding="utf-8")))
    assert found == [], "a fact about one column belongs on its ColumnSpec (contract/schema.py)"


def test_the_sheet_key_scan_catches_what_it_forbids():
    src = ast.parse('taught = read.spec.key == "observations"\nif spec.key != "anything": pass\n'
                    'x = dataset.valid("teachers")\ny = SHEETS["teachers"].name\nz = validation.reads.get("teachers")\n'
                    'if m.target == "teachers": pass\nw = frames["exemptions"]\n'
                    'ok = counts["teachers"]\nok = {"teachers": 1}\nok = col.key == "title"\nok = TEACHERS.key\n')
    assert sheet_key_literals(src) == [(1, "observations"), (2, "anything"), (3, "teachers"), (4, "teachers"),
                                       (5, "teachers"), (6, "teachers"), (7, "exemptions")]


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_sheet_named_by_its_key_outside_the_contract(path):
    found = sheet_key_literals(ast.parse(path.read_text(encoding="utf-8")))
    assert found == [], "a fact about one sheet belongs on its SheetSpec (contract/schema.py); the roster is TEACHERS.key"


def test_the_scans_catch_what_they_forbid():
    """The scans themselves find the patterns this file forbids (so an empty result means something)."""
    src = ast.parse('A = ("trainings", "outputs")\nB = {"读书记录": 1, "教研活动": 2}\n'
                    'if rule.metric == "占比": pass\nif kind in ("月", "周"): pass\nC = ("trainings",)\n'
                    'D = {"月": "个月", "周": "周"}\n')
    assert sorted(line for line, _ in sheet_collections(src)) == [1, 2, 4, 6]
    assert [line for line, _ in kind_comparisons(src)] == [3, 4]


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_list_of_sheets_or_kind_test_outside_the_contract(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    assert sheet_collections(tree) == [], "a list of sheets belongs on SheetSpec (contract/schema.py)"
    assert kind_comparisons(tree) == [], "ask the MetricSpec / PeriodKindSpec (contract/) instead"


def test_every_sheet_fact_reads_off_the_spec():
    # the lists the engine used to keep (REQUIRED_SHEETS, OPTIONAL_SHEETS, COUNTED_SHEETS) are the specs' fields
    old = ["teachers", "trainings", "observations", "reading", "outputs", "activities", "exemptions"]
    assert [s.key for s in COUNTED_SHEETS if s.key in old] == ["trainings", "observations", "reading", "outputs",
                                                                "activities"]
    assert {s.key for s in DATA_SHEETS if s.optional and s.key in old} == {"activities", "exemptions"}
    # `cpdsheets bind` weighs a sheet's name by these words: a new sheet needs its own
    assert set(SHEET_NAME_WORDS) == set(SHEETS), "add the sheet's name words to contract/synonyms.py SHEET_WORDS"
    for spec in DATA_SHEETS:
        keys = {c.key for c in spec.columns}
        assert spec.en and spec.en in spec.aliases or spec.en.replace(" ", "") in spec.aliases, spec.key
        assert spec.year_date is None or spec.year_date in keys
        assert spec.title_column is None or spec.title_column in keys
        for shown in spec.archive_columns:
            assert set(shown.keys) <= keys | {"_credits"}, (spec.key, shown.keys)
        assert spec.archive_amount is None or spec.archive_amount in keys
    # a rule may count a sheet only if the computation builds it and it is dated in the school year
    assert all(s.year_date for s in COUNTED_SHEETS)


def test_every_default_rule_names_records_the_contract_has():
    for rule in DEFAULT_RULES:
        assert rule.metric in METRICS and rule.period in PERIOD_KIND_SPECS
        assert rule.pace == rule.metric_spec.default_pace or rule.rule_id in {"R01", "R02", "R09", "R15"}
        assert all(k in SHEETS and SHEETS[k].counted for k in rule.logs)
        if rule.metric_spec.sums:
            assert rule.field


@pytest.mark.parametrize(("period", "zh", "en"), [
    (Period("学年", year=2025, end_year=2026), "2025-2026学年", "School year 2025-2026"),
    (Period("学期", 2), "第二学期", "Semester 2"),
    (Period("学期", 3), "第3学期", "Semester 3"),
    (Period("月", 1, 9, 2025), "2025年9月", "2025-09"),
    (Period("双周", 1, 3), "第一学期第3双周", "Semester 1 fortnight 3"),
    (Period("周", 2, 12), "第二学期第12周", "Semester 2 week 12"),
])
def test_a_period_is_formatted_in_either_language(period, zh, en):
    assert period_label(period) == zh and period_label(period, "en") == en
    assert period_label(period.reading_unit) == (zh if period.kind == "学年" else period_label(Period("学期", period.semester)))


# -- cross-checks declare the findings they emit ---------------------------------------------------

DEMO = Path(__file__).parents[1] / "workbook" / "demo_school.xlsm"
D = dt.date
# Rows added to the demo, by sheet and header, each planting what one cross-check exists to find.
HOSTILE_ROWS: dict[str, list[dict[str, object]]] = {
    "教师名册": [
        {"工号": "1001", "姓名": "重复工号"},  # duplicate-teacher-id
        {"工号": "2001", "姓名": "自己的徒弟", "师傅工号": "2001"},  # self-mentor
        {"工号": "2002", "姓名": "无名师傅", "师傅工号": "9999"},  # unknown-mentor
        {"工号": "2003", "姓名": "倒着走", "入校日期": D(2025, 9, 1), "离校日期": D(2025, 3, 1)},  # date-order
    ],
    "培训记录": [
        {"日期": D(2025, 9, 3), "工号": "1001", "姓名": "陈建国", "项目名称": "新学期师德师风专题培训", "类别": "师德培训",
         "级别": "校级", "学时": 3.0, "考勤": "出勤"},  # duplicate-row of the demo's first row
        {"日期": D(2025, 10, 9), "工号": "1003", "姓名": "王芳", "项目名称": "课堂观察", "类别": "校本研修",
         "学时": "8人"},  # unexpected-unit
        {"日期": D(2025, 10, 10), "工号": "8888", "项目名称": "无此人", "类别": "校本研修", "学时": 2},  # unknown-teacher
        {"日期": D(2025, 10, 11), "工号": "1002", "姓名": "张三", "项目名称": "名字不对", "类别": "校本研修",
         "学时": 2},  # name-mismatch
        {"日期": D(2019, 10, 11), "工号": "1002", "项目名称": "很久以前", "类别": "校本研修", "学时": 2},  # outside the year
        {"日期": D(2025, 10, 13), "工号": "1002", "项目名称": "类别自拟", "类别": "自创类别", "学时": 2},  # unknown-category
        {"日期": D(2025, 10, 14), "工号": "1002", "项目名称": "同一场 培训", "类别": "校本研修", "学时": 2},
        {"日期": D(2025, 10, 14), "工号": "1002", "项目名称": "同一场培训", "类别": "校本研修", "学时": "2学时"},  # likely dup
        {"日期": D(2025, 10, 15), "工号": "1004", "项目名称": "通宵", "类别": "校本研修", "学时": 20},  # too-many-hours
    ],
    "听课记录": [
        {"日期": D(2025, 10, 16), "听课人工号": "1001", "授课教师": "查无此人", "课题": "某课", "地点": "校内"},
    ],
    "教研活动": [{"日期": D(2025, 10, 17), "组别": "不存在组", "类型": "主题教研"}],  # unknown-group
    "豁免": [
        {"工号": "1001", "规则编号": "R99", "开始日期": D(2025, 10, 1), "结束日期": D(2025, 11, 1)},  # unknown-rule-id
        {"工号": "1002", "开始日期": D(2025, 11, 1), "结束日期": D(2025, 10, 1)},  # date-order
    ],
}


def _hostile(book: RawBook) -> RawBook:
    sheets = dict(book.sheets)
    for name, rows in HOSTILE_ROWS.items():
        old = book.sheets[name].rows
        header = next(r for r in old if {"工号", "日期", "组别"} & set(map(str, r)) or "Teacher ID" in r)
        width = len(header)
        added = [[row.get(str(h), "") for h in header] for row in rows]
        assert all(set(row) <= set(map(str, header)) for row in rows), name
        sheets[name] = RawSheet(name, [list(r) + [""] * (width - len(r)) for r in old] + added)
    return RawBook(sheets, book.path)


def _ran(monkeypatch: pytest.MonkeyPatch, raw: RawBook, declared: tuple[CrossCheck, ...] = CROSS_CHECKS) -> list[Ran]:
    """Every check's findings on one real run of the book's check (the job every door calls)."""
    ran: list[Ran] = []

    def recording(*args, **kwargs):
        this = run_cross_checks(*args, **kwargs, declared=declared)
        ran.extend(this)
        return this

    monkeypatch.setattr(validate, "run_cross_checks", recording)
    jobs_book.check(raw)
    return ran


def _undeclared(ran: list[Ran]) -> list[tuple[str, str, set[str]]]:
    """(check, sheet, codes) a check emitted without declaring them, or on a sheet it does not name."""
    return [(r.check.name, r.sheet, {f.code for f in r.findings} - r.check.codes) for r in ran
            if {f.code for f in r.findings} - r.check.codes or r.sheet not in r.check.sheets]


def test_cross_checks_emit_only_what_they_declare_and_the_hostile_book_reaches_each(monkeypatch):
    demo = read_workbook(DEMO)
    emitted: dict[str, set[str]] = {}
    for raw in (demo, _hostile(demo)):
        ran = _ran(monkeypatch, raw)
        assert ran, "the cross-checks ran"
        assert _undeclared(ran) == []
        for r in ran:
            emitted.setdefault(r.check.name, set()).update(f.code for f in r.findings)
    for check in CROSS_CHECKS:  # every declared type is one the checks really emit
        assert emitted.get(check.name, set()) == check.codes, check.name


def test_each_cross_check_declares_its_sheets_by_what_they_are():
    by_name = {c.name: c.sheets for c in CROSS_CHECKS}
    assert by_name["roster"] == ("teachers",)
    assert by_name["groups"] == tuple(s.key for s in DATA_SHEETS if s.subject == "group")
    assert by_name["dates-in-year"] == tuple(s.key for s in DATA_SHEETS if s.year_date)
    assert by_name["rule-ids"] == tuple(s.key for s in DATA_SHEETS if s.exempts)  # 豁免, by SheetSpec.exempts
    assert set(by_name["teacher-refs"]) == {s.key for s in DATA_SHEETS if s.key != "teachers"
                                           and "teacher_id" in {c.key for c in s.columns}}


def test_a_check_emitting_a_type_it_does_not_declare_stops_the_run(monkeypatch):
    """Declared types are enforced at run time, not only here: a narrowed declaration is a programming
    error naming the check and the code, raised on the first sheet it happens on."""
    narrowed = tuple(dataclasses.replace(c, emits=c.emits[:1]) if c.name == "roster" else c for c in CROSS_CHECKS)
    with pytest.raises(UndeclaredFinding) as caught:
        _ran(monkeypatch, _hostile(read_workbook(DEMO)), narrowed)
    assert (caught.value.check, caught.value.sheet) == ("roster", TEACHERS.key)
    assert caught.value.code in {"self-mentor", "unknown-mentor", "date-order"}


# A check that says it finds duplicate rows but returns a date-order finding on every counted sheet.
FAKE = CrossCheck("fake", lambda s: s.counted, (DuplicateRow,),
                  lambda c: [DateOrder.at(c.sheet, row=2, cell="A2", **{k: "x" for k in DateOrder.fields})])


def test_a_fake_check_s_undeclared_finding_is_one_internal_error_line(monkeypatch):
    """Through the doors: `recalc` (in this process) prints the internal-error line and exits 2, and the
    batch validate of one file reports it as that file's line; no traceback, no finding."""
    monkeypatch.setattr(validate, "run_cross_checks", functools.partial(run_cross_checks, declared=(*CROSS_CHECKS, FAKE)))
    run = invoke_cli("recalc", DEMO, "--dry-run")
    assert run.returncode == 2 and run.stdout == ""
    line = f"{DEMO}: 内部错误，未能校验（UndeclaredFinding: cross-check 'fake' emitted 'date-order' on sheet 'trainings'"
    assert run.stderr.startswith(line) and run.stderr.count("\n") == 1 and "Traceback" not in run.stderr
    report = validate_file(str(DEMO), "en", None)
    assert report.unreadable.startswith("internal error, not validated (UndeclaredFinding: cross-check 'fake'")
