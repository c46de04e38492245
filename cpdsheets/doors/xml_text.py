"""Text helpers for hand-written SpreadsheetML: escaping, cell references, sheet names."""

from __future__ import annotations

import re

# XML 1.0 forbids C0 controls except tab, LF, CR; Excel cannot store them either.
_CONTROL = dict.fromkeys([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0xFFFE, 0xFFFF])
_SURROGATE = re.compile("[\ud800-\udfff]")
# Excel decodes _xHHHH_ in stored strings; a literal one must have its underscore escaped.
_EXCEL_ESCAPE = re.compile(r"_(x[0-9A-Fa-f]{4}_)")
_ATTR = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"})
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
SHEET_NAME_MAX = 31


def clean_text(value: str) -> str:
    """Drop characters that cannot live in an XML part."""
    value = value.translate(_CONTROL)
    if _SURROGATE.search(value):
        value = _SURROGATE.sub("", value)
    return value


def text_xml(value: str) -> str:
    """Escaped element content for a cell string."""
    value = clean_text(value)
    if "&" in value:
        value = value.replace("&", "&amp;")
    if "<" in value:
        value = value.replace("<", "&lt;")
    if ">" in value:
        value = value.replace(">", "&gt;")
    if "_x" in value:
        value = _EXCEL_ESCAPE.sub(r"_x005F_\1", value)
    if "\r" in value:
        value = value.replace("\r", "&#13;")
    return value


def attr_xml(value: str) -> str:
    return clean_text(value).translate(_ATTR)


def column_letters(index: int) -> str:
    """0-based column index to Excel letters: 0 -> A, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def column_index(letters: str) -> int:
    """Excel letters to a 0-based column index."""
    index = 0
    for ch in letters.upper():
        index = index * 26 + ord(ch) - 64
    return index - 1


_A1 = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d+)$")


def split_a1(ref: str) -> tuple[int, int]:
    """'B12' -> (row 12, column index 1)."""
    m = _A1.match(ref.strip())
    if not m:
        raise ValueError(f"not an A1 cell reference: {ref!r}")
    return int(m.group(2)), column_index(m.group(1))


def safe_sheet_name(name: str) -> str:
    """A name Excel accepts: no []:*?/\\, not quoted at the ends, at most 31 characters."""
    name = _BAD_SHEET_CHARS.sub("_", clean_text(name)).strip("'") or "Sheet"
    return name[:SHEET_NAME_MAX]


def quote_sheet(name: str) -> str:
    """Sheet name as it appears in a formula reference: always quoted, quotes doubled."""
    return "'" + name.replace("'", "''") + "'"


def display_width(text: str) -> float:
    """Approximate column width in characters; CJK characters count about two."""
    return (len(text) + len(text.encode("utf-8", "replace"))) / 2
