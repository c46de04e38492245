"""Module-level functions a WarmPool runs in tests (a pool pickles a function by its name)."""

from __future__ import annotations

import os
import sys
import time


def square(x: int) -> int:
    return x * x


def pid() -> int:
    return os.getpid()


def engine_loaded() -> bool:
    return "cpdsheets.jobs.book" in sys.modules and "pandas" in sys.modules


def sleep(seconds: float) -> float:
    time.sleep(seconds)
    return seconds


def die() -> None:
    os.kill(os.getpid(), 9)  # as the OOM killer ends a process


def hold(mb: int, seconds: float) -> int:
    """Touch ``mb`` MB and keep them (a book that inflates past the ceiling)."""
    block = bytearray(mb << 20)
    for i in range(0, len(block), 4096):
        block[i] = 1
    time.sleep(seconds)
    return len(block)


def refuse(text: str) -> None:
    raise ValueError(text)


def chatter() -> str:
    print("a line a call prints must not be taken for its answer")
    return "answer"


class Local(Exception):
    def __init__(self, a: int, b: int):  # two arguments: the default pickling cannot rebuild it
        super().__init__(f"{a}-{b}")


def odd_exception() -> None:
    raise Local(1, 2)
