"""An OPC package (the .xlsx/.xlsm zip) edited part by part.

Parts we do not change are copied as their stored compressed bytes, so they stay byte-identical
and cost no inflate/deflate; only changed or new parts are compressed again.
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from .zip_limits import LimitExceeded, check_directory

_LOCAL = struct.Struct("<4s2B4HL2L2H")
_CENTRAL = struct.Struct("<4s4B4HL2L5H2L")
_END = struct.Struct("<4s4H2LH")
_UTF8_FLAG = 0x800
_LIMIT = 0xFFFFFFFF
_FIXED_DOS_TIME = (0, (1980 - 1980) << 9 | 1 << 5 | 1)  # 1980-01-01 00:00: new parts are reproducible


class PackageError(Exception):
    pass


@dataclass(slots=True)
class _Entry:
    name: str
    info: zipfile.ZipInfo | None = None  # set while the part is still the original one
    data: bytes | None = None  # new uncompressed content
    deleted: bool = False


class Package:
    """Read an existing package; put/remove parts; write the result to a new file."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._file: BinaryIO = open(self.path, "rb")
        try:
            zf = zipfile.ZipFile(self._file)
            infos = zf.infolist()
        except (zipfile.BadZipFile, OSError, ValueError) as exc:
            self._file.close()
            raise PackageError(str(exc)) from exc
        try:
            check_directory(infos)  # sizes and ratios; zipfile stops each read at its declared size
        except LimitExceeded:
            self._file.close()
            raise
        self._zip = zf
        self._entries: dict[str, _Entry] = {}
        for info in infos:
            if info.flag_bits & 0x1:
                self.close()
                raise PackageError("encrypted zip entry")
            name = info.filename.replace("\\", "/")  # a backslash separator (docs/SPEC.md, "Packages from other writers") is read and written as /
            self._entries[name] = _Entry(name, info=info)
        self._cache: dict[str, bytes] = {}

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> Package:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- reading -------------------------------------------------------------------------
    def names(self) -> list[str]:
        return [e.name for e in self._entries.values() if not e.deleted]

    def has(self, name: str) -> bool:
        e = self._entries.get(name)
        return e is not None and not e.deleted

    def read(self, name: str) -> bytes:
        e = self._entries.get(name)
        if e is None or e.deleted:
            raise KeyError(name)
        if e.data is not None:
            return e.data
        if name not in self._cache:
            assert e.info is not None, name  # an entry holds new bytes or points into the source zip
            self._cache[name] = self._zip.read(e.info)
        return self._cache[name]

    def text(self, name: str) -> str:
        return self.read(name).decode("utf-8")

    def is_changed(self, name: str) -> bool:
        e = self._entries.get(name)
        return e is None or e.deleted or e.data is not None

    # -- editing -------------------------------------------------------------------------
    def put(self, name: str, data: bytes | str) -> None:
        """New content for a part; a part that existed (even if removed meanwhile) keeps its slot."""
        if isinstance(data, str):
            data = data.encode("utf-8")
        e = self._entries.get(name)
        if e is None:
            self._entries[name] = _Entry(name, data=data)
            return
        e.deleted = False
        if e.info is not None and e.data is None and self._cache.get(name) == data:
            return  # unchanged: keep the stored bytes
        if e.info is not None and e.data is None and name not in self._cache:
            if self._zip.read(e.info) == data:
                return
        e.data = data

    def remove(self, name: str) -> None:
        e = self._entries.get(name)
        if e is not None:
            e.deleted = True

    # -- writing -------------------------------------------------------------------------
    def write(self, out: BinaryIO) -> None:
        central: list[bytes] = []
        for e in self._entries.values():
            if e.deleted:
                continue
            central.append(self._write_entry(out, e))
        start = out.tell()
        for record in central:
            out.write(record)
        size = out.tell() - start
        if len(central) > 0xFFFF or start > _LIMIT:
            raise PackageError("package too large (zip64 not supported)")
        out.write(_END.pack(b"PK\x05\x06", 0, 0, len(central), len(central), size, start, 0))

    def _raw(self, info: zipfile.ZipInfo) -> bytes:
        self._file.seek(info.header_offset)
        head = self._file.read(_LOCAL.size)
        if head[:4] != b"PK\x03\x04":
            raise PackageError(f"bad local header for {info.filename}")
        fields = _LOCAL.unpack(head)
        self._file.seek(fields[10] + fields[11], 1)
        raw = self._file.read(info.compress_size)
        if len(raw) != info.compress_size:
            raise PackageError(f"truncated part {info.filename}")
        return raw

    def _write_entry(self, out: BinaryIO, e: _Entry) -> bytes:
        name_bytes = e.name.encode("utf-8")
        flags = _UTF8_FLAG if not e.name.isascii() else 0
        if e.data is None:
            info = e.info
            assert info is not None
            payload = self._raw(info)
            method, crc, usize = info.compress_type, info.CRC, info.file_size
            flags |= info.flag_bits & 0x6
            dt = info.date_time
            dos_time = (dt[3] << 11) | (dt[4] << 5) | (dt[5] // 2)
            dos_date = ((dt[0] - 1980) << 9) | (dt[1] << 5) | dt[2]
            version = max(info.extract_version, 20)
        else:
            payload = _deflate(e.data)
            method, crc, usize = zipfile.ZIP_DEFLATED, zlib.crc32(e.data), len(e.data)
            dos_time, dos_date = _FIXED_DOS_TIME
            version = 20
        offset = out.tell()
        if offset > _LIMIT or len(payload) > _LIMIT or usize > _LIMIT:
            raise PackageError("package too large (zip64 not supported)")
        out.write(_LOCAL.pack(b"PK\x03\x04", version, 0, flags, method, dos_time, dos_date,
                              crc, len(payload), usize, len(name_bytes), 0))
        out.write(name_bytes)
        out.write(payload)
        return _CENTRAL.pack(b"PK\x01\x02", 20, 0, version, 0, flags, method, dos_time, dos_date,
                             crc, len(payload), usize, len(name_bytes), 0, 0, 0, 0, 0,
                             offset) + name_bytes


def _deflate(data: bytes) -> bytes:
    # A big re-written sheet (marks) would spend seconds at level 6 for a few percent of size.
    c = zlib.compressobj(6 if len(data) < 4_000_000 else 1, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush()
