"""The pages, Chinese first: ``?lang=en`` switches and is remembered in a cookie; a browser that prefers
English (``Accept-Language``) and has chosen nothing gets English (``language.request_lang``, the API's rule).

Pages read what the API answers (the stored ``recalc`` JSON), so a page never shows a number the
JSON does not hold. Every form carries the session's CSRF token; the upload page posts through the
API with it in a header (progress bar), and falls back to a plain form post without script.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from pathlib import Path
from typing import Any, Optional

from fastapi import APIRouter, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool

from ...contract.findings import FindingType, plain_number
from ...contract.states import State
from ...contract.texts import LANGS, Lang
from .auth import SESSION_COOKIE, SESSION_SECONDS, same
from .deps import csrf_of, page_account, service_of
from .language import LANG_COOKIE, chosen_lang, request_lang
from .models import Account, Book
from .service import parse_as_of, refusal
from .texts import PAGES

router = APIRouter()
templates = Jinja2Templates(directory=Path(__file__).parent / "templates")
LOGIN_COOKIE = "cpdsheets_login"
# A state as the tabs word it (未达标, not met) -> the CSS class that colours it as the tab's fill does.
STATE_CLASSES = {lang: {s.label(lang): f"state-{s.name.lower()}" for s in State} for lang in LANGS}
lang_of = request_lang  # the pages' language is the API's (language.py)


def render(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    lang = lang_of(request)
    account = context.pop("account", None)

    def t(code: str, **params: Any) -> str:
        return PAGES.render(code, lang, **params)

    response = templates.TemplateResponse(request, name, {
        "t": t, "lang": lang, "account": account, "csrf": csrf_of(request), "local": local_time, "num": plain_number,
        "state_word": lambda word: State.label_of(word, lang),  # 未达标 as the page's language says it
        "state_class": lambda label: STATE_CLASSES[lang].get(label, ""),  # a tab's state word -> its colour
        "filled_columns": filled_columns,
        **context},
        status_code=status)
    if chosen_lang(request) is not None:  # the language link: remembered
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, samesite="lax")
    return response


def filled_columns(rows: list[list[Any]], width: int) -> list[int]:
    """The columns some row fills: a page leaves out a column every row leaves blank (后果 when no rule
    has one), so 说明 fits on the screen; the tab and the printed page keep every column."""
    return [i for i in range(width) if any(i < len(r) and r[i] not in (None, "") for r in rows)]


def local_time(when: dt.datetime) -> str:
    """A stored UTC time in the server's own time zone, to the minute."""
    return when.replace(tzinfo=dt.timezone.utc).astimezone().strftime("%Y-%m-%d %H:%M")


def error_page(request: Request, status: int, line: str) -> HTMLResponse:
    return render(request, "error.html", status=status, line=line, account=None)


def _login_redirect() -> RedirectResponse:
    return RedirectResponse("/login", status_code=303)


# -- login --------------------------------------------------------------------------------------

@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, error: str = "") -> Response:
    token = service_of(request).sessions.login_token()
    response = render(request, "login.html", login_csrf=token, error=error)
    response.set_cookie(LOGIN_COOKIE, token, max_age=3600, httponly=True, samesite="lax",
                        secure=service_of(request).settings.secure_cookies)
    return response


@router.post("/login")
def login(request: Request, username: str = Form(""), password: str = Form(""), csrf: str = Form("")) -> Response:
    service = service_of(request)
    if not (same(csrf, request.cookies.get(LOGIN_COOKIE)) and service.sessions.login_token_ok(csrf)):
        return RedirectResponse("/login?error=expired", status_code=303)
    account = service.store.login(username, password)
    if account is None:
        return RedirectResponse("/login?error=wrong", status_code=303)
    response = RedirectResponse("/district" if account.is_district else "/", status_code=303)
    response.set_cookie(SESSION_COOKIE, service.sessions.issue(account.id), max_age=SESSION_SECONDS, httponly=True,
                        samesite="lax", secure=service.settings.secure_cookies)
    response.delete_cookie(LOGIN_COOKIE)
    return response


@router.post("/logout")
def logout(request: Request, csrf: str = Form("")) -> Response:
    if not same(csrf, csrf_of(request)):
        raise refusal(403, "csrf")
    response = _login_redirect()
    response.delete_cookie(SESSION_COOKIE)
    return response


# -- upload -------------------------------------------------------------------------------------

@router.get("/", response_class=HTMLResponse)
def upload_page(request: Request) -> Response:
    account = page_account(request)
    if account is None:
        return _login_redirect()
    recent = service_of(request).store.books(account, limit=10)
    return render(request, "upload.html", account=account, recent=recent,
                  max_mb=service_of(request).settings.max_upload_mb)


@router.post("/upload")
async def upload_form(request: Request, file: Optional[UploadFile] = None, as_of: str = Form(""),
                      csrf: str = Form("")) -> Response:
    """The upload without script: a plain form post, then the result page."""
    account = await run_in_threadpool(page_account, request)
    if account is None:
        return _login_redirect()
    if not same(csrf, csrf_of(request)):
        raise refusal(403, "csrf")
    if file is None:
        raise refusal(422, "no-file")
    book = await service_of(request).upload(account, file.filename or "", file.file, as_of)
    return RedirectResponse(f"/books/{book.id}", status_code=303)


# -- one result ---------------------------------------------------------------------------------

def _results(book: Book) -> dict[str, Any]:
    return json.loads(book.result.results_json)


def finding_groups(findings: list[dict[str, Any]], lang: Lang) -> list[dict[str, Any]]:
    """Findings grouped by kind (code, under the catalogue's title), errors first, as goodtables groups a
    table's errors."""
    groups: dict[str, dict[str, Any]] = {}
    for f in findings:
        kind = FindingType.registry.get(f["code"])
        title = kind.title.render(lang) if kind is not None else f["code"]
        g = groups.setdefault(f["code"], {"code": f["code"], "title": title, "severity": f["severity"], "rows": []})
        g["rows"].append(f)
    return sorted(groups.values(), key=lambda g: (g["severity"] != "error", -len(g["rows"]), g["code"]))


def where(f: dict[str, Any]) -> str:
    sheet, cell = f.get("sheet") or "", f.get("cell") or ""
    return f"{sheet}!{cell}" if sheet and cell else sheet or cell


@router.get("/books/{book_id}", response_class=HTMLResponse)
def result_page(book_id: str, request: Request) -> Response:
    account = page_account(request)
    if account is None:
        return _login_redirect()
    book = service_of(request).book(account, book_id)
    results = _results(book)
    # 达标预警's rows by state, the numbers the CLI's head line and the tab give; an upload stored
    # before they were kept falls back to the JSON's alerts (one per period)
    store = service_of(request).store
    states = Counter(store.alert_states(book)) or Counter(a["state"] for a in results["alerts"])
    # 达标预警 as the tab prints it (one row per subject, rule and semester), in the page's language; an
    # upload stored before the tab's rows were kept lists the JSON's alerts (one per period) instead
    table = store.alert_table(book, lang_of(request))
    teachers = {str(t["teacher_id"]) for t in results["teachers"]}
    # the findings as `validate --lang` words them; the stored zh text for zh, or for an older upload
    findings = store.findings(book, lang_of(request))
    return render(request, "result.html", account=account, book=book, results=results, states=states,
                  alert_table=table, teacher_ids=teachers,
                  groups=finding_groups(results["findings"] if findings is None else findings, lang_of(request)),
                  where=where)


@router.get("/books/{book_id}/teachers/{teacher_id}", response_class=HTMLResponse)
def teacher_page(book_id: str, teacher_id: str, request: Request) -> Response:
    account = page_account(request)
    if account is None:
        return _login_redirect()
    book = service_of(request).book(account, book_id)
    results = _results(book)
    teacher = next((t for t in results["teachers"] if str(t["teacher_id"]) == teacher_id), None)
    if teacher is None:
        raise refusal(404, "no-teacher")
    alerts = [a for a in results["alerts"] if a["subject_type"] == "teacher" and str(a["subject"]) == teacher_id]
    # the teacher's rows of 达标预警, as on the result page (the per-period alerts for an older upload)
    table = service_of(request).store.alert_table(book, lang_of(request))
    mine = [row for row in table["rows"] if str(row[table["subject"]]) == teacher_id] if table else []
    return render(request, "teacher.html", account=account, book=book, teacher=teacher, alerts=alerts,
                  alert_table=table, alert_rows=mine, teacher_ids=set())


# -- history ------------------------------------------------------------------------------------

def changes(before: dict[str, Any] | None, after: dict[str, Any], lang: Lang,
            alerts: tuple[int, int] | None = None) -> list[str]:
    """What changed from one upload's results to the next, in a few short phrases. ``alerts`` is the two
    uploads' 达标预警 rows (the number the history's column and the result page show); without it, the
    JSON's alerts (one per period) are compared."""
    if before is None:
        return [PAGES.render("history.first", lang)]
    out: list[str] = []
    old = {str(t["teacher_id"]): t for t in before["teachers"]}
    new = {str(t["teacher_id"]): t for t in after["teachers"]}
    if added := len(new.keys() - old.keys()):
        out.append(PAGES.render("history.teachers_added", lang, n=added))
    if removed := len(old.keys() - new.keys()):
        out.append(PAGES.render("history.teachers_removed", lang, n=removed))
    moved = sum(1 for k in new.keys() & old.keys() if new[k]["status"] != old[k]["status"])
    if moved:
        out.append(PAGES.render("history.status_changed", lang, n=moved))

    def errors(r: dict[str, Any]) -> int:
        return sum(1 for f in r["findings"] if f["severity"] == "error")

    alerts_before, alerts_after = alerts or (len(before["alerts"]), len(after["alerts"]))
    for code, b, a in (("errors", errors(before), errors(after)), ("alerts", alerts_before, alerts_after)):
        if a != b:
            out.append(PAGES.render("history.delta", lang, what=PAGES.render(code, lang), before=b, after=a))
    return out or [PAGES.render("history.same", lang)]


@router.get("/history", response_class=HTMLResponse)
def history_page(request: Request, school: Optional[int] = None) -> Response:
    account = page_account(request)
    if account is None:
        return _login_redirect()
    books = service_of(request).store.books(account, school_id=school, limit=100)
    lang = lang_of(request)
    rows = []
    parsed = [_results(b) for b in books]
    for i, book in enumerate(books):
        # the previous upload of the same school is the next older one in the list (same school)
        j = next((j for j in range(i + 1, len(books)) if books[j].school_id == book.school_id), None)
        prior = parsed[j] if j is not None else None
        counted = (books[j].result.alerts, book.result.alerts) if j is not None else None
        rows.append({"book": book, "changes": changes(prior, parsed[i], lang, counted)})
    return render(request, "history.html", account=account, rows=rows)


# -- the district -------------------------------------------------------------------------------

@router.get("/district", response_class=HTMLResponse)
async def district_page(request: Request, since: str = "", as_of: str = "") -> Response:
    account: Account | None = await run_in_threadpool(page_account, request)
    if account is None:
        return _login_redirect()
    service = service_of(request)
    when = parse_as_of(as_of)
    since_date = parse_as_of(since) or (dt.date.today() - dt.timedelta(days=30))
    report = await service.district_report(account, when)  # 403 for a school account
    district = report.as_dict()
    # a file that could not be read, in the page's language where the reader said it in both
    unreadable = [{"path": u.path, "error": u.line(lang_of(request))} for u in report.unreadable]
    latest = await run_in_threadpool(service.store.latest)
    cutoff = dt.datetime.combine(since_date, dt.time())
    behind = [(school, book) for school, book in latest if book is None or book.uploaded_at < cutoff]
    return render(request, "district.html", account=account, district=district, latest=latest, behind=behind,
                  unreadable=unreadable, since=since_date.isoformat(), as_of=as_of)
