"""interop-v1 §7 conformance, between two instances of the site running as separate processes.

Exchange A (``AAX``) and exchange B (``BBX``) run on their own ports, databases, data folders and
signing keys. Everything between them goes over HTTP; the test drives each through its management
commands and services (``tests/interop/seed.py``) and talks to both over HTTP.
"""

import json
import time
import uuid

import pytest
import requests

from catalog import signing
from catalog.certificates import CertificateError, verify_certificate
from catalog.codes import format_code
from tests.interop.instances import HOLDER_USCC, seed_pair, start_instances, stop_all

PROBLEM = "application/problem+json"


@pytest.fixture(scope="module")
def exchanges(tmp_path_factory):
    """A and B running, peered both ways, with one product registered at A."""
    instances = start_instances(
        tmp_path_factory.mktemp("exchanges"), [("AAX", "甲数据交易所"), ("BBX", "乙数据交易所")]
    )
    try:
        a, b = instances
        seeded = seed_pair(a, b)
        yield a, b, seeded["code"]
    finally:
        stop_all(instances)


def assert_problem(response: requests.Response, status: int, slug: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"].startswith(PROBLEM)
    body = response.json()
    assert body["status"] == status and body["type"].endswith(slug) and body["title"] and body["detail"]


def signed_by(instance, payload: dict, *, aud: str, iat: int | None = None, jti: str | None = None) -> str:
    """A request signed with ``instance``'s own private key (read from its data folder)."""
    key = signing.load_private_key_pem(instance.key_file.read_bytes())
    kid = signing.public_jwk(key.public_key())["kid"]
    body = {
        **payload,
        "iss": instance.code,
        "aud": aud,
        "iat": int(time.time()) if iat is None else iat,
        "jti": jti or uuid.uuid4().hex,
    }
    return signing.sign_with(key, kid, body, signing.REQUEST_TYP)


def post_jose(instance, token: str, content_type: str = "application/jose") -> requests.Response:
    return instance.post("/interop/v1/recognitions", data=token.encode(), headers={"Content-Type": content_type})


def verdict_at(instance, **params) -> str:
    html = instance.get("/verify/", params=params).text
    return html.split('data-verdict="', 1)[1].split('"', 1)[0] if 'data-verdict="' in html else ""


def test_discovery_of_each_other(exchanges):
    """Each answers its discovery document, and each registered and trusts the other from it."""
    a, b, _code = exchanges

    doc_a = a.get("/.well-known/data-exchange.json").json()
    doc_b = b.get("/.well-known/data-exchange.json").json()
    peer_at_b = b.one("state", peer="AAX")["peer"]

    assert doc_a["protocol"] == doc_b["protocol"] == "dxip/1"
    assert (doc_a["exchange_code"], doc_a["base_url"]) == ("AAX", a.base_url)
    assert (doc_b["exchange_code"], doc_b["base_url"]) == ("BBX", b.base_url)
    assert requests.get(doc_a["jwks_uri"], timeout=5).json()["keys"][0]["crv"] == "Ed25519"
    assert peer_at_b["trusted"]


def test_certificate_fetch_and_offline_verification(exchanges):
    a, _b, code = exchanges

    answer = a.get(f"/interop/v1/certificates/{code}").json()
    jwks = a.get("/interop/v1/jwks.json").json()
    verified = verify_certificate(answer["certificate"], jwks, issuer="AAX")

    assert answer["status"] == "active" and answer["code"] == code
    assert verified.payload["holder"]["uscc"] == HOLDER_USCC and verified.ver == 1


def test_rejection_of_a_tampered_certificate(exchanges):
    a, b, code = exchanges
    token = a.get(f"/interop/v1/certificates/{code}").json()["certificate"]
    header, _payload, signature = token.split(".")
    changed = signing.parse(token).payload | {"holder": {"name": "冒名公司", "uscc": "91310000MA1FL0000N"}}
    forged = f"{header}.{signing.b64url_encode(signing.json_bytes(changed))}.{signature}"

    with pytest.raises(CertificateError) as error:
        verify_certificate(forged, a.get("/interop/v1/jwks.json").json(), issuer="AAX")

    assert error.value.reason == "bad_signature"
    assert verdict_at(b, q=forged) == "tampered"


def test_rejection_of_a_certificate_signed_by_an_unknown_key(exchanges):
    a, b, code = exchanges
    payload = signing.parse(a.get(f"/interop/v1/certificates/{code}").json()["certificate"]).payload
    stranger = signing.generate_private_key()
    forged = signing.sign_with(stranger, signing.public_jwk(stranger.public_key())["kid"], payload, signing.CERT_TYP)

    with pytest.raises(CertificateError) as error:
        verify_certificate(forged, a.get("/interop/v1/jwks.json").json(), issuer="AAX")

    assert error.value.reason == "unknown_key"
    assert verdict_at(b, q=forged) == "unknown_key"


def test_rejection_of_an_expired_certificate(exchanges):
    """Signed with A's real key, but past its exp: refused by a reader, shown as expired by B."""
    a, b, code = exchanges
    payload = signing.parse(a.get(f"/interop/v1/certificates/{code}").json()["certificate"]).payload
    key = signing.load_private_key_pem(a.key_file.read_bytes())
    past = int(time.time()) - 10
    expired = signing.sign_with(
        key,
        signing.public_jwk(key.public_key())["kid"],
        payload | {"iat": past - 3600, "nbf": past - 3600, "exp": past},
        signing.CERT_TYP,
    )

    with pytest.raises(CertificateError) as error:
        verify_certificate(expired, a.get("/interop/v1/jwks.json").json(), issuer="AAX")

    assert error.value.reason == "expired"
    assert verdict_at(b, q=expired) == "expired"


def test_rejection_of_a_code_with_a_wrong_check_character(exchanges):
    a, b, code = exchanges
    wrong = code[:-1] + ("A" if code[-1] != "A" else "B")

    assert_problem(a.get(f"/interop/v1/certificates/{wrong}"), 400, "invalid-code")
    assert verdict_at(b, code=wrong) == "invalid"
    assert b.one("recognize", merchant="merchant", code=wrong).startswith("refused")
    assert_problem(
        a.get(f"/interop/v1/certificates/{format_code('AAX', 2026, 'J', 999999)}"), 404, "unknown-registration"
    )


def test_feed_paging_from_zero_to_the_end_and_idempotent_reapplication(exchanges):
    a, b, _code = exchanges
    jwks = a.get("/interop/v1/jwks.json").json()
    seqs, after = [], 0
    while True:
        page = a.get("/interop/v1/feed", params={"after": after, "limit": 1}).json()
        seqs += [signing.verify(token, jwks, typ=signing.EVENT_TYP)["seq"] for token in page["events"]]
        after = page["next_after"]
        if not page["has_more"]:
            break

    first = b.run(
        ("command", {"name": "follow_peers", "args": ["--once", "--peer", "AAX"]}), ("state", {"peer": "AAX"})
    )
    again = b.run(
        ("command", {"name": "follow_peers", "args": ["--once", "--peer", "AAX", "--from-start"]}),
        ("state", {"peer": "AAX"}),
    )

    assert seqs == list(range(1, len(seqs) + 1)) and seqs
    assert first[1]["peer"]["cursor"] == seqs[-1] and first[1]["peer"]["last_error"] == ""
    assert "applied 0 of" in again[0]
    assert again[1]["peer_certificates"] == first[1]["peer_certificates"] >= 1
    assert again[1]["peer"]["cursor"] == first[1]["peer"]["cursor"]


def test_recognition_with_a_valid_signed_request(exchanges):
    """B's merchant recognises A's registration; on approval B tells A, which lists B publicly."""
    a, b, code = exchanges

    recognized, approved, after = b.run(
        ("recognize", {"merchant": "merchant", "code": code}),
        ("approve", {"operator": "op", "code": code}),
        ("state", {"code": code}),
    )
    listed = a.get("/interop/v1/recognitions", params={"code": code}).json()

    assert recognized == code and approved == "listed"
    assert after["recognition"]["notified_at"] and after["product"] == "registered"
    assert [entry["exchange_code"] for entry in listed["recognized_by"]] == ["BBX"]
    assert listed["recognized_by"][0]["listing_url"] == f"{b.base_url}/p/{code}/"


def test_rejection_of_replayed_stale_unsigned_and_wrongly_addressed_requests(exchanges):
    a, b, code = exchanges
    body = {"code": code, "listing_url": f"{b.base_url}/p/{code}/"}
    once = signed_by(b, body, aud="AAX")

    accepted = post_jose(a, once)
    replayed = post_jose(a, once)
    stale = post_jose(a, signed_by(b, body, aud="AAX", iat=int(time.time()) - 301))
    unsigned = post_jose(a, json.dumps({**body, "iss": "BBX", "aud": "AAX"}), content_type="application/json")
    misaddressed = post_jose(a, signed_by(b, body, aud="CCX"))

    assert accepted.status_code == 201 and accepted.json()["recognized_by"] == "BBX"
    assert_problem(replayed, 401, "replayed-request")
    assert_problem(stale, 401, "stale-request")
    assert_problem(unsigned, 401, "unsigned-request")
    assert_problem(misaddressed, 401, "wrong-audience")


def test_revocation_at_the_issuer_suspends_the_recognised_listing(exchanges):
    """A cancels its registration; after B polls, B's listing is revoked with the reason, and 409 on recognition."""
    a, b, _code = exchanges
    code = a.one("register", uscc=HOLDER_USCC, merchant="merchant", operator="op", name="企业司法风险核验")
    before_poll = b.run(
        ("recognize", {"merchant": "merchant", "code": code}),
        ("approve", {"operator": "op", "code": code}),
        ("state", {"code": code}),
    )[2]

    a.one("decide", operator="op", code=code, action="cancel", reason="持有人申请注销")
    polled = b.run(("command", {"name": "follow_peers", "args": ["--once"]}), ("state", {"code": code}))[1]

    assert before_poll["listing"] == "listed"
    assert polled["listing"] == "revoked" and polled["product"] == "cancelled"
    assert "AAX" in polled["listing_reason"] and code in polled["listing_reason"]
    assert polled["peer_certificate"]["status"] == "revoked"
    assert a.get(f"/interop/v1/certificates/{code}").json()["status"] == "revoked"
    assert verdict_at(b, code=code) == "revoked"
    assert_problem(
        post_jose(a, signed_by(b, {"code": code, "listing_url": f"{b.base_url}/p/{code}/"}, aud="AAX")),
        409,
        "registration-revoked",
    )
