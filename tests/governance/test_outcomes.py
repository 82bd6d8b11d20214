"""Objection outcomes drive the registration and listing states (through catalog's services)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.exceptions import InvalidTransition, NotAllowed
from accounts.models import AuditEntry
from catalog import services as catalog_services
from catalog.models import Listing, Objection, Product
from marketplace.governance import services as governance_services
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


def test_an_objection_under_investigation_still_holds_the_registration_and_is_decided_as_usual():
    """Investigating is undecided: the notice does not complete, statements are taken, then the decision."""
    objection, product, holder, _holder_user, objector = objection_under_notice()
    staff = operator()
    _end_notice(product)

    investigating = catalog_services.objection_investigate(objection=objection, actor=staff)
    again = catalog_services.objection_investigate(objection=objection, actor=staff)
    held = catalog_services.registration_complete_due()
    statement = governance_services.statement_request(
        actor=staff, objection=objection, party="holder", question="请说明数据来源的合法性依据。"
    )
    catalog_services.objection_dismiss(objection=objection, actor=staff, reason="异议不成立。")

    assert investigating.status == again.status == Objection.Status.INVESTIGATING
    assert investigating.investigated_by == staff and investigating.investigation_started_at is not None
    assert AuditEntry.objects.filter(action="objection.investigate").count() == 1
    assert held == 0
    assert statement.organization == holder
    assert catalog_services.registration_complete_due() == 1


def test_only_operators_investigate_and_never_a_decided_objection():
    objection, _product, *_rest, objector = objection_under_notice()

    with pytest.raises(NotAllowed):
        catalog_services.objection_investigate(objection=objection, actor=objector)
    catalog_services.objection_dismiss(objection=objection, actor=operator(), reason="异议不成立。")
    with pytest.raises(InvalidTransition):
        catalog_services.objection_investigate(objection=objection, actor=operator())
    assert Objection.objects.get(pk=objection.pk).status == Objection.Status.DISMISSED
