"""``create_app(settings)``: the district service as one ASGI application."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from ...contract.texts import LANGS, Text, joined
from .language import request_lang
from .runner import Runner
from .service import Refusal, Service, refusal
from .settings import Settings
from .texts import REFUSALS
from .upload_limit import UploadLimit

HERE = Path(__file__).parent


def create_app(settings: Settings, *, runner: Runner | None = None) -> FastAPI:
    """The service over ``settings.data``; ``runner`` lets tests share one worker runner between apps."""
    service = Service(settings, runner)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        service.start()
        try:
            yield
        finally:
            service.stop()

    app = FastAPI(title="cpdsheets", lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None)
    app.state.service = service
    app.add_middleware(UploadLimit, limit_bytes=settings.max_upload_bytes, limit_mb=settings.max_upload_mb)

    from . import api, excel_client, pages

    app.include_router(api.router)
    app.include_router(excel_client.router)  # the Excel buttons (xlwings' VBA client), issue 22
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    @app.exception_handler(Refusal)
    async def refused(request: Request, exc: Refusal) -> Any:
        if not _is_api(request) and exc.status == 401:
            return RedirectResponse("/login", status_code=303)
        if not _is_api(request):
            return pages.error_page(request, exc.status, exc.message(request_lang(request)))
        return refusal_answer(request, exc)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Any:
        missing = [".".join(str(p) for p in e.get("loc", ())[1:]) for e in exc.errors()]
        text = Text(*(REFUSALS.render("invalid-request", lang, fields=joined(lang, missing, "list-sep"))
                      for lang in LANGS))
        return refusal_answer(request, Refusal(422, text, code="invalid-request"))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Any:
        # No route matched (a mistyped address): said as that, whoever asks, so it tells nothing about
        # which books exist; a book that is missing or another school's is a Refusal (not-found) above.
        said = http_refusal(request, exc.status_code)
        if not _is_api(request):
            return pages.error_page(request, exc.status_code, said.message(request_lang(request)))
        return refusal_answer(request, said)

    return app


def refusal_answer(request: Request, exc: Refusal) -> JSONResponse:
    """An API refusal: ``{"error": the line in the caller's language, "code": its stable code}``."""
    return JSONResponse({"error": exc.message(request_lang(request)), "code": exc.code}, status_code=exc.status)


def http_refusal(request: Request, status: int) -> Refusal:
    """What Starlette refuses before a route runs (no such address, a method the address does not
    take, …) as one of our refusals."""
    if status == 404:
        return refusal(404, "no-page")
    if status == 405:
        return refusal(405, "method-not-allowed", method=request.method)
    return refusal(status, "http-error", http=status)


def _is_api(request: Request) -> bool:
    return request.url.path.startswith(("/api/", "/xlwings/"))
