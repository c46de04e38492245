"""Run one job per file, each in its own child process with a time limit.

A file that hangs, aborts the interpreter (a native library running out of memory) or is killed
costs only its own line: the child is stopped, the file gets a one-line reason and the batch goes
on. Each child handles one file and exits, so nothing a bad file leaves behind reaches the next.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import signal
import sys
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Any, cast


@dataclass(frozen=True, slots=True)
class Failure:
    """Why a file's child gave no result: ``kind`` is "timeout" or "crash"."""

    kind: str
    seconds: float
    exit_code: int | None = None

    def message(self, lang: str = "zh") -> str:
        if self.kind == "timeout":
            return (f"超过 {self.seconds:.0f} 秒仍未完成，已停止（文件可能过大或结构异常）" if lang == "zh"
                    else f"not finished after {self.seconds:.0f} s, stopped (the file may be too large or malformed)")
        how = _exit_text(self.exit_code, lang)
        return (f"校验进程异常退出（{how}），该文件未能校验；请把该文件发给维护人员" if lang == "zh"
                else f"the validating process died ({how}); file not validated, please send it to the maintainers")


def run_each(job: Callable[..., Any], tasks: Iterable[tuple], *, jobs: int, seconds: float,
             done: Callable[[tuple, Any], None]) -> None:
    """Call ``job(*task)`` for every task, ``jobs`` children at a time; ``done(task, result)`` gets the
    job's return value, or a ``Failure`` when the child timed out or died."""
    ctx: Any = mp.get_context("fork" if "fork" in mp.get_all_start_methods() else "spawn")  # fork or spawn context
    pending = deque(tasks)
    running: dict[Connection, tuple[Any, tuple, float]] = {}
    for stream in (sys.stdout, sys.stderr):
        stream.flush()  # a forked child would write the parent's unflushed output a second time
    try:
        while pending or running:
            while pending and len(running) < max(jobs, 1):
                task = pending.popleft()
                reader, writer = ctx.Pipe(duplex=False)
                child = ctx.Process(target=_child, args=(writer, job, task), daemon=True)
                child.start()
                writer.close()
                running[reader] = (child, task, time.monotonic())
            first_deadline = min(started for _, _, started in running.values()) + seconds
            for ready in wait(list(running), timeout=max(first_deadline - time.monotonic(), 0)):
                reader = cast(Connection, ready)  # wait() hands back the Connections it was given
                child, task, started = running.pop(reader)
                done(task, _receive(reader, child, time.monotonic() - started))
            now = time.monotonic()
            for reader, (child, task, started) in list(running.items()):
                if now - started >= seconds:
                    del running[reader]
                    _stop(child)
                    reader.close()
                    done(task, Failure("timeout", seconds))
    finally:
        for reader, (child, _, _) in running.items():
            _stop(child)
            reader.close()


def _child(writer: Connection, job: Callable[..., Any], task: tuple) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C is the parent's to handle
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # the parent stops its run on SIGTERM; a child just ends
    try:
        writer.send(job(*task))
        writer.close()
    except BaseException:  # the job reports its own errors; anything else is a crash, told by the parent
        os._exit(70)


def _receive(reader: Connection, child: Any, elapsed: float) -> Any:
    try:
        result = reader.recv()
    except (EOFError, OSError):
        child.join(5)
        result = Failure("crash", elapsed, child.exitcode)
    finally:
        reader.close()
    child.join(5)
    return result


def _stop(child: Any) -> None:
    child.kill()
    child.join(5)


def _exit_text(code: int | None, lang: str) -> str:
    if code is not None and code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = str(-code)
        return f"信号 {name}" if lang == "zh" else f"signal {name}"
    return f"退出码 {code}" if lang == "zh" else f"exit code {code}"
