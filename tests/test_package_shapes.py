"""Packages from other writers (docs/SPEC.md): the workbook part at the package root, backslash separators,
an `x:` prefix for SpreadsheetML, and no styles, shared strings or docProps (inline strings).

Each shape is made from one book filled through openpyxl; every shape must validate to the same
findings as the original and take `recalc --mark` and `clear-marks` with no new audit errors.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pytest

from cpdsheets.doors.reader import read_workbook

from conftest import invoke_cli as cli

SML = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"



@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("shapes")
    book = folder / "base.xlsx"
    assert cli("new", book, "--year", "2025-2026", "--school", "实验小学").returncode == 0
    wb = openpyxl.load_workbook(book)
    rows = {"教师名册": [["0101", "王芳", "女", "1990.5", "2012.9", "语文组", "一年级语文", "中层"],
                     ["0102", "李明", "男", "1998-03", "2023年9月", "数学组", "一年级数学", "新教师"]],
            "培训记录": [["2025.9.10", "0101", "王芳", "新课标解读", "校本研修", "校级", "2学时", "√"],
                     ["2025/9/10", "102", "李明", "新课标解读", "校本研修", "校级", "2", "√"],
                     ["下周", "0102", "李明", "师德报告", "师德培训", "校级", "3", "√"]],
            "听课记录": [["9/16", "0102", "李明", "王芳", "语文", "古诗", "推门课", "本校"]]}
    for sheet, values in rows.items():
        for i, row in enumerate(values):
            for j, v in enumerate(row):
                cell = wb[sheet].cell(row=3 + i, column=1 + j, value=v)
                cell.data_type = "s"
    wb.save(book)
    return book


def _parts(book: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(book) as z:
        return {n: z.read(n) for n in z.namelist()}


def _write(path: Path, parts: dict[str, bytes], sep: str = "/") -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name.replace("/", sep), data)
    return path


def at_root(parts: dict[str, bytes]) -> dict[str, bytes]:
    out = {}
    for name, data in parts.items():
        data = data.replace(b"/xl/", b"/")
        if name == "_rels/.rels":
            data = data.replace(b'Target="xl/workbook.xml"', b'Target="workbook.xml"')
        out[name[3:] if name.startswith("xl/") else name] = data
    return out


def x_prefix(parts: dict[str, bytes]) -> dict[str, bytes]:
    def prefixed(data: bytes) -> bytes:
        data = data.replace(b'xmlns="' + SML + b'"', b'xmlns:x="' + SML + b'"')
        return re.sub(rb"<(/?)(?![?!])(?![A-Za-z]+:)([A-Za-z]+)", rb"<\1x:\2", data)
    return {n: prefixed(d) if n.startswith("xl/") and n.endswith(".xml") and SML in d else d
            for n, d in parts.items()}


def bare(parts: dict[str, bytes]) -> dict[str, bytes]:
    strings = re.findall(rb"<si>(.*?)</si>", parts.get("xl/sharedStrings.xml", b""), re.S)

    def inline(m: re.Match[bytes]) -> bytes:
        return b"<c" + m.group(1).replace(b' t="s"', b"") + b' t="inlineStr"><is>' + strings[int(m.group(2))] \
            + b"</is></c>"
    dropped = re.compile(rb"(styles|sharedStrings|theme|docProps|core-properties|extended-properties)")
    out = {}
    for name, data in parts.items():
        if name in ("xl/styles.xml", "xl/sharedStrings.xml") or name.startswith("docProps/") or "theme" in name:
            continue
        if name.startswith("xl/worksheets/sheet"):
            data = re.sub(rb' s="\d+"', b"", re.sub(rb'<c([^>]*? t="s"[^>]*)><v>(\d+)</v></c>', inline, data))
        if name.endswith(".rels"):
            data = re.sub(rb"<Relationship [^>]*/>", lambda m: b"" if dropped.search(m.group(0)) else m.group(0), data)
        if name == "[Content_Types].xml":
            data = re.sub(rb"<Override [^>]*/>", lambda m: b"" if dropped.search(m.group(0)) else m.group(0), data)
        out[name] = data
    return out


SHAPES = {"root": (at_root, "/"), "backslash": (lambda p: p, "\\"), "x-prefix": (x_prefix, "/"),
          "bare": (bare, "/")}


def _findings(book: Path) -> list[tuple[str, str, str]]:
    r = cli("validate", book, "--format", "json", "--as-of", "2025-12-15")
    assert r.returncode in (0, 1), r.stderr
    return sorted((f["code"], f["sheet"], f["cell"]) for f in json.loads(r.stdout)["files"][0]["findings"])


def _audit_errors(book: Path) -> int:
    out = subprocess.run(["openxml-audit", str(book)], capture_output=True, text=True, timeout=300).stdout
    return int(re.search(r"Errors: (\d+)", out).group(1))


@pytest.mark.parametrize("shape", SHAPES)
def test_each_shape_reads_as_the_original_and_takes_recalc_and_clear_marks(base, tmp_path, shape):
    make, sep = SHAPES[shape]
    book = _write(tmp_path / f"{shape}.xlsx", make(_parts(base)), sep)
    assert _findings(book) == _findings(base)
    assert read_workbook(book).names() == read_workbook(base).names()

    out = tmp_path / f"{shape}-out.xlsx"
    r = cli("recalc", book, "--mark", "-o", out, "--as-of", "2025-12-15")
    assert r.returncode == 0, r.stderr
    names = read_workbook(out).names()
    assert {"学分汇总", "达标预警", "校验问题"} <= set(names)
    assert _findings(out) == _findings(base)  # the marks and tabs changed nothing that is read
    if shutil.which("openxml-audit"):
        assert _audit_errors(out) <= _audit_errors(book)
    cleared = cli("clear-marks", out)
    assert cleared.returncode == 0 and "已清除 2 处标记" in cleared.stdout, cleared.stdout + cleared.stderr
