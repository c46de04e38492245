"""Hostile and broken workbooks made from real ones, and the CLI run on them as a user would:
a subprocess with a memory ceiling, its exit status, output, peak memory and wall time."""

from __future__ import annotations

import os
import struct
import subprocess
import sys
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

import openpyxl

import cpdsheets

# The source tree under test: the one `import cpdsheets` found (PYTHONPATH picks it).
ROOT = Path(cpdsheets.__file__).parents[1]
TRACEBACK = "Traceback (most recent call last)"
MEMORY_CEILING = 2 << 30  # RLIMIT_AS for every CLI run here: far below what an unchecked read takes

# Runs the CLI as its child so the peak RSS of the CLI and of its own children is measured alone.
_MEASURE = """
import resource, signal, subprocess, sys, time
limit, file_size = int(sys.argv[1]), int(sys.argv[2])
def ceiling():
    if limit:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    if file_size:  # a full disk, for real: writes past this size fail with EFBIG
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (file_size, file_size))
started = time.perf_counter()
run = subprocess.run(sys.argv[3:], preexec_fn=ceiling)
seconds = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
sys.stderr.write(f"\\n@@measure {run.returncode} {peak} {seconds:.3f}\\n")
sys.exit(0)
"""


@dataclass
class CliRun:
    returncode: int
    stdout: str
    stderr: str
    peak_mb: float
    seconds: float


def run_cli(*args: object, memory: int = MEMORY_CEILING, file_size: int = 0, env: dict[str, str] | None = None,
            timeout: float = 300, pythonpath: Path | str = ROOT) -> CliRun:
    """``cpdsheets ARGS`` in a subprocess under an address-space ceiling (``memory`` bytes, 0 for
    none) and, with ``file_size``, a largest file it may write; ``pythonpath`` picks the source tree."""
    full_env = {**os.environ, "PYTHONPATH": str(pythonpath), "XLWINGS_LICENSE_KEY": "noncommercial",
                "COLUMNS": "200", **(env or {})}
    proc = subprocess.run([sys.executable, "-c", _MEASURE, str(memory), str(file_size), sys.executable, "-m", "cpdsheets.doors.cli",
                           *map(str, args)], capture_output=True, text=True, env=full_env, timeout=timeout,
                          errors="replace")
    stderr, _, tail = proc.stderr.rpartition("\n@@measure ")
    code, peak_kb, seconds = tail.split()
    return CliRun(int(code), proc.stdout, stderr, int(peak_kb) / 1024, float(seconds))


def rewrite_parts(src: Path, dst: Path, change) -> Path:
    """Copy a package, passing each part's name and bytes through ``change`` (None drops the part)."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = change(info.filename, zin.read(info))
            if data is not None:
                zout.writestr(info.filename, data)
    return dst


def with_far_value(src: Path, dst: Path, sheet: str, cell: str = "XFD1048576", value: str = "x") -> Path:
    wb = openpyxl.load_workbook(src)
    wb[sheet][cell] = value
    wb.save(dst)
    return dst


def zip_bomb(src: Path, dst: Path, part: str, inflated: int) -> Path:
    """``src`` with ``part``'s XML padded by ``inflated`` bytes of spaces (still valid XML), written
    in chunks so the test itself never holds it in memory."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename != part:
                zout.writestr(info.filename, data)
                continue
            head, _, tail = data.rpartition(b"</worksheet>")
            with zout.open(part, "w", force_zip64=False) as fh:
                fh.write(head)
                block = b" " * (8 << 20)
                left = inflated
                while left > 0:
                    fh.write(block[:left])
                    left -= len(block)
                fh.write(b"</worksheet>" + tail)
    return dst


def declare_size(path: Path, part: str, size: int) -> None:
    """Make the central directory claim ``part`` inflates to ``size`` bytes (a lying directory)."""
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as zf:
        names = [i.filename for i in zf.infolist()]
    end = data.rfind(b"PK\x05\x06")
    offset = struct.unpack_from("<L", data, end + 16)[0]
    for name in names:
        assert data[offset:offset + 4] == b"PK\x01\x02"
        name_len, extra_len, comment_len = struct.unpack_from("<3H", data, offset + 28)
        if data[offset + 46:offset + 46 + name_len].decode() == part:
            struct.pack_into("<L", data, offset + 24, size)
        offset += 46 + name_len + extra_len + comment_len
    path.write_bytes(bytes(data))


def sheet_part(book: Path, sheet: str) -> str:
    """The zip part that holds ``sheet`` (openpyxl numbers them in order)."""
    names = openpyxl.load_workbook(book, read_only=True).sheetnames
    return f"xl/worksheets/sheet{names.index(sheet) + 1}.xml"


def wait_for(predicate, seconds: float = 30.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False
