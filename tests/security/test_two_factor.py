"""Two-factor sign-in (TOTP): staff enrol an authenticator, then give a code after their password."""

import re
import time
from base64 import b32encode

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from accounts import two_factor
from accounts.models import AuditEntry
from tests.factories import OrganizationFactory, UserFactory, member, operator
from tests.security.totp import totp

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
VERIFY = "/accounts/two-factor/"
ENROL = "/accounts/two-factor/enrol/"
PASSWORD = "pass-1234-word"


@pytest.fixture(autouse=True)
def _two_factor_on(settings):
    settings.STAFF_TWO_FACTOR_REQUIRED = True


def password_sign_in(client, user):
    response = client.post(LOGIN, {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, "the password step failed"


def enrolled(user) -> str:
    """Enrol ``user`` through the services with the current code; return the secret (base32)."""
    device = two_factor.totp_enrolment_start(user=user)
    secret = b32encode(device.bin_key).decode()
    two_factor.totp_enrolment_confirm(user=user, token=totp(secret))
    return secret


def next_code(secret: str) -> str:
    """A code not used yet: the next time step's (accepted: the tolerance is one step either way)."""
    return totp(secret, time.time() + 30)


def test_totp_helper_matches_the_rfc_6238_test_vector():
    """The test's own TOTP gives RFC 6238's published value (SHA-1, T=59 s, 8 digits)."""
    assert totp(b"12345678901234567890", 59, digits=8) == "94287082"


def test_operator_is_sent_to_enrol_before_reaching_the_console(client):
    """An operator signed in with a password only is redirected from the console to the enrolment page."""
    password_sign_in(client, operator())

    response = client.get("/console/")

    assert response.status_code == 302
    assert response["Location"] == f"{ENROL}?next=%2Fconsole%2F"


def test_enrolment_with_a_code_from_the_shown_secret_turns_two_factor_on(client):
    """The page shows a QR code and the key; a code computed from the key confirms it and gives recovery codes."""
    user = operator()
    password_sign_in(client, user)

    page = client.get(ENROL + "?next=/console/")
    qr = client.get("/accounts/two-factor/enrol/qr.svg")
    secret = page.context["secret"].replace(" ", "")
    confirmed = client.post(ENROL, {"token": totp(secret), "next": "/console/"})

    assert page.status_code == 200 and b"qr.svg" in page.content
    assert qr.status_code == 200 and qr["Content-Type"] == "image/svg+xml" and b"<svg" in qr.content
    assert confirmed.status_code == 200
    codes = confirmed.context["codes"]
    assert len(codes) == 10 and len(set(codes)) == 10
    assert all(code in confirmed.content.decode() for code in codes)
    assert TOTPDevice.objects.get(user=user).confirmed
    assert client.get("/console/").status_code == 200  # this session is verified by the code just given
    entry = AuditEntry.objects.get(action="user.two_factor_enrol")
    assert entry.object_id == str(user.pk) and entry.changes["recovery_codes"] == 10


def test_enrolment_refuses_a_wrong_code_next_to_the_field(client):
    """A wrong code leaves two-factor off and says so next to the code field."""
    user = operator()
    password_sign_in(client, user)
    client.get(ENROL)

    response = client.post(ENROL, {"token": "000000"})

    assert response.status_code == 400
    assert response.context["form"].errors["token"]
    assert not two_factor.is_enrolled(user)
    assert client.get("/console/").status_code == 302


def test_enrolment_keeps_the_same_secret_until_confirmed(client):
    """Reloading the enrolment page shows the same key, so a scanned code stays valid."""
    password_sign_in(client, operator())

    first = client.get(ENROL).context["secret"]
    second = client.get(ENROL).context["secret"]

    assert first == second


def test_next_sign_in_asks_for_the_code_and_then_continues(client):
    """An enrolled operator gives the password, is asked for the code, and then reaches the page asked for."""
    user = operator()
    secret = enrolled(user)
    password_sign_in(client, user)

    asked = client.get("/console/")
    response = client.post(VERIFY, {"token": next_code(secret), "next": "/console/"})

    assert asked.status_code == 302 and asked["Location"] == f"{VERIFY}?next=%2Fconsole%2F"
    assert response.status_code == 302 and response["Location"] == "/console/"
    assert client.get("/console/").status_code == 200


def test_a_wrong_code_is_refused_and_the_next_try_must_wait(client):
    """A wrong code is refused next to the field; the right one straight after is refused too (throttled)."""
    user = operator()
    secret = enrolled(user)
    password_sign_in(client, user)

    wrong = client.post(VERIFY, {"token": "123456"})
    hurried = client.post(VERIFY, {"token": next_code(secret)})

    assert wrong.status_code == 400 and wrong.context["form"].errors["token"]
    assert hurried.status_code == 400
    assert list(hurried.context["form"].errors["token"]) != list(wrong.context["form"].errors["token"])  # wait
    assert TOTPDevice.objects.get(user=user).throttling_failure_count >= 1
    assert client.get("/console/").status_code == 302


def test_a_code_cannot_be_used_twice(client):
    """A code accepted once is refused in another session (no replay within its 30 seconds)."""
    user = operator()
    secret = enrolled(user)
    code = next_code(secret)
    password_sign_in(client, user)
    assert client.post(VERIFY, {"token": code}).status_code == 302
    other = client.__class__()
    password_sign_in(other, user)

    response = other.post(VERIFY, {"token": code})

    assert response.status_code == 400


def test_a_recovery_code_signs_in_once(client):
    """A recovery code stands in for the authenticator one time; the same code is then refused."""
    user = operator()
    enrolled(user)
    device = two_factor.recovery_device(user)
    code = device.token_set.first().token
    password_sign_in(client, user)

    first = client.post(VERIFY, {"token": code.upper()})
    other = client.__class__()
    password_sign_in(other, user)
    again = other.post(VERIFY, {"token": code})

    assert first.status_code == 302
    assert again.status_code == 400
    assert device.token_set.count() == 9
    assert AuditEntry.objects.filter(action="user.recovery_code_use", object_id=str(user.pk)).count() == 1


def test_price_authority_must_use_two_factor_too(client):
    """The price authority is sent to enrol before the price-authority pages."""
    password_sign_in(client, UserFactory(roles=["price_authority"]))

    response = client.get("/pricing/authority/")

    assert response.status_code == 302 and response["Location"].startswith(ENROL)


def test_merchants_are_not_asked_for_a_code(client):
    """A merchant who never enrolled signs in with the password alone."""
    password_sign_in(client, member(OrganizationFactory()))

    assert client.get("/accounts/").status_code == 200


def test_whoever_enrolled_is_asked_even_without_a_staff_role(client):
    """A merchant who chose to enrol is asked for the code like staff."""
    user = member(OrganizationFactory())
    enrolled(user)
    password_sign_in(client, user)

    response = client.get("/accounts/")

    assert response.status_code == 302 and response["Location"].startswith(VERIFY)


def test_staff_pass_without_a_code_when_the_requirement_is_off(client, settings):
    """STAFF_TWO_FACTOR_REQUIRED=false (the general test suite, local demos) lets staff in with the password."""
    settings.STAFF_TWO_FACTOR_REQUIRED = False
    password_sign_in(client, operator())

    assert client.get("/console/").status_code == 200


def test_signing_out_works_before_giving_the_code(client):
    """Signing out is not blocked by the missing code."""
    password_sign_in(client, operator())

    response = client.post("/accounts/logout/")

    assert response.status_code == 302 and ENROL not in response["Location"]
    assert "_auth_user_id" not in client.session


def test_enrolled_person_must_give_a_code_before_replacing_the_authenticator(client):
    """Someone holding only the password cannot swap in their own authenticator."""
    user = operator()
    enrolled(user)
    password_sign_in(client, user)

    response = client.get(ENROL)

    assert response.status_code == 302 and response["Location"].startswith(VERIFY)
    assert TOTPDevice.objects.filter(user=user).count() == 1


def test_verification_does_not_redirect_off_site(client):
    """A ``next`` pointing to another site is replaced by the dashboard."""
    user = operator()
    secret = enrolled(user)
    password_sign_in(client, user)

    response = client.post(VERIFY, {"token": next_code(secret), "next": "https://evil.example/"})

    assert response["Location"] == "/accounts/"


def test_recovery_codes_can_be_renewed_in_a_verified_session(client):
    """New recovery codes replace the old ones, shown once."""
    user = operator()
    secret = enrolled(user)
    old = set(two_factor.recovery_device(user).token_set.values_list("token", flat=True))
    password_sign_in(client, user)
    client.post(VERIFY, {"token": next_code(secret)})

    response = client.post("/accounts/two-factor/recovery-codes/")

    new = set(response.context["codes"])
    assert len(new) == 10 and not (new & old)
    assert set(two_factor.recovery_device(user).token_set.values_list("token", flat=True)) == new


def test_api_with_the_session_is_refused_until_the_code_is_given(client):
    """A session that owes a code gets 403 from the API, with what to do."""
    password_sign_in(client, operator())

    response = client.get("/api/v1/me/")

    assert response.status_code == 403
    assert response.json()["detail"]


def test_token_endpoint_asks_staff_for_a_code():
    """Staff obtain an API token only with a current one-time code; without it, 403 naming the ``otp`` field."""
    user = operator()
    secret = enrolled(user)
    api = APIClient()

    without = api.post("/api/v1/auth/token/", {"username": user.username, "password": PASSWORD}, format="json")
    wrong = api.post(
        "/api/v1/auth/token/", {"username": user.username, "password": PASSWORD, "otp": "000000"}, format="json"
    )
    time.sleep(1.1)  # django-otp makes the next try wait after a wrong code
    right = api.post(
        "/api/v1/auth/token/",
        {"username": user.username, "password": PASSWORD, "otp": next_code(secret)},
        format="json",
    )

    assert without.status_code == 403 and without.json()["field"] == "otp"
    assert wrong.status_code == 403
    assert right.status_code == 200 and re.fullmatch(r"[0-9a-f]{40}", right.json()["token"])


def test_token_endpoint_does_not_ask_merchants_for_a_code():
    """Merchants who never enrolled keep obtaining tokens with the password alone."""
    user = member(OrganizationFactory())

    response = APIClient().post("/api/v1/auth/token/", {"username": user.username, "password": PASSWORD}, format="json")

    assert response.status_code == 200


def test_two_factor_reset_command_removes_the_authenticator_and_is_audited(client):
    """After `two_factor_reset`, the operator is sent to enrol a new authenticator; the reset names its reason."""
    from django.core.management import call_command

    user = operator()
    enrolled(user)

    call_command("two_factor_reset", user.username, reason="工单 42：身份已核实")
    password_sign_in(client, user)

    assert not two_factor.is_enrolled(user) and two_factor.recovery_device(user) is None
    assert client.get("/console/")["Location"].startswith(ENROL)
    assert AuditEntry.objects.get(action="user.two_factor_reset").reason == "工单 42：身份已核实"
