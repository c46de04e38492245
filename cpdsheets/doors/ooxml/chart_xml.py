"""A native Excel bar/column chart for an output tab: the drawing part and the chart part.

Series point at the tab's own cells and carry cached values, so Excel, WPS and LibreOffice all
draw it without recalculating anything.
"""

from __future__ import annotations

from typing import Any

from cpdsheets.doors.ooxml.sheet_xml import _as_text, _blank, _num
from cpdsheets.doors.xml_text import column_letters, quote_sheet, text_xml
from cpdsheets.reports.tables import TabTable

_C = "http://schemas.openxmlformats.org/drawingml/2006/chart"
_A = "http://schemas.openxmlformats.org/drawingml/2006/main"
_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_XDR = "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing"
CHART_CT = "application/vnd.openxmlformats-officedocument.drawingml.chart+xml"
DRAWING_CT = "application/vnd.openxmlformats-officedocument.drawing+xml"
CHART_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/chart"
DRAWING_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/drawing"
_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


def drawing_xml(tab: TabTable, chart_rid: str) -> str:
    col0 = len(tab.columns) + 1
    row0 = tab.header_row - 1
    name = text_xml(tab.chart.title if tab.chart else "")
    return (
        f'{_HEAD}<xdr:wsDr xmlns:xdr="{_XDR}" xmlns:a="{_A}">'
        '<xdr:twoCellAnchor editAs="oneCell">'
        f"<xdr:from><xdr:col>{col0}</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>{row0}</xdr:row>"
        "<xdr:rowOff>0</xdr:rowOff></xdr:from>"
        f"<xdr:to><xdr:col>{col0 + 9}</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>{row0 + 20}</xdr:row>"
        "<xdr:rowOff>0</xdr:rowOff></xdr:to>"
        f'<xdr:graphicFrame macro=""><xdr:nvGraphicFramePr><xdr:cNvPr id="2" name="{name or "Chart 1"}"/>'
        "<xdr:cNvGraphicFramePr/></xdr:nvGraphicFramePr>"
        '<xdr:xfrm><a:off x="0" y="0"/><a:ext cx="0" cy="0"/></xdr:xfrm>'
        f'<a:graphic><a:graphicData uri="{_C}"><c:chart xmlns:c="{_C}" xmlns:r="{_R}" r:id="{chart_rid}"/>'
        "</a:graphicData></a:graphic></xdr:graphicFrame><xdr:clientData/></xdr:twoCellAnchor></xdr:wsDr>"
    )


def drawing_rels(chart_target: str) -> str:
    return (f'{_HEAD}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{CHART_REL}" Target="{chart_target}"/></Relationships>')


def _rich(text: str) -> str:
    return (f"<c:tx><c:rich><a:bodyPr/><a:lstStyle/><a:p><a:r><a:t>{text_xml(text)}</a:t></a:r></a:p>"
            '</c:rich></c:tx><c:overlay val="0"/>')


def _str_cache(values: list[Any]) -> str:
    pts = "".join(f'<c:pt idx="{i}"><c:v>{text_xml(_as_text(v))}</c:v></c:pt>'
                  for i, v in enumerate(values) if not _blank(v))
    return f'<c:strCache><c:ptCount val="{len(values)}"/>{pts}</c:strCache>'


def _num_cache(values: list[Any]) -> str:
    pts = []
    for i, v in enumerate(values):
        n = _num(v)
        if n is not None:
            pts.append(f'<c:pt idx="{i}"><c:v>{n}</c:v></c:pt>')
    return f'<c:numCache><c:formatCode>General</c:formatCode><c:ptCount val="{len(values)}"/>{"".join(pts)}</c:numCache>'


def chart_xml(tab: TabTable, sheet_name: str) -> str:
    spec = tab.chart
    assert spec is not None
    sheet = quote_sheet(sheet_name)
    h = tab.header_row
    first, last = h + 1, h + max(len(tab.rows), 1)
    cat_col = column_letters(spec.category_column)
    cats = [row[spec.category_column] if spec.category_column < len(row) else None for row in tab.rows]
    series = []
    for order, vc in enumerate(spec.value_columns):
        col = column_letters(vc)
        vals = [row[vc] if vc < len(row) else None for row in tab.rows]
        header = tab.columns[vc].header if vc < len(tab.columns) else ""
        series.append(
            f'<c:ser><c:idx val="{order}"/><c:order val="{order}"/>'
            f"<c:tx><c:strRef><c:f>{text_xml(sheet)}!${col}${h}</c:f>{_str_cache([header])}</c:strRef></c:tx>"
            '<c:invertIfNegative val="0"/>'
            f"<c:cat><c:strRef><c:f>{text_xml(sheet)}!${cat_col}${first}:${cat_col}${last}</c:f>"
            f"{_str_cache(cats)}</c:strRef></c:cat>"
            f"<c:val><c:numRef><c:f>{text_xml(sheet)}!${col}${first}:${col}${last}</c:f>"
            f"{_num_cache(vals)}</c:numRef></c:val></c:ser>"
        )
    horizontal = spec.kind == "bar"
    cat_pos, val_pos = ("l", "b") if horizontal else ("b", "l")
    y_title = f"<c:title>{_rich(spec.y_title)}</c:title>" if spec.y_title else ""
    legend = '<c:legend><c:legendPos val="b"/><c:overlay val="0"/></c:legend>' if len(series) > 1 else ""
    # The value axis reads like its first series' column: a completion rate as 50%, not 0.5.
    first_kind = tab.columns[spec.value_columns[0]].kind if spec.value_columns else "number"
    value_format = {"percent": "0%", "int": "0"}.get(first_kind, "General")
    return (
        f'{_HEAD}<c:chartSpace xmlns:c="{_C}" xmlns:a="{_A}" xmlns:r="{_R}">'
        '<c:roundedCorners val="0"/><c:chart>'
        f'<c:title>{_rich(spec.title)}</c:title><c:autoTitleDeleted val="0"/>'
        "<c:plotArea><c:layout/><c:barChart>"
        f'<c:barDir val="{"bar" if horizontal else "col"}"/><c:grouping val="clustered"/><c:varyColors val="0"/>'
        f'{"".join(series)}<c:gapWidth val="150"/><c:axId val="50010001"/><c:axId val="50010002"/></c:barChart>'
        '<c:catAx><c:axId val="50010001"/><c:scaling><c:orientation val="minMax"/></c:scaling>'
        f'<c:delete val="0"/><c:axPos val="{cat_pos}"/><c:numFmt formatCode="General" sourceLinked="1"/>'
        '<c:tickLblPos val="nextTo"/><c:crossAx val="50010002"/><c:crosses val="autoZero"/><c:auto val="1"/>'
        '<c:lblAlgn val="ctr"/><c:lblOffset val="100"/></c:catAx>'
        '<c:valAx><c:axId val="50010002"/><c:scaling><c:orientation val="minMax"/></c:scaling>'
        f'<c:delete val="0"/><c:axPos val="{val_pos}"/><c:majorGridlines/>{y_title}'
        f'<c:numFmt formatCode="{value_format}" sourceLinked="0"/><c:tickLblPos val="nextTo"/>'
        '<c:crossAx val="50010001"/><c:crosses val="autoZero"/><c:crossBetween val="between"/></c:valAx>'
        f'</c:plotArea>{legend}<c:plotVisOnly val="1"/><c:dispBlanksAs val="gap"/></c:chart></c:chartSpace>'
    )
