"""The warm worker itself (``python -m cpdsheets.doors.worker_process``), started by ``workers.WarmPool``.

It reads calls from stdin and writes answers to its own copy of stdout, one frame each (an 8-byte
length, then a pickle); whatever a call prints goes to stderr, so it can never be taken for an answer.
The first frame gives the parent's ``sys.path`` (so a function is found as the parent finds it), the
modules to import before the first call and whether to import them only after it; the worker answers
``READY`` once they are imported, so a book's time limit counts the book, not the start-up. A one-book
command imports them during its call instead: the book's sheets are parsed while the engine imports
(``batch.validate_file`` starts the reader first), as they were in a single process.
"""

from __future__ import annotations

import importlib
import os
import pickle
import signal
import struct
import sys
from typing import IO, Any

READY = b"ready"
_LENGTH = struct.Struct(">Q")


def read_frame(stream: IO[bytes]) -> bytes | None:
    """One frame from ``stream``; None at its end (the other side closed it or died)."""
    head = _read_exactly(stream, _LENGTH.size)
    if head is None:
        return None
    return _read_exactly(stream, _LENGTH.unpack(head)[0])


def write_frame(stream: IO[bytes], data: bytes) -> None:
    stream.write(_LENGTH.pack(len(data)) + data)
    stream.flush()


def _read_exactly(stream: IO[bytes], n: int) -> bytes | None:
    chunks, left = [], n
    while left:
        chunk = stream.read(left)
        if not chunk:
            return None
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def serve(calls: IO[bytes], answers: IO[bytes]) -> None:
    """Import once, then answer calls until the pool closes the pipe."""
    first = read_frame(calls)
    if first is None:
        return
    path, preload, during_first_call = pickle.loads(first)
    sys.path[:] = path
    if not during_first_call:
        _import_all(preload)
    write_frame(answers, READY)
    while (payload := read_frame(calls)) is not None:
        func, args, kwargs = pickle.loads(payload)
        try:
            answer: tuple[bool, Any] = (True, func(*args, **kwargs))
        except Exception as exc:  # the caller's to handle, as if it ran in its own process
            answer = (False, exc)
        write_frame(answers, _pickled(answer))
        if during_first_call:  # the first call imported what it needed as it went; the rest now
            during_first_call = False
            _import_all(preload)


def _import_all(names: tuple[str, ...]) -> None:
    for name in names:
        importlib.import_module(name)


def _pickled(answer: tuple[bool, Any]) -> bytes:
    """The answer, or an exception saying why it cannot travel (that must not end the worker)."""
    try:
        data = pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL)
        if not answer[0]:
            pickle.loads(data)  # an exception that pickles but cannot be rebuilt would fail in the parent
        return data
    except Exception as exc:
        what = answer[1] if not answer[0] else "the result"
        return pickle.dumps((False, RuntimeError(f"{what!r} could not be sent back from the worker: {exc!r}")))


def main() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C is the parent's to handle
    answers = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # a print in a call lands on stderr
    sys.stdout = sys.stderr
    serve(sys.stdin.buffer, answers)


if __name__ == "__main__":
    main()
