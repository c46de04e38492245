"""Shared test helpers: real workbooks written with openpyxl and read back by the product."""

from __future__ import annotations

import os

# xlwings registers its remote-interpreter engine at import time, and only with a key: set it before
# any test module imports xlwings (the PolyForm Noncommercial licence covers public schools).
os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")

import datetime as dt  # noqa: E402
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from hypothesis import Phase, settings

# Property tests that spend seconds per example (the CLI fuzz) take their example count from here.
# CI (CI=true) runs a fixed, derandomized set so the suite stays fast and a failure reproduces;
# locally every run draws new examples. HYPOTHESIS_PROFILE picks one explicitly.
settings.register_profile("ci", max_examples=12, derandomize=True, deadline=None, print_blob=True,
                          phases=[Phase.explicit, Phase.reuse, Phase.generate])  # no shrinking: report at once
settings.register_profile("dev", max_examples=20, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") == "true" else "dev"))

CLI = [sys.executable, "-m", "cpdsheets.doors.cli"]


def run_cli(*args, cwd=None, env=None, timeout=300) -> subprocess.CompletedProcess:
    """`python -m cpdsheets.doors.cli ARGS` as its own process, for a test that needs a real one:
    a working directory or environment of its own, signals, limits, a lock held by another process,
    the interpreter's start-up."""
    return subprocess.run([*CLI, *map(str, args)], capture_output=True, text=True, cwd=cwd, env=env,
                          timeout=timeout)


def invoke_cli(*args) -> subprocess.CompletedProcess:
    """The same command in this process through typer's CliRunner, without an interpreter start-up
    per call: exit code, stdout and stderr as a process gives them. An exception the CLI lets escape
    is raised here, so a crash fails the test (a process would print a traceback and exit 1)."""
    from typer.testing import CliRunner

    from cpdsheets.doors.cli import app

    result = CliRunner().invoke(app, [str(a) for a in args], catch_exceptions=False)
    return subprocess.CompletedProcess([*CLI, *map(str, args)], result.exit_code, result.stdout, result.stderr)


# A small, clean school: every finding a test expects comes from the rows it adds.
POLICY_ROWS = [
    ["设置项", "值"],
    ["学校名称", "测试小学"],
    ["学年开始", dt.date(2025, 9, 1)],
    ["学年结束", dt.date(2026, 8, 31)],
    ["第一学期开始", dt.date(2025, 9, 1)],
    ["第一学期结束", dt.date(2026, 1, 31)],
    ["第二学期开始", dt.date(2026, 2, 16)],
    ["第二学期结束", dt.date(2026, 7, 10)],
    ["统计截止日", dt.date(2026, 4, 15)],
]
ROSTER = [
    ["工号", "姓名", "教研组", "备课组", "岗位", "师傅工号"],
    ["1001", "张三", "语文组", "一年级语文", "班主任、中层", None],
    ["1002", "李四", "数学组", "一年级数学", "新教师", "1001"],
    ["0007", "王五", "数学组", "一年级数学", "", None],
]
TRAININGS = [
    ["日期", "工号", "姓名", "项目名称", "类别", "级别", "学时", "考勤"],
    [dt.date(2025, 9, 3), "1001", "张三", "师德培训", "师德培训", "校级", 2, "出勤"],
    [dt.date(2025, 9, 3), "1002", "李四", "师德培训", "师德培训", "校级", 2, "出勤"],
]
OBSERVATIONS = [
    ["日期", "听课人工号", "听课人", "授课教师", "学科", "课题", "课型", "地点"],
    [dt.date(2025, 9, 10), "1002", "李四", "张三", "语文", "秋天", "推门课", "校内"],
]
READING = [["工号", "日期", "书刊名称", "类型", "字数"],
           ["1001", dt.date(2025, 9, 12), "给教师的建议", "必读书目", None]]
OUTPUTS = [["工号", "日期", "类型", "级别", "题目"],
           ["1002", dt.date(2025, 11, 5), "公开课", "校级", "秋天"]]


def base_sheets() -> dict[str, list[list]]:
    return {
        "规则": [list(r) for r in POLICY_ROWS],
        "教师名册": [list(r) for r in ROSTER],
        "培训记录": [list(r) for r in TRAININGS],
        "听课记录": [list(r) for r in OBSERVATIONS],
        "读书记录": [list(r) for r in READING],
        "成果记录": [list(r) for r in OUTPUTS],
    }


def write_book(path: Path, sheets: dict[str, list[list]]) -> Path:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for r in rows:
            ws.append(r)
    wb.save(path)
    return path


@pytest.fixture
def book_factory(tmp_path):
    counter = iter(range(10_000))

    def make(**changes) -> Path:
        sheets = base_sheets()
        for name, rows in changes.items():
            if rows is None:
                sheets.pop(name, None)
            else:
                sheets[name] = rows
        return write_book(tmp_path / f"book{next(counter)}.xlsx", sheets)

    return make


def libreoffice_uno_missing() -> str | None:
    """Why LibreOffice with python3-uno cannot be driven here, or None when it can."""
    import shutil
    import subprocess

    if shutil.which("soffice") is None:
        return "LibreOffice (soffice) is not installed"
    if subprocess.run(["/usr/bin/python3", "-c", "import uno"], capture_output=True).returncode != 0:
        return "python3-uno is not importable by /usr/bin/python3"
    return None
