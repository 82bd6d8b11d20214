"""Certificates issued here (interop-v1 §3): issuing, re-issuing, status events, the reader's checks, rotation."""

import time

import pytest
from django.urls import reverse

from accounts.exceptions import DomainError
from catalog import services, signing
from catalog.certificates import CertificateError, build_payload, verify_certificate
from catalog.interop import selectors
from catalog.models import Certificate, FeedEvent, SigningKey
from tests.factories import operator
from tests.interop.conftest import FakePeer, registered_product

pytestmark = pytest.mark.django_db


def test_registration_complete_issues_certificate_ver_1_and_a_feed_event():
    """Completing a registration (赋码/发证) signs certificate ver 1 and announces it in the feed."""
    product = registered_product()

    certificate = Certificate.objects.get(product=product)
    payload = verify_certificate(certificate.jws, selectors.published_jwks(), issuer="AAX").payload
    event = FeedEvent.objects.get()

    assert certificate.ver == 1
    assert payload["code"] == product.code and payload["iss"] == "AAX"
    assert payload["holder"] == {"name": product.holder.name, "uscc": product.holder.uscc}
    assert payload["product"]["delivery_modes"] == ["api", "verification"]
    assert payload["price_regime"] == "market" and "public_data_authorization" not in payload
    assert payload["exp"] - payload["iat"] == 3 * 365 * 86400
    assert (event.seq, event.type, event.code, event.ver) == (1, "certificate.issued", product.code, 1)
    assert event.payload["certificate"] == certificate.jws


def test_certificate_issue_twice_changes_nothing():
    product = registered_product()

    again = services.certificate_issue(product=product)

    assert again.ver == 1
    assert Certificate.objects.count() == 1 and FeedEvent.objects.count() == 1


def test_public_data_certificates_carry_the_authorisation():
    """public_data_authorization is present exactly when the source is public data."""
    product = registered_product(
        data_source_type="public",
        auth_authority="某市数据局",
        auth_grantee="x",
        auth_content="企业登记信息",
        auth_scope="企业登记、经营异常名录",
        auth_valid_from="2026-01-01",
        auth_valid_until="2028-12-31",
    )

    payload = Certificate.objects.get(product=product).payload

    assert payload["public_data_authorization"] == {
        "authority": "某市数据局",
        "scope": "企业登记、经营异常名录",
        "valid_from": "2026-01-01",
        "valid_until": "2028-12-31",
    }
    assert payload["price_regime"] == "guided"


def test_suspend_reinstate_and_cancel_are_announced_in_order():
    product = registered_product()
    staff = operator()

    services.registration_suspend(product=product, actor=staff, reason="核查中")
    services.registration_reinstate(product=product, actor=staff, reason="核查完毕")
    services.registration_cancel(product=product, actor=staff, reason="注销")

    types = list(FeedEvent.objects.order_by("seq").values_list("seq", "type"))
    assert types == [
        (1, "certificate.issued"),
        (2, "certificate.suspended"),
        (3, "certificate.reinstated"),
        (4, "certificate.revoked"),
    ]
    assert selectors.issued_certificate(product.code).status == "revoked"


def test_certificate_reissue_increments_ver_and_appends_updated():
    """A change, renewal or transfer re-issues the certificate with ver + 1."""
    product = registered_product()
    first = Certificate.objects.get(product=product)

    second = services.certificate_reissue(product=product, actor=operator(), reason="变更：更新频率", renew=True)

    assert second.ver == 2 and second.exp >= first.exp
    assert FeedEvent.objects.order_by("-seq").first().type == "certificate.updated"
    assert selectors.issued_certificate(product.code).certificate.ver == 2


def test_certificate_reissue_needs_a_reason():
    product = registered_product()

    with pytest.raises(DomainError) as error:
        services.certificate_reissue(product=product, actor=operator(), reason=" ")

    assert error.value.field == "reason"


def _certificate(product, **changes):
    payload = {**build_payload(product, ver=1, iat=int(time.time()) - 10, exp=int(time.time()) + 3600), **changes}
    return signing.sign(payload, signing.CERT_TYP)


def test_reader_rejects_a_tampered_certificate():
    product = registered_product()
    header, payload, signature = Certificate.objects.get(product=product).jws.split(".")
    changed = signing.parse(f"{header}.{payload}.{signature}").payload | {
        "holder": {"name": "冒名公司", "uscc": "91350100M000100Y43"}
    }
    forged = f"{header}.{signing.b64url_encode(signing.json_bytes(changed))}.{signature}"

    with pytest.raises(CertificateError) as error:
        verify_certificate(forged, selectors.published_jwks(), issuer="AAX")

    assert error.value.reason == "bad_signature"


def test_reader_rejects_a_certificate_signed_by_an_unknown_key():
    product = registered_product()
    stranger = FakePeer(code="AAX")
    token = stranger.sign(
        build_payload(product, ver=1, iat=int(time.time()), exp=int(time.time()) + 60), signing.CERT_TYP
    )

    with pytest.raises(CertificateError) as error:
        verify_certificate(token, selectors.published_jwks(), issuer="AAX")

    assert error.value.reason == "unknown_key"


def test_reader_rejects_a_foreign_iss():
    """A certificate fetched from AAX that names another issuer is refused."""
    product = registered_product()

    with pytest.raises(CertificateError) as error:
        verify_certificate(_certificate(product, iss="BBX"), selectors.published_jwks(), issuer="AAX")

    assert error.value.reason == "foreign_iss"


def test_reader_rejects_an_expired_certificate():
    product = registered_product()
    token = _certificate(product, iat=int(time.time()) - 7200, nbf=int(time.time()) - 7200, exp=int(time.time()) - 1)

    with pytest.raises(CertificateError) as error:
        verify_certificate(token, selectors.published_jwks(), issuer="AAX")

    assert error.value.reason == "expired"
    assert error.value.payload["code"] == product.code


def test_reader_rejects_a_certificate_not_yet_valid():
    product = registered_product()
    token = _certificate(product, nbf=int(time.time()) + 3600)

    with pytest.raises(CertificateError) as error:
        verify_certificate(token, selectors.published_jwks(), issuer="AAX")

    assert error.value.reason == "not_yet_valid"


def test_reader_rejects_a_code_with_a_wrong_check_character():
    product = registered_product()
    wrong = product.code[:-1] + ("A" if product.code[-1] != "A" else "B")

    with pytest.raises(CertificateError) as error:
        verify_certificate(_certificate(product, code=wrong), selectors.published_jwks(), issuer="AAX")

    assert error.value.reason == "bad_code"


def test_reader_rejects_a_code_of_another_exchange():
    product = registered_product()

    with pytest.raises(CertificateError) as error:
        verify_certificate(_certificate(product, code="SHDX-2026-J-000123-L"), selectors.published_jwks(), issuer="AAX")

    assert error.value.reason == "bad_code"


def test_rotation_keeps_the_old_key_published_while_its_certificates_live(settings):
    """After rotation new certificates use the new key; the old key stays in the JWKS for the old ones."""
    product = registered_product()
    old_kid = Certificate.objects.get(product=product).kid

    new = services.signing_key_rotate()
    other = registered_product()

    kids = [jwk["kid"] for jwk in selectors.published_jwks()["keys"]]
    assert kids == [new.kid, old_kid]
    assert Certificate.objects.get(product=other).kid == new.kid
    assert verify_certificate(Certificate.objects.get(product=product).jws, selectors.published_jwks(), issuer="AAX")
    old = SigningKey.objects.get(kid=old_kid)
    assert old.retired_at is not None and old.removed_at is None
    assert old.private_key_path.endswith(f"{old_kid}.pem")


def test_rotation_drops_an_old_key_once_its_certificates_expired():
    product = registered_product()
    services.signing_key_rotate()

    Certificate.objects.filter(product=product).update(exp="2000-01-01T00:00:00Z")

    assert len(selectors.published_jwks()["keys"]) == 1


def test_a_compromised_key_is_withdrawn_at_once_and_its_certificates_reissued():
    product = registered_product()
    old_kid = Certificate.objects.get(product=product).kid

    services.signing_key_rotate(compromised=True, reason="私钥泄露")

    jwks = selectors.published_jwks()
    assert old_kid not in [jwk["kid"] for jwk in jwks["keys"]]
    latest = selectors.issued_certificate(product.code).certificate
    assert latest.ver == 2 and latest.kid != old_kid
    assert verify_certificate(latest.jws, jwks, issuer="AAX").ver == 2
    with pytest.raises(CertificateError):
        verify_certificate(Certificate.objects.get(product=product, ver=1).jws, jwks, issuer="AAX")
    # The feed still verifies from the first event: old events are re-signed with a published key.
    for token in selectors.feed_page(after=0, limit=100)["events"]:
        assert signing.verify(token, jwks, typ=signing.EVENT_TYP)


def test_rotation_is_refused_when_the_key_comes_from_the_environment(settings):
    settings.SIGNING_KEY = signing.private_key_pem(signing.generate_private_key()).decode()

    with pytest.raises(DomainError) as error:
        services.signing_key_rotate()

    assert "SIGNING_KEY" in str(error.value)


def test_certificate_page_pdf_and_qr(client):
    """The certificate page shows every field; the PDF and the QR code are served."""
    product = registered_product()

    page = client.get(reverse("catalog:certificate", args=[product.code]))
    pdf = client.get(reverse("catalog:certificate_pdf", args=[product.code]))
    qr = client.get(reverse("catalog:certificate_qr", args=[product.code]))

    assert page.status_code == 200
    assert product.holder.uscc in page.content.decode() and product.name in page.content.decode()
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert qr["Content-Type"] == "image/png" and qr.content.startswith(b"\x89PNG")
    assert client.get(reverse("catalog:certificate", args=["AAX-2026-L-999999-0"])).status_code == 404


def test_the_product_page_shows_the_certificate_panel(client):
    product = registered_product()

    html = client.get(reverse("catalog:product", args=[product.code])).content.decode()

    assert 'id="certificate-panel"' in html
    assert reverse("catalog:certificate", args=[product.code]) in html


def test_rotate_signing_key_command_prints_the_new_kid():
    from io import StringIO

    from django.core.management import call_command

    registered_product()
    out = StringIO()

    call_command("rotate_signing_key", stdout=out)

    assert SigningKey.objects.filter(retired_at=None).get().kid in out.getvalue()
