"""A write that cannot happen says why (issue 19, item 7): a folder is a folder, a missing folder is
missing (not read-only), a full disk is the only case told to free space. SIGTERM during a write
cleans up as Ctrl+C does, and a limit of the workbook library is a note, not a warning on stderr."""

from __future__ import annotations

import errno
import inspect
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
import xlsxwriter.worksheet

from conftest import CLI
from cpdsheets.doors.ooxml.safe_replace import atomic_write
from cpdsheets.doors.ooxml.write_errors import WorkbookWriteError
from cpdsheets.samples.synthetic import generate


def _refusal(target: Path, fail: OSError | None = None) -> WorkbookWriteError:
    def write(fh):
        fh.write(b"x")
        if fail is not None:
            raise fail

    with pytest.raises(WorkbookWriteError) as exc:
        atomic_write(target, write, backup=False)
    return exc.value


def test_each_cause_is_named(tmp_path):
    (tmp_path / "sub").mkdir()
    folder = _refusal(tmp_path / "sub")
    assert "文件夹" in folder.message("zh") and "磁盘" not in folder.message("zh")
    assert "is a folder" in folder.message("en")
    missing = _refusal(tmp_path / "nope" / "x.xlsx")
    assert "不存在" in missing.message("zh") and "只读" not in missing.message("zh")
    assert "does not exist" in missing.message("en") and "read-only" not in missing.message("en")
    full = _refusal(tmp_path / "x.xlsx", OSError(errno.ENOSPC, "No space left on device"))
    assert "磁盘空间" in full.message("zh")
    io_error = _refusal(tmp_path / "x.xlsx", OSError(errno.EIO, "Input/output error"))
    assert "Input/output error" in io_error.message("en") and "磁盘空间" not in io_error.message("zh")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sub"]  # no temporary file left by any


def test_sigterm_during_archive_leaves_no_temporary_file(tmp_path):
    book = generate(tmp_path / "big.xlsx", teachers=300, rows=12_000, seed=9)
    out = tmp_path / "out"
    out.mkdir()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    proc = subprocess.Popen([*CLI, "archive", str(book), "--split", str(out)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 240
    while not list(out.glob(".~cpdsheets-*.tmp")):  # a teacher's file is being written
        assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()
        time.sleep(0.005)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert not list(tmp_path.rglob(".~cpdsheets-*")), err
    assert proc.returncode == 128 + signal.SIGTERM, err
    assert b"Traceback" not in err


def test_our_link_cap_is_the_one_excel_and_xlsxwriter_have():
    from cpdsheets.doors.rollup.writer import LINKS_PER_SHEET

    assert f"> {LINKS_PER_SHEET}" in inspect.getsource(xlsxwriter.worksheet.Worksheet)


def test_schools_past_the_link_cap_are_a_note_not_a_warning(tmp_path, monkeypatch, capfd):
    import datetime as dt

    from cpdsheets.doors.rollup import writer
    from cpdsheets.reports.rollup import District, SchoolSummary

    monkeypatch.setattr(writer, "LINKS_PER_SHEET", 6)  # three schools linked both ways, the others named
    schools = [SchoolSummary(f"s{i}.xlsx", f"学校{i}", "", 2, 1, 0, 0, {}, 0, 0, 2, None, [], [], {}, [], [])
               for i in range(5)]
    notes: list[str] = []
    out = writer.write_district(District(schools, [], dt.date(2026, 4, 1)), tmp_path / "d.xlsx", {}, "zh", notes=notes)
    assert len(notes) == 1 and "前 3 所" in notes[0] and "5 所" in notes[0]
    with zipfile.ZipFile(out) as zf:
        overview = zf.read("xl/worksheets/sheet1.xml").decode()
        runlog = zf.read("xl/sharedStrings.xml").decode()
    assert overview.count("<hyperlink ") == 6
    assert notes[0] in runlog  # the run log sheet says it too
    assert capfd.readouterr().err == ""
