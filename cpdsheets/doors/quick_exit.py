"""A one-shot command's process (`validate`, `recalc`): fewer collector passes while it works, and an
end at once, skipping the interpreter's teardown.

After a 150,000-row `validate` or `recalc`, Python's shutdown frees every object one by one and
unloads pandas and NumPy: a tenth of a second or more in which nothing is done for the user.
"""

from __future__ import annotations

import atexit
import gc
import os
import sys
from typing import NoReturn


# The collector's first generation is looked at every this many allocations (Python's default: 700).
# Reading a book makes millions of objects and almost no cycles: at the default the collections cost
# 4-5 % of a 150,000-row validate's or recalc's CPU time. Cycles are still collected.
GC_ALLOCATIONS = 20_000


def collect_less() -> None:
    """For the rest of the process, look for cycles less often (``GC_ALLOCATIONS``)."""
    first, *older = gc.get_threshold()
    if first:  # 0: collection switched off, left so
        gc.set_threshold(max(first, GC_ALLOCATIONS), *older)


def exit_now(done: SystemExit) -> NoReturn:
    """Exit as ``done`` would: exit handlers run and the standard streams are flushed first. Only
    for commands that leave no file open and no object whose finaliser must run (validate, recalc)."""
    code = done.code
    if code is not None and not isinstance(code, int):
        print(code, file=sys.stderr)  # what the interpreter does with a non-numeric exit status
        code = 1
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe (`| head`) or stream: nothing more to say
            pass
    os._exit(code or 0)
