"""A neutral model of a printable sheet: blocks laid out top to bottom, for a door to render.

Reports build these (the 个人培训档案 and its 全校概览); a door writes them into a file. Nothing here
knows about files, and every value is plain data: text stays text whatever it looks like.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .tables import ChartSpec, Column



@dataclass(slots=True)
class Facts:
    """Label/value pairs, two to a line (a form's header)."""

    pairs: list[tuple[str, str]]


@dataclass(slots=True)
class Table:
    title: str
    columns: list[Column]
    rows: list[list[Any]]
    fills: dict[int, list[str | None]] = field(default_factory=dict)  # column -> per-row fill (hex) or None
    empty: str = ""  # said in place of the table when there are no rows
    chart: ChartSpec | None = None  # a native chart drawn from this table, below it
    # How many of the sheet's columns each column takes (a long text given two); None: one each.
    spans: list[int] | None = None


@dataclass(slots=True)
class Lines:
    """Sentences, one per line (wrapped across the page)."""

    title: str
    lines: list[str]
    empty: str = ""


@dataclass(slots=True)
class Signatures:
    """Signature lines, as schools file these on paper: `教师签名：______`."""

    labels: list[str]


Block = Facts | Table | Lines | Signatures


@dataclass(slots=True)
class PrintSheet:
    name: str  # a valid, unique sheet name (see safe_names.sheet_names)
    title: str  # first line, repeated on every printed page
    subtitle: str  # second line, repeated too (who and as of when)
    widths: list[float]  # column widths in characters; the page is one page wide
    blocks: list[Block]
    file_stem: str = ""  # for one file per sheet: `工号-姓名`
    footer_left: str = ""
    one_page: bool = False  # shrink to one page (the head's overview), not only to one page wide
