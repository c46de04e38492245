"""The 映射 table, both ways: its rows from a Binding (for `bind` to write) and a Binding from its
rows (for every job to read), so what staff edit is exactly what the jobs use.

Reading also says where each default was typed (:data:`DefaultCells`): a finding about a value that
only 映射 gave is put on that 映射 cell, once, rather than on every row of the school's sheet."""

from __future__ import annotations

from typing import Any

from ...contract.a1 import column_letters
from ...contract.binding import (
    HEADER_ROW_LINE, MAPPING_HEADERS, MAPPING_HEADERS_EN, NOT_KEPT, SHAPE_SUFFIX, UNUSED, WHOLE_SHEET, Binding,
    ColumnBinding, Shape, SheetBinding, field_label, target_label,
)
from ...contract.book import RawSheet
from ...contract.findings import Finding, InvalidMapping, bilingual
from ...contract.texts import Catalogue, Text
from ...contract.schema import DATA_SHEETS, SHEETS, TEACHERS
from ..normalize import header_key

MAPPING_REASONS = Catalogue("mapping line reasons", {
    "not-kept-header": ("（本校不登记）一行的表头应为{whole}", "a （本校不登记） line takes {whole} as its header"),
    "unknown-log": ("「{field}」不是可识别的登记表（如 听课记录、培训记录·签到表）",
                    "'{field}' is not a known sheet (e.g. 听课记录, 培训记录·签到表)"),
    "second-whole-line": ("同一工作表出现了两行（整张表）", "a second （整张表） line for this sheet"),
    "no-sheet": ("没有填写工作表", "no sheet named"),
    "not-a-keepable-log": ("「{field}」不是本校可以不登记的登记表（可填：{choices}）",
                       "'{field}' is not a log a school may not keep (use one of: {choices})"),
    "header-row-number": ("表头行应是一个行号（如 3）", "the header row must be a row number (e.g. 3)"),
    "not-a-field": ("「{field}」不是「{name}」的字段（可填：{accepted}、{unused}）",
                          "'{field}' is not a field of {name} (use one of: {accepted}, {unused})"),
})

_UNUSED_WORDS = {header_key(w) for w in (UNUSED, "不用", "忽略", "无", "unused", "ignore", "-")}
_NOT_KEPT_WORDS = {header_key(w) for w in (NOT_KEPT, "本校不登记", "不登记", "未登记", "notkept", "not kept")}

# (school sheet as 映射 names it, contract field) -> the 映射 cell (1-based row, 0-based column) of the
# default that field takes: the last line giving one, as SheetBinding.defaults(); for a ·每人一表 sheet,
# teacher_id is its sheet line's teacher.
DefaultCells = dict[tuple[str, str], tuple[int, int]]


def mapping_rows(binding: Binding) -> list[list[str]]:
    """The 映射 table: its header row, then a sheet line, an optional header-row line and one line per
    column or default, sheet by sheet."""
    rows: list[list[str]] = [list(MAPPING_HEADERS)]
    for s in binding.sheets:
        rows.append([s.sheet, WHOLE_SHEET, target_label(s.target, s.shape), s.teacher])
        if s.header_row:
            rows.append([s.sheet, HEADER_ROW_LINE, "", str(s.header_row)])
        for c in s.columns:
            rows.append([s.sheet, c.header, field_label(s.target, c.field), c.default])
    rows += [[name, WHOLE_SHEET, UNUSED, ""] for name in binding.left_out]
    rows += [[NOT_KEPT, WHOLE_SHEET, target_label(key), ""] for key in binding.not_kept]
    return rows


def read_mapping(sheet: RawSheet, default_cells: DefaultCells | None = None) -> tuple[Binding, list[Finding]]:
    """The Binding the 映射 sheet states. A line that cannot be used is a finding at its cell and is
    skipped; the rest still binds. ``default_cells``, when given, is filled with where each default
    sits."""
    findings: list[Finding] = []
    cells: DefaultCells = {} if default_cells is None else default_cells
    rows = sheet.rows
    header_at, cols = _header(rows)
    if header_at is None:
        findings.append(InvalidMapping.at(sheet.name, cell="A1", reason=bilingual(
            "找不到表头行（工作表 | 表头 | 对应字段 | 默认值）", "no header row (工作表 | 表头 | 对应字段 | 默认值)")))
        return Binding(), findings

    order: list[str] = []
    lines: dict[str, dict[str, Any]] = {}
    not_kept: dict[str, int] = {}  # log key -> the 映射 row of its （本校不登记） line
    for r in range(header_at + 1, len(rows)):
        row = rows[r]
        sheet_name, header, field, default = (_text(row[c]) if c < len(row) else "" for c in cols)
        if not (sheet_name or header or field or default):
            continue
        excel_row = r + 1

        def bad(col: int, reason: Text, value: str) -> None:
            findings.append(InvalidMapping.at(sheet.name, row=excel_row, cell=f"{column_letters(cols[col])}{excel_row}",
                                              column=MAPPING_HEADERS[col], value=value, reason=reason))

        if not sheet_name:
            bad(0, MAPPING_REASONS["no-sheet"], sheet_name)
            continue
        if says_not_kept(sheet_name):
            kept_not = _not_kept(field)
            if kept_not is None:
                bad(2, MAPPING_REASONS["not-a-keepable-log"].fill(field=field, choices=_NOT_KEPT_CHOICES), field)
            elif header and header_key(header) != header_key(WHOLE_SHEET):
                bad(1, MAPPING_REASONS["not-kept-header"].fill(whole=WHOLE_SHEET), header)
            else:
                not_kept.setdefault(kept_not, excel_row)
            continue
        entry = lines.get(sheet_name)
        if header == WHOLE_SHEET or header_key(header) == header_key(WHOLE_SHEET):
            not_read = header_key(field) in _UNUSED_WORDS
            parsed = None if not_read else _target(field)
            if parsed is None and not not_read:
                bad(2, MAPPING_REASONS["unknown-log"].fill(field=field), field)
                continue
            if entry is not None and (entry.get("target") or entry.get("left_out")):
                bad(2, MAPPING_REASONS["second-whole-line"], field)
                continue
            entry = lines.setdefault(sheet_name, {"columns": [], "header_row": 0})
            if parsed is None:
                entry["left_out"] = True
            else:
                target, shape = parsed
                entry.update(target=target, shape=shape, teacher=default, line=excel_row)
            if sheet_name not in order:
                order.append(sheet_name)
            continue
        if entry is None:
            entry = lines.setdefault(sheet_name, {"columns": [], "header_row": 0})
            order.append(sheet_name)
        if header == HEADER_ROW_LINE or header_key(header) == header_key(HEADER_ROW_LINE):
            try:
                entry["header_row"] = int(float(default))
                if entry["header_row"] < 1:
                    raise ValueError
            except ValueError:
                bad(3, MAPPING_REASONS["header-row-number"], default)
            continue
        entry["columns"].append((excel_row, header, field, default))

    sheets: list[SheetBinding] = []
    left_out: list[str] = []
    for name in order:
        entry = lines[name]
        if entry.get("left_out"):  # its other lines say nothing while the sheet is not read
            left_out.append(name)
            continue
        if "target" not in entry:
            first: int = entry["columns"][0][0] if entry["columns"] else header_at + 1
            findings.append(InvalidMapping.at(sheet.name, row=first, cell=f"{column_letters(cols[0])}{first}",
                                              column=MAPPING_HEADERS[0], value=name, reason=bilingual(
                                                  f"工作表「{name}」没有（整张表）一行，不知道它对应哪张登记表",
                                                  f"sheet '{name}' has no （整张表） line saying which log it feeds")))
            continue
        target = entry["target"]
        columns: list[ColumnBinding] = []
        for excel_row, header, field, default in entry["columns"]:
            key = _field(target, field)
            if key is None:
                accepted = "、".join(c.header for c in SHEETS[target].columns)
                findings.append(InvalidMapping.at(
                    sheet.name, row=excel_row, cell=f"{column_letters(cols[2])}{excel_row}",
                    column=MAPPING_HEADERS[2], value=field, reason=MAPPING_REASONS["not-a-field"].fill(
                        field=field, name=SHEETS[target].name, accepted=accepted, unused=UNUSED)))
                continue
            if not header and not key:
                continue
            columns.append(ColumnBinding(header=header, field=key, default=default))
            if key and default:
                cells[(name, key)] = (excel_row, cols[3])
        if entry["shape"] == "per_teacher" and entry["teacher"]:
            cells[(name, "teacher_id")] = (entry["line"], cols[3])
        sheets.append(SheetBinding(sheet=name, target=target, shape=entry["shape"], header_row=entry["header_row"],
                                   teacher=entry["teacher"], columns=tuple(columns)))
    fed = {s.target: s.sheet for s in sheets}
    for key, line_row in not_kept.items():
        if key in fed:  # the sheet's records are real: they count, and the line is said to be moot
            findings.append(InvalidMapping.at(
                sheet.name, row=line_row, cell=f"{column_letters(cols[0])}{line_row}", column=MAPPING_HEADERS[0],
                value=NOT_KEPT,
                severity="warning", reason=bilingual(
                    f"工作表「{fed[key]}」对应「{SHEETS[key].name}」，它照常读取，这一行（本校不登记）不生效，可删去",
                    f"sheet '{fed[key]}' feeds {SHEETS[key].name} and is read; this （本校不登记） line has no effect "
                    "and can be deleted")))
    return Binding(sheets=tuple(sheets), left_out=tuple(left_out),
                   not_kept=tuple(k for k in not_kept if k not in fed)), findings


def _header(rows: list[list[Any]]) -> tuple[int | None, list[int]]:
    """The header row (first 10 rows) and the column of each of the four headings."""
    wanted = [{header_key(zh), header_key(en)} for zh, en in zip(MAPPING_HEADERS, MAPPING_HEADERS_EN)]
    for r, row in enumerate(rows[:10]):
        keys = [header_key(v) if isinstance(v, str) else "" for v in row]
        cols = [next((c for c, k in enumerate(keys) if k in w), -1) for w in wanted]
        if all(c >= 0 for c in cols[:3]):
            if cols[3] < 0:
                cols[3] = len(row)  # no 默认值 column: every default reads as blank
            return r, cols
    return None, []


def _text(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def _target(label: str) -> tuple[str, Shape] | None:
    key = header_key(label)
    for shape, suffix in sorted(SHAPE_SUFFIX.items(), key=lambda kv: -len(kv[1])):
        suffix_key = header_key(suffix)
        if suffix_key and not key.endswith(suffix_key):
            continue
        base = key[:len(key) - len(suffix_key)] if suffix_key else key
        base = base.rstrip("·-_ ")
        for spec in DATA_SHEETS:
            if base in {header_key(n) for n in spec.names}:
                return spec.key, shape
    return None


# The logs a school may say it does not keep: any but the roster, which every rule needs.
_NOT_KEPT_TARGETS = tuple(spec for spec in DATA_SHEETS if spec.key != TEACHERS.key)
_NOT_KEPT_CHOICES = "、".join(spec.name for spec in _NOT_KEPT_TARGETS)


def says_not_kept(sheet_cell: str) -> bool:
    """The 工作表 cell of a （本校不登记） line, however it is spelt."""
    return header_key(sheet_cell) in _NOT_KEPT_WORDS


def _not_kept(label: str) -> str | None:
    """The contract sheet key of the log a （本校不登记） line names, or None."""
    key = header_key(label)
    return next((s.key for s in _NOT_KEPT_TARGETS if key in {header_key(n) for n in s.names}), None)


def _field(target: str, label: str) -> str | None:
    """The contract column key ``label`` names in ``target``: "" for （不用）, None when unknown."""
    key = header_key(label)
    if not key or key in _UNUSED_WORDS:
        return ""
    for col in SHEETS[target].columns:
        if key in {header_key(n) for n in col.names}:
            return col.key
    return None


# The same reading of 映射's cells, for laying the table out again around what staff typed
# (mapping_layout): where its header is, and what a target, field or cell text means.
find_header = _header
not_kept_of = _not_kept
target_of = _target
field_of = _field
cell_text = _text
