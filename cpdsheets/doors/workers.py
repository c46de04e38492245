"""Warm workers: a few processes that import the engine once, then take book after book.

Starting an interpreter and importing pandas and the engine costs about 0.4 s, more than the
computation of a school's book. A batch (``validate``, ``rollup``) and the web service therefore hand
their books to a :class:`WarmPool` of resident workers instead of starting a process per book.

The per-book limits of a fresh process are kept: each book has a time limit (``FILE_SECONDS``) and
a memory ceiling (``WORKER_MEMORY_MB``, the worker's resident size, watched while it works). A book
that goes over either, or that kills its worker (a native library aborting, the OOM killer), costs
that worker and that book only: the worker is replaced, the book fails with the one-line reason of
:class:`~cpdsheets.doors.batch.Failure`, the other books go on. A worker left large by a big book is
replaced after it, so what one book leaves behind does not reach the next.

Each worker is a fresh interpreter (``python -m cpdsheets.doors.worker_process``), never a fork of this
process, which may run threads (the web service's, or this pool's own): the same on Linux, macOS and
Windows. It imports ``preload`` once, before its first book. The function a pool runs must be a
module-level function of an importable module (it is pickled by name).
"""

from __future__ import annotations

import contextlib
import os
import pickle
import queue
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import CancelledError, Future
from typing import Any, TypeVar

from ..contract.texts import BilingualError
from .batch import Failure
from .limits import limit
from .worker_process import READY, read_frame, write_frame

T = TypeVar("T")

# What a worker imports before its first book: the jobs (engine and reports), the reader and writer.
PRELOAD = ("cpdsheets.jobs.book", "cpdsheets.doors.reader", "cpdsheets.doors.ooxml.package_writer")

_POLL_SECONDS = 0.05  # how often a busy worker's memory and the pool's closing are looked at
_START_SECONDS = 120.0  # a worker that has not imported the engine by then is not going to
_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


class WorkerFailure(BilingualError):
    """A book's worker gave no result (time limit, memory ceiling, crash): ``failure`` says which."""

    def __init__(self, failure: Failure):
        super().__init__(failure.message("zh"), failure.message("en"))
        self.failure = failure

    def __reduce__(self):
        return (WorkerFailure, (self.failure,))


class WarmPool:
    """``workers`` resident processes (default: one per core) running one function call each at a time.

    ``seconds`` (default ``FILE_SECONDS``) and ``memory_mb`` (default ``WORKER_MEMORY_MB``; resident
    size of the worker) bound one call; both defaults take their ``CPDSHEETS_LIMIT_*`` override.
    A call over a limit, or whose worker dies, raises :class:`WorkerFailure`; an exception the function
    raises is raised as it is. Use as a context manager, or call :meth:`close`.
    """

    def __init__(self, workers: int | None = None, *, seconds: float | None = None, memory_mb: int | None = None,
                 preload: Iterable[str] = PRELOAD, import_during_first_call: bool = False):
        """``import_during_first_call``: a worker imports ``preload`` after its first call rather than
        before, so that call (a command's one book) reads while it imports; its time limit then counts
        the imports too. Left off for a service, whose first upload should find the engine loaded."""
        self.workers = max(1, workers or os.cpu_count() or 1)
        self._during_first_call = import_during_first_call
        self.seconds = float(seconds if seconds is not None else limit("FILE_SECONDS"))
        self.memory_mb = int(memory_mb if memory_mb is not None else limit("WORKER_MEMORY_MB"))
        self._preload = tuple(preload)
        self._tasks: queue.SimpleQueue[tuple[Future, bytes] | None] = queue.SimpleQueue()
        self._closing = threading.Event()
        self._cancel = threading.Event()
        self._lock = threading.Lock()
        self._live: set[_Worker] = set()
        for stream in (sys.stdout, sys.stderr):
            stream.flush()  # a started worker must not write the parent's unflushed output again
        self._slots = [threading.Thread(target=self._serve, name=f"warm-pool-{i}", daemon=True)
                       for i in range(self.workers)]
        for slot in self._slots:
            slot.start()

    def submit(self, func: Callable[..., T], *args: Any, **kwargs: Any) -> Future[T]:
        """Queue ``func(*args, **kwargs)`` for the next free worker. Arguments that cannot be pickled
        are refused here, in the caller's thread."""
        if self._closing.is_set():
            raise RuntimeError("WarmPool is closed")
        payload = pickle.dumps((func, args, kwargs), protocol=pickle.HIGHEST_PROTOCOL)
        future: Future[T] = Future()
        self._tasks.put((future, payload))
        return future

    def run(self, func: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """``func(*args, **kwargs)`` in a worker, waited for: its result, its exception, or WorkerFailure."""
        return self.submit(func, *args, **kwargs).result()

    def close(self, *, cancel: bool = False) -> None:
        """Stop taking work; finish what is queued (or, with ``cancel``, drop it and stop the running
        calls at once), then end the workers."""
        if not self._closing.is_set():
            self._closing.set()
            for _ in self._slots:
                self._tasks.put(None)
        if cancel:
            self._cancel.set()
        for slot in self._slots:
            slot.join()
        with self._lock:
            left = list(self._live)
        for worker in left:
            worker.stop()

    def __enter__(self) -> WarmPool:
        return self

    def __exit__(self, kind, value, tb) -> None:
        self.close(cancel=kind is not None)  # Ctrl+C or an error: do not make the caller wait for the rest

    def pids(self) -> list[int]:
        """The workers' process ids (for tests and operators)."""
        with self._lock:
            return [w.pid for w in self._live if w.pid is not None]

    # One thread per worker: it starts the worker, takes a call from the queue, hands it over and
    # watches the worker until the answer comes or a limit is reached.
    def _serve(self) -> None:
        worker: _Worker | None = None
        with contextlib.suppress(WorkerFailure):
            worker = self._start(initial=True)  # at once, so the first book finds its worker warm
        try:
            while (item := self._tasks.get()) is not None:
                future, payload = item
                if self._cancel.is_set():
                    future.cancel()
                if not future.set_running_or_notify_cancel():
                    continue
                try:
                    if worker is None or not worker.alive():
                        worker = self._start(worker)
                except WorkerFailure as exc:
                    future.set_exception(exc)
                    continue
                worker = self._call(worker, future, payload)
                if worker is None and not self._closing.is_set():
                    with contextlib.suppress(WorkerFailure):  # the next call will say so if it fails again
                        worker = self._start()  # the replacement warms up now, not when the next book comes
        finally:
            if worker is not None:
                self._retire(worker)

    def _start(self, old: _Worker | None = None, *, initial: bool = False) -> _Worker:
        """A new worker, its imports done; WorkerFailure when it dies or hangs on the way."""
        if old is not None:
            self._retire(old)
        started = time.monotonic()
        worker = _Worker(self._preload, self._during_first_call and initial)
        with self._lock:
            self._live.add(worker)
        try:
            ready = worker.answer(_START_SECONDS)
        except queue.Empty:
            ready = None
        if ready != READY:
            code = worker.exit_code()
            self._retire(worker)
            raise WorkerFailure(Failure("crash", time.monotonic() - started, code))
        return worker

    def _call(self, worker: _Worker, future: Future, payload: bytes) -> _Worker | None:
        """Run one call on ``worker``; the worker to use next (None: start a new one)."""
        started = time.monotonic()
        try:
            worker.send(payload)
        except OSError:  # it died while idle: the call's answer is the crash below
            pass
        while True:
            try:
                frame = worker.answer(_POLL_SECONDS)
            except queue.Empty:
                elapsed = time.monotonic() - started
                if self._cancel.is_set():
                    future.set_exception(CancelledError())
                elif elapsed >= self.seconds:
                    future.set_exception(WorkerFailure(Failure("timeout", self.seconds)))
                elif self.memory_mb and worker.resident_mb() > self.memory_mb:
                    future.set_exception(WorkerFailure(Failure("memory", elapsed, memory_mb=self.memory_mb)))
                else:
                    continue
                self._retire(worker)
                return None
            if frame is None:  # the worker died mid-call
                code = worker.exit_code()
                future.set_exception(WorkerFailure(Failure("crash", time.monotonic() - started, code)))
                self._retire(worker)
                return None
            try:
                ok, value = pickle.loads(frame)
            except Exception as exc:  # a result this process cannot rebuild (a class it cannot import)
                ok, value = False, RuntimeError(f"the worker's answer could not be read: {exc!r}")
            if ok:
                future.set_result(value)
            else:
                future.set_exception(value)
            if self.memory_mb and worker.resident_mb() > self.memory_mb / 2:
                self._retire(worker)  # a big book's heap is not carried into the next one
                return None
            return worker

    def _retire(self, worker: _Worker) -> None:
        with self._lock:
            self._live.discard(worker)
        worker.stop()


class _Worker:
    """One resident process (``python -m cpdsheets.doors.worker_process``), its pipes and a thread
    that reads its answers, so the pool can wait for one with a timeout on any platform."""

    def __init__(self, preload: tuple[str, ...], during_first_call: bool = False):
        flags = getattr(subprocess, "CREATE_NO_WINDOW", 0)  # no console window flashing up on Windows
        self.process = subprocess.Popen([sys.executable, "-m", "cpdsheets.doors.worker_process"],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, creationflags=flags)
        self.pid: int | None = self.process.pid
        self.answers: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
        threading.Thread(target=self._read, name=f"warm-worker-{self.pid}", daemon=True).start()
        self.send(pickle.dumps((list(sys.path), preload, during_first_call)))

    def _read(self) -> None:
        stream = self.process.stdout
        assert stream is not None
        try:
            while (frame := read_frame(stream)) is not None:
                self.answers.put(frame)
        except (OSError, ValueError):  # the pipe closed under us: the worker is being stopped
            pass
        self.answers.put(None)

    def send(self, data: bytes) -> None:
        assert self.process.stdin is not None
        write_frame(self.process.stdin, data)

    def answer(self, timeout: float) -> bytes | None:
        """The next frame; None when the worker has ended; raises queue.Empty after ``timeout``."""
        return self.answers.get(timeout=timeout)

    def alive(self) -> bool:
        return self.process.poll() is None

    def resident_mb(self) -> float:
        return resident_mb(self.pid) if self.pid else 0.0

    def exit_code(self) -> int | None:
        try:
            return self.process.wait(5)
        except subprocess.TimeoutExpired:
            return None

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(5)
        for pipe in (self.process.stdin, self.process.stdout):
            with contextlib.suppress(OSError):
                if pipe is not None:
                    pipe.close()


def resident_mb(pid: int) -> float:
    """The resident size of process ``pid`` in MB (0 where it cannot be read)."""
    try:
        with open(f"/proc/{pid}/statm", "rb") as f:
            return int(f.read().split()[1]) * _PAGE / (1 << 20)
    except (OSError, IndexError, ValueError):
        pass
    try:
        import psutil  # type: ignore[import-untyped,import-not-found,unused-ignore]  # not a dependency: used where /proc is not

        return float(psutil.Process(pid).memory_info().rss) / (1 << 20)
    except Exception:
        return 0.0
