"""The package's XML parts as element trees: parsed safely, edited by namespace, written back.

lxml keeps every prefix, namespace declaration and attribute order of a part, so a part we edit
keeps its markup-compatibility attributes (``mc:Ignorable``) and extension lists. The parser never
fetches anything and refuses a DOCTYPE outright: no OOXML part has one, and entities are how a
hostile file blows up memory or reads local files.

New elements go in their schema position (:func:`insert_ordered`) and reuse the prefix the part
already declares for their namespace; where the namespace is not in scope, it is declared on the
new element (openpyxl, for one, declares ``xmlns:r`` on each ``<sheet>`` instead of the root).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from lxml import etree

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_DECL = re.compile(rb"^\s*<\?xml[^>]*\?>\s*")
_UTF8_DECL = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


class XmlRefused(ValueError):
    """A part that is not well-formed XML, or carries a DOCTYPE (entities)."""

    def __init__(self, part: str, reason: str):
        super().__init__(f"{part}: {reason}")
        self.part = part
        self.reason = reason


def _parser(recover: bool = False) -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
                           remove_comments=False, recover=recover)


_STRICT = _parser()
_LENIENT = _parser(recover=True)


def _prolog(data: bytes) -> bytes:
    """The part's own XML declaration and the whitespace after it, kept byte for byte."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    m = _DECL.match(data)
    if m is None:
        return b""
    decl = m.group(0)
    enc = re.search(rb"encoding\s*=\s*[\"']([^\"']+)", decl)
    if enc and enc.group(1).lower().replace(b"-", b"") != b"utf8":
        return _UTF8_DECL  # written back as UTF-8: the declaration must say so
    return decl


class XmlPart:
    """One part parsed: ``root`` to edit, :meth:`to_bytes` to write it back."""

    __slots__ = ("name", "tree", "root", "prolog")

    def __init__(self, data: bytes | str, name: str = "", *, lenient: bool = False):
        if isinstance(data, str):
            data = data.encode("utf-8")
        self.name = name
        try:
            self.tree = etree.ElementTree(etree.fromstring(data, _LENIENT if lenient else _STRICT))
        except etree.XMLSyntaxError as exc:
            raise XmlRefused(name, f"not well-formed XML ({exc})") from None
        except ValueError as exc:  # e.g. a str with an encoding declaration
            raise XmlRefused(name, str(exc)) from None
        if self.tree.getroot() is None:
            raise XmlRefused(name, "empty part")
        if self.tree.docinfo.doctype or self.tree.docinfo.internalDTD is not None:
            raise XmlRefused(name, "a DOCTYPE (DTD or entities) is not allowed in a package part")
        self.root = self.tree.getroot()
        self.prolog = _prolog(data)

    def to_bytes(self) -> bytes:
        return self.prolog + etree.tostring(self.tree, encoding="UTF-8", xml_declaration=False)


def new_part(xml: str, name: str = "") -> XmlPart:
    return XmlPart(xml.encode("utf-8"), name)


def q(ns: str, local: str) -> str:
    return f"{{{ns}}}{local}"


def local(el: etree._Element) -> str:
    tag = el.tag
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1]


def ns_of(el: etree._Element) -> str:
    tag = el.tag
    return tag[1:].split("}", 1)[0] if isinstance(tag, str) and tag.startswith("{") else ""


def children(parent: etree._Element, ns: str, name: str) -> Iterator[etree._Element]:
    """Element children with this name (comments and processing instructions are never matched)."""
    return parent.iterchildren(q(ns, name))


def child(parent: etree._Element, ns: str, name: str) -> etree._Element | None:
    return next(parent.iterchildren(q(ns, name)), None)


def make(parent: etree._Element, ns: str, name: str, attrib: dict[str, str] | None = None,
         declare: dict[str, str] | None = None) -> etree._Element:
    """A new element in ``ns`` for ``parent`` (not yet attached). The namespaces in ``declare``
    (prefix -> uri) that are not in scope at ``parent`` are declared on the new element."""
    scope = parent.nsmap
    nsmap = {}
    if ns and ns not in scope.values():
        nsmap[None if ns == ns_of(parent) else _free_prefix(scope, "x")] = ns
    for prefix, uri in (declare or {}).items():
        if uri not in scope.values() and uri not in nsmap.values():
            nsmap[prefix if prefix not in scope else _free_prefix(scope, prefix)] = uri
    el = etree.Element(q(ns, name) if ns else name, nsmap=nsmap or None)
    for k, v in (attrib or {}).items():
        el.set(k, v)
    return el


def _free_prefix(scope: dict, base: str) -> str:
    n, prefix = 1, base
    while prefix in scope:
        n += 1
        prefix = f"{base}{n}"
    return prefix


def insert_ordered(parent: etree._Element, new: etree._Element, order: list[str]) -> etree._Element:
    """Put ``new`` among ``parent``'s children where the schema sequence ``order`` (local names)
    wants it: after the last child that may precede it, else before the first that must follow."""
    rank = {n: i for i, n in enumerate(order)}
    mine = rank[local(new)]
    after = None
    first_later = None
    for c in parent:
        r = rank.get(local(c)) if isinstance(c.tag, str) and ns_of(c) == ns_of(parent) else None
        if r is None:
            continue
        if r <= mine:
            after = c
        elif first_later is None:
            first_later = c
    if after is not None:
        after.addnext(new)
    elif first_later is not None:
        first_later.addprevious(new)
    else:
        parent.append(new)
    return new


def remove(el: etree._Element) -> None:
    """Detach an element with its trailing whitespace."""
    parent = el.getparent()
    if parent is not None:
        parent.remove(el)


def text_of(el: etree._Element | None) -> str:
    return "" if el is None else "".join(el.itertext())

