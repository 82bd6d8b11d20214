"""Every page carries the Content Security Policy and the other protective headers."""

import pytest
from django.test import override_settings

pytestmark = pytest.mark.django_db


def directives(header: str) -> dict[str, list[str]]:
    parsed = {}
    for part in header.split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed


def test_pages_send_the_content_security_policy(client):
    """Scripts and styles from this site only, no inline script, no framing, forms posting here only."""
    response = client.get("/")

    policy = directives(response.headers["Content-Security-Policy"])
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["img-src"] == ["'self'", "data:"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]


def test_pages_send_the_protective_headers(client):
    """No framing, no content sniffing, the referrer kept on this site, a separate browsing context group."""
    response = client.get("/accounts/login/")

    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"


def test_session_and_csrf_cookies_are_httponly_and_samesite(client, django_user_model):
    """The cookies a sign-in sets are out of scripts' reach and not sent on cross-site sub-requests."""
    django_user_model.objects.create_user(username="cookie", password="pass-1234-word")
    client.get("/accounts/login/")

    response = client.post("/accounts/login/", {"username": "cookie", "password": "pass-1234-word"})

    session = response.cookies["sessionid"]
    assert session["httponly"] and session["samesite"] == "Lax"
    csrf = client.cookies["csrftoken"]
    assert csrf["httponly"] and csrf["samesite"] == "Lax"


@override_settings(SECURE_SSL_REDIRECT=True, SECURE_HSTS_SECONDS=31536000, SECURE_HSTS_INCLUDE_SUBDOMAINS=True)
def test_https_is_enforced_when_configured(client):
    """Plain HTTP is redirected to HTTPS; HTTPS answers carry Strict-Transport-Security."""
    plain = client.get("/")
    secure = client.get("/", secure=True)

    assert plain.status_code == 301 and plain["Location"].startswith("https://")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=31536000; includeSubDomains")


def test_the_stripe_payment_policy_allows_stripe_only_where_applied(settings):
    """SECURE_CSP_STRIPE widens script-src and frame-src to Stripe and keeps everything else of the site's policy."""
    stripe = settings.SECURE_CSP_STRIPE

    assert "https://js.stripe.com" in stripe["script-src"]
    assert "https://js.stripe.com" in stripe["frame-src"]
    assert "'unsafe-inline'" not in stripe["script-src"]
    assert "https://js.stripe.com" not in settings.SECURE_CSP["script-src"]
    assert stripe["frame-ancestors"] == settings.SECURE_CSP["frame-ancestors"] == ["'none'"]


@pytest.mark.django_db
def test_pages_other_than_stripe_payment_do_not_allow_stripe_js(client):
    """Only the Payment Element page (tests/orders/test_stripe_localstripe.py) may load js.stripe.com."""

    home = client.get("/")

    assert "js.stripe.com" not in home.headers["Content-Security-Policy"]
