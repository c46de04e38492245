"""Text helpers for hand-written SpreadsheetML: escaping, cell references, sheet names."""

from __future__ import annotations

from ..contract.a1 import column_index, column_letters, split_a1  # noqa: F401  (re-exported)
from ..reports.safe_names import sheet_name

import re

# XML 1.0 forbids C0 controls except tab, LF, CR; Excel cannot store them either.
_CONTROL = dict.fromkeys([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0xFFFE, 0xFFFF])
_SURROGATE = re.compile("[\ud800-\udfff]")
# Excel decodes _xHHHH_ in stored strings; a literal one must have its underscore escaped.
_EXCEL_ESCAPE = re.compile(r"_(x[0-9A-Fa-f]{4}_)")
_ATTR = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"})
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


def safe_sheet_name(name: str) -> str:
    """A name Excel accepts: no []:*?/\\, not quoted at the ends, at most 31 UTF-16 units."""
    return sheet_name(name)


def quote_sheet(name: str) -> str:
    """Sheet name as it appears in a formula reference: always quoted, quotes doubled."""
    return "'" + name.replace("'", "''") + "'"


def link_location(target: str) -> str:
    """An internal link target ``'sheet'!A1`` with the quotes inside the sheet name doubled, as a
    reference must have them (``'O''Brien'!A1``); other targets are returned as they are."""
    if target.startswith("'") and "'!" in target:
        name, cell = target[1:].rsplit("'!", 1)
        return quote_sheet(name.replace("''", "'")) + "!" + cell
    return target


def display_width(text: str) -> float:
    """Approximate column width in characters; CJK characters count about two."""
    return (len(text) + len(text.encode("utf-8", "replace"))) / 2
