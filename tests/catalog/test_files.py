"""A product's files are served by a view that checks who asks; nothing is served from MEDIA_ROOT directly."""

import mimetypes

import pytest
from django.core.files.base import ContentFile
from django.urls import Resolver404, resolve, reverse

from catalog.models import Product
from tests.factories import OrganizationFactory, draft_product, listed_product, member, operator

pytestmark = pytest.mark.django_db


def _url(product, which):
    return reverse("catalog:product_file", kwargs={"pk": product.pk, "which": which})


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


@pytest.fixture
def holder():
    org = OrganizationFactory()
    return org, member(org)


def test_a_listed_products_cover_is_public_and_cacheable(client, holder):
    product = listed_product(*holder)

    thumbnail = client.get(_url(product, "thumbnail"))
    cover = client.get(_url(product, "cover"))

    assert thumbnail.status_code == 200
    assert thumbnail["Content-Type"] == mimetypes.guess_type(product.cover_thumbnail.name)[0] == "image/jpeg"
    assert thumbnail["Cache-Control"] == "public, max-age=3600"
    assert "attachment" not in thumbnail.get("Content-Disposition", "")
    assert _body(thumbnail) == product.cover_thumbnail.open("rb").read()
    assert cover.status_code == 200


def test_a_drafts_cover_is_for_the_holder_and_operators_only(client, holder):
    product = draft_product(*holder)
    url = _url(product, "thumbnail")

    anonymous = client.get(url)
    client.force_login(member(OrganizationFactory()))
    stranger = client.get(url)
    client.force_login(holder[1])
    as_holder = client.get(url)
    client.force_login(operator())
    as_operator = client.get(url)

    assert anonymous.status_code == 404
    assert stranger.status_code == 404
    assert as_holder.status_code == 200
    assert as_holder["Cache-Control"] == "private, max-age=3600"
    assert as_operator.status_code == 200


def test_evidence_and_the_raw_sample_stay_private_even_when_the_product_is_listed(client, holder):
    product = listed_product(*holder)
    product.personal_evidence.save("consent.pdf", ContentFile(b"%PDF-1.4 consent"), save=True)

    anonymous = [client.get(_url(product, which)).status_code for which in ("evidence", "sample")]
    client.force_login(member(OrganizationFactory()))
    stranger = [client.get(_url(product, which)).status_code for which in ("evidence", "sample")]
    client.force_login(operator())
    evidence = client.get(_url(product, "evidence"))
    sample = client.get(_url(product, "sample"))

    assert anonymous == [404, 404]
    assert stranger == [404, 404]
    assert evidence.status_code == 200
    assert _body(evidence) == b"%PDF-1.4 consent"
    assert evidence["Cache-Control"] == "private, no-store"
    assert sample.status_code == 200
    assert "企业名称" in _body(sample).decode("utf-8")


def test_an_uploaded_html_file_is_a_download_never_a_page_of_our_site(client, holder):
    product = draft_product(*holder)
    product.personal_evidence.save("evil.html", ContentFile(b"<script>alert(1)</script>"), save=True)
    client.force_login(holder[1])

    response = client.get(_url(product, "evidence"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_a_missing_file_or_an_unknown_kind_is_404(client, holder):
    product = draft_product(*holder)
    client.force_login(holder[1])

    no_evidence = client.get(_url(product, "evidence"))
    unknown = client.get(_url(product, "description"))
    Product.objects.filter(pk=product.pk).update(cover_thumbnail="covers/thumbs/gone.png")
    gone = client.get(_url(product, "thumbnail"))

    assert (no_evidence.status_code, unknown.status_code, gone.status_code) == (404, 404, 404)


def test_the_api_gives_file_addresses_the_views_serve(client, holder):
    product = listed_product(*holder)

    row = client.get("/api/v1/catalog/products/", {"q": product.name}).json()["results"][0]
    client.force_login(holder[1])
    registration = client.get(f"/api/v1/registrations/{product.pk}/").json()

    assert row["cover_thumbnail"] == "http://testserver" + _url(product, "thumbnail")
    assert client.get(row["cover_thumbnail"]).status_code == 200
    assert registration["sample_file"] == "http://testserver" + _url(product, "sample")
    assert registration["personal_evidence"] is None
    assert client.get(registration["sample_file"]).status_code == 200


def test_media_root_has_no_route(client, holder):
    product = draft_product(*holder)
    client.force_login(holder[1])

    with pytest.raises(Resolver404):
        resolve("/media/" + product.cover_image.name)
    assert client.get("/media/" + product.personal_evidence.name).status_code == 404
