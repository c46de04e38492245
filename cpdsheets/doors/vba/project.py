"""Assemble vbaProject.bin per MS-OVBA from text modules.

The project carries source only: _VBA_PROJECT is the 7-byte header with version 0xFFFF and every
module's text offset is 0, which tells Office there is no compiled cache, so it compiles the
source on load. That makes the output independent of the Office version and bitness.

Code page: 936 (GBK) by default. The schools run Chinese Windows, whose ANSI code page is 936, so
what a teacher types into the VBA editor round-trips; our own VBA stays ASCII (identical in 936
and 1252) and all Chinese text lives in Python.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from cpdsheets.doors.vba.cfb import write_cfb
from cpdsheets.doors.vba.compression import compress
from cpdsheets.doors.vba.modules import ModuleKind, VbaModule, VbaSourceError
from cpdsheets.doors.vba.obfuscation import encrypt

DEFAULT_CODEPAGE = 936
_LCID_EN_US = 0x0409  # MS-OVBA requires 0x409 for both PROJECTLCID and PROJECTLCIDINVOKE
_SYSKIND_WIN64 = 0x00000003
_VBA_PROJECT_STREAM = bytes.fromhex("CC61FFFF000100")
_HOST_EXTENDER = "&H00000001={3832D640-CF90-11CF-8E43-00A0C911005A};VBE;&H00000000"


class VbaBuildError(ValueError):
    """The modules cannot be assembled into a VBA project."""


@dataclass(frozen=True)
class Reference:
    """A registered type library reference (REFERENCENAME + REFERENCEREGISTERED)."""

    name: str
    libid: str


STDOLE = Reference(
    "stdole",
    r"*\G{00020430-0000-0000-C000-000000000046}#2.0#0#C:\Windows\System32\stdole2.tlb#OLE Automation",
)


def _u32(value: int) -> bytes:
    return value.to_bytes(4, "little")


def _u16(value: int) -> bytes:
    return value.to_bytes(2, "little")


def _record(record_id: int, payload: bytes) -> bytes:
    return _u16(record_id) + _u32(len(payload)) + payload


def _dual(record_id: int, unicode_id: int, text: str, codec: str) -> bytes:
    """A record with an MBCS string followed by its UTF-16 twin under a second id."""
    mbcs = text.encode(codec)
    wide = text.encode("utf-16-le")
    return _u16(record_id) + _u32(len(mbcs)) + mbcs + _u16(unicode_id) + _u32(len(wide)) + wide


def _dir_stream(name: str, modules: Sequence[VbaModule], references: Sequence[Reference], codepage: int, codec: str) -> bytes:
    out = bytearray()
    out += _record(0x0001, _u32(_SYSKIND_WIN64))
    out += _record(0x0002, _u32(_LCID_EN_US))
    out += _record(0x0014, _u32(_LCID_EN_US))
    out += _record(0x0003, _u16(codepage))
    out += _record(0x0004, name.encode(codec))
    out += _dual(0x0005, 0x0040, "", codec)  # docstring
    out += _dual(0x0006, 0x003D, "", codec)  # help file
    out += _record(0x0007, _u32(0))  # help context
    out += _record(0x0008, _u32(0))  # lib flags
    out += _u16(0x0009) + _u32(4) + _u32(1) + _u16(0)  # PROJECTVERSION: Reserved=4, major, minor
    out += _dual(0x000C, 0x003C, "", codec)  # conditional compilation constants
    for ref in references:
        out += _dual(0x0016, 0x003E, ref.name, codec)
        libid = ref.libid.encode(codec)
        out += _record(0x000D, _u32(len(libid)) + libid + _u32(0) + _u16(0))
    out += _record(0x000F, _u16(len(modules)))
    out += _record(0x0013, _u16(0xFFFF))  # project cookie
    for module in modules:
        out += _record(0x0019, module.name.encode(codec))
        out += _record(0x0047, module.name.encode("utf-16-le"))
        out += _dual(0x001A, 0x0032, module.name, codec)  # stream name = module name
        out += _dual(0x001C, 0x0048, module.docstring, codec)
        out += _record(0x0031, _u32(0))  # text offset: no compiled cache before the source
        out += _record(0x001E, _u32(0))  # help context
        out += _record(0x002C, _u16(0xFFFF))  # module cookie
        out += _record(0x0021 if module.kind is ModuleKind.STANDARD else 0x0022, b"")
        out += _record(0x002B, b"")  # module terminator
    out += _record(0x0010, b"")
    return bytes(out)


def _project_id(name: str) -> str:
    return "{" + str(uuid.uuid5(uuid.NAMESPACE_URL, f"urn:cpdsheets:vba:{name}")).upper() + "}"


def _seed(project_id: str, label: str) -> int:
    return hashlib.sha256(f"{project_id}:{label}".encode()).digest()[0]


def _project_stream(name: str, modules: Sequence[VbaModule], codec: str) -> bytes:
    project_id = _project_id(name)
    lines = [f'ID="{project_id}"']
    for module in modules:
        if module.kind is ModuleKind.DOCUMENT:
            lines.append(f"Document={module.name}/&H00000000")
        elif module.kind is ModuleKind.CLASS:
            lines.append(f"Class={module.name}")
        else:
            lines.append(f"Module={module.name}")
    not_protected = encrypt(bytes(4), project_id, _seed(project_id, "CMG"))
    no_password = encrypt(bytes(1), project_id, _seed(project_id, "DPB"))
    visible = encrypt(bytes([0xFF]), project_id, _seed(project_id, "GC"))
    lines += [
        f'Name="{name}"',
        'HelpContextID="0"',
        'VersionCompatible32="393222000"',
        # Not protected, no password, visible: the values Office writes for an open project.
        f'CMG="{not_protected}"',
        f'DPB="{no_password}"',
        f'GC="{visible}"',
        "",
        "[Host Extender Info]",
        _HOST_EXTENDER,
        "",
        "[Workspace]",
    ]
    lines += [f"{module.name}=0, 0, 0, 0, C" for module in modules]
    return ("\r\n".join(lines) + "\r\n").encode(codec)


def _project_wm(modules: Sequence[VbaModule], codec: str) -> bytes:
    out = bytearray()
    for module in modules:
        out += module.name.encode(codec) + b"\x00" + module.name.encode("utf-16-le") + b"\x00\x00"
    return bytes(out + b"\x00\x00")


def build_vba_project(
    modules: Sequence[VbaModule],
    *,
    project_name: str = "VBAProject",  # what Excel names every project it creates
    codepage: int = DEFAULT_CODEPAGE,
    references: Sequence[Reference] = (STDOLE,),
) -> bytes:
    """vbaProject.bin bytes holding these modules as source for Office to compile."""
    codec = f"cp{codepage}"
    try:
        "".encode(codec)
    except LookupError:
        raise VbaBuildError(f"code page {codepage} has no Python codec") from None
    seen: dict[str, str] = {}
    for module in modules:
        clash = seen.setdefault(module.name.upper(), module.name)
        if clash is not module.name:
            raise VbaBuildError(f"two modules named {clash!r} and {module.name!r} (VBA names ignore case)")
    if not project_name.isidentifier() or not project_name.isascii():
        raise VbaBuildError(f"project name {project_name!r} is not an ASCII identifier")

    streams: dict[str, bytes] = {}
    for module in modules:
        try:
            text = module.source.encode(codec)
        except UnicodeEncodeError as exc:
            bad = module.source[exc.start : exc.end]
            raise VbaBuildError(
                f"module {module.name}: {bad!r} is not representable in code page {codepage}; "
                "keep VBA source ASCII and put user-facing text in Python"
            ) from None
        streams[f"VBA/{module.name}"] = compress(text)
    streams["VBA/dir"] = compress(_dir_stream(project_name, modules, references, codepage, codec))
    streams["VBA/_VBA_PROJECT"] = _VBA_PROJECT_STREAM
    streams["PROJECT"] = _project_stream(project_name, modules, codec)
    streams["PROJECTwm"] = _project_wm(modules, codec)
    return write_cfb(streams)


def xlwings_vba_dir() -> Path:
    """Folder of the installed xlwings package, which ships the standalone VBA modules."""
    import xlwings

    return Path(xlwings.__file__).resolve().parent


def xlwings_standalone_modules() -> list[VbaModule]:
    """The modules a standalone xlwings workbook carries besides the user's own: xlwings, Dictionary."""
    root = xlwings_vba_dir()
    return [
        _read_module(root / "xlwings.bas", ModuleKind.STANDARD),
        _read_module(root / "addin" / "Dictionary.cls", ModuleKind.CLASS),
    ]


def _read_module(path: Path, kind: ModuleKind) -> VbaModule:
    try:
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise VbaBuildError(f"VBA source not found: {path}") from None
    except UnicodeDecodeError:
        raise VbaBuildError(f"{path} is not UTF-8 text") from None
    try:
        return VbaModule.from_text(text, kind=kind, fallback_name=path.stem)
    except VbaSourceError as exc:
        raise VbaBuildError(f"{path}: {exc}") from None


def _is_document_name(stem: str) -> bool:
    return stem == "ThisWorkbook" or (stem.startswith("Sheet") and stem[5:].isdigit())


def load_modules(xlmacros_dir: str | Path, worksheet_count: int) -> list[VbaModule]:
    """Document modules (ThisWorkbook, Sheet1..SheetN), xlmacros/*.bas and *.cls, then xlwings' (those
    xlmacros/ does not carry itself).

    A ThisWorkbook.cls or SheetN.cls in xlmacros supplies the code of that document module.
    Code names follow xlsxwriter's defaults (set_vba_name()), so worksheet_count must be the
    number of worksheets in the workbook.
    """
    folder = Path(xlmacros_dir)
    if not folder.is_dir():
        raise VbaBuildError(f"xlmacros folder not found: {folder}")
    if worksheet_count < 1:
        raise VbaBuildError("a workbook has at least one worksheet")
    document_code: dict[str, str] = {}
    own: list[VbaModule] = []
    for path in sorted(folder.glob("*.bas")):
        own.append(_read_module(path, ModuleKind.STANDARD))
    for path in sorted(folder.glob("*.cls")):
        if _is_document_name(path.stem):
            document_code[path.stem] = _read_module(path, ModuleKind.DOCUMENT).code
        else:
            own.append(_read_module(path, ModuleKind.CLASS))
    sheet_names = [f"Sheet{i}" for i in range(1, worksheet_count + 1)]
    unknown = set(document_code) - {"ThisWorkbook", *sheet_names}
    if unknown:
        raise VbaBuildError(f"document modules without a matching sheet: {sorted(unknown)}")
    documents = [VbaModule.document("ThisWorkbook", workbook=True, code=document_code.get("ThisWorkbook", ""))]
    documents += [VbaModule.document(n, workbook=False, code=document_code.get(n, "")) for n in sheet_names]
    # xlmacros/ may carry its own copy of an xlwings module under the same name (Dictionary.cls,
    # beside the xlwings server client Remote.bas and VBA-Web): that copy is the one compiled. A
    # name differing only in case is a clash, which build_vba_project refuses.
    taken = {m.name for m in own}
    return documents + own + [m for m in xlwings_standalone_modules() if m.name not in taken]


def build_from_sources(xlmacros_dir: str | Path, worksheet_count: int, **options: object) -> bytes:
    """vbaProject.bin for a workbook of worksheet_count sheets, from xlmacros and xlwings."""
    # ``options`` are build_vba_project's keywords, passed through; it checks their names itself.
    return build_vba_project(load_modules(xlmacros_dir, worksheet_count), **options)  # type: ignore[arg-type]
