"""Which of the files a rollup is given are schools, each counted once.

A district folder holds more than one book per school by accident: a symlink to a book, the same
book copied under another name or given twice (``--merge a.json a.json``), the .xlsx a school's
.xlsm was bound from (``cpdsheets bind`` leaves it beside), and the district workbook a previous
rollup wrote into the folder. Each is the same school counted again, with false transfers. Files
are told apart by what they are — the file behind the name (device and inode), then the bytes
(SHA-256, hashed only among files of one size) — and the district workbook by the mark it carries.
Every file left out is a ``Skipped`` note naming the one kept.
"""

from __future__ import annotations

import hashlib
import os
import zipfile
from collections.abc import Sequence
from pathlib import Path

from ...contract.binding import MAPPING_SHEET_NAMES
from ...reports.path_text import readable_path
from ...reports.rollup import Skipped

# The custom document property the district workbook carries (docProps/custom.xml): a school's book
# never has it, and its value says which version wrote it.
MARK_NAME = "cpdsheets-district-rollup"
_MARK_BYTES = f'name="{MARK_NAME}"'.encode()
_PART_LIMIT = 1 << 20  # docProps/custom.xml and xl/workbook.xml are a few KB; more is not ours to read


def choose(files: Sequence[str]) -> tuple[list[str], list[Skipped]]:
    """The files to count, in the given order, and the notes for those left out."""
    skipped: list[Skipped] = []
    by_file: dict[tuple[int, int], str] = {}
    # A symlink's target is preferred to the link: the note then says the link was left out.
    order = sorted(range(len(files)), key=lambda i: (Path(files[i]).is_symlink(), i))
    chosen: set[int] = set()
    for i in order:
        path = files[i]
        if is_district_workbook(Path(path)):
            skipped.append(Skipped(readable_path(path), "own_output"))
            continue
        try:
            st = os.stat(path)
        except OSError:
            chosen.add(i)  # missing or unreadable: the job says so on its own line
            continue
        key = (st.st_dev, st.st_ino)
        if key in by_file:
            skipped.append(Skipped(readable_path(path), "same_file", readable_path(by_file[key])))
            continue
        by_file[key] = path
        chosen.add(i)
    same_bytes = _same_content([files[i] for i in sorted(chosen)])
    for path, first in same_bytes.items():
        skipped.append(Skipped(readable_path(path), "same_content", readable_path(first)))
    kept = [files[i] for i in sorted(chosen) if files[i] not in same_bytes]
    superseded = _bound_beside(kept)
    for path, bound in superseded.items():
        skipped.append(Skipped(readable_path(path), "bound_beside", readable_path(bound)))
    return [f for f in kept if f not in superseded], skipped


def _same_content(files: Sequence[str]) -> dict[str, str]:
    """Path -> the earlier path with the very same bytes. Only files of equal size are read."""
    by_size: dict[int, list[str]] = {}
    for f in files:
        try:
            by_size.setdefault(os.path.getsize(f), []).append(f)
        except OSError:
            pass
    out: dict[str, str] = {}
    for group in by_size.values():
        if len(group) < 2:
            continue
        first_of: dict[str, str] = {}
        for f in group:
            digest = _sha256(f)
            if digest is None:
                continue
            if digest in first_of:
                out[f] = first_of[digest]
            else:
                first_of[digest] = f
    return out


def _sha256(path: str) -> str | None:
    h = hashlib.sha256()
    try:
        with open(path, "rb") as fh:
            while chunk := fh.read(1 << 20):
                h.update(chunk)
    except OSError:
        return None
    return h.hexdigest()


def _bound_beside(files: Sequence[str]) -> dict[str, str]:
    """A school's .xlsx -> the .xlsm beside it of the same name that carries a 映射 sheet: `bind`
    wrote that from this, and says to use it from then on."""
    names = {os.path.normcase(os.path.abspath(f)): f for f in files}
    out: dict[str, str] = {}
    for f in files:
        p = Path(f)
        if p.suffix.lower() != ".xlsx":
            continue
        twin = names.get(os.path.normcase(os.path.abspath(p.with_suffix(".xlsm"))))
        if twin is not None and _has_mapping(Path(twin)) and not _has_mapping(p):
            out[f] = twin
    return out


def is_district_workbook(path: Path) -> bool:
    """The file is a district workbook that rollup wrote (it carries ``MARK_NAME``)."""
    part = _part(path, "docProps/custom.xml")
    return part is not None and _MARK_BYTES in part


def _has_mapping(path: Path) -> bool:
    part = _part(path, "xl/workbook.xml")
    if part is None:
        return False
    text = part.decode("utf-8", errors="replace")
    return any(f'name="{n}"' in text for n in MAPPING_SHEET_NAMES)


def _part(path: Path, name: str) -> bytes | None:
    try:
        with zipfile.ZipFile(path) as zf:
            info = next((i for i in zf.infolist() if i.filename == name), None)
            if info is None or info.file_size > _PART_LIMIT:
                return None
            return zf.read(info)
    except (OSError, zipfile.BadZipFile, ValueError, NotImplementedError, RuntimeError):
        return None
