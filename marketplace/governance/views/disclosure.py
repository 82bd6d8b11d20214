"""Public disclosure pages (披露) under /disclosure/: no sign-in needed."""

from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import charts, disclosure
from ..reports import annual_report_csv, annual_report_pdf

FIRST_YEAR = 2000


def _year(value) -> int | None:
    try:
        year = int(value)
    except (TypeError, ValueError):
        return None
    return year if FIRST_YEAR <= year <= timezone.localdate().year else None


def _figure_charts(year: int | None) -> list[dict]:
    """Trades by month, section and delivery mode, each as a table and a bar chart."""
    sets = [
        ("month", _("Trades by month"), disclosure.figures_by_month(year)),
        ("section", _("Trades by industry section"), disclosure.figures_by_section(year)),
        ("mode", _("Trades by delivery mode"), disclosure.figures_by_delivery_mode(year)),
    ]
    result = []
    for key, title, figures in sets:
        labels = [(figure.key if key != "mode" else figure.label) for figure in figures]
        result.append(
            {
                "key": key,
                "title": title,
                "figures": figures,
                "svg": charts.bar_chart([(label, figure.trades) for label, figure in zip(labels, figures)], title=title)
                if figures
                else None,
            }
        )
    return result


def index(request):
    """Public-data authorisations and aggregate trading figures with charts; links to the rest."""
    year = _year(request.GET.get("year"))
    return render(
        request,
        "governance/disclosure/index.html",
        {
            "authorisations": disclosure.public_data_authorisations(),
            "year": year,
            "years": disclosure.years_with_trades(),
            "totals": disclosure.trading_totals(year),
            "figure_sets": _figure_charts(year),
            "today": timezone.localdate(),
        },
    )


def operators(request):
    """Each public-data operator's products and services, with actual fees and the caps in force."""
    return render(request, "governance/disclosure/operators.html", {"operators": disclosure.public_data_operators()})


def recognitions(request):
    """Recognitions by peer exchanges of registrations made here, and this exchange's of theirs."""
    return render(
        request,
        "governance/disclosure/recognitions.html",
        {"inbound": disclosure.recognitions(inbound=True), "outbound": disclosure.recognitions(inbound=False)},
    )


def report(request):
    """The annual report for a chosen year, on the page, with CSV and PDF downloads."""
    years = disclosure.years_with_trades()
    year = _year(request.GET.get("year"))
    if request.GET.get("year") is not None and year is None:
        return redirect("governance:disclosure_report")
    year = year or years[0]
    return render(
        request,
        "governance/disclosure/report.html",
        {"report": disclosure.annual_report(year), "years": years, "figure_sets": _figure_charts(year)},
    )


def _download(year: int, *, extension: str, content_type: str, body: bytes) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="disclosure-{year}.{extension}"'
    return response


def report_csv(request, year: int):
    if _year(year) is None:
        raise Http404(_("No report for this year."))
    body = annual_report_csv(disclosure.annual_report(year))
    return _download(year, extension="csv", content_type="text/csv; charset=utf-8", body=body)


def report_pdf(request, year: int):
    if _year(year) is None:
        raise Http404(_("No report for this year."))
    body = annual_report_pdf(disclosure.annual_report(year))
    return _download(year, extension="pdf", content_type="application/pdf", body=body)
