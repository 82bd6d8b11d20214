"""Access pages: entitlements with remaining quota, keys shown once, usage charts, merchants' data."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from marketplace.access.models import ApiKey, DatasetTable, UpstreamEndpoint
from tests.orders.support import DATASET_CSV, buyer, key_for, market_product, pay_by_transfer, place, plan, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def bought(client):
    product, org, actor = market_product()
    upload(product, org, actor)
    buyer_org, user = buyer()
    order = pay_by_transfer(place(buyer_org, user, product, plan(product, org, actor), quantity=9))
    return {"product": product, "org": org, "actor": actor, "buyer": buyer_org, "user": user, "order": order}


def test_entitlements_page_shows_what_remains(client, bought):
    """The buyer sees 9 of 9 calls left, then 8 after a call."""
    _key, secret = key_for(bought["buyer"], bought["user"])
    client.get(reverse("data-rows", args=[bought["product"].code]), HTTP_AUTHORIZATION=f"Bearer {secret}")
    client.force_login(bought["user"])

    body = client.get(reverse("access:entitlements")).content.decode()

    remaining = re.search(r"data-remaining>([^<]*)<", body).group(1)
    assert re.findall(r"\d+", remaining) == ["8", "9"]
    assert bought["product"].code in body


def test_keys_page_shows_the_secret_once(client, bought):
    """Creating a key answers with the secret (no-store); the next visit shows only the prefix."""
    client.force_login(bought["user"])

    created = client.post(reverse("access:keys"), {"name": "风控系统"})
    later = client.get(reverse("access:keys")).content.decode()

    secret = created.context["secret"]
    assert created.status_code == 201 and created["Cache-Control"] == "no-store"
    assert secret in created.content.decode()
    assert secret not in later and ApiKey.objects.get().prefix in later


def test_keys_page_shows_errors_next_to_fields(client, bought):
    client.force_login(bought["user"])

    response = client.post(reverse("access:keys"), {"name": ""})

    assert response.status_code == 200 and response.context["form"].errors["name"]
    assert not ApiKey.objects.exists()


def test_key_revoke_by_post(client, bought):
    key, _secret = key_for(bought["buyer"], bought["user"])
    client.force_login(bought["user"])

    client.post(reverse("access:key_revoke", args=[key.pk]))

    key.refresh_from_db()
    assert key.revoked_at is not None


def test_usage_page_draws_svg_charts_per_product_and_key(client, bought):
    """Calls per day are drawn server-side as SVG bars (no script) for the buyer and for the merchant."""
    key, secret = key_for(bought["buyer"], bought["user"])
    for _ in range(3):
        client.get(reverse("data-rows", args=[bought["product"].code]), HTTP_AUTHORIZATION=f"Bearer {secret}")
    client.force_login(bought["user"])

    buyer_page = client.get(reverse("access:usage")).content.decode()
    client.force_login(bought["actor"])
    merchant_page = client.get(reverse("access:merchant_usage")).content.decode()

    for page in (buyer_page, merchant_page):
        assert page.count("<svg") == 2
        assert 'class="bar"' in page and "<script>" not in page
        assert key.prefix in page
    assert "3" in buyer_page


def test_merchant_uploads_data_from_its_page(client, bought):
    """The merchant's data page takes a CSV (multipart) and lists the upload."""
    client.force_login(bought["actor"])
    url = reverse("access:product_data", args=[bought["product"].pk])

    response = client.post(
        url, {"form": "upload", "mode": "dataset", "file": SimpleUploadedFile("新数据.csv", DATASET_CSV.encode())}
    )

    assert response.status_code == 302
    assert DatasetTable.objects.filter(product=bought["product"], source_name="新数据.csv").exists()
    assert "新数据.csv" in client.get(url).content.decode()


def test_merchant_data_page_is_scoped_to_the_holder(client, bought):
    client.force_login(bought["user"])

    assert client.get(reverse("access:product_data", args=[bought["product"].pk])).status_code == 404


def test_merchant_endpoint_form_shows_a_private_url_refused(client, settings):
    """A private endpoint address is refused next to the URL field."""
    settings.UPSTREAM_ALLOWED_HOSTS = []
    product, org, actor = market_product(modes=("api",))
    client.force_login(actor)

    response = client.post(
        reverse("access:product_data", args=[product.pk]),
        {"form": "upstream", "url": "http://10.0.0.5/api", "method": "GET", "auth_header": "Authorization"},
    )

    assert response.status_code == 200
    assert response.context["upstream_form"].errors["url"]
    assert not UpstreamEndpoint.objects.exists()
