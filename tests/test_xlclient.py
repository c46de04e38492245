"""The Excel buttons through the district service: the book as xlwings' VBA client sends it, the
service's answer, and that answer run on a copy of the file by a model of the client
(tests/vba_client_model.py), compared with ``recalc --mark`` on the same book. Real files throughout."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from fastapi import Request  # the bare app's route annotation (this module uses postponed annotations)

import vba_client_model as client
from conftest import invoke_cli
from xlwings_remote import tab_values

from cpdsheets.contract.schema import OUTPUT_TABS
from cpdsheets.doors.mark_record import MARK_STORE
from cpdsheets.doors.xlclient import actions as act
from cpdsheets.doors.xlclient import service
from cpdsheets.doors.xlclient.payload import cell, check_payload, raw_book, PayloadRefused
from cpdsheets.doors.xlclient.workbook import kept_name, write_payload_book
from cpdsheets.doors.reader import read_workbook
from cpdsheets.reports.tables import MARK_FILL

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "workbook" / "demo_school.xlsm"
TOKEN = "t0ken-of-qinghe"
RUNLOG_VARYING = {"运行时间", "文件", "耗时（秒）"}  # 运行记录 items whose value is the run's own


class MemoryHost:
    """The web app's side, in memory: one school's token, and its uploads kept as files."""

    def __init__(self, folder: Path | None = None) -> None:
        self.records: list[tuple[str, str, Path | None]] = []
        self.folder = folder

    def school_for_token(self, token: str) -> str | None:
        return "青禾路小学" if token == TOKEN else None

    def record_upload(self, school, command, payload) -> str | None:
        kept = None
        if self.folder is not None:
            kept = write_payload_book(payload, self.folder / f"{len(self.records)}-{kept_name(payload)}")
        self.records.append((school, command, kept))
        return f"http://127.0.0.1:8000/books/{len(self.records)}"


def _app(host: MemoryHost):
    """The endpoints on a bare app over a host in memory (tests/test_serve_xlwings.py: on the service)."""
    from fastapi import FastAPI
    from starlette.concurrency import run_in_threadpool

    from cpdsheets.doors.xlclient.routes import not_json, read_payload, response

    app = FastAPI()

    @app.get("/xlwings/ping")
    def ping() -> dict:
        return service.ping()

    @app.post("/xlwings/{command}")
    async def run(command: str, request: Request):
        payload = await read_payload(request)
        if payload is None:
            return response(not_json())
        return response(await run_in_threadpool(service.handle, command, request.headers.get("authorization"),
                                                payload, host))
    return app


def _serve(command: str, book: Path, host: MemoryHost | None = None) -> service.Reply:
    """Post the book as the client does (RunServerPython: JSON body, Bearer token) through the ASGI test
    client, and read the answer as the client does (200: actions)."""
    from fastapi.testclient import TestClient

    with TestClient(_app(host or MemoryHost())) as http:
        assert http.get("/xlwings/ping").json()["xlwings"] == client.xlwings_version()
        answer = http.post(f"/xlwings/{command}", content=json.dumps(client.payload(book)),
                           headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"})
    assert answer.status_code == 200, answer.text
    return service.Reply(200, answer.json())


# -- what is compared ------------------------------------------------------------------------------

def _look(wb, name: str) -> dict[str, tuple]:
    """Per non-empty cell of a tab: value, number format, solid fill, bold, font size, link target."""
    out = {}
    for row in wb[name].iter_rows():
        for c in row:
            if c.value is None:
                continue
            fill = c.fill.fgColor.rgb[-6:] if c.fill.fill_type == "solid" and isinstance(c.fill.fgColor.rgb, str) else None
            link = c.hyperlink.location if c.hyperlink is not None else None
            out[c.coordinate] = (c.value, c.number_format, fill, bool(c.font.b), float(c.font.sz or 11), link)
    return out


def _widths(wb, name: str, ncols: int) -> list[float]:
    from openpyxl.utils import get_column_letter

    ws = wb[name]
    return [round(ws.column_dimensions[get_column_letter(c)].width or 0, 2) for c in range(1, ncols + 1)]


def _marks(wb) -> dict[tuple[str, str], tuple[str | None, str | None]]:
    """Every input cell with the mark fill or a note: (fill, note text)."""
    if not isinstance(wb, openpyxl.Workbook):
        wb = openpyxl.load_workbook(wb, keep_vba=True)
    ours = {n for pair in OUTPUT_TABS.values() for n in pair} | {MARK_STORE}
    out = {}
    for ws in wb.worksheets:
        if ws.title in ours:
            continue
        for row in ws.iter_rows():
            for c in row:
                marked = c.fill.fill_type == "solid" and str(c.fill.fgColor.rgb)[-6:].upper() == MARK_FILL
                if marked or c.comment is not None:
                    out[(ws.title, c.coordinate)] = (MARK_FILL if marked else None,
                                                     c.comment.text if c.comment is not None else None)
    return out


def _runlog_varying(wb, name: str) -> set[str]:
    return {f"B{c.row}" for c in wb[name]["A"] if c.value in RUNLOG_VARYING}


def _record(wb) -> list[list[Any]]:
    """The record's rows (header first, then in order), without the package writer's own columns: it
    keeps each cell's format XML (原格式, 原填充) for its undo, which the client cannot read."""
    if not isinstance(wb, openpyxl.Workbook):
        wb = openpyxl.load_workbook(wb, keep_vba=True)
    out = []
    for r in wb[MARK_STORE].iter_rows(values_only=True):
        kept = [None if v == "" else v for i, v in enumerate(list(r) + [None] * 7) if i not in (4, 5)][:5]
        while kept and kept[-1] is None:
            kept.pop()
        if kept:
            out.append(kept)
    return out[:1] + sorted(out[1:], key=lambda r: [str(v) for v in r])


def assert_same_as_cli(via_service: Path, via_cli: Path, tabs: list[str]) -> None:
    ours_wb = openpyxl.load_workbook(via_service, keep_vba=True)
    cli_wb = openpyxl.load_workbook(via_cli, keep_vba=True)
    for name in tabs:
        ours, theirs = _look(ours_wb, name), _look(cli_wb, name)
        if name in OUTPUT_TABS["runlog"]:  # the run's own time, duration and source differ by nature
            vary = _runlog_varying(cli_wb, name)
            ours = {k: v for k, v in ours.items() if k not in vary}
            theirs = {k: v for k, v in theirs.items() if k not in vary}
        assert ours == theirs, name
        ncols = cli_wb[name].max_column
        assert _widths(ours_wb, name, ncols) == _widths(cli_wb, name, ncols), name
    assert _marks(ours_wb) == _marks(cli_wb)
    assert _record(ours_wb) == _record(cli_wb)


def _recalc_both(src: Path, tmp: Path, host: MemoryHost | None = None) -> tuple[Path, Path, service.Reply]:
    via_cli = tmp / f"cli{src.suffix}"
    r = invoke_cli("recalc", src, "--mark", "-o", via_cli)
    assert r.returncode in (0, 1), r.stderr
    reply = _serve("recalc", src, host)
    via_service = tmp / f"service{src.suffix}"
    run = client.apply(src, via_service, reply.actions)
    assert len(run.alerts) == 1 and run.alerts[0][3] == "info"
    return via_service, via_cli, reply


# -- the demo and a 20,000-row book ----------------------------------------------------------------

def test_demo_through_the_service_equals_recalc_mark(tmp_path):
    src = Path(shutil.copy(DEMO, tmp_path / "学校.xlsm"))
    host = MemoryHost(tmp_path)
    via_service, via_cli, reply = _recalc_both(src, tmp_path, host)
    tabs = [pair[0] for pair in OUTPUT_TABS.values()]
    assert_same_as_cli(via_service, via_cli, tabs)
    assert _marks(via_cli), "the demo has planted mistakes: something must be marked"
    # the runlog's items (column A) match; its values are the run's own
    assert [r[0] for r in tab_values(via_service, "运行记录")] == [r[0] for r in tab_values(via_cli, "运行记录")]
    # the record hides, and the sheet order ends with the tabs then the record, as the CLI leaves it
    wb = openpyxl.load_workbook(via_service, keep_vba=True)
    assert wb[MARK_STORE].sheet_state == "hidden"
    assert wb.sheetnames == openpyxl.load_workbook(via_cli, keep_vba=True).sheetnames
    # the upload is kept as a file whose results are the book's own (what the history and roll-up read)
    [(school, command, kept)] = host.records
    assert (school, command, kept.name) == ("青禾路小学", "recalc", "0-学校.xlsx")
    assert _results(kept) == _results(src)


def _results(book: Path) -> dict:
    r = invoke_cli("recalc", book, "--dry-run", "--format", "json")
    assert r.returncode in (0, 1), r.stderr
    out = json.loads(r.stdout)
    out.pop("source", None)
    out.get("run", {}).pop("source", None)
    for key in ("time", "seconds", "input_hash"):
        out.get("run", {}).pop(key, None)
    return out


def test_clicking_again_replaces_tabs_and_marks_in_place(tmp_path):
    """The second click sees the first one's tabs and record (only the record is sent of them)."""
    src = Path(shutil.copy(DEMO, tmp_path / "学校.xlsm"))
    first = tmp_path / "first.xlsm"
    client.apply(src, first, _serve("recalc", src).actions)
    payload = client.payload(first)
    sent = {s["name"] for s in payload["sheets"] if s["values"] != [[]]}
    assert MARK_STORE in sent and not sent & set(client.OUTPUT_NAMES)
    second = tmp_path / "second.xlsm"
    client.apply(first, second, _serve("recalc", first).actions)
    via_cli = tmp_path / "cli.xlsm"
    assert invoke_cli("recalc", src, "--mark", "-o", via_cli).returncode in (0, 1)
    assert_same_as_cli(second, via_cli, [pair[0] for pair in OUTPUT_TABS.values()])
    assert openpyxl.load_workbook(second).sheetnames == openpyxl.load_workbook(first).sheetnames


def test_clear_marks_through_the_service_equals_the_cli(tmp_path):
    src = Path(shutil.copy(DEMO, tmp_path / "学校.xlsm"))
    marked = tmp_path / "marked.xlsm"
    client.apply(src, marked, _serve("recalc", src).actions)
    cleared = tmp_path / "cleared.xlsm"
    run = client.apply(marked, cleared, _serve("clear-marks", marked).actions)
    assert "已清除" in run.alerts[0][0]
    by_cli = tmp_path / "cli.xlsm"
    assert invoke_cli("clear-marks", marked, "-o", by_cli).returncode == 0
    left = _marks(cleared)
    assert left == _marks(by_cli) == _marks(src)  # only the template's own header notes remain
    assert not any(fill for fill, _ in left.values())
    assert _record(cleared) == _record(by_cli)


@pytest.fixture(scope="module")
def big_book(tmp_path_factory) -> Path:
    from cpdsheets.samples.synthetic import generate

    return generate(tmp_path_factory.mktemp("big") / "big.xlsx", teachers=120, rows=20_000, seed=22)


def test_a_20000_row_book_equals_recalc_mark_and_keeps_within_the_client_limits(big_book, tmp_path):
    src = Path(shutil.copy(big_book, tmp_path / "big.xlsx"))
    via_service, via_cli, reply = _recalc_both(src, tmp_path)
    assert_same_as_cli(via_service, via_cli, [pair[0] for pair in OUTPUT_TABS.values()])
    for action in reply.actions:
        cells = sum(len(r) for r in action["values"])
        assert len(action["values"]) <= act.MAX_ROWS and cells <= act.MAX_CELLS, action["func"]
        for arg in action["args"]:
            if isinstance(arg, list) and arg and isinstance(arg[0], str):  # addresses
                assert len(arg) <= act.MAX_AREAS and all(len(a) <= 255 for a in arg)
    assert max(len(json.dumps(a, ensure_ascii=False)) for a in reply.actions) < 2_000_000


# -- the payload's cells are the file reader's -----------------------------------------------------

def test_the_payload_reads_as_the_file_reader_reads(tmp_path):
    src = Path(shutil.copy(DEMO, tmp_path / "学校.xlsm"))
    body = client.payload(src, include=openpyxl.load_workbook(src).sheetnames)
    from_payload = raw_book(body)
    from_file = read_workbook(src)
    for name in from_file.names():
        a = [_trim(r) for r in from_payload.sheets[name].rows]
        b = [_trim(r) for r in from_file.sheets[name].rows]
        while a and not a[-1]:
            a.pop()
        while b and not b[-1]:
            b.pop()
        assert a == b, name


def _trim(row: list[Any]) -> list[Any]:
    row = list(row)
    while row and row[-1] in ("", None):
        row.pop()
    return row


@pytest.mark.parametrize("sent, read", [
    ("2024-09-03T00:00:00.000Z", dt.date(2024, 9, 3)),
    ("2024-09-03T08:30:00.000Z", dt.datetime(2024, 9, 3, 8, 30)),
    ("1899-12-30T12:00:00.000Z", dt.time(12, 0)),
    ("2024-13-03T00:00:00.000Z", "2024-13-03T00:00:00.000Z"),
    ("2024-09-03", "2024-09-03"),  # text typed as text stays text
    (None, ""), (2, 2.0), (1.5, 1.5), (True, True),
    (1234567890123456789, "1234567890123456789"),  # 16+ digits: text the client sent unquoted
    ("=cmd|' /c calc'!A0", "=cmd|' /c calc'!A0"),
])
def test_cells_as_the_client_sends_them(sent, read):
    assert cell(sent) == read and type(cell(sent)) is type(read)


def test_refusals_over_http_are_one_plain_line(tmp_path):
    from fastapi.testclient import TestClient

    host = MemoryHost()
    with TestClient(_app(host)) as http:
        body = json.dumps(client.payload(DEMO))
        no_token = http.post("/xlwings/recalc", content=body)
        not_json = http.post("/xlwings/recalc", content=b"{not json", headers={"Authorization": f"Bearer {TOKEN}"})
    assert no_token.status_code == 401 and no_token.headers["content-type"].startswith("text/plain")
    assert "学校令牌" in no_token.text and "\n" not in no_token.text
    assert not_json.status_code == 400 and "JSON" in not_json.text
    assert host.records == []


def test_refusals_are_one_line(tmp_path):
    good = client.payload(DEMO)
    host = MemoryHost()
    assert service.handle("recalc", "Bearer wrong", good, host).status == 401
    assert service.handle("recalc", None, good, host).status == 401
    assert service.handle("delete-everything", f"Bearer {TOKEN}", good, host).status == 404
    old = dict(good, version="0.30.0")
    reply = service.handle("recalc", f"Bearer {TOKEN}", old, host)
    assert reply.status == 400 and "0.30.0" in reply.body and "\n" not in reply.body
    for bad in ([], {"client": "Office.js"}, dict(good, sheets="x"), dict(good, book={})):
        reply = service.handle("validate", f"Bearer {TOKEN}", bad, host)
        assert reply.status == 400 and isinstance(reply.body, str) and "\n" not in reply.body
    assert host.records == []  # nothing refused is recorded
    with pytest.raises(PayloadRefused):
        check_payload({"client": "VBA", "version": "x"})


def test_text_that_looks_like_a_formula_stays_text(tmp_path):
    """A hostile 项目名称 typed as text comes back on 校验问题 as text, never as a formula."""
    from openpyxl.comments import Comment  # noqa: F401 (the model writes notes with it)

    src = Path(shutil.copy(DEMO, tmp_path / "学校.xlsm"))
    wb = openpyxl.load_workbook(src, keep_vba=True)
    ws = wb["培训记录"]
    header = next(r for r in ws.iter_rows(max_row=5) if any(c.value == "工号" for c in r))
    where = {c.value: c.column for c in header}
    row = ws.max_row + 1
    typed = {"日期": "2025-10-10", "工号": "=cmd|' /c calc'!A0", "姓名": "@SUM(A1)", "项目名称": "-1",
             "类别": "+1学时", "学时": "=1+1"}
    for name, value in typed.items():
        c = ws.cell(row, where[name], value)
        c.data_type = "s"  # typed as text: openpyxl would store a formula
    wb.save(src)
    reply = _serve("validate", src)
    out = tmp_path / "out.xlsm"
    client.apply(src, out, reply.actions)  # the model raises on any text Excel would take for a formula
    issues = openpyxl.load_workbook(out)["校验问题"]
    texts = [c.value for r in issues.iter_rows() for c in r if isinstance(c.value, str)]
    assert any(t.lstrip("'").startswith("=cmd|") for t in texts) and any(t == "=1+1" for t in texts)
    assert all(c.data_type != "f" for r in issues.iter_rows() for c in r)


def test_archive_keeps_the_upload_and_opens_its_page(tmp_path):
    src = Path(shutil.copy(DEMO, tmp_path / "学校.xlsm"))
    host = MemoryHost(tmp_path)
    reply = _serve("archive", src, host)
    run = client.apply(src, tmp_path / "out.xlsm", reply.actions)
    assert run.opened == ["http://127.0.0.1:8000/books/1"] and "个人培训档案" in run.alerts[0][0]
    assert {a["func"] for a in reply.actions} == {"alert", "cpdOpenUrl"}  # the book itself is not touched
    assert [c for _, c, _ in host.records] == ["archive"]


def test_every_action_is_a_sub_of_the_compiled_client():
    assert act.REMOTE_SUBS | act.OUR_SUBS == client.client_subs()
