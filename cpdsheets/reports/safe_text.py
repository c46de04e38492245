"""Text from a workbook made safe to print, and JSON that is always valid.

A cell, a sheet name or a file name may hold control characters (``\\x1b]0;…\\x07`` retitles a
terminal, ``\\r`` overwrites a line, U+202E reverses it). Every output shows them as visible escapes
such as ``\\x1b``, which also keeps JUnit XML well-formed (XML 1.0 cannot carry most of them).
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

# C0 and C1 controls, DEL, line/paragraph separators, bidi overrides and isolates, lone surrogates,
# and the two XML non-characters.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff\ufffe\uffff]")
_UNSAFE_KEEP_NEWLINE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069"
                                  "\ud800-\udfff\ufffe\uffff]")
# What json.dumps(ensure_ascii=False) leaves raw inside strings: everything above but C0 and quotes.
_UNSAFE_IN_JSON = re.compile("[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff\ufffe\uffff]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: object) -> str:
    """One line: every unsafe character, newlines included, as a visible escape."""
    return _UNSAFE.sub(_escape, str(text))


def visible_lines(text: str) -> str:
    """Like ``visible`` but keeping the newlines of a multi-line message."""
    return _UNSAFE_KEEP_NEWLINE.sub(_escape, text)


def json_text(doc: Any) -> str:
    """``doc`` as indented UTF-8 JSON: non-finite numbers become null (``allow_nan=False`` then
    guards the rule), and characters a terminal would act on are written as ``\\uXXXX``."""
    text = json.dumps(_finite(doc), ensure_ascii=False, indent=2, allow_nan=False)
    return _UNSAFE_IN_JSON.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _finite(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    return value
