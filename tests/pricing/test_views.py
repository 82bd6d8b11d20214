"""Pricing pages and API through HTTP: public notice, price authority, plans, quotes, free use, revenue."""

from decimal import Decimal

import pytest
from django.urls import reverse

from pricing import services
from pricing.models import FreeUseApplication, GuidedPriceEntry, Plan
from tests.factories import OrganizationFactory, UserFactory, draft_product, member, operator
from tests.pricing.helpers import plan_data, price_authority, public_product, publish, terms

pytestmark = pytest.mark.django_db


def _guided_listing(cap="0.50", tiers=((1001, "0.40"), (2001, "0.30")), price="0.45"):
    """A listed public-data product with one per-call plan under a tiered guided price."""
    authority = price_authority()
    version = publish(authority, cap=cap, tiers=tiers, sme="10")
    product = public_product(listed=True)
    plan = services.plan_create(
        org=product.holder, actor=product.created_by, product=product, data=plan_data(unit_price=price)
    )
    return authority, version, product, plan


# Public notice (公示) -----------------------------------------------------------------------------


def test_guided_public_page_lists_current_and_past_versions(client):
    """The public page shows the version in force and every earlier version with its dates."""
    authority = price_authority()
    first = publish(authority, cap="0.50", title="企业核验（按次）")
    services.guided_entry_revise(actor=authority, entry=first.entry, terms=terms(cap="0.45", basis="示范价〔2026〕1号"))

    response = client.get(reverse("pricing:guided_public"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "企业核验（按次）" in html
    assert 'data-version="1"' in html and 'data-version="2"' in html
    assert "state-superseded" in html and "state-in_force" in html
    assert "¥0.45" in html and "¥0.50" in html
    assert first.effective_from.strftime("%Y-%m-%d") in html


def test_guided_entry_page_shows_the_terms_in_force(client):
    version = publish(cap="0.50", tiers=[(1001, "0.40")])

    response = client.get(reverse("pricing:guided_entry", args=[version.entry_id]))

    assert response.status_code == 200
    assert "¥0.40" in response.content.decode()


# Price authority pages ----------------------------------------------------------------------------


def test_price_authority_pages_are_refused_to_others(client):
    client.force_login(member(OrganizationFactory()))

    assert client.get(reverse("pricing:authority")).status_code == 403
    assert client.post(reverse("pricing:entry_create"), {"title": "x"}).status_code == 403
    assert not GuidedPriceEntry.objects.exists()


def test_price_authority_publishes_an_entry_in_the_browser_form(client):
    client.force_login(price_authority())

    response = client.post(
        reverse("pricing:entry_create"),
        {
            "title": "企业核验（按次）",
            "section": "L",
            "delivery_mode": "api",
            "billing_unit": "per_call",
            "cap": "0.50",
            "tiers": "1001, 0.40\n10001, 0.30",
            "sme_discount_percent": "10",
            "effective_from": "2026-01-01",
        },
    )

    entry = GuidedPriceEntry.objects.get()
    assert response.status_code == 302
    assert entry.versions.get().tier_list[0].from_quantity == 1001


def test_entry_form_shows_the_tier_error_next_to_the_field(client):
    client.force_login(price_authority())

    response = client.post(
        reverse("pricing:entry_create"),
        {
            "title": "企业核验（按次）",
            "section": "L",
            "delivery_mode": "api",
            "billing_unit": "per_call",
            "cap": "0.50",
            "tiers": "1001, 0.40\n5001, 0.45",
            "sme_discount_percent": "0",
            "effective_from": "2026-01-01",
        },
    )

    assert response.status_code == 200
    assert "tiers" in response.context["form"].errors
    assert not GuidedPriceEntry.objects.exists()


def test_price_authority_revises_and_the_flag_reaches_merchant_and_operators(client):
    authority, version, product, plan = _guided_listing(price="0.45")
    client.force_login(authority)

    response = client.post(
        reverse("pricing:entry_revise", args=[version.entry_id]),
        {"cap": "0.40", "sme_discount_percent": "0", "effective_from": version.effective_from.isoformat()},
    )

    assert response.status_code == 302
    client.force_login(product.created_by)
    merchant_page = client.get(reverse("pricing:plans", args=[product.pk])).content.decode()
    assert "flagged-plan" in merchant_page and "¥0.40" in merchant_page
    client.force_login(operator())
    operator_page = client.get(reverse("pricing:flagged_plans")).content.decode()
    assert plan.name in operator_page and product.holder.name in operator_page


# API: the catalogue -----------------------------------------------------------------------------


def test_guided_price_api_reads_are_public(client):
    publish(cap="0.50")

    response = client.get("/api/v1/guided-prices/?section=L")

    assert response.status_code == 200
    entry = response.json()["results"][0]
    assert entry["current"]["cap"] == "0.50"
    assert [v["version"] for v in entry["versions"]] == [1]


def test_guided_price_api_refuses_to_publish_for_anyone_but_the_price_authority(client):
    """Non price-authority callers get 403; nothing is published."""
    body = {
        "section": "L",
        "delivery_mode": "api",
        "billing_unit": "per_call",
        "title": "x",
        "cap": "0.50",
        "effective_from": "2026-01-01",
    }

    anonymous = client.post("/api/v1/guided-prices/", body, content_type="application/json")
    client.force_login(operator())
    staff = client.post("/api/v1/guided-prices/", body, content_type="application/json")

    assert anonymous.status_code == 403
    assert staff.status_code == 403
    assert not GuidedPriceEntry.objects.exists()


def test_guided_price_api_publishes_and_revises_for_the_price_authority(client):
    client.force_login(price_authority())
    body = {
        "section": "L",
        "delivery_mode": "api",
        "billing_unit": "per_call",
        "title": "企业核验",
        "cap": "0.50",
        "tiers": [{"from_quantity": 1001, "unit_price": "0.40"}],
        "effective_from": "2026-01-01",
    }

    created = client.post("/api/v1/guided-prices/", body, content_type="application/json")
    revised = client.post(
        f"/api/v1/guided-prices/{created.json()['id']}/revise/",
        {"cap": "0.45", "effective_from": "2026-02-01"},
        content_type="application/json",
    )

    assert created.status_code == 201
    assert revised.status_code == 201
    assert [v["version"] for v in revised.json()["versions"]] == [2, 1]


def test_guided_price_api_rejects_rising_tiers(client):
    client.force_login(price_authority())
    body = {
        "section": "L",
        "delivery_mode": "api",
        "billing_unit": "per_call",
        "title": "企业核验",
        "cap": "0.50",
        "tiers": [{"from_quantity": 1001, "unit_price": "0.40"}, {"from_quantity": 2001, "unit_price": "0.45"}],
        "effective_from": "2026-01-01",
    }

    response = client.post("/api/v1/guided-prices/", body, content_type="application/json")

    assert response.status_code == 400
    assert "tiers" in response.json()["errors"]


# API: quotes --------------------------------------------------------------------------------------


def test_quote_api_returns_the_tiered_breakdown(client):
    _authority, version, product, plan = _guided_listing()

    response = client.post(
        "/api/v1/quotes", {"product": product.code, "plan": plan.pk, "quantity": 2500}, content_type="application/json"
    )

    data = response.json()
    assert response.status_code == 200
    assert data["amount"] == "1000.00"  # 1000 × 0.45 + 1000 × 0.40 + 500 × 0.30
    assert [line["kind"] for line in data["lines"]] == ["tier", "tier", "tier"]
    assert (data["guided_entry_id"], data["guided_version"]) == (version.entry_id, 1)


def test_quote_api_applies_the_sme_discount_of_the_signed_in_buyer(client):
    _authority, _version, product, plan = _guided_listing()
    client.force_login(member(OrganizationFactory(is_sme=True)))

    response = client.post(
        "/api/v1/quotes/", {"product": product.code, "plan": plan.pk, "quantity": 2500}, content_type="application/json"
    )

    assert response.json()["amount"] == "900.00"
    assert response.json()["lines"][-1]["kind"] == "sme_discount"


def test_quote_api_bad_inputs(client):
    _authority, _version, product, plan = _guided_listing()

    zero = client.post(
        "/api/v1/quotes", {"product": product.code, "plan": plan.pk, "quantity": 0}, content_type="application/json"
    )
    unknown = client.post(
        "/api/v1/quotes", {"product": "NOPE", "plan": plan.pk, "quantity": 1}, content_type="application/json"
    )

    assert zero.status_code == 400 and "quantity" in zero.json()
    assert unknown.status_code == 400 and "product" in unknown.json()


def test_quote_api_says_a_quotation_plan_is_priced_on_request(client):
    org = OrganizationFactory()
    merchant = member(org)
    product = public_product(org, merchant, listed=True, data_source_type="enterprise")
    plan = services.plan_create(
        org=org, actor=merchant, product=product, data=plan_data(kind="quotation", unit_price="")
    )

    response = client.post(
        "/api/v1/quotes", {"product": product.code, "plan": plan.pk, "quantity": 1}, content_type="application/json"
    )

    assert response.status_code == 409
    assert "议价" in response.json()["detail"]


def test_plans_api_lists_a_listed_products_active_plans(client):
    _authority, _version, product, plan = _guided_listing()

    response = client.get(f"/api/v1/plans/?product={product.code}")

    assert [row["id"] for row in response.json()["results"]] == [plan.pk]
    assert response.json()["results"][0]["billing_unit"] == "per_call"


# Merchant's plans ---------------------------------------------------------------------------------


def test_plans_page_refuses_a_plan_above_the_cap_and_names_it(client):
    publish(cap="0.50")
    product = public_product()
    client.force_login(product.created_by)

    response = client.post(
        reverse("pricing:plans", args=[product.pk]),
        {"name": "按次调用", "kind": "per_call", "delivery_mode": "api", "unit_price": "0.80"},
    )

    assert response.status_code == 400
    assert "¥0.50" in str(response.context["form"].errors["unit_price"])
    assert not Plan.objects.exists()


def test_plans_page_saves_a_plan_within_the_cap(client):
    publish(cap="0.50")
    product = public_product()
    client.force_login(product.created_by)

    response = client.post(
        reverse("pricing:plans", args=[product.pk]),
        {"name": "按次调用", "kind": "per_call", "delivery_mode": "api", "unit_price": "0.50"},
    )

    assert response.status_code == 302
    assert Plan.objects.get().unit_price == Decimal("0.50")


def test_plans_page_is_scoped_to_the_holder(client):
    org = OrganizationFactory()
    product = draft_product(org, member(org))
    client.force_login(member(OrganizationFactory()))

    assert client.get(reverse("pricing:plans", args=[product.pk])).status_code == 404


def test_plan_edit_records_the_price_change(client):
    org = OrganizationFactory()
    merchant = member(org)
    product = draft_product(org, merchant)
    plan = services.plan_create(org=org, actor=merchant, product=product, data=plan_data(unit_price="1.00"))
    client.force_login(merchant)

    response = client.post(
        reverse("pricing:plan_edit", args=[product.pk, plan.pk]), {"name": "按次", "unit_price": "1.20"}
    )

    assert response.status_code == 302
    assert plan.price_changes.count() == 2


# Product-page panel -------------------------------------------------------------------------------


def test_product_page_panel_quotes_without_javascript(client):
    """The panel's GET form is answered by the server: the tiered breakdown is in the page."""
    _authority, _version, product, plan = _guided_listing()

    response = client.get(reverse("catalog:product", args=[product.code]), {"plan": plan.pk, "quantity": "2500"})

    html = response.content.decode()
    assert response.status_code == 200
    assert "data-quote-panel" in html
    assert "line-tier" in html
    assert "¥1,000.00" in html
    assert "js/quote.js" in html


def test_product_page_panel_shows_a_bad_quantity_next_to_the_form(client):
    _authority, _version, product, plan = _guided_listing()

    response = client.get(reverse("catalog:product", args=[product.code]), {"plan": plan.pk, "quantity": "abc"})

    assert "quote-error" in response.content.decode()


# Free use -----------------------------------------------------------------------------------------


def test_free_use_apply_and_operator_decision_pages(client):
    _authority, _version, product, plan = _guided_listing()
    buyer = OrganizationFactory(is_merchant=False)
    applicant = member(buyer)
    client.force_login(applicant)

    applied = client.post(
        reverse("pricing:free_use_apply", args=[product.code]),
        {"purpose": "public_welfare", "statement": "用于公益助农项目的企业资质核验。"},
    )
    application = FreeUseApplication.objects.get()
    client.force_login(operator())
    queue = client.get(reverse("pricing:free_use_queue"))
    decided = client.post(reverse("pricing:free_use_decide", args=[application.pk, "approve"]), {"reason": "公益"})
    client.force_login(applicant)
    mine = client.get(reverse("pricing:my_free_use"))

    assert applied.status_code == 302
    assert "用于公益助农项目" in queue.content.decode()
    assert decided.status_code == 302
    application.refresh_from_db()
    assert application.status == "approved"
    assert product.name in mine.content.decode()


def test_free_use_queue_is_for_operators(client):
    client.force_login(UserFactory())

    assert client.get(reverse("pricing:free_use_queue")).status_code == 403


# Revenue ------------------------------------------------------------------------------------------


def test_revenue_pages_for_the_price_authority_and_the_operator(client):
    org = OrganizationFactory(is_public_data_operator=True)
    operator_member = member(org)
    authority = price_authority()
    client.force_login(authority)

    saved = client.post(
        reverse("pricing:revenue_authority"),
        {"organization": org.pk, "year": 2026, "operating_cost": "800", "permitted_profit": "150", "tax": "50"},
    )
    services.revenue_record(
        organization=org, amount="950.00", period_date=__import__("datetime").date(2026, 5, 1), source="order:9"
    )
    client.force_login(operator_member)
    report = client.get(reverse("pricing:my_revenue")).content.decode()

    assert saved.status_code == 302
    assert "¥1,000.00" in report and "95.00%" in report
    client.force_login(member(OrganizationFactory()))
    assert client.get(reverse("pricing:my_revenue")).status_code == 403


def test_product_page_panel_links_the_holder_to_its_plans(client):
    _authority, _version, product, _plan = _guided_listing()
    plans_url = reverse("pricing:plans", args=[product.pk])

    anonymous = client.get(reverse("catalog:product", args=[product.code])).content.decode()
    client.force_login(product.created_by)
    holder = client.get(reverse("catalog:product", args=[product.code])).content.decode()

    assert plans_url not in anonymous
    assert plans_url in holder


def test_withdrawn_plan_is_no_longer_quoted(client):
    _authority, _version, product, plan = _guided_listing()
    client.force_login(product.created_by)

    response = client.post(reverse("pricing:plan_active", args=[product.pk, plan.pk]), {"active": "0"})
    quoted = client.post(
        "/api/v1/quotes", {"product": product.code, "plan": plan.pk, "quantity": 1}, content_type="application/json"
    )

    assert response.status_code == 302
    assert Plan.objects.get(pk=plan.pk).is_active is False
    assert quoted.status_code == 409
