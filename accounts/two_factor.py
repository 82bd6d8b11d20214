"""Two-factor sign-in: a time-based one-time code (TOTP, RFC 6238) after the password.

Operators and the price authority must use it (``STAFF_TWO_FACTOR_REQUIRED``); anyone who enrolled is asked
for it too. The devices are django-otp's: a ``TOTPDevice`` holds the shared secret (an authenticator app reads
it from a QR code at enrolment) and a ``StaticDevice`` named "recovery" holds single-use recovery codes.
django-otp's ``OTPMiddleware`` marks the session verified once a code was accepted (``request.user.is_verified()``);
``TwoFactorMiddleware`` sends whoever still needs a code to the verification page, or to enrolment first.
"""

import re
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from .audit import audit_record
from .exceptions import DomainError

TOTP_DEVICE_NAME = "authenticator"
RECOVERY_DEVICE_NAME = "recovery"
RECOVERY_CODE_COUNT = 10
STAFF_PERMISSIONS = ("accounts.operate_exchange", "accounts.set_guided_prices")

# Pages a person who still owes a code may see: the two-factor pages themselves, signing out, the language.
EXEMPT_URL_NAMES = {
    "accounts:two_factor_verify",
    "accounts:two_factor_enrol",
    "accounts:two_factor_qr",
    "accounts:logout",
    "set_language",
}


# ── Selectors ────────────────────────────────────────────────────────────────
def totp_device(user, *, confirmed: bool = True) -> TOTPDevice | None:
    """The person's authenticator (confirmed), or the one awaiting its first code (``confirmed=False``)."""
    return TOTPDevice.objects.filter(user=user, confirmed=confirmed).order_by("-pk").first()


def recovery_device(user) -> StaticDevice | None:
    return StaticDevice.objects.filter(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True).first()


def is_enrolled(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def is_staff_role(user) -> bool:
    """Operators, the price authority, and the site's administrators."""
    return user.is_staff or user.is_superuser or any(user.has_perm(perm) for perm in STAFF_PERMISSIONS)


def two_factor_required(user) -> bool:
    """Must this signed-in person give a one-time code before using the site?"""
    if not user.is_authenticated:
        return False
    if settings.STAFF_TWO_FACTOR_REQUIRED and is_staff_role(user):
        return True
    return is_enrolled(user)


def is_verified(user) -> bool:
    """Did this session's person give a code since signing in (set by django-otp's middleware)?"""
    check = getattr(user, "is_verified", None)
    return bool(check and check())


# ── Services ─────────────────────────────────────────────────────────────────
@transaction.atomic
def totp_enrolment_start(*, user) -> TOTPDevice:
    """The authenticator awaiting its first code: the same secret on every visit until it is confirmed."""
    device = totp_device(user, confirmed=False)
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
    return device


def totp_enrolment_confirm(*, user, token: str) -> tuple[TOTPDevice, list[str]]:
    """Confirm the pending authenticator with a code from it; replace any earlier one; issue recovery codes.

    Not one transaction around the refusal: a wrong code must stay counted (django-otp's throttling).
    """
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).order_by("-pk").first()
        throttled = _throttle_message(device) if device is not None else ""
        accepted = device is not None and not throttled and device.verify_token(_digits(token))
        if accepted:
            TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            codes = _issue_recovery_codes(user)
            audit_record(
                action="user.two_factor_enrol",
                obj=user,
                actor=user,
                changes={"device": device.persistent_id, "recovery_codes": len(codes)},
            )
            return device, codes
    if device is None:
        raise DomainError(_("Start the enrolment again: no authenticator is waiting for a code."), field="token")
    raise DomainError(throttled or _("That code is not right. Enter the current code."), field="token")


@transaction.atomic
def recovery_codes_renew(*, user) -> list[str]:
    """New recovery codes for an enrolled person; the earlier ones stop working."""
    if not is_enrolled(user):
        raise DomainError(_("Set up an authenticator first."))
    codes = _issue_recovery_codes(user)
    audit_record(action="user.recovery_codes_renew", obj=user, actor=user, changes={"recovery_codes": len(codes)})
    return codes


@transaction.atomic
def two_factor_reset(*, user, reason: str) -> None:
    """Remove a person's authenticator and recovery codes (a lost phone); staff enrol again at next sign-in."""
    removed = TOTPDevice.objects.filter(user=user).delete()[0] + StaticDevice.objects.filter(user=user).delete()[0]
    audit_record(action="user.two_factor_reset", obj=user, changes={"devices_removed": removed}, reason=reason)


def _issue_recovery_codes(user) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


@dataclass(frozen=True)
class Verification:
    device: TOTPDevice | StaticDevice
    recovery_codes_left: int | None = None  # set when a recovery code was used


def two_factor_verify(*, user, token: str) -> Verification:
    """Check a code from the person's authenticator, or one of their recovery codes (used up by this).

    Not one transaction around the refusal: a wrong code must stay counted (django-otp's throttling).
    """
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True).order_by("-pk").first()
        if device is None:
            raise DomainError(_("Set up an authenticator first."), field="token")
        if throttled := _throttle_message(device):
            raise DomainError(throttled, field="token")
        if _digits(token) and device.verify_token(_digits(token)):
            return Verification(device=device)
        code = re.sub(r"[\s-]", "", token or "").lower()
        recovery = StaticDevice.objects.select_for_update().filter(user=user, name=RECOVERY_DEVICE_NAME).first()
        if recovery is not None and code and not code.isdigit() and recovery.verify_token(code):
            left = recovery.token_set.count()
            audit_record(action="user.recovery_code_use", obj=user, actor=user, changes={"recovery_codes_left": left})
            return Verification(device=recovery, recovery_codes_left=left)
    raise DomainError(_("That code is not right. Enter the current code from your authenticator."), field="token")


def _digits(token: str) -> str:
    token = re.sub(r"\s", "", token or "")
    return token if token.isdigit() and len(token) in (6, 8) else ""


def _throttle_message(device) -> str:
    allowed, data = device.verify_is_allowed()
    if allowed or not data or "locked_until" not in data:
        return ""
    seconds = max(1, int((data["locked_until"] - timezone.now()).total_seconds()) + 1)
    return ngettext(
        "Too many wrong codes. Wait %(seconds)d second and try again.",
        "Too many wrong codes. Wait %(seconds)d seconds and try again.",
        seconds,
    ) % {"seconds": seconds}


# ── Enforcement ──────────────────────────────────────────────────────────────
class TwoFactorMiddleware:
    """Sends a signed-in person who owes a one-time code to the verification page (or to enrolment first).

    Pages get a redirect that comes back with ``?next=``; API calls made with the session get 403. Calls made
    with an API token are not affected here: the token endpoint asks staff for the code instead.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or is_verified(user):
            return None
        match = request.resolver_match
        if match is not None and match.view_name in EXEMPT_URL_NAMES:
            return None
        if not two_factor_required(user):
            return None
        enrolled = is_enrolled(user)
        if request.path.startswith("/api/"):
            message = (
                _("Enter your one-time code on the site first (two-factor sign-in).")
                if enrolled
                else _("Set up two-factor sign-in on the site first.")
            )
            return JsonResponse({"detail": message}, status=403)
        target = reverse("accounts:two_factor_verify" if enrolled else "accounts:two_factor_enrol")
        return redirect(f"{target}?{urlencode({'next': request.get_full_path()})}")
