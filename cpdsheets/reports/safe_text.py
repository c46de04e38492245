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
    parts: list[str] = []
    try:
        _indented(doc, parts, "\n", nan_null=True)  # as json.dumps(_finite(doc), indent=2), _finite built in
        text = "".join(parts)
    except _NotPlain:
        text = json.dumps(_finite(doc), ensure_ascii=False, indent=2, allow_nan=False)
    return _UNSAFE_IN_JSON.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


class _NotPlain(Exception):
    """A value ``indented_json`` leaves to ``json.dumps``."""


def indented_json(doc: Any) -> str:
    """``json.dumps(doc, ensure_ascii=False, indent=2, allow_nan=False)``, character for character, for a
    document of dicts with string keys, lists and plain values. With ``indent`` the standard library
    encodes in Python, not C; the results of a school (thousands of alert fields) took as long to
    write out as to compute. Anything else is handed to ``json.dumps`` itself."""
    parts: list[str] = []
    try:
        _indented(doc, parts, "\n")
    except _NotPlain:
        return json.dumps(doc, ensure_ascii=False, indent=2, allow_nan=False)
    return "".join(parts)


_SCALARS = frozenset({str, int, float, bool, type(None)})
_FLAT: dict[str, Any] = {}  # indent -> an encoder of flat records at that depth


def _flat_encoder(item_separator: str) -> Any:
    """The C encoder ``json.dumps(ensure_ascii=False, allow_nan=False, separators=(item_separator, ": "))``
    uses, made once (``JSONEncoder.encode`` makes one per call)."""
    c_make_encoder = json.encoder.c_make_encoder  # type: ignore[attr-defined]
    if c_make_encoder is None:  # a Python without the _json accelerator
        encoder = json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(item_separator, ": "))
        return lambda value, _level: [encoder.encode(value)]
    probe = json.JSONEncoder(ensure_ascii=False, allow_nan=False)
    return c_make_encoder(None, probe.default, json.encoder.encode_basestring, None,
                          ": ", item_separator, False, False, False)


_STRING = json.encoder.encode_basestring  # what ensure_ascii=False writes


def _indented(value: Any, out: list[str], newline: str, nan_null: bool = False) -> None:
    """``nan_null``: a NaN or infinity is written null (``json_text``'s rule) instead of refused."""
    # The tests json.dumps makes, in its order: str, None, True, False, int, float, list, dict.
    if isinstance(value, str):
        out.append(_STRING(value))
    elif value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, int):
        out.append(int.__repr__(value))
    elif isinstance(value, float) and (math.isfinite(value) or nan_null):
        out.append(float.__repr__(value) if math.isfinite(value) else "null")
    elif isinstance(value, (list, tuple)) and value:
        inner = newline + "  "
        out.append("[" + inner)
        for i, item in enumerate(value):
            if i:
                out.append("," + inner)
            _indented(item, out, inner, nan_null)
        out.append(newline + "]")
    elif type(value) is dict and value and all(type(v) in _SCALARS for v in value.values()):
        # A flat record (a teacher, an alert): the C encoder writes it, the line breaks and indent
        # being its item separator; a string's own newlines are escaped, so none is mistaken for one.
        inner = newline + "  "
        flat = _FLAT.get(inner)
        if flat is None:
            flat = _FLAT[inner] = _flat_encoder("," + inner)
        try:
            out.append("{" + inner + "".join(flat(value, 0))[1:-1] + newline + "}")
        except ValueError:  # a NaN or infinity in it: refused, or written null field by field below
            if not nan_null:
                raise _NotPlain from None
            _record(value, out, newline, nan_null)
    elif isinstance(value, dict) and value:
        _record(value, out, newline, nan_null)
    elif isinstance(value, (list, tuple)):
        out.append("[]")
    elif isinstance(value, dict):
        out.append("{}")
    else:
        raise _NotPlain


def _record(value: dict[Any, Any], out: list[str], newline: str, nan_null: bool) -> None:
    inner = newline + "  "
    out.append("{" + inner)
    for i, (key, item) in enumerate(value.items()):
        if not isinstance(key, str):
            raise _NotPlain
        out.append(("," + inner if i else "") + _STRING(key) + ": ")
        _indented(item, out, inner, nan_null)
    out.append(newline + "}")


def _finite(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    return value
