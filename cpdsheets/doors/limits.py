"""Every limit the doors enforce before doing work, in one place (the README lists them).

A file over a limit is refused with a one-line reason (exit 2) before calamine or the package
writer inflates it, so one hostile or broken workbook can neither exhaust the memory of a school
computer nor end a district's batch. An operator may raise a limit for one run with an environment
variable ``CPDSHEETS_LIMIT_<NAME>`` (e.g. ``CPDSHEETS_LIMIT_FILE_SECONDS=600``).
"""

from __future__ import annotations

import os

MiB = 1 << 20

# The zip package, checked from its central directory and again while inflating.
MAX_PART_BYTES = 512 * MiB  # one part inflated (a 150,000-row log sheet is about 30 MB)
MAX_TOTAL_BYTES = 1024 * MiB  # all parts inflated
MAX_RATIO = 200  # inflated/compressed size of a part; real sheets stay below 30, deflate caps at ~1030
RATIO_FROM_BYTES = 4 * MiB  # the ratio is only judged on parts that inflate past this
MAX_PARTS = 10_000

# The grid a reader allocates: calamine builds every sheet as a dense rows x columns array from A1,
# so one value in XFD1048576 would cost 17 billion cells. Counted from the cells' own references.
MAX_CELLS = 10_000_000  # the whole book; calamine and Python hold ~80 bytes a cell at this size

# Time one file may take in a `validate` batch before it is reported as timed out.
FILE_SECONDS = 300.0

# The resident size one warm worker may reach while it works on a book (a 150,000-row book peaks near
# 1 GB); over it, the worker is stopped and that book alone fails. See doors/workers.py.
WORKER_MEMORY_MB = 3072

# How long `recalc`/`clear-marks` wait for another run on the same book to finish.
LOCK_WAIT_SECONDS = 10.0


def limit(name: str) -> float:
    """The limit ``name`` (e.g. ``"FILE_SECONDS"``), or its ``CPDSHEETS_LIMIT_<NAME>`` override."""
    default = globals()[name]
    raw = os.environ.get(f"CPDSHEETS_LIMIT_{name}")
    if raw:
        try:
            value = float(raw)
        except ValueError:
            return default
        if value > 0:
            return type(default)(value)
    return default
