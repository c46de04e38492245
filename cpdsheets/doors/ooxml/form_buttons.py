"""Form-control buttons that run a macro: a VML drawing as xlsxwriter writes the template's 控制台
(``insert_button``), for a sheet added to an existing book by the package writer.

Each VML drawing of a book claims a block of 1024 shape ids through ``<o:idmap data="n"/>``; a new
drawing takes the next free block, so its shapes never share an id with the book's own comments.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from cpdsheets.doors.ooxml.zip_package import Package
from cpdsheets.doors.xml_text import attr_xml, text_xml

VML_CT = "application/vnd.openxmlformats-officedocument.vmlDrawing"
VML_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/vmlDrawing"
_IDMAP = re.compile(rb"<o:idmap\b[^>]*\bdata\s*=\s*[\"']([0-9,\s]+)[\"']")
_SHAPES_PER_BLOCK = 1024
_POINTS_PER_PIXEL = 0.75


@dataclass(frozen=True, slots=True)
class Button:
    caption: str
    macro: str  # the VBA Sub the button runs
    row: int  # 0-based cell the button's top-left corner sits in
    col: int
    x_offset: int = 2  # pixels into that cell
    y_offset: int = 2
    width: int = 120  # pixels
    height: int = 36


def column_pixels(width: float) -> int:
    """A column of ``width`` characters in pixels, as Excel (and xlsxwriter) lays it out."""
    return int(width * 7 + 0.5) + 5 if width >= 1 else int(width * 12 + 0.5)


def next_idmap(pkg: Package) -> int:
    """The first shape-id block no VML drawing of the book claims."""
    used = {0}
    for name in pkg.names():
        if name.lower().endswith(".vml"):
            for m in _IDMAP.finditer(pkg.read(name)):
                used.update(int(n) for n in re.findall(rb"\d+", m.group(1)))
    return max(used) + 1


def buttons_vml(buttons: list[Button], idmap: int, col_px: list[int], row_px: list[int]) -> str:
    """The drawing; ``col_px``/``row_px`` give each column's and row's size in pixels from A/1 on."""
    shapes = []
    for i, b in enumerate(buttons):
        left = sum(col_px[:b.col]) + b.x_offset
        top = sum(row_px[:b.row]) + b.y_offset
        end_col, end_x = _end(col_px, b.col, b.x_offset + b.width)
        end_row, end_y = _end(row_px, b.row, b.y_offset + b.height)
        style = (f"position:absolute;margin-left:{left * _POINTS_PER_PIXEL:g}pt;"
                 f"margin-top:{top * _POINTS_PER_PIXEL:g}pt;width:{b.width * _POINTS_PER_PIXEL:g}pt;"
                 f"height:{b.height * _POINTS_PER_PIXEL:g}pt;z-index:{i + 1};mso-wrap-style:tight")
        shapes.append(
            f'<v:shape id="_x0000_s{idmap * _SHAPES_PER_BLOCK + 1 + i}" type="#_x0000_t201" style="{style}" '
            'o:button="t" fillcolor="buttonFace [67]" strokecolor="windowText [64]" o:insetmode="auto">'
            '<v:fill color2="buttonFace [67]" o:detectmouseclick="t"/><o:lock v:ext="edit" rotation="t"/>'
            '<v:textbox style="mso-direction-alt:auto" o:singleclick="f"><div style="text-align:center">'
            f'<font face="Calibri" size="220" color="#000000">{text_xml(b.caption)}</font></div></v:textbox>'
            '<x:ClientData ObjectType="Button">'
            f"<x:Anchor>{b.col}, {b.x_offset}, {b.row}, {b.y_offset}, {end_col}, {end_x}, {end_row}, {end_y}</x:Anchor>"
            "<x:PrintObject>False</x:PrintObject><x:AutoFill>False</x:AutoFill>"
            f"<x:FmlaMacro>[0]!{attr_xml(b.macro)}</x:FmlaMacro>"
            "<x:TextHAlign>Center</x:TextHAlign><x:TextVAlign>Center</x:TextVAlign></x:ClientData></v:shape>")
    return ('<xml xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" '
            'xmlns:x="urn:schemas-microsoft-com:office:excel">'
            f'<o:shapelayout v:ext="edit"><o:idmap v:ext="edit" data="{idmap}"/></o:shapelayout>'
            '<v:shapetype id="_x0000_t201" coordsize="21600,21600" o:spt="201" path="m,l,21600r21600,l21600,xe">'
            '<v:stroke joinstyle="miter"/><v:path shadowok="f" o:extrusionok="f" strokeok="f" fillok="f" '
            'o:connecttype="rect"/><o:lock v:ext="edit" shapetype="t"/></v:shapetype>'
            + "".join(shapes) + "</xml>")


def _end(sizes: list[int], start: int, extent: int) -> tuple[int, int]:
    """The cell and the offset in it where a shape ``extent`` pixels long, starting in ``start``, ends."""
    i = start
    while i < len(sizes) - 1 and extent >= sizes[i]:
        extent -= sizes[i]
        i += 1
    return i, extent
