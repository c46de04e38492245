"""Fuzz the newer commands (issue 19, items 4 and 8), beside test_fuzz_books.py (which breaks the package
itself): here the books are well-formed and what staff typed is hostile.

- Half-filled and hostile books: roster rows with 工号 only, 姓名 only, nothing but 工号 and 姓名,
  cells blank, text where numbers go, formulas, control and bidi characters, 100-character names,
  emoji, sheets missing. EVERY command (validate, recalc, archive, rollup, bind --dry-run,
  clear-marks) runs on the same book, and no command may crash where another does not: recalc
  tolerates all of it, so every job does (one line at most, never 内部错误, never a traceback).
- Hostile names and paths: the book's own file name (a leading dash, spaces, a bidi override, 200
  bytes) and teachers' names that become sheet and file names under archive --split.
- Hostile 映射 tables: the bound book's table with cells replaced, lines duplicated, dropped or moved,
  an extra column; validate, recalc, archive and bind (re-binding) on it.
- Hostile JSON for rollup --merge: a real report with values replaced by NaN, huge numbers, wrong
  types, deep nesting; the answer is a merge or the contract's one-line refusal.

Each command runs in this process (typer's runner, `catch_exceptions=False`: an exception that
escapes fails the test). The budget is bounded: each test takes at most the profile's example count
and fewer where one example runs six commands (see conftest.py: `CI=true` runs a fixed set), so
the file stays near a minute.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import base_sheets, invoke_cli, write_book
from cpdsheets.engine.binding.mapping_sheet import mapping_rows
from cpdsheets.engine.binding.recognise import propose
from cpdsheets.doors.reader import read_workbook
from cpdsheets.reports.safe_names import LOCK_FILE_ROOM, utf16_units, utf8_bytes
from school_style import school_sheets

CRASH_WORDS = ("内部错误", "internal error", "Traceback")
# What staff type that is not what a column wants; openpyxl refuses C0 controls but tab/LF/CR.
HOSTILE_TEXT = ["", " ", "\u3000", "=1+1", "+86", "-", "@x", "NaN", "inf", "1e309", "-1", "0", "很多", "√", "×",
                "2025-13-45", "2025/02/30", "\u202e1001", "10\u200b01", "张\u202e三", "😀" * 40, "王" * 100,
                "a\nb", "\t", "\x85", "'", "[x]", "CON", "../x", "1001 ", "１００１", "None", "TRUE"]
HOSTILE_VALUES = [None, 0, -1, 1.5, 1e308, float("nan"), True, dt.date(1900, 1, 1), dt.date(2099, 12, 31),
                  dt.datetime(2025, 9, 3, 23, 59), *HOSTILE_TEXT]
SETTINGS = dict(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                                      HealthCheck.data_too_large])


def budget(n: int) -> int:
    """At most ``n`` examples, fewer when the profile asks for fewer."""
    return min(n, settings.default.max_examples)


def no_crash(r, what: str) -> None:
    assert r.returncode in (0, 1, 2), f"{what}: exit {r.returncode}"
    for word in CRASH_WORDS:
        assert word not in r.stdout and word not in r.stderr, f"{what}:\n{r.stderr[-2000:]}"


values = st.sampled_from(HOSTILE_VALUES) | st.text(max_size=12).map(
    lambda s: "".join(ch for ch in s if ch in "\t\n\r" or ord(ch) >= 0x20))


@st.composite
def half_filled_sheets(draw) -> dict[str, list[list]]:
    """The small clean school, then: roster rows half filled, some cells of every sheet replaced by
    hostile values, a column or a sheet gone."""
    sheets = base_sheets()
    roster = sheets["教师名册"]
    for _ in range(draw(st.integers(0, 4))):
        kind = draw(st.sampled_from(["id-only", "name-only", "id-and-name", "no-name", "hostile"]))
        tid = draw(st.sampled_from(["2001", "2002", "1001", " 2003", "2004.0"]))
        row = {"id-only": [tid], "name-only": [None, "赵六"], "id-and-name": [tid, "赵六"],
               "no-name": [tid, None, "语文组", None, "新教师", "1001"],
               "hostile": [tid, *draw(st.lists(values, min_size=1, max_size=5))]}[kind]
        roster.append(row)
    for name in list(sheets):
        rows = sheets[name]
        for _ in range(draw(st.integers(0, 3))):
            r = draw(st.integers(1, max(len(rows) - 1, 1)))
            if r < len(rows) and rows[r]:
                c = draw(st.integers(0, len(rows[r]) - 1))
                rows[r][c] = draw(values)
    if draw(st.booleans()):
        name = draw(st.sampled_from(sorted(sheets)))
        col = draw(st.integers(0, len(sheets[name][0]) - 1))
        sheets[name] = [row[:col] + row[col + 1:] for row in sheets[name]]
    if draw(st.integers(0, 4)) == 0:
        sheets.pop(draw(st.sampled_from(sorted(sheets))))
    return sheets


def _every_command(book: Path, out: Path) -> dict[str, object]:
    """The six commands on one book, each writing (where it writes) into ``out``."""
    out.mkdir()
    return {
        "validate": invoke_cli("validate", book, "--format", "json"),
        "recalc": invoke_cli("recalc", book, "-o", out / "recalc.xlsx"),
        "archive": invoke_cli("archive", book, "-o", out / "archive.xlsx", "--split", out / "split"),
        "rollup": invoke_cli("rollup", book, "-o", out / "district.xlsx", "--format", "json"),
        "bind": invoke_cli("bind", book, "--dry-run"),
        "clear-marks": invoke_cli("clear-marks", book, "-o", out / "cleared.xlsx"),
    }


@settings(max_examples=budget(5), **SETTINGS)
@given(sheets=half_filled_sheets())
def test_every_command_tolerates_what_recalc_tolerates(tmp_path_factory, sheets):
    folder = tmp_path_factory.mktemp("half")
    book = write_book(folder / "book.xlsx", sheets)
    before = book.read_bytes()
    runs = _every_command(book, folder / "out")
    for what, r in runs.items():
        no_crash(r, what)
    # The book is readable (openpyxl wrote it): no command may refuse it while another reads it.
    assert {what: r.returncode for what, r in runs.items() if r.returncode == 2} == {}, \
        {what: r.stderr[-300:] for what, r in runs.items() if r.returncode == 2}
    assert book.read_bytes() == before


@pytest.mark.parametrize("row", [["1003", None, "语文组", None, None, None], ["1004", "赵六"]],
                         ids=["roster-row-without-name", "roster-row-with-only-id-and-name"])
def test_the_two_roster_rows_that_crashed_archive(tmp_path, row):
    sheets = base_sheets()
    sheets["教师名册"].append(row)
    book = write_book(tmp_path / "book.xlsx", sheets)
    archive = invoke_cli("archive", book, "-o", tmp_path / "archive.xlsx", "--split", tmp_path / "split")
    rollup = invoke_cli("rollup", book, "--format", "json")
    for what, r in (("archive", archive), ("rollup", rollup)):
        no_crash(r, what)
        assert r.returncode in (0, 1), (what, r.stderr)
    assert (tmp_path / "archive.xlsx").exists() and len(list((tmp_path / "split").iterdir())) == 4
    assert "<NA>" not in rollup.stdout


# -- names and paths ---------------------------------------------------------------------------

names = st.sampled_from(HOSTILE_TEXT[1:]) | st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=60).map(
    lambda s: "".join(ch for ch in s if ch in "\t\n\r" or ord(ch) >= 0x20) or "x")


@settings(max_examples=budget(6), **SETTINGS)
@given(teacher_names=st.lists(names, min_size=1, max_size=4))
def test_hostile_teacher_names_become_valid_sheet_and_file_names(tmp_path_factory, teacher_names):
    sheets = base_sheets()
    for i, name in enumerate(teacher_names):
        sheets["教师名册"].append([f"30{i:02d}", name, "语文组", None, None, None])
    folder = tmp_path_factory.mktemp("names")
    book = write_book(folder / "book.xlsx", sheets)
    split = folder / "split"
    r = invoke_cli("archive", book, "-o", folder / "all.xlsx", "--split", split)
    no_crash(r, "archive")
    assert r.returncode == 0, r.stderr
    files = sorted(p.name for p in split.iterdir())
    assert len(files) == 3 + len(teacher_names)  # every teacher has a file: none overwrote another
    assert all(utf8_bytes(f) + LOCK_FILE_ROOM <= 255 and "\u202e" not in f for f in files)
    sheet_names = openpyxl.load_workbook(folder / "all.xlsx", read_only=True).sheetnames
    assert len(sheet_names) == 1 + 3 + len(teacher_names)
    assert all(utf16_units(n) <= 31 for n in sheet_names)


book_names = st.sampled_from(["-x", "--help", " 空格 ", "张\u202e三", "王" * 60, "a'b", "#1", "😀" * 20, "CON"]) | \
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=40).filter(
        lambda s: "/" not in s and s not in (".", ".."))


@settings(max_examples=budget(4), **SETTINGS)
@given(stem=book_names)
def test_hostile_book_paths(tmp_path_factory, stem):
    folder = tmp_path_factory.mktemp("paths")
    book = write_book(folder / f"{stem}.xlsx", base_sheets())
    runs = {"validate": invoke_cli("validate", book), "recalc": invoke_cli("recalc", book, "--dry-run"),
            "archive": invoke_cli("archive", book),  # its default name is built from the book's
            "rollup": invoke_cli("rollup", book), "bind": invoke_cli("bind", book, "--dry-run")}
    for what, r in runs.items():
        no_crash(r, what)
        assert r.returncode in (0, 1), (what, stem, r.stderr[-500:])


# -- 映射 tables -----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def school(tmp_path_factory) -> tuple[dict[str, list[list]], list[list[str]]]:
    from school_style import MERGED, write_openpyxl

    path = write_openpyxl(tmp_path_factory.mktemp("school") / "s.xlsx", school_sheets(), MERGED)
    return school_sheets(), mapping_rows(propose(read_workbook(path)).binding)


@st.composite
def hostile_mappings(draw, rows: list[list[str]]) -> list[list]:
    table = [list(r) for r in rows]
    for _ in range(draw(st.integers(1, 6))):
        edit = draw(st.sampled_from(["cell", "drop", "duplicate", "move", "extra-column", "blank-row"]))
        r = draw(st.integers(1, len(table) - 1)) if len(table) > 1 else 0
        if edit == "cell":
            c = draw(st.integers(0, 3))
            words = ["（整张表）", "（表头行）", "（不用）", "不用", "听课记录", "培训记录·签到表", "读书记录·每人一表",
                     "工号", "日期", "学时", "0", "-3", "99999", "2.5", "=A1"]
            table[r][c] = draw(st.sampled_from(words) | values)
        elif edit == "drop" and len(table) > 2:
            del table[r]
        elif edit == "duplicate":
            table.insert(r, list(table[r]))
        elif edit == "move":
            table.insert(draw(st.integers(1, len(table))), table.pop(r))
        elif edit == "extra-column":
            for i, row in enumerate(table):
                row.append("备注" if i == 0 else draw(values))
        else:
            table.insert(r, [None, None, None, None, draw(values)])
    return table


@settings(max_examples=budget(4), **SETTINGS)
@given(data=st.data())
def test_hostile_mapping_tables(tmp_path_factory, school, data):
    from school_style import MERGED, write_openpyxl

    sheets, rows = school
    table = data.draw(hostile_mappings(rows), label="映射")
    folder = tmp_path_factory.mktemp("mapping")
    book = write_openpyxl(folder / "s.xlsx", {**sheets, "映射": table}, MERGED)
    (folder / "out").mkdir()
    out = folder / "out"
    runs = {"validate": invoke_cli("validate", book), "recalc": invoke_cli("recalc", book, "-o", out / "r.xlsx"),
            "archive": invoke_cli("archive", book, "-o", out / "a.xlsx"), "bind": invoke_cli("bind", book, "--dry-run"),
            "rebind": invoke_cli("bind", book, "-o", out / "bound.xlsm")}
    for what, r in runs.items():
        no_crash(r, what)
    assert {what: r.returncode for what, r in runs.items() if r.returncode == 2} == {}, \
        {what: r.stderr[-300:] for what, r in runs.items() if r.returncode == 2}
    if runs["rebind"].returncode == 0:  # a table bind accepts is still read as staff typed it, once more
        again = invoke_cli("validate", folder / "out" / "bound.xlsm", "--format", "json")
        no_crash(again, "validate the re-bound book")


# -- JSON ------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def report(tmp_path_factory) -> dict:
    book = write_book(tmp_path_factory.mktemp("report") / "a.xlsx", base_sheets())
    return json.loads(invoke_cli("rollup", book, "--format", "json").stdout)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**20), 10**20) | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=10), lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner,
                                                                                          max_size=3), max_leaves=8)


def _paths(doc, prefix=()):
    yield prefix
    if isinstance(doc, dict):
        for k, v in doc.items():
            yield from _paths(v, (*prefix, k))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            yield from _paths(v, (*prefix, i))


@settings(max_examples=budget(30), **SETTINGS)
@given(data=st.data())
def test_hostile_json_reports_merge_or_are_refused_in_one_line(tmp_path_factory, report, data):
    doc = json.loads(json.dumps(report))
    where = data.draw(st.sampled_from([p for p in _paths(doc) if p]), label="where")
    parent = doc
    for step in where[:-1]:
        parent = parent[step]
    parent[where[-1]] = data.draw(json_values, label="value")
    text = json.dumps(doc, ensure_ascii=False)  # NaN and Infinity as Python writes them
    if data.draw(st.booleans(), label="deep"):
        text = text.replace("[]", "[" * 5000 + "]" * 5000, 1)
    folder = tmp_path_factory.mktemp("json")
    path = folder / "d.json"
    path.write_text(text, encoding="utf-8")
    r = invoke_cli("rollup", "--merge", path, "--format", "json", "-o", folder / "p.xlsx")
    no_crash(r, "rollup --merge")
    if r.returncode == 2:
        assert r.stderr.count("\n") == 1 and not (folder / "p.xlsx").exists(), r.stderr
    else:
        def refuse(word):
            raise ValueError(word)
        merged = json.loads(r.stdout, parse_constant=refuse)  # strict: no NaN, no Infinity
        assert all(not isinstance(v, float) or math.isfinite(v) for v in _leaves(merged))


def _leaves(doc):
    if isinstance(doc, dict):
        for v in doc.values():
            yield from _leaves(v)
    elif isinstance(doc, list):
        for v in doc:
            yield from _leaves(v)
    else:
        yield doc
