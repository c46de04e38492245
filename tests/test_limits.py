"""Limits before work (issue 9, item 2): a stray far cell, zip bombs and a lying zip directory are
refused in one line (exit 2) before anything is inflated; a batch survives a file that hangs or
whose process dies; a 规则 condition of 32,000 spaces is an invalid-rule finding, not 28 seconds."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys

import pytest

from conftest import POLICY_ROWS, ROSTER, base_sheets, write_book
from hostile import (ROOT, TRACEBACK, declare_size, rewrite_parts, run_cli, sheet_part, wait_for, with_far_value,
                     zip_bomb)

RULE_HEADER = ["规则编号", "规则名称", "指标", "数据表", "字段", "条件", "周期", "适用对象", "下限", "上限",
               "严重度", "后果", "启用"]


@pytest.fixture
def good(book_factory):
    return book_factory()


@pytest.fixture(scope="module")
def district_book(tmp_path_factory):
    """A real book that takes a couple of seconds to validate (150,000 log rows)."""
    from cpdsheets.samples.synthetic import generate

    return generate(tmp_path_factory.mktemp("district") / "big.xlsx", teachers=300, rows=150_000)


def test_a_stray_value_in_XFD1048576_is_refused_naming_the_cell(tmp_path, good):
    far = with_far_value(good, tmp_path / "far.xlsx", "培训记录")
    before = far.read_bytes()
    for args in (("validate", far, good, "-j", "2", "--format", "json"), ("validate", far, good, "--format", "json")):
        run = run_cli(*args)
        assert run.returncode == 2 and TRACEBACK not in run.stderr, run.stderr
        files = json.loads(run.stdout)["files"]
        assert "XFD1048576" in files[0]["error"] and "培训记录" in files[0]["error"]
        assert files[1]["valid"] is True  # the other file is still validated
        assert run.peak_mb < 600
    recalc = run_cli("recalc", far, "--lang", "en")
    assert recalc.returncode == 2 and "XFD1048576" in recalc.stderr and TRACEBACK not in recalc.stderr
    assert far.read_bytes() == before and not far.with_name(far.name + ".bak").exists()


def test_a_far_styled_but_empty_cell_is_read_normally(tmp_path, good):
    """calamine skips cells without a value, so formatting far away is no reason to refuse."""
    import openpyxl
    from openpyxl.styles import Font

    wb = openpyxl.load_workbook(good)
    wb["培训记录"]["XFD1048576"].font = Font(bold=True)
    wb.save(tmp_path / "styled.xlsx")
    run = run_cli("validate", tmp_path / "styled.xlsx")
    assert run.returncode == 0, run.stdout + run.stderr


def test_a_cell_placed_far_inside_a_near_row_is_still_seen(tmp_path, good):
    """Cells carry their own reference; a hostile file can put XFD1048576 inside row 2."""
    part = sheet_part(good, "培训记录")
    bad = rewrite_parts(good, tmp_path / "moved.xlsx",
                        lambda name, data: data.replace(b'r="H2"', b'r="XFD1048576"') if name == part else data)
    run = run_cli("validate", bad)
    assert run.returncode == 2 and "XFD1048576" in run.stdout, run.stdout + run.stderr


@pytest.mark.parametrize("far_cell, named", [
    (b'<c r="J0001048576"><v>1</v></c>', "J1048576"),  # zero-padded: calamine reads row 1048576
    (b'<c s="0" r="XFD1048576"><v>1</v></c>', "XFD1048576"),  # `r` not the first attribute
    (b'<c r="XFD1"><v>1</v></c></row><row r="1048576">' + b"<c><v>1</v></c>" * 3, "A1048576"),  # no `r`
])
def test_unusual_cell_references_are_counted_as_calamine_counts_them(tmp_path, good, far_cell, named):
    part = sheet_part(good, "培训记录")
    bad = rewrite_parts(good, tmp_path / "odd.xlsx",
                        lambda name, data: data.replace(b"</row></sheetData>", b"</row><row r=\"50\">" + far_cell +
                                                        b"</row></sheetData>") if name == part else data)
    run = run_cli("validate", bad)
    assert run.returncode == 2 and named in run.stdout and TRACEBACK not in run.stderr, run.stdout + run.stderr


def test_a_zip_bomb_is_refused_from_the_directory_before_inflating(tmp_path, good):
    bomb = zip_bomb(good, tmp_path / "bomb.xlsx", sheet_part(good, "培训记录"), 64 << 20)
    assert bomb.stat().st_size < 2 << 20
    run = run_cli("validate", bomb, good)
    assert run.returncode == 2 and TRACEBACK not in run.stderr
    first, second = run.stdout.splitlines()[:2]
    assert "压缩比" in first and "炸弹" in first
    assert "通过" in second
    assert run.peak_mb < 400 and run.seconds < 30


def test_a_lying_zip_directory_is_caught_while_streaming(tmp_path, good):
    """The directory claims 4 KB; inflating stops there and the part fails its check."""
    part = sheet_part(good, "培训记录")
    bomb = zip_bomb(good, tmp_path / "liar.xlsx", part, 64 << 20)
    declare_size(bomb, part, 4096)
    before = bomb.read_bytes()
    for args in (("validate", bomb), ("recalc", bomb), ("clear-marks", bomb)):
        run = run_cli(*args)
        assert run.returncode == 2 and TRACEBACK not in run.stderr, run.stderr
        assert "损坏" in run.stdout + run.stderr
        assert run.peak_mb < 400
    assert bomb.read_bytes() == before


def test_total_size_limit_is_configurable_and_refuses(good):
    run = run_cli("validate", good, "--lang", "en", env={"CPDSHEETS_LIMIT_MAX_TOTAL_BYTES": "1000"})
    assert run.returncode == 2 and "inflates to" in run.stdout and "limit" in run.stdout


def test_a_file_over_the_time_limit_is_one_line_and_the_batch_goes_on(district_book, good):
    """A real slow file (a district-sized book) against a one-second limit set for this run."""
    run = run_cli("validate", district_book, good, "-j", "2", "--lang", "en", env={"CPDSHEETS_LIMIT_FILE_SECONDS": "1"})
    assert run.returncode == 2 and TRACEBACK not in run.stderr
    lines = run.stdout.splitlines()
    assert "not finished after 1 s" in lines[0]
    assert lines[1].startswith(str(good)) and "OK" in lines[1]


def test_a_killed_worker_is_one_line_and_the_other_files_are_reported(district_book, good):
    """The worker validating one file dies (as the OOM killer or an abort would end it): it is killed
    once it holds the big book (resident past 130 MB: a warm worker idles near 85 MB), not before."""
    big = district_book
    env = {**os.environ, "PYTHONPATH": str(ROOT), "XLWINGS_LICENSE_KEY": "noncommercial"}
    proc = subprocess.Popen([sys.executable, "-m", "cpdsheets.doors.cli", "validate", str(big), str(good),
                             "--format", "json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)

    def busy_worker() -> int | None:  # a child of any of the CLI's threads (the pool starts workers from its own)
        tasks, children = f"/proc/{proc.pid}/task", []
        for tid in os.listdir(tasks):
            try:
                children += open(f"{tasks}/{tid}/children").read().split()
            except OSError:  # a thread that has just ended
                pass
        for pid in children:
            try:
                if int(open(f"/proc/{pid}/statm").read().split()[1]) * os.sysconf("SC_PAGE_SIZE") > 130 << 20:
                    return int(pid)
            except OSError:
                pass
        return None

    found: list[int] = []
    assert wait_for(lambda: bool(found.append(busy_worker() or 0) or found[-1]), seconds=120)
    os.kill(found[-1], signal.SIGKILL)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 2 and TRACEBACK not in err
    first, second = json.loads(out)["files"]
    assert first["path"] == str(big) and "SIGKILL" in first["error"]
    assert second["path"] == str(good) and second["valid"] is True


def test_a_rule_condition_of_32000_spaces_is_an_invalid_rule_finding(tmp_path):
    sheets = base_sheets()
    sheets["规则"] = [list(r) for r in POLICY_ROWS] + [[], RULE_HEADER,
                                                      ["R01", "听课", "计数", "听课记录", "", "类型" + " " * 32_000 + "x",
                                                       "学期", "", 1, "", "错误", "", "是"]]
    book = write_book(tmp_path / "spaces.xlsx", sheets)
    run = run_cli("validate", book, "--format", "json", timeout=120)
    findings = json.loads(run.stdout)["files"][0]["findings"]
    bad = [f for f in findings if f["code"] == "invalid-rule"]
    assert run.returncode == 1 and len(bad) == 1
    assert bad[0]["cell"] == "F12" and "条件太长" in bad[0]["message"]
    assert ROSTER  # the rest of the book is still checked


def test_one_file_over_the_time_limit_is_its_line_in_the_report(district_book):
    """A single book runs in the command's own process (doors/watched_call.py) under the same limit."""
    run = run_cli("validate", district_book, "--lang", "en", "--format", "json",
                  env={"CPDSHEETS_LIMIT_FILE_SECONDS": "1"})
    assert run.returncode == 2 and TRACEBACK not in run.stderr, run.stderr
    (only,) = json.loads(run.stdout)["files"]
    assert only["path"] == str(district_book) and "not finished after 1 s" in only["error"]
    assert run.seconds < 10  # stopped, not left to finish (a full validate takes 2 s or more)


def test_one_file_over_the_memory_ceiling_is_its_line_in_the_report(district_book):
    run = run_cli("validate", district_book, env={"CPDSHEETS_LIMIT_WORKER_MEMORY_MB": "150"})
    assert run.returncode == 2 and TRACEBACK not in run.stderr, run.stderr
    first = run.stdout.splitlines()[0]
    assert first.startswith(str(district_book)) and "使用内存超过 150 MB" in first


@pytest.mark.parametrize("prefix", ["x", "zz"])
def test_a_far_value_in_a_prefixed_cell_is_refused_naming_the_cell(tmp_path, good, prefix):
    """calamine takes `<x:c>` (and `<zz:c>`, its prefix never declared) for a cell by its local name: the
    limits scan must measure such a sheet too, or one far value makes calamine abort allocating the grid."""
    import re

    part = sheet_part(good, "培训记录")
    far = (f'<{prefix}:c r="XFD1048576" t="inlineStr"><{prefix}:is><{prefix}:t>x</{prefix}:t>'
           f'</{prefix}:is></{prefix}:c>').encode()

    def change(name: str, data: bytes) -> bytes:
        if name != part:
            return data
        if prefix == "x":  # the whole sheet in a declared prefix, as some writers save it
            data = data.replace(b'xmlns="http://schemas', b'xmlns:x="http://schemas')
            data = re.sub(rb"<(/?)(?![?!])(?![A-Za-z]+:)([A-Za-z]+)", rb"<\1x:\2", data)
        return re.sub(rb"(</(?:x:)?row>)(?!.*</(?:x:)?row>)", lambda m: far + m.group(1), data, flags=re.S)

    book = rewrite_parts(good, tmp_path / f"{prefix}.xlsx", change)
    for args in (("validate", book, "--lang", "en"), ("recalc", book, "--lang", "en")):
        run = run_cli(*args)
        assert run.returncode == 2 and TRACEBACK not in run.stderr, run.stderr[-2000:]
        said = run.stdout + run.stderr
        assert "XFD1048576" in said and "培训记录" in said, said
        assert run.peak_mb < 600
