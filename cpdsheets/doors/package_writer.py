"""Write the add-in's output tabs into an existing .xlsx/.xlsm by editing its zip package.

Every part the output tabs do not need is copied byte for byte (as stored, not even re-deflated):
input sheets, shared strings, VBA project, form buttons, tables, comments, charts, custom XML.
The parts that legitimately change are listed in ``CHANGED_PARTS``; with marks, also the marked
sheets with their comments/VML, and the hidden mark record sheet ``cpdsheets.marks`` (ours).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from pathlib import Path

from cpdsheets.doors import opc
from cpdsheets.doors.chart_xml import CHART_CT, DRAWING_CT, DRAWING_REL, chart_xml, drawing_rels, drawing_xml
from cpdsheets.doors.safe_replace import atomic_write, check_writable
from cpdsheets.doors.sheet_xml import TabStyles, sheet_xml
from cpdsheets.doors.styles_xml import StyleBook
from cpdsheets.doors.workbook_parts import Workbook
from cpdsheets.doors.write_errors import NotAWorkbook, OutputTypeMismatch
from cpdsheets.doors.xml_text import SHEET_NAME_MAX, safe_sheet_name
from cpdsheets.doors.zip_package import Package, PackageError
from cpdsheets.reports.tables import STATUS_FILLS, CellMark, TabTable

# Besides the output tabs' own parts, only these may differ after a write (styles.xml only grows).
CHANGED_PARTS = ("xl/workbook.xml", "xl/_rels/workbook.xml.rels", "[Content_Types].xml", "xl/styles.xml",
                 "xl/calcChain.xml")
BOOK_SUFFIXES = (".xlsx", ".xlsm")
HEADER_FILL = "D9E1F2"
LINK_COLOUR = "0563C1"
_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")


class _Edit:
    """One edit of a workbook package: opened once, parts changed in memory, saved atomically."""

    def __init__(self, src: Path, out: Path | None) -> None:
        self.src = Path(src)
        self.target = Path(out) if out is not None else self.src
        self.in_place = _same_file(self.src, self.target)
        _check_book(self.src, self.target)
        check_writable(self.target)
        self.pkg = open_package(self.src)
        try:
            self.wb = Workbook(self.pkg)
            self.styles_part = self.wb.styles_part()
            self.styles = StyleBook(self.pkg.text(self.styles_part))
        except BaseException:
            self.pkg.close()
            raise

    def save(self, backup: bool) -> Path:
        if self.styles.changed:
            self.pkg.put(self.styles_part, self.styles.render())
        self.wb.flush()
        return atomic_write(self.target, lambda fh: _write_and_close(self.pkg, fh),
                            backup=backup and self.in_place, like=self.src)

    def __enter__(self) -> _Edit:
        return self

    def __exit__(self, *exc: object) -> None:
        self.pkg.close()


def write_tabs(src: Path, tabs: list[TabTable], *, out: Path | None = None, backup: bool = True,
               marks: list[CellMark] | None = None, remove: Iterable[str] = ()) -> Path:
    """Create or replace the output tabs (and, with ``marks``, mark input cells) in the workbook.

    Existing output tabs keep their position and are replaced whole; new ones go at the end.
    ``remove`` names stale output tabs to delete (e.g. an older version's), unless written now.
    Returns the path written. Raises a ``WorkbookWriteError`` subclass when the book cannot be written.
    """
    with _Edit(src, out) as edit:
        keep = {n.casefold() for n in _unique_names(tabs)}
        for name in remove:
            if safe_sheet_name(name).casefold() not in keep:
                edit.wb.remove_sheet(safe_sheet_name(name))
        put_tabs(edit.pkg, edit.wb, edit.styles, tabs)
        if marks is not None:
            from cpdsheets.doors.marks import apply_marks

            apply_marks(edit.pkg, edit.wb, edit.styles, marks, skip={safe_sheet_name(t.name) for t in tabs})
        return edit.save(backup)


def open_package(src: Path) -> Package:
    try:
        pkg = Package(src)
    except FileNotFoundError as exc:
        raise NotAWorkbook(src, "文件不存在 / file not found") from exc
    except PackageError as exc:
        raise NotAWorkbook(src, f"不是 zip 包（可能已加密或损坏）/ not a zip package: {exc}") from exc
    if not pkg.has("[Content_Types].xml"):
        pkg.close()
        raise NotAWorkbook(src, "缺少 [Content_Types].xml / missing [Content_Types].xml")
    return pkg


def _write_and_close(pkg: Package, fh) -> None:
    pkg.write(fh)
    pkg.close()  # before os.replace: Windows cannot replace a file that is still open


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve() or (b.exists() and os.path.samefile(a, b))
    except OSError:
        return False


def _check_book(src: Path, target: Path) -> None:
    if src.suffix.lower() not in BOOK_SUFFIXES:
        raise NotAWorkbook(src, "扩展名应为 .xlsx 或 .xlsm / extension must be .xlsx or .xlsm")
    if not src.is_file():
        raise NotAWorkbook(src, "文件不存在 / file not found")
    if target.suffix.lower() != src.suffix.lower():
        raise OutputTypeMismatch(src, target)


def tab_styles(styles: StyleBook) -> TabStyles:
    bold = styles.font(bold=True)
    big = styles.font(bold=True, size_delta=3)
    link = styles.font(underline=True, color=LINK_COLOUR)
    header_fill = styles.fill(HEADER_FILL)
    return TabStyles(
        title=styles.xf(font=big),
        header=styles.xf(font=bold, fill=header_fill, align='horizontal="center" vertical="center" wrapText="1"'),
        text=styles.xf(),
        link=styles.xf(font=link),
        int=styles.xf(num_fmt=1),
        number=styles.xf(num_fmt=styles.num_fmt("0.0#")),
        percent=styles.xf(num_fmt=styles.num_fmt("0.0%")),
        date=styles.xf(num_fmt=styles.num_fmt("yyyy-mm-dd")),
        datetime=styles.xf(num_fmt=styles.num_fmt("yyyy-mm-dd hh:mm:ss")),
        status={label: styles.xf(fill=styles.fill(rgb)) for label, rgb in STATUS_FILLS.items()},
    )


def _unique_names(tabs: list[TabTable]) -> list[str]:
    names: list[str] = []
    seen: set[str] = set()
    for tab in tabs:
        name = safe_sheet_name(tab.name)
        n = 2
        while name.casefold() in seen:
            suffix = f"({n})"
            name = safe_sheet_name(tab.name)[: SHEET_NAME_MAX - len(suffix)] + suffix
            n += 1
        seen.add(name.casefold())
        names.append(name)
    return names


def put_tabs(pkg: Package, wb: Workbook, styles: StyleBook, tabs: list[TabTable]) -> None:
    if not tabs:
        return
    st = tab_styles(styles)
    for tab, name in zip(tabs, _unique_names(tabs)):
        found = wb.find(name)
        if found is not None:
            index, entry = found
            if entry.part and pkg.has(entry.part) and _FORMULA.search(pkg.read(entry.part)):
                wb.drop_calc_chain_of(entry.sheet_id)
            if entry.part:
                wb.drop_owned_parts(entry.part)
            wb.drop_local_names(index)
            if not entry.part:
                raise NotAWorkbook(pkg.path, f"工作表“{name}”缺少关系 / sheet '{name}' has no relationship")
            wb.make_worksheet_rel(entry)
        else:
            entry = wb.add_sheet(name)
        drawing_rid = None
        if tab.chart is not None and tab.rows:
            chart = opc.free_name(pkg, "xl/charts/chart{}.xml")
            pkg.put(chart, chart_xml(tab, name))
            drawing = opc.free_name(pkg, "xl/drawings/drawing{}.xml")
            pkg.put(drawing, drawing_xml(tab, "rId1"))
            pkg.put(opc.rels_name(drawing), drawing_rels(opc.relative(drawing, chart)))
            wb.content_types.set(chart, CHART_CT)
            wb.content_types.set(drawing, DRAWING_CT)
            pkg.put(opc.rels_name(entry.part), opc.rels_xml([("rId1", DRAWING_REL, opc.relative(entry.part, drawing))]))
            drawing_rid = "rId1"
        pkg.put(entry.part, sheet_xml(tab, st, drawing_rid=drawing_rid))
        if tab.print_titles:
            wb.set_print_titles(name, tab.header_row)


def clear_marks(src: Path, *, out: Path | None = None, backup: bool = True) -> int:
    """Remove the fills and notes cpdsheets put on input cells; returns how many cells were cleared."""
    from cpdsheets.doors.marks import remove_marks

    with _Edit(src, out) as edit:
        removed = remove_marks(edit.pkg, edit.wb, edit.styles)
        if removed == 0 and edit.in_place:
            return 0
        # styles may have grown: a format given back after Excel or LibreOffice renumbered the styles
        edit.save(backup)
        return removed
