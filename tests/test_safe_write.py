"""Writing the book (issue 9, item 4): through symlinks to the real file, one run at a time, a
full disk leaves the original byte-identical, and a package without xl/workbook.xml is unreadable."""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
import time

import pytest

from conftest import TRAININGS
from cpdsheets.doors.reader import sheet_names
from hostile import ROOT, TRACEBACK, rewrite_parts, run_cli


@pytest.fixture
def with_error(book_factory):
    rows = [list(r) for r in TRAININGS] + [["下周", "1001", "张三", "x", "通识培训", "校级", 2, "出勤"]]
    return book_factory(培训记录=rows)


def test_a_symlinked_book_is_written_through_to_its_target(tmp_path, with_error):
    real_dir, link_dir = tmp_path / "shared", tmp_path / "desk"
    real_dir.mkdir(), link_dir.mkdir()
    real = real_dir / "学校.xlsx"
    with_error.rename(real)
    original = real.read_bytes()
    link = link_dir / "学校.xlsx"
    link.symlink_to(real)
    run = run_cli("recalc", link)
    assert run.returncode == 0, run.stderr
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert "学分汇总" in sheet_names(real)  # the real file was updated
    bak = real_dir / "学校.xlsx.bak"
    assert bak.is_file() and not bak.is_symlink() and bak.read_bytes() == original
    assert sorted(p.name for p in link_dir.iterdir()) == ["学校.xlsx"]  # nothing left beside the link
    assert sorted(p.name for p in real_dir.iterdir()) == ["学校.xlsx", "学校.xlsx.bak"]


def test_a_second_run_waits_then_refuses_while_the_book_is_locked(with_error):
    original = with_error.read_bytes()
    listing = sorted(os.listdir(with_error.parent))
    fd = os.open(with_error, os.O_RDONLY)
    fcntl.flock(fd, fcntl.LOCK_EX)  # what a first run holds from reading to replacing
    try:
        for args in (("recalc", with_error), ("clear-marks", with_error), ("recalc", with_error, "--lang", "en")):
            run = run_cli(*args, env={"CPDSHEETS_LIMIT_LOCK_WAIT_SECONDS": "1"})
            assert run.returncode == 2 and TRACEBACK not in run.stderr
            assert "另一个 cpdsheets 正在处理" in run.stderr or "Another cpdsheets run" in run.stderr
            assert run.seconds >= 1
    finally:
        os.close(fd)
    assert with_error.read_bytes() == original and sorted(os.listdir(with_error.parent)) == listing
    assert run_cli("recalc", with_error).returncode == 0  # released: the next run goes ahead


def test_two_runs_at_once_lose_nothing_and_bak_is_the_version_read(with_error):
    """`recalc --mark` and `recalc` started together: the second waits for the first and works on its
    result, so the marks survive and `.bak` is the version the last run read."""
    original = with_error.read_bytes()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "XLWINGS_LICENSE_KEY": "noncommercial"}
    cmd = [sys.executable, "-m", "cpdsheets.doors.cli", "recalc", str(with_error)]
    runs = []
    for extra in (["--mark"], []):  # the plain run a moment later, so without a lock it would write last
        runs.append(subprocess.Popen(cmd + extra, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env))
        time.sleep(0.3)
    results = [(p.wait(timeout=120), p.stderr.read()) for p in runs]
    for p in runs:
        p.stdout.close(), p.stderr.close()
    assert all(code == 0 for code, _ in results), results
    assert "cpdsheets.marks" in sheet_names(with_error)  # the --mark run's marks were not overwritten
    bak = with_error.with_name(with_error.name + ".bak")
    assert bak.read_bytes() != original and "学分汇总" in sheet_names(bak)  # the first run's result


@pytest.mark.parametrize("command", [["recalc"], ["recalc", "--mark"], ["clear-marks"]])
def test_a_full_disk_is_one_line_and_the_book_is_untouched(with_error, command):
    """The disk really refuses the write (RLIMIT_FSIZE below the new file's size)."""
    if command == ["clear-marks"]:
        assert run_cli("recalc", with_error, "--mark", "--no-backup").returncode == 0
    original = with_error.read_bytes()
    listing = sorted(os.listdir(with_error.parent))
    run = run_cli(*command, with_error, file_size=len(original) // 2)
    assert run.returncode == 2 and TRACEBACK not in run.stderr, run.stderr
    message = [line for line in run.stderr.splitlines() if line.strip()]
    assert len(message) == 1 and "写入" in message[0] and "失败" in message[0] and "原文件未改动" in message[0]
    assert with_error.read_bytes() == original
    assert sorted(os.listdir(with_error.parent)) == listing  # no temp file, no .bak


def test_no_workbook_part_is_unreadable_not_missing_sheets(tmp_path, with_error):
    broken = rewrite_parts(with_error, tmp_path / "noworkbook.xlsx",
                           lambda name, data: None if name == "xl/workbook.xml" else data)
    before = broken.read_bytes()
    run = run_cli("validate", broken)
    assert run.returncode == 2 and "missing-sheet" not in run.stdout
    assert "xl/workbook.xml" in run.stdout and "无法读取" in run.stdout
    for args in (("recalc", broken), ("clear-marks", broken)):
        run = run_cli(*args)
        assert run.returncode == 2 and TRACEBACK not in run.stderr and "xl/workbook.xml" in run.stderr
    assert broken.read_bytes() == before
