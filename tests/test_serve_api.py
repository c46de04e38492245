"""The district service's API through FastAPI's test client, on SQLite and on PostgreSQL.

The answers are compared with the CLI run on the same files: ``results`` with ``recalc --dry-run
--format json``, the workbook with ``recalc --mark -o``, the archive with ``archive -o``, the district
with ``rollup --format json``. Isolation: every endpoint is tried with another school's token.
"""

from __future__ import annotations

import json
import re
import shutil
import signal
import os
import threading
import time
from pathlib import Path

import openpyxl
import pytest

from conftest import run_cli
from hostile import sheet_part, zip_bomb
from serve_support import (DEMO, PASSWORD, add_accounts, bearer, db_url, make_app, pg_server,  # noqa: F401
                           runner, second_book)

from fastapi.testclient import TestClient  # noqa: E402  (after serve_support's importorskip)

BOOK_ENDPOINTS = ["", "/workbook", "/archive.xlsx", "/archive.pdf", "/results.json"]


@pytest.fixture
def service(tmp_path, db_url, runner):  # noqa: F811
    app = make_app(tmp_path / "data", db_url, runner)
    tokens = add_accounts(app.state.service)
    with TestClient(app) as client:
        yield client, tokens, app


def upload(client, token, path: Path, name: str | None = None, **form):
    with open(path, "rb") as fh:
        return client.post("/api/books", files={"file": (name or path.name, fh)}, data=form, headers=bearer(token))


@pytest.fixture(scope="module")
def cli_results() -> dict:
    done = run_cli("recalc", "--dry-run", "--format", "json", DEMO)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_upload_answers_what_recalc_dry_run_json_prints(service, cli_results):
    client, tokens, _ = service
    r = upload(client, tokens.a, DEMO)
    assert r.status_code == 201, r.text
    body = r.json()
    assert set(body) == {"id", "school", "uploaded_at", "results"}
    assert body["school"] == "甲小学"
    assert body["results"] == cli_results
    again = client.get(f"/api/books/{body['id']}", headers=bearer(tokens.a))
    assert again.status_code == 200 and again.json() == body


def test_listed_counts_are_recalcs_though_the_upload_builds_no_tabs(service):
    """The upload's job skips the five tabs; the counts the history lists (达标预警's rows among them)
    are still the ones recalc's tabs give."""
    from cpdsheets.doors.reader import read_workbook
    from cpdsheets.jobs.book import run_recalc

    client, tokens, _ = service
    assert upload(client, tokens.a, DEMO).status_code == 201
    listed = client.get("/api/books", headers=bearer(tokens.a)).json()["books"][0]
    counts = run_recalc(read_workbook(DEMO)).counts
    assert counts["alerts"] > 0
    assert {k: listed[k] for k in ("teachers", "errors", "warnings", "alerts")} == \
        {k: counts[k] for k in ("teachers", "errors", "warnings", "alerts")}


def test_as_of_form_field_is_recalc_as_of(service, tmp_path):
    client, tokens, _ = service
    r = upload(client, tokens.a, DEMO, as_of="2026-01-10")
    done = run_cli("recalc", "--dry-run", "--format", "json", "--as-of", "2026-01-10", DEMO)
    assert r.status_code == 201 and r.json()["results"] == json.loads(done.stdout)
    assert r.json()["results"]["as_of"] == "2026-01-10"
    bad = upload(client, tokens.a, DEMO, as_of="next tuesday")
    assert bad.status_code == 400 and "as_of" in bad.json()["error"] and "\n" not in bad.json()["error"]


def _sheets(path: Path) -> dict[str, list[tuple]]:
    wb = openpyxl.load_workbook(path, keep_vba=False)
    return {ws.title: [tuple(c.value for c in row) for row in ws.iter_rows()] for ws in wb.worksheets}


def _notes(path: Path) -> dict[str, dict[str, str]]:
    wb = openpyxl.load_workbook(path)
    return {ws.title: {c.coordinate: c.comment.text for row in ws.iter_rows() for c in row if c.comment}
            for ws in wb.worksheets}


def test_workbook_equals_recalc_mark_except_the_run_log(service, tmp_path):
    client, tokens, _ = service
    book_id = upload(client, tokens.a, DEMO).json()["id"]
    r = client.get(f"/api/books/{book_id}/workbook", headers=bearer(tokens.a))
    assert r.status_code == 200
    assert "attachment" in r.headers["content-disposition"]
    served = tmp_path / "served.xlsm"
    served.write_bytes(r.content)
    cli_out = tmp_path / "cli.xlsm"
    done = run_cli("recalc", "--mark", "-o", cli_out, DEMO)
    assert done.returncode == 0, done.stderr
    ours, theirs = _sheets(served), _sheets(cli_out)
    assert list(ours) == list(theirs)
    assert "运行记录" in ours and "学分汇总" in ours
    for name in ours:
        if name != "运行记录":
            assert ours[name] == theirs[name], name
    assert _notes(served) == _notes(cli_out)
    assert sum(len(v) for v in _notes(served).values()) > 0  # the marks are there
    assert _audit_errors(served) == 0


def _audit_errors(path: Path) -> int:
    """openxml-audit's error count for a file the service sent (0 when the tool is not installed)."""
    if shutil.which("openxml-audit") is None:
        return 0
    import subprocess

    done = subprocess.run(["openxml-audit", "-o", "json", "-m", "0", str(path)], capture_output=True, text=True,
                          timeout=300)
    return json.loads(done.stdout)[0]["error_count"]


def test_archive_equals_the_archive_command(service, tmp_path):
    client, tokens, _ = service
    book_id = upload(client, tokens.a, DEMO).json()["id"]
    r = client.get(f"/api/books/{book_id}/archive.xlsx", headers=bearer(tokens.a))
    assert r.status_code == 200
    served = tmp_path / "archive.xlsx"
    served.write_bytes(r.content)
    cli_out = tmp_path / "cli-archive.xlsx"
    done = run_cli("archive", DEMO, "-o", cli_out)
    assert done.returncode == 0, done.stderr
    assert _sheets(served) == _sheets(cli_out)
    assert _audit_errors(served) == 0


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed (the PDF is made with it)")
def test_archive_pdf(service, tmp_path):
    client, tokens, _ = service
    book_id = upload(client, tokens.a, DEMO).json()["id"]
    r = client.get(f"/api/books/{book_id}/archive.pdf", headers=bearer(tokens.a))
    assert r.status_code == 200, r.text
    assert r.content.startswith(b"%PDF") and r.headers["content-type"] == "application/pdf"
    if shutil.which("pdftotext"):
        pdf = tmp_path / "a.pdf"
        pdf.write_bytes(r.content)
        import subprocess

        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
        first = client.get(f"/api/books/{book_id}", headers=bearer(tokens.a)).json()["results"]["teachers"][0]
        assert first["name"] in text


def test_district_equals_rollup_over_each_schools_latest_upload(service, second_book, tmp_path):
    client, tokens, _ = service
    older = upload(client, tokens.a, second_book, name="旧的.xlsx")  # replaced by the next upload of 甲
    assert older.status_code == 201
    assert upload(client, tokens.a, DEMO).status_code == 201
    assert upload(client, tokens.b, second_book).status_code == 201
    r = client.get("/api/district", params={"as_of": "2026-04-15"}, headers=bearer(tokens.district))
    assert r.status_code == 200, r.text
    # the CLI over the same files, named as the service names them (school/file)
    (tmp_path / "甲小学").mkdir()
    (tmp_path / "乙小学").mkdir()
    shutil.copy(DEMO, tmp_path / "甲小学" / DEMO.name)
    shutil.copy(second_book, tmp_path / "乙小学" / second_book.name)
    done = run_cli("rollup", "--format", "json", "--as-of", "2026-04-15", f"甲小学/{DEMO.name}",
                   f"乙小学/{second_book.name}", cwd=tmp_path)
    assert done.returncode in (0, 1), done.stderr
    expected = json.loads(done.stdout)
    served = r.json()
    for doc in (expected, served):
        for school in doc["schools"]:
            school.pop("seconds")
    assert served == expected
    assert len(served["schools"]) == 2
    wb = client.get("/api/district/workbook", params={"as_of": "2026-04-15"}, headers=bearer(tokens.district))
    assert wb.status_code == 200
    out = tmp_path / "district.xlsx"
    out.write_bytes(wb.content)
    cli_wb = tmp_path / "cli-district.xlsx"
    run_cli("rollup", "--as-of", "2026-04-15", "-o", cli_wb, f"甲小学/{DEMO.name}", f"乙小学/{second_book.name}",
            cwd=tmp_path)
    assert _audit_errors(out) == 0
    ours, theirs = _timeless(_sheets(out)), _timeless(_sheets(cli_wb))
    assert list(ours) == list(theirs) and "学校总览" in ours
    for name in ours:
        if name != "运行记录":  # the run log names the command and the time of the run
            assert ours[name] == theirs[name], name
    # asked in English, the workbook is the one `rollup --lang en` writes, named in English
    wb = client.get("/api/district/workbook", params={"as_of": "2026-04-15", "lang": "en"},
                    headers=bearer(tokens.district))
    assert wb.status_code == 200 and "district-2026-04-15.xlsx" in wb.headers["content-disposition"]
    out_en = tmp_path / "district-en.xlsx"
    out_en.write_bytes(wb.content)
    cli_en = tmp_path / "cli-district-en.xlsx"
    run_cli("rollup", "--as-of", "2026-04-15", "--lang", "en", "-o", cli_en, f"甲小学/{DEMO.name}",
            f"乙小学/{second_book.name}", cwd=tmp_path)
    ours, theirs = _timeless(_sheets(out_en)), _timeless(_sheets(cli_en))
    assert list(ours) == list(theirs) and "Schools" in ours
    assert all(ours[name] == theirs[name] for name in ours if name != "Run log")


def _timeless(sheets: dict[str, list[tuple]]) -> dict[str, list[tuple]]:
    """The sheets with the seconds a run took (用时 3.27 秒, 3.27 s) left out: the one thing two runs differ in."""
    import re

    def cell(v):
        if not isinstance(v, str):
            return v
        return re.sub(r"    [0-9.]+ s$", "    … s", re.sub(r"用时 [0-9.]+ 秒", "用时 … 秒", v))  # zh, en

    return {name: [tuple(cell(v) for v in row) for row in rows] for name, rows in sheets.items()}


def test_another_schools_book_is_404_on_every_endpoint(service):
    client, tokens, _ = service
    book_id = upload(client, tokens.a, DEMO).json()["id"]
    missing = "0" * 32
    for tail in BOOK_ENDPOINTS:
        own = client.get(f"/api/books/{book_id}{tail}", headers=bearer(tokens.a))
        assert own.status_code == 200 or (tail == "/archive.pdf" and own.status_code == 422), (tail, own.text)
        other = client.get(f"/api/books/{book_id}{tail}", headers=bearer(tokens.b))
        absent = client.get(f"/api/books/{missing}{tail}", headers=bearer(tokens.a))
        assert other.status_code == 404 and absent.status_code == 404, tail
        assert other.json() == absent.json() == {"error": "找不到这个工作簿", "code": "not-found"}
        district = client.get(f"/api/books/{book_id}{tail}" if tail != "/archive.pdf" else f"/api/books/{book_id}",
                              headers=bearer(tokens.district))
        assert district.status_code == 200, tail  # the district sees every school
        assert client.get(f"/api/books/{book_id}{tail}").status_code == 401  # no token, no session
        bad = client.get(f"/api/books/{book_id}{tail}", headers=bearer("cpd_not-a-token"))
        assert bad.status_code == 401 and "令牌" in bad.json()["error"]
    assert client.get("/api/books", headers=bearer(tokens.b)).json() == {"books": []}
    assert [b["id"] for b in client.get("/api/books", headers=bearer(tokens.a)).json()["books"]] == [book_id]
    for path in ("/api/district", "/api/district/workbook"):
        r = client.get(path, headers=bearer(tokens.a))
        assert r.status_code == 403 and r.json() == {"error": "只有区账号可以查看区域汇总", "code": "district-only"}
    # the pages too: another school's result and teacher pages are the same 404
    login(client, "b")
    for page in (f"/books/{book_id}", f"/books/{book_id}/teachers/1001"):
        assert client.get(page).status_code == 404
    assert book_id not in client.get("/history").text


def login(client, user: str) -> str:
    """Log in through the form as a browser does; the session's CSRF token."""
    page = client.get("/login")
    token = page.text.split('name="csrf" value="', 1)[1].split('"', 1)[0]
    r = client.post("/login", data={"username": user, "password": PASSWORD, "csrf": token}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] in ("/", "/district"), r.headers
    home = client.get("/")
    return home.text.split('name="csrf" value="', 1)[1].split('"', 1)[0]


def test_a_mistyped_address_is_said_as_that_and_a_missing_book_as_before(service):
    client, tokens, _ = service
    assert client.get("/api/nothing-here", headers=bearer(tokens.a)).json() == \
        {"error": "没有这个页面，请检查网址", "code": "no-page"}
    assert client.get("/api/books/0123", headers=bearer(tokens.a)).json() == \
        {"error": "找不到这个工作簿", "code": "not-found"}
    login(client, "a")
    page = client.get("/nothing-here?lang=en")
    assert page.status_code == 404 and "no such page; check the address" in page.text
    book = client.get("/books/0123?lang=zh")
    assert book.status_code == 404 and "找不到这个工作簿" in book.text


def test_csrf_on_session_requests(service):
    client, tokens, _ = service
    # the login form needs its own token
    r = client.post("/login", data={"username": "a", "password": PASSWORD, "csrf": "forged"}, follow_redirects=False)
    assert r.headers["location"] == "/login?error=expired"
    csrf = login(client, "a")
    with open(DEMO, "rb") as fh:
        content = fh.read()
    for headers in ({}, {"X-CSRF-Token": "forged"}):
        r = client.post("/api/books", files={"file": ("demo.xlsm", content)}, headers=headers)
        assert r.status_code == 403 and "CSRF" in r.json()["error"]
    r = client.post("/upload", files={"file": ("demo.xlsm", content)}, data={"csrf": "forged"})
    assert r.status_code == 403
    assert client.get("/api/books").json() == {"books": []}  # nothing stored by a refused request
    r = client.post("/api/books", files={"file": ("demo.xlsm", content)}, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 201
    r = client.post("/upload", files={"file": ("demo.xlsm", content)}, data={"csrf": csrf}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/books/")
    assert client.post("/logout", data={"csrf": "forged"}).status_code == 403
    assert client.post("/logout", data={"csrf": csrf}, follow_redirects=False).status_code == 303
    # a token needs no CSRF: a browser never adds one by itself
    assert upload(client, tokens.a, DEMO).status_code == 201


def _nothing_stored(client, token, data: Path) -> None:
    assert client.get("/api/books", headers=bearer(token)).json() == {"books": []}
    assert not any((data / "blobs").rglob("*.*"))
    assert not any((data / "tmp").iterdir())


def test_refusals_are_one_line_and_store_nothing(tmp_path, runner, db_url):  # noqa: F811
    data = tmp_path / "data"
    app = make_app(data, db_url, runner, max_upload_mb=1)
    tokens = add_accounts(app.state.service)
    bomb = zip_bomb(DEMO, tmp_path / "bomb.xlsm", sheet_part(DEMO, "听课记录"), 20 << 20)
    assert bomb.stat().st_size < (1 << 20)
    big = tmp_path / "big.xlsx"
    big.write_bytes(os.urandom(3 << 20))
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"PK\x03\x04 this is not a workbook")
    text = tmp_path / "notes.txt"
    text.write_text("hello", encoding="utf-8")
    with TestClient(app) as client:
        cases = {big: (413, "1 MB"), junk: (422, "工作簿"), text: (415, "不是工作簿"), bomb: (422, "")}
        for path, (status, words) in cases.items():
            r = upload(client, tokens.a, path)
            assert r.status_code == status, (path.name, r.text)
            line = r.json()["error"]
            assert words in line and "\n" not in line and "Traceback" not in line, line
        # a body without a Content-Length (chunked) is cut off past the limit too
        def chunks():
            yield b"--x\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.xlsx\"\r\n\r\n"
            for _ in range(40):
                yield b"0" * 65536
            yield b"\r\n--x--\r\n"

        r = client.post("/api/books", content=chunks(), headers={**bearer(tokens.a),
                                                                "content-type": "multipart/form-data; boundary=x"})
        assert r.status_code == 413 and "1 MB" in r.json()["error"]
        r = client.post("/api/books", headers=bearer(tokens.a))
        assert r.status_code == 422 and "file" in r.json()["error"]
        _nothing_stored(client, tokens.a, data)


# How a caller asks for English, and what each way should give: Chinese unless English is preferred.
ASKING = {"nothing": ({}, "", "zh"), "accept-language en": ({"Accept-Language": "en-US,en;q=0.9"}, "", "en"),
          "accept-language zh first": ({"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8"}, "", "zh"),
          "?lang=en": ({}, "?lang=en", "en"),
          "?lang=zh over accept-language en": ({"Accept-Language": "en"}, "?lang=zh", "zh")}


@pytest.mark.parametrize("asking", ASKING, ids=list(ASKING))
def test_every_api_refusal_answers_in_the_callers_language_with_a_stable_code(tmp_path, runner, asking):  # noqa: F811
    """Each 4xx the API gives: the line from the catalogue in the language the caller prefers, and the
    same ``code`` whatever the language, on a real SQLite database."""
    from cpdsheets.doors.web.texts import REFUSALS

    headers, query, lang = ASKING[asking]
    data = tmp_path / "data"
    app = make_app(data, None, runner, max_upload_mb=1)
    tokens = add_accounts(app.state.service)
    big = tmp_path / "big.xlsx"
    big.write_bytes(os.urandom(3 << 20))
    text = tmp_path / "notes.txt"
    text.write_text("hello", encoding="utf-8")
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"PK\x03\x04 this is not a workbook")

    def post(path: Path, token: str | None = None, **form) -> object:
        with open(path, "rb") as fh:
            return client.post(f"/api/books{query}", files={"file": (path.name, fh)}, data=form,
                               headers={**headers, **(bearer(token) if token else {})})

    with TestClient(app) as client:
        own = upload(client, tokens.a, DEMO).json()["id"]
        answers = {  # code: (the answer, the catalogue's fields)
            "too-large": (post(big, tokens.a), {"limit_mb": 1}),
            "not-a-workbook": (post(text, tokens.a), {"name": "notes.txt"}),
            "bad-as-of": (post(DEMO, tokens.a, as_of="next tuesday"), {"text": "next tuesday"}),
            "not-found": (client.get(f"/api/books/{own}{query}", headers={**headers, **bearer(tokens.b)}), {}),
            "district-only": (client.get(f"/api/district{query}", headers={**headers, **bearer(tokens.a)}), {}),
            "log-in": (client.get(f"/api/books{query}", headers=headers), {}),
            "bad-token": (client.get(f"/api/books{query}", headers={**headers, **bearer("cpd_forged")}), {}),
            "no-page": (client.get(f"/api/nothing-here{query}", headers={**headers, **bearer(tokens.a)}), {}),
            "invalid-request": (client.post(f"/api/books{query}", headers={**headers, **bearer(tokens.a)}),
                                {"fields": "file"}),
        }
        book_refused = post(junk, tokens.a)
        login(client, "a")
        answers["csrf"] = (client.post(f"/api/books{query}", files={"file": ("demo.xlsm", DEMO.read_bytes())},
                                       headers={**headers, "X-CSRF-Token": "forged"}), {})
    statuses = {}
    for code, (r, fields) in answers.items():
        body = r.json()
        assert set(body) == {"error", "code"} and body["code"] == code, (code, body)
        assert body["error"] == REFUSALS.render(code, lang, **fields), (code, body)
        statuses[code] = r.status_code
    assert statuses == {"too-large": 413, "not-a-workbook": 415, "bad-as-of": 400, "not-found": 404,
                        "district-only": 403, "log-in": 401, "bad-token": 401, "no-page": 404,
                        "invalid-request": 422, "csrf": 403}
    # a book the reader refuses: the reader's own line, in the caller's language, under one code
    body = book_refused.json()
    assert book_refused.status_code == 422 and body["code"] == "book-refused"
    assert bool(re.search(r"[\u4e00-\u9fff]", body["error"])) is (lang == "zh"), body


def test_a_page_chosen_language_is_the_apis_too(service):
    """A person who switched the pages to English (the cookie) reads the API's refusals in English,
    and downloads are named in it."""
    client, tokens, _ = service
    book_id = upload(client, tokens.a, DEMO).json()["id"]
    login(client, "b")
    assert "Upload history" in client.get("/history?lang=en").text
    r = client.get(f"/api/books/{book_id}")
    assert r.status_code == 404 and r.json() == {"error": "no such workbook", "code": "not-found"}
    login(client, "a")
    r = client.get(f"/api/books/{book_id}/results.json")
    assert r.headers["content-disposition"].endswith("demo_school-results.json")
    r = client.get(f"/api/books/{book_id}/archive.xlsx")
    assert "training-records.xlsx" in r.headers["content-disposition"], r.headers
    client.get("/history?lang=zh")
    r = client.get(f"/api/books/{book_id}/archive.xlsx")
    assert "%E4%B8%AA%E4%BA%BA%E5%9F%B9%E8%AE%AD%E6%A1%A3%E6%A1%88.xlsx" in r.headers["content-disposition"]  # 个人培训档案


def test_bomb_is_refused_by_the_readers_limit(tmp_path, runner):  # noqa: F811
    app = make_app(tmp_path / "data", None, runner)
    tokens = add_accounts(app.state.service)
    bomb = zip_bomb(DEMO, tmp_path / "bomb.xlsm", sheet_part(DEMO, "听课记录"), 20 << 20)
    with TestClient(app) as client:
        r = upload(client, tokens.a, bomb)
    cli = run_cli("recalc", "--dry-run", bomb)
    assert r.status_code == 422
    assert cli.returncode == 2 and r.json()["error"] in cli.stderr  # the reader's own line


def _cpu_ticks(pid: int) -> int:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime


def test_a_worker_that_dies_fails_that_upload_only(tmp_path):
    """Two uploads at once on two workers; the worker busy with the first is killed (SIGKILL): that
    upload is one line, the other is stored, and the service goes on with a new worker."""
    from cpdsheets.doors.web.runner import make_runner
    from cpdsheets.samples.synthetic import generate

    # seconds of work even for the faster engine (6,000 rows once took seconds; now under one, and the
    # kill below could come after the answer)
    slow = generate(tmp_path / "slow.xlsx", teachers=200, rows=40000, seed=5)
    own = make_runner(2, seconds=300)
    app = make_app(tmp_path / "data", None, own)
    tokens = add_accounts(app.state.service)
    answers: dict[str, object] = {}
    with TestClient(app) as client:
        def send(name: str, path: Path) -> None:
            answers[name] = upload(client, tokens.a, path, name=name)

        deadline = time.monotonic() + 120
        while len(own.pids()) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        idle = {pid: _cpu_ticks(pid) for pid in own.pids()}
        while time.monotonic() < deadline:  # both warmed up (imports done): their CPU time stands still
            time.sleep(1.0)
            now = {pid: _cpu_ticks(pid) for pid in own.pids()}
            if now == idle:
                break
            idle = now
        victim = threading.Thread(target=send, args=("victim.xlsx", slow))
        victim.start()
        busy = None
        while busy is None and time.monotonic() < deadline:
            time.sleep(0.05)
            busy = next((pid for pid in idle if _cpu_ticks(pid) > idle[pid] + 5), None)
        assert busy is not None
        other = threading.Thread(target=send, args=("demo.xlsm", DEMO))
        other.start()
        time.sleep(0.3)
        os.kill(busy, signal.SIGKILL)
        victim.join(300)
        other.join(300)
        r = answers["victim.xlsx"]
        assert r.status_code == 422 and "SIGKILL" in r.json()["error"], r.text
        assert answers["demo.xlsm"].status_code == 201
        assert upload(client, tokens.a, slow, name="again.xlsx").status_code == 201  # the service goes on
        names = [b["filename"] for b in client.get("/api/books", headers=bearer(tokens.a)).json()["books"]]
        assert sorted(names) == ["again.xlsx", "demo.xlsm"]
    own.close()


def test_restart_on_the_same_data_keeps_books_tokens_and_sessions(tmp_path, runner, db_url):  # noqa: F811
    data = tmp_path / "data"
    first = make_app(data, db_url, runner)
    tokens = add_accounts(first.state.service)
    with TestClient(first) as client:
        book_id = upload(client, tokens.a, DEMO).json()["id"]
        login(client, "a")
        cookies = dict(client.cookies)
    second = make_app(data, db_url, runner)
    with TestClient(second, cookies=cookies) as client:
        assert client.get(f"/api/books/{book_id}", headers=bearer(tokens.a)).status_code == 200
        assert client.get(f"/books/{book_id}").status_code == 200  # the signing secret is kept in DIR
        assert second.state.service.store.demo_account("示范小学") is None  # accounts exist: no demo account


def test_the_result_pages_alert_tiles_are_the_counts_recalc_prints(service):
    """The summary counts 达标预警's rows by state, as `recalc`'s head line does (a monthly rule missed in
    three months is one row), not the JSON's alerts, one per period: a head reading both sees one number."""
    import re

    client, tokens, _ = service
    book_id = upload(client, tokens.a, DEMO).json()["id"]
    results = client.get(f"/api/books/{book_id}", headers=bearer(tokens.a)).json()["results"]
    head = run_cli("recalc", "--dry-run", DEMO).stdout.splitlines()[0]
    printed = {state: int(n) for state, n in re.findall(r"(未达标|进度落后|超出上限) (\d+)", head)}
    assert printed and sum(printed.values()) < len(results["alerts"])  # the two ways of counting differ here
    login(client, "a")
    page = client.get(f"/books/{book_id}").text
    summary = page.split('id="summary"', 1)[1].split("</div>\n  <h2>", 1)[0]
    tiles = {state: int(n) for n, state in re.findall(r"<b>(\d+)</b><span>预警 · (\S+?)</span>", summary)}
    assert tiles == printed


def test_pages_show_the_result_history_and_district(service, second_book):
    client, tokens, _ = service
    first = upload(client, tokens.a, second_book, name="总表.xlsx").json()["id"]
    book_id = upload(client, tokens.a, DEMO).json()["id"]
    results = client.get(f"/api/books/{book_id}", headers=bearer(tokens.a)).json()["results"]
    login(client, "a")
    page = client.get(f"/books/{book_id}").text
    f = results["findings"][0]
    assert f"{f['sheet']}!{f['cell']}" in page and f["hint"] in page and f["code"] in page
    assert results["teachers"][0]["name"] in page
    teacher = results["teachers"][0]
    assert teacher["name"] in client.get(f"/books/{book_id}/teachers/{teacher['teacher_id']}").text
    history = client.get("/history").text
    assert history.index(book_id) < history.index(first)  # newest first
    assert "第一次上传" in history and "教师" in history
    assert "Upload history" in client.get("/history?lang=en").text
    assert "Upload history" in client.get("/history").text  # the language is remembered
    client.get("/history?lang=zh")
    assert client.get("/district").status_code == 403
    client.cookies.clear()
    login(client, "d")
    dashboard = client.get("/district")
    assert dashboard.status_code == 200
    assert "青禾路小学" in dashboard.text and "乙小学" in dashboard.text  # 乙 has never uploaded
    assert "从未上传" in dashboard.text


def test_district_page_counts_open_subjects_apart_as_rollup_does(service):
    """In November nobody has a yearly 40 credits yet: the page's R01 row has no rate and every teacher
    进行中, the numbers /api/district (rollup's JSON) gives, in both languages."""
    client, tokens, _ = service
    assert upload(client, tokens.a, DEMO).status_code == 201
    rules = {r["rule_id"]: r for r in client.get("/api/district?as_of=2025-11-20",
                                                 headers=bearer(tokens.district)).json()["totals"]["rules"]}
    r01 = rules["R01"]
    assert r01["in_progress"] == r01["subjects"] > 0 and r01["met"] == r01["judged"] == 0 and r01["rate"] is None
    listed = client.get("/api/books", headers=bearer(tokens.district)).json()["books"][0]
    same_day = client.get(f"/api/district?as_of={listed['as_of']}", headers=bearer(tokens.district)).json()
    assert sum(same_day["totals"]["alert_rows"].values()) == listed["alerts"]  # 达标预警's rows, as the school page
    district = client.get("/api/district?as_of=2025-11-20", headers=bearer(tokens.district)).json()
    login(client, "d")
    for lang, header in (("zh", "进行中"), ("en", "Open")):
        page = client.get(f"/district?as_of=2025-11-20&lang={lang}").text
        tiles = re.findall(r'<div class="tile alert"><b>(\d+)</b>', page)
        assert list(map(int, tiles)) == list(district["totals"]["alert_rows"].values())
        assert f"<th>{header}</th>" in page
        for rule_id, rule in rules.items():
            row = page.split(f'<tr id="rule-{rule_id}">', 1)[1].split("</tr>", 1)[0]
            cells = re.findall(r"<td[^>]*>(.*?)</td>", row)
            rate = "—" if rule["rate"] is None else f"{rule['rate'] * 100:.0f}%"
            assert cells[1:] == [str(rule[k]) for k in ("schools", "subjects", "met", "behind", "failed")] + \
                [rate, str(rule["in_progress"])], (rule_id, cells)


def _page_alert_rows(page: str) -> tuple[list[str], list[list[str]]]:
    """The result page's 达标预警 table: its headers and each row's cells as text."""
    import html

    table = page.split('<table class="alert-rows">', 1)[1].split("</table>", 1)[0]

    def text(cell: str) -> str:
        return html.unescape(re.sub(r"<[^>]+>", "", cell)).strip()

    head = [text(c) for c in re.findall(r"<th>(.*?)</th>", table)]
    body = table.split("<tbody>", 1)[1]
    rows = [[text(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
            for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)]
    return head, rows


def _tab_rows(book: Path, sheet: str) -> tuple[list[str], list[list[str]]]:
    """A written tab's headers and rows, each cell as a page shows it (numbers plainly, dates ISO)."""
    import datetime as dt

    from python_calamine import CalamineWorkbook

    from cpdsheets.contract.findings import plain_number

    def shown(v) -> str:
        if isinstance(v, (dt.date, dt.datetime)):
            return v.isoformat()[:10]
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            return plain_number(v)
        return "" if v is None else str(v).strip()

    rows = CalamineWorkbook.from_path(str(book)).get_sheet_by_name(sheet).to_python(skip_empty_area=False)
    rows = [r for r in rows if any(v not in ("", None) for v in r)]
    return [shown(v) for v in rows[0]], [[shown(v) for v in r] for r in rows[1:]]


def test_the_result_pages_alerts_are_the_alert_tabs_rows(service, tmp_path):
    """The trial book (88 alerts, one per period) gives 达标预警 rows per teacher, rule and semester:
    the result page lists exactly the tab's rows, in its order and words, in Chinese (the processed
    workbook's tab) and in English (`recalc --lang en`'s tab), and its tiles count those rows."""
    from trial_book import trial_book

    client, tokens, _ = service
    book = trial_book(tmp_path / "青禾路小学.xlsm")
    r = upload(client, tokens.a, book)
    assert r.status_code == 201, r.text
    book_id, alerts = r.json()["id"], r.json()["results"]["alerts"]
    processed = tmp_path / "processed.xlsm"
    processed.write_bytes(client.get(f"/api/books/{book_id}/workbook", headers=bearer(tokens.a)).content)
    english = tmp_path / "english.xlsm"
    done = run_cli("recalc", book, "--lang", "en", "--mark", "-o", english)
    assert done.returncode in (0, 1), done.stderr
    login(client, "a")
    for lang, tab_book, sheet in (("zh", processed, "达标预警"), ("en", english, "Alerts")):
        page = client.get(f"/books/{book_id}?lang={lang}").text
        head, rows = _page_alert_rows(page)
        tab_head, tab_rows = _tab_rows(tab_book, sheet)
        assert head == _filled(tab_head, tab_rows)[0], lang  # the tab's columns, less those no row fills
        assert rows == _filled(tab_head, tab_rows)[1], lang
        assert len(head) < len(tab_head) or all(any(r[i] for r in tab_rows) for i in range(len(tab_head)))
        assert 0 < len(rows) < len(alerts)  # one row per subject, rule and semester, not per period
        tiles = re.findall(r'<div class="tile alert"><b>(\d+)</b>', page)
        assert sum(map(int, tiles)) == len(rows), (lang, tiles)
        assert f'<a href="/books/{book_id}/teachers/1001">1001</a>' in page  # a teacher's row links to its page
        for teacher in ("1001", "1002"):  # and the teacher's page lists that teacher's rows of the tab
            own = _page_alert_rows(client.get(f"/books/{book_id}/teachers/{teacher}?lang={lang}").text)
            assert own == _filled(tab_head, [r for r in tab_rows if r[2] == teacher]) and own[1], (lang, teacher)


def _filled(head: list[str], rows: list[list[str]]) -> tuple[list[str], list[list[str]]]:
    """A table less the columns every row leaves blank (as a page shows 达标预警: 后果 when no rule has one)."""
    keep = [i for i in range(len(head)) if any(r[i] for r in rows)]
    return [head[i] for i in keep], [[r[i] for i in keep] for r in rows]


def test_the_historys_alert_change_counts_alert_rows_as_its_column(service, second_book):
    """The history's 与上次相比 says 预警 before → after in 达标预警's rows, the numbers its own 预警 column
    and the result page show, not the JSON's alerts (one per period)."""
    client, tokens, _ = service
    upload(client, tokens.a, second_book)
    upload(client, tokens.a, DEMO)
    newer, older = client.get("/api/books", headers=bearer(tokens.a)).json()["books"]
    assert newer["alerts"] != older["alerts"]
    login(client, "a")
    history = client.get("/history").text
    row = history.split(f'href="/books/{newer["id"]}"', 1)[1].split("</tr>", 1)[0]
    assert f"预警 {older['alerts']} → {newer['alerts']}" in row, row


def _page_findings(page: str) -> dict[str, list[list[str]]]:
    """The result page's findings: code -> the rows of its group (where, value, message, fix)."""
    import html

    def text(cell: str) -> str:
        return html.unescape(re.sub(r"<[^>]+>", "", cell)).strip()

    section = page.split('id="findings"', 1)[1].split("</section>", 1)[0]
    groups: dict[str, list[list[str]]] = {}
    for group in section.split("<details")[1:]:
        code = text(re.search(r"<code>(.*?)</code>", group).group(1))
        body = group.split("<tbody>", 1)[1]
        groups[code] = [[text(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
                        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)]
    return groups


def _validate_findings(book: Path, lang: str) -> dict[str, list[list[str]]]:
    """``validate --lang LANG --format json``'s findings, grouped as the page groups them."""
    done = run_cli("validate", book, "--lang", lang, "--format", "json")
    assert done.returncode in (0, 1), done.stderr
    groups: dict[str, list[list[str]]] = {}
    for f in json.loads(done.stdout)["files"][0]["findings"]:
        where = f"{f['sheet']}!{f['cell']}" if f["sheet"] and f["cell"] else f["sheet"] or f["cell"]
        groups.setdefault(f["code"], []).append([where, f["value"] or "", f["message"], f["hint"]])
    return groups


def test_the_result_pages_findings_are_validates_in_the_pages_language(service, tmp_path):
    """The trial book's findings on the result page equal `validate --lang zh|en` row by row (message,
    hint, place, value); an upload stored before the English rendering was kept shows the zh text, and
    a database made before the table gains it at the next start."""
    from sqlalchemy import text as sql

    from trial_book import trial_book

    client, tokens, app = service
    book = trial_book(tmp_path / "青禾路小学.xlsm")
    r = upload(client, tokens.a, book)
    assert r.status_code == 201, r.text
    book_id = r.json()["id"]
    login(client, "a")
    pages = {lang: _page_findings(client.get(f"/books/{book_id}?lang={lang}").text) for lang in ("zh", "en")}
    counts = re.findall(r'<span class="count">([^<]*)</span>', client.get(f"/books/{book_id}?lang=en").text)
    assert sorted(counts) == sorted(f"{len(rows)} place{'' if len(rows) == 1 else 's'}"
                                    for rows in pages["en"].values()) and "1 place" in counts  # not "1 places"
    for lang, page in pages.items():
        assert page == _validate_findings(book, lang), lang
    assert sum(map(len, pages["en"].values())) == 4
    assert pages["en"] != pages["zh"]
    assert "Teacher ID '1009' is not in the roster. This row is not counted." in \
        [row[2] for row in pages["en"]["unknown-teacher"]]
    # an older database: no English findings kept (the table itself is dropped, then made again at start)
    store = app.state.service.store
    with store.engine.begin() as conn:
        conn.execute(sql("DROP TABLE finding_texts"))
    from cpdsheets.doors.web.database import Store

    Store(store.url).close()  # a start on that database
    assert _page_findings(client.get(f"/books/{book_id}?lang=en").text) == pages["zh"]


def test_the_district_pages_unreadable_line_is_in_the_pages_language(service, second_book, tmp_path):
    """A stored book that can no longer be read (its file spoiled on disk) is one line on the district
    page, worded as `rollup --lang zh|en` words the same file's line."""
    client, tokens, app = service
    r = upload(client, tokens.a, DEMO)
    assert r.status_code == 201, r.text
    assert upload(client, tokens.b, second_book).status_code == 201  # another file: a blob of its own
    service_ = app.state.service
    spoiled = service_.blob(service_.store.book(service_.store.account_by_token(tokens.a), r.json()["id"]))
    spoiled.write_bytes(b"not a workbook any more")
    copy = tmp_path / "spoiled.xlsx"
    copy.write_bytes(spoiled.read_bytes())
    login(client, "d")
    for lang, label in (("zh", "无法读取"), ("en", "Unreadable")):
        done = run_cli("rollup", copy, "--lang", lang, "--format", "json")
        assert done.returncode == 2, done.stderr
        line = json.loads(done.stdout)["unreadable"][0]["error"]
        page = client.get(f"/district?lang={lang}").text
        rows = re.findall(r'<tr class="error"><td>(.*?)</td><td colspan="5">(.*?)</td></tr>', page)
        assert rows == [("甲小学/demo_school.xlsm", f"{label}{'：' if lang == 'zh' else ': '}{line}")], (lang, rows)
        # and the district workbook's sheet of unreadable files, downloaded in that language
        from cpdsheets.reports.rollup_tables import sheet_name

        workbook = tmp_path / f"district-{lang}.xlsx"
        workbook.write_bytes(client.get(f"/api/district/workbook?lang={lang}").content)
        cells = [c for row in openpyxl.load_workbook(workbook)[sheet_name("unreadable", lang)].iter_rows(values_only=True)
                 for c in row]
        assert line in cells and "甲小学/demo_school.xlsm" in cells, (lang, cells)
