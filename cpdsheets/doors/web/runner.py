"""The service's one seam to the worker processes: jobs never run in the event loop.

The service runs its jobs on the doors' :class:`~cpdsheets.doors.workers.WarmPool`: resident worker
processes that have imported the engine (and this package's jobs, ``work``) once, each book under the
batch limits (time, memory). A book that kills its worker, or goes over a limit, fails that upload
alone with :class:`WorkerFailure`'s one line; the worker is replaced and the other uploads go on.
The routes only ever ``await asyncio.wrap_future(runner.submit(...))``.
"""

from __future__ import annotations

from ..workers import PRELOAD, WarmPool, WorkerFailure

__all__ = ["Runner", "WorkerFailure", "make_runner"]

Runner = WarmPool

# What a worker imports before its first upload: the batch's modules and the service's jobs.
SERVICE_PRELOAD = (*PRELOAD, "cpdsheets.doors.web.work")


def make_runner(workers: int | None = None, *, seconds: float | None = None,
                memory_mb: int | None = None) -> WarmPool:
    return WarmPool(workers, seconds=seconds, memory_mb=memory_mb, preload=SERVICE_PRELOAD)
