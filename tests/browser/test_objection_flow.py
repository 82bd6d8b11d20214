"""Issue 6 end to end in Chromium: an objection filed during the public notice is upheld by an operator,
the registration is withdrawn, and the disclosure and the product's history show it."""

import re

from django.utils import timezone

from catalog.models import Objection, Product
from tests.browser.conftest import sign_in
from tests.factories import OrganizationFactory, member, noticed_product, operator
from tests.pricing.helpers import public_data

GROUNDS = "该产品使用的企业登记数据未经我局授权，来源不合法。"
REASON = "经核查，授权文件系伪造，异议成立。"


def test_objection_during_notice_is_upheld_and_the_registration_withdrawn(page):
    """A person objects on the public product page; an operator asks the holder for a statement and upholds;
    the registration is withdrawn, its public history and the annual disclosure show it."""
    holder = OrganizationFactory(name="某市公共数据运营有限公司", is_public_data_operator=True)
    product = noticed_product(holder, member(holder), **{**public_data(holder), "name": "企业登记信息核验"})
    objector = member(OrganizationFactory(name="某商业银行股份有限公司", is_merchant=False), username="objector-e2e")
    staff = operator()
    page.on("dialog", lambda dialog: dialog.accept())

    # During the notice, a signed-in person objects through the product page's form.
    sign_in(page, objector.username)
    page.goto(page.base_url + f"/p/{product.code}/")
    page.locator(f"main a[href='/p/{product.code}/object/']").first.click()
    page.wait_for_url(re.compile(r"/object/$"))
    page.fill("[name=grounds]", GROUNDS)
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(rf"/p/{re.escape(product.code)}/$"))
    objection = Objection.objects.get(product=product)
    assert objection.status == Objection.Status.OPEN

    # The objector follows it on their own page.
    page.goto(page.base_url + "/objections/mine/")
    assert page.locator(f"#objection-{objection.pk}").get_by_text(GROUNDS).count() == 1

    # An operator opens the case from the console's objection list and asks the holder for a statement.
    page.context.clear_cookies()
    sign_in(page, staff.username)
    page.goto(page.base_url + "/console/objections/")
    page.locator(f"#objection-{objection.pk} a.case-link").click()
    page.wait_for_url(re.compile(rf"/console/objection-cases/{objection.pk}/$"))
    page.click("#action-investigate button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("ol.steps li.current").inner_text() in ("Under investigation", "调查中")
    objection.refresh_from_db()
    assert objection.status == Objection.Status.INVESTIGATING
    page.select_option("#statement-request [name=party]", "holder")
    page.fill("#statement-request [name=question]", "请提供授权文件原件及授权机关的确认函。")
    page.click("#statement-request button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("#statements .statement").count() == 1

    # The operator upholds the objection with reasons.
    page.fill("#action-decide [name=reason]", REASON)
    page.click("#action-decide #uphold")
    page.wait_for_load_state()
    product.refresh_from_db()
    objection.refresh_from_db()
    assert objection.status == Objection.Status.UPHELD
    assert product.status == Product.Status.WITHDRAWN
    assert page.locator("#history").get_by_text("objection.uphold").count() == 1
    assert page.locator("#history").get_by_text("registration.withdraw").count() == 1

    # The public product page shows the withdrawal in its history and the objection's outcome.
    page.context.clear_cookies()
    page.goto(page.base_url + f"/p/{product.code}/")
    assert page.locator(".notice-banner.bad").count() == 1
    assert page.locator("ol.timeline").get_by_text(REASON).count() == 1
    assert page.locator("#objection-outcomes").get_by_text(REASON).count() == 1

    # The annual disclosure counts the upheld objection and the withdrawn registration.
    page.goto(page.base_url + f"/disclosure/report/?year={timezone.localdate().year}")
    governance = page.locator("#governance")
    assert governance.locator("dd").nth(0).inner_text().strip() == "1"  # registrations withdrawn after objections
    assert governance.locator("dd").nth(3).inner_text().strip().startswith("1 /")  # objections upheld / dismissed
