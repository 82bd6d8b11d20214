"""Quota under concurrency (PostgreSQL): with quota N, exactly N calls are served, whatever the concurrency."""

from concurrent.futures import ThreadPoolExecutor
from threading import Barrier

import pytest
import requests
from django.urls import reverse

from marketplace.access.models import Entitlement, UsageLog
from tests.orders.support import buyer, key_for, market_product, pay_by_transfer, place, plan, upload

CLIENTS = 64
QUOTA = 500
CALLS_PER_CLIENT = 10  # 640 calls in all for 500 units


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_64_concurrent_clients_get_exactly_the_quota(live_server, settings):
    """64 clients (threads) call at once against quota 500: exactly 500 answers 200, the rest 429,
    ``used`` ends at 500 and the usage log holds exactly 500 served rows."""
    settings.DATA_API_RATE_LIMIT = "1000000/s"
    product, org, actor = market_product()
    the_plan = plan(product, org, actor, price="0.01")
    upload(product, org, actor)
    buyer_org, buyer_user = buyer()
    order = pay_by_transfer(place(buyer_org, buyer_user, product, the_plan, quantity=QUOTA))
    _key, secret = key_for(buyer_org, buyer_user)
    url = live_server.url + reverse("data-rows", args=[product.code])
    start = Barrier(CLIENTS)

    def client(_index):
        start.wait()
        with requests.Session() as session:
            session.headers["Authorization"] = f"Bearer {secret}"
            return [session.get(url, params={"limit": 1}, timeout=60).status_code for _ in range(CALLS_PER_CLIENT)]

    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        statuses = [status for result in pool.map(client, range(CLIENTS)) for status in result]

    assert statuses.count(200) == QUOTA
    assert statuses.count(429) == CLIENTS * CALLS_PER_CLIENT - QUOTA
    entitlement = Entitlement.objects.get(order=order)
    assert entitlement.used == QUOTA
    assert UsageLog.objects.filter(entitlement=entitlement, served=True).count() == QUOTA
    assert UsageLog.objects.filter(entitlement=entitlement, served=False, status=429).count() == len(statuses) - QUOTA
