"""Names typed by people (a teacher's 姓名, a 工号) made into sheet names and file names.

One place for both, because the limits are counted differently and getting either wrong loses work:
- a sheet name is at most 31 UTF-16 code units (Excel counts that way: an emoji is two), holds none
  of ``[]:*?/\\``, is not quoted at its ends and is unique ignoring case;
- a file name is at most 255 *bytes* (ext4, APFS and most file systems count UTF-8 bytes: 100 Chinese
  characters are 300), holds none of Windows' forbidden characters and is no device name (``CON``).
Both lose what a person cannot see but a terminal or a file manager acts on: control characters,
bidi overrides and isolates (U+202E turns ``1001-张三.xlsx`` around on screen) and other invisible
format characters, except the joiner emoji sequences are built with. Cuts fall between characters,
never inside a surrogate pair or a UTF-8 sequence.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

SHEET_NAME_UNITS = 31  # Excel's limit, in UTF-16 code units
FILE_NAME_BYTES = 255  # the usual file-system limit (NAME_MAX), in bytes of the name's UTF-8
# LibreOffice opens NAME beside a lock file `.~lock.NAME#` (Excel's `~$NAME` is shorter): a name is kept
# this much under the limit, or the file is written but cannot be opened, and cannot be checked for
# being open either.
LOCK_FILE_ROOM = len(".~lock.#".encode())
_SHEET_FORBIDDEN = str.maketrans({c: "_" for c in "[]:*?/\\"})
_FILE_FORBIDDEN = str.maketrans({c: "_" for c in '<>:"/\\|?*'})
_RESERVED_SHEETS = {"history"}  # Excel keeps this name for itself
_WINDOWS_DEVICES = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}
_ZWJ = "\u200d"  # joins emoji (👩‍🏫): the one format character a name may keep
_SPACES = re.compile(r"\s+")


def visible_name(text: object) -> str:
    """``text`` without control, bidi and other invisible format characters; line breaks and runs of
    white space become one space; stripped."""
    kept = []
    for ch in str(text):
        kind = unicodedata.category(ch)
        if kind in ("Cc", "Zl", "Zp"):
            kept.append(" ")  # a line break inside a name separates words
        elif (kind == "Cf" and ch != _ZWJ and not 0xE0020 <= ord(ch) <= 0xE007F) or kind == "Cs":
            continue  # bidi marks/overrides/isolates, zero-width spaces, BOM; lone surrogates cannot be written
        elif ch in "\ufffe\uffff":
            continue
        else:
            kept.append(ch)
    return _SPACES.sub(" ", "".join(kept)).strip()


def utf16_units(text: str) -> int:
    return sum(2 if ord(ch) > 0xFFFF else 1 for ch in text)


def utf8_bytes(text: str) -> int:
    return len(text.encode("utf-8"))


def cut(text: str, fits: Callable[[str], bool]) -> str:
    """The longest prefix of ``text`` (whole characters) that ``fits``; a dangling joiner is dropped."""
    if fits(text):
        return text
    lo, hi = 0, len(text)
    while lo < hi:  # fits() grows with length: binary search on the character count
        mid = (lo + hi + 1) // 2
        if fits(text[:mid]):
            lo = mid
        else:
            hi = mid - 1
    return text[:lo].rstrip(_ZWJ)


def sheet_names(wanted: list[str]) -> list[str]:
    """Valid Excel sheet names for ``wanted``, in order: invisible characters dropped, forbidden ones
    replaced, at most 31 UTF-16 units, no leading or trailing apostrophe, unique ignoring case (a
    ``~2`` suffix when not)."""
    out: list[str] = []
    taken: set[str] = set()
    for name in wanted:
        base = visible_name(name).translate(_SHEET_FORBIDDEN).strip("'") or "Sheet"
        base = cut(base, lambda s: utf16_units(s) <= SHEET_NAME_UNITS).rstrip("'") or "Sheet"
        candidate, n = base, 1
        while _key(candidate) in taken or candidate.casefold() in _RESERVED_SHEETS:
            n += 1
            suffix = f"~{n}"
            candidate = cut(base, lambda s: utf16_units(s + suffix) <= SHEET_NAME_UNITS).rstrip("'") + suffix
        taken.add(_key(candidate))
        out.append(candidate)
    return out


def sheet_name(name: str) -> str:
    """One valid sheet name (see :func:`sheet_names`)."""
    return sheet_names([name])[0]


def file_stems(wanted: list[str], suffix: str, limit: int = FILE_NAME_BYTES) -> list[str]:
    """File names (without ``suffix``) that work on Windows, macOS and Linux: invisible characters
    dropped, forbidden ones replaced, no device name, not hidden, ``stem + suffix`` within ``limit``
    bytes with room for an office lock file, unique ignoring case and Unicode form (``-2`` when not)."""
    out: list[str] = []
    taken: set[str] = set()
    for stem in wanted:
        base = file_stem(stem, suffix, limit)
        candidate, n = base, 1
        while _key(candidate) in taken:
            n += 1
            tail = f"-{n}"
            candidate = cut(base, lambda s: _fits(s + tail + suffix, limit)).rstrip(". ") + tail
        taken.add(_key(candidate))
        out.append(candidate)
    return out


def file_stem(stem: str, suffix: str, limit: int = FILE_NAME_BYTES) -> str:
    """One file name's stem (see :func:`file_stems`), without the uniqueness."""
    base = visible_name(stem).translate(_FILE_FORBIDDEN).rstrip(". ")
    if base.split(".")[0].strip().upper() in _WINDOWS_DEVICES or base.startswith((".", "~$")):
        base = "_" + base  # CON.xlsx cannot be made on Windows; .x is hidden; ~$x is taken for a lock file
    base = cut(base or "_", lambda s: _fits(s + suffix, limit)).rstrip(". ")
    return base or "_"


def _fits(name: str, limit: int) -> bool:
    return utf8_bytes(name) + LOCK_FILE_ROOM <= limit


def _key(name: str) -> str:
    """What two names are the same under: Excel, Windows and macOS ignore case; macOS also the form."""
    return unicodedata.normalize("NFC", name).casefold()
