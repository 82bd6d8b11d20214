"""The operator console (/console/), through the test client."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from accounts.models import Organization
from catalog import services
from catalog.models import Listing, NegativeListTerm, Objection, Product, ProductEvent
from tests.factories import (
    SAMPLE_CSV_WITH_ID,
    VALID_ID_CARD,
    OrganizationFactory,
    UserFactory,
    draft_product,
    member,
    operator,
    submitted_product,
)

pytestmark = pytest.mark.django_db

CONSOLE_PAGES = ["console", "review_queue", "console_products", "objections", "negative_list"]


@pytest.fixture(autouse=True)
def _english(client):
    """Pages in their English source, so assertions do not depend on the translation."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture
def staff(client):
    user = operator()
    client.force_login(user)
    return user


def in_review(**overrides):
    product = submitted_product(**overrides)
    services.registration_start_review(product=product, actor=operator())
    return product


def registered(**overrides):
    product = in_review(**overrides)
    services.registration_approve(product=product, actor=operator())
    Product.objects.filter(pk=product.pk).update(notice_ends_at=timezone.now() - timedelta(seconds=1))
    return services.registration_complete(product=product)


# Who may use the console.


@pytest.mark.parametrize("name", CONSOLE_PAGES)
def test_console_pages_send_anonymous_people_to_sign_in(client, name):
    """Anonymous visitors are redirected to the sign-in page."""

    response = client.get(reverse(f"catalog:{name}"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


@pytest.mark.parametrize("name", CONSOLE_PAGES)
def test_console_pages_forbid_merchants_and_buyers(client, name):
    """A signed-in member of a merchant-and-buyer organisation without the operator permission gets 403."""
    client.force_login(member(OrganizationFactory()))

    response = client.get(reverse(f"catalog:{name}"))

    assert response.status_code == 403


def test_review_action_by_a_buyer_is_forbidden_and_changes_nothing(client):
    """A buyer cannot approve, even by posting the form directly."""
    product = in_review()
    client.force_login(member(OrganizationFactory(is_merchant=False)))

    response = client.post(reverse("catalog:review_action", args=[product.pk, "approve"]), {"reason": ""})

    assert response.status_code == 403
    product.refresh_from_db()
    assert product.status == Product.Status.IN_REVIEW


# Dashboard and queue.


def test_dashboard_counts_the_queues(client, staff):
    """The dashboard counts submitted and in-review registrations, open objections and organisations to verify."""
    submitted_product()
    submitted_product()
    in_review()
    OrganizationFactory(status=Organization.Status.SUBMITTED)

    response = client.get(reverse("catalog:console"))

    assert response.context["submitted_count"] == 2
    assert response.context["in_review_count"] == 1
    assert response.context["objection_count"] == 0
    assert response.context["verification_count"] == 1
    assert reverse("accounts:verification_queue") in response.content.decode()


def test_review_queue_is_oldest_first_with_findings(client, staff):
    """The queue lists submitted and in-review registrations oldest first, with their worst finding."""
    older = submitted_product(sample=SAMPLE_CSV_WITH_ID)
    newer = in_review()
    Product.objects.filter(pk=older.pk).update(submitted_at=timezone.now() - timedelta(days=2))
    draft_org = OrganizationFactory()
    draft_product(draft_org, member(draft_org), name="未提交的草稿")

    response = client.get(reverse("catalog:review_queue"))

    products = list(response.context["products"])
    assert [p.pk for p in products] == [older.pk, newer.pk]
    assert products[0].blocker_count >= 1
    content = response.content.decode()
    assert "Blocker" in content
    assert "未提交的草稿" not in content


# Review.


def test_review_detail_shows_the_id_card_finding_and_the_holder(client, staff):
    """The review page shows the sample, the ID-card finding as text and the holder's verification."""
    product = submitted_product(sample=SAMPLE_CSV_WITH_ID)

    response = client.get(reverse("catalog:review_detail", args=[product.pk]))

    content = response.content.decode()
    assert response.status_code == 200
    assert "resident ID-card numbers with a valid check digit" in content
    assert 'class="finding blocker"' in content
    assert VALID_ID_CARD[:4] + "**********" + VALID_ID_CARD[-4:] in content
    assert "张三" in content  # the sample preview
    assert product.holder.uscc in content
    assert "Start review" in content


def test_review_detail_hides_drafts(client, staff):
    """A draft is the merchant's own until submitted: the console answers 404."""
    org = OrganizationFactory()
    product = draft_product(org, member(org))

    response = client.get(reverse("catalog:review_detail", args=[product.pk]))

    assert response.status_code == 404


def test_review_start_then_approve_opens_the_public_notice(client, staff):
    """Start review, then approve with a note: the registration goes under public notice."""
    product = submitted_product()

    client.post(reverse("catalog:review_action", args=[product.pk, "start"]))
    response = client.post(reverse("catalog:review_action", args=[product.pk, "approve"]), {"reason": "材料齐全"})

    product.refresh_from_db()
    assert response.status_code == 302
    assert product.status == Product.Status.PUBLIC_NOTICE
    assert product.notice_ends_at > timezone.now()
    event = product.events.last()
    assert (event.to_status, event.reason, event.actor) == (Product.Status.PUBLIC_NOTICE, "材料齐全", staff)


def test_review_request_changes_needs_a_reason(client, staff):
    """Requesting changes without a reason shows the error by the field and changes nothing; with one it goes back."""
    product = in_review()
    url = reverse("catalog:review_action", args=[product.pk, "request_changes"])

    refused = client.post(url, {"reason": "  "})
    status_after_refusal = Product.objects.get(pk=product.pk).status
    client.post(url, {"reason": "请补充授权文件"})

    assert refused.status_code == 200
    assert "Give a reason" in refused.content.decode()
    assert status_after_refusal == Product.Status.IN_REVIEW
    product.refresh_from_db()
    assert product.status == Product.Status.CHANGES_REQUESTED
    assert product.status_reason == "请补充授权文件"


def test_review_reject_with_a_reason(client, staff):
    """Rejecting records the reason in the history shown on the page."""
    product = in_review()

    response = client.post(
        reverse("catalog:review_action", args=[product.pk, "reject"]), {"reason": "含有未脱敏个人信息"}, follow=True
    )

    product.refresh_from_db()
    assert product.status == Product.Status.REJECTED
    assert "含有未脱敏个人信息" in response.content.decode()


def test_review_action_out_of_order_shows_the_error(client, staff):
    """Approving a registration not yet in review is refused with the transition's message."""
    product = submitted_product()

    response = client.post(reverse("catalog:review_action", args=[product.pk, "approve"]), {"reason": ""})

    assert response.status_code == 200
    assert "Cannot go from" in response.content.decode()
    product.refresh_from_db()
    assert product.status == Product.Status.SUBMITTED


def test_review_action_unknown_is_not_found(client, staff):
    product = submitted_product()

    response = client.post(reverse("catalog:review_action", args=[product.pk, "destroy"]))

    assert response.status_code == 404


def test_suspend_reinstate_and_cancel_a_registered_product(client, staff):
    """Suspension pauses the listing, reinstatement re-opens it, cancellation revokes it."""
    product = registered()
    url = lambda action: reverse("catalog:review_action", args=[product.pk, action])  # noqa: E731

    client.post(url("suspend"), {"reason": "接到投诉，暂停核查"})
    suspended = (Product.objects.get(pk=product.pk).status, Listing.objects.get(product=product).status)
    client.post(url("reinstate"), {"reason": "核查完毕"})
    reinstated = (Product.objects.get(pk=product.pk).status, Listing.objects.get(product=product).status)
    client.post(url("cancel"), {"reason": "持有方申请注销"})

    assert suspended == (Product.Status.SUSPENDED, Listing.Status.PAUSED)
    assert reinstated == (Product.Status.REGISTERED, Listing.Status.LISTED)
    assert Product.objects.get(pk=product.pk).status == Product.Status.CANCELLED
    assert Listing.objects.get(product=product).status == Listing.Status.REVOKED


def test_operator_delists_a_listed_product(client, staff):
    product = registered()

    client.post(reverse("catalog:review_action", args=[product.pk, "delist"]), {"reason": "违反挂牌规则"})

    assert Listing.objects.get(product=product).status == Listing.Status.DELISTED


# Products.


def test_console_product_list_filters_by_status_and_text(client, staff):
    """The product list filters by registration status and by name or code."""
    first = submitted_product(name="电力消费指数")
    second = in_review(name="港口吞吐量数据")

    by_status = client.get(reverse("catalog:console_products"), {"status": "in_review"})
    by_name = client.get(reverse("catalog:console_products"), {"q": "电力"})
    by_code = client.get(reverse("catalog:console_products"), {"q": second.code.lower()})

    assert [p.pk for p in by_status.context["products"]] == [second.pk]
    assert [p.pk for p in by_name.context["products"]] == [first.pk]
    assert [p.pk for p in by_code.context["products"]] == [second.pk]


# Objections.


def test_objection_uphold_needs_a_reason_then_withdraws_the_registration(client, staff):
    """An objection is listed with its grounds; upholding it with a reason withdraws the registration."""
    product = in_review()
    services.registration_approve(product=product, actor=staff)
    objection = services.objection_file(
        product=product, actor=UserFactory(), grounds="该数据侵犯我方商业秘密，请核查。"
    )

    listed = client.get(reverse("catalog:objections"))
    refused = client.post(reverse("catalog:objection_decide", args=[objection.pk, "uphold"]), {"reason": ""})
    client.post(reverse("catalog:objection_decide", args=[objection.pk, "uphold"]), {"reason": "经核查属实"})

    assert "该数据侵犯我方商业秘密" in listed.content.decode()
    assert "Give a reason" in refused.content.decode()
    objection.refresh_from_db()
    assert objection.status == Objection.Status.UPHELD
    assert objection.decision_reason == "经核查属实"
    assert Product.objects.get(pk=product.pk).status == Product.Status.WITHDRAWN


def test_objection_dismiss_keeps_the_notice(client, staff):
    product = in_review()
    services.registration_approve(product=product, actor=staff)
    objection = services.objection_file(product=product, actor=UserFactory(), grounds="怀疑数据来源不合法，请核查。")

    client.post(reverse("catalog:objection_decide", args=[objection.pk, "dismiss"]), {"reason": "来源材料齐全"})

    objection.refresh_from_db()
    assert objection.status == Objection.Status.DISMISSED
    assert Product.objects.get(pk=product.pk).status == Product.Status.PUBLIC_NOTICE


# Negative list.


def test_negative_term_added_then_flagged_on_the_review_page(client, staff):
    """A term added on the negative-list page is flagged in a registration submitted afterwards."""

    client.post(reverse("catalog:negative_list"), {"term": "赌博", "note": "违法用途"})
    product = submitted_product(application_scenario="为赌博平台提供用户画像")
    response = client.get(reverse("catalog:review_detail", args=[product.pk]))

    assert NegativeListTerm.objects.filter(term="赌博", created_by=staff).exists()
    content = response.content.decode()
    assert "Terms on the negative list appear: 赌博" in content


def test_negative_term_remove(client, staff):
    entry = services.negative_term_add(actor=staff, term="博彩")

    client.post(reverse("catalog:negative_list"), {"remove": str(entry.pk)})

    assert not NegativeListTerm.objects.exists()


def test_negative_term_empty_shows_the_error(client, staff):
    response = client.post(reverse("catalog:negative_list"), {"term": " ", "note": ""})

    assert response.status_code == 200
    assert response.context["form"].errors["term"]
    assert not NegativeListTerm.objects.exists()


def test_review_history_names_who_did_what(client, staff):
    """Each transition on the review page shows who did it and why."""
    product = in_review()
    services.registration_reject(product=product, actor=staff, reason="不符合登记要求")

    response = client.get(reverse("catalog:review_detail", args=[product.pk]))

    content = response.content.decode()
    assert ProductEvent.objects.filter(product=product).count() == 3
    assert "不符合登记要求" in content
    assert str(staff) in content
