"""In the browser: a buyer posts a demand and sees ranked matches with reasons; the merchant finds it in its
"demands for you" inbox and makes an offer; the buyer accepts it."""

from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from catalog import services as catalog_services
from catalog.models import Product
from marketplace.matching.models import Match, Offer
from pricing import services as pricing_services
from tests.browser.conftest import sign_in
from tests.factories import OrganizationFactory, member, operator, submitted_product


def listed(org, actor, **overrides) -> Product:
    """Submit, review, approve, end the notice and complete: listed (catalog's hook matches it on commit)."""
    product = submitted_product(org, actor, **overrides)
    reviewer = operator()
    catalog_services.registration_start_review(product=product, actor=reviewer)
    catalog_services.registration_approve(product=product, actor=reviewer)
    Product.objects.filter(pk=product.pk).update(notice_ends_at=timezone.now() - timedelta(seconds=1))
    return catalog_services.registration_complete(product=product)


def test_buyer_posts_a_demand_merchant_offers_buyer_accepts(page):
    """The demand ranks the anomaly check first with its reasons; the offer made from the inbox is accepted."""
    merchant_org = OrganizationFactory(name="上海某数据科技有限公司")
    merchant = member(merchant_org)
    anomaly = listed(
        merchant_org,
        merchant,
        name="企业经营异常核验",
        summary="核验企业是否列入经营异常名录",
        description="基于市场监管公共数据，实时核验企业经营异常名录状态，并返回行政处罚记录。",
    )
    anomaly_plan = pricing_services.plan_create(
        org=merchant_org,
        actor=merchant,
        product=anomaly,
        data={"name": "按次调用", "kind": "per_call", "delivery_mode": "api", "unit_price": "0.50"},
    )
    other_org = OrganizationFactory(name="某能源数据有限公司")
    listed(
        other_org,
        member(other_org),
        name="企业用电数据",
        summary="企业月度用电量统计",
        description="汇聚企业月度用电量，反映企业经营活跃度，服务能源管理。",
        section="D",
        delivery_modes=["dataset"],
    )
    bank = OrganizationFactory(name="某商业银行股份有限公司", is_merchant=False)
    banker = member(bank)

    # The buyer posts what it needs.
    sign_in(page, banker.username)
    page.goto(page.base_url + "/demands/new/")
    page.fill("input[name=title]", "企业经营异常数据")
    page.fill("textarea[name=description]", "需要企业经营异常名录和行政处罚记录，用于银行对公贷款前的风险核查。")
    page.fill("textarea[name=scenario]", "对公贷款贷前核查")
    page.select_option("select[name=purpose]", "risk_control")
    page.select_option("select[name=section]", "L")
    page.check("input[name=delivery_modes][value=api]")
    page.fill("input[name=volume]", "10000")
    page.select_option("select[name=volume_unit]", "per_call")
    page.fill("input[name=budget_max]", "8000")
    page.click("#demand-form button[type=submit]")

    # Ranked matches with their reasons; the unrelated product sharing 企业/经营 sits below the threshold.
    strong = page.locator("#strong-matches li.match")
    expect(strong.first).to_contain_text("企业经营异常核验")
    expect(strong.first.locator(".reasons")).to_contain_text("¥5,000.00")
    expect(strong.first.locator(".reasons")).to_contain_text("异常")
    expect(page.locator("#other-matches")).to_contain_text("企业用电数据")
    demand_url = page.url
    assert Match.objects.filter(product=anomaly, notified_at__isnull=False).exists()

    # The merchant finds the demand in its inbox and answers it.
    page.context.clear_cookies()
    sign_in(page, merchant.username)
    expect(page.locator("#unread-count")).to_have_text("1")
    page.goto(page.base_url + "/demands/for-you/")
    item = page.locator("#demands-for-you li.inbox-item").first
    expect(item).to_contain_text("企业经营异常数据")
    expect(item.locator(".reasons")).to_contain_text("¥5,000.00")
    item.locator("a.make-offer").click()
    page.select_option("#offer-form select[name=product]", str(anomaly.pk))
    page.select_option("#offer-form select[name=plan]", str(anomaly_plan.pk))
    page.fill("#offer-form input[name=unit_price]", "0.45")
    page.fill("#offer-form textarea[name=message]", "可先开通测试账号")
    page.click("#offer-form button[type=submit]")
    expect(page.locator("article.offer")).to_contain_text("¥4,500.00")
    expect(page.locator("article.offer .badge")).to_have_attribute("data-status", "pending")

    # The buyer accepts.
    page.context.clear_cookies()
    sign_in(page, banker.username)
    page.goto(demand_url)
    offer = page.locator("article.offer").first
    expect(offer).to_contain_text("可先开通测试账号")
    offer.locator("button.accept-offer").click()
    expect(page.locator("article.offer .badge").first).to_have_attribute("data-status", "accepted")
    expect(page.locator("article.offer .accepted-note")).to_be_visible()
    assert Offer.objects.get().status == Offer.Status.ACCEPTED


def test_demand_pages_fit_a_phone_screen(page):
    """At 375 px the demand form and the public list need no sideways scrolling."""
    bank = OrganizationFactory(name="某农商银行", is_merchant=False)
    banker = member(bank)
    page.set_viewport_size({"width": 375, "height": 800})
    sign_in(page, banker.username)

    for path in ("/demands/new/", "/demands/"):
        page.goto(page.base_url + path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, (path, width)
