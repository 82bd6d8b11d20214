"""The interop API (interop-v1 §1, §4, §5) through HTTP: answers, problem details, signed-request checks."""

import json
import time

import pytest

from catalog import services, signing
from catalog.codes import format_code
from catalog.models import Recognition, ReplayNonce
from tests.factories import operator
from tests.interop.conftest import registered_product

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"


def assert_problem(response, status: int, slug: str | None = None) -> dict:
    """An RFC 9457 problem with type, title, status and detail."""
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith(PROBLEM)
    body = response.json()
    assert {"type", "title", "status", "detail"} <= set(body)
    assert body["status"] == status
    if slug:
        assert body["type"].endswith(slug)
    return body


def test_discovery_document(client):
    response = client.get("/.well-known/data-exchange.json")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response.json() == {
        "protocol": "dxip/1",
        "exchange_code": "AAX",
        "name": "甲数据交易所",
        "base_url": "http://testserver",
        "jwks_uri": "http://testserver/interop/v1/jwks.json",
        "endpoints": {
            "certificate": "/interop/v1/certificates/{code}",
            "feed": "/interop/v1/feed",
            "recognitions": "/interop/v1/recognitions",
        },
    }


def test_jwks_publishes_only_public_ed25519_keys(client):
    keys = client.get("/interop/v1/jwks.json").json()["keys"]

    assert len(keys) == 1
    assert {k: keys[0][k] for k in ("kty", "crv", "alg", "use")} == {
        "kty": "OKP",
        "crv": "Ed25519",
        "alg": "Ed25519",
        "use": "sig",
    }
    assert "d" not in keys[0] and keys[0]["kid"]


def test_certificate_endpoint_answers_the_latest_certificate_with_status(client):
    product = registered_product()

    body = client.get(f"/interop/v1/certificates/{product.code}").json()

    assert body["code"] == product.code and body["status"] == "active"
    assert body["status_changed_at"].endswith("Z")
    jwks = client.get("/interop/v1/jwks.json").json()
    assert signing.verify(body["certificate"], jwks, typ=signing.CERT_TYP)["ver"] == 1


def test_certificate_endpoint_is_case_insensitive(client):
    product = registered_product()

    assert client.get(f"/interop/v1/certificates/{product.code.lower()}").json()["code"] == product.code


def test_certificate_endpoint_refuses_a_wrong_check_character_with_400(client):
    product = registered_product()
    wrong = product.code[:-1] + ("A" if product.code[-1] != "A" else "B")

    assert_problem(client.get(f"/interop/v1/certificates/{wrong}"), 400, "invalid-code")
    assert_problem(client.get("/interop/v1/certificates/not-a-code"), 400, "invalid-code")


def test_certificate_endpoint_answers_404_for_an_unknown_code(client):
    assert_problem(client.get("/interop/v1/certificates/SHDX-2026-J-000123-L"), 404, "unknown-registration")


@pytest.mark.parametrize(
    ("action", "status"), [("registration_suspend", "suspended"), ("registration_cancel", "revoked")]
)
def test_certificate_status_follows_the_registration(client, action, status):
    product = registered_product()

    getattr(services, action)(product=product, actor=operator(), reason="理由")

    assert client.get(f"/interop/v1/certificates/{product.code}").json()["status"] == status


def test_certificate_status_is_expired_past_exp(client):
    product = registered_product()
    product.certificates.update(exp="2001-01-01T00:00:00Z")

    assert client.get(f"/interop/v1/certificates/{product.code}").json()["status"] == "expired"


def test_feed_pages_from_zero_to_the_end(client):
    """Paging with the last seq gives every event once, in order, has_more false at the end."""
    products = [registered_product() for _ in range(3)]
    services.registration_suspend(product=products[0], actor=operator(), reason="核查")
    jwks = client.get("/interop/v1/jwks.json").json()

    seen, after = [], 0
    while True:
        page = client.get(f"/interop/v1/feed?after={after}&limit=2").json()
        seen += [signing.verify(token, jwks, typ=signing.EVENT_TYP) for token in page["events"]]
        after = page["next_after"]
        if not page["has_more"]:
            break

    assert [event["seq"] for event in seen] == [1, 2, 3, 4]
    assert [event["type"] for event in seen][-1] == "certificate.suspended"
    assert all(event["iss"] == "AAX" and event["at"].endswith("Z") for event in seen)
    assert "certificate" in seen[0] and "certificate" not in seen[-1]
    assert client.get("/interop/v1/feed?after=4").json() == {"events": [], "next_after": 4, "has_more": False}


def test_feed_limit_defaults_to_100_and_is_capped_at_1000(client):
    registered_product()

    assert len(client.get("/interop/v1/feed").json()["events"]) == 1
    assert client.get("/interop/v1/feed?limit=5000").status_code == 200


@pytest.mark.parametrize("query", ["after=-1", "after=x", "limit=0", "limit=abc"])
def test_feed_refuses_bad_parameters_with_400(client, query):
    assert_problem(client.get(f"/interop/v1/feed?{query}"), 400, "invalid-parameter")


def test_unknown_interop_paths_and_methods_are_problems(client):
    assert_problem(client.get("/interop/v1/nothing-here"), 404, "not-found")
    assert_problem(client.delete("/interop/v1/feed"), 405, "method-not-allowed")


# --- POST /interop/v1/recognitions -------------------------------------------------------------------


def post(client, body, content_type="application/jose"):
    return client.post("/interop/v1/recognitions", data=body, content_type=content_type)


@pytest.fixture
def registered(db):
    return registered_product()


@pytest.fixture
def peer(fake_peer, db):
    fake_peer.register()
    return fake_peer


def recognition_body(peer, product, **kwargs):
    return peer.request({"code": product.code, "listing_url": f"{peer.base_url}/p/{product.code}/"}, **kwargs)


def test_a_valid_signed_recognition_is_recorded_and_listed_publicly(client, peer, registered):
    response = post(client, recognition_body(peer, registered))

    assert response.status_code == 201
    body = response.json()
    assert body["code"] == registered.code and body["recognized_by"] == "BBX"
    listed = client.get(f"/interop/v1/recognitions?code={registered.code}").json()
    assert listed["code"] == registered.code
    assert listed["recognized_by"] == [
        {
            "exchange_code": "BBX",
            "listing_url": f"http://bbx.test/p/{registered.code}/",
            "recognized_at": body["recognized_at"],
        }
    ]


def test_an_unsigned_request_is_refused_with_401(client, peer, registered):
    body = json.dumps({"code": registered.code, "listing_url": "http://bbx.test/x", "iss": "BBX", "aud": "AAX"})

    assert_problem(post(client, body, content_type="application/json"), 401, "unsigned-request")
    assert not Recognition.objects.exists()


def test_a_tampered_request_is_refused_with_401(client, peer, registered):
    header, _payload, signature = recognition_body(peer, registered).split(".")
    other = signing.b64url_encode(
        signing.json_bytes(
            {
                "code": registered.code,
                "listing_url": "http://evil.test/",
                "iss": "BBX",
                "aud": "AAX",
                "iat": int(time.time()),
                "jti": "x",
            }
        )
    )

    assert_problem(post(client, f"{header}.{other}.{signature}"), 401, "bad-signature")


def test_a_request_signed_with_a_wrong_key_is_refused_with_401(client, peer, registered):
    body = recognition_body(peer, registered, key=signing.generate_private_key())

    assert_problem(post(client, body), 401, "bad-signature")


def test_a_request_from_an_unknown_or_untrusted_peer_is_refused_with_401(client, fake_peer, registered):
    fake_peer.register(trusted=False)

    assert_problem(post(client, recognition_body(fake_peer, registered)), 401, "untrusted-peer")


def test_a_wrongly_addressed_request_is_refused_with_401(client, peer, registered):
    assert_problem(post(client, recognition_body(peer, registered, aud="CCX")), 401, "wrong-audience")


@pytest.mark.parametrize("offset", [-301, 301])
def test_a_stale_request_is_refused_with_401(client, peer, registered, offset):
    body = recognition_body(peer, registered, iat=int(time.time()) + offset)

    assert_problem(post(client, body), 401, "stale-request")


def test_a_replayed_request_is_refused_with_401(client, peer, registered):
    body = recognition_body(peer, registered, jti="once-only")

    first = post(client, body)
    second = post(client, body)

    assert first.status_code == 201
    assert_problem(second, 401, "replayed-request")
    assert ReplayNonce.objects.filter(iss="BBX", jti="once-only").count() == 1


def test_recognising_an_unknown_code_is_404(client, peer):
    body = peer.request({"code": format_code("AAX", 2026, "L", 999999), "listing_url": "http://bbx.test/p/x/"})

    assert_problem(post(client, body), 404, "unknown-registration")


def test_recognising_a_revoked_registration_is_409(client, peer, registered):
    services.registration_cancel(product=registered, actor=operator(), reason="注销")

    assert_problem(post(client, recognition_body(peer, registered)), 409, "registration-revoked")


def test_recognising_an_invalid_code_is_400(client, peer, registered):
    body = peer.request({"code": registered.code[:-1] + "?", "listing_url": "http://bbx.test/p/x/"})

    assert_problem(post(client, body), 400, "invalid-code")


def test_recognitions_list_refuses_invalid_and_unknown_codes(client):
    assert_problem(client.get("/interop/v1/recognitions"), 400)
    assert_problem(client.get("/interop/v1/recognitions?code=AAX-2026-L-000001-0"), 400, "invalid-code")
