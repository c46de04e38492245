"""What the routes ask of the service: store an upload, fetch a book, run a download, the district.

Jobs go to the worker runner and are awaited (``asyncio.wrap_future``); database and file work runs
on the thread pool, so the event loop only ever waits.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import shutil
from concurrent.futures import Future
from pathlib import Path
from typing import Any

from starlette.concurrency import run_in_threadpool

from ... import __version__
from ...contract.texts import BilingualError, Lang, Text
from ...reports.rollup import District
from ..reader import SUPPORTED
from . import work
from .auth import Sessions, secret_key
from .blobs import Blobs
from .database import Store
from .models import Account, Book
from .runner import Runner, make_runner
from .settings import Settings
from .texts import REFUSALS


# The ``code`` of a job's own refusal (a book that cannot be read, a limit, a worker that died): the
# line is the job's, the code says only that the book, not the request, was refused.
BOOK_REFUSED = "book-refused"


class Refusal(BilingualError):
    """A request refused with one line, an HTTP status and a stable machine ``code`` (a ``REFUSALS``
    code, or ``BOOK_REFUSED``): the API answers ``{"error": line, "code": code}``."""

    def __init__(self, status: int, zh: str | Text, en: str = "", *, code: str = BOOK_REFUSED):
        super().__init__(zh, en)
        self.status = status
        self.code = code

    @classmethod
    def of(cls, status: int, exc: BilingualError, code: str = BOOK_REFUSED) -> Refusal:
        return cls(status, exc.reason, code=code)


def refusal(status: int, code: str, **params: Any) -> Refusal:
    """The refusal ``REFUSALS[code]`` (filled with ``params``), with ``status``."""
    text = REFUSALS[code].fill(**params) if params else REFUSALS[code]
    return Refusal(status, text, code=code)


def not_found() -> Refusal:
    return refusal(404, "not-found")


class Service:
    def __init__(self, settings: Settings, runner: Runner | None = None):
        self.settings = settings
        self.blobs = Blobs(settings.data)
        self.store = Store.open(settings.data, settings.db)
        self.sessions = Sessions(secret_key(settings.data))
        self._own_runner = runner is None
        self.runner = runner or make_runner(settings.workers, seconds=settings.job_seconds,
                                            memory_mb=settings.memory_mb)
        self._district_cache: dict[tuple, District] = {}

    def start(self) -> None:
        self.blobs.clear_tmp()
        self.blobs.clear_orphans(self.store.blob_names())

    def stop(self) -> None:
        if self._own_runner:
            self.runner.close(cancel=True)  # the requests waiting on them are ending too
        self.store.close()

    async def job(self, func: Any, *args: Any) -> Any:
        """``func(*args)`` on a worker, awaited; its refusal (or the worker's failure) raised as a
        ``BilingualError``."""
        future: Future = self.runner.submit(func, *args)
        answer = await asyncio.wrap_future(future)
        if isinstance(answer, work.Refused):
            raise answer.error()
        return answer

    # -- uploads --------------------------------------------------------------------------------

    async def upload(self, account: Account, filename: str, source: Any, as_of_text: str | None) -> Book:
        """Receive, process and store one upload; a refusal raises ``Refusal`` and stores nothing."""
        as_of = parse_as_of(as_of_text)
        name = Path(filename or "").name or "workbook.xlsx"
        suffix = Path(name).suffix.lower()
        if suffix not in SUPPORTED:
            raise refusal(415, "not-a-workbook", name=name)
        try:
            received, sha256, size = await run_in_threadpool(
                self.blobs.receive, source, suffix, self.settings.max_upload_bytes, self.settings.max_upload_mb)
        except BilingualError as exc:
            raise Refusal.of(413, exc, "too-large") from None
        try:
            try:
                outcome = await self.job(work.process_upload, str(received), as_of)
            except BilingualError as exc:  # unreadable, over a limit, a worker that died
                raise Refusal.of(422, exc) from None
            return await run_in_threadpool(self._keep, account, received, name, sha256, suffix, size, as_of,
                                           outcome)
        finally:
            received.unlink(missing_ok=True)

    def _keep(self, account: Account, received: Path, name: str, sha256: str, suffix: str, size: int,
              as_of: dt.date | None, outcome: dict[str, Any]) -> Book:
        self.blobs.keep(received, sha256, suffix)
        return self.store.save_book(account, filename=name, sha256=sha256, suffix=suffix, size=size,
                                    as_of_given=as_of, outcome=outcome)

    def book(self, account: Account, book_id: str) -> Book:
        book = self.store.book(account, book_id)
        if book is None:
            raise not_found()
        return book

    def blob(self, book: Book) -> Path:
        return self.blobs.path(book.sha256, book.suffix)

    # -- downloads ------------------------------------------------------------------------------

    async def processed(self, book: Book) -> tuple[Path, Path]:
        """(the processed book, the scratch folder to remove after sending it)."""
        folder = self.blobs.scratch()
        out = folder / f"book{book.suffix}"
        return await self._made(folder, work.processed_workbook, str(self.blob(book)), str(out), book.as_of_given)

    async def archive(self, book: Book, pdf: bool) -> tuple[Path, Path]:
        folder = self.blobs.scratch()
        out = folder / "archive.xlsx"
        return await self._made(folder, work.archive_workbook, str(self.blob(book)), str(out), book.as_of_given,
                                pdf)

    async def _made(self, folder: Path, func: Any, *args: Any) -> tuple[Path, Path]:
        try:
            return Path(await self.job(func, *args)), folder
        except BilingualError as exc:
            shutil.rmtree(folder, ignore_errors=True)
            raise Refusal.of(422, exc) from None
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise

    # -- the district ---------------------------------------------------------------------------

    async def district_report(self, account: Account, as_of: dt.date | None) -> District:
        """``rollup`` over each school's latest upload, at ``as_of`` (default today): the roll-up job,
        mapped over the service's workers as the CLI maps it over its own."""
        if not account.is_district:
            raise refusal(403, "district-only")
        from ...jobs.dates import district_as_of
        from ...jobs.rollup import DistrictRequest, SchoolBook, roll_up
        from ..pool_map import PoolMap
        from ..rollup.summary import summarise_file

        when = district_as_of(as_of)  # the cache's key; the job settles the same date
        latest = [(school, book) for school, book in await run_in_threadpool(self.store.latest) if book is not None]
        key = (when, tuple(book.id for _, book in latest))
        if key not in self._district_cache:
            books = tuple(SchoolBook(str(self.blob(book)), f"{school.name}/{book.filename}") for school, book in latest)
            district = await run_in_threadpool(roll_up, DistrictRequest(books, "zh", when), summarise_file,
                                               PoolMap(self.runner))
            self._district_cache = {key: district}  # only the newest roll-up is kept
        return self._district_cache[key]

    async def district(self, account: Account, as_of: dt.date | None) -> dict[str, Any]:
        return (await self.district_report(account, as_of)).as_dict()

    async def district_workbook(self, account: Account, as_of: dt.date | None,
                                lang: Lang = "zh") -> tuple[Path, Path]:
        district = await self.district_report(account, as_of)
        folder = self.blobs.scratch()
        info = {"version": __version__, "command": "cpdsheets serve",
                "time": dt.datetime.now().replace(microsecond=0).isoformat(sep=" ")}
        return await self._made(folder, work.district_workbook, district, str(folder / "district.xlsx"), info,
                                lang)


def parse_as_of(text: str | None) -> dt.date | None:
    if not text or not text.strip():
        return None
    from ...jobs.dates import request_date

    when = request_date(text)
    if when is None:
        raise refusal(400, "bad-as-of", text=text)
    return when
