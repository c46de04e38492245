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

from ...contract.texts import joined
from .runner import Runner
from .service import Refusal, Service
from .settings import Settings
from .texts import REFUSALS
from .upload_limit import UploadLimit

NO_PAGE = REFUSALS["no-page"]

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
            return pages.error_page(request, exc.status, exc.message(pages.lang_of(request)))
        return JSONResponse({"error": exc.message("zh")}, status_code=exc.status)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Any:
        missing = [".".join(str(p) for p in e.get("loc", ())[1:]) for e in exc.errors()]
        # In Chinese, as every API refusal is (the Refusal handler above answers in "zh").
        line = REFUSALS.render("invalid-request", "zh", fields=joined("zh", missing, "list-sep"))
        return JSONResponse({"error": line}, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Any:
        # No route matched (a mistyped address): said as that, whoever asks, so it tells nothing about
        # which books exist; a book that is missing or another school's is a Refusal (NOT_FOUND) above.
        line = NO_PAGE.zh if exc.status_code == 404 else str(exc.detail)
        if not _is_api(request):
            shown = NO_PAGE.render(pages.lang_of(request)) if exc.status_code == 404 else line
            return pages.error_page(request, exc.status_code, shown)
        return JSONResponse({"error": line}, status_code=exc.status_code)

    return app


def _is_api(request: Request) -> bool:
    return request.url.path.startswith(("/api/", "/xlwings/"))
