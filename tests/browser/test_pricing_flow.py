"""In the browser: the price authority publishes a guided price, a too-high plan is refused, the buyer quotes."""

import re

from playwright.sync_api import expect

from pricing.models import GuidedPriceEntry, Plan
from tests.browser.conftest import sign_in
from tests.factories import OrganizationFactory, member
from tests.pricing.helpers import price_authority, public_product


def test_guided_price_published_plan_refused_above_cap_and_tiered_quote(page):
    """The price authority publishes a tiered cap; a ¥0.80 plan is refused naming ¥0.50; a buyer quotes 2,500 calls."""
    authority = price_authority()
    operator_org = OrganizationFactory(name="示范数据运营有限公司", is_public_data_operator=True)
    merchant = member(operator_org)
    product = public_product(operator_org, merchant, listed=True)
    buyer = member(OrganizationFactory(name="示范农商银行", is_merchant=False))

    # The price authority publishes the catalogue entry.
    sign_in(page, authority.username)
    page.goto(page.base_url + "/pricing/authority/entries/new/")
    page.fill("input[name=title]", "企业登记信息核验（按次）")
    page.select_option("select[name=section]", "L")
    page.select_option("select[name=delivery_mode]", "api")
    page.select_option("select[name=billing_unit]", "per_call")
    page.fill("input[name=cap]", "0.50")
    page.fill("textarea[name=tiers]", "1001, 0.40\n2001, 0.30")
    page.fill("input[name=sme_discount_percent]", "10")
    page.click("form.card button[type=submit]")
    expect(page.locator("#current")).to_contain_text("¥0.50")
    page.goto(page.base_url + "/pricing/guided/")
    expect(page.locator("#in-force")).to_contain_text("企业登记信息核验（按次）")

    # The merchant's plan above the cap is refused, with the cap named next to the price.
    page.context.clear_cookies()
    sign_in(page, merchant.username)
    page.goto(page.base_url + f"/pricing/my/products/{product.pk}/plans/")
    page.fill("#plan-form input[name=name]", "按次调用")
    page.select_option("#plan-form select[name=kind]", "per_call")
    page.select_option("#plan-form select[name=delivery_mode]", "api")
    page.fill("#plan-form input[name=unit_price]", "0.80")
    page.click("#plan-form button[type=submit]")
    expect(page.locator("#field-unit_price .errorlist")).to_contain_text("¥0.50")
    assert not Plan.objects.exists()
    page.fill("#plan-form input[name=unit_price]", "0.45")
    page.click("#plan-form button[type=submit]")
    expect(page.locator("tr.plan-row")).to_contain_text("¥0.45")

    # The buyer types a volume; the calculator re-quotes through the API and shows the tiers.
    page.context.clear_cookies()
    sign_in(page, buyer.username)
    page.goto(page.base_url + f"/p/{product.code}/")
    page.fill("#quote-quantity", "2500")
    result = page.locator("[data-quote-result]")
    expect(result.locator("tr.line-tier")).to_have_count(3)
    expect(result.locator(".quote-total")).to_have_text("¥1,000.00")
    expect(result.locator("tr.line-tier").nth(2)).to_contain_text(re.compile(r"2,001.2,500"))
    expect(result.locator(".quote-rule")).to_contain_text(f"#{GuidedPriceEntry.objects.get().pk}")
    assert "quantity=2500" in page.url  # the URL follows, so the no-JS form and a reload agree
