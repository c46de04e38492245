"""Relationship and content-type plumbing of an OPC package, parsed as XML (:mod:`xml_tree`):
a part we edit keeps its namespaces and markup compatibility attributes as Excel wrote them."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Set
from dataclasses import dataclass

from lxml import etree

from cpdsheets.doors.ooxml.xml_tree import REL, XmlPart, children, make, new_part
from cpdsheets.doors.ooxml.zip_package import Package

RELS_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
WORKSHEET_REL = REL + "/worksheet"
WORKSHEET_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
CONTENT_TYPES = "[Content_Types].xml"
_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


@dataclass(slots=True)
class Rel:
    id: str
    type: str
    target: str
    external: bool
    el: etree._Element | None = None


def rels_name(part: str) -> str:
    folder, base = posixpath.split(part)
    return posixpath.join(folder, "_rels", base + ".rels")


def resolve(part: str, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(part), target))


def relative(source_part: str, target_part: str) -> str:
    return posixpath.relpath(target_part, posixpath.dirname(source_part) or ".")


def _rels_of(root: etree._Element) -> list[Rel]:
    return [Rel(r.get("Id", ""), r.get("Type", ""), r.get("Target", ""), r.get("TargetMode", "") == "External", r)
            for r in children(root, RELS_NS, "Relationship")]


def parse_rels(data: bytes | str, name: str = "") -> list[Rel]:
    return _rels_of(XmlPart(data, name).root)


def read_rels(pkg: Package, part: str) -> list[Rel]:
    name = rels_name(part)
    return parse_rels(pkg.read(name), name) if pkg.has(name) else []


def rels_xml(rels: list[tuple[str, str, str]], external: frozenset[str] = frozenset()) -> str:
    """A relationships part; ids in ``external`` point outside the package (a web address)."""
    doc = new_part(f'{_HEAD}<Relationships xmlns="{RELS_NS}"/>')
    for i, t, g in rels:
        attrs = {"Id": i, "Type": t, "Target": g} | ({"TargetMode": "External"} if i in external else {})
        doc.root.append(make(doc.root, RELS_NS, "Relationship", attrs))
    return doc.to_bytes().decode("utf-8")


def next_rid(rels: list[Rel]) -> str:
    used = {r.id for r in rels}
    n = max([int(m.group(1)) for r in rels if (m := re.fullmatch(r"rId(\d+)", r.id))] + [0]) + 1
    while f"rId{n}" in used:
        n += 1
    return f"rId{n}"


class Rels:
    """One part's relationships part, edited in place; :meth:`flush` writes it (or removes it
    when it ends up empty and was ours to create)."""

    def __init__(self, pkg: Package, source: str):
        self.pkg = pkg
        self.source = source
        self.name = rels_name(source)
        self.existed = pkg.has(self.name)
        self.doc = XmlPart(pkg.read(self.name) if self.existed else rels_xml([]), self.name)
        self.rels = _rels_of(self.doc.root)
        self.changed = False

    def of_type(self, rel_type: str) -> Rel | None:
        return next((r for r in self.rels if r.type == rel_type and not r.external), None)

    def target_of(self, rel: Rel) -> str:
        return resolve(self.source, rel.target)

    def add(self, rel_type: str, target_part: str) -> Rel:
        rid = next_rid(self.rels)
        target = relative(self.source, target_part)
        el = make(self.doc.root, RELS_NS, "Relationship", {"Id": rid, "Type": rel_type, "Target": target})
        self.doc.root.append(el)
        rel = Rel(rid, rel_type, target, False, el)
        self.rels.append(rel)
        self.changed = True
        return rel

    def drop(self, rel: Rel) -> None:
        if rel.el is not None and rel.el.getparent() is not None:
            rel.el.getparent().remove(rel.el)
        self.rels = [r for r in self.rels if r is not rel]
        self.changed = True

    def set_type(self, rel: Rel, rel_type: str) -> None:
        if rel.type != rel_type:
            assert rel.el is not None  # a relationship read from a part has its element
            rel.el.set("Type", rel_type)
            rel.type = rel_type
            self.changed = True

    def flush(self) -> None:
        if not self.changed:
            return
        if not self.rels:
            self.pkg.remove(self.name)
        else:
            self.pkg.put(self.name, self.doc.to_bytes())
        self.changed = False


def free_name(pkg: Package, pattern: str, reserved: Set[str] = frozenset()) -> str:
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
        for rel in parse_rels(pkg.read(name), name):
            if not rel.external:
                t = resolve(source, rel.target)
                counts[t] = counts.get(t, 0) + 1
    return counts


class ContentTypes:
    """Override entries added and removed, and Default entries added, applied at the end."""

    def __init__(self, pkg: Package):
        self.pkg = pkg
        self.doc = XmlPart(pkg.read(CONTENT_TYPES), CONTENT_TYPES)
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

    def default_of(self, ext: str) -> str | None:
        """The content type the package gives every part ending ``.ext`` (Default entries)."""
        if ext in self.defaults:
            return self.defaults[ext]
        for el in children(self.doc.root, CT_NS, "Default"):
            if el.get("Extension", "").casefold() == ext.casefold():
                return el.get("ContentType")
        return None

    def ensure(self, part: str, content_type: str) -> None:
        """``part`` gets ``content_type``: through a Default for its extension when the package has
        none yet (as Excel writes vml and bin), else through an Override."""
        ext = part.rsplit(".", 1)[-1] if "." in part.rsplit("/", 1)[-1] else ""
        have = self.default_of(ext) if ext else None
        if ext and have is None:
            self.default(ext, content_type)
        elif have != content_type:
            self.set(part, content_type)

    def _overrides(self) -> list[etree._Element]:
        return list(children(self.doc.root, CT_NS, "Override"))

    def override_of(self, part: str) -> str | None:
        if part in self.added:
            return self.added[part]
        for el in self._overrides():
            if el.get("PartName", "").lstrip("/") == part and part not in self.removed:
                return el.get("ContentType")
        return None

    def flush(self) -> None:
        root = self.doc.root
        changed = False
        pending = dict(self.added)
        # Part names compare case-insensitively (OPC); a stale override of a removed part must go.
        removed = {p.casefold() for p in self.removed}
        for el in self._overrides():
            part = el.get("PartName", "").lstrip("/")
            if part in pending:
                ct = pending.pop(part)
                if el.get("ContentType") != ct:
                    el.set("ContentType", ct)
                    changed = True
            elif part.casefold() in removed:
                root.remove(el)
                changed = True
        have = {el.get("Extension", "").casefold() for el in children(root, CT_NS, "Default")}
        for ext, ct in self.defaults.items():
            if ext.casefold() not in have:
                # Defaults come first in Excel's files; the schema allows any order
                first_override = next(children(root, CT_NS, "Override"), None)
                el = make(root, CT_NS, "Default", {"Extension": ext, "ContentType": ct})
                if first_override is not None:
                    first_override.addprevious(el)
                else:
                    root.append(el)
                changed = True
        for part, ct in pending.items():
            root.append(make(root, CT_NS, "Override", {"PartName": "/" + part, "ContentType": ct}))
            changed = True
        if changed:
            self.pkg.put(CONTENT_TYPES, self.doc.to_bytes())

