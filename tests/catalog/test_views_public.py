"""Public pages: home, catalog search, product page, public notice, objections."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from catalog import hooks, services
from catalog.models import Objection, Product
from tests.factories import (
    SAMPLE_CSV_WITH_ID,
    VALID_ID_CARD,
    OrganizationFactory,
    UserFactory,
    draft_product,
    listed_product,
    member,
    noticed_product,
    operator,
    submitted_product,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_panels_of_other_apps(monkeypatch):
    """The pages are tested on their own; other apps test the panels they add."""
    monkeypatch.setattr(hooks, "product_panel_providers", [])


def test_home_shows_figures_latest_products_and_sections(client):
    """The home page counts what is listed and shows the newest products as cards."""
    product = listed_product(name="企业经营异常核验", section="L")

    response = client.get(reverse("catalog:home"))

    assert response.status_code == 200
    assert response.context["figures"]["listed"] == 1
    assert response.context["figures"]["sections"] == 1
    assert response.context["latest"] == [product]
    assert response.context["sections"][0][0] == "L"
    html = response.content.decode()
    assert product.code in html
    assert 'name="q"' in html


def test_search_page_finds_a_product_by_chinese_word(client):
    product = listed_product(name="企业经营异常核验")
    listed_product(name="气象灾害预警数据", summary="逐小时预警", description="气象部门发布")

    response = client.get(reverse("catalog:search"), {"q": "经营异常"})

    assert response.status_code == 200
    assert list(response.context["page"].object_list) == [product]
    assert response.context["page"].paginator.count == 1
    assert product.name in response.content.decode()


def test_search_page_shows_an_empty_state(client):
    listed_product(name="企业经营异常核验")

    response = client.get(reverse("catalog:search"), {"q": "营异"})

    assert response.context["page"].paginator.count == 0
    assert "empty-state" in response.content.decode()


def test_search_page_filters_and_shows_invalid_filters_next_to_their_field(client):
    """An unknown section is reported on its field and ignored; the other filters still apply."""
    listed_product(name="企业经营异常核验", section="L")
    listed_product(name="银行信贷数据", section="J")

    response = client.get(reverse("catalog:search"), {"section": "Z", "delivery_mode": "api"})

    assert "section" in response.context["form"].errors
    assert response.context["page"].paginator.count == 2
    assert client.get(reverse("catalog:search"), {"section": "J"}).context["page"].paginator.count == 1


def test_search_page_paginates_by_twenty(client):
    org = OrganizationFactory()
    merchant = member(org)
    for n in range(21):
        listed_product(org, merchant, name=f"数据产品{n}")

    first = client.get(reverse("catalog:search"))
    second = client.get(reverse("catalog:search"), {"page": 2})

    assert len(first.context["page"].object_list) == 20
    assert len(second.context["page"].object_list) == 1
    assert first.context["page"].paginator.count == 21


def test_product_page_shows_the_registration_history_and_masked_sample(client):
    """Every public field, the code, public events and a sample preview without whole ID numbers."""
    product = listed_product(name="企业经营异常核验", sample=SAMPLE_CSV_WITH_ID)

    response = client.get(reverse("catalog:product", args=[product.code]))

    assert response.status_code == 200
    html = response.content.decode()
    assert product.code in html
    assert product.holder.uscc in html
    assert product.application_scenario in html
    assert VALID_ID_CARD not in html
    assert VALID_ID_CARD[:4] + "*" * 10 + VALID_ID_CARD[-4:] in html
    statuses = [event.to_status for event in response.context["events"]]
    assert statuses == ["submitted", "in_review", "public_notice", "registered", "listed"]


def test_product_page_finds_the_code_case_insensitively(client):
    product = listed_product()

    response = client.get(reverse("catalog:product", args=[product.code.lower()]))

    assert response.status_code == 301
    assert response["Location"] == reverse("catalog:product", args=[product.code])


@pytest.mark.parametrize("stage", ["submitted", "in_review", "rejected"])
def test_product_page_is_404_before_the_public_notice(client, stage):
    """Only registrations from their public notice on are public."""
    product = submitted_product()
    reviewer = operator()
    if stage in ("in_review", "rejected"):
        services.registration_start_review(product=product, actor=reviewer)
    if stage == "rejected":
        services.registration_reject(product=product, actor=reviewer, reason="材料不全")

    assert client.get(reverse("catalog:product", args=[product.code])).status_code == 404


def test_product_page_is_404_for_an_unknown_code(client):
    assert client.get(reverse("catalog:product", args=["DEMO-2026-L-999999-X"])).status_code == 404


def test_product_page_shows_a_product_under_notice_with_a_way_to_object(client):
    product = noticed_product()

    response = client.get(reverse("catalog:product", args=[product.code]))

    assert response.status_code == 200
    assert reverse("catalog:object", args=[product.code]) in response.content.decode()


def test_product_page_renders_panels_registered_by_other_apps(client, settings, tmp_path):
    """A higher app's panel is rendered with its own context."""
    (tmp_path / "panel.html").write_text("<section id='test-panel'>{{ greeting }} {{ product.code }}</section>")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}]
    hooks.register_product_panel(lambda request, product: hooks.Panel("panel.html", {"greeting": "报价"}))
    product = listed_product()

    response = client.get(reverse("catalog:product", args=[product.code]))

    assert f"<section id='test-panel'>报价 {product.code}</section>" in response.content.decode()


def test_notice_page_lists_products_under_notice_with_time_left(client):
    product = noticed_product(name="气象灾害预警数据")
    listed_product(name="企业经营异常核验")

    response = client.get(reverse("catalog:notice"))

    assert list(response.context["page"].object_list) == [product]
    html = response.content.decode()
    assert product.code in html
    assert reverse("catalog:object", args=[product.code]) in html
    assert "countdown" in html


def test_notice_page_leaves_out_notices_that_ended(client):
    product = noticed_product()
    Product.objects.filter(pk=product.pk).update(notice_ends_at=timezone.now() - timedelta(minutes=1))

    assert list(client.get(reverse("catalog:notice")).context["page"].object_list) == []


def test_objection_form_requires_sign_in(client):
    product = noticed_product()

    response = client.get(reverse("catalog:object", args=[product.code]))

    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_objection_form_files_an_objection_for_a_product_under_notice(client):
    """A signed-in person objects with grounds and evidence; the objection is recorded as open."""
    product = noticed_product()
    objector = UserFactory()
    client.force_login(objector)

    response = client.post(
        reverse("catalog:object", args=[product.code]),
        {
            "grounds": "该产品的数据来源于我司，未经授权。",
            "evidence": SimpleUploadedFile("proof.pdf", b"%PDF-1.4 proof", content_type="application/pdf"),
        },
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("catalog:product", args=[product.code])
    objection = Objection.objects.get(product=product)
    assert objection.objector == objector
    assert objection.status == Objection.Status.OPEN
    assert objection.evidence.name.endswith(".pdf")


def test_objection_form_shows_errors_and_files_nothing(client):
    product = noticed_product()
    client.force_login(UserFactory())

    response = client.post(reverse("catalog:object", args=[product.code]), {"grounds": "太短"})

    assert response.status_code == 200
    assert "grounds" in response.context["form"].errors
    assert not Objection.objects.exists()


def test_objection_form_refuses_a_draft(client):
    """A draft is not public: there is nothing to object to."""
    org = OrganizationFactory()
    draft = draft_product(org, member(org))
    client.force_login(UserFactory())

    response = client.post(reverse("catalog:object", args=["DEMO-2026-L-000001-X"]), {"grounds": "理由充分的异议内容"})

    assert draft.code is None
    assert response.status_code == 404
    assert not Objection.objects.exists()


def test_objection_form_refuses_a_withdrawn_registration(client):
    """After the registration was withdrawn the page says objections are closed; a POST files nothing."""
    product = noticed_product()
    objector = UserFactory()
    first = services.objection_file(product=product, actor=objector, grounds="数据来源不合法，侵犯我司权益。")
    services.objection_uphold(objection=first, actor=operator(), reason="异议成立")
    client.force_login(objector)

    response = client.post(reverse("catalog:object", args=[product.code]), {"grounds": "再次提出同样的异议内容"})

    assert response.status_code == 200
    assert response.context["may_object"] is False
    assert Objection.objects.count() == 1
