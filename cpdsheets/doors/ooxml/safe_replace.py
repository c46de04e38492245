"""Replace a workbook on disk without ever leaving it half-written.

The new package goes to a temporary file in the same folder (same filesystem, so the final
``os.replace`` is atomic), is fsync'ed, and only then takes the book's name. A symlinked book is
written through to its target (the link stays a link), and a run holds an exclusive lock on the
book from reading it to replacing it, so two runs never interleave.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

from cpdsheets.doors.limits import limit
from cpdsheets.doors.ooxml.write_errors import (
    FolderIsFile, FolderMissing, OutputIsFolder, WorkbookBusy, WorkbookLocked, WorkbookNotWritable, write_failed,
)

try:
    import fcntl
except ImportError:  # Windows: Excel's own sharing lock keeps a second writer out
    fcntl = None  # type: ignore[assignment]  # the module is optional: None means no POSIX locks


def lock_files(book: Path) -> list[Path]:
    """Owner files Excel/WPS (``~$name``) and LibreOffice (``.~lock.name#``) keep beside an open book."""
    return [book.with_name("~$" + book.name), book.with_name(".~lock." + book.name + "#")]


def backup_path(book: Path) -> Path:
    """Where the previous version is kept: beside the real file when ``book`` is a symlink."""
    real = real_path(book)
    return real.with_name(real.name + ".bak")


def real_path(path: Path) -> Path:
    """The file a path names after following symlinks (the path itself when it is none)."""
    path = Path(path)
    return Path(os.path.realpath(path)) if path.is_symlink() else path


def check_writable(target: Path) -> None:
    """Refuse when the target is open in an office suite or cannot be written."""
    for lock in dict.fromkeys(lock_files(target) + lock_files(real_path(target))):
        if lock.exists():
            raise WorkbookLocked(target, lock)
    shown, target = target, real_path(target)
    if target.is_dir():
        raise OutputIsFolder(shown)
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        if folder.exists():  # a file where the folder should be
            raise FolderIsFile(shown)
        raise FolderMissing(target)
    if target.exists():
        mode = target.stat().st_mode
        # The write bit, not os.access: an administrator would otherwise overwrite a read-only book.
        if not mode & stat.S_IWUSR or not os.access(target, os.W_OK):
            raise WorkbookNotWritable(target, "read-only file")
    if not os.access(folder, os.W_OK | os.X_OK) or not folder.stat().st_mode & stat.S_IWUSR:
        raise WorkbookNotWritable(target, "read-only folder")


@contextlib.contextmanager
def _temp_beside(target: Path) -> Iterator[tuple[BinaryIO, Path]]:
    try:
        fd, name = tempfile.mkstemp(prefix=".~cpdsheets-", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise write_failed(target, exc) from exc
    tmp = Path(name)
    try:
        with os.fdopen(fd, "wb") as fh:
            yield fh, tmp
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def atomic_write(target: Path, write: Callable[[BinaryIO], object], *, backup: bool, like: Path | None = None) -> Path:
    """Call ``write(fileobj)`` into a temp file beside ``target``, then swap it in.

    With ``backup``, the version being replaced is kept as ``target.bak``. ``like`` gives the file
    whose permission bits the result inherits (the source book). A symlink ``target`` is written
    through: its target file is replaced, in the target's folder. A failing disk (full, quota,
    file-size limit) raises ``WriteFailed`` with the book untouched and no temp file left.
    """
    check_writable(target)
    shown, target = target, real_path(target)
    try:
        with _temp_beside(target) as (fh, tmp):
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        try:
            template = like if like is not None and like.exists() else target
            if template.exists():
                shutil.copymode(template, tmp)
            else:
                os.chmod(tmp, 0o666 & ~_umask())
            if backup and target.exists():
                _keep_backup(target)
            os.replace(tmp, target)
        except BaseException:
            with contextlib.suppress(OSError):
                tmp.unlink()
            raise
    except OSError as exc:  # named by its cause: a full disk is only one of them
        raise write_failed(shown, exc) from exc
    _fsync_dir(target.parent)
    return shown


@contextlib.contextmanager
def book_lock(book: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``book`` (its real file) for a whole read-compute-write run.

    A second run waits up to ``LOCK_WAIT_SECONDS`` and then raises ``WorkbookBusy``. The lock is
    on the file itself, so after a run replaces the book a waiting run locks the new file: it
    reads the version the first run wrote, and its ``.bak`` is that version. Within one thread the
    lock is re-entrant.
    """
    path = real_path(Path(book))
    if fcntl is None or not path.is_file():
        yield
        return
    try:
        key = _file_key(os.stat(path))
    except OSError:
        key = None
    held = _held_here()
    if key is not None and key in held:
        yield  # this thread already holds it (a command that locks, then calls a writer that locks)
        return
    deadline = time.monotonic() + limit("LOCK_WAIT_SECONDS")
    while True:
        try:
            fd = os.open(path, os.O_RDONLY)
        except OSError:
            yield  # unreadable: the run reports that itself
            return
        if _try_lock(fd) and _still_names(path, fd):
            break
        os.close(fd)
        if time.monotonic() >= deadline:
            raise WorkbookBusy(book, limit("LOCK_WAIT_SECONDS"))
        time.sleep(0.1)
    key = _file_key(os.fstat(fd))
    held.add(key)
    try:
        yield
    finally:
        held.discard(key)
        os.close(fd)  # closing releases the lock


_THREAD = threading.local()


def _held_here() -> set[tuple[int, int]]:
    """The files this thread holds the lock of: flock would refuse a second lock on a new descriptor
    of the same file even in the same process, so a nested ``book_lock`` must not ask again."""
    if not hasattr(_THREAD, "held"):
        _THREAD.held = set()
    held: set[tuple[int, int]] = _THREAD.held
    return held


def _file_key(st: os.stat_result) -> tuple[int, int]:
    return st.st_dev, st.st_ino


def _try_lock(fd: int) -> bool:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def _still_names(path: Path, fd: int) -> bool:
    """The locked file is still the one at ``path`` (another run may have replaced it meanwhile)."""
    try:
        now, held = os.stat(path), os.fstat(fd)
    except OSError:
        return False
    return (now.st_dev, now.st_ino) == (held.st_dev, held.st_ino)


def _keep_backup(target: Path) -> None:
    bak = backup_path(target)
    staging = bak.with_name(bak.name + ".~tmp")
    with contextlib.suppress(FileNotFoundError):
        staging.unlink()
    try:
        try:
            os.link(target, staging)  # instant, and the old inode is exactly the previous version
        except OSError:
            shutil.copy2(target, staging)
        os.replace(staging, bak)
    except BaseException:
        with contextlib.suppress(OSError):
            staging.unlink()
        raise


def _fsync_dir(folder: Path) -> None:
    if os.name != "posix":
        return
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
