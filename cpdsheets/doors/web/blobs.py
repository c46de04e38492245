"""Uploaded files, stored once by content hash under ``DIR/blobs``, written whole or not at all.

An upload is first copied into ``DIR/tmp`` (hashed and counted on the way, refused past the size
limit), and only a book the job accepted is moved into place by ``os.replace``: a server killed
mid-upload leaves a stray file in ``tmp`` (cleared at the next start) and never a half-written blob.
The blob is moved before its database row is committed (a row never points at a missing file), so a
kill between the two leaves a blob no book names; the next start removes those too.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path
from typing import BinaryIO

from ...contract.texts import BilingualError
from .texts import REFUSALS

CHUNK = 1 << 20


class UploadTooLarge(BilingualError):
    def __init__(self, limit_mb: int):
        super().__init__(REFUSALS["too-large"].fill(limit_mb=limit_mb))
        self.limit_mb = limit_mb


class Blobs:
    def __init__(self, data: Path):
        self.root = Path(data) / "blobs"
        self.tmp = Path(data) / "tmp"
        self.root.mkdir(parents=True, exist_ok=True)
        self.tmp.mkdir(parents=True, exist_ok=True)

    def clear_tmp(self) -> int:
        """Remove what a killed server left half-received; returns how many."""
        n = 0
        for p in self.tmp.iterdir():
            if p.is_dir():
                shutil.rmtree(p, ignore_errors=True)
            else:
                p.unlink(missing_ok=True)
            n += 1
        return n

    def clear_orphans(self, named: set[str]) -> int:
        """Remove stored blobs whose file name no book names (``named``: ``sha256 + suffix``): what a
        server killed between keeping a blob and committing its row left; returns how many. Run at
        start, before any upload, by the one service that owns ``DIR``."""
        n = 0
        for p in self.root.glob("*/*"):
            if p.is_file() and p.name not in named:
                p.unlink(missing_ok=True)
                n += 1
        return n

    def receive(self, source: BinaryIO, suffix: str, limit_bytes: int, limit_mb: int) -> tuple[Path, str, int]:
        """Copy ``source`` into a new file in ``tmp``: (path, sha256, size). Past the limit the copy
        is deleted and ``UploadTooLarge`` raised."""
        digest, size = hashlib.sha256(), 0
        fd, name = tempfile.mkstemp(dir=self.tmp, suffix=suffix)
        path = Path(name)
        try:
            with os.fdopen(fd, "wb") as out:
                while chunk := source.read(CHUNK):
                    size += len(chunk)
                    if size > limit_bytes:
                        raise UploadTooLarge(limit_mb)
                    digest.update(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
        except BaseException:
            path.unlink(missing_ok=True)
            raise
        return path, digest.hexdigest(), size

    def path(self, sha256: str, suffix: str) -> Path:
        return self.root / sha256[:2] / f"{sha256}{suffix}"

    def keep(self, received: Path, sha256: str, suffix: str) -> Path:
        """Move a received file to its place (atomic); the same content already stored is kept once."""
        target = self.path(sha256, suffix)
        if target.exists():
            received.unlink(missing_ok=True)
            return target
        target.parent.mkdir(exist_ok=True)
        os.replace(received, target)
        _fsync_dir(target.parent)
        return target

    def scratch(self) -> Path:
        """A private folder in ``tmp`` for a job's output (a processed book, an archive)."""
        return Path(tempfile.mkdtemp(dir=self.tmp))


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
