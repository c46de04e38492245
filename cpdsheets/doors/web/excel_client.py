"""The Excel buttons' endpoints on the service: ``GET /xlwings/ping`` and ``POST /xlwings/{command}``
(validate, recalc, clear-marks, archive), called by xlwings' VBA client in the workbook
(``xlmacros/CpdSheets.bas`` -> ``Remote.bas`` ``RunServerPython``). See docs/xlwings-remote.md.

The token is the API's (``Authorization: Bearer``); the job (:func:`..xlclient.service.answer`) runs in
the warm worker pool like every other job; the book is then kept as an upload (the sent values written
as an .xlsx, :mod:`..xlclient.workbook`), so it is in the school's history and the district's roll-up
like a browser upload. Every refusal is one line of plain text, which ``Remote.bas`` shows as it is.
"""

from __future__ import annotations

import shutil
from typing import Any

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from ...contract.texts import BilingualError
from ..xlclient.routes import not_json, read_payload, response
from ..xlclient.service import COMMANDS, Reply, answer, finish, ping, unknown_command
from ..xlclient.workbook import kept_name, write_payload_book
from .deps import api_account, service_of
from .language import request_lang
from .models import Account
from .service import Refusal

router = APIRouter(prefix="/xlwings")


@router.get("/ping")
def ping_route() -> dict[str, Any]:
    return ping()


@router.post("/{command}")
async def run(command: str, request: Request) -> Any:
    lang = request_lang(request)  # CpdSheets.bas sends ?lang=, the book's language (else Excel's)
    if command not in COMMANDS:
        return response(unknown_command(command, lang))
    try:
        account = api_account(request)
    except Refusal as exc:
        return response(Reply(exc.status, exc.message(lang)))
    payload = await read_payload(request)
    if payload is None:
        return response(not_json(lang))
    service = service_of(request)
    try:
        reply: Reply = await service.job(answer, command, payload, lang)
    except BilingualError as exc:  # the worker died or ran out of time on this book
        return response(Reply(422, exc.message(lang)))
    if reply.status != 200:
        return response(reply)
    try:
        book_id = await _keep(request, account, payload)
    except BilingualError as exc:
        return response(Reply(getattr(exc, "status", 422), exc.message(lang)))
    page = str(request.base_url).rstrip("/") + f"/books/{book_id}"
    return response(finish(reply, command, page))


async def _keep(request: Request, account: Account, payload: dict[str, Any]) -> str:
    """The sent book as an upload of the account's school; its id."""
    service = service_of(request)
    folder = service.blobs.scratch()
    try:
        path = await run_in_threadpool(write_payload_book, payload, folder / kept_name(payload))
        with open(path, "rb") as fh:
            book = await service.upload(account, path.name, fh, None)
        return str(book.id)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
