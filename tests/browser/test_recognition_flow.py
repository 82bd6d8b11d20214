"""Mutual recognition in the browser, between two exchanges running as separate processes.

A merchant at B lists a product registered at A by its code; B's operator approves it; B's public
verification page shows A's certificate as valid; after A revokes the registration and B polls A's
feed, B's page shows it revoked and the merchant sees the listing revoked with the reason.
"""

import os

import pytest

from tests.browser.conftest import SCREENSHOT_DIR
from tests.interop.instances import seed_pair, start_instances, stop_all


@pytest.fixture(scope="module")
def exchanges(tmp_path_factory):
    instances = start_instances(
        tmp_path_factory.mktemp("exchanges"), [("AAX", "甲数据交易所"), ("BBX", "乙数据交易所")]
    )
    try:
        a, b = instances
        yield a, b, seed_pair(a, b)["code"]
    finally:
        stop_all(instances)


@pytest.fixture
def browser_as(chromium, request, exchanges):
    """``browser_as(instance, username)`` → a page signed in at that instance (session cookie, no typing)."""
    contexts = []

    def open_page(instance, username):
        context = chromium.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
        context.set_default_timeout(15_000)
        session = instance.one("session", username=username)
        context.add_cookies([{"name": "sessionid", "value": session, "url": instance.base_url}])
        contexts.append(context)
        page = context.new_page()
        page.base_url = instance.base_url
        return page

    yield open_page
    for index, context in enumerate(contexts):
        if os.environ.get("SCREENSHOTS") == "1" and context.pages:
            SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
            path = SCREENSHOT_DIR / f"{request.node.name}-{index}.png"
            context.pages[-1].screenshot(path=str(path), full_page=True)
        context.close()


def test_merchant_recognises_a_peer_registration_and_sees_it_revoked(exchanges, browser_as, chromium):
    """Recognition at B of A's registration, approval, verification as valid, then revoked after A revokes."""
    a, b, code = exchanges
    merchant = browser_as(b, "merchant")
    operator = browser_as(b, "op")

    merchant.goto(b.base_url + "/my/recognitions/")
    merchant.fill("input[name=code]", f"{a.base_url}/verify/?code={code}")
    merchant.click("#recognition-form button[type=submit]")
    row = merchant.locator(f"tr[data-code='{code}']")
    assert row.locator(".listing-status").get_attribute("data-status") == "in_review"

    operator.goto(b.base_url + "/console/recognitions/")
    assert code in operator.content()
    operator.locator("section.card", has_text=code).locator("button.approve").click()
    operator.wait_for_load_state()
    merchant.reload()
    assert row.locator(".listing-status").get_attribute("data-status") == "listed"

    public = chromium.new_context(locale="zh-CN").new_page()
    public.goto(f"{b.base_url}/verify/?code={code}")
    assert public.locator("#verdict").get_attribute("data-verdict") == "valid"
    assert "甲数据交易所" in public.locator("#verdict").inner_text()
    assert public.locator("#status-now [data-status]").get_attribute("data-status") == "active"

    a.one("decide", operator="op", code=code, action="cancel", reason="持有人申请注销")
    b.one("command", name="follow_peers", args=["--once"])

    public.reload()
    assert public.locator("#verdict").get_attribute("data-verdict") == "revoked"
    assert public.locator("#status-now [data-status]").get_attribute("data-status") == "revoked"
    merchant.reload()
    assert row.locator(".listing-status").get_attribute("data-status") == "revoked"
    assert "AAX" in row.inner_text()
    public.context.close()
