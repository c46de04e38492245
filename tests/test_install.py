"""A school installs cpdsheets (not a clone): the wheel carries the VBA sources, so an installed
`cpdsheets new` still builds the macro workbook with its buttons' code. The suite itself runs from a
plain interpreter or from inside a virtual environment, and its setup waits for a busy apt."""

import os
import site
import subprocess
import sys
import shutil
import threading
import time
import zipfile
from pathlib import Path

import pytest

from oletools.olevba import VBA_Parser

ROOT = Path(__file__).parents[1]


def test_installed_wheel_builds_the_macro_workbook(tmp_path):
    wheels = tmp_path / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(wheels), str(ROOT)],
                   check=True, capture_output=True, timeout=300)
    wheel = next(wheels.glob("cpdsheets-*.whl"))
    assert any(n.endswith("share/cpdsheets/xlmacros/CpdSheets.bas") for n in zipfile.ZipFile(wheel).namelist())

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    py = venv / "bin" / "python"
    # The dependencies come from the environment running this suite (a venv, or the base interpreter:
    # `--system-site-packages` would reach the base one even from inside a venv); the package itself
    # only from the wheel. Folders named in a .pth file are searched but their own .pth files are not
    # run, so an editable cpdsheets there stays out of sight.
    purelib = subprocess.run([str(py), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                             capture_output=True, text=True, check=True).stdout.strip()
    (Path(purelib) / "suite-dependencies.pth").write_text("\n".join(_dependency_folders()) + "\n")
    clean_env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}  # a school PC has neither
    subprocess.run([str(py), "-m", "pip", "install", "-q", "--no-deps", str(wheel)], check=True,
                   capture_output=True, timeout=300, env=clean_env)
    where = subprocess.run([str(py), "-c", "import cpdsheets; print(cpdsheets.__file__)"], cwd=tmp_path,
                           capture_output=True, text=True, check=True, env=clean_env).stdout
    assert str(venv) in where  # the installed copy, not the source tree

    book = tmp_path / "新学年.xlsm"
    run = subprocess.run([str(venv / "bin" / "cpdsheets"), "new", str(book), "--year", "2026-2027"], cwd=tmp_path,
                         capture_output=True, text=True, timeout=180, env=clean_env)
    assert run.returncode == 0, run.stderr
    parser = VBA_Parser(str(book))
    try:
        modules = {Path(stream).name: code for _, stream, _, code in parser.extract_macros()}
    finally:
        parser.close()
    assert "RunPython" in modules["CpdSheets"] and "xlwings" in modules
    # the service client (issue 22): xlmacros' .cls files travel with the wheel too
    assert {"Remote", "CpdActions", "WebClient", "WebRequest", "WebResponse", "IWebAuthenticator",
            "Dictionary"} <= set(modules)


def _dependency_folders() -> list[str]:
    folders = list(site.getsitepackages())
    if site.ENABLE_USER_SITE:
        folders.append(site.getusersitepackages())
    return [f for f in folders if Path(f).is_dir()]


@pytest.mark.skipif(os.geteuid() != 0 or shutil.which("apt-get") is None, reason="needs root and apt-get")
def test_the_suite_setup_waits_for_a_busy_apt():
    """Another apt/dpkg holds the dpkg lock for two seconds: scripts/test.sh's apt call waits for it
    (`apt-get check` takes the same lock, offline and without changing anything)."""
    import fcntl

    script = (ROOT / "scripts" / "test.sh").read_text()
    helper = script[script.index("APT_LOCK_WAIT="):script.index("\n}\n") + 3]
    fd = os.open("/var/lib/dpkg/lock-frontend", os.O_RDWR | os.O_CREAT)
    fcntl.lockf(fd, fcntl.LOCK_EX)
    threading.Timer(2.0, os.close, [fd]).start()  # closing the file releases apt's lock
    started = time.monotonic()
    run = subprocess.run(["bash", "-c", helper + "\napt_waiting check -qq"], capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 0, run.stderr
    assert time.monotonic() - started >= 1.5  # it waited for the lock instead of failing at once
