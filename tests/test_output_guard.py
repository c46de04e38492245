"""The output guard, once for every command that writes (issue 19, items 1 and 7).

Each case asks a command to write where it must not: over a book it reads (by its own name, through a
symlink, as a `--split` member), over a school's book in the folder being rolled up, into a folder,
into a folder that does not exist, under an empty name, under an extension that is not what is
written. Every one must end with exit 2 and one line naming the cause, and leave every file in the
folder as it was: nothing replaced, nothing half-written, no new file, no temporary file.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from conftest import invoke_cli as cli
from cpdsheets.samples.synthetic import generate


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> Path:
    """A master named after its first teacher (as `--split` names that teacher's file), a district
    folder of two schools, a symlink to the master, a plain file and an empty folder."""
    root = tmp_path_factory.mktemp("world")
    master = generate(root / "master.xlsx", teachers=4, rows=40, seed=5)
    rows = CalamineWorkbook.from_path(str(master)).get_sheet_by_name("教师名册").to_python()
    head = next(i for i, r in enumerate(rows) if "工号" in r)
    named = master.rename(root / f"{rows[head + 1][0]}-{rows[head + 1][1]}.xlsx")
    (root / "d").mkdir()
    generate(root / "d" / "a.xlsx", teachers=3, rows=30, seed=6)
    generate(root / "d" / "b.xlsx", teachers=3, rows=30, seed=7)
    (root / "link.xlsx").symlink_to(named.name)
    (root / "plain").write_text("not a folder")
    (root / "sub").mkdir()
    (root / "book.name").write_text(named.name)
    return root


def _state(folder: Path) -> dict[str, str]:
    """Every entry under ``folder``: a symlink by its target, a file by its bytes."""
    out = {}
    for p in sorted(folder.rglob("*")):
        key = str(p.relative_to(folder))
        if p.is_symlink():
            out[key] = "-> " + os.readlink(p)
        elif p.is_file():
            out[key] = hashlib.sha256(p.read_bytes()).hexdigest()
        else:
            out[key] = "dir"
    return out


@pytest.fixture
def here(world, tmp_path, monkeypatch) -> Path:
    """A fresh copy of the world, the current folder for the test."""
    copy = tmp_path / "w"
    shutil.copytree(world, copy, symlinks=True)
    monkeypatch.chdir(copy)
    return copy


B = "{book}"  # the master's name, filled per case
CASES = [
    # (id, arguments, a word of the one line that must name the cause)
    ("recalc -o the book", ["recalc", B, "-o", B], "去掉 -o"),
    ("recalc -o a symlink to the book", ["recalc", B, "-o", "link.xlsx"], "另一个名字"),
    ("recalc -o a folder", ["recalc", B, "-o", "sub"], "文件夹"),
    ("recalc -o in a missing folder", ["recalc", B, "-o", "nope/x.xlsx"], "不存在"),
    ("recalc -o empty", ["recalc", B, "-o", ""], "空的"),
    ("recalc -o another type", ["recalc", B, "-o", "x.xlsm"], "扩展名"),
    ("clear-marks -o the book", ["clear-marks", B, "-o", B], "要读取的文件"),
    ("clear-marks -o a folder", ["clear-marks", B, "-o", "sub"], "文件夹"),
    ("bind -o a folder", ["bind", B, "-o", "sub"], "文件夹"),
    ("bind -o empty", ["bind", B, "-o", ""], "空的"),
    ("bind -o an .xlsx", ["bind", B, "-o", "bound.xlsx"], "扩展名"),
    ("new a folder", ["new", "sub"], "文件夹"),
    ("new empty", ["new", ""], "空的"),
    ("new of another type", ["new", "x.txt"], "扩展名"),
    ("new in a missing folder", ["new", "nope/x.xlsm"], "不存在"),
    ("validate -o the book", ["validate", B, "-o", B], "要读取的文件"),
    ("validate -o named like a workbook", ["validate", B, "-o", "report.xlsx"], "工作簿的扩展名"),
    ("validate -o a folder", ["validate", B, "-o", "sub"], "文件夹"),
    ("archive --split beside the book", ["archive", B, "--split", "."], "要读取的文件"),
    ("archive --split empty", ["archive", B, "--split", ""], "空的"),
    ("archive --split at a file", ["archive", B, "--split", "plain"], "是文件"),
    ("archive -o as .xlsm", ["archive", B, "-o", "x.xlsm"], "扩展名"),
    ("archive -o a folder", ["archive", B, "-o", "sub"], "文件夹"),
    ("archive -o the book", ["archive", B, "-o", B], "要读取的文件"),
    ("archive -o in a missing folder", ["archive", B, "-o", "nope/x.xlsx"], "不存在"),
    ("archive -o empty", ["archive", B, "-o", ""], "空的"),
    ("archive -o inside a file", ["archive", B, "-o", "plain/x.xlsx"], "不是文件夹"),
    ("rollup -o inside a file", ["rollup", "d", "-o", "plain/x.xlsx"], "不是文件夹"),
    ("archive -o and --split name one file", ["archive", B, "-o", "sub/" + B, "--split", "sub"], "两次"),
    ("archive --as-of not a date", ["archive", B, "--as-of", "下周"], "不是日期"),
    ("rollup -o a school in the folder", ["rollup", "d", "-o", "d/a.xlsx"], "要读取的文件"),
    ("rollup -o a school's copy in the folder", ["rollup", "d", "-o", "d/copy.xlsx"], "汇总文件夹"),
    ("rollup -o a link to a school", ["rollup", "d", "-o", "d/zlink.xlsx"], "另一个名字"),
    ("rollup -o the folder", ["rollup", "d", "-o", "d"], "文件夹"),
    ("rollup -o empty", ["rollup", "d", "-o", ""], "空的"),
    ("rollup -o as .xlsm", ["rollup", "d", "-o", "x.xlsm"], "扩展名"),
    ("rollup -o in a missing folder", ["rollup", "d", "-o", "nope/x.xlsx"], "不存在"),
    ("rollup --merge -o a report", ["rollup", "--merge", "r.json", "-o", "r.json"], "要读取的文件"),
    ("rollup --merge -o as .json", ["rollup", "--merge", "r.json", "-o", "out.json"], "扩展名"),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_every_command_refuses_an_output_it_must_not_write(here, case):
    _, args, word = case
    shutil.copy(here / "d" / "b.xlsx", here / "d" / "copy.xlsx")  # counted once, so not read: still a school's
    (here / "d" / "zlink.xlsx").symlink_to("b.xlsx")
    (here / "r.json").write_text("{}")
    book = (here / "book.name").read_text()
    before = _state(here)
    r = cli(*[a.replace(B, book) for a in args])
    lines = [line for line in r.stderr.splitlines() if line.strip()]
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert len(lines) == 1 and word in lines[0], r.stderr
    assert "内部错误" not in r.stderr and "Traceback" not in r.stderr
    assert _state(here) == before  # nothing replaced, nothing new, no temporary file


def test_refusals_have_english_lines(here):
    book = (here / "book.name").read_text()
    for args, word in ((["archive", book, "--split", ".", "--lang", "en"], "being read"),
                       (["archive", book, "-o", "x.xlsm", "--lang", "en"], "extension"),
                       (["archive", book, "-o", "sub", "--lang", "en"], "is a folder"),
                       (["archive", book, "-o", "nope/x.xlsx", "--lang", "en"], "does not exist")):
        r = cli(*args)
        assert r.returncode == 2 and word in r.stderr, r.stderr


def test_split_into_a_folder_that_holds_last_runs_files_replaces_them(here):
    """An existing --split folder with the same teachers' files from before: replaced, no FileExistsError."""
    book = (here / "book.name").read_text()
    assert cli("archive", book, "--split", "out").returncode == 0
    first = _state(here / "out")
    assert len(first) == 4
    r = cli("archive", book, "--split", "out")
    assert r.returncode == 0, r.stderr
    assert set(_state(here / "out")) == set(first)
    assert not list(here.rglob(".~cpdsheets-*"))


def test_a_refused_member_stops_the_run_before_any_file_is_written(here):
    """The fourth teacher's file is a folder: the three before it are not written either."""
    book = (here / "book.name").read_text()
    assert cli("archive", book, "--split", "probe").returncode == 0
    last = sorted(p.name for p in (here / "probe").iterdir())[-1]
    shutil.rmtree(here / "probe")
    (here / "out").mkdir()
    (here / "out" / last).mkdir()
    r = cli("archive", book, "--split", "out")
    assert r.returncode == 2 and "文件夹" in r.stderr
    assert [p.name for p in (here / "out").iterdir()] == [last]
