"""A rollup counts each school once (issue 19, item 2), and names the files it left out.

The same book reached through a symlink, under a second name (a hard link or a byte copy), a JSON
report merged twice, the .xlsx a school's .xlsm was bound from, and the district workbook a previous
rollup wrote into the folder: each would be one more school with false transfers. File names in GBK
bytes (a Windows zip unpacked on Linux) are read and shown readably.
"""

from __future__ import annotations

import json
import os
import shutil
import zipfile
from pathlib import Path

import pytest

from conftest import invoke_cli as cli
from cpdsheets.samples.school_books import write_semesters
from cpdsheets.samples.school_records import school_records
from cpdsheets.samples.synthetic import generate

AS_OF = "2026-03-20"


@pytest.fixture(scope="module")
def two_schools(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("two")
    generate(folder / "a.xlsx", teachers=4, rows=40, seed=21)
    generate(folder / "b.xlsx", teachers=4, rows=40, seed=22)
    return folder


def _copy(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst, symlinks=True)
    return dst


def _rollup(*args) -> dict:
    r = cli("rollup", *args, "--format", "json", "--as-of", AS_OF)
    assert r.returncode in (0, 1), r.stderr
    return json.loads(r.stdout)


def test_a_symlink_and_second_names_count_once_with_notes(two_schools, tmp_path):
    d = _copy(two_schools, tmp_path / "d")
    (d / "z_link.xlsx").symlink_to("a.xlsx")
    (d / "0_link.xlsx").symlink_to("b.xlsx")  # sorted before its target: the target is still the one kept
    os.link(d / "a.xlsx", d / "hard.xlsx")
    shutil.copy(d / "b.xlsx", d / "copy.xlsx")
    report = _rollup(d)
    assert sorted(Path(s["path"]).name for s in report["schools"]) == ["a.xlsx", "b.xlsx"]
    assert report["transfers"] == []
    skipped = {Path(k["path"]).name: (k["why"], Path(k["kept"]).name) for k in report["skipped"]}
    assert skipped == {"z_link.xlsx": ("same_file", "a.xlsx"), "0_link.xlsx": ("same_file", "b.xlsx"),
                       "hard.xlsx": ("same_file", "a.xlsx"), "copy.xlsx": ("same_content", "b.xlsx")}
    assert report["totals"]["schools"] == 2 and report["totals"]["skipped"] == 4
    text = cli("rollup", d, "--as-of", AS_OF).stdout
    assert "跳过" in text and "z_link.xlsx" in text and "同一个文件" in text


def test_a_report_merged_twice_counts_once(two_schools, tmp_path):
    one = tmp_path / "one.json"
    one.write_text(json.dumps(_rollup(two_schools)), encoding="utf-8")
    merged = _rollup("--merge", one, one, tmp_path / "." / "one.json")
    assert merged["totals"]["schools"] == 2 and merged["transfers"] == []
    assert [k["why"] for k in merged["skipped"]] == ["same_file", "same_file"]


def test_rolling_up_into_the_folder_twice_does_not_count_its_own_output(two_schools, tmp_path):
    from cpdsheets.doors.rollup.inputs import MARK_NAME, is_district_workbook

    d = _copy(two_schools, tmp_path / "d")
    first = _rollup(d, "-o", d / "district.xlsx")
    assert is_district_workbook(d / "district.xlsx")
    with zipfile.ZipFile(d / "district.xlsx") as zf:
        assert MARK_NAME in zf.read("docProps/custom.xml").decode()
    second = _rollup(d, "-o", d / "district.xlsx")
    assert second["totals"]["schools"] == first["totals"]["schools"] == 2
    assert second["totals"]["unreadable"] == 0
    assert [(Path(k["path"]).name, k["why"]) for k in second["skipped"]] == [("district.xlsx", "own_output")]
    assert not is_district_workbook(d / "a.xlsx")


def test_the_xlsx_a_bound_book_came_from_is_counted_as_the_bound_book(tmp_path):
    d = tmp_path / "d"
    d.mkdir()
    write_semesters(d / "own.xlsx", school_records())
    bound = cli("bind", d / "own.xlsx")
    assert bound.returncode in (0, 1) and (d / "own.xlsm").exists(), bound.stderr
    report = _rollup(d)
    assert [Path(s["path"]).name for s in report["schools"]] == ["own.xlsm"]
    assert [(Path(k["path"]).name, k["why"], Path(k["kept"]).name) for k in report["skipped"]] == [
        ("own.xlsx", "bound_beside", "own.xlsm")]


def _gbk_name(folder: Path, name: str) -> Path:
    return Path(os.fsdecode(os.fsencode(str(folder)) + b"/" + name.encode("gbk")))


def test_gbk_file_names_are_read_and_shown_readably(two_schools, tmp_path):
    d = tmp_path / "d"
    d.mkdir()
    shutil.copy(two_schools / "a.xlsx", _gbk_name(d, "实验小学.xlsx"))
    r = cli("rollup", d, "--as-of", AS_OF, "-o", tmp_path / "district.xlsx")
    assert r.returncode in (0, 1), r.stderr
    assert "实验小学.xlsx" in r.stdout and "无法读取：" not in r.stdout
    report = _rollup(d)
    assert report["totals"]["schools"] == 1 and report["schools"][0]["path"].endswith("实验小学.xlsx")
    v = cli("validate", d)
    assert "实验小学.xlsx" in v.stdout and "No such file" not in v.stdout and "无法读取:" not in v.stdout


def test_a_new_users_district_rolled_up_twice_into_its_own_folder(tmp_path):
    """The trial of issue 19, small: generated books, one corrupt, one school's own book bound beside
    its .xlsx, one symlink; `rollup d -o d/district.xlsx` twice gives the same schools both times."""
    d = tmp_path / "d"
    d.mkdir()
    for i in range(4):
        generate(d / f"school{i}.xlsx", teachers=3, rows=30, seed=40 + i)
    write_semesters(d / "own.xlsx", school_records())
    (d / "corrupt.xlsx").write_bytes((d / "school0.xlsx").read_bytes()[:3000])
    (d / "shortcut.xlsx").symlink_to("school1.xlsx")
    assert cli("bind", d / "own.xlsx").returncode in (0, 1)
    runs = []
    for _ in range(2):
        r = cli("rollup", d, "-o", d / "district.xlsx", "--as-of", AS_OF)
        assert r.returncode == 2 and r.stderr == "", r.stderr  # 2: the corrupt file
        as_json = cli("rollup", d, "--format", "json", "--as-of", AS_OF)
        runs.append(json.loads(as_json.stdout))
    for report in runs:
        assert sorted(Path(s["path"]).name for s in report["schools"]) == [
            "own.xlsm", "school0.xlsx", "school1.xlsx", "school2.xlsx", "school3.xlsx"]
        assert [Path(u["path"]).name for u in report["unreadable"]] == ["corrupt.xlsx"]
        assert report["transfers"] == []
    assert sorted(Path(k["path"]).name for k in runs[1]["skipped"]) == ["district.xlsx", "own.xlsx", "shortcut.xlsx"]
    assert not list(d.glob(".~cpdsheets-*"))
