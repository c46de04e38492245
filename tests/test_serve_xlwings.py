"""The Excel buttons on the real service (``cpdsheets serve``'s app, its worker runner and database):
``POST /xlwings/<command>`` with the school's API token, the answer run by the model of the VBA client,
equal to ``recalc --mark``; the upload is in the school's history with the CLI's results, and
another school's token or none is refused with one line."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

import vba_client_model as client
from conftest import run_cli
from serve_support import DEMO, add_accounts, bearer, make_app, runner  # noqa: F401

from fastapi.testclient import TestClient  # noqa: E402  (after serve_support's importorskip)

from test_xlclient import OUTPUT_TABS, _marks, assert_same_as_cli


@pytest.fixture
def service(tmp_path, runner):  # noqa: F811
    app = make_app(tmp_path / "data", None, runner)
    tokens = add_accounts(app.state.service)
    with TestClient(app) as http:
        yield http, tokens


def _post(http, command: str, book: Path, token: str | None):
    headers = {"Content-Type": "application/json", **(bearer(token) if token else {})}
    return http.post(f"/xlwings/{command}", content=json.dumps(client.payload(book)), headers=headers)


def test_recalc_button_through_the_service_equals_recalc_mark_and_is_kept(service, tmp_path):
    http, tokens = service
    assert http.get("/xlwings/ping").json()["service"] == "cpdsheets"
    src = Path(shutil.copy(DEMO, tmp_path / "学校.xlsm"))
    answer = _post(http, "recalc", src, tokens.a)
    assert answer.status_code == 200, answer.text
    via_service = tmp_path / "service.xlsm"
    run = client.apply(src, via_service, answer.json()["actions"])
    assert "重新计算完成" in run.alerts[-1][0]
    via_cli = tmp_path / "cli.xlsm"
    assert run_cli("recalc", src, "--mark", "-o", via_cli).returncode in (0, 1)
    assert_same_as_cli(via_service, via_cli, [pair[0] for pair in OUTPUT_TABS.values()])
    assert _marks(via_service)
    # in the school's history, with the results of the book itself, and not in the other school's
    books = http.get("/api/books", headers=bearer(tokens.a)).json()["books"]
    assert [b["filename"] for b in books] == ["学校.xlsx"]
    kept = http.get(f"/api/books/{books[0]['id']}", headers=bearer(tokens.a)).json()
    cli = json.loads(run_cli("recalc", "--dry-run", "--format", "json", DEMO).stdout)
    assert kept["results"] == cli
    assert http.get("/api/books", headers=bearer(tokens.b)).json()["books"] == []


def test_archive_button_opens_the_uploads_page(service, tmp_path):
    http, tokens = service
    answer = _post(http, "archive", DEMO, tokens.a)
    assert answer.status_code == 200, answer.text
    run = client.apply(DEMO, tmp_path / "out.xlsm", answer.json()["actions"])
    [book] = http.get("/api/books", headers=bearer(tokens.a)).json()["books"]
    assert run.opened == [f"http://testserver/books/{book['id']}"]
    assert http.get(f"/api/books/{book['id']}/archive.xlsx", headers=bearer(tokens.a)).status_code == 200


def test_no_token_or_a_wrong_one_is_one_plain_line_and_nothing_kept(service):
    http, tokens = service
    for token in (None, "not-a-token"):
        answer = _post(http, "validate", DEMO, token)
        assert answer.status_code == 401 and answer.headers["content-type"].startswith("text/plain")
        assert len(answer.text.strip().splitlines()) == 1
    old = client.payload(DEMO) | {"version": "0.30.0"}
    answer = http.post("/xlwings/validate", content=json.dumps(old), headers=bearer(tokens.a))
    assert answer.status_code == 400 and "0.30.0" in answer.text
    assert http.get("/api/books", headers=bearer(tokens.a)).json()["books"] == []


def _has_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def _tabs_renamed(tmp_path: Path, roster: str | None) -> Path:
    """The demo with its roster tab named ``roster`` (None: as it is, 教师名册)."""
    import openpyxl

    out = tmp_path / f"{roster or 'zh'}.xlsm"
    wb = openpyxl.load_workbook(DEMO, keep_vba=True)
    if roster is not None:
        wb["教师名册"].title = roster
    wb.save(out)
    return out


@pytest.mark.parametrize("roster, ui, lang", [
    (None, 1033, "zh"),       # the book's tabs are Chinese: an English Excel still asks for zh
    ("Teachers", 2052, "en"),  # English tabs: en, whatever Excel's language
    ("教职工", 1033, "en"),     # tabs that say neither: Excel's UI language
    ("教职工", 3076, "zh"),     # Hong Kong Chinese
    ("教职工", None, "zh"),     # WPS: no LanguageSettings
])
def test_the_buttons_ask_for_the_books_language_and_are_answered_in_it(service, tmp_path, roster, ui, lang):
    """CpdSheets.bas posts to /xlwings/<job>?lang=<BookLang>: the service's refusals (no token, a wrong
    one, an old client) and, for a book whose tabs say no language, the job's own lines are in it."""
    from cpdsheets.doors.web.texts import REFUSALS

    http, tokens = service
    book = _tabs_renamed(tmp_path, roster)
    address = client.job_address(book, "validate", ui)
    assert address == f"/xlwings/validate?lang={lang}"
    body = json.dumps(client.payload(book))
    for token, code in ((None, "log-in"), ("not-a-token", "bad-token")):
        answer = http.post(address, content=body, headers={"Content-Type": "application/json",
                                                            **(bearer(token) if token else {})})
        assert (answer.status_code, answer.text) == (401, REFUSALS.render(code, lang)), (token, answer.text)
    old = http.post(address, content=json.dumps(client.payload(book) | {"version": "0.30.0"}),
                    headers=bearer(tokens.a))
    assert old.status_code == 400 and "0.30.0" in old.text and _has_chinese(old.text) == (lang == "zh"), old.text
    done = http.post(address, content=body, headers=bearer(tokens.a))
    assert done.status_code == 200, done.text
    said = client.apply(book, tmp_path / "out.xlsm", done.json()["actions"]).alerts[-1][0]
    assert said.startswith("校验完成" if lang == "zh" else "Validation done"), said
