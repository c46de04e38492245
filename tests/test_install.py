"""A school installs cpdsheets (not a clone): the wheel carries the VBA sources, so an installed
`cpdsheets new` still builds the macro workbook with its buttons' code."""

import subprocess
import sys
import zipfile
from pathlib import Path

from oletools.olevba import VBA_Parser

ROOT = Path(__file__).parents[1]


def test_installed_wheel_builds_the_macro_workbook(tmp_path):
    wheels = tmp_path / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(wheels), str(ROOT)],
                   check=True, capture_output=True, timeout=300)
    wheel = next(wheels.glob("cpdsheets-*.whl"))
    assert any(n.endswith("share/cpdsheets/xlmacros/CpdSheets.bas") for n in zipfile.ZipFile(wheel).namelist())

    venv = tmp_path / "venv"
    # the dependencies come from this interpreter; the package itself only from the wheel
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)], check=True, timeout=120)
    py = venv / "bin" / "python"
    subprocess.run([str(py), "-m", "pip", "install", "-q", "--no-deps", str(wheel)], check=True,
                   capture_output=True, timeout=300)
    where = subprocess.run([str(py), "-c", "import cpdsheets; print(cpdsheets.__file__)"], cwd=tmp_path,
                           capture_output=True, text=True, check=True).stdout
    assert str(venv) in where  # the installed copy, not the source tree

    book = tmp_path / "新学年.xlsm"
    run = subprocess.run([str(venv / "bin" / "cpdsheets"), "new", str(book), "--year", "2026-2027"], cwd=tmp_path,
                         capture_output=True, text=True, timeout=180)
    assert run.returncode == 0, run.stderr
    parser = VBA_Parser(str(book))
    try:
        modules = {Path(stream).name: code for _, stream, _, code in parser.extract_macros()}
    finally:
        parser.close()
    assert "RunPython" in modules["CpdSheets"] and "xlwings" in modules
