"""The registration lifecycle through its services."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.audit import audit_verify_chain
from accounts.exceptions import DomainError, InvalidTransition, NotAllowed
from accounts.models import AuditEntry, Organization
from catalog import services
from catalog.codes import is_valid_code
from catalog.models import Listing, Product, ProductEvent
from tests.factories import (
    SAMPLE_CSV_WITH_ID,
    OrganizationFactory,
    complete_data,
    draft_product,
    member,
    operator,
    submitted_product,
)

pytestmark = pytest.mark.django_db


def test_product_submit_allocates_a_valid_code_and_records_the_event():
    """The first submission allocates a code with a correct check character."""
    org = OrganizationFactory()
    merchant = member(org)
    product = draft_product(org, merchant)

    product = services.product_submit(product=product, actor=merchant)

    assert product.status == Product.Status.SUBMITTED
    assert is_valid_code(product.code)
    assert product.code.startswith("DEMO-")
    assert product.code.split("-")[2] == "L"
    assert product.events.filter(to_status="submitted").count() == 1


def test_product_submit_refuses_an_unverified_organisation():
    org = OrganizationFactory(status=Organization.Status.SUBMITTED)
    merchant = member(org)
    product = draft_product(org, merchant)

    with pytest.raises(NotAllowed):
        services.product_submit(product=product, actor=merchant)

    product.refresh_from_db()
    assert product.status == Product.Status.DRAFT
    assert product.code is None


def test_product_submit_lists_every_missing_field():
    """No registration without a scenario: an incomplete draft is refused field by field."""
    org = OrganizationFactory()
    merchant = member(org)
    product = services.product_save_draft(org=org, actor=merchant, data={"name": "半成品"})

    with pytest.raises(DomainError) as error:
        services.product_submit(product=product, actor=merchant)

    assert {"application_scenario", "section", "sample_file", "sign_commitment"} <= set(error.value.errors)
    assert Product.objects.get(pk=product.pk).code is None


def test_core_data_is_refused_outright():
    org = OrganizationFactory()

    with pytest.raises(DomainError) as error:
        services.product_save_draft(org=org, actor=member(org), data=complete_data(classification="core"))

    assert error.value.field == "classification"
    assert not Product.objects.exists()


def test_a_merchant_cannot_edit_another_merchants_draft():
    org, other = OrganizationFactory(), OrganizationFactory()
    product = draft_product(org, member(org))

    with pytest.raises(NotAllowed):
        services.product_save_draft(org=org, actor=member(other), product=product, data={"name": "改名"})

    assert Product.objects.get(pk=product.pk).name == "企业经营异常核验"


def test_findings_flag_an_id_card_number_in_the_sample():
    product = submitted_product(sample=SAMPLE_CSV_WITH_ID)

    kinds = set(product.findings.values_list("kind", flat=True))

    assert "pii_id_card" in kinds


def test_full_lifecycle_ends_listed_after_the_notice():
    """Review, approval, the notice period, completion: registered and listed."""
    product = submitted_product()
    staff = operator()

    services.registration_start_review(product=product, actor=staff)
    product = services.registration_approve(product=product, actor=staff, reason="材料齐全")
    assert product.status == Product.Status.PUBLIC_NOTICE
    assert services.registration_complete_due() == 0
    Product.objects.filter(pk=product.pk).update(notice_ends_at=timezone.now() - timedelta(seconds=1))
    completed = services.registration_complete_due()

    product.refresh_from_db()
    assert completed == 1
    assert product.status == Product.Status.REGISTERED
    assert product.listing.status == Listing.Status.LISTED
    assert Product.objects.listed().filter(pk=product.pk).exists()
    assert audit_verify_chain() is None


def test_registration_complete_twice_changes_nothing_the_second_time():
    product = submitted_product()
    staff = operator()
    services.registration_start_review(product=product, actor=staff)
    services.registration_approve(product=product, actor=staff)
    Product.objects.filter(pk=product.pk).update(notice_ends_at=timezone.now() - timedelta(seconds=1))
    services.registration_complete(product=product)
    events = ProductEvent.objects.count()
    entries = AuditEntry.objects.count()

    services.registration_complete(product=product)

    assert ProductEvent.objects.count() == events
    assert AuditEntry.objects.count() == entries


def test_upheld_objection_withdraws_a_registration_under_notice():
    product = submitted_product()
    staff = operator()
    services.registration_start_review(product=product, actor=staff)
    services.registration_approve(product=product, actor=staff)
    objector = member(OrganizationFactory())
    objection = services.objection_file(product=product, actor=objector, grounds="该数据来源于我公司，未经授权。")

    services.objection_uphold(objection=objection, actor=staff, reason="来源不合法")

    product.refresh_from_db()
    assert product.status == Product.Status.WITHDRAWN
    assert "来源不合法" in product.status_reason


def test_open_objection_holds_completion_until_decided():
    product = submitted_product()
    staff = operator()
    services.registration_start_review(product=product, actor=staff)
    services.registration_approve(product=product, actor=staff)
    objection = services.objection_file(
        product=product, actor=member(OrganizationFactory()), grounds="怀疑样例数据含个人信息"
    )
    Product.objects.filter(pk=product.pk).update(notice_ends_at=timezone.now() - timedelta(seconds=1))

    assert services.registration_complete_due() == 0
    services.objection_dismiss(objection=objection, actor=staff, reason="样例已脱敏")

    assert services.registration_complete_due() == 1


def test_a_buyer_cannot_review():
    product = submitted_product()
    buyer = member(OrganizationFactory(is_merchant=False))

    with pytest.raises(NotAllowed):
        services.registration_start_review(product=product, actor=buyer)

    assert Product.objects.get(pk=product.pk).status == Product.Status.SUBMITTED


def test_reject_needs_a_reason_and_is_final():
    product = submitted_product()
    staff = operator()
    services.registration_start_review(product=product, actor=staff)

    with pytest.raises(DomainError):
        services.registration_reject(product=product, actor=staff, reason=" ")
    services.registration_reject(product=product, actor=staff, reason="来源不明")

    with pytest.raises(InvalidTransition):
        services.registration_approve(product=product, actor=staff)


def test_suspend_pauses_the_listing_and_reinstate_reopens_it():
    product = submitted_product()
    staff = operator()
    services.registration_start_review(product=product, actor=staff)
    services.registration_approve(product=product, actor=staff)
    Product.objects.filter(pk=product.pk).update(notice_ends_at=timezone.now() - timedelta(seconds=1))
    services.registration_complete_due()

    services.registration_suspend(product=product, actor=staff, reason="涉嫌违规")
    assert Listing.objects.get(product=product).status == Listing.Status.PAUSED
    services.registration_reinstate(product=product, actor=staff, reason="整改完成")

    assert Listing.objects.get(product=product).status == Listing.Status.LISTED


def test_changes_requested_then_resubmitted_keeps_the_code():
    product = submitted_product()
    code = product.code
    staff = operator()
    services.registration_start_review(product=product, actor=staff)
    services.registration_request_changes(product=product, actor=staff, reason="请补充覆盖范围")
    merchant = product.holder.memberships.first().user

    services.product_save_draft(org=product.holder, actor=merchant, product=product, data={"coverage_region": "上海"})
    product = services.product_submit(product=product, actor=merchant)

    assert product.code == code
    assert product.status == Product.Status.SUBMITTED


def test_a_refused_upload_leaves_no_file_behind(settings):
    """A malformed CSV refuses the whole save, and the valid cover sent with it is not stored."""
    from pathlib import Path

    from tests.factories import csv_upload, png_upload

    org = OrganizationFactory()

    with pytest.raises(DomainError) as error:
        services.product_save_draft(
            org=org,
            actor=member(org),
            data=complete_data(),
            cover_image=png_upload(),
            sample_file=csv_upload("a,b\n1,2,3\n"),
        )

    assert error.value.field == "sample_file"
    assert not Product.objects.exists()
    assert [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()] == []
