"""Mutual recognition (interop-v1 §6): a merchant lists a peer's registration; review; the issuer is told."""

import pytest
from django.urls import reverse

from accounts.exceptions import DomainError, InvalidTransition
from catalog import services, signing
from catalog.interop import client as interop_client
from catalog.models import Listing, PeerCertificate, Product, Recognition, ReviewFinding
from tests.factories import OrganizationFactory, draft_product, member, operator

pytestmark = pytest.mark.django_db


@pytest.fixture
def merchant_org():
    org = OrganizationFactory()
    return org, member(org)


def test_recognition_creates_a_listing_in_review_under_the_same_code(fake_peer, merchant_org):
    org, merchant = merchant_org
    fake_peer.register()
    code = fake_peer.new_code()
    token = fake_peer.issue(code, uscc=org.uscc, holder=org.name)

    product = services.recognition_create(org=org, actor=merchant, code=code)

    assert (product.code, product.issuer, product.holder, product.status) == (
        code,
        "BBX",
        org,
        Product.Status.REGISTERED,
    )
    assert product.name == "企业经营异常核验" and product.section == "J"
    assert sorted(product.delivery_modes.values_list("code", flat=True)) == ["api", "verification"]
    assert product.listing.status == Listing.Status.IN_REVIEW
    recognition = Recognition.objects.get(code=code)
    assert recognition.evidence_jws == token and recognition.recognized_by == "AAX" and recognition.notified_at is None
    assert PeerCertificate.objects.get(code=code).status == "active"


def test_recognition_accepts_the_qr_link(fake_peer, merchant_org):
    org, merchant = merchant_org
    fake_peer.register()
    code = fake_peer.new_code()
    fake_peer.issue(code, uscc=org.uscc)

    product = services.recognition_create(org=org, actor=merchant, code=f"http://bbx.test/verify/?code={code.lower()}")

    assert product.code == code


def test_recognition_refuses_a_certificate_held_by_another_organisation(fake_peer, merchant_org):
    org, merchant = merchant_org
    fake_peer.register()
    code = fake_peer.new_code()
    fake_peer.issue(code, uscc="91350100M000100Y43")

    with pytest.raises(DomainError) as error:
        services.recognition_create(org=org, actor=merchant, code=code)

    assert error.value.field == "code" and "91350100M000100Y43" in error.value.message
    assert not Product.objects.exists()


@pytest.mark.parametrize("status", ["suspended", "revoked"])
def test_recognition_refuses_a_registration_not_active_at_its_issuer(fake_peer, merchant_org, status):
    org, merchant = merchant_org
    fake_peer.register()
    code = fake_peer.new_code()
    fake_peer.issue(code, uscc=org.uscc, status=status)

    with pytest.raises(DomainError) as error:
        services.recognition_create(org=org, actor=merchant, code=code)

    assert status in error.value.message


def test_recognition_refuses_a_tampered_certificate(fake_peer, merchant_org):
    org, merchant = merchant_org
    fake_peer.register()
    code = fake_peer.new_code()
    token = fake_peer.issue(code, uscc="91350100M000100Y43")
    header, _payload, signature = token.split(".")
    forged = signing.parse(token).payload | {"holder": {"name": org.name, "uscc": org.uscc}}
    fake_peer.certificates[code]["certificate"] = (
        f"{header}.{signing.b64url_encode(signing.json_bytes(forged))}.{signature}"
    )

    with pytest.raises(DomainError) as error:
        services.recognition_create(org=org, actor=merchant, code=code)

    assert "signature" in error.value.message


def test_recognition_refuses_an_untrusted_issuer_a_bad_code_and_our_own_code(fake_peer, merchant_org):
    org, merchant = merchant_org
    fake_peer.register(trusted=False)
    code = fake_peer.new_code()
    fake_peer.issue(code, uscc=org.uscc)

    for text in (code, code[:-1] + ("0" if code[-1] != "0" else "1"), "AAX-2026-L-000001-" + "X"):
        with pytest.raises(DomainError) as error:
            services.recognition_create(org=org, actor=merchant, code=text)
        assert error.value.field == "code"


def test_approval_lists_it_and_tells_the_issuer_on_commit(fake_peer, merchant_org, django_capture_on_commit_callbacks):
    org, merchant = merchant_org
    fake_peer.register()
    code = fake_peer.new_code()
    fake_peer.issue(code, uscc=org.uscc)
    product = services.recognition_create(org=org, actor=merchant, code=code)

    with django_capture_on_commit_callbacks(execute=True):
        listing = services.listing_approve(listing=product.listing, actor=operator())

    assert listing.status == Listing.Status.LISTED
    assert fake_peer.posted == [code]
    assert Recognition.objects.get(code=code).notified_at is not None


def test_a_failed_notice_is_recorded_and_retried(
    fake_peer, merchant_org, monkeypatch, django_capture_on_commit_callbacks
):
    org, merchant = merchant_org
    fake_peer.register()
    code = fake_peer.new_code()
    fake_peer.issue(code, uscc=org.uscc)
    product = services.recognition_create(org=org, actor=merchant, code=code)

    def down(peer, **kwargs):
        raise interop_client.PeerError("could not reach http://bbx.test: ConnectionError")

    monkeypatch.setattr(interop_client, "post_recognition", down)
    with django_capture_on_commit_callbacks(execute=True):
        services.listing_approve(listing=product.listing, actor=operator())
    failed = Recognition.objects.get(code=code)
    monkeypatch.setattr(interop_client, "post_recognition", fake_peer.post_recognition)
    retried = services.recognitions_notify_pending()

    assert failed.notified_at is None and failed.notify_attempts == 1 and "could not reach" in failed.notify_error
    assert retried == 1 and Recognition.objects.get(code=code).notified_at is not None


def test_approval_is_refused_while_the_issuer_suspended_it(fake_peer, merchant_org):
    org, merchant = merchant_org
    peer = fake_peer.register()
    code = fake_peer.new_code()
    fake_peer.issue(code, uscc=org.uscc)
    product = services.recognition_create(org=org, actor=merchant, code=code)
    fake_peer.set_status(code, "suspended")
    services.peer_follow(peer=peer)

    with pytest.raises(InvalidTransition):
        services.listing_approve(listing=Listing.objects.get(product=product), actor=operator())


def test_listing_reject_needs_a_reason(fake_peer, merchant_org):
    org, merchant = merchant_org
    fake_peer.register()
    code = fake_peer.new_code()
    fake_peer.issue(code, uscc=org.uscc)
    product = services.recognition_create(org=org, actor=merchant, code=code)

    with pytest.raises(DomainError):
        services.listing_reject(listing=product.listing, actor=operator(), reason="")
    listing = services.listing_reject(listing=product.listing, actor=operator(), reason="样例数据不符")

    assert listing.status == Listing.Status.REJECTED


def test_a_new_registration_matching_a_peer_certificate_is_flagged_as_duplicate(fake_peer, merchant_org):
    """Holder USCC and normalised name match a certificate known from a peer: recognise it instead."""
    org, merchant = merchant_org
    peer = fake_peer.register()
    code = fake_peer.new_code()
    fake_peer.issue(code, uscc=org.uscc, name="企业 经营异常核验")
    services.peer_follow(peer=peer)

    product = services.product_submit(product=draft_product(org, merchant, name="企业经营异常核验！"), actor=merchant)

    finding = ReviewFinding.objects.get(product=product, kind="probable_peer_duplicate")
    assert code in finding.message
    assert finding.detail["recognize_url"] == reverse("catalog:recognitions") + f"?code={code}"


def test_the_recognised_product_itself_is_not_flagged_as_its_own_duplicate(fake_peer, merchant_org):
    org, merchant = merchant_org
    fake_peer.register()
    code = fake_peer.new_code()
    fake_peer.issue(code, uscc=org.uscc)

    product = services.recognition_create(org=org, actor=merchant, code=code)

    assert not ReviewFinding.objects.filter(product=product, kind="probable_peer_duplicate").exists()


def test_merchant_page_lists_a_recognition_and_shows_errors_next_to_the_field(client, fake_peer, merchant_org):
    org, merchant = merchant_org
    fake_peer.register()
    code, other = fake_peer.new_code(), fake_peer.new_code()
    fake_peer.issue(code, uscc=org.uscc)
    fake_peer.issue(other, uscc="91350100M000100Y43")
    client.force_login(merchant)

    created = client.post(reverse("catalog:recognitions"), {"code": code})
    refused = client.post(reverse("catalog:recognitions"), {"code": other})
    page = client.get(reverse("catalog:recognitions"))

    assert created.status_code == 302
    assert refused.status_code == 200 and "errorlist" in refused.content.decode()
    assert code in page.content.decode() and 'data-status="in_review"' in page.content.decode()


def test_console_review_page_approves_a_recognised_listing(
    client, fake_peer, merchant_org, django_capture_on_commit_callbacks
):
    org, merchant = merchant_org
    fake_peer.register()
    code = fake_peer.new_code()
    fake_peer.issue(code, uscc=org.uscc)
    product = services.recognition_create(org=org, actor=merchant, code=code)
    client.force_login(operator())

    page = client.get(reverse("catalog:recognition_review"))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("catalog:recognition_decide", args=[product.listing.pk, "approve"]))

    assert code in page.content.decode()
    assert Listing.objects.get(product=product).status == Listing.Status.LISTED
    assert fake_peer.posted == [code]


def test_merchants_cannot_open_the_console_review(client, merchant_org):
    client.force_login(merchant_org[1])

    assert client.get(reverse("catalog:recognition_review")).status_code == 403
