"""Sign-in protection: five failures lock a user name, twenty lock an address, each lockout is audited."""

import time

import pytest
from django.contrib.auth import authenticate
from django.core.exceptions import NON_FIELD_ERRORS
from django.test import RequestFactory
from django.utils import timezone
from rest_framework.test import APIClient

from accounts import signin
from accounts.models import AuditEntry
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
TOKEN = "/api/v1/auth/token/"
PASSWORD = "pass-1234-word"


def sign_in(client, username, password, address="203.0.113.7"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def fail(client, username, times, address="203.0.113.7"):
    for _ in range(times):
        response = sign_in(client, username, "wrong-password", address)
        assert response.status_code == 200  # the form again, with an error


def test_signin_five_failures_lock_the_account_with_a_time_to_retry(client):
    """After five wrong passwords even the right one is refused, with when to try again; one audit entry."""
    user = UserFactory()
    fail(client, user.username, 5)

    response = sign_in(client, user.username, PASSWORD)

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    form = response.context["form"]
    assert form.has_error(NON_FIELD_ERRORS, code="locked_out")
    lockout = signin.lockout_for(username=user.username, address="")
    assert lockout.scope == "account" and 0 < lockout.seconds_left <= 15 * 60 + 1
    assert form.non_field_errors() == [lockout.message]  # the message names the time to retry
    assert timezone.localtime(lockout.until).strftime("%H:%M") in lockout.message
    lockouts = AuditEntry.objects.filter(action="user.lockout")
    assert lockouts.count() == 1
    entry = lockouts.get()
    assert (entry.object_type, entry.object_id) == ("accounts.user", str(user.pk))
    assert entry.changes["scope"] == "account" and entry.changes["failures"] == 5
    assert entry.changes["address"] == "203.0.113.7"


def test_signin_four_failures_leave_the_account_open(client):
    """Four wrong passwords do not lock: the right one still signs in."""
    user = UserFactory()
    fail(client, user.username, 4)

    response = sign_in(client, user.username, PASSWORD)

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)
    assert not AuditEntry.objects.filter(action="user.lockout").exists()


def test_signin_success_forgets_earlier_failures(client):
    """Four failures, a success, four more failures: never five in a row, so no lockout."""
    user = UserFactory()
    fail(client, user.username, 4)
    assert sign_in(client, user.username, PASSWORD).status_code == 302
    client.logout()

    fail(client, user.username, 4)

    assert sign_in(client, user.username, PASSWORD).status_code == 302


def test_signin_lockout_ends_after_the_lockout_period(client, monkeypatch, settings):
    """Once SIGNIN_LOCKOUT_SECONDS have passed, the right password signs in again."""
    user = UserFactory()
    fail(client, user.username, 5)
    assert sign_in(client, user.username, PASSWORD).status_code == 200
    later = time.time() + settings.SIGNIN_LOCKOUT_SECONDS + 1

    monkeypatch.setattr(time, "time", lambda: later)  # the cache's expiry and the lock's end both read time.time
    response = sign_in(client, user.username, PASSWORD)

    assert response.status_code == 302


def test_signin_lockout_is_per_user_name_not_per_person_elsewhere(client):
    """Another user name from the same address still signs in after one account is locked."""
    victim, other = UserFactory(), UserFactory()
    fail(client, victim.username, 5)

    response = sign_in(client, other.username, PASSWORD)

    assert response.status_code == 302


def test_signin_twenty_failures_from_one_address_lock_the_address(client):
    """Twenty failures across user names from one address refuse every sign-in from it, not from others."""
    user = UserFactory()
    for n in range(20):
        sign_in(client, f"guess{n}", "wrong-password", address="198.51.100.9")

    refused = sign_in(client, user.username, PASSWORD, address="198.51.100.9")
    allowed = sign_in(client, user.username, PASSWORD, address="198.51.100.10")

    assert refused.status_code == 200
    assert refused.context["form"].has_error(NON_FIELD_ERRORS, code="locked_out")
    assert signin.lockout_for(username="", address="198.51.100.9").scope == "address"
    assert allowed.status_code == 302
    entry = AuditEntry.objects.get(action="user.lockout", changes__scope="address")
    assert (entry.object_type, entry.object_id) == ("accounts.signin_address", "198.51.100.9")
    assert entry.changes["failures"] == 20


def test_signin_lockout_of_an_unknown_user_name_is_audited_under_that_name(client):
    """Guessing at a user name that does not exist locks it too, recorded against the name."""
    fail(client, "nobody-here", 5)

    entry = AuditEntry.objects.get(action="user.lockout")

    assert (entry.object_type, entry.object_id) == ("accounts.signin_username", "nobody-here")


def test_signin_lockout_applies_to_every_authenticate_call():
    """The backend refuses a locked-out user name wherever authenticate() is used (e.g. the admin's sign-in)."""
    user = UserFactory()
    request = RequestFactory().post("/admin/login/", REMOTE_ADDR="203.0.113.7")
    for _ in range(5):
        assert authenticate(request, username=user.username, password="wrong-password") is None

    assert authenticate(request, username=user.username, password=PASSWORD) is None


def test_signin_user_name_is_matched_without_case(client):
    """USER, user and User count as one user name."""
    user = UserFactory(username="casetest")
    for name in ["CASETEST", "casetest", "CaseTest", "caseTEST", "casetest"]:
        sign_in(client, name, "wrong-password")

    assert sign_in(client, "casetest", PASSWORD).status_code == 200
    assert AuditEntry.objects.get(action="user.lockout").object_id == str(user.pk)


def test_signin_address_behind_a_trusted_proxy_is_the_forwarded_one(settings):
    """With one trusted proxy, the client is the last X-Forwarded-For entry (the one the proxy appended)."""
    settings.TRUSTED_PROXY_COUNT = 1
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.50")

    assert signin.client_address(request) == "203.0.113.50"
    settings.TRUSTED_PROXY_COUNT = 0
    assert signin.client_address(request) == "10.0.0.2"


def test_token_endpoint_locks_out_with_429_and_retry_after():
    """The API token endpoint counts failures too; once locked it answers 429 with Retry-After and why."""
    user = UserFactory()
    api = APIClient(REMOTE_ADDR="203.0.113.8")
    statuses = [
        api.post(TOKEN, {"username": user.username, "password": "wrong"}, format="json").status_code for _ in range(5)
    ]

    response = api.post(TOKEN, {"username": user.username, "password": PASSWORD}, format="json")

    assert statuses == [400, 400, 400, 400, 429]
    assert response.status_code == 429
    assert 0 < int(response.headers["Retry-After"]) <= 15 * 60 + 1
    assert response.json()["detail"]
    assert AuditEntry.objects.filter(action="user.lockout").count() == 1


def test_token_endpoint_refuses_a_body_that_is_not_an_object():
    """A JSON list instead of an object is a 400, not a crash."""
    response = APIClient().post(TOKEN, [1, 2], format="json")

    assert response.status_code == 400
