"""``manage.py run_periodic``: the embedded default's stand-in for celery beat."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from catalog import services
from catalog.models import Listing, Product
from tests.factories import operator, submitted_product

pytestmark = pytest.mark.django_db


def test_run_periodic_once_completes_a_registration_whose_notice_ended():
    """One pass runs every scheduled task: an ended public notice becomes a registered, listed product."""
    staff = operator()
    product = submitted_product()
    services.registration_start_review(product=product, actor=staff)
    services.registration_approve(product=product, actor=staff)
    Product.objects.filter(pk=product.pk).update(notice_ends_at=timezone.now() - timedelta(minutes=1))
    out = io.StringIO()

    call_command("run_periodic", "--once", stdout=out)

    product.refresh_from_db()
    assert product.status == Product.Status.REGISTERED
    assert product.listing.status == Listing.Status.LISTED
    assert "complete-due-registrations: 1" in out.getvalue()
