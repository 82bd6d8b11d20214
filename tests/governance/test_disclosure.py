"""Public disclosure (披露): authorisations, operators' fees and caps, recognitions, figures, annual report."""

import csv
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from catalog.models import Recognition
from marketplace.governance import disclosure
from pricing import services as pricing_services
from tests.factories import OrganizationFactory, listed_product, member
from tests.governance.helpers import fulfilled_order
from tests.pricing.helpers import plan_data, public_data, publish

pytestmark = pytest.mark.django_db


def public_listed(name="企业登记信息核验"):
    """A listed public-data product of an authorised operator, with a plan under a ¥0.50 cap."""
    org = OrganizationFactory(name="某市公共数据运营有限公司", is_public_data_operator=True)
    actor = member(org)
    publish(cap="0.50")
    product = listed_product(org, actor, delivery_modes=["api"], **{**public_data(org), "name": name})
    pricing_services.plan_create(org=org, actor=actor, product=product, data=plan_data(unit_price="0.40"))
    return product


def test_disclosure_page_is_public_and_shows_public_data_authorisations(client):
    """Without signing in, the page lists each listed public-data product's authorisation in full."""
    product = public_listed()
    enterprise = listed_product(name="企业用电数据")

    response = client.get(reverse("governance:disclosure"))

    body = response.content.decode()
    assert response.status_code == 200
    for text in ("企业登记信息核验", "某市公共数据运营有限公司", "市场主体登记公共数据", "金融风控场景下的企业核验",
                 "2025-01-01", "2035-12-31", "示范市大数据管理局"):  # fmt: skip
        assert text in body
    assert product.code in body
    assert enterprise.code not in body


def test_disclosure_operators_page_shows_fees_and_the_cap_in_force(client):
    """Each public-data operator's products with the actual fee and the guided cap in force."""
    public_listed()

    response = client.get(reverse("governance:disclosure_operators"))

    body = response.content.decode()
    assert "某市公共数据运营有限公司" in body
    assert "¥0.40" in body and "¥0.50" in body


def test_disclosure_recognitions_page_shows_peers_recognising_our_registrations(client, settings):
    """A peer's recognition of a registration made here is published with the peer and the date."""
    product = listed_product()
    Recognition.objects.create(
        code=product.code,
        issuer=settings.EXCHANGE_CODE,
        recognized_by="BBX",
        product=product,
        listing_url="https://bbx.example/p/x/",
        recognized_at=timezone.now(),
    )

    response = client.get(reverse("governance:disclosure_recognitions"))

    assert [row.recognition.code for row in response.context["inbound"]] == [product.code]
    assert "BBX" in response.content.decode()


def test_trading_figures_count_trades_by_month_section_and_mode():
    """A fulfilled order counts once in its month, its product's section and its plan's delivery mode."""
    trade = fulfilled_order()
    year = timezone.localtime(trade.order.paid_at).year
    month = timezone.localtime(trade.order.paid_at).strftime("%Y-%m")

    by_month = {figure.key: figure for figure in disclosure.figures_by_month(year)}
    by_section = {figure.key: figure.trades for figure in disclosure.figures_by_section(year)}
    by_mode = {figure.key: figure.trades for figure in disclosure.figures_by_delivery_mode(year)}

    assert len(by_month) == 12
    assert (by_month[month].trades, by_month[month].amount) == (1, trade.order.amount)
    assert by_section == {trade.product.section: 1}
    assert by_mode == {trade.order.plan.delivery_mode: 1}


def test_refunded_orders_are_not_trades():
    """A refunded order leaves the figures."""
    from marketplace.orders import services as order_services
    from tests.factories import operator

    trade = fulfilled_order()
    order_services.order_refund(order=trade.order, actor=operator(), reason="全额退款。")

    assert disclosure.trading_totals()["trades"] == 0


def test_disclosure_page_draws_charts_as_inline_svg_without_script(client):
    """The figures are drawn as server-side SVG; the page carries no inline script."""
    fulfilled_order()

    response = client.get(reverse("governance:disclosure"))

    body = response.content.decode()
    main = body.split("<main", 1)[1].split("</main>", 1)[0]
    assert main.count("<svg") == 3
    assert "<script" not in main
    assert 'role="img"' in main


def test_annual_report_csv_download(client):
    """The CSV is UTF-8 with a BOM, with the summary, figures and authorisations of the year."""
    public_listed()
    trade = fulfilled_order()
    year = timezone.localtime(trade.order.paid_at).year

    response = client.get(reverse("governance:disclosure_report_csv", args=[year]))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert f'filename="disclosure-{year}.csv"' in response["Content-Disposition"]
    assert response.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    flat = [cell for row in rows for cell in row]
    assert "市场主体登记公共数据" in flat and "示范市大数据管理局" in flat
    assert trade.order.number not in flat  # no order is named, only aggregates


def test_annual_report_csv_neutralises_spreadsheet_formulas(client):
    """A product name that starts like a formula is written with a leading apostrophe."""
    org = OrganizationFactory(is_public_data_operator=True)
    listed_product(org, member(org), **{**public_data(org), "name": "=HYPERLINK(1)"})

    response = client.get(reverse("governance:disclosure_report_csv", args=[timezone.localdate().year]))

    assert "'=HYPERLINK(1)" in response.content.decode("utf-8-sig")


def test_annual_report_pdf_download(client):
    """The PDF is a PDF, drawn with the built-in Chinese font."""
    public_listed()
    fulfilled_order()

    response = client.get(reverse("governance:disclosure_report_pdf", args=[timezone.localdate().year]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert b"STSong-Light" in response.content


def test_annual_report_of_a_future_year_is_not_found(client):
    """Only years up to the current one have a report."""
    next_year = timezone.localdate().year + 1

    csv_response = client.get(reverse("governance:disclosure_report_csv", args=[next_year]))
    pdf_response = client.get(reverse("governance:disclosure_report_pdf", args=[next_year]))

    assert csv_response.status_code == pdf_response.status_code == 404


def test_annual_report_page_offers_both_downloads(client):
    """The report page for a chosen year links the CSV and the PDF of that year."""
    year = timezone.localdate().year

    response = client.get(reverse("governance:disclosure_report"), {"year": year})

    body = response.content.decode()
    assert reverse("governance:disclosure_report_csv", args=[year]) in body
    assert reverse("governance:disclosure_report_pdf", args=[year]) in body
