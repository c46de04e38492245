"""The JSON API for scripts and the Excel client (``Authorization: Bearer TOKEN``).

Every answer about a book goes through ``Service.book``: a book of another school is the same 404
as a book that does not exist. Failures are ``{"error": "<one line>", "code": "<stable code>"}`` with a 4xx
status, the line in the caller's language (``language.request_lang``: ``?lang=``, the pages' cookie,
``Accept-Language``, else Chinese).
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any, Optional

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import FileResponse, Response
from starlette.background import BackgroundTask

from .deps import api_account, service_of
from .language import request_lang
from .models import Account, Book
from .service import parse_as_of
from .texts import DOWNLOADS
from .work import with_results

router = APIRouter(prefix="/api")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MEDIA = {".xlsx": XLSX, ".xlsm": "application/vnd.ms-excel.sheet.macroEnabled.12",
         ".xls": "application/vnd.ms-excel", ".xlsb": "application/vnd.ms-excel.sheet.binary.macroEnabled.12",
         ".ods": "application/vnd.oasis.opendocument.spreadsheet", ".pdf": "application/pdf"}


def book_answer(book: Book, status_code: int = 200, headers: dict[str, str] | None = None) -> Response:
    """``{"id", "school", "uploaded_at", "results"}``, the results being the stored text of the job's JSON."""
    head = {"id": book.id, "school": book.school.name,
            "uploaded_at": book.uploaded_at.replace(microsecond=0).isoformat() + "Z"}
    return Response(with_results(head, book.result.results_json), status_code=status_code,
                    media_type="application/json", headers=headers)


def book_summary(book: Book) -> dict[str, Any]:
    r = book.result
    return {"id": book.id, "school": book.school.name, "filename": book.filename,
            "uploaded_at": book.uploaded_at.replace(microsecond=0).isoformat() + "Z", "as_of": r.as_of.isoformat(),
            "teachers": r.teachers, "errors": r.errors, "warnings": r.warnings, "alerts": r.alerts}


@router.post("/books", status_code=201)
async def upload(request: Request, file: UploadFile = File(...), as_of: Optional[str] = Form(None),
                 account: Account = Depends(api_account)) -> Response:
    book = await service_of(request).upload(account, file.filename or "", file.file, as_of)
    return book_answer(book, 201, {"Location": f"/api/books/{book.id}"})


@router.get("/books")
def list_books(request: Request, account: Account = Depends(api_account)) -> dict[str, Any]:
    return {"books": [book_summary(b) for b in service_of(request).store.books(account)]}


@router.get("/books/{book_id}")
def get_book(book_id: str, request: Request, account: Account = Depends(api_account)) -> Response:
    return book_answer(service_of(request).book(account, book_id))


def download_name(request: Request, book: Book, code: str, suffix: str = "") -> str:
    """The name a download of ``book`` is saved under, in the caller's language (``DOWNLOADS``)."""
    return DOWNLOADS.render(code, request_lang(request), stem=Path(book.filename).stem, suffix=suffix)


def send(path: Path, folder: Path, name: str) -> FileResponse:
    return FileResponse(path, media_type=MEDIA.get(path.suffix.lower(), "application/octet-stream"), filename=name,
                        background=BackgroundTask(shutil.rmtree, folder, ignore_errors=True))


@router.get("/books/{book_id}/workbook")
async def workbook(book_id: str, request: Request, account: Account = Depends(api_account)) -> FileResponse:
    service = service_of(request)
    book = await _book(request, account, book_id)
    path, folder = await service.processed(book)
    suffix = book.suffix if book.suffix != ".xls" else ".xlsx"  # an .xls comes back as .xlsx
    return send(path, folder, download_name(request, book, "processed", suffix))


@router.get("/books/{book_id}/archive.xlsx")
async def archive_xlsx(book_id: str, request: Request, account: Account = Depends(api_account)) -> FileResponse:
    book = await _book(request, account, book_id)
    path, folder = await service_of(request).archive(book, pdf=False)
    return send(path, folder, download_name(request, book, "archive", ".xlsx"))


@router.get("/books/{book_id}/archive.pdf")
async def archive_pdf(book_id: str, request: Request, account: Account = Depends(api_account)) -> FileResponse:
    book = await _book(request, account, book_id)
    path, folder = await service_of(request).archive(book, pdf=True)
    return send(path, folder, download_name(request, book, "archive", ".pdf"))


@router.get("/books/{book_id}/results.json")
def results_json(book_id: str, request: Request, account: Account = Depends(api_account)) -> Response:
    book = service_of(request).book(account, book_id)  # the JSON as recalc --format json prints it
    return Response(book.result.results_json.encode("utf-8"), media_type="application/json", headers={
        "Content-Disposition": f"attachment; filename*=UTF-8''{_quoted(download_name(request, book, 'results'))}"})


@router.get("/district")
async def district(request: Request, as_of: Optional[str] = None,
                   account: Account = Depends(api_account)) -> dict[str, Any]:
    return await service_of(request).district(account, parse_as_of(as_of))


@router.get("/district/workbook")
async def district_workbook(request: Request, as_of: Optional[str] = None,
                            account: Account = Depends(api_account)) -> FileResponse:
    from ...jobs.dates import district_as_of

    when = district_as_of(parse_as_of(as_of))  # settled here once: the file's name and its contents agree
    path, folder = await service_of(request).district_workbook(account, when, request_lang(request))
    return send(path, folder, DOWNLOADS.render("district", request_lang(request), as_of=when.isoformat()))


async def _book(request: Request, account: Account, book_id: str) -> Book:
    from starlette.concurrency import run_in_threadpool

    return await run_in_threadpool(service_of(request).book, account, book_id)


def _quoted(name: str) -> str:
    from urllib.parse import quote

    return quote(name)
