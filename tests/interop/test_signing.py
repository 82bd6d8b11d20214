"""Ed25519 keys, JWK Sets and compact JWS (interop-v1 §1, §3)."""

import json

import pytest

from catalog import signing


def _token(header: dict, payload: dict, key) -> str:
    signing_input = (
        signing.b64url_encode(json.dumps(header).encode()) + "." + signing.b64url_encode(json.dumps(payload).encode())
    )
    return signing_input + "." + signing.b64url_encode(key.sign(signing_input.encode()))


def test_sign_then_verify_returns_the_payload():
    """A token signed with a key verifies against a JWK Set holding that key."""
    key = signing.generate_private_key()
    jwk = signing.public_jwk(key.public_key())

    token = signing.sign_with(key, jwk["kid"], {"a": "数据", "n": 1}, signing.CERT_TYP)

    assert signing.verify(token, {"keys": [jwk]}, typ=signing.CERT_TYP) == {"a": "数据", "n": 1}
    assert signing.parse(token).header == {"alg": "Ed25519", "typ": "dx-cert+jws", "kid": jwk["kid"]}


def test_a_tampered_payload_does_not_verify():
    key = signing.generate_private_key()
    jwk = signing.public_jwk(key.public_key())
    header, payload, signature = signing.sign_with(key, jwk["kid"], {"ver": 1}, "x").split(".")
    forged = signing.b64url_encode(json.dumps({"ver": 2}).encode())

    with pytest.raises(signing.JWSError) as error:
        signing.verify(f"{header}.{forged}.{signature}", {"keys": [jwk]})

    assert error.value.reason == "bad_signature"


def test_a_token_signed_by_another_key_under_the_same_kid_does_not_verify():
    key, other = signing.generate_private_key(), signing.generate_private_key()
    jwk = signing.public_jwk(key.public_key())

    with pytest.raises(signing.JWSError) as error:
        signing.verify(signing.sign_with(other, jwk["kid"], {"ver": 1}, "x"), {"keys": [jwk]})

    assert error.value.reason == "bad_signature"


def test_a_token_naming_an_unpublished_kid_is_refused_as_unknown_key():
    key = signing.generate_private_key()
    jwk = signing.public_jwk(key.public_key())

    with pytest.raises(signing.JWSError) as error:
        signing.verify(signing.sign_with(key, "someone-else", {"ver": 1}, "x"), {"keys": [jwk]})

    assert error.value.reason == "unknown_key"


def test_the_older_eddsa_algorithm_name_is_accepted():
    """RFC 9864's fully-specified Ed25519 is what we write; readers also accept EdDSA with crv Ed25519."""
    key = signing.generate_private_key()
    jwk = {**signing.public_jwk(key.public_key()), "alg": "EdDSA"}

    token = _token({"alg": "EdDSA", "kid": jwk["kid"]}, {"ok": True}, key)

    assert signing.verify(token, {"keys": [jwk]}) == {"ok": True}


@pytest.mark.parametrize("alg", ["none", "HS256", "ES256", "RS256", "ed25519"])
def test_any_other_algorithm_is_refused_before_verifying(alg):
    key = signing.generate_private_key()
    jwk = signing.public_jwk(key.public_key())

    with pytest.raises(signing.JWSError) as error:
        signing.verify(_token({"alg": alg, "kid": jwk["kid"]}, {"ok": True}, key), {"keys": [jwk]})

    assert error.value.reason == "bad_alg"


@pytest.mark.parametrize(
    "change", [{"crv": "Ed448"}, {"kty": "EC"}, {"alg": "ES256"}, {"use": "enc"}, {"d": "c2VjcmV0"}]
)
def test_keys_that_are_not_ed25519_signing_keys_are_not_used(change):
    key = signing.generate_private_key()
    jwk = {**signing.public_jwk(key.public_key()), **change}

    with pytest.raises(signing.JWSError) as error:
        signing.verify(signing.sign_with(key, jwk["kid"], {"ok": True}, "x"), {"keys": [jwk]})

    assert error.value.reason == "unknown_key"


@pytest.mark.parametrize("token", ["", "abc", "a.b", "a.b.c.d", "eyJhbGciOiJFZDI1NTE5In0.!!!.sig", "x" * 70000])
def test_malformed_tokens_are_refused(token):
    with pytest.raises(signing.JWSError):
        signing.parse(token)


def test_a_key_set_publishing_a_private_key_is_refused():
    key = signing.generate_private_key()
    jwk = {**signing.public_jwk(key.public_key()), "d": "c2VjcmV0"}

    with pytest.raises(signing.JWSError):
        signing.validate_jwks({"keys": [jwk]})


def test_kid_is_the_rfc7638_thumbprint_and_fingerprint_is_grouped_hex():
    """The RFC 8037 example key has the thumbprint RFC 8037 §A.3 gives."""
    x = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"

    assert signing.thumbprint_of_x(x) == "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"
    fingerprint = signing.fingerprint({"x": x})
    assert len(fingerprint.split(" ")) == 16 and all(len(group) == 4 for group in fingerprint.split(" "))


def test_the_current_key_is_generated_once_and_then_reused(settings, tmp_path):
    settings.SIGNING_KEY = ""
    settings.SIGNING_KEY_FILE = tmp_path / "k" / "ed25519.pem"

    first = signing.current_signing_key()
    second = signing.current_signing_key()

    assert first.kid == second.kid
    assert (tmp_path / "k" / "ed25519.pem").stat().st_mode & 0o777 == 0o600


def test_a_key_in_the_environment_takes_precedence(settings, tmp_path):
    key = signing.generate_private_key()
    settings.SIGNING_KEY = signing.private_key_pem(key).decode()
    settings.SIGNING_KEY_FILE = tmp_path / "unused.pem"

    pair = signing.current_signing_key()

    assert pair.kid == signing.public_jwk(key.public_key())["kid"]
    assert not (tmp_path / "unused.pem").exists()


@pytest.mark.parametrize("typ", ["dx-cert+jws", "DX-CERT+JWS", "application/dx-cert+jws"])
def test_typ_is_compared_case_insensitively_with_or_without_the_media_type_prefix(typ):
    key = signing.generate_private_key()
    jwk = signing.public_jwk(key.public_key())

    token = _token({"alg": "Ed25519", "kid": jwk["kid"], "typ": typ}, {"ok": True}, key)

    assert signing.verify(token, {"keys": [jwk]}, typ=signing.CERT_TYP) == {"ok": True}


def test_a_token_of_another_type_is_refused():
    key = signing.generate_private_key()
    jwk = signing.public_jwk(key.public_key())

    with pytest.raises(signing.JWSError) as error:
        signing.verify(
            signing.sign_with(key, jwk["kid"], {"ok": True}, signing.EVENT_TYP), {"keys": [jwk]}, typ=signing.CERT_TYP
        )

    assert error.value.reason == "bad_typ"
