"""Passwords, API tokens, browser sessions and CSRF tokens.

- Passwords: argon2id hashes (argon2-cffi's defaults), never stored or logged in clear.
- API tokens: 32 random bytes shown once; only their SHA-256 is stored, so a copy of the database
  gives no usable token (a token is random, so a plain hash is enough: nothing to guess).
- Sessions: a cookie signed with the service's secret (itsdangerous), holding the account id and the
  session's CSRF token; it expires after ``SESSION_SECONDS``.
- CSRF: every form and the upload script send the session's token; the login form, before there
  is a session, uses a signed token of its own.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from pathlib import Path
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from itsdangerous import BadSignature, URLSafeTimedSerializer

SESSION_COOKIE = "cpdsheets_session"
SESSION_SECONDS = 12 * 3600
TOKEN_PREFIX = "cpd_"

_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def password_matches(stored: str, password: str) -> bool:
    try:
        return _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def new_token() -> tuple[str, str]:
    """(the token to show once, the hash to store)."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    return token, token_hash(token)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def secret_key(data: Path) -> str:
    """The signing secret, made once per DIR and kept there (mode 600), so sessions survive a restart."""
    path = Path(data) / "secret.key"
    if not path.exists():
        tmp = path.with_suffix(".tmp")
        tmp.write_text(secrets.token_urlsafe(48), encoding="ascii")
        tmp.chmod(0o600)
        tmp.replace(path)
    return path.read_text(encoding="ascii").strip()


class Sessions:
    def __init__(self, secret: str):
        self._session = URLSafeTimedSerializer(secret, salt="cpdsheets-session")
        self._login = URLSafeTimedSerializer(secret, salt="cpdsheets-login-csrf")

    def issue(self, account_id: int) -> str:
        return self._session.dumps({"a": account_id, "c": secrets.token_urlsafe(24)})

    def read(self, cookie: str | None) -> dict[str, Any] | None:
        if not cookie:
            return None
        try:
            data = self._session.loads(cookie, max_age=SESSION_SECONDS)
        except BadSignature:  # tampered, or expired (SignatureExpired is a BadSignature)
            return None
        return data if isinstance(data, dict) and "a" in data and "c" in data else None

    def login_token(self) -> str:
        return self._login.dumps(secrets.token_urlsafe(16))

    def login_token_ok(self, token: str | None) -> bool:
        if not token:
            return False
        try:
            self._login.loads(token, max_age=3600)
        except BadSignature:
            return False
        return True


def same(a: str | None, b: str | None) -> bool:
    return bool(a) and bool(b) and hmac.compare_digest(str(a), str(b))
