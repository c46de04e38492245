"""One book's work in this process, under the limits a warm worker keeps (time, memory).

A command given a single book (``cpdsheets validate BOOK``) does its work here rather than in a
:class:`~cpdsheets.doors.workers.WarmPool` worker: a worker costs a second interpreter, the imports
both processes do, and the findings pickled back through a pipe (about 0.35 s of a 150,000-row
book's 2 s). The per-file limits stay: a watcher thread stops the work once it passes
``FILE_SECONDS`` or the process's resident size passes ``WORKER_MEMORY_MB``, and the caller gets the
same :class:`~cpdsheets.doors.workers.WorkerFailure` a worker's book gets. What only a separate
process can give, a native crash reported as one line, is left to batches, where it keeps the
other books going; for one book the command's own exit status says it, as `recalc`'s does.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from .batch import Failure
from .limits import limit
from .quick_exit import collect_less
from .workers import WorkerFailure, resident_mb

T = TypeVar("T")

_POLL_SECONDS = 0.05  # as often as a warm pool looks at its busy workers
# How long the work may take to stop once told to. Python code stops at once; a wait on a native
# call (a sheet calamine is still parsing) may not: then the process ends with the file's line.
_GRACE_SECONDS = 5.0


class _OverLimit(BaseException):
    """Raised in the working thread by the watcher; a BaseException, so no ``except Exception`` of
    the work takes it for the book's own error."""


def call_watched(func: Callable[..., T], args: tuple[Any, ...], *, seconds: float | None = None,
                 memory_mb: int | None = None, label: str = "", lang: str = "zh") -> T:
    """``func(*args)`` here, in this thread; :class:`WorkerFailure` if it goes over
    ``seconds`` (default ``FILE_SECONDS``) or the process over ``memory_mb`` (default
    ``WORKER_MEMORY_MB``) first. If the work cannot be stopped (see ``_GRACE_SECONDS``), the process
    ends with exit status 2 and one line on stderr: ``label`` (the file) and the reason in ``lang``."""
    seconds = float(seconds if seconds is not None else limit("FILE_SECONDS"))
    memory_mb = int(memory_mb if memory_mb is not None else limit("WORKER_MEMORY_MB"))
    watcher = _Watcher(threading.get_ident(), seconds, memory_mb, label, lang)
    watcher.start()
    try:
        try:
            with _fewer_collections():
                return func(*args)
        finally:
            watcher.finish()
    except _OverLimit:
        watcher.finish()
        assert watcher.failure is not None
        raise WorkerFailure(watcher.failure) from None


@contextlib.contextmanager
def _fewer_collections() -> Iterator[None]:
    """As ``quick_exit.collect_less`` for the call's length (a book read makes millions of objects and
    almost no cycles)."""
    before = gc.get_threshold()
    collect_less()
    try:
        yield
    finally:
        gc.set_threshold(*before)


class _Watcher(threading.Thread):
    def __init__(self, target: int, seconds: float, memory_mb: int, label: str, lang: str) -> None:
        super().__init__(name="limits-watcher", daemon=True)
        self.target, self.seconds, self.memory_mb = target, seconds, memory_mb
        self.label, self.lang = label, lang
        self.started = time.monotonic()
        self.finished = threading.Event()
        self.lock = threading.Lock()  # the work ends and the watcher strikes one at a time, never both
        self.failure: Failure | None = None

    def finish(self) -> None:
        with self.lock:
            self.finished.set()

    def run(self) -> None:
        while not self.finished.wait(_POLL_SECONDS):
            elapsed = time.monotonic() - self.started
            if elapsed >= self.seconds:
                failure = Failure("timeout", self.seconds)
            elif self.memory_mb and resident_mb(os.getpid()) > self.memory_mb:
                failure = Failure("memory", elapsed, memory_mb=self.memory_mb)
            else:
                continue
            with self.lock:
                if self.finished.is_set():
                    return
                self.failure = failure
                _raise_in(self.target, _OverLimit)
            if not self.finished.wait(_GRACE_SECONDS):
                said = failure.message(self.lang)
                sys.stderr.write(f"{self.label}: {said}\n" if self.label else said + "\n")
                sys.stderr.flush()
                os._exit(2)
            return


def _raise_in(thread_id: int, kind: type[BaseException]) -> None:
    """Raise ``kind`` in thread ``thread_id`` at its next Python instruction (CPython's own way)."""
    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread_id), ctypes.py_object(kind))
