"""The upload size limit, enforced on the raw request before the form parser spools a byte too many.

A declared ``Content-Length`` over the limit is refused at once; a body without one (chunked) is
counted as it arrives and cut off past the limit. Either way the answer is the one-line 413.
"""

from __future__ import annotations

import json
from typing import Any

from .blobs import UploadTooLarge
from .language import scope_lang

FORM_OVERHEAD = 64 * 1024  # multipart boundaries and the small fields beside the file


class _TooLarge(BaseException):  # not an Exception: the form parser must not turn it into a 400
    pass


class UploadLimit:
    def __init__(self, app: Any, *, limit_bytes: int, limit_mb: int):
        self.app = app
        self.limit = limit_bytes + FORM_OVERHEAD
        self.limit_mb = limit_mb

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["method"] not in ("POST", "PUT"):
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await self._refuse(scope, send)
            return
        seen = 0
        started = False

        async def counted() -> dict:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise _TooLarge
            return message

        async def watched(message: dict) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except _TooLarge:
            if not started:
                await self._refuse(scope, send)

    async def _refuse(self, scope: dict, send: Any) -> None:
        # The body the API's other refusals have: the line in the caller's language and its code.
        line = UploadTooLarge(self.limit_mb).message(scope_lang(scope))
        body = json.dumps({"error": line, "code": "too-large"}, ensure_ascii=False).encode()
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"application/json; charset=utf-8"),
                                (b"content-length", str(len(body)).encode()), (b"connection", b"close")]})
        await send({"type": "http.response.body", "body": body})
