"""Bar and line charts of a generated sheet as DrawingML: the drawing part that anchors them and one chart
part each, their series read from the sheet's own cells."""

from __future__ import annotations

from collections.abc import Sequence

from arxl.formats.xlsx.cells import DOC_REL, XML_HEAD, escape_text
from arxl.formats.xlsx.sheetxml import quote_sheet, split_ref
from arxl.ledger.changes import ChartSpec

_EMU_PER_CM = 360_000
_C = "http://schemas.openxmlformats.org/drawingml/2006/chart"
_A = "http://schemas.openxmlformats.org/drawingml/2006/main"
_XDR = "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing"


def drawing_xml(charts: Sequence[ChartSpec]) -> bytes:
    anchors = []
    for number, chart in enumerate(charts, start=1):
        column, row = split_ref(chart.anchor)
        cx, cy = int(chart.width_cm * _EMU_PER_CM), int(chart.height_cm * _EMU_PER_CM)
        anchors.append(
            f'<xdr:oneCellAnchor><xdr:from><xdr:col>{column - 1}</xdr:col><xdr:colOff>0</xdr:colOff>'
            f'<xdr:row>{row - 1}</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:from><xdr:ext cx="{cx}" cy="{cy}"/>'
            f'<xdr:graphicFrame macro=""><xdr:nvGraphicFramePr><xdr:cNvPr id="{number + 1}" '
            f'name="Chart {number}"/><xdr:cNvGraphicFramePr/></xdr:nvGraphicFramePr><xdr:xfrm><a:off x="0" y="0"/>'
            '<a:ext cx="0" cy="0"/></xdr:xfrm><a:graphic><a:graphicData '
            f'uri="{_C}"><c:chart xmlns:c="{_C}" r:id="rId{number}"/></a:graphicData></a:graphic>'
            '</xdr:graphicFrame><xdr:clientData/></xdr:oneCellAnchor>')
    return XML_HEAD + (f'<xdr:wsDr xmlns:xdr="{_XDR}" xmlns:a="{_A}" xmlns:r="{DOC_REL}">' + "".join(anchors)
                        + "</xdr:wsDr>").encode("utf-8")


def _text_run(text: str, size: int, bold: bool) -> str:
    b = ' b="1"' if bold else ' b="0"'
    return (f'<c:rich><a:bodyPr/><a:lstStyle/><a:p><a:pPr><a:defRPr sz="{size}"{b}/></a:pPr><a:r>'
            f'<a:rPr lang="en-GB" sz="{size}"{b}/><a:t>{escape_text(text)}</a:t></a:r></a:p></c:rich>')


def chart_xml(chart: ChartSpec, sheet: str) -> bytes:
    where = quote_sheet(sheet)
    if chart.kind == "line":
        return _line_chart_xml(chart, where)
    first, last = chart.first_row, chart.last_row
    cat = escape_text(f"{where}!${chart.categories}${first}:${chart.categories}${last}")
    series = []
    for i, letter in enumerate(chart.series):
        color = chart.colors[i] if i < len(chart.colors) else ""
        fill = f'<c:spPr><a:solidFill><a:srgbClr val="{color}"/></a:solidFill></c:spPr>' if color else ""
        series.append(
            f'<c:ser><c:idx val="{i}"/><c:order val="{i}"/><c:tx><c:strRef><c:f>{escape_text(where)}!${letter}$'
            f'{first - 1}</c:f></c:strRef></c:tx>{fill}<c:invertIfNegative val="0"/><c:cat><c:strRef><c:f>'
            f'{cat}</c:f></c:strRef></c:cat><c:val><c:numRef><c:f>{escape_text(where)}!${letter}$'
            f'{first}:${letter}${last}</c:f></c:numRef></c:val></c:ser>')
    grouping = "stacked" if chart.stacked else "clustered"
    overlap = '<c:overlap val="100"/>' if chart.stacked else ""
    plot = (f'<c:barChart><c:barDir val="{"bar" if chart.horizontal else "col"}"/><c:grouping val="{grouping}"/>'
            '<c:varyColors val="0"/>' + "".join(series)
            + f'<c:gapWidth val="60"/>{overlap}<c:axId val="500100"/><c:axId val="500200"/></c:barChart>'
            + _axes(500100, 500200, chart.horizontal))
    return _chart_space(chart, plot)


def _axes(cat_id: int, val_id: int, horizontal: bool) -> str:
    """A category and a value axis; horizontal bars list the first row at the top (categories in reverse
    order, the value axis at the bottom)."""
    orientation = "maxMin" if horizontal else "minMax"
    crosses = "max" if horizontal else "autoZero"
    cat_pos, val_pos = ("l", "b") if horizontal else ("b", "l")
    small = ('<c:txPr><a:bodyPr/><a:lstStyle/><a:p><a:pPr><a:defRPr sz="800"/></a:pPr><a:endParaRPr lang="en-GB"/>'
             '</a:p></c:txPr>')
    return (
        f'<c:catAx><c:axId val="{cat_id}"/><c:scaling><c:orientation val="{orientation}"/></c:scaling>'
        f'<c:delete val="0"/><c:axPos val="{cat_pos}"/><c:numFmt formatCode="General" sourceLinked="0"/>'
        f'<c:majorTickMark val="none"/><c:minorTickMark val="none"/><c:tickLblPos val="nextTo"/>{small}'
        f'<c:crossAx val="{val_id}"/><c:crosses val="autoZero"/><c:auto val="1"/><c:lblAlgn val="ctr"/>'
        '<c:lblOffset val="100"/><c:noMultiLvlLbl val="0"/></c:catAx>'
        f'<c:valAx><c:axId val="{val_id}"/><c:scaling><c:orientation val="minMax"/></c:scaling><c:delete val="0"/>'
        f'<c:axPos val="{val_pos}"/><c:majorGridlines><c:spPr><a:ln w="6350"><a:solidFill><a:srgbClr '
        'val="D9D9D9"/></a:solidFill></a:ln></c:spPr></c:majorGridlines><c:numFmt formatCode="#,##0" '
        'sourceLinked="0"/><c:majorTickMark val="none"/><c:minorTickMark val="none"/><c:tickLblPos val="nextTo"/>'
        f'{small}<c:crossAx val="{cat_id}"/><c:crosses val="{crosses}"/><c:crossBetween val="between"/></c:valAx>')


def _chart_space(chart: ChartSpec, plot: str) -> bytes:
    body = (
        f'<c:chartSpace xmlns:c="{_C}" xmlns:a="{_A}" xmlns:r="{DOC_REL}"><c:roundedCorners val="0"/><c:chart>'
        f'<c:title><c:tx>{_text_run(chart.title, 1200, True)}</c:tx><c:overlay val="0"/></c:title>'
        f'<c:autoTitleDeleted val="0"/><c:plotArea><c:layout/>{plot}</c:plotArea><c:legend><c:legendPos val="b"/>'
        '<c:overlay val="0"/><c:txPr><a:bodyPr/><a:lstStyle/><a:p><a:pPr><a:defRPr sz="800"/></a:pPr>'
        '<a:endParaRPr lang="en-GB"/></a:p></c:txPr></c:legend><c:plotVisOnly val="1"/><c:dispBlanksAs val="gap"/>'
        '</c:chart></c:chartSpace>')
    return XML_HEAD + body.encode("utf-8")


def _line_chart_xml(chart: ChartSpec, where: str) -> bytes:
    first, last = chart.first_row, chart.last_row
    cat = escape_text(f"{where}!${chart.categories}${first}:${chart.categories}${last}")
    series = []
    for i, letter in enumerate(chart.series):
        color = chart.colors[i] if i < len(chart.colors) else ""
        line = f'<c:spPr><a:ln w="28575"><a:solidFill><a:srgbClr val="{color}"/></a:solidFill></a:ln></c:spPr>' \
            if color else ""
        series.append(
            f'<c:ser><c:idx val="{i}"/><c:order val="{i}"/><c:tx><c:strRef><c:f>{escape_text(where)}!${letter}$'
            f'{first - 1}</c:f></c:strRef></c:tx>{line}<c:marker><c:symbol val="circle"/><c:size val="5"/>'
            f'</c:marker><c:cat><c:strRef><c:f>{cat}</c:f></c:strRef></c:cat><c:val><c:numRef><c:f>'
            f'{escape_text(where)}!${letter}${first}:${letter}${last}</c:f></c:numRef></c:val><c:smooth val="0"/>'
            '</c:ser>')
    plot = ('<c:lineChart><c:grouping val="standard"/><c:varyColors val="0"/>' + "".join(series)
            + '<c:marker val="1"/><c:axId val="500100"/><c:axId val="500200"/></c:lineChart>'
            + _axes(500100, 500200, horizontal=False))
    return _chart_space(chart, plot)
