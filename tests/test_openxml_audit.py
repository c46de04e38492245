"""Every kind of file the project writes passes openxml-audit (the Open XML SDK's schemas and Excel's
known repair rules) with no error its input did not already have: the template, the demo, recalc
with and without --mark, clear-marks, and recalc on books last saved by openpyxl, LibreOffice and
xlsxwriter."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter
from python_calamine import CalamineWorkbook

from conftest import invoke_cli as cli

ROOT = Path(__file__).parents[1]
DEMO = ROOT / "workbook" / "demo_school.xlsm"
pytestmark = pytest.mark.skipif(shutil.which("openxml-audit") is None, reason="openxml-audit is not installed")



def audit_errors(path: Path) -> set[tuple[str, str, str]]:
    """The audit's errors (not warnings) as (description, part, path)."""
    r = subprocess.run(["openxml-audit", "-o", "json", "-m", "0", str(path)], capture_output=True, text=True,
                       timeout=300)
    report = json.loads(r.stdout)[0]
    found = {(e["description"], e["part_uri"], e["path"]) for e in report["errors"] if e["severity"] == "error"}
    assert len(found) or report["error_count"] == 0, r.stdout[:2000]
    return found


def _openpyxl_saved(src: Path, out: Path) -> Path:
    wb = openpyxl.load_workbook(src, keep_vba=src.suffix == ".xlsm")
    wb.save(out)
    return out


def _libreoffice_saved(src: Path, folder: Path) -> Path:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice is not installed")
    profile = folder / "lo-profile"
    subprocess.run([soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "xlsx",
                    "--outdir", str(folder / "lo"), str(src)], capture_output=True, timeout=300, check=True)
    return folder / "lo" / (src.stem + ".xlsx")


def _xlsxwriter_saved(src: Path, out: Path) -> Path:
    """The same sheets and values written by xlsxwriter (an Excel-like writer: shared strings,
    styles as Excel lays them out)."""
    book = CalamineWorkbook.from_path(str(src))
    wb = xlsxwriter.Workbook(out, {"default_date_format": "yyyy-mm-dd", "strings_to_formulas": False,
                                   "strings_to_numbers": False})
    for name in book.sheet_names:
        ws = wb.add_worksheet(name)
        for r, row in enumerate(book.get_sheet_by_name(name).to_python()):
            for c, v in enumerate(row):
                if v not in ("", None):
                    ws.write(r, c, v)
    wb.close()
    return out


@pytest.fixture(scope="module")
def made(tmp_path_factory) -> dict[str, tuple[Path, Path | None]]:
    """kind -> (written file, the input it was written from, or None for a file built from scratch)."""
    d = tmp_path_factory.mktemp("audit")
    out: dict[str, tuple[Path, Path | None]] = {}
    for name in ("template.xlsm", "template.xlsx"):
        assert cli("new", d / name).returncode == 0
        out[name] = (d / name, None)
    out["demo"] = (DEMO, None)
    demo = Path(shutil.copy(DEMO, d / "demo.xlsm"))
    assert cli("recalc", demo, "-o", d / "recalc.xlsm").returncode == 0
    out["recalc"] = (d / "recalc.xlsm", demo)
    assert cli("recalc", demo, "--mark", "-o", d / "marked.xlsm").returncode == 0
    out["recalc --mark"] = (d / "marked.xlsm", demo)
    assert cli("clear-marks", d / "marked.xlsm", "-o", d / "cleared.xlsm").returncode == 0
    out["clear-marks"] = (d / "cleared.xlsm", d / "marked.xlsm")
    for kind, saved in (("openpyxl", _openpyxl_saved(demo, d / "by_openpyxl.xlsm")),
                        ("libreoffice", _libreoffice_saved(demo, d)),
                        ("xlsxwriter", _xlsxwriter_saved(demo, d / "by_xlsxwriter.xlsx"))):
        written = d / f"recalc_{kind}{saved.suffix}"
        r = cli("recalc", saved, "--mark", "-o", written)
        assert r.returncode == 0, (kind, r.stderr)
        out[f"recalc --mark on a book saved by {kind}"] = (written, saved)
    return out


KINDS = ["template.xlsm", "template.xlsx", "demo", "recalc", "recalc --mark", "clear-marks",
         "recalc --mark on a book saved by openpyxl", "recalc --mark on a book saved by libreoffice",
         "recalc --mark on a book saved by xlsxwriter"]


@pytest.mark.parametrize("kind", KINDS)
def test_written_file_has_no_audit_error_its_input_lacked(made, kind):
    written, source = made[kind]
    new = audit_errors(written) - (audit_errors(source) if source is not None else set())
    assert not new, f"{kind}: {sorted(new)[:10]}"
