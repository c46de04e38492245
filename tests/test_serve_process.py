"""The service as people run it: `cpdsheets serve` in its own process, killed with SIGKILL and started
again on the same data, and 50 uploads at once; the accounts commands."""

from __future__ import annotations

import socket
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from conftest import CLI, run_cli
from serve_support import DEMO, PASSWORD, Server, add_account_cli as _account

httpx = pytest.importorskip("httpx")


def test_accounts_commands(tmp_path):
    data = tmp_path / "data"
    token = _account(data, "qinghe", "青禾路小学")
    assert token.startswith("cpd_") and len(token) > 40
    assert token not in (data / "cpdsheets.db").read_bytes().decode("latin-1")  # only its hash is stored
    again = subprocess.run([*CLI, "accounts", "add", "qinghe", "--school", "x", "--data", str(data), "--password-stdin"],
                           input=PASSWORD + "\n", capture_output=True, text=True)
    assert again.returncode == 2 and "已存在" in again.stderr and "Traceback" not in again.stderr
    short = subprocess.run([*CLI, "accounts", "add", "x", "--school", "x", "--data", str(data), "--password-stdin"],
                           input="short\n", capture_output=True, text=True)
    assert short.returncode == 2 and "8" in short.stderr
    no_stdin = run_cli("accounts", "add", "y", "--school", "y", "--data", data)
    assert no_stdin.returncode == 2 and "--password-stdin" in no_stdin.stderr
    nobody = run_cli("accounts", "token", "nobody", "--data", data)
    assert nobody.returncode == 2 and "nobody" in nobody.stderr and "Traceback" not in nobody.stderr


def _upload(url: str, token: str, path: Path, name: str | None = None, timeout: float = 300) -> httpx.Response:
    with open(path, "rb") as fh:
        return httpx.post(url + "/api/books", files={"file": (name or path.name, fh)},
                          headers={"Authorization": f"Bearer {token}"}, timeout=timeout)


def _books(url: str, token: str) -> list[dict]:
    return httpx.get(url + "/api/books", headers={"Authorization": f"Bearer {token}"}, timeout=30).json()["books"]


def _stored(data: Path) -> list[Path]:
    return sorted(p for p in (data / "blobs").rglob("*") if p.is_file())


# What `serve` prints on its first start, in its --lang: the password's label, the demo school's name.
FIRST_START = {"zh": ("密码 ", "示范小学", "数据目录"), "en": ("password ", "Demo school", "data folder")}


@pytest.mark.parametrize("lang", FIRST_START)
def test_first_start_prints_a_demo_account_that_logs_in(tmp_path, lang):
    label, school, data_word = FIRST_START[lang]
    server = Server(tmp_path / "data", "--workers", "1", "--lang", lang)
    try:
        out = server.start()
        assert "demo" in out and "http://127.0.0.1" in out and data_word in out
        password = out.split(label, 1)[1].split()[0]
        with httpx.Client(base_url=server.url) as client:
            page = client.get("/login")
            csrf = page.text.split('name="csrf" value="', 1)[1].split('"', 1)[0]
            r = client.post("/login", data={"username": "demo", "password": password, "csrf": csrf})
            assert r.status_code == 303 and client.get("/").status_code == 200
            assert school in client.get("/").text
    finally:
        server.stop()


def test_accounts_commands_speak_the_language_asked_for(tmp_path):
    """No line mixes the two languages: Chinese by default, English with --lang en."""
    data = tmp_path / "data"
    said = {}
    for lang, user in (("zh", "a1"), ("en", "a2")):
        done = subprocess.run([*CLI, "accounts", "add", user, "--school", f"school {user}", "--data", str(data),
                               "--password-stdin", "--lang", lang], input=PASSWORD + "\n", capture_output=True,
                              text=True)
        again = subprocess.run([*CLI, "accounts", "add", user, "--school", "x", "--data", str(data),
                                "--password-stdin", "--lang", lang], input=PASSWORD + "\n", capture_output=True,
                               text=True)
        assert done.returncode == 0 and again.returncode == 2, (done.stderr, again.stderr)
        said[lang] = (done.stdout.strip(), again.stderr.strip())
    assert said["zh"] == ("已添加学校账号：a1（school a1）", "账号「a1」已存在")
    assert said["en"] == ("school account added: a2 (school a2)", "the account 'a2' already exists")


def test_secure_cookies_sends_the_session_cookie_over_https_only(tmp_path):
    """Behind a TLS proxy (`--secure-cookies`) the login's session cookie carries `Secure`; without it
    (plain http on 127.0.0.1, the quick start) it does not, or no browser could log in."""
    cookies = {}
    for flag in ((), ("--secure-cookies",)):
        server = Server(tmp_path / f"data{len(flag)}", "--workers", "1", *flag)
        try:
            password = server.start().split("密码 ", 1)[1].split()[0]
            page = httpx.get(server.url + "/login")
            csrf = page.text.split('name="csrf" value="', 1)[1].split('"', 1)[0]
            # a browser on https sends the login cookie back even when it is Secure; httpx on http would not
            login_cookies = {c.name: c.value for c in page.cookies.jar}
            r = httpx.post(server.url + "/login", cookies=login_cookies,
                           data={"username": "demo", "password": password, "csrf": csrf})
            assert r.status_code == 303 and r.headers["location"] == "/"
            cookies[bool(flag)] = [v.lower() for k, v in [*page.headers.multi_items(), *r.headers.multi_items()]
                                   if k.lower() == "set-cookie" and "max-age=0" not in v.lower()]
        finally:
            server.stop()
    assert len(cookies[False]) == 2 and not any("secure" in c for c in cookies[False])
    assert len(cookies[True]) == 2 and all("; secure" in c for c in cookies[True])


def test_kill_9_during_an_upload_leaves_it_whole_or_absent_and_the_service_restarts(tmp_path):
    data = tmp_path / "data"
    token = _account(data, "a", "甲小学")
    server = Server(data, "--workers", "1")
    server.start()
    try:
        # 1. killed while the body is still arriving: nothing of it is stored
        body = DEMO.read_bytes()
        head = (b"--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"demo.xlsm\"\r\n"
                b"Content-Type: application/octet-stream\r\n\r\n")
        sock = socket.create_connection(("127.0.0.1", server.port))
        total = len(head) + len(body) + len(b"\r\n--b--\r\n")
        sock.sendall(f"POST /api/books HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n"
                     f"Content-Type: multipart/form-data; boundary=b\r\nContent-Length: {total}\r\n\r\n".encode())
        sock.sendall(head + body[: len(body) // 2])
        time.sleep(1.0)
        server.kill()
        sock.close()
        server.start()
        assert _books(server.url, token) == [] and _stored(data) == []
        assert not any((data / "tmp").iterdir())  # the half-received file is cleared at start

        # 2. killed while the job runs (the body is in): the upload is whole or absent, never half
        with ThreadPoolExecutor(1) as pool:
            pending = pool.submit(_upload, server.url, token, DEMO)
            time.sleep(0.6)
            server.kill()
            try:
                answered = pending.result(60).status_code
            except httpx.HTTPError:
                answered = None
        server.start()
        books = _books(server.url, token)
        assert len(books) == (1 if answered == 201 else len(books)) and len(books) <= 1
        assert len(_stored(data)) == len(books)
        for b in books:
            full = httpx.get(f"{server.url}/api/books/{b['id']}", headers={"Authorization": f"Bearer {token}"})
            assert full.status_code == 200 and full.json()["results"]["teachers"]

        # 3. a finished upload survives a kill right after its answer
        r = _upload(server.url, token, DEMO, name="kept.xlsm")
        assert r.status_code == 201
        server.kill()
        server.start()
        assert r.json()["id"] in [b["id"] for b in _books(server.url, token)]
    finally:
        server.stop()


def test_a_blob_kept_before_its_row_was_committed_is_removed_at_the_next_start(tmp_path):
    # A kill between keeping an upload's blob and committing its row (the order that never leaves a row
    # without its file) leaves a blob no book names: the next start removes it, and keeps the others.
    data = tmp_path / "data"
    token = _account(data, "a", "甲小学")
    server = Server(data, "--workers", "1")
    server.start()
    try:
        r = _upload(server.url, token, DEMO, name="kept.xlsm")
        assert r.status_code == 201
        server.kill()
        [kept] = _stored(data)
        orphan = kept.parent.parent / "ab" / ("ab" + "0" * 62 + ".xlsx")
        orphan.parent.mkdir(exist_ok=True)
        orphan.write_bytes(b"half of an upload whose row was never committed")
        server.start()
        assert _stored(data) == [kept]
        got = httpx.get(f"{server.url}/api/books/{r.json()['id']}/workbook",
                        headers={"Authorization": f"Bearer {token}"}, timeout=120)
        assert got.status_code == 200 and got.content[:2] == b"PK"
    finally:
        server.stop()


def test_fifty_concurrent_uploads_all_complete(tmp_path):
    from cpdsheets.samples.synthetic import generate

    data = tmp_path / "data"
    token = _account(data, "a", "甲小学")
    small = generate(tmp_path / "small.xlsx", teachers=8, rows=120, seed=3)
    server = Server(data, "--workers", "2")
    server.start()
    try:
        with ThreadPoolExecutor(50) as pool:
            answers = list(pool.map(lambda i: _upload(server.url, token, small, name=f"s{i:02d}.xlsx", timeout=600),
                                    range(50)))
        assert [r.status_code for r in answers] == [201] * 50, [r.text for r in answers if r.status_code != 201][:3]
        assert len({r.json()["id"] for r in answers}) == 50
        assert len(_books(server.url, token)) == 50
        assert len(_stored(data)) == 1  # one content, stored once
        first = answers[0].json()["results"]
        assert all(r.json()["results"] == first for r in answers)
    finally:
        server.stop()
