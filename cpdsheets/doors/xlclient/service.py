"""``POST /xlwings/<command>``: the Excel buttons' jobs run on the district service.

:func:`handle` is the whole endpoint without a web framework: the Authorization header and the JSON
body in, a status and a body out. The web app (``cpdsheets serve``) mounts it and supplies a
:class:`Host` — who a token belongs to, where an upload is recorded, where an archive is kept — so
this module is tested on its own and the web app's storage stays the web app's.

The job is the CLI's (:mod:`cpdsheets.jobs.book`) on the book the client sent (:mod:`.payload`); the answer is the
actions that write what ``recalc --mark`` writes (:mod:`.actions`), then the button's message.
A refusal is one line of plain text with a 4xx status: xlwings' ``Remote.bas`` shows a non-200
answer's text in a message box as it is.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Protocol

from ...contract.book import RawBook
from ...contract.findings import Lang
from ...contract.schema import TEACHERS
from ...contract.texts import BilingualError, Catalogue, joined
from . import actions as act
from .client_door import ClientDoor
from .payload import PayloadRefused, check_payload

COMMANDS = ("validate", "recalc", "clear-marks", "archive")
_JOB_KEY = {"validate": "validate", "recalc": "recalc", "clear-marks": "clear", "archive": "archive"}

TEXTS = Catalogue("xlclient-service", {
    "no-token": ("没有学校令牌或令牌无效：请在「控制台」的「学校令牌」格填入 cpdsheets accounts token 给出的令牌。",
                 "no school token, or an invalid one: put the token `cpdsheets accounts token` prints into the "
                 "control sheet's School token cell."),
    "no-command": ("服务没有「{command}」这项操作（可用：{commands}）。", "the service has no '{command}' job ({commands})."),
    "no-archive": ("这个服务没有网页，不能下载个人档案：请在浏览器上传总表后下载。",
                   "this service has no pages to download an archive from; upload the book in a browser."),
    "archive-ready": ("总表已上传到区里的服务，浏览器将打开它的结果页，在那里下载个人培训档案：\n{url}\n总表本身没有改动。",
                      "The book was uploaded to the district service; your browser opens its result page, where "
                      "the training records download:\n{url}\nThis workbook is unchanged."),
})


class Host(Protocol):
    """What the web app gives the endpoint."""

    def school_for_token(self, token: str) -> str | None:
        """The school a token belongs to, None for no such token."""

    def record_upload(self, school: str, command: str, payload: dict[str, Any]) -> str | None:
        """Keep the book in the school's history as a browser upload is kept (:func:`.workbook.write_payload_book`
        gives it as a file); the address of its result page, None where the host has no pages."""


@dataclass
class Reply:
    """The answer: 200 with the actions, or a 4xx/5xx status with one line of text. Plain data, so a
    worker process can hand it back."""

    status: int
    body: dict[str, Any] | str
    lang: Lang = "zh"

    @property
    def actions(self) -> list[dict[str, Any]]:
        return self.body["actions"] if isinstance(self.body, dict) else []


def bearer_token(authorization: str | None) -> str:
    if not authorization:
        return ""
    scheme, _, token = authorization.strip().partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def handle(command: str, authorization: str | None, payload: Any, host: Host, *,
           expected_version: str | None = None) -> Reply:
    """The whole endpoint: the command, the token, the job, the upload kept; never raises for bad input."""
    if command not in COMMANDS:
        return unknown_command(command)
    token = bearer_token(authorization)
    school = host.school_for_token(token) if token else None
    if school is None:
        return Reply(401, TEXTS.render("no-token"))
    reply = answer(command, payload, expected_version=expected_version)
    if reply.status == 200:
        reply = finish(reply, command, host.record_upload(school, command, payload))
    return reply


def unknown_command(command: str, lang: Lang = "zh") -> Reply:
    return Reply(404, TEXTS.render("no-command", lang, command=command, commands=joined(lang, COMMANDS, "list-sep")),
                 lang)


def answer(command: str, payload: Any, lang: Lang = "zh", *, expected_version: str | None = None) -> Reply:
    """The job for one button on the book in ``payload`` (no token, no storage: what a worker runs).
    ``lang`` is the request's, for what is said before the book is read; the job speaks the book's."""
    if command not in COMMANDS:
        return unknown_command(command, lang)
    try:
        check_payload(payload, expected_version=expected_version)
    except PayloadRefused as exc:
        return Reply(400, exc.message(lang), lang)
    door = ClientDoor(payload)
    raw = door.read()
    lang = _book_lang(raw, lang)
    job = _JOB_KEY[command]
    try:
        out = _run(job, door, raw, lang)
    except BilingualError as exc:  # a book the engine refuses: said as the CLI says it
        return Reply(422, exc.message(lang), lang)
    except Exception as exc:  # a bug met on one book: one line, the service goes on
        from ...excel import failure_message

        return Reply(500, failure_message(job, exc, lang).splitlines()[0], lang)
    return Reply(200, {"actions": out.actions}, lang)


def finish(reply: Reply, command: str, page: str | None) -> Reply:
    """After the upload is kept: 个人档案 opens its page, where the archive downloads."""
    if command == "archive" and reply.status == 200:
        out = act.ActionList([])
        _archive(out, reply.lang, page)
        return Reply(200, {"actions": reply.actions + out.actions}, reply.lang)
    return reply


def _book_lang(raw: RawBook, asked: Lang) -> Lang:
    """The language the book's tabs are in (``excel.book_lang``); the one asked for when its tabs say
    neither (no roster tab by either name), as the client's BookLang falls back to Excel's."""
    from ...excel import book_lang

    names = raw.names()
    if TEACHERS.name not in names and TEACHERS.en not in names:
        return asked
    return book_lang(names)


def _run(job: str, door: ClientDoor, raw: RawBook, lang: Lang) -> act.ActionList:
    """parse (done: ``raw``) -> job -> door -> render (the button's message, an action too)."""
    from ...excel import TEXTS as BUTTONS, done_message

    out = door.actions
    title = BUTTONS.render("title", lang)
    if job == "clear":
        from ...jobs.marks import ClearMarksRequest, clear_marks

        cleared = clear_marks(ClearMarksRequest(door, lang)).cells
        out.alert(BUTTONS.render("done-clear", lang, cleared=cleared), title)
        return out
    from ...jobs import book as jobs
    from ...jobs.tabs import book_tabs

    if job == "archive":  # the archive is downloaded from the upload's page; the book must compute first
        jobs.recalc(jobs.BookRequest(raw, lang))
        return out
    outcome = (jobs.validate if job == "validate" else jobs.recalc)(jobs.BookRequest(raw, lang))
    tabs = book_tabs(outcome)
    written = door.write(tabs.tabs, marks=tabs.marks)
    shown = next((n for n, k in written.items() if k == ("issues" if job == "validate" else "summary")), None)
    if shown is not None and out.has(shown):
        out.add("activateSheet", [out.position(shown)])
    out.alert(done_message(job, outcome.counts, lang), title)
    return out


def _archive(out: act.ActionList, lang: Lang, page: str | None) -> None:
    """个人档案 on the service: the book was kept as an upload; its page offers the archive."""
    from ...excel import TEXTS as BUTTONS

    title = BUTTONS.render("title", lang)
    if page is None:
        out.alert(TEXTS.render("no-archive", lang), title, critical=True)
        return
    out.alert(TEXTS.render("archive-ready", lang, url=page), title)
    out.add("cpdOpenUrl", [page])


def ping() -> dict[str, Any]:
    """``GET /xlwings/ping``: what the buttons ask before sending a book (no token needed)."""
    from .payload import xlwings_version

    return {"service": "cpdsheets", "xlwings": xlwings_version(), "time": dt.datetime.now().isoformat(timespec="seconds")}

