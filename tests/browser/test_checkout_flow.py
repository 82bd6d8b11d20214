"""In the browser: a buyer checks out by bank transfer, an operator confirms it, the buyer makes a first data call."""

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from marketplace.access import store
from marketplace.access.models import Entitlement, UsageLog
from marketplace.orders.models import Order, OrderStatus
from tests.browser.conftest import sign_in
from tests.factories import OrganizationFactory, member, operator
from tests.orders.support import market_product, plan, upload


@pytest.fixture(autouse=True)
def _private_uploads(settings, tmp_path):
    settings.PRIVATE_UPLOAD_ROOT = tmp_path / "private"
    cache.clear()
    store.clear_namespace()


@pytest.mark.django_db(transaction=True)
def test_bank_transfer_checkout_confirmed_by_operator_then_first_data_call(page, chromium, settings):
    """Product page → checkout (bank transfer) → the order shows the account and reference → the operator
    confirms receipt → the buyer sees access granted, creates a key (shown once) and calls the data API."""
    settings.STRIPE_SECRET_KEY = settings.STRIPE_PUBLISHABLE_KEY = ""
    product, org, actor = market_product()
    plan(product, org, actor, price="0.50", name="按次调用")
    upload(product, org, actor)
    buyer = member(OrganizationFactory(name="示范农商银行", is_merchant=False))
    staff = operator()

    # The buyer chooses 20 calls on the product page and places the order at checkout.
    sign_in(page, buyer.username)
    page.goto(page.base_url + f"/p/{product.code}/")
    page.fill("#buy-quantity", "20")
    page.select_option("#buy-purpose", "risk_control")
    page.click("#buy button[type=submit]")
    expect(page.locator("[data-quote-amount]")).to_have_text("¥10.00")
    expect(page.locator("input[name=payment_method][value=bank_transfer]")).to_be_checked()
    page.click("#checkout-form button[type=submit]")
    expect(page.locator("h1 [data-status]")).to_have_attribute("data-status", "awaiting_payment")
    reference = page.locator("#bank-transfer [data-reference]").inner_text().strip()
    expect(page.locator("#bank-transfer")).to_contain_text(settings.BANK_ACCOUNT_NUMBER)
    expect(page.locator("#bank-transfer")).to_contain_text("¥10.00")

    # The operator finds the transfer by its reference and confirms receipt.
    context = chromium.new_context(locale="zh-CN", viewport={"width": 375, "height": 800})
    console = context.new_page()
    console.base_url = page.base_url
    sign_in(console, staff.username)
    console.goto(console.base_url + "/orders/console/payments/")
    row = console.locator(f"tr[data-transfer='{reference}']")
    row.locator("a.button").click()
    console.fill("input[name=amount]", "10.00")
    console.fill("input[name=bank_serial]", "ICBC-20260101-0007")
    console.click("#confirm-form button[type=submit]")
    expect(console.locator("#transfers")).not_to_contain_text(reference)
    context.close()

    # The buyer sees the access granted, creates a key and makes the first call with it.
    page.goto(page.base_url + f"/orders/{reference}/")
    expect(page.locator("h1 [data-status]")).to_have_attribute("data-status", "fulfilled")
    page.goto(page.base_url + "/access/keys/")
    page.fill("#key-form input[name=name]", "信贷审批系统")
    page.click("#key-form button[type=submit]")
    secret = page.locator("#new-key [data-secret]").inner_text().strip()
    assert secret.startswith("dxk_")
    answer = page.request.get(
        page.base_url + f"/data/v1/products/{product.code}/rows?limit=2&fields=企业名称",
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert answer.status == 200
    assert answer.json()["rows"] == [{"企业名称": "示例科技有限公司"}, {"企业名称": "另一家公司"}]
    page.goto(page.base_url + "/access/entitlements/")
    expect(page.locator("[data-remaining]")).to_contain_text("19")

    order = Order.objects.get(number=reference)
    assert order.status == OrderStatus.FULFILLED
    assert Entitlement.objects.get(order=order).used == 1
    assert UsageLog.objects.get().key_prefix == secret.split("_")[1]
