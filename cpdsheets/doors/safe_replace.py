"""Replace a workbook on disk without ever leaving it half-written.

The new package goes to a temporary file in the same folder (same filesystem, so the final
``os.replace`` is atomic), is fsync'ed, and only then takes the book's name.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

from cpdsheets.doors.write_errors import WorkbookLocked, WorkbookNotWritable


def lock_files(book: Path) -> list[Path]:
    """Owner files Excel/WPS (``~$name``) and LibreOffice (``.~lock.name#``) keep beside an open book."""
    return [book.with_name("~$" + book.name), book.with_name(".~lock." + book.name + "#")]


def backup_path(book: Path) -> Path:
    return book.with_name(book.name + ".bak")


def check_writable(target: Path) -> None:
    """Refuse when the target is open in an office suite or cannot be written."""
    for lock in lock_files(target):
        if lock.exists():
            raise WorkbookLocked(target, lock)
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise WorkbookNotWritable(target, "folder does not exist")
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
        raise WorkbookNotWritable(target, exc.strerror or "") from exc
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
    whose permission bits the result inherits (the source book).
    """
    check_writable(target)
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
    _fsync_dir(target.parent)
    return target


def _keep_backup(target: Path) -> None:
    bak = backup_path(target)
    staging = bak.with_name(bak.name + ".~tmp")
    with contextlib.suppress(FileNotFoundError):
        staging.unlink()
    try:
        os.link(target, staging)  # instant, and the old inode is exactly the previous version
    except OSError:
        shutil.copy2(target, staging)
    os.replace(staging, bak)


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
