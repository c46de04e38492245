"""What the endpoints ``GET /xlwings/ping`` and ``POST /xlwings/{command}`` share on any FastAPI app (the
service mounts them in ``doors/web/excel_client.py``): reading the body, and answering as Remote.bas reads
an answer."""

from __future__ import annotations

import json
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse, PlainTextResponse

from ...contract.texts import Lang
from .service import TEXTS, Reply

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


def not_json(lang: Lang = "zh") -> Reply:
    return Reply(400, TEXTS.render("not-json", lang), lang)
