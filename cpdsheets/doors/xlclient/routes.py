"""The endpoints on a FastAPI app: ``GET /xlwings/ping`` and ``POST /xlwings/{command}``.

A host app includes :func:`xlwings_router` with a function giving the :class:`.service.Host` of a
request (its token lookup and upload history). The job runs in a worker thread, never in the event
loop; a host with a process pool can call :func:`.service.answer` there instead (see ``doors/web``).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, PlainTextResponse
from starlette.concurrency import run_in_threadpool

from .service import TEXTS, Host, Reply, handle, ping

TEXTS.define("not-json", "请求正文不是 JSON：请用总表里的按钮发送。", "the request body is not JSON; use the book's buttons.")


def response(reply: Reply) -> Any:
    """200: the actions as JSON; otherwise the line as plain text, which Remote.bas shows as it is."""
    if reply.status == 200:
        return JSONResponse(reply.body)
    return PlainTextResponse(str(reply.body), status_code=reply.status)


async def read_payload(request: Request) -> Any:
    """The body as JSON, or None for a body that is not JSON."""
    try:
        return json.loads(await request.body())
    except (ValueError, UnicodeDecodeError):
        return None


def not_json() -> Reply:
    return Reply(400, TEXTS.render("not-json"))


def xlwings_router(host_of: Callable[[Request], Host]) -> APIRouter:
    router = APIRouter(prefix="/xlwings")

    @router.get("/ping")
    def ping_route() -> dict[str, Any]:
        return ping()

    @router.post("/{command}")
    async def run(command: str, request: Request) -> Any:
        payload = await read_payload(request)
        if payload is None:
            return response(not_json())
        reply = await run_in_threadpool(handle, command, request.headers.get("authorization"), payload,
                                        host_of(request))
        return response(reply)

    return router
