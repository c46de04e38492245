"""Who is asking: an API token (``Authorization: Bearer``) or a browser session (signed cookie).

A request that changes something with a session must carry the session's CSRF token (the
``X-CSRF-Token`` header, or the form's ``csrf`` field); a token request needs none, since a browser
never adds a bearer token by itself.
"""

from __future__ import annotations

from fastapi import Request

from .auth import SESSION_COOKIE, same
from .models import Account
from .service import Service, refusal

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


def service_of(request: Request) -> Service:
    return request.app.state.service


def bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def session_of(request: Request) -> dict | None:
    return service_of(request).sessions.read(request.cookies.get(SESSION_COOKIE))


def api_account(request: Request) -> Account:
    """The account of an API request (token or session), or 401; a session's unsafe request without its
    CSRF token is 403."""
    service = service_of(request)
    token = bearer(request)
    if token is not None:
        account = service.store.account_by_token(token)
        if account is None:
            raise refusal(401, "bad-token")
        return account
    session = session_of(request)
    account = service.store.account(session["a"]) if session else None
    if session is None or account is None:
        raise refusal(401, "log-in")
    if request.method in UNSAFE and not same(request.headers.get("x-csrf-token"), session["c"]):
        raise refusal(403, "csrf")
    return account


def page_account(request: Request) -> Account | None:
    """The logged-in account of a page request, or None (the page then redirects to the login)."""
    session = session_of(request)
    return service_of(request).store.account(session["a"]) if session else None


def csrf_of(request: Request) -> str:
    session = session_of(request)
    return session["c"] if session else ""
