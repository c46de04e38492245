"""A written workbook opens in a real office suite: LibreOffice headless converts it to PDF and to
xlsx without error, and the output tabs in LibreOffice's own copy hold the same values."""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from cpdsheets.doors.mark_record import MARK_STORE
from cpdsheets.doors.ooxml.package_writer import write_tabs
from cpdsheets.reports.tables import CellMark
from writer_books import macro_book, output_tabs

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
pytestmark = pytest.mark.skipif(
    SOFFICE is None,
    reason="LibreOffice (soffice) is not installed: `apt-get install -y libreoffice-calc` to run real-office tests",
)


def _convert(book: Path, fmt: str, outdir: Path, profile: Path) -> Path:
    outdir.mkdir(exist_ok=True)
    proc = subprocess.run(
        [SOFFICE, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
         "--convert-to", fmt, "--outdir", str(outdir), str(book)],
        capture_output=True, text=True, timeout=180,
    )
    out = outdir / (book.stem + "." + fmt.split(":")[0])
    assert proc.returncode == 0, proc.stderr
    assert out.exists() and out.stat().st_size > 0, f"no {fmt} output: {proc.stdout} {proc.stderr}"
    return out


def _rows(path: Path, name: str) -> list[list]:
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(name).to_python()
    norm = [[float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else v for v in r] for r in rows]
    while norm and all(v in ("", None) for v in norm[-1]):
        norm.pop()
    return [r[: max((i + 1 for i, v in enumerate(r) if v not in ("", None)), default=0)] for r in norm]


def test_libreoffice_opens_written_book(tmp_path: Path) -> None:
    book = macro_book(tmp_path / "校本培训.xlsm")
    tabs = output_tabs()
    write_tabs(book, tabs, marks=[CellMark("听课记录", "C5", "授课教师不存在")])
    plain = tmp_path / "plain.xlsm"
    shutil.copy(book, plain)
    profile = tmp_path / "lo-profile"
    pdf = _convert(plain, "pdf", tmp_path / "pdf", profile)
    assert pdf.read_bytes()[:5] == b"%PDF-"
    copy = _convert(plain, "xlsx", tmp_path / "xlsx", profile)
    names = CalamineWorkbook.from_path(str(copy)).sheet_names
    assert MARK_STORE in names  # the hidden mark record survives LibreOffice's save
    names = [n for n in names if n != MARK_STORE]
    assert names[-5:] == [t.name for t in tabs]
    for tab in tabs:
        assert _rows(copy, tab.name) == _rows(book, tab.name), tab.name
    with zipfile.ZipFile(copy) as z:  # LibreOffice kept both the input chart and the 教研组统计 chart
        assert len([n for n in z.namelist() if n.startswith("xl/charts/chart")]) >= 2
