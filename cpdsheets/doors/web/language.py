"""Which language a request is answered in, one rule for the pages and the JSON API.

1. ``?lang=zh|en`` on the address (the pages' language link; a page remembers it in a cookie);
2. that cookie, so a person who chose English reads English refusals from the API too;
3. the ``Accept-Language`` header, English only when the caller prefers it to Chinese;
4. Chinese.

Accounts have no language setting of their own: the cookie is the person's choice.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request

from ...contract.texts import LANGS, Lang, lang_or

LANG_COOKIE = "cpdsheets_lang"


def chosen_lang(request: Request) -> str | None:
    """The language asked for on the address (``?lang=``), if it names one: the choice a page remembers."""
    asked = request.query_params.get("lang")
    return asked if asked in LANGS else None


def request_lang(request: Request) -> Lang:
    """The language to answer ``request`` in (see the module's rule)."""
    for asked in (chosen_lang(request), request.cookies.get(LANG_COOKIE)):
        if asked in LANGS:
            return lang_or(asked)
    return accepted_lang(request.headers.get("accept-language", ""))


def scope_lang(scope: dict[str, Any]) -> Lang:
    """``request_lang`` of a raw ASGI request (the upload-size middleware answers before any route)."""
    return request_lang(Request(scope))


def accepted_lang(header: str) -> Lang:
    """The language of ours an ``Accept-Language`` header ranks highest (``en-US,en;q=0.9`` → en,
    ``zh-CN,zh;q=0.9,en;q=0.8`` → zh); Chinese when it names neither, or cannot be read."""
    best: tuple[float, int, Lang] | None = None
    for order, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        primary = tag.strip().split("-", 1)[0].lower()
        if primary not in LANGS:
            continue
        weight = _weight(params)
        if weight <= 0:
            continue
        if best is None or (weight, -order) > (best[0], best[1]):
            best = (weight, -order, lang_or(primary))
    return best[2] if best else "zh"


def _weight(params: str) -> float:
    """The ``q=`` of one language range (1 when absent, 0 when it cannot be read: not acceptable)."""
    for param in params.split(";"):
        name, _, value = param.strip().partition("=")
        if name.strip().lower() == "q":
            try:
                return float(value)
            except ValueError:
                return 0.0
    return 1.0
