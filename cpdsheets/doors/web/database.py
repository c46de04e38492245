"""The service's database: one ``Store`` over SQLAlchemy, SQLite in DIR by default or PostgreSQL.

Every write is one transaction; an upload's book and result rows are committed together, after its
file is in the blob store, so a reader never sees a book without its result or its file.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from ...contract.texts import BilingualError, Lang
from . import auth
from .models import Account, AlertState, AlertTable, ApiToken, Base, Book, FindingTexts, Result, School, utcnow
from .texts import REFUSALS


class AccountError(BilingualError):
    pass


def database_url(data: Path, url: str | None) -> str:
    return url or f"sqlite:///{(Path(data) / 'cpdsheets.db').resolve()}"


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 60, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _pragmas(conn: Any, _record: Any) -> None:
            cur = conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")  # readers never wait for the one writer
            cur.execute("PRAGMA synchronous=FULL")  # a committed upload survives a power cut too
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


class Store:
    def __init__(self, url: str):
        self.url = url
        self.engine = make_engine(url)
        Base.metadata.create_all(self.engine)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @classmethod
    def open(cls, data: Path, url: str | None = None) -> Store:
        Path(data).mkdir(parents=True, exist_ok=True)
        return cls(database_url(data, url))

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def session(self) -> Iterator[Session]:
        with self._sessions() as s, s.begin():
            yield s

    # -- accounts --------------------------------------------------------------------------------

    def add_account(self, username: str, password: str, school: str, *, district: bool = False) -> Account:
        username, school = username.strip(), school.strip()
        if not username or not school:
            raise AccountError(REFUSALS["account-blank"])
        if len(password) < 8:
            raise AccountError(REFUSALS["password-short"])
        hashed = auth.hash_password(password)
        try:
            with self.session() as s:
                if s.scalar(select(Account).where(Account.username == username)) is not None:
                    raise AccountError(REFUSALS["account-exists"].fill(username=username))
                org = s.scalar(select(School).where(School.name == school))
                if org is None:
                    org = School(name=school, is_district=district)
                    s.add(org)
                    s.flush()
                elif org.is_district != district:
                    taken = "name-is-a-school" if district else "name-is-a-district"
                    raise AccountError(REFUSALS[taken].fill(school=school))
                account = Account(username=username, password_hash=hashed, school_id=org.id, is_district=district)
                s.add(account)
            return account
        except IntegrityError:  # the same name added at the same moment elsewhere
            raise AccountError(REFUSALS["account-exists"].fill(username=username)) from None

    def new_token(self, username: str) -> str:
        token, hashed = auth.new_token()
        with self.session() as s:
            account = s.scalar(select(Account).where(Account.username == username.strip()))
            if account is None:
                raise AccountError(REFUSALS["no-account"].fill(username=username))
            s.add(ApiToken(account_id=account.id, token_hash=hashed))
        return token

    def has_accounts(self) -> bool:
        with self.session() as s:
            return bool(s.scalar(select(func.count()).select_from(Account)))

    def demo_account(self, school: str) -> tuple[str, str] | None:
        """On first start (no account at all): a demo account of ``school``; (user, password) to print."""
        if self.has_accounts():
            return None
        password = secrets.token_urlsafe(9)
        try:
            self.add_account("demo", password, school)
        except AccountError:
            return None
        return "demo", password

    def login(self, username: str, password: str) -> Account | None:
        with self.session() as s:
            account = s.scalar(select(Account).where(Account.username == username.strip()))
        if account is None:
            auth.password_matches(_dummy_hash(), password)  # the same time as a wrong password
            return None
        return account if auth.password_matches(account.password_hash, password) else None

    def account(self, account_id: int) -> Account | None:
        with self.session() as s:
            return s.get(Account, account_id)

    def account_by_token(self, token: str) -> Account | None:
        with self.session() as s:
            row = s.scalar(select(ApiToken).where(ApiToken.token_hash == auth.token_hash(token)))
            return s.get(Account, row.account_id) if row is not None else None

    # -- books ----------------------------------------------------------------------------------

    def save_book(self, account: Account, *, filename: str, sha256: str, suffix: str, size: int,
                  as_of_given: dt.date | None, outcome: dict[str, Any]) -> Book:
        counts = outcome["counts"]
        book = Book(id=secrets.token_hex(16), school_id=account.school_id, account_id=account.id,
                    filename=filename[:255], sha256=sha256, suffix=suffix, size=size, as_of_given=as_of_given,
                    uploaded_at=utcnow())
        book.result = Result(as_of=dt.date.fromisoformat(outcome["as_of"]), results_json=outcome["results"],
                             school_name=outcome["school_name"][:200], teachers=counts.get("teachers", 0),
                             errors=counts.get("errors", 0), warnings=counts.get("warnings", 0),
                             alerts=counts.get("alerts", 0), seconds=outcome["seconds"])
        with self.session() as s:
            s.add(book)
            s.flush()
            s.add_all(AlertState(book_id=book.id, state=state[:16], rows=n)
                      for state, n in outcome.get("alert_states", {}).items())
            s.add_all(AlertTable(book_id=book.id, lang=lang, table_json=json.dumps(table, ensure_ascii=False))
                      for lang, table in outcome.get("alert_tables", {}).items())
            s.add_all(FindingTexts(book_id=book.id, lang=lang, findings_json=text)
                      for lang, text in outcome.get("finding_texts", {}).items())
            s.refresh(book)  # the school, loaded while the session is open
        return book

    def alert_states(self, book: Book) -> dict[str, int]:
        """达标预警's rows by state for ``book`` (empty for an upload stored before they were kept)."""
        with self.session() as s:
            return {state: rows for state, rows in s.execute(
                select(AlertState.state, AlertState.rows).where(AlertState.book_id == book.id))}

    def alert_table(self, book: Book, lang: Lang) -> dict[str, Any] | None:
        """达标预警 of ``book`` in ``lang`` as the tab gives it, or None for an upload stored before it was kept."""
        with self.session() as s:
            text = s.scalar(select(AlertTable.table_json).where(AlertTable.book_id == book.id,
                                                                AlertTable.lang == lang))
        return json.loads(text) if text is not None else None

    def findings(self, book: Book, lang: Lang) -> list[dict[str, Any]] | None:
        """The findings of ``book`` rendered in ``lang``, or None when none were kept in it (the results
        JSON's own language, or an upload stored before they were kept)."""
        with self.session() as s:
            text = s.scalar(select(FindingTexts.findings_json).where(FindingTexts.book_id == book.id,
                                                                     FindingTexts.lang == lang))
        return json.loads(text) if text is not None else None

    def blob_names(self) -> set[str]:
        """The file name (sha256 + suffix) of every stored book's blob."""
        with self.session() as s:
            return {sha + suffix for sha, suffix in s.execute(select(Book.sha256, Book.suffix))}

    def book(self, account: Account, book_id: str) -> Book | None:
        """The book, if the account may see it: its own school's, or any for a district account.
        Another school's book is None, exactly as a book that does not exist."""
        with self.session() as s:
            book = s.get(Book, book_id)
            if book is None or not (account.is_district or book.school_id == account.school_id):
                return None
            return book

    def books(self, account: Account, school_id: int | None = None, limit: int = 200) -> list[Book]:
        """Newest first: the account's school's books (a district account: ``school_id``'s, or all)."""
        query = select(Book).order_by(Book.uploaded_at.desc(), Book.id).limit(limit)
        if not account.is_district:
            query = query.where(Book.school_id == account.school_id)
        elif school_id is not None:
            query = query.where(Book.school_id == school_id)
        with self.session() as s:
            return list(s.scalars(query).unique())

    def previous(self, book: Book) -> Book | None:
        """The same school's upload just before ``book``."""
        with self.session() as s:
            return s.scalars(select(Book).where(Book.school_id == book.school_id,
                                                Book.uploaded_at < book.uploaded_at)
                             .order_by(Book.uploaded_at.desc()).limit(1)).unique().first()

    def schools(self) -> list[School]:
        with self.session() as s:
            return list(s.scalars(select(School).where(School.is_district.is_(False)).order_by(School.name)))

    def latest(self) -> list[tuple[School, Book | None]]:
        """Every school with its latest upload (None if it has not uploaded)."""
        out: list[tuple[School, Book | None]] = []
        with self.session() as s:
            for school in s.scalars(select(School).where(School.is_district.is_(False)).order_by(School.name)):
                book = s.scalars(select(Book).where(Book.school_id == school.id)
                                 .order_by(Book.uploaded_at.desc(), Book.id).limit(1)).unique().first()
                out.append((school, book))
        return out


@functools.cache
def _dummy_hash() -> str:
    return auth.hash_password("not a password of anyone")
