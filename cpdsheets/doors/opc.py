"""Relationship and content-type plumbing of an OPC package, edited as text so every part keeps
its namespaces and markup compatibility attributes exactly as Excel wrote them."""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass

from cpdsheets.doors.xml_text import attr_xml
from cpdsheets.doors.zip_package import Package

RELS_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
WORKSHEET_REL = REL + "/worksheet"
WORKSHEET_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
CONTENT_TYPES = "[Content_Types].xml"
_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


def _attr(tag: str, name: str) -> str | None:
    m = re.search(rf'\s{name}\s*=\s*"([^"]*)"', tag) or re.search(rf"\s{name}\s*=\s*'([^']*)'", tag)
    return None if m is None else _unescape(m.group(1))


def _unescape(s: str) -> str:
    if "&" not in s:
        return s
    return (s.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&apos;", "'")
            .replace("&amp;", "&"))


@dataclass(slots=True)
class Rel:
    id: str
    type: str
    target: str
    external: bool
    xml: str


def rels_name(part: str) -> str:
    folder, base = posixpath.split(part)
    return posixpath.join(folder, "_rels", base + ".rels")


def resolve(part: str, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(part), target))


def relative(source_part: str, target_part: str) -> str:
    return posixpath.relpath(target_part, posixpath.dirname(source_part) or ".")


def parse_rels(xml: str) -> list[Rel]:
    out = []
    for m in re.finditer(r"<(?:\w+:)?Relationship\b[^>]*?/?>", xml):
        tag = m.group(0)
        out.append(Rel(_attr(tag, "Id") or "", _attr(tag, "Type") or "", _attr(tag, "Target") or "",
                       (_attr(tag, "TargetMode") or "") == "External", tag))
    return out


def read_rels(pkg: Package, part: str) -> list[Rel]:
    name = rels_name(part)
    return parse_rels(pkg.text(name)) if pkg.has(name) else []


def rels_xml(rels: list[tuple[str, str, str]]) -> str:
    body = "".join(f'<Relationship Id="{i}" Type="{t}" Target="{attr_xml(g)}"/>' for i, t, g in rels)
    return f'{_HEAD}<Relationships xmlns="{RELS_NS}">{body}</Relationships>'


def next_rid(rels: list[Rel]) -> str:
    used = {r.id for r in rels}
    n = max([int(m.group(1)) for r in rels if (m := re.fullmatch(r"rId(\d+)", r.id))] + [0]) + 1
    while f"rId{n}" in used:
        n += 1
    return f"rId{n}"


def free_name(pkg: Package, pattern: str, reserved: set[str] = frozenset()) -> str:
    """Lowest-numbered free part name for a pattern like 'xl/charts/chart{}.xml'."""
    n = 1
    while pkg.has(pattern.format(n)) or pattern.format(n) in reserved:
        n += 1
    return pattern.format(n)


def incoming_counts(pkg: Package) -> dict[str, int]:
    """How many relationships, over the whole package, point at each part."""
    counts: dict[str, int] = {}
    for name in pkg.names():
        if not name.endswith(".rels"):
            continue
        folder = posixpath.dirname(posixpath.dirname(name))
        source = posixpath.join(folder, posixpath.basename(name)[: -len(".rels")])
        for rel in parse_rels(pkg.text(name)):
            if not rel.external:
                t = resolve(source, rel.target)
                counts[t] = counts.get(t, 0) + 1
    return counts


class ContentTypes:
    """Override entries added and removed, applied in place at the end."""

    def __init__(self, pkg: Package):
        self.pkg = pkg
        self.xml = pkg.text(CONTENT_TYPES)
        self.added: dict[str, str] = {}
        self.removed: set[str] = set()
        self.defaults: dict[str, str] = {}

    def set(self, part: str, content_type: str) -> None:
        self.added[part] = content_type
        self.removed.discard(part)

    def drop(self, part: str) -> None:
        self.removed.add(part)
        self.added.pop(part, None)

    def default(self, ext: str, content_type: str) -> None:
        self.defaults[ext] = content_type

    def override_of(self, part: str) -> str | None:
        for m in re.finditer(r"<(?:\w+:)?Override\b[^>]*?/?>", self.xml):
            if (_attr(m.group(0), "PartName") or "").lstrip("/") == part:
                return _attr(m.group(0), "ContentType")
        return None

    def flush(self) -> None:
        pending = dict(self.added)

        def edit(m: re.Match[str]) -> str:
            part = (_attr(m.group(0), "PartName") or "").lstrip("/")
            if part in pending:
                ct = pending.pop(part)
                if _attr(m.group(0), "ContentType") == ct:
                    return m.group(0)
                return f'<Override PartName="/{attr_xml(part)}" ContentType="{ct}"/>'
            if part in self.removed:
                return ""
            return m.group(0)

        xml = re.sub(r"<(?:\w+:)?Override\b[^>]*?/>", edit, self.xml)
        extra = ""
        for ext, ct in self.defaults.items():
            if not re.search(rf'<(?:\w+:)?Default\b[^>]*Extension="{re.escape(ext)}"', xml, re.I):
                extra += f'<Default Extension="{ext}" ContentType="{ct}"/>'
        extra += "".join(f'<Override PartName="/{attr_xml(p)}" ContentType="{ct}"/>' for p, ct in pending.items())
        if extra:
            end = xml.rindex("</")
            xml = xml[:end] + extra + xml[end:]
        if xml != self.xml:
            self.pkg.put(CONTENT_TYPES, xml)
