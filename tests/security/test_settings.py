"""Production settings: `check --deploy` is clean, cookies and transport are locked down, the policy is sent."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DJANGO_DEBUG": "false",
    "DJANGO_ALLOWED_HOSTS": "exchange.example.cn",
    "EMAIL_HOST": "smtp.example.cn",
    "LOG_LEVEL": "WARNING",
}
SETTINGS_AS_JSON = """
import json
from django.conf import settings
names = [
    "DEBUG", "SESSION_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY", "SESSION_COOKIE_SAMESITE", "CSRF_COOKIE_SECURE",
    "CSRF_COOKIE_HTTPONLY", "CSRF_COOKIE_SAMESITE", "LANGUAGE_COOKIE_SECURE", "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD", "X_FRAME_OPTIONS",
]
print(json.dumps({name: getattr(settings, name) for name in names}))
"""


def run(args: list[str], **env) -> subprocess.CompletedProcess:
    environment = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "PYTEST"))}
    environment.update(PRODUCTION, DJANGO_SETTINGS_MODULE="marketplace.settings", **env)
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120, check=False
    )


def strong_key() -> str:
    return secrets.token_urlsafe(50)


def test_check_deploy_reports_no_issue_in_production():
    """With DJANGO_DEBUG=false, a real secret key, the host and a mail server, `check --deploy` finds nothing."""
    done = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], DJANGO_SECRET_KEY=strong_key())

    assert done.returncode == 0, done.stdout + done.stderr
    assert "System check identified no issues (0 silenced)." in done.stdout


def test_production_refuses_to_start_with_the_development_secret_key():
    """Without DJANGO_SECRET_KEY, production settings stop with ImproperlyConfigured instead of starting."""
    done = run(["manage.py", "check"])

    assert done.returncode != 0
    assert "ImproperlyConfigured" in done.stderr
    assert "DJANGO_SECRET_KEY must be set" in done.stderr


@pytest.mark.parametrize("key", ["django-insecure-development-only-key-never-use-in-production", ""])
def test_production_refuses_an_insecure_or_empty_secret_key(key):
    """The development key given explicitly, or an empty one, is refused just the same."""
    done = run(["manage.py", "check"], DJANGO_SECRET_KEY=key)

    assert done.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in done.stderr


def test_production_cookies_are_secure_and_transport_is_https_only():
    """Session, CSRF and language cookies are Secure, HttpOnly and SameSite=Lax; HTTPS is forced with HSTS."""
    done = run(["manage.py", "shell", "-c", SETTINGS_AS_JSON], DJANGO_SECRET_KEY=strong_key())

    assert done.returncode == 0, done.stderr
    values = json.loads(done.stdout.strip().splitlines()[-1])
    assert values == {
        "DEBUG": False,
        "SESSION_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "CSRF_COOKIE_SECURE": True,
        "CSRF_COOKIE_HTTPONLY": True,
        "CSRF_COOKIE_SAMESITE": "Lax",
        "LANGUAGE_COOKIE_SECURE": True,
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_HSTS_PRELOAD": True,
        "X_FRAME_OPTIONS": "DENY",
    }
