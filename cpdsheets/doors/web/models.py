"""The service's tables: schools, accounts, API tokens, uploaded books and their results.

The same models run on SQLite (the default, a file in DIR) and PostgreSQL (``--db``). A book's id is
random, so an id says nothing about other schools' books; the file itself lives in the blob store,
named by its hash.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Date, DateTime, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


class School(Base):
    __tablename__ = "schools"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    is_district: Mapped[bool] = mapped_column(Boolean, default=False)  # the district's own office


class Account(Base):
    __tablename__ = "accounts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"))
    is_district: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    school: Mapped[School] = relationship(lazy="joined")


class ApiToken(Base):
    __tablename__ = "tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # sha256 of the token; the token is never stored
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class Book(Base):
    __tablename__ = "books"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    filename: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64))
    suffix: Mapped[str] = mapped_column(String(8))
    size: Mapped[int] = mapped_column(Integer)
    as_of_given: Mapped[dt.date | None] = mapped_column(Date, nullable=True)  # the form's as_of, if any
    uploaded_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)

    school: Mapped[School] = relationship(lazy="joined")
    result: Mapped[Result] = relationship(lazy="joined", back_populates="book")


class Result(Base):
    __tablename__ = "results"

    book_id: Mapped[str] = mapped_column(ForeignKey("books.id"), primary_key=True)
    as_of: Mapped[dt.date] = mapped_column(Date)
    results_json: Mapped[str] = mapped_column(Text)  # `recalc --dry-run --format json`, as printed
    school_name: Mapped[str] = mapped_column(String(200), default="")  # 学校名称 as the book's 规则 says
    teachers: Mapped[int] = mapped_column(Integer, default=0)
    errors: Mapped[int] = mapped_column(Integer, default=0)
    warnings: Mapped[int] = mapped_column(Integer, default=0)
    alerts: Mapped[int] = mapped_column(Integer, default=0)
    seconds: Mapped[float] = mapped_column(Float, default=0.0)

    book: Mapped[Book] = relationship(back_populates="result")


class AlertState(Base):
    """How many rows of 达标预警 one upload has in a state (its own table, so that a database made
    before it gains it at the next start; an upload stored before it has none, and its page counts
    the JSON's alerts instead)."""

    __tablename__ = "alert_states"

    book_id: Mapped[str] = mapped_column(ForeignKey("books.id"), primary_key=True)
    state: Mapped[str] = mapped_column(String(16), primary_key=True)
    rows: Mapped[int] = mapped_column(Integer, default=0)


class AlertTable(Base):
    """达标预警 of one upload in one language, as the tab gives it (``reports.alert_table``: headers and
    rows, JSON): the result page shows the tab's rows, not the engine's one alert per period. Its own
    table, so a database made before it gains it at the next start; an older upload has none."""

    __tablename__ = "alert_tables"

    book_id: Mapped[str] = mapped_column(ForeignKey("books.id"), primary_key=True)
    lang: Mapped[str] = mapped_column(String(8), primary_key=True)
    table_json: Mapped[str] = mapped_column(Text)


class FindingTexts(Base):
    """The findings of one upload rendered in a language other than the results JSON's (zh): message,
    hint and the rest as ``validate --lang`` gives them (JSON list). Its own table, so a database made
    before it gains it at the next start; an older upload has none and its pages show the zh text."""

    __tablename__ = "finding_texts"

    book_id: Mapped[str] = mapped_column(ForeignKey("books.id"), primary_key=True)
    lang: Mapped[str] = mapped_column(String(8), primary_key=True)
    findings_json: Mapped[str] = mapped_column(Text)
