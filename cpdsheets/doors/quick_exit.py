"""End a finished command's process at once, skipping the interpreter's teardown.

After a 150,000-row `validate` or `recalc`, Python's shutdown frees every object one by one and
unloads pandas and NumPy: a tenth of a second or more in which nothing is done for the user.
"""

from __future__ import annotations

import atexit
import os
import sys
from typing import NoReturn


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
