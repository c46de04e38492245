"""The CLI as CI runs it: a subprocess, real files, every exit status and every output format."""

import json
import xml.etree.ElementTree as ET

from msoffcrypto.format.ooxml import OOXMLFile
import pytest

from conftest import TRAININGS
from conftest import run_cli as run



@pytest.fixture
def clean(book_factory):
    return book_factory()


@pytest.fixture
def with_error(book_factory):
    rows = [list(r) for r in TRAININGS] + [["下周", "1001", "张三", "x", "通识培训", "校级", 2, "出勤"]]
    return book_factory(培训记录=rows)


@pytest.fixture
def with_warning(book_factory):
    rows = [list(r) for r in TRAININGS] + [["2025-09-05", "1001", "李四", "x", "通识培训", "校级", 2, "出勤"]]
    return book_factory(培训记录=rows)


def test_clean_exit_0(clean):
    r = run("validate", clean)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "通过" in r.stdout


def test_error_exit_1_and_english(with_error):
    r = run("validate", with_error, "--lang", "en")
    assert r.returncode == 1
    assert "invalid-date" in r.stdout and "is not a valid date" in r.stdout


def test_warning_fails_only_with_fail_on_warning(with_warning):
    assert run("validate", with_warning).returncode == 0
    assert run("validate", with_warning, "--fail-on", "warning").returncode == 1


def test_json_contract(with_error):
    r = run("validate", with_error, "--format", "json")
    doc = json.loads(r.stdout)
    assert doc["tool"] == "cpdsheets" and doc["version"]
    f = doc["files"][0]
    assert f["valid"] is False and set(f["stats"]) == {"errors", "warnings", "rows", "seconds"}
    finding = f["findings"][0]
    assert set(finding) == {"code", "severity", "sheet", "cell", "row", "column", "value", "message", "hint"}
    assert (finding["code"], finding["sheet"], finding["cell"], finding["row"], finding["column"], finding["value"]) == \
        ("invalid-date", "培训记录", "A4", 4, "日期", "下周")


def test_junit_and_github(with_error, clean):
    r = run("validate", with_error, clean, "--format", "junit")
    root = ET.fromstring(r.stdout)
    suites = root.findall("testsuite")
    assert len(suites) == 2
    assert suites[0].get("failures") == "1" and suites[1].get("failures") == "0"
    g = run("validate", with_error, "--format", "github")
    line = next(x for x in g.stdout.splitlines() if "invalid-date" in x)
    assert line.startswith("::error file=") and "培训记录!A4" in line


def test_missing_path_exit_2_others_still_validated(tmp_path, with_error):
    r = run("validate", tmp_path / "nope.xlsx", with_error, "--format", "json")
    assert r.returncode == 2
    files = json.loads(r.stdout)["files"]
    assert files[0]["valid"] is False and "不存在" in files[0]["error"]
    assert files[1]["stats"]["errors"] == 1


def test_not_a_workbook_exit_2(tmp_path):
    p = tmp_path / "notes.xlsx"
    p.write_text("这不是工作簿", encoding="utf-8")
    r = run("validate", p)
    assert r.returncode == 2 and "不是有效的 Excel 工作簿" in r.stdout


def test_corrupt_workbook_exit_2(tmp_path, clean):
    data = clean.read_bytes()
    bad = tmp_path / "corrupt.xlsx"
    bad.write_bytes(data[: len(data) // 2])  # a truncated download
    r = run("validate", bad)
    assert r.returncode == 2 and "损坏" in r.stdout


def test_encrypted_workbook_exit_2(tmp_path, clean):
    enc = tmp_path / "locked.xlsx"
    with open(clean, "rb") as src, open(enc, "wb") as dst:
        OOXMLFile(src).encrypt("secret", dst)
    r = run("validate", enc, "--lang", "en")
    assert r.returncode == 2 and "encrypted" in r.stdout


def test_folder_glob_and_jobs(tmp_path, book_factory, clean, with_error):
    r = run("validate", clean.parent, "--format", "json", "-j", "2")
    paths = [f["path"] for f in json.loads(r.stdout)["files"]]
    assert str(clean) in paths and str(with_error) in paths
    assert r.returncode == 1
    g = run("validate", str(clean.parent / "book*.xlsx"), "--format", "json")
    assert len(json.loads(g.stdout)["files"]) == len(paths)


def test_lock_files_in_folder_are_skipped(tmp_path, clean):
    (clean.parent / ("~$" + clean.name)).write_bytes(b"lock")
    r = run("validate", clean.parent, "--format", "json")
    assert all("~$" not in f["path"] for f in json.loads(r.stdout)["files"])


def test_an_internal_failure_is_one_line_not_a_traceback(clean, with_error, monkeypatch):
    """A bug met on one district workbook must not end the batch: that file is reported, exit 2."""
    from cpdsheets.doors import cli as cli_module
    from cpdsheets.jobs import book as jobs

    calls = {"n": 0}
    real_check = jobs.check

    def flaky(raw, **kw):
        calls["n"] += 1
        if raw.path == str(clean):
            raise KeyError("boom")
        return real_check(raw, **kw)

    monkeypatch.setattr(jobs, "check", flaky)
    first = cli_module.validate_file(str(clean))
    second = cli_module.validate_file(str(with_error))
    assert first.unreadable and "KeyError" in first.unreadable and "内部错误" in first.unreadable
    assert second.unreadable is None and second.errors == 1
    from cpdsheets.reports.report import Report

    assert Report([first, second]).exit_code("error") == 2
