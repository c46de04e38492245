"""Write printable sheets (reports.print_sheet) into a new .xlsx with xlsxwriter.

Print setup on every sheet: A4 portrait, one page wide, the title rows repeated on every page, a
footer `页码 / 总页数`. Every piece of text goes in with ``write_string`` (a name or an item typed
as `=…` stays text); a file is written beside its target first and only then takes its name.
"""

from __future__ import annotations

import datetime as dt
import math
import os
from pathlib import Path
from typing import Any, BinaryIO

import xlsxwriter

from ...contract.texts import Catalogue, both_languages
from ...jobs.gc_pause import no_cyclic_gc
from ...reports.plain_values import missing
from ...reports.safe_names import FILE_NAME_BYTES, file_stems
from ...reports.print_sheet import Facts, Lines, PrintSheet, Signatures, Table
from ..text_fit import CJK_PIXELS, LINE_POINTS, ROW_PADDING, room_pixels, text_lines
from ..ooxml.safe_replace import atomic_write

_BASE = {"font_name": "等线", "font_size": 10, "valign": "vcenter"}
# Numeric columns align right, so a value shown as text there (`≥ 20`, `81.8%`) lines up with the numbers.
_KIND_FORMAT = {"number": {"num_format": "0.##", "align": "right"}, "int": {"num_format": "0", "align": "right"},
                "date": {"num_format": "yyyy-mm-dd"}, "percent": {"num_format": "0%", "align": "right"},
                "text": {}, "status": {"align": "center"}}
_EXCEL_EPOCH = dt.date(1899, 12, 30)
_EPOCH_ORDINAL = _EXCEL_EPOCH.toordinal()  # a date's Excel serial is its ordinal minus this
CHART_ROWS = 11


class _Formats:
    """xlsxwriter formats, made once per workbook and per (kind, fill)."""

    def __init__(self, wb: xlsxwriter.Workbook):
        self.wb = wb
        add = lambda **kw: wb.add_format({**_BASE, **kw})  # noqa: E731
        self.title = add(bold=True, font_size=15, align="center")
        self.subtitle = add(font_size=10, align="center", font_color="#404040")
        self.section = add(bold=True, font_size=11, font_color="#1F4E79", bottom=1, bottom_color="#1F4E79")
        self.header = add(bold=True, bg_color="#DDEBF7", border=1, align="center", text_wrap=True)
        self.label = add(bold=True, bg_color="#F2F2F2", border=1)
        self.value = add(border=1, text_wrap=True)
        self.line = add(text_wrap=True, valign="top")
        self.empty = add(italic=True, font_color="#595959")
        self.sign = add(valign="bottom")
        self._cells: dict[tuple[str, str | None], Any] = {}

    def cell(self, kind: str, fill: str | None = None):
        key = (kind, fill)
        if key not in self._cells:
            props = {**_BASE, "border": 1, "border_color": "#A6A6A6", **_KIND_FORMAT.get(kind, {})}
            if kind == "text":
                props["text_wrap"] = True
            if fill:
                props["bg_color"] = "#" + fill
            self._cells[key] = self.wb.add_format(props)
        return self._cells[key]


# The archive file's own properties, read in Excel's File > Info by either reader: both languages.
FILE_PROPERTIES = Catalogue("archive file properties", {
    "comment": ("由 cpdsheets 生成", "written by cpdsheets"),
})


def write_archive(sheets: list[PrintSheet], path: Path) -> Path:
    """All ``sheets`` in one new workbook at ``path`` (replaced atomically when it exists)."""
    return atomic_write(Path(path), lambda fh: _write(sheets, fh), backup=False)


def write_archives(sheets: list[PrintSheet], target: Path | None, members: list[PrintSheet], folder: Path | None,
                   member_paths: list[Path]) -> tuple[Path | None, list[Path]]:
    """`archive`'s files: every sheet in ``target`` (when given), and with a ``folder`` each teacher's
    sheet (``members``) in its own file (``member_paths``, checked by the caller); what was written."""
    combined = write_archive(sheets, target) if target is not None else None
    per_teacher: list[Path] = []
    if folder is not None:
        folder.mkdir(parents=True, exist_ok=True)
        per_teacher = [write_archive([sheet], path) for sheet, path in zip(members, member_paths)]
    return combined, per_teacher


def split_paths(sheets: list[PrintSheet], folder: Path) -> list[Path]:
    """Where each teacher's file goes (``write_archives``' ``member_paths``): known before any is
    written (the folder may be yet to be made: its nearest existing parent says the name limit), so
    all can be checked."""
    existing = Path(folder)
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    stems = file_stems([s.file_stem or s.name for s in sheets], ".xlsx", name_limit(existing))
    return [Path(folder) / f"{stem}.xlsx" for stem in stems]


def name_limit(folder: Path) -> int:
    """The longest file name ``folder``'s file system takes, in bytes (255 where it does not say)."""
    try:
        return min(FILE_NAME_BYTES, os.pathconf(folder, "PC_NAME_MAX"))
    except (OSError, ValueError, AttributeError):  # Windows has no pathconf; 255 UTF-16 units there
        return FILE_NAME_BYTES


def _write(sheets: list[PrintSheet], fh: BinaryIO) -> None:
    with no_cyclic_gc():
        _write_book(sheets, fh)


def _write_book(sheets: list[PrintSheet], fh: BinaryIO) -> None:
    wb = xlsxwriter.Workbook(fh, {"strings_to_numbers": False, "strings_to_formulas": False,
                                  "strings_to_urls": False, "in_memory": True})
    wb.set_properties({"title": sheets[0].title if sheets else "", "author": "cpdsheets",
                       "comments": both_languages(FILE_PROPERTIES["comment"])})
    fmt = _Formats(wb)
    for sheet in sheets:
        _SheetWriter(wb, fmt, sheet).write()
    wb.close()


class _SheetWriter:
    def __init__(self, wb: xlsxwriter.Workbook, fmt: _Formats, sheet: PrintSheet):
        self.wb, self.fmt, self.sheet = wb, fmt, sheet
        self.ws = wb.add_worksheet(sheet.name)
        self.last_col = len(sheet.widths) - 1
        self.page_width = sum(sheet.widths)

    def write(self) -> None:
        ws, s = self.ws, self.sheet
        ws.set_paper(9)  # A4
        ws.set_portrait()
        ws.fit_to_pages(1, 1 if s.one_page else 0)
        ws.repeat_rows(0, 1)
        ws.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.7)
        ws.set_footer(f"&L{_hf(s.footer_left)}&C&P / &N&R{_hf(s.name)}")
        ws.hide_gridlines(2)
        for i, w in enumerate(s.widths):
            ws.set_column(i, i, w)
        self._merged(0, s.title, self.fmt.title, height=24)
        self._merged(1, s.subtitle, self.fmt.subtitle)
        row = 3
        for block in s.blocks:
            row = self._block(block, row) + 1
        ws.print_area(0, 0, max(row - 1, 1), self.last_col)

    def _merged(self, row: int, text: str, fmt, *, first: int = 0, last: int | None = None,
                height: float | None = None) -> None:
        last = self.last_col if last is None else last
        if height is not None:
            self.ws.set_row(row, height)
        if last > first:
            self.ws.merge_range(row, first, row, last, "", fmt)
        self.ws.write_string(row, first, text, fmt)

    def _block(self, block, row: int) -> int:
        if isinstance(block, Facts):
            return self._facts(block, row)
        if isinstance(block, Table):
            return self._table(block, row)
        if isinstance(block, Lines):
            return self._lines(block, row)
        if isinstance(block, Signatures):
            return self._signatures(block, row)
        raise TypeError(type(block).__name__)

    def _facts(self, facts: Facts, row: int) -> int:
        f = self.fmt
        widths = self.sheet.widths
        for i in range(0, len(facts.pairs), 2):
            lines = 1
            for j, (label, value) in enumerate(facts.pairs[i:i + 2]):
                (l0, l1), (v0, v1) = ((0, 1), (2, 2)) if j == 0 else ((3, 3), (4, self.last_col))
                self._merged(row, label, f.label, first=l0, last=l1)
                self._merged(row, value, f.value, first=v0, last=v1)
                lines = max(lines, text_lines(value, sum(widths[v0:v1 + 1])))
            self._fit_row(row, lines)
            row += 1
        return row

    def _fit_row(self, row: int, lines: int) -> None:
        if lines > 1:
            self.ws.set_row(row, lines * LINE_POINTS + ROW_PADDING)

    def _lines(self, lines: Lines, row: int) -> int:
        if lines.title:
            self._merged(row, lines.title, self.fmt.section)
            row += 1
        for text in lines.lines or ([lines.empty] if lines.empty else []):
            wraps = text_lines(text, self.page_width)  # merged across the page
            self._merged(row, text, self.fmt.line if lines.lines else self.fmt.empty,
                         height=wraps * LINE_POINTS + ROW_PADDING)
            row += 1
        return row

    def _signatures(self, sig: Signatures, row: int) -> int:
        for i in range(0, len(sig.labels), 2):
            self.ws.set_row(row, 36)
            for j, label in enumerate(sig.labels[i:i + 2]):
                first, last = (0, 2) if j == 0 else (3, self.last_col)
                self._merged(row, f"{label}：{'_' * 18}", self.fmt.sign, first=first, last=last)
            row += 1
        return row

    def _table(self, table: Table, row: int) -> int:
        ws, f = self.ws, self.fmt
        if table.title:
            self._merged(row, table.title, f.section)
            row += 1
        if not table.rows:
            if table.empty:
                self._merged(row, table.empty, f.empty)
                row += 1
            return row
        firsts, lasts = self._spanned(table)
        widths = [sum(self.sheet.widths[a:b + 1]) or 8.43 for a, b in zip(firsts, lasts)]
        spanned = any(b > a for a, b in zip(firsts, lasts))
        for c, col in enumerate(table.columns):
            self._merged(row, col.header, f.header, first=firsts[c], last=lasts[c])
        self._fit_row(row, max(text_lines(col.header, w) for col, w in zip(table.columns, widths)))
        header = row
        row += 1
        kinds = [col.kind for col in table.columns]
        plain = [f.cell(k) for k in kinds]
        # Characters that surely fit on one line (all CJK): a longer text is measured.
        room = [room_pixels(w) / CJK_PIXELS if k == "text" else math.inf for w, k in zip(widths, kinds)]
        write_string, write_number = ws.write_string, ws.write_number
        for i, values in enumerate(table.rows):
            # The common cases inline: an archive of a large school writes about a million cells.
            lines = 1
            for c, value in enumerate(values):
                fmt = plain[c] if c not in table.fills else f.cell(kinds[c], table.fills[c][i])
                at = firsts[c]
                if spanned and lasts[c] > at:
                    ws.merge_range(row, at, row, lasts[c], "", fmt)
                kind = type(value)
                if kind is str and value:
                    write_string(row, at, value, fmt)
                    if len(value) > room[c]:
                        lines = max(lines, text_lines(value, widths[c]))
                elif (kind is float or kind is int) and value == value:
                    write_number(row, at, value, fmt)
                elif kind is dt.date:
                    write_number(row, at, value.toordinal() - _EPOCH_ORDINAL, fmt)
                else:
                    _put(ws, row, at, value, fmt)
            self._fit_row(row, lines)
            row += 1
        if table.chart is not None:
            row = self._chart(table, header, row)
        return row

    def _spanned(self, table: Table) -> tuple[list[int], list[int]]:
        """The first and last sheet column of each of the table's columns."""
        spans = table.spans or [1] * len(table.columns)
        firsts, lasts, at = [], [], 0
        for n in spans:
            firsts.append(at)
            lasts.append(at + n - 1)
            at += n
        return firsts, lasts

    def _chart(self, table: Table, header: int, end: int) -> int:
        spec = table.chart
        assert spec is not None  # called only for a table with a chart
        chart = self.wb.add_chart({"type": spec.kind})
        first, last = header + 1, end - 1
        at, _ = self._spanned(table)
        category = at[spec.category_column]
        for c in (at[v] for v in spec.value_columns):
            chart.add_series({
                "name": [self.sheet.name, header, c],
                "categories": [self.sheet.name, first, category, last, category],
                "values": [self.sheet.name, first, c, last, c],
                "fill": {"color": "#5B9BD5"}, "data_labels": {"value": True},
            })
        chart.set_title({"name": spec.title, "name_font": {"size": 11}})
        chart.set_legend({"none": True})
        if spec.y_title:
            chart.set_y_axis({"name": spec.y_title, "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}}})
        width_px = int(sum(self.sheet.widths) * 7 * 0.9)
        chart.set_size({"width": width_px, "height": CHART_ROWS * 20})
        self.ws.insert_chart(end, 0, chart, {"x_offset": 4, "y_offset": 6, "object_position": 1})
        return end + CHART_ROWS + 1


def _put(ws, row: int, col: int, value: Any, fmt) -> None:
    """One cell: text always as text, numbers as numbers, dates as dates (an Excel serial)."""
    if missing(value):  # pd.NA and NaT too: a blank cell, never float(NA)
        ws.write_blank(row, col, None, fmt)
    elif isinstance(value, str):
        ws.write_string(row, col, value, fmt)
    elif isinstance(value, bool):
        ws.write_string(row, col, str(value), fmt)
    elif isinstance(value, dt.datetime):
        ws.write_number(row, col, (value - dt.datetime(1899, 12, 30)).total_seconds() / 86400, fmt)
    elif isinstance(value, dt.date):
        ws.write_number(row, col, (value - _EXCEL_EPOCH).days, fmt)
    else:
        ws.write_number(row, col, float(value), fmt)


def _hf(text: str) -> str:
    """Header/footer text: `&` starts a code there, so a literal one is doubled; kept short."""
    return text.replace("&", "&&")[:60]
