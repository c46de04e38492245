"""Write the add-in's output tabs into an existing .xlsx/.xlsm by editing its zip package.

Every part the output tabs do not need is copied byte for byte (as stored, not even re-deflated):
input sheets, shared strings, VBA project, form buttons, tables, comments, charts, custom XML.
The parts that legitimately change are listed in ``CHANGED_PARTS``; with marks, also the marked
sheets with their comments/VML, and the hidden mark record sheet ``cpdsheets.marks`` (ours).
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from lxml import etree

from cpdsheets.doors.ooxml import opc
from cpdsheets.doors.ooxml.chart_xml import CHART_CT, DRAWING_CT, DRAWING_REL, chart_xml, drawing_rels, drawing_xml
from cpdsheets.doors.mark_record import MARK_STORE
from cpdsheets.doors.ooxml.safe_replace import atomic_write, check_writable
from cpdsheets.doors.ooxml.sheet_xml import SHEET_PR_ORDER, TabStyles, sheet_xml
from cpdsheets.doors.ooxml.sheet_values import sheet_values, shared_strings
from cpdsheets.doors.ooxml.styles_xml import StyleBook
from cpdsheets.doors.tab_owner import plan_write
from cpdsheets.doors.ooxml.workbook_parts import Workbook, has_formula
from cpdsheets.doors.ooxml.write_errors import NotAWorkbook, OutputTypeMismatch, why_not
from cpdsheets.doors.ooxml.xml_tree import XmlPart, XmlRefused, child, insert_ordered, ns_of
from cpdsheets.doors.ooxml.zip_package import Package, PackageError
from cpdsheets.reports.tab_style import (
    HEADER_ALIGN, HEADER_FILL, LINK_COLOUR, NUMBER_FORMATS, TITLE_SIZE_DELTA, WRAP_ALIGN,
)
from cpdsheets.reports.tables import STATUS_FILLS, CellMark, TabTable

# Besides the output tabs' own parts (and the hidden record sheet), only these may differ after a
# write (styles only grow; app.xml lists the sheets).
CHANGED_PARTS = ("xl/workbook.xml", "xl/_rels/workbook.xml.rels", "[Content_Types].xml", "xl/styles.xml",
                 "xl/calcChain.xml", "docProps/app.xml")
BOOK_SUFFIXES = (".xlsx", ".xlsm")
# Formats every spreadsheet knows by id (ECMA-376 18.8.30); written by id, not as a custom code.
BUILTIN_NUM_FMTS = {"0": 1}


class _Edit:
    """One edit of a workbook package: opened once, parts changed in memory, saved atomically.

    Holds the book's record (:mod:`mark_record`): the marks and the tabs cpdsheets wrote; it is
    written back at save when either changed."""

    def __init__(self, src: Path, out: Path | None) -> None:
        from cpdsheets.doors.ooxml.marks import read_record

        self.src = Path(src)
        self.target = Path(out) if out is not None else self.src
        self.in_place = _same_file(self.src, self.target)
        _check_book(self.src, self.target)
        check_writable(self.target)
        self.pkg = open_package(self.src)
        try:
            self.wb = Workbook(self.pkg)
            self.styles_part = self.wb.styles_part()
            part = self.styles_part
            self.styles = StyleBook(self.pkg.read(part) if part is not None and self.pkg.has(part) else None)
            self.mark_rows, self.owned = read_record(self.pkg, self.wb)
            self._recorded = (list(self.mark_rows), dict(self.owned))
        except KeyError as exc:
            self.pkg.close()
            raise NotAWorkbook(src, why_not("missing-part", part=exc)) from exc
        except BaseException:
            self.pkg.close()
            raise

    def save(self, backup: bool) -> Path:
        from cpdsheets.doors.ooxml.marks import write_record

        if (self.mark_rows, self.owned) != self._recorded:
            write_record(self.pkg, self.wb, self.mark_rows, self.owned)
        if self.styles.changed:
            if self.styles_part is None or not self.pkg.has(self.styles_part):
                self.styles_part = self.wb.add_styles_part(self.styles.render())
            else:
                self.pkg.put(self.styles_part, self.styles.render())
        self.wb.flush()
        return atomic_write(self.target, lambda fh: write_and_close(self.pkg, fh),
                            backup=backup and self.in_place, like=self.src)

    def __enter__(self) -> _Edit:
        return self

    def __exit__(self, *exc: object) -> None:
        self.pkg.close()


def write_tabs(src: Path, tabs: list[TabTable], *, out: Path | None = None, backup: bool = True,
               marks: list[CellMark] | None = None, remove: Iterable[str] = ()) -> Path:
    """Create or replace the output tabs (and, with ``marks``, mark input cells) in the workbook.
    Returns the path written; :func:`write_book` also says which tabs went where."""
    return write_book(src, tabs, out=out, backup=backup, marks=marks, remove=remove)[0]


def write_book(src: Path, tabs: list[TabTable], *, out: Path | None = None, backup: bool = True,
               marks: list[CellMark] | None = None, remove: Iterable[str] = ()) -> tuple[Path, dict[str, str]]:
    """The file door's write (:class:`.file_door.FileDoor`). Where each tab goes and which of our
    sheets are deleted is :func:`tab_owner.plan_write`'s decision, the same as the other doors':
    only tabs the book's record says cpdsheets wrote are replaced; a user's sheet of the same name is
    kept and the tab takes a free name. Existing tabs keep their position; new ones go at the end.
    Returns the path written and the tabs written (name -> key, in order). Raises a
    ``WorkbookWriteError`` subclass when the book cannot be written.
    """
    with refused_parts(src), _Edit(src, out) as edit:
        plan = plan_write(tabs, [s.name for s in edit.wb.sheets() if s.name != MARK_STORE], edit.owned,
                          lambda name: _first_rows(edit, name), remove=remove)
        for name in plan.delete:
            edit.wb.remove_sheet(name)
        named = [dataclasses.replace(t, name=n) for t, n in zip(tabs, plan.names)]
        put_tabs(edit.pkg, edit.wb, edit.styles, named)
        edit.owned = plan.owned
        if marks is not None:
            from cpdsheets.doors.ooxml.marks import apply_marks

            edit.mark_rows = apply_marks(edit.pkg, edit.wb, edit.styles, marks, edit.mark_rows,
                                         skip=set(plan.names) | set(edit.owned))
        return edit.save(backup), {n: t.key for t, n in zip(tabs, plan.names)}


def _first_rows(edit: _Edit, name: str) -> list[list[Any]]:
    """A sheet's first two rows, for judging a book with no record (written by an older version)."""
    found = edit.wb.find(name)
    if found is None or not found[1].part or not edit.pkg.has(found[1].part):
        return []
    return sheet_values(edit.pkg.read(found[1].part), shared_strings(edit.pkg, edit.wb), max_rows=2)


@contextmanager
def refused_parts(src: Path) -> Iterator[None]:
    """A part that is not well-formed XML, or carries a DOCTYPE, makes the book unwritable: one
    clear error, the file on disk untouched."""
    try:
        yield
    except XmlRefused as exc:
        raise NotAWorkbook(src, why_not("part-refused", part=exc.part, reason=exc.reason)) from exc


def open_package(src: Path) -> Package:
    try:
        pkg = Package(src)
    except FileNotFoundError as exc:
        raise NotAWorkbook(src, why_not("file-not-found")) from exc
    except PackageError as exc:
        raise NotAWorkbook(src, why_not("not-a-zip", "/ ", reason=exc)) from exc
    if not pkg.has("[Content_Types].xml"):
        pkg.close()
        raise NotAWorkbook(src, why_not("no-content-types"))
    return pkg


def write_and_close(pkg: Package, fh) -> None:
    pkg.write(fh)
    pkg.close()  # before os.replace: Windows cannot replace a file that is still open


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve() or (b.exists() and os.path.samefile(a, b))
    except OSError:
        return False


def _check_book(src: Path, target: Path) -> None:
    if src.suffix.lower() not in BOOK_SUFFIXES:
        raise NotAWorkbook(src, why_not("extension"))
    if not src.is_file():
        raise NotAWorkbook(src, why_not("file-not-found"))
    if target.suffix.lower() != src.suffix.lower():
        raise OutputTypeMismatch(src, target)


def tab_styles(styles: StyleBook) -> TabStyles:
    bold = styles.font(bold=True)
    big = styles.font(bold=True, size_delta=TITLE_SIZE_DELTA)
    link = styles.font(underline=True, color=LINK_COLOUR)
    header_fill = styles.fill(HEADER_FILL)
    st = TabStyles(
        title=styles.xf(font=big),
        header=styles.xf(font=bold, fill=header_fill, align=dict(HEADER_ALIGN)),
        text=styles.xf(),
        link=styles.xf(font=link),
        **{kind: styles.xf(num_fmt=BUILTIN_NUM_FMTS.get(code) or styles.num_fmt(code))  # type: ignore[arg-type]
           for kind, code in NUMBER_FORMATS.items()},  # one keyword per number kind: int, number, percent, date, datetime
        status={label: styles.xf(fill=styles.fill(rgb)) for label, rgb in STATUS_FILLS.items()},
        wrapped=styles.xf(align=dict(WRAP_ALIGN)),
    )
    # text beginning = + - @ carries Excel's quote prefix, so editing the cell keeps it text
    st.quoted = {st.text: styles.xf(quote_prefix=True), st.link: styles.xf(font=link, quote_prefix=True),
                 st.wrapped: styles.xf(align=dict(WRAP_ALIGN), quote_prefix=True)}
    return st


def put_tabs(pkg: Package, wb: Workbook, styles: StyleBook, tabs: list[TabTable]) -> None:
    """Write each tab under its (already unique and owned) name, replacing a sheet of that name."""
    if not tabs:
        return
    st = tab_styles(styles)
    for tab in tabs:
        found = wb.find(tab.name)
        old_sheet_pr = None
        if found is not None:
            index, entry = found
            if not entry.part:
                raise NotAWorkbook(pkg.path, why_not("sheet-without-relationship", name=tab.name))
            if pkg.has(entry.part):
                old = XmlPart(pkg.read(entry.part), entry.part).root
                if has_formula(old):
                    wb.drop_calc_chain_of(entry.sheet_id)
                old_sheet_pr = child(old, ns_of(old), "sheetPr")
            wb.drop_owned_parts(entry.part)
            wb.drop_local_names(index)
            wb.make_worksheet_rel(entry)
        else:
            entry = wb.add_sheet(tab.name)
        drawing_rid = None
        if tab.chart is not None and tab.rows:
            chart = opc.free_name(pkg, "xl/charts/chart{}.xml")
            pkg.put(chart, chart_xml(tab, tab.name))
            drawing = opc.free_name(pkg, "xl/drawings/drawing{}.xml")
            pkg.put(drawing, drawing_xml(tab, "rId1"))
            pkg.put(opc.rels_name(drawing), drawing_rels(opc.relative(drawing, chart)))
            wb.content_types.set(chart, CHART_CT)
            wb.content_types.set(drawing, DRAWING_CT)
            pkg.put(opc.rels_name(entry.part), opc.rels_xml([("rId1", DRAWING_REL, opc.relative(entry.part, drawing))]))
            drawing_rid = "rId1"
        xml = sheet_xml(tab, st, drawing_rid=drawing_rid)
        pkg.put(entry.part, _keep_sheet_pr(xml, old_sheet_pr) if old_sheet_pr is not None else xml)
        if tab.print_titles:
            wb.set_print_titles(tab.name, tab.header_row)


def _keep_sheet_pr(xml: str, old: etree._Element) -> bytes | str:
    """The replaced sheet's sheetPr (its codeName ties it to its VBA document module; Excel
    would orphan the module and add another each run) with our tab colour and fit-to-page."""
    doc = XmlPart(xml, "sheet")
    ns = ns_of(doc.root)
    ours = child(doc.root, ns, "sheetPr")
    if ours is None or ns_of(old) != ns or len(old.attrib) == 0 and len(old) == 0:
        return xml
    merged = etree.fromstring(etree.tostring(old))  # a standalone copy: old prefixes declared on it
    for el in ours:
        existing = child(merged, ns, el.tag.rsplit("}", 1)[-1])
        if existing is not None and el.tag.endswith("}pageSetUpPr"):
            for k, v in el.attrib.items():
                existing.set(k, v)
        elif existing is not None:
            merged.replace(existing, el.__copy__())
        else:
            insert_ordered(merged, el.__copy__(), SHEET_PR_ORDER)
    ours.getparent().replace(ours, merged)
    return doc.to_bytes()


def clear_marks(src: Path, *, out: Path | None = None, backup: bool = True) -> int:
    """Remove the fills and notes cpdsheets put on input cells; returns how many cells were cleared."""
    from cpdsheets.doors.ooxml.marks import remove_marks

    with refused_parts(src), _Edit(src, out) as edit:
        removed = remove_marks(edit.pkg, edit.wb, edit.styles, edit.mark_rows)
        edit.mark_rows = []
        if removed == 0 and edit.in_place and not edit._recorded[0]:
            return 0
        # styles may have grown: a format given back after Excel or LibreOffice renumbered the styles
        edit.save(backup)
        return removed
