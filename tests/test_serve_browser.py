"""The service's pages in a real browser: Playwright driving the Debian chromium (``executable_path``;
Playwright downloads no browser here). A school logs in, drops its book on the upload page, reads the
findings, downloads the processed book; the district views its dashboard. Screenshots are kept in
the test output folder (``CPDSHEETS_TEST_OUTPUT``, default ``test-output/``)."""

from __future__ import annotations

import base64
import json
import os
import shutil
from pathlib import Path

import openpyxl
import pytest

from serve_support import DEMO, PASSWORD, ROOT, Server, add_account_cli

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed: pip install -e '.[test]'")
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="the Debian chromium is not installed")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
SHOTS = Path(os.environ.get("CPDSHEETS_TEST_OUTPUT", ROOT / "test-output")) / "serve-browser"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    data = tmp_path_factory.mktemp("serve") / "data"
    tokens = {"a": add_account_cli(data, "qinghe", "青禾路小学"),
              "d": add_account_cli(data, "jfzx", "教师发展中心", "--district")}
    s = Server(data, "--workers", "2")
    s.start()
    s.tokens = tokens
    yield s
    s.stop()


@pytest.fixture(scope="module")
def browser():
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def page(browser, server):
    context = browser.new_context(base_url=server.url, accept_downloads=True, locale="zh-CN",
                                  viewport={"width": 1280, "height": 900})
    # Every request must go to the service itself: no CDN, no font host.
    outside: list[str] = []
    context.on("request", lambda r: outside.append(r.url) if not r.url.startswith(server.url) else None)
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    yield pg
    context.close()
    assert outside == [] and errors == []


def log_in(page, user: str) -> None:
    page.goto("/login")
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")


def drop_file(page, path: Path) -> None:
    """Drag and drop as a person does: a DataTransfer holding the file, dropped on the zone."""
    payload = base64.b64encode(path.read_bytes()).decode()
    page.evaluate("""([name, b64]) => {
        const bytes = Uint8Array.from(atob(b64), c => c.charCodeAt(0));
        const dt = new DataTransfer();
        dt.items.add(new File([bytes], name));
        const zone = document.getElementById('drop');
        for (const type of ['dragenter', 'dragover', 'drop']) {
            zone.dispatchEvent(new DragEvent(type, {dataTransfer: dt, bubbles: true, cancelable: true}));
        }
    }""", [path.name, payload])


def test_a_school_uploads_reads_findings_and_downloads(page, server, tmp_path):
    log_in(page, "qinghe")
    assert page.url.endswith("/")
    page.screenshot(path=str(SHOTS / "1-upload-page.png"), full_page=True)
    drop_file(page, DEMO)
    assert page.inner_text("#chosen") == DEMO.name
    page.click("#send")
    page.wait_for_url("**/books/*", timeout=120_000)
    book_id = page.url.rsplit("/", 1)[1]
    page.screenshot(path=str(SHOTS / "2-result.png"), full_page=True)
    # the page shows what the API answers
    results = json.loads(page.request.get(f"/api/books/{book_id}/results.json").text())
    errors = sum(1 for f in results["findings"] if f["severity"] == "error")
    summary = page.inner_text("#summary")
    assert str(len(results["teachers"])) in summary and str(errors) in summary
    findings = page.inner_text("#findings")
    for f in results["findings"]:
        if f["sheet"] and f["cell"]:
            assert f"{f['sheet']}!{f['cell']}" in findings
    assert page.locator("#findings details").count() == len({f["code"] for f in results["findings"]})
    shown_alerts = page.locator("#alerts tbody tr").count()  # 达标预警's rows (checked against the tab below)
    # a teacher's page
    first = results["teachers"][0]
    page.click(f"#teachers a:text-is('{first['teacher_id']}')")
    assert first["name"] in page.inner_text("h1")
    page.screenshot(path=str(SHOTS / "3-teacher.png"), full_page=True)
    page.go_back()
    # the processed book, downloaded as a person does
    with page.expect_download() as got:
        page.click("#dl-workbook")
    saved = tmp_path / got.value.suggested_filename
    got.value.save_as(saved)
    assert saved.suffix == ".xlsm"
    names = openpyxl.load_workbook(saved, read_only=True).sheetnames
    assert {"学分汇总", "达标预警", "校验问题", "教研组统计", "运行记录"} <= set(names)
    tab = openpyxl.load_workbook(saved, read_only=True)["达标预警"]
    assert shown_alerts == sum(1 for row in tab.iter_rows(min_row=2, values_only=True) if any(row)) > 0
    # English on request
    page.click("a.lang")
    assert "Findings" in page.inner_text("#findings h2")
    page.click("a.lang")
    # history
    page.click("a[href='/history']")
    assert DEMO.name in page.inner_text("#history")
    page.screenshot(path=str(SHOTS / "4-history.png"), full_page=True)


def test_a_refused_file_is_one_line_on_the_upload_page(page, server, tmp_path):
    log_in(page, "qinghe")
    bad = tmp_path / "成绩.xlsx"
    bad.write_bytes(b"this is not a workbook")
    page.set_input_files("#file", str(bad))
    page.click("#send")
    page.wait_for_selector("#refusal:not([hidden])", timeout=60_000)
    line = page.inner_text("#refusal")
    assert "工作簿" in line and "\n" not in line.strip()
    page.screenshot(path=str(SHOTS / "5-refused.png"), full_page=True)



def test_an_english_browser_reads_pages_and_refusals_in_english(browser, server, tmp_path):
    """A browser that prefers English (and has chosen nothing) gets English pages, and the upload's
    refusal (the API's line, through the page's script) in English too; the language link switches."""
    context = browser.new_context(base_url=server.url, locale="en-US", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        log_in(page, "qinghe")
        assert "Upload the workbook" in page.inner_text("main")
        bad = tmp_path / "scores.txt"
        bad.write_text("hello", encoding="utf-8")
        page.set_input_files("#file", str(bad))
        page.click("#send")
        page.wait_for_selector("#refusal:not([hidden])", timeout=60_000)
        line = page.inner_text("#refusal").strip()
        assert line == "Upload failed: 'scores.txt' is not a workbook; upload an .xlsx, .xlsm, .xls, .xlsb or .ods file"
        page.click("a.lang")  # 中文: remembered, and the API follows it
        assert "上传总表" in page.inner_text("main")
        page.set_input_files("#file", str(bad))
        page.click("#send")
        page.wait_for_function("document.getElementById('refusal').innerText.includes('不是工作簿')", timeout=60_000)
    finally:
        context.close()


def test_the_district_sees_the_dashboard_and_downloads_its_workbook(page, server, tmp_path):
    import httpx

    with open(DEMO, "rb") as fh:
        r = httpx.post(server.url + "/api/books", files={"file": (DEMO.name, fh)},
                       headers={"Authorization": f"Bearer {server.tokens['a']}"}, timeout=300)
    assert r.status_code == 201
    log_in(page, "jfzx")
    assert page.url.endswith("/district")
    page.screenshot(path=str(SHOTS / "6-district.png"), full_page=True)
    assert "青禾路小学" in page.inner_text("#schools")
    with page.expect_download() as got:
        page.click("#dl-district")
    saved = tmp_path / got.value.suggested_filename
    got.value.save_as(saved)
    assert "学校总览" in openpyxl.load_workbook(saved, read_only=True).sheetnames
