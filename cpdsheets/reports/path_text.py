"""A file name as a person can read it, whatever bytes the file system holds.

On Linux a name is bytes; Python hands over bytes that are not UTF-8 as lone surrogates
(``surrogateescape``), which no terminal, JSON or workbook can carry. Such names nearly always come
from a Windows zip unpacked here, so they are GBK/GB18030: shown decoded as that, or else with the
odd bytes written as ``\\xNN``. The path itself is kept for opening the file; this is for showing it.
"""

from __future__ import annotations

import os
import re

_ESCAPED = re.compile("[\udc80-\udcff]")


def readable_path(path: object) -> str:
    text = str(path)
    if not _ESCAPED.search(text):
        return text
    # Part by part: a UTF-8 folder may hold a file whose name came from a GBK zip.
    return "/".join(_part(os.fsencode(part)) for part in text.split("/"))


def _part(raw: bytes) -> str:
    for codec in ("utf-8", "gb18030"):
        try:
            return raw.decode(codec)
        except UnicodeDecodeError:
            pass
    return raw.decode("utf-8", errors="backslashreplace")
