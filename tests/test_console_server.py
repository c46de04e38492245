"""`new --server URL` and `bind --server URL`: 控制台 carries the service's address where the buttons'
VBA looks for it (column B label, column C value) and a 在线校验 link to the upload page, which
LibreOffice keeps and shows (the WPS / LibreOffice users' one click)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import openpyxl
import pytest

from conftest import invoke_cli, libreoffice_uno_missing
from school_style import school_book
from test_openxml_audit import audit_errors

SERVER = "http://10.0.0.5:8000"
ROOT = Path(__file__).resolve().parents[1]


def _console(path: Path) -> dict[str, tuple[object, str | None]]:
    """Column B label -> (column C value, B's link target)."""
    ws = openpyxl.load_workbook(path)["控制台"]
    out = {}
    for row in ws.iter_rows(min_col=2, max_col=3):
        label, value = row
        if isinstance(label.value, str):
            out[label.value] = (value.value, label.hyperlink.target if label.hyperlink else None)
    return out


def _vba_labels() -> set[str]:
    """The labels xlmacros/CpdSheets.bas looks for, decoded from its code points."""
    text = (ROOT / "xlmacros" / "CpdSheets.bas").read_text()
    consts = dict(re.findall(r'Private Const (\w+) As String = "([0-9A-F ]+)"', text))
    words = {"".join(chr(int(c, 16)) for c in consts[k].split()) for k in ("SERVER_ZH", "TOKEN_ZH")}
    return words | set(re.findall(r'ConsoleSetting\(Zh\(\w+\), "([^"]+)"\)', text))


def test_new_with_server_fills_the_address_and_links_the_upload_page(tmp_path):
    path = tmp_path / "学校.xlsm"
    r = invoke_cli("new", path, "--year", "2025-2026", "--server", SERVER + "/")
    assert r.returncode == 0, r.stderr
    console = _console(path)
    assert console["服务器地址"] == (SERVER, None)
    assert console["学校令牌"] == (None, None)  # the coordinator types the token
    assert console["在线校验"][1] == SERVER + "/"
    assert {"服务器地址", "学校令牌"} <= _vba_labels()
    run = subprocess.run(["openxml-audit", str(path)], capture_output=True, text=True)
    assert "Errors: 0" in run.stdout, run.stdout


def test_the_demo_takes_the_server_too(tmp_path):
    path = tmp_path / "演示.xlsm"
    assert invoke_cli("new", path, "--demo", "--server", SERVER).returncode == 0
    assert _console(path)["在线校验"][1] == SERVER + "/"


def test_new_without_server_leaves_the_address_empty_and_no_link(tmp_path):
    path = tmp_path / "学校.xlsm"
    assert invoke_cli("new", path).returncode == 0
    console = _console(path)
    assert console["服务器地址"] == (None, None) and "在线校验" not in console


@pytest.mark.parametrize("bad", ["ftp://x", "10.0.0.5:8000", "http://", 'http://x/"><script>'])
def test_a_bad_address_is_one_line_and_nothing_written(tmp_path, bad):
    path = tmp_path / "学校.xlsm"
    r = invoke_cli("new", path, "--server", bad)
    assert r.returncode == 2 and not path.exists()
    assert len(r.stderr.strip().splitlines()) == 1 and "--server" in r.stderr


def test_bind_with_server_writes_the_same_console(tmp_path):
    book = school_book(tmp_path / "school.xlsx", "openpyxl")
    r = invoke_cli("bind", book, "--server", SERVER)
    assert r.returncode == 0, r.stdout + r.stderr
    bound = book.with_suffix(".xlsm")
    console = _console(bound)
    assert console["服务器地址"][0] == SERVER and console["在线校验"][1] == SERVER + "/"
    assert audit_errors(bound) <= audit_errors(book)  # no error the school's own book did not have
    # binding again keeps the console as it is and says where the address goes
    again = invoke_cli("bind", bound, "--server", "http://other:8000")
    assert again.returncode == 0
    assert "http://other:8000" in again.stdout + again.stderr
    assert _console(bound)["服务器地址"][0] == SERVER


def test_libreoffice_keeps_the_online_link(tmp_path):
    reason = libreoffice_uno_missing()
    if reason:
        pytest.skip(reason)
    path = tmp_path / "学校.xlsm"
    assert invoke_cli("new", path, "--server", SERVER).returncode == 0
    out = tmp_path / "lo"
    subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path / 'profile'}", "--headless",
                    "--convert-to", "xlsx", "--outdir", str(out), str(path)], capture_output=True, timeout=180,
                   check=True)
    assert _console(out / "学校.xlsx")["在线校验"][1] == SERVER + "/"
