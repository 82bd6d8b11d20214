"""The public verification page: a clear verdict for valid, tampered, unknown, revoked and peers' certificates."""

import pytest
from django.urls import reverse

from catalog import services, signing
from catalog.models import Certificate
from tests.factories import operator
from tests.interop.conftest import registered_product

pytestmark = pytest.mark.django_db


def verdict(client, **params):
    response = client.get(reverse("catalog:verify"), params)
    assert response.status_code == 200
    return response.context["result"], response.content.decode()


def test_a_code_issued_here_is_valid_with_every_field(client):
    product = registered_product()

    result, html = verdict(client, code=product.code)

    assert result.verdict == "valid" and result.signature_ok and result.issuer_is_us
    assert product.holder.uscc in html and product.name in html and 'data-verdict="valid"' in html


def test_a_pasted_certificate_is_verified_and_its_status_now_shown(client):
    product = registered_product()
    token = Certificate.objects.get(product=product).jws
    services.registration_cancel(product=product, actor=operator(), reason="注销")

    result, html = verdict(client, q=token)

    assert result.verdict == "revoked" and result.signature_ok
    assert 'data-status="revoked"' in html


def test_a_tampered_certificate_gets_a_clear_verdict(client):
    product = registered_product()
    header, payload, signature = Certificate.objects.get(product=product).jws.split(".")
    changed = signing.parse(Certificate.objects.get(product=product).jws).payload | {"ver": 9}
    forged = f"{header}.{signing.b64url_encode(signing.json_bytes(changed))}.{signature}"

    result, html = verdict(client, q=forged)

    assert result.verdict == "tampered" and not result.signature_ok
    assert 'data-verdict="tampered"' in html


def test_a_code_with_a_wrong_check_character_is_called_a_typo(client):
    product = registered_product()

    result, _html = verdict(client, q=product.code[:-1] + ("A" if product.code[-1] != "A" else "B"))

    assert result.verdict == "invalid" and "check character" in result.headline


def test_an_unknown_code_and_an_unknown_issuer(client):
    from catalog.codes import format_code

    unknown, _ = verdict(client, code=format_code("AAX", 2026, "L", 424242))
    stranger, _ = verdict(client, code=format_code("ZZX", 2026, "L", 1))

    assert unknown.verdict == "not_found"
    assert stranger.verdict == "unknown_issuer"


def test_a_peers_certificate_is_fetched_from_the_peer_and_verified(client, fake_peer):
    fake_peer.register()
    code = fake_peer.new_code()
    fake_peer.issue(code, uscc="91350100M000100Y43")

    valid, _ = verdict(client, code=code)
    fake_peer.set_status(code, "revoked")
    revoked, html = verdict(client, code=code)

    assert valid.verdict == "valid" and valid.issuer_name == "乙数据交易所"
    assert revoked.verdict == "revoked" and 'data-status="revoked"' in html


def test_a_peers_certificate_signed_by_another_key_is_refused(client, fake_peer):
    fake_peer.register()
    code = fake_peer.new_code()
    token = fake_peer.issue(code, uscc="91350100M000100Y43")
    forged = fake_peer.sign(signing.parse(token).payload, signing.CERT_TYP, key=signing.generate_private_key())

    result, _ = verdict(client, q=forged)

    assert result.verdict == "tampered"


def test_the_empty_page_shows_the_form(client):
    response = client.get(reverse("catalog:verify"))

    assert response.status_code == 200 and response.context["result"] is None
