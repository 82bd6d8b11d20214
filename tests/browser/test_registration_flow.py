"""Issue 2 end to end in Chromium: register, review with findings, public notice, found in the catalog."""

import re
from datetime import timedelta

from django.utils import timezone

from catalog import services
from catalog.codes import is_valid_code
from catalog.models import Product
from tests.browser.conftest import sign_in
from tests.factories import SAMPLE_CSV_WITH_ID, OrganizationFactory, member, operator, png_bytes

IMAGE_SHOWN = "img => img.complete && img.naturalWidth > 0"

CODE_RE = re.compile(r"DEMO-\d{4}-[A-T]-\d{6,}-[0-9A-Z]")


def test_merchant_registers_operator_approves_and_the_public_finds_it(page, tmp_path):
    """A merchant registers with an image and a CSV, an operator sees the ID-card finding and approves,
    and after the public notice the product is found by a Chinese keyword."""
    org = OrganizationFactory(name="上海示例数据科技有限公司")
    merchant = member(org, username="merchant-e2e")
    staff = operator()
    cover = tmp_path / "cover.png"
    cover.write_bytes(png_bytes((320, 200)))
    sample = tmp_path / "sample.csv"
    sample.write_text(SAMPLE_CSV_WITH_ID, encoding="utf-8")

    # The merchant fills every field of the registration and saves a draft.
    sign_in(page, merchant.username)
    page.goto(page.base_url + "/my/products/new/")
    page.fill("[name=name]", "新能源汽车充电桩运行监测数据")
    page.fill("[name=summary]", "全市充电桩实时运行状态与利用率")
    page.fill("[name=description]", "汇集全市公共充电桩的运行状态、故障记录与利用率，按日更新。")
    page.select_option("[name=section]", "G")
    page.fill("[name=application_scenario]", "充电运营商选址规划与电网负荷预测")
    page.select_option("[name=data_source_type]", "enterprise")
    page.select_option("[name=classification]", "general")
    page.check("[name=delivery_modes][value=api]")
    page.check("[name=delivery_modes][value=dataset]")
    page.select_option("[name=update_frequency]", "daily")
    page.fill("[name=coverage_region]", "上海市")
    page.check("[name=allowed_purposes][value=operations]")
    page.check("[name=rights][value=processing_use]")
    page.set_input_files("[name=cover_image]", str(cover))
    page.set_input_files("[name=sample_file]", str(sample))
    page.check("[name=sign_commitment]")
    page.click("form[enctype='multipart/form-data'] button[type=submit]")
    page.wait_for_url(re.compile(r"/my/products/\d+/$"))
    # The merchant's page shows the cover it just uploaded (served by the file view, not from MEDIA_ROOT).
    own_cover = page.locator("img[src*='/files/products/']").first
    page.wait_for_function(IMAGE_SHOWN, arg=own_cover.element_handle())

    # Submitting allocates the registration code, shown on the page.
    page.click("form[action$='/submit/'] button[type=submit]")
    page.wait_for_load_state()
    code = CODE_RE.search(page.content()).group(0)
    assert is_valid_code(code)
    product = Product.objects.get(code=code)
    assert product.status == Product.Status.SUBMITTED

    # The operator sees the automatic finding and approves.
    page.context.clear_cookies()
    sign_in(page, staff.username)
    page.goto(page.base_url + f"/console/reviews/{product.pk}/")
    assert page.locator(".finding.blocker").filter(has_text="1101").count() == 1
    page.click("#action-start button[type=submit]")
    page.wait_for_load_state()
    page.click("#action-approve button[type=submit]")
    page.wait_for_load_state()
    product.refresh_from_db()
    assert product.status == Product.Status.PUBLIC_NOTICE

    # The notice period ends; the periodic task completes the registration.
    Product.objects.filter(pk=product.pk).update(notice_ends_at=timezone.now() - timedelta(minutes=1))
    assert services.registration_complete_due() == 1

    # Anyone finds it by a Chinese keyword.
    page.context.clear_cookies()
    page.goto(page.base_url + "/catalog/")
    page.fill("input[name=q]", "充电桩")
    page.press("input[name=q]", "Enter")
    page.wait_for_load_state()
    result = page.locator("main").get_by_text("新能源汽车充电桩运行监测数据")
    assert result.count() >= 1
    card_cover = page.locator("main img[src*='/thumbnail/']").first
    card_cover.scroll_into_view_if_needed()
    page.wait_for_function(IMAGE_SHOWN, arg=card_cover.element_handle())  # anyone sees a listed product's cover
    result.first.click()
    page.wait_for_load_state()
    assert code in page.content()
