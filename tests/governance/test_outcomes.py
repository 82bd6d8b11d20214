"""Objection outcomes drive the registration and listing states (through catalog's services)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from catalog import services as catalog_services
from catalog.models import Listing, Product
from tests.factories import OrganizationFactory, listed_product, member, operator
from tests.governance.helpers import objection_under_notice

pytestmark = pytest.mark.django_db


def _end_notice(product):
    Product.objects.filter(pk=product.pk).update(notice_ends_at=timezone.now() - timedelta(seconds=1))


def test_upheld_objection_during_notice_withdraws_the_registration():
    """Upheld during the public notice: the registration is withdrawn and never listed."""
    objection, product, *_rest = objection_under_notice()

    catalog_services.objection_uphold(objection=objection, actor=operator(), reason="来源不合法属实。")

    product.refresh_from_db()
    assert product.status == Product.Status.WITHDRAWN
    _end_notice(product)
    assert catalog_services.registration_complete_due() == 0
    assert not Listing.objects.filter(product=product).exists()


def test_upheld_objection_on_a_registered_product_suspends_it_and_pauses_the_listing():
    """Upheld after registration: the registration is suspended and its listing paused (no new sales)."""
    product = listed_product()
    objector = member(OrganizationFactory(is_merchant=False))
    objection = catalog_services.objection_file(
        product=product, actor=objector, grounds="该产品包含未经授权的个人信息。"
    )

    catalog_services.objection_uphold(objection=objection, actor=operator(), reason="含未授权个人信息属实。")

    product.refresh_from_db()
    assert product.status == Product.Status.SUSPENDED
    assert product.listing.status == Listing.Status.PAUSED


def test_open_objection_holds_the_registration_until_decided():
    """While an objection is open the notice does not complete; dismissed, it completes and lists."""
    objection, product, *_rest = objection_under_notice()
    _end_notice(product)

    assert catalog_services.registration_complete_due() == 0
    catalog_services.objection_dismiss(objection=objection, actor=operator(), reason="异议不成立。")
    assert catalog_services.registration_complete_due() == 1

    product.refresh_from_db()
    assert product.status == Product.Status.REGISTERED
    assert product.listing.status == Listing.Status.LISTED
