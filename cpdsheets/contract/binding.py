"""A binding: how a school's own workbook feeds the contract's sheets, as the 映射 table states it.

A school keeps its own sheets (`2024秋季听课登记`, `教职工名单`, a 签到表 with one column per session)
with its own headers (`执教教师`, `听课时间`). A :class:`Binding` says, for each of those sheets, which
contract sheet it feeds, in which shape, and which of its headers is which contract field; `cpdsheets
bind` proposes one and writes it as the 映射 table, which staff can read and edit, and every job then
reads the book through it. The workbook's own cells are never changed.

The 映射 table (one header row, then one row per line below; blank lines are skipped):

    工作表 | 表头 | 对应字段 | 默认值

- a sheet line: 表头 ``（整张表）``; 对应字段 the contract sheet's name, with ``·签到表`` for a sign-in grid
  or ``·每人一表`` for one tab per teacher; 默认值 the teacher for ``·每人一表`` (name or 工号; blank: the
  tab's name or its `教师：王芳` title cell); 对应字段 ``（不用）``: the sheet is not read (a 2023 archive
  tab, a 备课 log), and re-binding never proposes it again;
- the header-row line (optional): 表头 ``（表头行）``, 默认值 the 1-based row number;
- a column line: 表头 the school's header as typed; 对应字段 the contract column's header (``工号``,
  ``日期``, any accepted alias) or ``（不用）``; 默认值 used where that column's cell is blank;
- a default line: 表头 blank; 对应字段 a contract column; 默认值 its value on every row
  (e.g. a 签到表's 类别 ``校本研修``, 级别 ``校级``, 学时 ``2``);
- a not-kept line: 工作表 ``（本校不登记）``, 表头 ``（整张表）``, 对应字段 a log the school does not keep
  (``成果记录``): no sheet is looked for, and the rules that count only that log are not evaluated (one
  info each) instead of failing every teacher. A sheet that does feed that log wins over the line.

A column mapped to a 工号 field may hold names (听课教师 `王芳`): they are matched to the roster.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from .schema import SHEETS

Shape = Literal["rows", "grid", "per_teacher"]

MAPPING_SHEET_NAMES = ("映射", "Mapping")
MAPPING_HEADERS = ("工作表", "表头", "对应字段", "默认值")
MAPPING_HEADERS_EN = ("Sheet", "Header", "Field", "Default")
WHOLE_SHEET = "（整张表）"
HEADER_ROW_LINE = "（表头行）"
UNUSED = "（不用）"
NOT_KEPT = "（本校不登记）"
SHAPE_SUFFIX: dict[Shape, str] = {"rows": "", "grid": "·签到表", "per_teacher": "·每人一表"}

# What a sign-in grid's sessions default to when neither the header nor 映射 says otherwise (issue 13).
GRID_DEFAULTS = {"category": "校本研修", "level": "校级"}


class ColumnBinding(BaseModel):
    """One of the school's columns, or one default, for a contract field."""

    model_config = ConfigDict(frozen=True)

    header: str  # the school's header as typed; "" for a default that applies to every row
    field: str  # the contract column key in the target sheet; "" = the column is not used
    default: str = ""  # the value where the cell is blank (every row when ``header`` is "")
    confidence: float = 1.0  # the recogniser's, 0..1; 1.0 for a line staff wrote or kept


class SheetBinding(BaseModel):
    """One of the school's sheets feeding one contract sheet."""

    model_config = ConfigDict(frozen=True)

    sheet: str  # the school's sheet name
    target: str  # contract sheet key: teachers, trainings, observations, reading, outputs, activities, exemptions
    shape: Shape = "rows"
    header_row: int = 0  # 1-based; 0 = found from the headers it holds
    teacher: str = ""  # per_teacher: whose sheet it is ("" = from the tab name or a `教师：…` title cell)
    columns: tuple[ColumnBinding, ...] = ()
    confidence: float = 1.0

    def field_of(self, header: str) -> str | None:
        for c in self.columns:
            if c.header and c.header == header:
                return c.field
        return None

    def defaults(self) -> dict[str, str]:
        """Field -> its default value (from default lines and column lines alike)."""
        return {c.field: c.default for c in self.columns if c.field and c.default}

    @property
    def mapped(self) -> dict[str, str]:
        """Field -> the school's header feeding it (first one wins)."""
        out: dict[str, str] = {}
        for c in self.columns:
            if c.header and c.field and c.field not in out:
                out[c.field] = c.header
        return out


class Binding(BaseModel):
    model_config = ConfigDict(frozen=True)

    sheets: tuple[SheetBinding, ...] = ()
    left_out: tuple[str, ...] = ()  # the school's sheets 映射 says are not read (（整张表） | （不用）)
    not_kept: tuple[str, ...] = ()  # contract sheet keys of the logs the school does not keep (（本校不登记）)

    def feeding(self, target: str) -> list[SheetBinding]:
        return [s for s in self.sheets if s.target == target]

    def for_sheet(self, sheet: str) -> SheetBinding | None:
        for s in self.sheets:
            if s.sheet == sheet:
                return s
        return None


def target_label(target: str, shape: Shape = "rows") -> str:
    """The 对应字段 of a sheet line: `听课记录`, `培训记录·签到表`."""
    return SHEETS[target].name + SHAPE_SUFFIX[shape]


def field_label(target: str, field: str) -> str:
    """The 对应字段 of a column line: the contract column's header, or （不用）."""
    return SHEETS[target].column(field).header if field else UNUSED
