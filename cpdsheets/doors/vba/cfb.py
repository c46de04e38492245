"""A minimal MS-CFB (Compound File Binary) writer: version 3, 512-byte sectors.

Enough for a VBA project: storages and streams, FAT and DIFAT, a MiniFAT and mini stream for
streams under 4096 bytes, and directory sibling trees that satisfy the red-black rules, with
names ordered as MS-CFB 2.6.4 compares them (length first, then upper-cased code units).
Timestamps and CLSIDs are zero so the same input always gives the same bytes.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

SECTOR_SIZE = 512
MINI_SECTOR_SIZE = 64
MINI_STREAM_CUTOFF = 4096
_FAT_PER_SECTOR = SECTOR_SIZE // 4
_DIFAT_IN_HEADER = 109

FREESECT = 0xFFFFFFFF
ENDOFCHAIN = 0xFFFFFFFE
FATSECT = 0xFFFFFFFD
DIFSECT = 0xFFFFFFFC
NOSTREAM = 0xFFFFFFFF

_SIGNATURE = bytes.fromhex("D0CF11E0A1B11AE1")
_TYPE_STORAGE, _TYPE_STREAM, _TYPE_ROOT = 1, 2, 5
_RED, _BLACK = 0, 1


class CfbError(ValueError):
    """The requested compound file cannot be written (bad name, clashing paths)."""


@dataclass
class _Entry:
    name: str
    kind: int
    data: bytes = b""
    children: dict[str, _Entry] = field(default_factory=dict)
    left: int = NOSTREAM
    right: int = NOSTREAM
    child: int = NOSTREAM
    color: int = _BLACK
    start: int = ENDOFCHAIN
    index: int = -1


def name_sort_key(name: str) -> tuple[int, str]:
    """MS-CFB directory order: shorter names first, then by upper-cased UTF-16 code units."""
    units = name.encode("utf-16-le")
    upper = "".join(ch.upper() if len(ch.upper()) == 1 else ch for ch in name)
    return (len(units) // 2, upper)


def _check_name(name: str) -> None:
    if not name or len(name.encode("utf-16-le")) // 2 > 31:
        raise CfbError(f"entry name must be 1..31 UTF-16 code units: {name!r}")
    if any(ch in name for ch in "/\\:!"):
        raise CfbError(f"entry name must not contain / \\ : or !: {name!r}")


def _build_tree(streams: Mapping[str, bytes], storages: Iterable[str]) -> _Entry:
    root = _Entry("Root Entry", _TYPE_ROOT)

    def storage_at(parts: list[str]) -> _Entry:
        node = root
        for part in parts:
            _check_name(part)
            found = node.children.get(part.upper())
            if found is None:
                found = node.children[part.upper()] = _Entry(part, _TYPE_STORAGE)
            elif found.kind != _TYPE_STORAGE:
                raise CfbError(f"{part!r} is both a stream and a storage")
            node = found
        return node

    for path in storages:
        storage_at([p for p in path.split("/") if p])
    for path, data in streams.items():
        parts = [p for p in path.split("/") if p]
        if not parts:
            raise CfbError("empty stream path")
        parent = storage_at(parts[:-1])
        _check_name(parts[-1])
        if parts[-1].upper() in parent.children:
            raise CfbError(f"duplicate entry {path!r}")
        parent.children[parts[-1].upper()] = _Entry(parts[-1], _TYPE_STREAM, bytes(data))
    return root


def _flatten(root: _Entry) -> list[_Entry]:
    """Directory entries in a stable order, each storage's children linked as a balanced tree."""
    entries: list[_Entry] = []

    def visit(node: _Entry) -> None:
        node.index = len(entries)
        entries.append(node)
        kids = sorted(node.children.values(), key=lambda e: name_sort_key(e.name))
        for kid in kids:
            visit(kid)
        if kids:
            node.child = _link_balanced(kids)

    visit(root)
    return entries


def _link_balanced(kids: list[_Entry]) -> int:
    """Link sorted siblings as a midpoint-balanced tree and colour it red-black.

    Midpoint splitting keeps every empty child slot at depth d-1 or d; colouring the nodes of the
    deepest level red (when it is not full) gives all root-to-leaf paths the same black count.
    """
    depth_of: dict[int, int] = {}

    def link(lo: int, hi: int, depth: int) -> int:
        if lo >= hi:
            return NOSTREAM
        mid = (lo + hi) // 2
        node = kids[mid]
        depth_of[id(node)] = depth
        node.left = link(lo, mid, depth + 1)
        node.right = link(mid + 1, hi, depth + 1)
        return node.index

    top = link(0, len(kids), 0)
    deepest = max(depth_of.values())
    full = len(kids) == (1 << (deepest + 1)) - 1
    for kid in kids:
        kid.color = _RED if (not full and depth_of[id(kid)] == deepest and deepest > 0) else _BLACK
    return top


def _chain(fat: list[int], first: int, count: int) -> None:
    for i in range(count):
        fat[first + i] = first + i + 1 if i < count - 1 else ENDOFCHAIN


def _sectors(length: int, size: int) -> int:
    return (length + size - 1) // size


def _dir_entry(entry: _Entry, size: int) -> bytes:
    name = entry.name.encode("utf-16-le") + b"\x00\x00"
    return struct.pack(
        "<64sHBBIII16sIQQIQ",
        name,
        len(name),
        entry.kind,
        entry.color,
        entry.left,
        entry.right,
        entry.child,
        b"\x00" * 16,
        0,
        0,
        0,
        0 if entry.kind == _TYPE_STORAGE else entry.start,  # MS-CFB 2.6.3: a storage's start sector is 0
        size,
    )


_EMPTY_DIR_ENTRY = struct.pack(
    "<64sHBBIII16sIQQIQ", b"", 0, 0, 0, NOSTREAM, NOSTREAM, NOSTREAM, b"\x00" * 16, 0, 0, 0, 0, 0
)


def write_cfb(streams: Mapping[str, bytes], storages: Iterable[str] = ()) -> bytes:
    """Compound file bytes holding streams keyed by '/'-separated paths (storages implied).

    storages lists extra, possibly empty, storages to create.
    """
    entries = _flatten(_build_tree(streams, storages))
    root = entries[0]

    mini = bytearray()
    minifat: list[int] = []
    big: list[_Entry] = []
    for entry in entries:
        if entry.kind != _TYPE_STREAM or not entry.data:
            continue
        if len(entry.data) < MINI_STREAM_CUTOFF:
            count = _sectors(len(entry.data), MINI_SECTOR_SIZE)
            entry.start = len(minifat)
            minifat.extend([0] * count)
            _chain(minifat, entry.start, count)
            mini += entry.data.ljust(count * MINI_SECTOR_SIZE, b"\x00")
        else:
            big.append(entry)

    # Sector layout: big streams, mini stream, directory, MiniFAT, then FAT and DIFAT sectors.
    layout: list[tuple[_Entry | str, int]] = [(e, _sectors(len(e.data), SECTOR_SIZE)) for e in big]
    if mini:
        layout.append(("mini", _sectors(len(mini), SECTOR_SIZE)))
    dir_count = _sectors(len(entries) * 128, SECTOR_SIZE)
    layout.append(("dir", dir_count))
    minifat_count = _sectors(len(minifat) * 4, SECTOR_SIZE)
    if minifat_count:
        layout.append(("minifat", minifat_count))
    data_count = sum(n for _, n in layout)

    fat_count = difat_count = 0
    while True:
        total = data_count + fat_count + difat_count
        need_fat = _sectors(total, _FAT_PER_SECTOR)
        need_difat = _sectors(max(0, need_fat - _DIFAT_IN_HEADER), _FAT_PER_SECTOR - 1)
        if (need_fat, need_difat) == (fat_count, difat_count):
            break
        fat_count, difat_count = need_fat, need_difat

    fat = [FREESECT] * (fat_count * _FAT_PER_SECTOR)
    starts: dict[str, int] = {}
    sector = 0
    for item, count in layout:
        _chain(fat, sector, count)
        if isinstance(item, _Entry):
            item.start = sector
        else:
            starts[item] = sector
        sector += count
    fat_start = sector
    for i in range(fat_count):
        fat[fat_start + i] = FATSECT
    difat_start = fat_start + fat_count
    for i in range(difat_count):
        fat[difat_start + i] = DIFSECT

    root.start = starts.get("mini", ENDOFCHAIN)
    directory = bytearray()
    for entry in entries:
        size = len(mini) if entry is root else len(entry.data)
        directory += _dir_entry(entry, size)
    directory += _EMPTY_DIR_ENTRY * (dir_count * 4 - len(entries))

    fat_sectors = [fat_start + i for i in range(fat_count)]
    header_difat = fat_sectors[:_DIFAT_IN_HEADER] + [FREESECT] * (_DIFAT_IN_HEADER - min(fat_count, _DIFAT_IN_HEADER))
    header = struct.pack(
        "<8s16sHHHHH6sIIIIIIIII",
        _SIGNATURE,
        b"\x00" * 16,
        0x003E,
        0x0003,
        0xFFFE,
        9,
        6,
        b"\x00" * 6,
        0,
        fat_count,
        starts["dir"],
        0,
        MINI_STREAM_CUTOFF,
        starts.get("minifat", ENDOFCHAIN),
        minifat_count,
        difat_start if difat_count else ENDOFCHAIN,
        difat_count,
    ) + struct.pack(f"<{_DIFAT_IN_HEADER}I", *header_difat)

    out = bytearray(header)
    for item, count in layout:
        if isinstance(item, _Entry):
            payload = item.data
        elif item == "mini":
            payload = bytes(mini)
        elif item == "dir":
            payload = bytes(directory)
        else:
            payload = struct.pack(f"<{len(minifat)}I", *minifat) + b"\xff" * (
                minifat_count * SECTOR_SIZE - 4 * len(minifat)
            )
        out += payload.ljust(count * SECTOR_SIZE, b"\x00")
    out += struct.pack(f"<{len(fat)}I", *fat)
    rest = fat_sectors[_DIFAT_IN_HEADER:]
    for i in range(difat_count):
        part = rest[i * 127 : (i + 1) * 127]
        nxt = difat_start + i + 1 if i < difat_count - 1 else ENDOFCHAIN
        out += struct.pack("<127I", *(part + [FREESECT] * (127 - len(part)))) + struct.pack("<I", nxt)
    return bytes(out)
