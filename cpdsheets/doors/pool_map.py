"""The warm pool's map over books, the one fan-out every door hands a job that runs over many books
(:class:`cpdsheets.jobs.rollup.MapOverBooks`): the CLI's ``rollup`` and ``validate`` on their own
pool, the service's district pages on its resident one."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import as_completed
from typing import Any, TypeVar

from ..contract.texts import BilingualError
from .workers import WarmPool, WorkerFailure

_R = TypeVar("_R")


class PoolMap:
    """The warm pool's map over books, as the jobs take it (:class:`cpdsheets.jobs.rollup.MapOverBooks`):
    ``work(*call)`` for every call on the pool's workers, answered in the calls' order; a call whose
    worker crashed or went over a limit is answered with that ``WorkerFailure``, and the others are
    still done. ``done`` is called as each answer comes (a progress bar)."""

    def __init__(self, pool: WarmPool, done: Callable[[], object] | None = None) -> None:
        self.pool = pool
        self.done = done

    def __call__(self, work: Callable[..., _R], calls: Sequence[tuple[Any, ...]]) -> list[_R | BilingualError]:
        futures = [self.pool.submit(work, *call) for call in calls]
        for _ in as_completed(futures):
            if self.done is not None:
                self.done()
        answers: list[_R | BilingualError] = []
        for future in futures:
            try:
                answers.append(future.result())
            except WorkerFailure as exc:
                answers.append(exc)
        return answers
