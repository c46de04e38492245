"""A book saved by LibreOffice as .ods (OpenDocument) reads as its .xlsm does: same findings, same results."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import invoke_cli as cli

DEMO = Path(__file__).parents[1] / "workbook" / "demo_school.xlsm"


def _findings(book: Path) -> list[tuple[str, str, str]]:
    r = cli("validate", book, "--format", "json")
    assert r.returncode == 1, r.stderr  # the demo's planted mistakes
    return sorted((f["code"], f["sheet"], f["cell"]) for f in json.loads(r.stdout)["files"][0]["findings"])


def _teachers(book: Path) -> list[dict]:
    r = cli("recalc", book, "--dry-run", "--format", "json")
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)["teachers"]


def test_an_ods_book_gives_the_xlsm_findings_and_results(tmp_path):
    exe = shutil.which("soffice")
    if exe is None:
        pytest.skip("LibreOffice is not installed")
    book = Path(shutil.copy(DEMO, tmp_path / "学校.xlsm"))
    subprocess.run([exe, f"-env:UserInstallation={(tmp_path / 'lo').as_uri()}", "--headless", "--convert-to", "ods",
                    "--outdir", tmp_path, book], capture_output=True, timeout=300, check=True)
    ods = tmp_path / "学校.ods"
    assert _findings(ods) == _findings(book)
    assert _teachers(ods) == _teachers(book)


def test_a_zip_that_is_not_an_ods_is_one_line(tmp_path):
    import zipfile

    bad = tmp_path / "x.ods"
    with zipfile.ZipFile(bad, "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
    r = cli("validate", bad)
    assert r.returncode == 2 and "content.xml" in r.stdout + r.stderr and "Traceback" not in r.stderr
