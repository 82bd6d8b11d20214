"""Registration codes stay unique when many submissions race (PostgreSQL, real transactions)."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connections

from catalog import services
from catalog.codes import is_valid_code
from catalog.models import CodeSequence, Product
from tests.factories import OrganizationFactory, draft_product, member

SUBMISSIONS = 200
WORKERS = 32


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_submissions_get_distinct_valid_codes():
    """200 drafts submitted from 32 threads at once get 200 distinct codes numbered exactly 1..200."""
    org = OrganizationFactory()
    merchant = member(org)
    drafts = [draft_product(org, merchant, name=f"并发登记产品{n}") for n in range(SUBMISSIONS)]
    barrier = threading.Barrier(WORKERS, timeout=60)

    def submit(product):
        try:
            return services.product_submit(product=product, actor=merchant).code
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=WORKERS, initializer=barrier.wait) as pool:
        codes = list(pool.map(submit, drafts))

    assert len(set(codes)) == SUBMISSIONS
    assert all(is_valid_code(code) for code in codes)
    assert sorted(int(code.split("-")[3]) for code in codes) == list(range(1, SUBMISSIONS + 1))
    assert set(Product.objects.values_list("code", flat=True)) == set(codes)
    assert Product.objects.filter(status=Product.Status.SUBMITTED).count() == SUBMISSIONS
    assert CodeSequence.objects.get().last_number == SUBMISSIONS
