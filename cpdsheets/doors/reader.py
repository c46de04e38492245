"""Read a workbook file into a RawBook with calamine (Rust): bulk values in one call per sheet,
formula cells as their cached values, merged ranges reported, nothing evaluated."""

from __future__ import annotations

import ctypes
import functools
import itertools
import os
import posixpath
import sys
import threading
import zipfile
import zlib
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import python_calamine as calamine

from ..contract.book import CellColumns, RawBook, RawSheet
from ..contract.texts import BilingualError, Catalogue, Text
from .limits import limit
from .ooxml.formula_cells import uncalculated
from .ooxml.zip_limits import CorruptPart, LimitExceeded, scan_package

SUPPORTED = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")
_CHUNK_ROWS = 8192  # rows coded at a time: a few MB of Python objects
_PARSERS = 2  # sheets parsed at once; the log sheets of a real book are two to five large ones
_M_ARENA_MAX = -8  # glibc's mallopt parameter
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_WORKBOOK_PART = "xl/workbook.xml"  # where calamine and Excel look for the sheet list
_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


# Why a file cannot be read at all, the one line shown for it.
UNREADABLE = Catalogue("unreadable workbook", {
    "no-sheets": ("工作簿中没有任何工作表（文件已损坏）", "the workbook has no sheets (corrupt file)"),
    "file-not-found": ("文件不存在", "file not found"),
    "is-a-folder": ("这是一个文件夹，不是工作簿", "is a folder, not a workbook"),
    "cannot-open": ("无法打开文件（{strerror}）", "cannot open ({strerror})"),
    "file-is-empty": ("文件为空", "file is empty"),
    "encrypted": ("工作簿已加密（设置了打开密码），请先取消密码", "workbook is encrypted (password to open); remove the password first"),
    "not-xlsx": ("不是有效的 Excel 工作簿（文件内容不是 xlsx 格式）", "not a valid Excel workbook (content is not an xlsx package)"),
    "bad-crc": ("工作簿已损坏（{name} 校验失败）", "workbook is corrupt ({name} fails its CRC)"),
    "bad-zip": ("工作簿已损坏（压缩包无法打开）", "workbook is corrupt (the zip package cannot be opened)"),
    "not-ods": ("不是有效的 ODS 工作簿（缺少 content.xml）", "not a valid ODS workbook (no content.xml)"),
    "no-content-types": ("不是有效的 Excel 工作簿（缺少 [Content_Types].xml）",
                         "not a valid Excel workbook (no [Content_Types].xml)"),
    "no-workbook-part": ("工作簿已损坏（缺少 {main}，其中记录着所有工作表）",
                         "workbook is corrupt (no {main}, which lists its sheets)"),
    "cannot-read": ("无法读取工作簿：{text}", "cannot read workbook: {text}"),
})


class WorkbookUnreadable(BilingualError):
    """A file that cannot be read at all: the one-line reason is shown to the user."""

    def __init__(self, path: Path | str, zh: str | Text, en: str = ""):
        super().__init__(zh, en)
        self.path = str(path)


def read_workbook(path: Path | str, sheet_names: set[str] | None = None) -> RawBook:
    """All sheets (or those whose name is in ``sheet_names``), rows from A1."""
    return read_soon(path, sheet_names).result()


def read_soon(path: Path | str, sheet_names: set[str] | None = None) -> Reading:
    """Start checking the file and parsing its sheets; ``.result()`` turns them into the RawBook.

    The limits scan runs on a thread of its own and calamine parses on threads of its own, mostly
    without the GIL (zlib inflates and calamine parses with it released): a door that has yet to
    import the engine imports it between the two calls, while the file is scanned and parsed.
    Raises ``WorkbookUnreadable`` from ``.result()``."""
    path = Path(path)
    parser = _SheetParser(path)
    formula_parts: set[str] = set()
    opened: Future[list[calamine.SheetMetadata]] = Future()

    def open_book() -> None:
        try:
            opened.set_result(_open_book(path, parser, sheet_names, formula_parts))
        except BaseException as exc:  # raised again by ``.result()``, in the caller's thread
            parser.__exit__()
            opened.set_exception(exc)

    threading.Thread(target=open_book, name="limits-scan", daemon=True).start()
    return Reading(path, opened, parser, formula_parts)


def _open_book(path: Path, parser: _SheetParser, sheet_names: set[str] | None,
               formula_parts: set[str]) -> list[calamine.SheetMetadata]:
    """Check the file, starting each wanted sheet's parse as soon as the scan has passed it; the
    wanted sheets' metadata, every one of them being parsed."""
    # A sheet is parsed as soon as the limits scan has passed it (and every part calamine reads
    # on opening), while the scan goes on through the other sheets.
    _check_file(path, lambda name: parser.parse_soon(name) if sheet_names is None or name in sheet_names else None,
                formula_parts)
    try:
        wb = calamine.CalamineWorkbook.from_path(native_path(path))
    except Exception as exc:  # calamine raises its own error types per format
        raise _unreadable(path, exc) from None
    if not wb.sheets_metadata:
        wb.close()
        raise WorkbookUnreadable(path, UNREADABLE["no-sheets"])
    wanted = [m for m in wb.sheets_metadata if sheet_names is None or m.name in sheet_names]
    wb.close()
    for m in wanted:
        parser.parse_soon(m.name)
    return wanted


class Reading:
    """A workbook being checked and its sheets parsed (see ``read_soon``)."""

    def __init__(self, path: Path, opened: Future[list[calamine.SheetMetadata]], parser: _SheetParser,
                 formula_parts: set[str] | None = None) -> None:
        self.path = path
        self.opened = opened
        self.parser = parser
        self.formula_parts = formula_parts if formula_parts is not None else set()

    def result(self) -> RawBook:
        wanted = self.opened.result()  # the file's refusal, if any, is raised here
        sheets: dict[str, RawSheet] = {}
        try:
            with self.parser:
                for meta in wanted:  # calamine's grid goes as soon as it is coded: a lower peak
                    sheets[meta.name] = _raw_sheet(meta, self.parser.take(meta.name))
        except Exception as exc:
            raise _unreadable(self.path, exc) from None
        return RawBook(sheets, str(self.path), uncalculated=_uncalculated(self.path, self.formula_parts, set(sheets)))


def _raw_sheet(meta: calamine.SheetMetadata, sheet: calamine.CalamineSheet) -> RawSheet:
    merged = list(sheet.merged_cell_ranges or [])
    hidden = str(meta.visible) != "SheetVisibleEnum.Visible"
    # Column by column, each distinct value held once, the rows taken a few thousand at a time: a
    # Python list per row and an object per cell exist only for the chunk being coded. iter_rows
    # starts at row 1 but at the range's first column; to_python's empty cells left of it are "".
    start = sheet.start
    try:
        columns = CellColumns.from_chunks(_chunks(sheet.iter_rows()), left=start[1] if start else 0)
    except ValueError:  # calamine's grids are rectangular; if one is not, its rows are kept as read
        return RawSheet(meta.name, sheet.to_python(skip_empty_area=False), merged, hidden)
    return RawSheet(meta.name, merged=merged, hidden=hidden, columns=columns)


def _chunks(rows: Iterator[list[Any]]) -> Iterator[list[list[Any]]]:
    while chunk := list(itertools.islice(rows, _CHUNK_ROWS)):
        yield chunk


class _SheetParser:
    """Parses sheets ahead of their conversion to Python, on ``_PARSERS`` threads with a workbook
    handle each: calamine parses a sheet's XML without holding the GIL, so two large log sheets are
    parsed at once on two cores while the main thread turns the finished ones into rows."""

    def __init__(self, path: Path) -> None:
        _share_malloc_arena()
        self.path = native_path(path)
        self.local = threading.local()
        self.opened: list[calamine.CalamineWorkbook] = []
        self.pool = ThreadPoolExecutor(_PARSERS, thread_name_prefix="calamine")
        self.started: dict[str, Future[calamine.CalamineSheet]] = {}

    def __enter__(self) -> _SheetParser:
        return self

    def __exit__(self, *exc: object) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)
        for wb in self.opened:
            wb.close()

    def parse_soon(self, name: str) -> Future[calamine.CalamineSheet]:
        """The sheet's parse, started now unless it already was."""
        if name not in self.started:
            self.started[name] = self.pool.submit(self._parse, name)
        return self.started[name]

    def take(self, name: str) -> calamine.CalamineSheet:
        """The parsed sheet, no longer held here."""
        return self.started.pop(name).result()

    def _parse(self, name: str) -> calamine.CalamineSheet:
        wb = getattr(self.local, "wb", None)
        if wb is None:
            wb = self.local.wb = calamine.CalamineWorkbook.from_path(self.path)
            self.opened.append(wb)
        return wb.get_sheet_by_name(name)


@functools.cache
def _share_malloc_arena() -> None:
    """On glibc, threads allocate from the main malloc arena instead of one each: what calamine frees
    on a parser thread is then reused by the next sheet instead of held apart (a recalc's peak memory
    drops by about a fifth; the time is unchanged, as the parse threads seldom allocate at once)."""
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(None)
        libc.mallopt(_M_ARENA_MAX, 1)
    except (OSError, AttributeError):  # musl and other C libraries have no mallopt
        pass


def sheet_names(path: Path | str) -> list[str]:
    path = Path(path)
    _check_file(path)
    try:
        wb = calamine.CalamineWorkbook.from_path(native_path(path))
        names = list(wb.sheet_names)
        wb.close()
        return names
    except Exception as exc:
        raise _unreadable(path, exc) from None


def check_readable(path: Path | str) -> None:
    """Everything ``read_workbook`` refuses before reading (missing, not a workbook, encrypted,
    corrupt, over a limit), for the doors that edit a book without reading it first."""
    _check_file(Path(path))


def _uncalculated(path: Path, parts: set[str], read: set[str]) -> dict[str, list[tuple[str, str]]]:
    """Sheet -> its formula cells with no saved result, for the sheets read whose part holds formulas
    (only those parts are inflated again)."""
    if not parts:
        return {}
    out: dict[str, list[tuple[str, str]]] = {}
    try:
        with zipfile.ZipFile(path) as zf:
            names = _sheet_parts(zf)
            entries = _part_names(zf)
            for part in sorted(parts):
                sheet = names.get(part.replace("\\", "/"))
                if sheet in read and (cells := uncalculated(zf.read(entries.get(part, part)))):
                    out[sheet] = cells
    except (zipfile.BadZipFile, OSError, ValueError):
        return {}  # the sheets were read; what only sharpens a message is not worth failing for
    return out


def native_path(path: Path | str) -> str:
    """``path`` as calamine can open it. A name in GBK bytes (a Windows zip unpacked on Linux) reaches
    Python with surrogate escapes, which calamine's UTF-8 path cannot carry, so it would call an
    existing file missing: such a file is opened here and handed over as ``/proc/self/fd/N``."""
    text = str(path)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return _opened(text)
    return text


@functools.cache
def _opened(text: str) -> str:
    proc = Path("/proc/self/fd")
    if not proc.is_dir():
        return text  # no such door here: calamine's own error is reported
    try:
        fd = os.open(text, os.O_RDONLY)  # kept open for the process: a worker reads one or two books
    except OSError:
        return text
    return f"{proc}/{fd}"


def _check_file(path: Path, on_sheet: Callable[[str], object] | None = None,
                formula_parts: set[str] | None = None) -> None:
    """Refuse what cannot be read; ``on_sheet(name)`` is told of each worksheet the limits scan has
    passed, as long as the grids so far fit the limit; ``formula_parts`` gains the parts holding
    formulas."""
    if not path.exists():
        raise WorkbookUnreadable(path, UNREADABLE["file-not-found"])
    if path.is_dir():
        raise WorkbookUnreadable(path, UNREADABLE["is-a-folder"])
    try:
        with path.open("rb") as fh:
            head = fh.read(8)
    except OSError as exc:
        raise WorkbookUnreadable(path, UNREADABLE["cannot-open"].fill(strerror=exc.strerror)) from None
    if not head:
        raise WorkbookUnreadable(path, UNREADABLE["file-is-empty"])
    if head == _OLE_MAGIC and path.suffix.lower() != ".xls" and _is_encrypted(path):
        raise WorkbookUnreadable(path, UNREADABLE["encrypted"])
    if path.suffix.lower() in (".xlsx", ".xlsm", ".xlsb", ".ods") and head[:2] != b"PK":
        raise WorkbookUnreadable(path, UNREADABLE["not-xlsx"])
    if head[:2] == b"PK":
        _check_package(path, on_sheet, formula_parts)


def _check_package(path: Path, on_sheet: Callable[[str], object] | None,
                   formula_parts: set[str] | None = None) -> None:
    """The zip is whole and within the limits (sizes, ratios, grid) before calamine inflates it."""
    try:
        with zipfile.ZipFile(path) as zf:
            names = {n.replace("\\", "/") for n in zf.namelist()}  # a backslash separator is read as / (docs/SPEC.md)
            parts = functools.cache(lambda: _sheet_parts(zf))  # read once the directory has passed

            def passed(part: str, cells: int) -> None:
                if on_sheet is not None and cells <= limit("MAX_CELLS"):
                    on_sheet(parts()[part])

            scan_package(zf, parts, passed if on_sheet is not None else None, formula_parts)
    except LimitExceeded as exc:
        raise WorkbookUnreadable(path, "拒绝读取：" + exc.message("zh"), "refused: " + exc.message("en")) from None
    except CorruptPart as exc:
        raise WorkbookUnreadable(path, UNREADABLE["bad-crc"].fill(name=exc.name)) from None
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError, NotImplementedError, RuntimeError):
        raise WorkbookUnreadable(path, UNREADABLE["bad-zip"]) from None
    if path.suffix.lower() == ".ods":  # OpenDocument: a manifest and content.xml, no OPC parts
        if "content.xml" not in names:
            raise WorkbookUnreadable(path, UNREADABLE["not-ods"])
        return
    if "[Content_Types].xml" not in names:
        raise WorkbookUnreadable(path, UNREADABLE["no-content-types"])
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        with zipfile.ZipFile(path) as zf:
            main = _main_part(zf)
        if main not in names:
            raise WorkbookUnreadable(path, UNREADABLE["no-workbook-part"].fill(main=main))


def _part_names(zf: zipfile.ZipFile) -> dict[str, str]:
    """Part name (with /) -> the zip entry's own name, which some writers spell with \\."""
    return {n.replace("\\", "/"): n for n in zf.namelist()}


def _main_part(zf: zipfile.ZipFile) -> str:
    """The workbook part named by the package's officeDocument relationship (docs/SPEC.md: it need not be
    xl/workbook.xml); xl/workbook.xml when the package has no readable root relationships."""
    entries = _part_names(zf)
    if "_rels/.rels" in entries:
        try:
            rels = ElementTree.fromstring(zf.read(entries["_rels/.rels"]))
        except (ElementTree.ParseError, zipfile.BadZipFile, ValueError):
            return _WORKBOOK_PART
        for rel in rels:
            if rel.get("Type", "").endswith("/officeDocument") and rel.get("TargetMode") != "External":
                return posixpath.normpath(rel.get("Target", "").replace("\\", "/").lstrip("/"))
    return _WORKBOOK_PART


def _sheet_parts(zf: zipfile.ZipFile) -> dict[str, str]:
    """Worksheet part -> sheet name, from the workbook part and its relationships (for messages)."""
    entries = _part_names(zf)
    main = _main_part(zf)
    folder = posixpath.dirname(main)
    rels_part = posixpath.join(folder, "_rels", posixpath.basename(main) + ".rels")
    if main not in entries or rels_part not in entries:
        return {}  # messages then name the part instead of the sheet
    try:
        book = ElementTree.fromstring(zf.read(entries[main]))
        rels = ElementTree.fromstring(zf.read(entries[rels_part]))
    except (ElementTree.ParseError, zipfile.BadZipFile, ValueError):
        return {}
    targets = {r.get("Id"): r.get("Target", "") for r in rels}
    out = {}
    for sheet in book.iter(f"{{{_MAIN_NS}}}sheet"):
        target = targets.get(sheet.get(f"{{{_REL_NS}}}id"), "")
        target = target.replace("\\", "/")
        part = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
        out[part] = sheet.get("name", "")
    return out


def _is_encrypted(path: Path) -> bool:
    try:
        import olefile

        with olefile.OleFileIO(str(path)) as ole:
            return ole.exists("EncryptionInfo") or ole.exists("EncryptedPackage")
    except Exception:
        return False


def _unreadable(path: Path, exc: Exception) -> WorkbookUnreadable:
    text = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
    return WorkbookUnreadable(path, UNREADABLE["cannot-read"].fill(text=text))
