"""Warm workers (issue 20, item 5): resident processes that import the engine once and take many
books, each book under the per-book limits. Real processes, real books; nothing is mocked."""

from __future__ import annotations

import pickle
import threading
import time

import pytest

import worker_calls as calls
from conftest import TRAININGS
from hostile import run_cli, wait_for
from cpdsheets.contract.texts import BilingualError
from cpdsheets.doors.batch import Failure, recalc_file, validate_file
from cpdsheets.doors.reader import WorkbookUnreadable, read_workbook
from cpdsheets.doors.workers import WarmPool, WorkerFailure


@pytest.fixture(scope="module")
def pool():
    with WarmPool(2, seconds=4, memory_mb=400) as p:
        yield p


def test_a_worker_imports_once_and_takes_many_calls(pool):
    assert pool.run(calls.engine_loaded) is True  # preloaded before its first call
    pids = {pool.run(calls.pid) for _ in range(20)}
    assert pids <= set(pool.pids()) and len(pids) <= 2
    assert [pool.run(calls.square, i) for i in range(5)] == [0, 1, 4, 9, 16]


def test_calls_run_side_by_side_and_futures_answer(pool):
    started = time.monotonic()
    futures = [pool.submit(calls.sleep, 0.6) for _ in range(4)]
    assert [f.result() for f in futures] == [0.6] * 4
    assert time.monotonic() - started < 2.3  # two at a time, not one after another (2.4 s)


def test_an_exception_of_the_call_is_raised_as_it_is(pool):
    with pytest.raises(ValueError, match="bad cell"):
        pool.run(calls.refuse, "bad cell")
    with pytest.raises(RuntimeError, match="could not be sent back"):
        pool.run(calls.odd_exception)
    assert pool.run(calls.square, 3) == 9  # the worker is still there


def test_what_a_call_prints_does_not_break_the_answer(pool):
    assert pool.run(calls.chatter) == "answer"


@pytest.mark.parametrize("call, args, kind", [(calls.sleep, (30,), "timeout"), (calls.die, (), "crash"),
                                              (calls.hold, (600, 30), "memory")])
def test_a_call_over_a_limit_fails_alone_and_its_worker_is_replaced(pool, call, args, kind):
    before = set(pool.pids())
    other = pool.submit(calls.sleep, 0.5)
    started = time.monotonic()
    with pytest.raises(WorkerFailure) as failed:
        pool.run(call, *args)
    assert failed.value.failure.kind == kind and time.monotonic() - started < 10
    assert isinstance(failed.value, BilingualError) and isinstance(failed.value.failure, Failure)
    assert other.result() == 0.5  # the call beside it is untouched
    assert pool.run(calls.square, 4) == 16
    assert wait_for(lambda: len(pool.pids()) == 2)  # a new worker takes the failed one's place at once
    assert set(pool.pids()) != before


def test_the_failure_says_why_in_one_line_in_both_languages(pool):
    with pytest.raises(WorkerFailure) as died:
        pool.run(calls.die)
    assert "SIGKILL" in died.value.message("en") and "信号 SIGKILL" in died.value.message("zh")
    assert "\n" not in died.value.message("zh")
    assert pickle.loads(pickle.dumps(died.value)).failure == died.value.failure


def test_arguments_that_cannot_travel_are_refused_in_the_callers_thread(pool):
    with pytest.raises((pickle.PicklingError, AttributeError, TypeError)):
        pool.submit(calls.square, threading.Lock())


def test_close_with_cancel_stops_running_calls_at_once():
    p = WarmPool(1, seconds=60)
    running = p.submit(calls.sleep, 30)
    queued = p.submit(calls.sleep, 30)
    while not running.running():
        time.sleep(0.02)
    started = time.monotonic()
    p.close(cancel=True)
    assert time.monotonic() - started < 5 and p.pids() == []
    assert queued.cancelled() and running.exception() is not None
    with pytest.raises(RuntimeError):
        p.submit(calls.square, 1)


def test_a_real_book_in_a_worker_gives_what_it_gives_here(pool, book_factory):
    rows = [list(r) for r in TRAININGS] + [["下周", "1001", "张三", "x", "通识培训", "校级", 2, "出勤"]]
    book = str(book_factory(培训记录=rows))
    here, there = validate_file(book), pool.run(validate_file, book)
    assert [f.as_dict() for f in there.findings] == [f.as_dict() for f in here.findings]
    assert there.errors == 1 and there.rows == here.rows and there.unreadable is None


def test_a_refusal_in_a_worker_reaches_the_caller_as_itself(pool, tmp_path):
    """A BilingualError subclass (here the reader's) is rebuilt in the parent with its own fields."""
    bad = tmp_path / "not-a-book.xlsx"
    bad.write_text("this is not a workbook", encoding="utf-8")
    with pytest.raises(WorkbookUnreadable) as refused:
        pool.run(recalc_file, str(bad), str(tmp_path / "out.xlsx"))
    assert refused.value.path == str(bad) and refused.value.message("en") and refused.value.message("zh")
    assert not (tmp_path / "out.xlsx").exists()


def test_a_resident_worker_recalculates_a_book_as_the_cli_does(pool, book_factory, tmp_path):
    book = book_factory()
    warm, cli = tmp_path / "warm.xlsx", tmp_path / "cli.xlsx"
    counts = pool.run(recalc_file, str(book), str(warm))
    assert run_cli("recalc", book, "-o", cli).returncode == 0
    ours, theirs = read_workbook(warm), read_workbook(cli)
    assert counts["teachers"] > 0 and list(ours.sheets) == list(theirs.sheets)
    for name in ours.sheets:
        if name != "运行记录":  # the run log holds the time of the run
            assert ours.sheets[name].rows == theirs.sheets[name].rows, name


def test_a_command_s_worker_imports_during_its_first_call():
    """``import_during_first_call`` (the CLI's one-book commands): the first call finds the engine not yet
    imported (its reader parses while the call imports it), the next finds it loaded; a call's answer is
    the same either way."""
    with WarmPool(1, seconds=60, import_during_first_call=True) as lazy:
        assert lazy.run(calls.engine_loaded) is False
        assert lazy.run(calls.engine_loaded) is True
        assert lazy.run(calls.square, 7) == 49
