"""The service's one seam to the worker processes: jobs never run in the event loop.

Each job runs in a child process forked from a warm, single-threaded fork server that has already
imported the engine, so a job starts in milliseconds, and a book that kills its process (a native
library aborting, the memory limit, the time limit) costs only that job: its future fails with
:class:`WorkerFailure` and every other job goes on. ``Runner`` has the shape of the doors' warm
worker pool (``submit`` → ``concurrent.futures.Future``, ``run``, ``close``), so the service can move
to that pool without touching its callers.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import signal
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from multiprocessing.connection import Connection
from typing import Any

from ...contract.texts import BilingualError

# Modules the fork server imports once, so every job starts with the engine loaded.
PRELOAD = ["cpdsheets.doors.web.work"]


class WorkerFailure(BilingualError):
    """A worker that died or ran out of time on one job: that job's one line."""

    @classmethod
    def crashed(cls, code: int | None) -> WorkerFailure:
        name = _signal_name(-code) if code is not None and code < 0 else None
        how = f"信号 {name}" if name else f"退出码 {code}"
        how_en = f"signal {name}" if name else f"exit code {code}"
        return cls(f"处理进程异常退出（{how}），这个文件没有处理完；请把该文件发给维护人员",
                   f"the worker process died ({how_en}); this file was not processed, please send it to the maintainers")

    @classmethod
    def timed_out(cls, seconds: float) -> WorkerFailure:
        return cls(f"超过 {seconds:.0f} 秒仍未完成，已停止（文件可能过大或结构异常）",
                   f"not finished after {seconds:.0f} s, stopped (the file may be too large or malformed)")


class Runner:
    """At most ``workers`` jobs at once, each in its own child process."""

    def __init__(self, workers: int | None = None, *, seconds: float = 300.0, memory_mb: int | None = None):
        self.workers = max(1, workers or os.cpu_count() or 1)
        self.seconds = seconds
        self.memory_mb = memory_mb
        methods = mp.get_all_start_methods()
        self._ctx: Any = mp.get_context("forkserver" if "forkserver" in methods else "spawn")
        if "forkserver" in methods:
            self._ctx.set_forkserver_preload(PRELOAD)
        # Threads only wait on children; the work itself is in the children.
        self._threads = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="cpdsheets-job")
        self._closed = threading.Event()
        self._lock = threading.Lock()
        self._running: dict[int, tuple[str, tuple]] = {}  # child pid -> (job, its arguments)

    def submit(self, func: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:
        return self._threads.submit(self._in_child, func, args, kwargs)

    def run(self, func: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
        return self.submit(func, *args, **kwargs).result()

    def warm(self) -> None:
        """Start the fork server now (it imports the engine), not on the first upload."""
        self.run(_nothing)

    def running(self) -> dict[int, tuple[str, tuple]]:
        """The jobs running now: child pid -> (the job's name, its arguments), for an operator or a test."""
        with self._lock:
            return dict(self._running)

    def close(self) -> None:
        self._closed.set()
        self._threads.shutdown(wait=True, cancel_futures=True)

    def _in_child(self, func: Callable[..., Any], args: tuple, kwargs: dict) -> Any:
        reader, writer = self._ctx.Pipe(duplex=False)
        child = self._ctx.Process(target=_child, args=(writer, self.memory_mb, func, args, kwargs), daemon=True)
        child.start()
        writer.close()
        started = time.monotonic()
        with self._lock:
            self._running[child.pid] = (getattr(func, "__name__", str(func)), args)
        try:
            if not reader.poll(self.seconds):
                child.kill()
                child.join(5)
                raise WorkerFailure.timed_out(self.seconds)
            try:
                kind, value = reader.recv()
            except (EOFError, OSError):
                child.join(5)
                raise WorkerFailure.crashed(child.exitcode) from None
        finally:
            reader.close()
            with self._lock:
                self._running.pop(child.pid, None)
        child.join(max(5.0, self.seconds - (time.monotonic() - started)))
        if kind == "ok":
            return value
        raise BilingualError(*value)


def _child(writer: Connection, memory_mb: int | None, func: Callable[..., Any], args: tuple, kwargs: dict) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C is the server's to handle
    if memory_mb:
        import resource

        limit = memory_mb << 20
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    try:
        result: tuple[str, Any] = ("ok", func(*args, **kwargs))
    except BilingualError as exc:  # a refusal travels back as its two lines
        result = ("refused", (exc.reason.zh, exc.reason.en))
    except BaseException:  # anything else is a crash, told by the parent
        os._exit(70)
    writer.send(result)
    writer.close()
    os._exit(0)  # skip the interpreter's teardown: the result is sent


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return str(number)


def _nothing() -> None:
    return None
