"""Check a workbook's zip package against the limits before calamine or the writer inflates it.

Two steps: the central directory (declared sizes, counts, compression ratios: free), then one
streaming pass that inflates every part in chunks, with zipfile stopping each part at its declared
size and checking its CRC, and scans the worksheet XML for the farthest cell that has content.
calamine allocates a sheet as a dense grid up to that cell, so the grid is sized before it exists.
"""

from __future__ import annotations

import functools
import re
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from xml.parsers import expat

from ...contract.a1 import column_index, column_letters
from ...contract.texts import BilingualError, Catalogue
from .formula_cells import may_lack_results
from ..limits import limit

_CHUNK = 4 << 20
# Every writer we know puts `r` first on a cell: `<c r="B12" ...>`. Styled empty cells are counted
# too (calamine skips them), which only errs on the safe side; the exact pass leaves them out.
_ROW_DIGITS = re.compile(rb'<c r="[A-Z](\d{1,7})"')
_LAST_CELL = re.compile(rb'<c r="[A-Z](\d{1,7})"')
# A cell tag without `r` first, past column Z, or with a row number zero-padded or longer than Excel's.
_R_NOT_FIRST = re.compile(rb'<c(?! r=")[\s>/]')
_UNUSUAL_CELL = re.compile(rb'<c(?:(?! r=")[\s>/]| r="[A-Z](?:\D|0|\d{8}))')
# A cell tag with a namespace prefix (`<x:c r="A1">`, `<zz:c>`): calamine reads it as a cell, the patterns
# above do not see it, so its part is measured exactly. (`:` is rare in sheet XML: a cheap search.)
_PREFIXED_CELL = re.compile(rb":c[\s>/]")
_A1_REF = re.compile(r"^([A-Za-z]{1,3})(\d+)$")
_TAG_PREFIX = 64  # bytes of a cell tag the patterns above need to see whole
_SINGLE_LETTER_COLUMNS = 26
# What reading a damaged part raises: bad deflate data, CRC or size mismatch, truncation, bad header.
_INFLATE_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError, RuntimeError)


# A package over one of the limits, said with the number and the limit.
LIMITS = Catalogue("package limits", {
    "too-many-parts": ("压缩包内文件过多（{n_infos} 个，上限 {limit}）",
                       "too many parts in the package ({n_infos}, limit {limit})"),
    "zip-bomb": ("压缩包内 {filename} 的压缩比异常（{ratio}:1，上限 {limit}:1），疑似压缩炸弹",
                 "{filename} inflates {ratio}:1 (limit {limit}:1): a zip bomb"),
    "too-large": ("工作簿解压后过大（{mb}，上限 {mb2}）", "the workbook inflates to {mb} (limit {mb2})"),
    "used-range": ("工作表「{sheet}」的单元格 {far_cells} 有内容，读取范围达到 {cells:,} 个单元格（整个工作簿上限 {cap:,}）；请删除多余的值（在该表按 "
                   "Ctrl+End 可找到）后再试",
                   "sheet '{sheet}' has a value in {far_cells}, so its used range is {cells:,} cells (limit {cap:"
                   ",} for the workbook); delete the stray value (Ctrl+End on that sheet finds it) and retry"),
    "part-too-large": ("压缩包内 {name} 解压后过大（{mb}，上限 {mb2}）", "{name} inflates to {mb} (limit {mb2})"),
})


class LimitExceeded(BilingualError):
    """A package over a limit: ``message(lang)`` is the one line shown to the user."""


class CorruptPart(Exception):
    """A part whose inflated bytes do not match the directory (CRC, size, bad deflate data)."""

    def __init__(self, name: str):
        super().__init__(name)
        self.name = name


def check_directory(infos: list[zipfile.ZipInfo]) -> None:
    """The limits that the central directory alone decides: part count, sizes and ratios."""
    if len(infos) > limit("MAX_PARTS"):
        raise LimitExceeded(LIMITS["too-many-parts"].fill(n_infos=len(infos), limit=limit('MAX_PARTS')))
    total = 0
    for info in infos:
        size = info.file_size
        total += size
        if size > limit("MAX_PART_BYTES"):
            raise _too_big(info.filename, size)
        if size > limit("RATIO_FROM_BYTES") and size > limit("MAX_RATIO") * max(info.compress_size, 1):
            ratio = size // max(info.compress_size, 1)
            raise LimitExceeded(
                LIMITS["zip-bomb"].fill(filename=info.filename, ratio=ratio, limit=limit('MAX_RATIO')))
    if total > limit("MAX_TOTAL_BYTES"):
        raise LimitExceeded(LIMITS["too-large"].fill(mb=_mb(total), mb2=_mb(limit('MAX_TOTAL_BYTES'))))


@dataclass(slots=True)
class _Extent:
    """The grid calamine would allocate for one part: up to its farthest content row and column."""

    part: str
    rows: int = 0
    columns: int = 0
    exact: bool = False
    row_cell: str = ""  # the content cell that sets ``rows`` (known when exact)
    column_cell: str = ""  # the content cell that sets ``columns``

    @property
    def cells(self) -> int:
        return self.rows * self.columns

    @property
    def far_cells(self) -> str:
        return " / ".join(dict.fromkeys(c for c in (self.column_cell, self.row_cell) if c))


def scan_package(zf: zipfile.ZipFile, sheet_names: Callable[[], dict[str, str]] = dict,
                 on_sheet: Callable[[str, int], object] | None = None, formulas: set[str] | None = None) -> int:
    """Inflate every part once (bounded, CRC-checked) and bound the grid the worksheets need.

    Returns that bound in cells. Raises ``LimitExceeded`` (naming the sheet and its farthest
    cell) or ``CorruptPart``. ``sheet_names()`` maps part names to sheet names for the message.
    With ``on_sheet``, the parts that are not worksheets are scanned first, then each worksheet,
    after which ``on_sheet(part, cells)`` is told the bound so far: a reader may start on that sheet
    while the others are scanned, and allocates no more than the bound by doing so. ``formulas``, if
    given, gains the name of every part that may hold a formula without a saved result (see
    :mod:`.formula_cells`).
    """
    check_directory(zf.infolist())
    infos = [info for info in zf.infolist() if not info.is_dir()]
    sheets = set(sheet_names()) if on_sheet is not None else set()
    infos.sort(key=lambda info: info.filename.replace("\\", "/") in sheets)  # stable: zip order otherwise
    extents: list[_Extent] = []
    so_far = 0
    for info in infos:
        extent = _scan_part(zf, info, formulas)
        if extent is not None:
            extents.append(extent)
            so_far += extent.cells
        part = info.filename.replace("\\", "/")
        if on_sheet is not None and part in sheets:
            on_sheet(part, so_far)
    total = sum(e.cells for e in extents)
    if total <= limit("MAX_CELLS"):
        return total
    # The quick bound assumed 26 columns: measure the parts exactly before refusing.
    measured = (e if e.exact else _exact_extent(zf, zf.getinfo(e.part)) for e in extents)
    extents = [e for e in measured if e is not None]
    total = sum(e.cells for e in extents)
    if total <= limit("MAX_CELLS"):
        return total
    far = max(extents, key=lambda e: e.cells)
    sheet = sheet_names().get(far.part, far.part)
    cap = limit("MAX_CELLS")
    raise LimitExceeded(
        LIMITS["used-range"].fill(sheet=sheet, far_cells=far.far_cells, cells=far.cells, cap=cap))


def _scan_part(zf: zipfile.ZipFile, info: zipfile.ZipInfo, formulas: set[str] | None = None) -> _Extent | None:
    max_row = 0
    unusual = False
    carry = b""
    look_for_formulas = formulas is not None and info.filename.endswith(".xml")
    previous = b""
    try:
        with zf.open(info) as fh:
            while True:
                chunk = fh.read(_CHUNK)
                buf = carry + chunk
                cut = buf.rfind(b"<")
                if chunk and cut >= 0 and len(buf) - cut < _TAG_PREFIX:
                    body, carry = buf[:cut], buf[cut:]  # a tag cut by the chunk: finish it next time
                else:
                    body, carry = buf, b""
                max_row, unusual = _max_row(body, max_row)
                if look_for_formulas and may_lack_results(body, previous):
                    assert formulas is not None
                    formulas.add(info.filename)
                    look_for_formulas = False
                previous = body
                if unusual:
                    break
                if not chunk:
                    break
    except _INFLATE_ERRORS as exc:
        raise CorruptPart(info.filename) from exc
    if unusual:
        if look_for_formulas:  # the rest of the part was not looked at: let the reader look at it all
            assert formulas is not None
            formulas.add(info.filename)
        return _exact_extent(zf, info)
    if not max_row:
        return None
    return _Extent(info.filename, max_row, _SINGLE_LETTER_COLUMNS)


def _max_row(body: bytes, so_far: int) -> tuple[int, bool]:
    """The highest row of a cell in ``body`` and before, and whether an unusual cell was seen.

    Rows come in order in every real file, so the last cell's row is the candidate and one search
    confirms that no cell lies beyond it (a column past Z counts as unusual); only a file out of
    order pays for a full count. All searches run inside the regex engine, with no match objects.
    """
    last = _LAST_CELL.match(body, max(body.rfind(b'<c r="'), 0))
    candidate = max(so_far, int(last.group(1)) if last else 0)
    prefixed = _PREFIXED_CELL.search(body) is not None
    if not prefixed and _beyond(candidate).search(body) is None and _R_NOT_FIRST.search(body) is None:
        return candidate, False
    if prefixed or _UNUSUAL_CELL.search(body) is not None:
        return candidate, True
    return max(candidate, max(map(int, _ROW_DIGITS.findall(body)), default=0)), False


@functools.lru_cache(maxsize=64)
def _beyond(row: int) -> re.Pattern[bytes]:
    """A cell past ``row``, past column Z, or with a zero-padded row (two patterns cost less than one
    with ``_R_NOT_FIRST`` folded in)."""
    return re.compile(rb'<c r="[A-Z](?:\D|0|' + _greater(row).encode() + rb')')


def _greater(n: int) -> str:
    """A regular expression for a number above n (no leading zeros) and its closing quote."""
    digits = str(n)
    alternatives = [f"[1-9]\\d{{{len(digits)},}}"]
    for i, d in enumerate(digits):
        if d != "9":
            rest = len(digits) - i - 1
            alternatives.append(f"{digits[:i]}[{int(d) + 1}-9]" + (f"\\d{{{rest}}}" if rest else "") + '"')
    return "|".join(alternatives)


def _exact_extent(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> _Extent | None:
    """Every content cell's position as calamine counts it (a cell without `r` follows the one
    before it in its row). Slower, so only for parts the quick scan cannot bound."""
    extent = _Extent(info.filename, exact=True)
    try:
        _feed_cells(zf, info, extent)
    except _INFLATE_ERRORS as exc:
        raise CorruptPart(info.filename) from exc
    return extent if extent.cells else None


def _feed_cells(zf: zipfile.ZipFile, info: zipfile.ZipInfo, extent: _Extent) -> None:
    # expat without namespace processing: calamine matches elements by their local name whatever the
    # prefix, bound or not (`<zz:c>` is a cell to it), so a prefix is stripped here, never resolved: a
    # namespace-aware parser would stop at an unbound prefix and leave the grid unmeasured.
    parser = expat.ParserCreate()
    row = col = 0
    cell: list[int] | None = None  # the open cell's (row, col), and whether it holds an element
    has_content = False

    def start(name: str, attrs: dict[str, str]) -> None:
        nonlocal row, col, cell, has_content
        if cell is not None:
            has_content = True  # a value, inline string or formula: calamine keeps the cell
            return
        tag = _local(name)
        if tag == "row":
            r = attrs.get("r")
            row, col = (int(r) if r and r.isdigit() else row + 1), 0
        elif tag == "c":
            row, col = _cell_position(attrs.get("r"), row, col)
            cell, has_content = [row, col], False

    def end(name: str) -> None:
        nonlocal cell
        if cell is None or _local(name) != "c":
            return
        if has_content:
            ref = f"{column_letters(col - 1)}{row}"
            if row > extent.rows:
                extent.rows, extent.row_cell = row, ref
            if col > extent.columns:
                extent.columns, extent.column_cell = col, ref
        cell = None

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    with zf.open(info) as fh:
        while chunk := fh.read(1 << 20):
            try:
                parser.Parse(chunk, False)
            except expat.ExpatError:
                break  # not XML: calamine refuses it before allocating a grid


def _cell_position(ref: str | None, row: int, col: int) -> tuple[int, int]:
    m = _A1_REF.match(ref or "")
    if m is None:
        return row, col + 1
    return int(m.group(2)), column_index(m.group(1)) + 1


def _local(tag: str) -> str:
    return tag.rsplit(":", 1)[-1]


def _too_big(name: str, size: int) -> LimitExceeded:
    return LimitExceeded(LIMITS["part-too-large"].fill(name=name, mb=_mb(size), mb2=_mb(limit('MAX_PART_BYTES'))))


def _mb(n: float) -> str:
    return f"{n / (1 << 20):,.0f} MB"
