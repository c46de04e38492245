"""VBA modules as Office stores them: an Attribute header followed by the code the editor shows.

Text files (.bas/.cls, as the VBA editor exports them) are parsed here; line ends are normalised
to CRLF because that is what the module streams hold, whatever git did to the checkout.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

_IDENTIFIER = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,30}$")
_ATTRIBUTE = re.compile(r"^Attribute\s+(VB_\w+)\s*=\s*(.*)$")
_CLASS_HEADER = ("VERSION 1.0 CLASS", "BEGIN", "END")

# VB_Base values Excel writes: the Workbook and Worksheet coclasses, and the generic class module.
WORKBOOK_BASE = '"0{00020819-0000-0000-C000-000000000046}"'
WORKSHEET_BASE = '"0{00020820-0000-0000-C000-000000000046}"'
CLASS_BASE = '"0{FCFB3D2A-A0FA-1068-A738-08002B3371B5}"'


class ModuleKind(StrEnum):
    STANDARD = "standard"
    CLASS = "class"
    DOCUMENT = "document"


class VbaSourceError(ValueError):
    """A .bas/.cls text cannot become a VBA module."""


def normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\r\n")


def _class_defaults(name: str, base: str, predeclared: bool, exposed: bool, customizable: bool) -> dict[str, str]:
    def flag(value: bool) -> str:
        return "True" if value else "False"

    return {
        "VB_Name": f'"{name}"',
        "VB_Base": base,
        "VB_GlobalNameSpace": "False",
        "VB_Creatable": "False",
        "VB_PredeclaredId": flag(predeclared),
        "VB_Exposed": flag(exposed),
        "VB_TemplateDerived": "False",
        "VB_Customizable": flag(customizable),
    }


@dataclass(frozen=True)
class VbaModule:
    """One module: name, kind, stored Attribute lines and the visible code (CRLF line ends)."""

    name: str
    kind: ModuleKind
    code: str
    attributes: tuple[tuple[str, str], ...]
    docstring: str = ""

    def __post_init__(self) -> None:
        if not _IDENTIFIER.match(self.name):
            raise VbaSourceError(f"module name {self.name!r} is not a VBA identifier of at most 31 characters")

    @property
    def source(self) -> str:
        """The text stored (compressed) in the module stream."""
        header = "".join(f"Attribute {key} = {value}\r\n" for key, value in self.attributes)
        return header + self.code

    @classmethod
    def document(cls, name: str, *, workbook: bool, code: str = "") -> VbaModule:
        """The module behind ThisWorkbook (workbook=True) or behind a worksheet code name."""
        attrs = _class_defaults(name, WORKBOOK_BASE if workbook else WORKSHEET_BASE, True, True, True)
        return cls(name, ModuleKind.DOCUMENT, normalise_newlines(code), tuple(attrs.items()))

    @classmethod
    def from_text(cls, text: str, *, kind: ModuleKind, fallback_name: str = "") -> VbaModule:
        """Parse an exported .bas (STANDARD), .cls (CLASS) or document .cls (DOCUMENT) text."""
        lines = normalise_newlines(text).split("\r\n")
        if kind is not ModuleKind.STANDARD and lines and lines[0].strip().upper() == _CLASS_HEADER[0]:
            try:
                end = next(i for i, line in enumerate(lines) if line.strip().upper() == _CLASS_HEADER[2])
            except StopIteration:
                raise VbaSourceError("class header VERSION 1.0 CLASS / BEGIN has no END line") from None
            lines = lines[end + 1 :]
        given: dict[str, str] = {}
        while lines and (match := _ATTRIBUTE.match(lines[0])):
            given[match.group(1)] = match.group(2).strip()
            lines = lines[1:]
        name = given.get("VB_Name", "").strip('"') or fallback_name
        if not name:
            raise VbaSourceError("module has no Attribute VB_Name line and no file name to fall back on")
        code = "\r\n".join(lines)
        if kind is ModuleKind.DOCUMENT:
            workbook = given.get("VB_Base", WORKBOOK_BASE if name == "ThisWorkbook" else WORKSHEET_BASE) == WORKBOOK_BASE
            return cls.document(name, workbook=workbook, code=code)
        if kind is ModuleKind.CLASS:
            attrs = _class_defaults(name, CLASS_BASE, False, False, False)
        else:
            attrs = {"VB_Name": f'"{name}"'}
        given.pop("VB_Name", None)
        attrs.update(given)
        docstring = _unescape_description(attrs.get("VB_Description", ""))
        return cls(name, kind, code, tuple(attrs.items()), docstring)


def _unescape_description(value: str) -> str:
    """VB_Description is a quoted VBA literal; the dir stream wants the text it denotes."""
    if len(value) >= 2 and value[0] == value[-1] == '"':
        value = value[1:-1].replace('""', '"')
    return value.replace("\\r", "\r").replace("\\n", "\n")
