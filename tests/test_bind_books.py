"""Three books kept the way schools keep them (semester sheets with their own headers and people by
name; a sign-in grid under merged title and header rows; one tab per teacher), written by three
writers from the one set of records in `samples/school_records`, each bound with `cpdsheets bind`,
validated and recalculated through the CLI:

- every part of the school's book stays byte-identical (only the package index parts gain entries,
  their original entries unchanged), after bind and after recalc; recalc --mark changes only the
  sheets whose cells carry an error, and the styles it adds a fill to;
- every book written is openxml-audit clean (no error the school's own book did not have);
- findings name the school's own sheet, cell and header;
- the canonical template built from the same records gives the same credits per teacher and the
  same alerts (subject, rule, period, state) as each bound book.

What the three books do not hold, the canonical book does not hold either (`school_records`):
备课组, 课型, 入校/离校日期, 豁免.
"""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from conftest import invoke_cli as cli
from cpdsheets.samples.school_books import SHAPES, write_canonical, write_school_book
from cpdsheets.samples.school_records import AS_OF, BAD_DATE, UNKNOWN_READER, school_records
from test_openxml_audit import audit_errors

AS_OF_ARG = ("--as-of", AS_OF.isoformat())
RELS_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
OFFICE_DOC = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
R_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
MAIN_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
MACRO_CT = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
READING_SHEET = "读书登记"  # the plain reading log every shape keeps, people by name (读者)


@pytest.fixture(scope="module")
def records():
    return school_records()


@pytest.fixture(scope="module")
def books(tmp_path_factory, records) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("school_books")
    out = {shape: write_school_book(shape, folder / "orig", records) for shape in SHAPES}
    out["canonical"] = write_canonical(folder / "orig" / "模板.xlsx", records)
    return out


@pytest.fixture(scope="module")
def canonical_results(books) -> dict[str, Any]:
    return _results(books["canonical"])


@pytest.fixture(scope="module")
def bound_books(books, tmp_path_factory) -> dict[str, Path]:
    """Each school book bound with `cpdsheets bind BOOK -o OUT.xlsm`, all in one folder."""
    folder = tmp_path_factory.mktemp("bound")
    out = {}
    for shape in SHAPES:
        src = folder / books[shape].name
        shutil.copy(books[shape], src)
        out[shape] = folder / (src.stem + "（已绑定）.xlsm")
        r = cli("bind", src, "-o", out[shape])
        assert r.returncode == 0, r.stdout + r.stderr
        assert out[shape].exists()
        assert src.read_bytes() == books[shape].read_bytes(), "bind -o changed the school's own file"
        src.unlink()
    return out


@pytest.fixture(params=SHAPES)
def bound(request, books, bound_books) -> tuple[str, Path, Path]:
    """(shape, the school's book as written, the bound copy)."""
    return request.param, books[request.param], bound_books[request.param]


# -- helpers ----------------------------------------------------------------------------------------

def _members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def _workbook_part(members: dict[str, bytes]) -> str:
    rels = etree.fromstring(members["_rels/.rels"])
    target = next(r.get("Target") for r in rels if r.get("Type") == OFFICE_DOC)
    return target.lstrip("/")


def _rels_part(part: str) -> str:
    folder, _, name = part.rpartition("/")
    return f"{folder}/_rels/{name}.rels" if folder else f"_rels/{name}.rels"


def _resolve(owner: str, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    parts = owner.split("/")[:-1]
    for piece in target.split("/"):
        if piece == "..":
            parts.pop()
        elif piece != ".":
            parts.append(piece)
    return "/".join(parts)


def _index_parts(members: dict[str, bytes]) -> set[str]:
    wb = _workbook_part(members)
    return {wb, _rels_part(wb), "[Content_Types].xml", "docProps/app.xml"}


def _sheet_parts(members: dict[str, bytes]) -> dict[str, str]:
    """Sheet name -> its part, through the workbook's relationships."""
    wb = _workbook_part(members)
    rels = {r.get("Id"): r.get("Target") for r in etree.fromstring(members[_rels_part(wb)])}
    sheets = etree.fromstring(members[wb]).iter("{*}sheet")
    return {s.get("name"): _resolve(wb, rels[s.get(R_ID)]) for s in sheets}


def _with_related(members: dict[str, bytes], part: str) -> set[str]:
    """A part, its .rels and the parts that lists (a sheet's comments and note drawing)."""
    out = {part}
    rels = _rels_part(part)
    if rels in members:
        out.add(rels)
        out |= {_resolve(part, r.get("Target")) for r in etree.fromstring(members[rels])
                if r.get("TargetMode") != "External"}
    return out


def _entries(xml: bytes, tag: str, keys: tuple[str, ...]) -> set[tuple[str | None, ...]]:
    return {tuple(e.get(k) for k in keys) for e in etree.fromstring(xml).iter("{*}" + tag)}


def assert_index_keeps_entries(before: dict[str, bytes], after: dict[str, bytes]) -> None:
    """The package index parts only gain: every sheet, name, relationship, content type and title
    the school's book listed is listed still, as it was (the workbook's own content type may turn
    macro-enabled: the book became an .xlsm)."""
    wb = _workbook_part(before)
    assert _workbook_part(after) == wb
    assert _entries(before[wb], "sheet", ("name", "sheetId", R_ID)) <= _entries(after[wb], "sheet",
                                                                                 ("name", "sheetId", R_ID))
    names_before = {(e.get("name"), e.text) for e in etree.fromstring(before[wb]).iter("{*}definedName")}
    assert names_before <= {(e.get("name"), e.text) for e in etree.fromstring(after[wb]).iter("{*}definedName")}
    keys = ("Id", "Type", "Target")
    assert _entries(before[_rels_part(wb)], "Relationship", keys) <= _entries(after[_rels_part(wb)],
                                                                              "Relationship", keys)
    ct_before, ct_after = before["[Content_Types].xml"], after["[Content_Types].xml"]
    assert _entries(ct_before, "Default", ("Extension", "ContentType")) <= _entries(
        ct_after, "Default", ("Extension", "ContentType"))
    overrides_after = dict(_entries(ct_after, "Override", ("PartName", "ContentType")))
    for part, content_type in _entries(ct_before, "Override", ("PartName", "ContentType")):
        allowed = {content_type, MACRO_CT} if content_type == MAIN_CT else {content_type}
        assert overrides_after.get(part) in allowed, part
    if "docProps/app.xml" in before:
        titles = {e.text for e in etree.fromstring(before["docProps/app.xml"]).iter("{*}lpstr")}
        assert titles <= {e.text for e in etree.fromstring(after["docProps/app.xml"]).iter("{*}lpstr")}


def changed_parts(before: dict[str, bytes], after: dict[str, bytes]) -> set[str]:
    gone = set(before) - set(after)
    assert not gone, f"parts removed: {sorted(gone)}"
    return {n for n in before if before[n] != after[n]}


def _results(book: Path) -> dict[str, Any]:
    r = cli("recalc", book, "--dry-run", "--format", "json", *AS_OF_ARG)
    assert r.returncode == 0, r.stdout + r.stderr
    return json.loads(r.stdout)


def _findings(book: Path) -> list[dict[str, Any]]:
    r = cli("validate", book, "--format", "json", *AS_OF_ARG)
    assert r.returncode in (0, 1), r.stdout + r.stderr
    return json.loads(r.stdout)["files"][0]["findings"]


def credits_per_teacher(results: dict[str, Any]) -> dict[str, tuple[Any, ...]]:
    return {t["teacher_id"]: (t["name"], t["credits"], t["credits_by_category"], t["status"])
            for t in results["teachers"]}


def alert_keys(results: dict[str, Any]) -> list[tuple[Any, ...]]:
    return sorted((a["subject"], a["rule_id"], a["period_start"], a["period_end"], a["state"], a["actual"],
                   a["required"]) for a in results["alerts"])


# -- the tests --------------------------------------------------------------------------------------

def test_bind_changes_no_part_of_the_schools_book(bound):
    shape, original, out = bound
    before, after = _members(original), _members(out)
    index = _index_parts(before)
    assert changed_parts(before, after) <= index
    assert_index_keeps_entries(before, after)
    sheets = _sheet_parts(after)
    assert set(_sheet_parts(before)) < set(sheets)
    assert {"规则", "映射", "控制台"} <= set(sheets), sorted(sheets)
    assert "xl/vbaProject.bin" in after


def test_bound_book_is_audit_clean(bound):
    shape, original, out = bound
    assert not audit_errors(out) - audit_errors(original)


def test_findings_name_the_schools_sheets_cells_and_headers(bound, records):
    shape, original, out = bound
    findings = _findings(out)
    school_sheets = set(_sheet_parts(_members(original)))
    assert findings, "the planted mistakes were not found"
    outside = [f for f in findings if f["sheet"] not in school_sheets]
    assert not outside, outside
    errors = {(f["sheet"], f["cell"], f["column"], f["value"]) for f in findings if f["severity"] == "error"}
    unknown = next(n for n, r in enumerate(records.reading, start=2) if r.reader == UNKNOWN_READER)
    bad_date = next(n for n, r in enumerate(records.reading, start=2) if r.date == BAD_DATE)
    assert errors == {
        (READING_SHEET, f"A{unknown}", "读者", UNKNOWN_READER),
        (READING_SHEET, f"B{bad_date}", "日期", BAD_DATE),
    }


def test_canonical_book_credits_add_up_by_hand(canonical_results, records):
    """Two teachers' credits from the records and the default rates (0.5 per 学时 present; outputs by
    type and level; 网络研修 capped at 10): one whose sign-in was blank, one with outputs."""
    from cpdsheets.contract.policy import DEFAULT_CATEGORY_CAPS, DEFAULT_OUTPUT_CREDITS, DEFAULT_RATE

    def by_hand(tid: str) -> float:
        by_category: dict[str, float] = {}
        for r in records.trainings:
            if r.teacher == tid and r.attendance == "出勤":
                by_category[r.category] = by_category.get(r.category, 0) + r.hours * DEFAULT_RATE
        total = sum(min(v, DEFAULT_CATEGORY_CAPS.get(k, v)) for k, v in by_category.items())
        return total + sum(DEFAULT_OUTPUT_CREDITS[o.type][o.level] for o in records.outputs if o.teacher == tid)

    credits = {t["teacher_id"]: t["credits"] for t in canonical_results["teachers"]}
    blank = next(r.teacher for r in records.trainings if r.mark == "")
    assert credits[blank] == by_hand(blank) == 29.0
    assert credits["0303"] == by_hand("0303") == 37.5  # 陈晨: ten essays and two public lessons


def test_bound_book_gives_the_canonical_credits_and_alerts(bound, canonical_results):
    shape, original, out = bound
    results = _results(out)
    assert credits_per_teacher(results) == credits_per_teacher(canonical_results)
    assert alert_keys(results) == alert_keys(canonical_results)
    # The records are built to leave a few alerts, not none, and not one per teacher and rule.
    assert 3 <= len(canonical_results["alerts"]) <= 30


def test_recalc_writes_only_its_tabs_and_marks_only_the_cells_in_error(bound, tmp_path):
    shape, original, out = bound
    plain, marked = tmp_path / "plain.xlsm", tmp_path / "marked.xlsm"
    shutil.copy(out, plain)
    shutil.copy(out, marked)
    bound_members = _members(out)
    index = _index_parts(bound_members)

    r = cli("recalc", plain, *AS_OF_ARG)
    assert r.returncode == 0, r.stdout + r.stderr
    after = _members(plain)
    assert changed_parts(bound_members, after) <= index | {"xl/styles.xml"}
    assert_index_keeps_entries(bound_members, after)
    assert {"学分汇总", "达标预警", "校验问题"} <= set(_sheet_parts(after))
    assert not audit_errors(plain) - audit_errors(original)

    r = cli("recalc", marked, "--mark", *AS_OF_ARG)
    assert r.returncode == 0, r.stdout + r.stderr
    after = _members(marked)
    sheet_of = _sheet_parts(bound_members)
    in_error = {f["sheet"] for f in _findings(marked) if f["severity"] == "error"}
    assert in_error == {READING_SHEET}
    allowed = index | {"xl/styles.xml"} | _with_related(bound_members, sheet_of[READING_SHEET])
    changed = changed_parts(bound_members, after)
    assert changed <= allowed
    assert sheet_of[READING_SHEET] in changed, "--mark left the school's cells in error unmarked"
    assert not audit_errors(marked) - audit_errors(original)


def test_the_school_books_have_the_shapes_they_claim(books, records):
    """The three books are what the tests above claim to bind: no 工号 in the name-only logs, a
    merged title over each semester's 听课登记, a sign-in grid with two merged title rows, merged
    日期/项目/学时 labels and one date merged over a day's two sessions, per-teacher tabs titled
    `教师：王芳`, and the last one saved by LibreOffice."""
    import openpyxl

    semesters = openpyxl.load_workbook(books["semesters"])
    assert [c.value for c in semesters["读书登记"][1]][:2] == ["读者", "日期"]
    autumn = semesters["2024秋季听课登记"]
    assert "A1:G1" in {str(m) for m in autumn.merged_cells.ranges}
    assert "工号" not in {c.value for c in autumn[2]}
    assert isinstance(semesters["2025春季听课登记"]["A3"].value, str)  # spring's dates typed as text

    grid = openpyxl.load_workbook(books["grid"])["校本培训签到表"]
    merged = {str(m) for m in grid.merged_cells.ranges}
    assert {"A3:B3", "A4:B4", "A5:B5"} <= merged
    titles = [m for m in grid.merged_cells.ranges if m.max_row <= 2]
    assert [(m.min_row, m.min_col, m.max_col) for m in sorted(titles, key=lambda m: m.min_row)] == [
        (1, 1, grid.max_column), (2, 1, grid.max_column)]
    assert "C3:D3" in merged and grid["C4"].value != grid["D4"].value  # one date, two sessions
    marks = {c.value for row in grid.iter_rows(min_row=7, min_col=3) for c in row}
    assert {"√", "到", "假", "缺", None} <= marks

    per_teacher = openpyxl.load_workbook(books["per_teacher"])
    assert {t.name for t in records.teachers} <= set(per_teacher.sheetnames)
    tab = per_teacher["王芳"]
    assert tab["A1"].value == "教师：王芳"
    assert tab.max_row - 2 == sum(1 for r in records.observations if r.observer == "0302")
    with zipfile.ZipFile(books["per_teacher"]) as z:
        assert b"LibreOffice" in z.read("docProps/app.xml")


def test_rollup_counts_the_bound_books_as_the_template(books, bound_books, tmp_path):
    """The district roll-up over the template and the three bound books: one school four times,
    with the same rows, teachers, alerts and per-rule rates (only the name, taken from the file
    name when 规则 gives none, and the codes of the two planted mistakes differ: a name that is not on
    the roster is `unknown-teacher-name` where the template's 工号 column says `invalid-teacher-id`)."""
    for p in [books["canonical"], *bound_books.values()]:
        shutil.copy(p, tmp_path / p.name)
    r = cli("rollup", tmp_path, "--format", "json", *AS_OF_ARG)
    assert r.returncode == 1, r.stdout + r.stderr  # --fail-on error: the planted mistakes
    schools = {Path(s["path"]).name: s for s in json.loads(r.stdout)["schools"]}
    assert len(schools) == 4

    def figures(s: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in s.items() if k not in ("path", "school", "finding_codes", "seconds")}

    canonical = figures(schools.pop(books["canonical"].name))
    assert canonical["rows"] > 1000 and canonical["errors"] == 2
    for name, school in schools.items():
        assert figures(school) == canonical, name
