"""One file of a batch, as a warm worker (``workers.WarmPool``) runs it, and why a worker gave no answer.

A file that hangs, goes over the memory ceiling, aborts the interpreter (a native library running out
of memory) or is killed costs only its own line: the worker is stopped and replaced, the file gets
the one-line reason of its :class:`Failure`, and the batch goes on.
"""

from __future__ import annotations

import datetime as dt
import signal
import time

from ..contract.texts import BilingualError, Catalogue, Text, lang_or
from ..reports.internal_error import internal_error
from ..reports.path_text import readable_path
from ..reports.report import FileReport
from .ooxml.file_door import FileDoor
from .reader import WorkbookUnreadable

# Why a worker gave no answer, as the file's one line.
FAILURES = Catalogue("worker failures", {
    "memory": ("使用内存超过 {memory_mb} MB，已停止（文件可能过大或结构异常）",
               "used more than {memory_mb} MB of memory, stopped (the file may be too large or malformed)"),
    "timeout": ("超过 {seconds:.0f} 秒仍未完成，已停止（文件可能过大或结构异常）",
                "not finished after {seconds:.0f} s, stopped (the file may be too large or malformed)"),
    "crash": ("校验进程异常退出（{how}），该文件未能校验；请把该文件发给维护人员",
              "the validating process died ({how}); file not validated, please send it to the maintainers"),
    "signal": ("信号 {name}", "signal {name}"),
    "exit-code": ("退出码 {code}", "exit code {code}"),
})


class Failure(BilingualError):
    """Why a file's worker gave no result: ``kind`` is "timeout", "memory" or "crash". A refusal like
    every other: ``message(lang)`` is the file's line."""

    def __init__(self, kind: str, seconds: float, exit_code: int | None = None, memory_mb: int | None = None):
        self.kind, self.seconds, self.exit_code, self.memory_mb = kind, seconds, exit_code, memory_mb
        said = FAILURES[kind if kind in ("memory", "timeout") else "crash"].fill(
            memory_mb=memory_mb, seconds=seconds, how=_exit_text(exit_code))
        super().__init__(said.zh, said.en)

    def _key(self) -> tuple[str, float, int | None, int | None]:
        return (self.kind, self.seconds, self.exit_code, self.memory_mb)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Failure) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())


def validate_file(path: str, lang: str = "zh", as_of: dt.date | None = None) -> FileReport:
    report = _validate_file(path, lang, as_of)
    report.path = readable_path(path)  # opened by its own name (GBK bytes too), shown readably
    return report


def _validate_file(path: str, lang: str, as_of: dt.date | None) -> FileReport:
    started = time.perf_counter()
    try:
        raw = FileDoor(path, while_reading=_import_validate).read()
    except WorkbookUnreadable as exc:
        return FileReport(path, unreadable=exc.message(lang), seconds=time.perf_counter() - started)
    except Exception as exc:  # a reader bug met on one file: that file's line, not the batch's end
        return FileReport(path, unreadable=internal_error(exc, lang), seconds=time.perf_counter() - started)
    from ..jobs.book import ValidateRequest, validate

    try:
        checked = validate(ValidateRequest(raw, lang_or(lang), as_of))
    except Exception as exc:  # one odd workbook must not end a district's batch with a traceback
        return FileReport(path, unreadable=internal_error(exc, lang), seconds=time.perf_counter() - started)
    return FileReport(path, checked.findings, rows=checked.validation.rows, seconds=time.perf_counter() - started)


def _import_validate() -> None:
    """The engine's imports, done while the file door parses the sheets (on calamine's threads)."""
    import cpdsheets.jobs.book  # noqa: F401 (the import is the point: it overlaps the parse)


def recalc_file(path: str, out: str | None = None, lang: str = "zh", as_of: dt.date | None = None) -> dict[str, int]:
    """``cpdsheets recalc PATH -o OUT`` as a warm worker runs it for one book: read, recalc, write the five
    tabs back (into ``out``, else into the book, with its .bak); the counts of the run. Refusals raise
    (``WorkbookUnreadable``, ``WorkbookWriteError``: BilingualError), for the caller to show as one line."""
    from pathlib import Path

    from ..jobs.book import RecalcRequest, recalc
    from ..jobs.tabs import book_tabs
    from .tab_owner import other_language_tabs

    code = lang_or(lang)
    door = FileDoor(path, out=Path(out) if out else None, backup=out is None)
    outcome = recalc(RecalcRequest(door.read(), code, as_of))
    door.write(book_tabs(outcome).tabs, remove=other_language_tabs(code))  # as the CLI: the other language's tabs go
    return outcome.counts


def _exit_text(code: int | None) -> Text:
    if code is not None and code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = str(-code)
        return FAILURES["signal"].fill(name=name)
    return FAILURES["exit-code"].fill(code=code)
