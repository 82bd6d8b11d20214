"""The annual disclosure report (年度披露报告) written as CSV and as PDF.

The CSV is UTF-8 with a byte-order mark (so spreadsheet programs read the Chinese right), one
section after another, each with its own header row; a cell a spreadsheet would run as a formula
is prefixed with an apostrophe. The PDF is drawn with reportlab in its built-in CID font
STSong-Light, which covers Simplified Chinese without shipping a font file.
"""

import csv
import io
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from pricing.money import format_cny

from .disclosure import AnnualReport, Figure

FONT = "STSong-Light"
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, (int, Decimal)):
        return str(value)
    text = str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def _date(value) -> str:
    return value.isoformat() if value else ""


def _figure_rows(figures: list[Figure]) -> list[list]:
    return [[figure.key, figure.label, figure.trades, figure.amount] for figure in figures]


def sections(report: AnnualReport) -> list[tuple[str, list[str], list[list]]]:
    """The report as ``(title, header, rows)`` sections, shared by the CSV and the PDF."""
    figure_header = [_("Key"), _("Label"), _("Trades"), _("Amount (CNY)")]
    fees = []
    for operator in report.operators:
        for product_fees in operator.products:
            for fee in product_fees.fees:
                plan = fee.plan
                fees.append(
                    [
                        operator.organization.name,
                        product_fees.product.code,
                        product_fees.product.name,
                        plan.name,
                        plan.get_kind_display(),
                        plan.unit_price if plan.unit_price is not None else _("on request"),
                        plan.unit_suffix,
                        fee.cap.cap if fee.cap else "",
                        f"v{fee.cap.version}" if fee.cap else "",
                    ]
                )
    return [
        (
            _("Summary"),
            [_("Item"), _("Value")],
            [
                [_("Exchange"), f"{report.exchange_name} ({report.exchange_code})"],
                [_("Year"), report.year],
                [_("Generated at"), timezone.localtime(report.generated_at).strftime("%Y-%m-%d %H:%M")],
                [_("Trades"), report.totals["trades"]],
                [_("Trading amount (CNY)"), report.totals["amount"]],
                [_("Orders refunded"), report.totals["refunded"]],
                [_("Registrations completed"), report.registrations["registered"]],
                [_("Registrations withdrawn after objections"), report.registrations["withdrawn"]],
                [_("Registrations suspended"), report.registrations["suspended"]],
                [_("Registrations cancelled"), report.registrations["cancelled"]],
                [_("Objections filed"), report.governance["objections_filed"]],
                [_("Objections upheld"), report.governance["objections_upheld"]],
                [_("Objections dismissed"), report.governance["objections_dismissed"]],
                [_("Disputes filed"), report.governance["disputes_filed"]],
                [_("Disputes upheld"), report.governance["disputes_upheld"]],
                [_("Disputes dismissed"), report.governance["disputes_dismissed"]],
                [_("Violations recorded"), report.governance["violations"]],
            ],
        ),
        (_("Trades by month"), figure_header, _figure_rows(report.by_month)),
        (_("Trades by industry section"), figure_header, _figure_rows(report.by_section)),
        (_("Trades by delivery mode"), figure_header, _figure_rows(report.by_delivery_mode)),
        (
            _("Public-data authorisations"),
            [
                _("Registration code"),
                _("Product"),
                _("Authorised party"),
                _("Authorised content"),
                _("Authorised scope"),
                _("Valid from"),
                _("Valid until"),
                _("Authorising body"),
            ],
            [
                [
                    product.code,
                    product.name,
                    product.auth_grantee,
                    product.auth_content,
                    product.auth_scope,
                    _date(product.auth_valid_from),
                    _date(product.auth_valid_until),
                    product.auth_authority,
                ]
                for product in report.authorisations
            ],
        ),
        (
            _("Public-data operators: products, fees and caps in force"),
            [
                _("Operator"),
                _("Registration code"),
                _("Product"),
                _("Plan"),
                _("Kind"),
                _("Price (CNY)"),
                _("Unit"),
                _("Cap in force (CNY)"),
                _("Cap version"),
            ],
            fees,
        ),
        (
            _("Recognitions of our registrations by peers"),
            [_("Registration code"), _("Product"), _("Recognised by"), _("Recognised on")],
            [
                [
                    row.recognition.code,
                    row.recognition.product.name if row.recognition.product else "",
                    f"{row.peer_name} ({row.recognition.recognized_by})"
                    if row.peer_name
                    else row.recognition.recognized_by,
                    timezone.localtime(row.recognition.recognized_at).date().isoformat(),
                ]
                for row in report.recognitions_in
            ],
        ),
        (
            _("Peers' registrations recognised here"),
            [_("Registration code"), _("Issuing exchange"), _("Recognised on")],
            [
                [
                    row.recognition.code,
                    f"{row.peer_name} ({row.recognition.issuer})" if row.peer_name else row.recognition.issuer,
                    timezone.localtime(row.recognition.recognized_at).date().isoformat(),
                ]
                for row in report.recognitions_out
            ],
        ),
    ]


def annual_report_csv(report: AnnualReport) -> bytes:
    """The report as CSV (UTF-8 with BOM): sections separated by an empty line."""
    out = io.StringIO()
    writer = csv.writer(out)
    for index, (title, header, rows) in enumerate(sections(report)):
        if index:
            writer.writerow([])
        writer.writerow([_cell(title)])
        writer.writerow([_cell(name) for name in header])
        for row in rows:
            writer.writerow([_cell(value) for value in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _register_font() -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))


def _month_chart(report: AnnualReport):
    """A bar chart of trades per month, drawn by reportlab."""
    from reportlab.graphics.charts.barcharts import VerticalBarChart
    from reportlab.graphics.shapes import Drawing
    from reportlab.lib import colors

    drawing = Drawing(460, 160)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 40, 25, 400, 120
    chart.data = [[figure.trades for figure in report.by_month] or [0]]
    chart.categoryAxis.categoryNames = [figure.key[-2:] for figure in report.by_month]
    chart.categoryAxis.labels.fontName = FONT
    chart.valueAxis.labels.fontName = FONT
    chart.valueAxis.valueMin = 0
    chart.bars[0].fillColor = colors.HexColor("#2563eb")
    drawing.add(chart)
    return drawing


def annual_report_pdf(report: AnnualReport) -> bytes:
    """The report as an A4 PDF: title, a chart of trades per month, then every section as a table."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    _register_font()
    title_style = ParagraphStyle("title", fontName=FONT, fontSize=16, leading=22, spaceAfter=6)
    heading = ParagraphStyle("heading", fontName=FONT, fontSize=12, leading=16, spaceBefore=10, spaceAfter=4)
    cell = ParagraphStyle("cell", fontName=FONT, fontSize=7.5, leading=9.5, wordWrap="CJK")
    muted = ParagraphStyle("muted", fontName=FONT, fontSize=8, leading=11, textColor=colors.grey)

    def para(value, style=cell):
        if isinstance(value, Decimal):
            value = format_cny(value)
        text = "" if value is None else str(value)
        return Paragraph(text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"), style)

    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=14 * mm,
        rightMargin=14 * mm,
        topMargin=14 * mm,
        bottomMargin=14 * mm,
        title=_("Annual disclosure report %(year)s") % {"year": report.year},
        author=report.exchange_name,
    )
    story = [
        para(
            _("%(exchange)s · Annual disclosure report %(year)s")
            % {"exchange": report.exchange_name, "year": report.year},
            title_style,
        ),
        para(
            _("Exchange code %(code)s · generated %(at)s")
            % {"code": report.exchange_code, "at": timezone.localtime(report.generated_at).strftime("%Y-%m-%d %H:%M")},
            muted,
        ),
        Spacer(1, 4 * mm),
        para(_("Trades per month"), heading),
        _month_chart(report),
    ]
    for title, header, rows in sections(report):
        story.append(para(title, heading))
        if not rows:
            story.append(para(_("None."), muted))
            continue
        widths = [document.width / len(header)] * len(header)
        table = Table(
            [[para(name) for name in header], *[[para(value) for value in row] for row in rows]],
            colWidths=widths,
            repeatRows=1,
        )
        table.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#d1d5db")),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f3f4f6")),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            )
        )
        story.append(table)
    document.build(story)
    return buffer.getvalue()
