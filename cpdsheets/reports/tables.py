"""A neutral table model for the add-in's output tabs.

Reports build these from results; each door renders them its own way (the package writer as
sheet XML, the xlwings adapter as one range write per tab). Nothing here knows about files.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from ..contract.states import State

CellKind = Literal["text", "int", "number", "percent", "date", "datetime", "status"]

# Fills for 状态 cells, shared by every door so Excel, LibreOffice and the xlwings path agree.
STATUS_FILLS: dict[str, str] = {
    **{s.value: s.fill for s in State},
    "error": "FFC7CE",
    "warning": "FFEB9C",
    "info": "DDEBF7",
    # the same states and severities as the tabs show them, in both languages
    "错误": "FFC7CE", "警告": "FFEB9C", "提示": "DDEBF7",
    **{s.en: s.fill for s in State},
}
MARK_FILL = "FF9999"  # --mark: fill on input cells that carry an error finding
CELL_TEXT_MAX = 32_767  # Excel's limit per cell: longer text is refused live and "repaired" away in a file


@dataclass(slots=True)
class Column:
    header: str
    kind: CellKind = "text"
    width: float | None = None  # characters; None: fit to content
    wrap: bool = False  # long text wrapped within ``width`` (the row grows), not spilling over its neighbours


@dataclass(slots=True)
class ChartSpec:
    """A native bar chart: one category column against one or more value columns."""

    title: str
    category_column: int
    value_columns: list[int]
    kind: Literal["bar", "column"] = "column"
    y_title: str = ""


@dataclass(slots=True)
class TabTable:
    key: str  # summary | alerts | issues | groups | runlog
    name: str  # the sheet name, e.g. 学分汇总
    columns: list[Column]
    rows: list[list[Any]]
    links: list[str | None] = field(default_factory=list)  # per row: internal target like "'听课记录'!C12"
    link_column: int = 0
    chart: ChartSpec | None = None
    title: str = ""  # optional line above the header; the header is then row 2
    # Repeat the title and header rows at the top of every printed page (Excel's 打印标题):
    # coordinators print 达标预警 for meetings, and page 3 without a header is unreadable.
    print_titles: bool = True

    @property
    def header_row(self) -> int:
        """1-based row of the header line."""
        return 2 if self.title else 1


@dataclass(slots=True)
class CellMark:
    """An error marked on an input cell with --mark: a fill and a note."""

    sheet: str
    cell: str
    note: str
