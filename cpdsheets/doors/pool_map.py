"""The map over books every door hands a job that runs over many books
(:class:`cpdsheets.jobs.rollup.MapOverBooks`): :class:`PoolMap` on warm workers (the CLI's ``rollup``
and ``validate`` on a pool of their own, the service's district pages on its resident one), and
:class:`WatchedMap` for a command given a single book, done in its own process under the same limits."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import as_completed
from typing import Any, TypeVar

from ..contract.texts import BilingualError
from ..reports.path_text import readable_path
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


class WatchedMap:
    """``work(*call)`` for every call in this process, one after the other, each under the per-file
    limits a worker keeps (:func:`.watched_call.call_watched`): a second interpreter is not worth it
    for one book. A call over a limit is answered with that ``WorkerFailure``; ``call[0]`` is the
    file, named in the line said if the work cannot be stopped."""

    def __init__(self, lang: str = "zh") -> None:
        self.lang = lang

    def __call__(self, work: Callable[..., _R], calls: Sequence[tuple[Any, ...]]) -> list[_R | BilingualError]:
        from .watched_call import call_watched

        answers: list[_R | BilingualError] = []
        for call in calls:
            try:
                answers.append(call_watched(work, call, label=readable_path(str(call[0])), lang=self.lang))
            except WorkerFailure as exc:
                answers.append(exc)
        return answers
