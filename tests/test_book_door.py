"""One contract for every door (doors/book_door.py): the same sequence through the file door on a
real .xlsm, the live door on a real ``xlwings.Book`` (remote engine) and the door to the book the
VBA client sent — write the tabs with marks in Chinese, write them again in English (the Chinese
tabs removed), clear the marks, read the book back — gives the same sheets, tab values, marks and
record. The live and client doors' actions are applied to a copy of the file the way Excel would
(tests/xlwings_remote.py, tests/vba_client_model.py), so every step reads the previous step's file.
"""

from __future__ import annotations

import ast
import os
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.comments import Comment
from openpyxl.styles import PatternFill

import vba_client_model as client
from xlwings_remote import apply_actions, norm_rows, remote_book, tab_values

from cpdsheets.contract.book import RawBook
from cpdsheets.contract.schema import OUTPUT_TABS
from cpdsheets.doors.book_door import BookDoor
from cpdsheets.doors.live.live_door import LiveDoor
from cpdsheets.doors.mark_plan import NO_NOTE, plan_marks
from cpdsheets.doors.mark_record import MARK_STORE
from cpdsheets.doors.ooxml.file_door import FileDoor
from cpdsheets.doors.tab_owner import other_language_tabs
from cpdsheets.doors.xlclient.client_door import ClientDoor
from cpdsheets.jobs import book as jobs
from cpdsheets.jobs.tabs import book_tabs
from cpdsheets.reports.tables import MARK_FILL, CellMark

os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")

DEMO = Path(__file__).resolve().parents[1] / "workbook" / "demo_school.xlsm"
USER_FILL = "FFFF00"
USER_SHEET = OUTPUT_TABS["groups"][1]  # "Groups": the user's, never ours
DOORS = ("file", "live", "client")


def _with_odd_marks(marks: list[CellMark], tabs: list) -> list[CellMark]:
    """A run's marks and the cases each door must decide alike (:func:`plan_marks`): a mark without a
    note, one cell marked three times (a note repeated), a $-address, a sheet the book lacks, one of
    our own tabs, the record sheet and a cell that is no cell."""
    return [*marks,
            CellMark("教师名册", "$L$4", ""),
            CellMark("教师名册", "M4", "重复的说明"), CellMark("教师名册", "M4", "重复的说明"),
            CellMark("教师名册", "M4", "另一条"),
            CellMark("没有这张表", "A1", "不会标记"), CellMark(tabs[0].name, "A2", "我们的表不标记"),
            CellMark(MARK_STORE, "A1", "记录表不标记"), CellMark("教师名册", "第4行", "不是单元格")]


def _planned(path: Path, marks: list[CellMark], tabs: list) -> dict[tuple[str, str], str]:
    """The cells the plan marks in the book at ``path``, and their notes."""
    names = openpyxl.load_workbook(path, keep_vba=True).sheetnames
    plan = plan_marks(marks, [], lambda n: n if n in names else None, skip=[t.name for t in tabs])
    return {(sheet, cell.address): cell.note for sheet, cells in plan.cells.items() for cell in cells}


def _step(kind: str, src: Path, dst: Path, act: Callable[[BookDoor], Any]) -> Any:
    """One door call on the book in ``src``; the book it leaves is ``dst``."""
    if kind == "file":
        door: Any = FileDoor(src, out=dst, backup=False)
        return act(door)
    if kind == "live":
        book = remote_book(src)
        result = act(LiveDoor(book))
        apply_actions(src, dst, book.json()["actions"])
        return result
    door = ClientDoor(client.payload(src))
    result = act(door)
    client.apply(src, dst, door.actions.actions)
    return result


def _read(kind: str, path: Path) -> RawBook:
    if kind == "file":
        return FileDoor(path).read()
    if kind == "live":
        return LiveDoor(remote_book(path)).read()
    return ClientDoor(client.payload(path)).read()


def _marks(path: Path) -> dict[tuple[str, str], tuple[str | None, str | None]]:
    """Every input cell with a solid fill or a note: (fill RRGGBB, note text)."""
    wb = openpyxl.load_workbook(path, keep_vba=True)
    ours = {n for pair in OUTPUT_TABS.values() for n in pair} | {MARK_STORE}
    out = {}
    for ws in wb.worksheets:
        if re.sub(r"\(\d+\)$", "", ws.title) in ours:  # an output tab, also under a free name 学分汇总(2)
            continue
        for row in ws.iter_rows():
            for c in row:
                fill = str(c.fill.fgColor.rgb)[-6:].upper() if c.fill.fill_type == "solid" else None
                if fill or c.comment is not None:
                    out[(ws.title, c.coordinate)] = (fill, _note(c.comment))
    return out


def _note(comment: Comment | None) -> str | None:
    """A note's text without the author line Excel puts first (the file door and the VBA client write
    it, as Excel does; the remote engine's ``add_note`` gives the text alone)."""
    if comment is None:
        return None
    author, sep, rest = comment.text.partition(":\n")
    return rest if sep and author == "cpdsheets" else comment.text


def _record(path: Path) -> list[tuple[str, str, str]]:
    """The record's rows: (sheet, cell, tab key), in order (the format columns are the file door's own)."""
    wb = openpyxl.load_workbook(path, keep_vba=True)
    if MARK_STORE not in wb.sheetnames:
        return []
    rows = list(wb[MARK_STORE].iter_rows(values_only=True))[1:]
    cells = [["" if v is None else str(v) for v in (list(r) + [None] * 7)] for r in rows]
    return [(c[0], c[1], c[6]) for c in cells if any(c)]


def _tabs(path: Path) -> dict[str, list[list[Any]]]:
    """Each output tab's values; the run log's items only (its values hold the run's time)."""
    names = openpyxl.load_workbook(path, keep_vba=True).sheetnames
    out = {}
    for key, pair in OUTPUT_TABS.items():
        for name in pair:
            if name in names:
                rows = tab_values(path, name)
                out[name] = [r[:1] for r in rows] if key == "runlog" else rows
    return out


@pytest.fixture(scope="module")
def start(tmp_path_factory) -> tuple[Path, Any, Any]:
    """The demo school with a user's own fill on a cell never marked, a user's note on a cell that is,
    and a user's own sheet named like an English output tab; and the runs in Chinese and English."""
    folder = tmp_path_factory.mktemp("door")
    path = folder / "学校.xlsm"
    raw = FileDoor(DEMO).read()
    zh, en = (book_tabs(jobs.recalc(jobs.RecalcRequest(raw, lang))) for lang in ("zh", "en"))
    first = zh.marks[0]
    wb = openpyxl.load_workbook(DEMO, keep_vba=True)
    wb[first.sheet][first.cell].comment = Comment("用户自己的批注", "王老师")
    wb["教师名册"]["Z1"].fill = PatternFill("solid", start_color="FF" + USER_FILL, end_color="FF" + USER_FILL)
    wb.create_sheet(USER_SHEET)["A1"] = "我的分组"
    wb.save(path)
    return path, zh, en


@pytest.fixture(scope="module")
def seen(start, tmp_path_factory) -> dict[str, dict[str, Any]]:
    """What each door leaves after each step."""
    src, zh, en = start
    out: dict[str, dict[str, Any]] = {}
    for kind in DOORS:
        folder = tmp_path_factory.mktemp(kind)
        one, two, three = folder / "1.xlsm", folder / "2.xlsm", folder / "3.xlsm"
        zh_marks, en_marks = _with_odd_marks(zh.marks, zh.tabs), _with_odd_marks(en.marks, en.tabs)
        written_zh = _step(kind, src, one, lambda d: d.write(zh.tabs, marks=zh_marks, remove=other_language_tabs("zh")))
        written_en = _step(kind, one, two, lambda d: d.write(en.tabs, marks=en_marks, remove=other_language_tabs("en")))
        cleared = _step(kind, two, three, lambda d: d.clear_marks())
        out[kind] = {
            "written": [written_zh, written_en], "cleared": cleared,
            "sheets": [openpyxl.load_workbook(p, keep_vba=True).sheetnames for p in (one, two, three)],
            "tabs": [_tabs(p) for p in (one, two, three)],
            "marks": [_marks(p) for p in (one, two, three)],
            "record": [_record(p) for p in (one, two, three)],
            "read": {n: norm_rows(s.rows) for n, s in _read(kind, three).sheets.items()},
        }
    return out


@pytest.mark.parametrize("kind", DOORS)
def test_the_sequence_through_each_door(kind, start, seen):
    src, zh, en = start
    got = seen[kind]
    user = _marks(src)
    # the tabs written are the run's, under their own names, Chinese first, then English; the user's
    # sheet named like a tab is neither removed with the other language's tabs nor replaced
    en_names = [t.name if t.name != USER_SHEET else USER_SHEET + "(2)" for t in en.tabs]
    zh_names = [t.name for t in zh.tabs]
    assert got["written"] == [{t.name: t.key for t in zh.tabs}, {n: t.key for n, t in zip(en_names, en.tabs)}]
    inputs = openpyxl.load_workbook(src, keep_vba=True).sheetnames
    assert got["sheets"][0] == inputs + zh_names + [MARK_STORE]
    assert got["sheets"][1] == inputs + [MARK_STORE] + en_names  # switching language: no Chinese tab left
    assert got["sheets"][2] == got["sheets"][1]
    # marks: the cells the plan marks, each filled with the plan's note (the user's note kept where there
    # is one); the user's fill untouched; nothing on a missing sheet, our tabs or the record
    planned = {}
    for step, run in ((0, zh), (1, en)):
        planned[step] = _planned(src, _with_odd_marks(run.marks, run.tabs), run.tabs)
        assert set(planned[step]) == {(m.sheet, m.cell) for m in run.marks} | {("教师名册", "L4"), ("教师名册", "M4")}
        assert planned[step][("教师名册", "L4")] == NO_NOTE and planned[step][("教师名册", "M4")] == "重复的说明\n另一条"
        cells = got["marks"][step]
        expected = {**planned[step], (run.marks[0].sheet, run.marks[0].cell): "用户自己的批注"}
        assert {k: note for k, (fill, note) in cells.items() if fill == MARK_FILL} == expected
        assert cells[("教师名册", "Z1")] == (USER_FILL, None)
    # cleared: the book's own fills and notes as they were, the record without marks but with the tabs
    assert got["cleared"] == len(planned[1])
    assert got["marks"][2] == user
    assert sorted(r[:2] for r in got["record"][1] if r[1]) == sorted(planned[1])
    assert [r for r in got["record"][2] if r[1]] == []
    assert {r[0]: r[2] for r in got["record"][2] if r[2]} == {n: t.key for n, t in zip(en_names, en.tabs)}
    assert all(tabs[USER_SHEET] == [["我的分组"]] for tabs in got["tabs"])
    # read back: the input sheets as they were (those the client sends, through the client door)
    before = {n: norm_rows(s.rows) for n, s in FileDoor(src).read().sheets.items()}
    after = {n: rows for n, rows in got["read"].items() if n in inputs and (rows or kind != "client")}
    assert after == {n: rows for n, rows in before.items() if n in after} and len(after) >= 5


def test_every_door_leaves_the_same_book(seen):
    file = seen["file"]
    for kind in DOORS[1:]:
        other = seen[kind]
        for key in ("written", "cleared", "sheets", "tabs", "marks"):
            assert other[key] == file[key], (kind, key)
        assert [[r for r in rec] for rec in other["record"]] == file["record"], kind
        read = {n: rows for n, rows in file["read"].items() if n not in OUTPUT_TABS["runlog"]}
        assert {n: rows for n, rows in other["read"].items() if n in read and (rows or kind != "client")} == \
            {n: rows for n, rows in read.items() if kind != "client" or other["read"].get(n)}, kind



def _imported_from(tree: ast.Module, package: str, module: str) -> dict[str, str]:
    """Local name -> the name imported, for ``from <module> import ...`` in a module of ``package``
    (relative imports resolved); ``import <module>`` itself maps the module's whole name to "*"."""
    names: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            base = package.split(".")
            source = ".".join([*base[:len(base) - node.level + 1], node.module or ""]) if node.level else node.module
            if source == module:
                names.update({a.asname or a.name: a.name for a in node.names})
        elif isinstance(node, ast.Import):
            names.update({a.asname or a.name: "*" for a in node.names if a.name == module})
    return names


def _called(tree: ast.Module) -> set[str]:
    return {node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
            for node in ast.walk(tree) if isinstance(node, ast.Call)}


def test_every_door_reads_a_book_through_its_own_door():
    """A book is read through its door's ``read()``: a file (the CLI's, the batch's, the service's
    uploads, the roll-up's and bind's books) through ``FileDoor.read()``, which overlaps the engine's
    import with the parse and applies the reader's limits; a book open in Excel through ``LiveDoor``,
    the one the VBA client sent through ``ClientDoor``. No module outside the file door's package
    (doors/ooxml) and the reader itself may import the reader's functions (its refusal type and the
    supported suffixes it may), and only the live and client doors turn their books into a RawBook."""
    import inspect

    import cpdsheets
    import cpdsheets.doors.reader as reader

    root = Path(cpdsheets.__file__).parent
    functions = {name for name, obj in vars(reader).items()
                 if inspect.isfunction(obj) and obj.__module__ == reader.__name__}
    assert {"read_workbook", "read_soon", "check_readable"} <= functions
    # Each door's own way to a RawBook, and the only module (besides its own) that may call it.
    own_readers = {"cpdsheets.doors.xlclient.payload": ("raw_book", "cpdsheets.doors.xlclient.client_door"),
                   "cpdsheets.doors.live.xlwings_adapter": ("read_book", "cpdsheets.doors.live.live_door")}
    offenders = []
    for path in sorted(root.rglob("*.py")):
        name = ".".join(("cpdsheets", *path.relative_to(root).with_suffix("").parts)).removesuffix(".__init__")
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        tree = ast.parse(path.read_text(encoding="utf-8"))
        if name != reader.__name__ and not name.startswith("cpdsheets.doors.ooxml."):
            taken = _imported_from(tree, package, reader.__name__)
            offenders += [f"{name}: {local}" for local, real in taken.items() if real in functions | {"*"}]
        for module, (function, door) in own_readers.items():
            if name not in (module, door) and function in _imported_from(tree, package, module).values():
                offenders.append(f"{name}: {function}")
    assert offenders == []
    # The doors that read files do read them through the file door.
    for module in ("doors.cli", "doors.batch", "doors.web.work", "doors.rollup.summary", "doors.binding.writer"):
        path = root.joinpath(*module.split(".")).with_suffix(".py")
        assert "FileDoor" in _called(ast.parse(path.read_text(encoding="utf-8"))), module
