"""Sign-in protection: failed sign-ins are counted per user name and per address, and too many lock them out.

After ``SIGNIN_FAILURES_PER_ACCOUNT`` failures for one user name, or ``SIGNIN_FAILURES_PER_ADDRESS`` from one
address, within ``SIGNIN_LOCKOUT_SECONDS``, that user name (or address) is refused for ``SIGNIN_LOCKOUT_SECONDS``
without its password even being checked. The counters live in the default cache (in-process on the embedded
default, Redis in production with ``CACHE_URL``, shared by every web process). Each lockout is appended to the
audit trail as ``user.lockout``.

Every way in goes through ``django.contrib.auth.authenticate``: the sign-in page, the admin's sign-in and the
API's token endpoint. ``LockoutBackend`` (first in ``AUTHENTICATION_BACKENDS``) refuses a locked-out user name
or address there; the ``user_login_failed`` signal counts the failures.
"""

import hashlib
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import BaseBackend, ModelBackend
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import ngettext

from .audit import audit_record

ACCOUNT = "account"
ADDRESS = "address"


@dataclass(frozen=True)
class Lockout:
    """A user name or an address refused until ``until``."""

    scope: str  # ACCOUNT or ADDRESS
    until: datetime

    @property
    def seconds_left(self) -> int:
        return max(1, int((self.until - timezone.now()).total_seconds()) + 1)

    @property
    def message(self) -> str:
        """What the person is told: why, and when to try again."""
        minutes = max(1, -(-self.seconds_left // 60))
        when = timezone.localtime(self.until).strftime("%H:%M")
        if self.scope == ACCOUNT:
            text = ngettext(
                "Too many failed sign-ins for this user name. Try again after %(when)s (in %(minutes)d minute).",
                "Too many failed sign-ins for this user name. Try again after %(when)s (in %(minutes)d minutes).",
                minutes,
            )
        else:
            text = ngettext(
                "Too many failed sign-ins from your network. Try again after %(when)s (in %(minutes)d minute).",
                "Too many failed sign-ins from your network. Try again after %(when)s (in %(minutes)d minutes).",
                minutes,
            )
        return text % {"when": when, "minutes": minutes}


def client_address(request) -> str:
    """The client's IP address: REMOTE_ADDR, or the entry ``TRUSTED_PROXY_COUNT`` proxies deep in X-Forwarded-For."""
    if request is None:
        return ""
    meta = request.META
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies > 0:
        forwarded = [part.strip() for part in meta.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= proxies:
            return forwarded[-proxies][:64]
    return meta.get("REMOTE_ADDR", "")[:64]


def _normal(username: str) -> str:
    return (username or "").strip().casefold()


def _key(kind: str, scope: str, value: str) -> str:
    # Hashed: user names and addresses are attacker-chosen text, and cache keys must be short and plain.
    return f"signin:{kind}:{scope}:{hashlib.sha256(value.encode()).hexdigest()[:32]}"


def _subjects(username: str, address: str) -> list[tuple[str, str]]:
    subjects = []
    if _normal(username):
        subjects.append((ACCOUNT, _normal(username)))
    if address:
        subjects.append((ADDRESS, address))
    return subjects


def lockout_for(*, username: str, address: str) -> Lockout | None:
    """The lockout that refuses this user name or this address now, if any (the account's first)."""
    for scope, value in _subjects(username, address):
        until = cache.get(_key("lock", scope, value))
        if until is not None and until > time.time():
            return Lockout(scope=scope, until=datetime.fromtimestamp(until, tz=UTC))
    return None


def _count_failure(scope: str, value: str) -> int:
    key = _key("fail", scope, value)
    cache.add(key, 0, timeout=settings.SIGNIN_LOCKOUT_SECONDS)  # the window starts at the first failure
    try:
        return cache.incr(key)
    except ValueError:  # the window closed between add and incr
        cache.set(key, 1, timeout=settings.SIGNIN_LOCKOUT_SECONDS)
        return 1


class _Subject:
    """What the audit trail records a lockout against when there is no account: an address or an unknown name."""

    def __init__(self, label: str, value: str):
        self._meta = type("Meta", (), {"label_lower": label})
        self.pk = value[:64]

    def __str__(self):
        return self.pk


def signin_record_failure(*, username: str, address: str) -> Lockout | None:
    """Count one failed sign-in for the user name and the address; lock out whichever reached its limit.

    Returns the lockout this failure caused, if any. Each lockout is written to the audit trail once.
    """
    if lockout_for(username=username, address=address) is not None:
        return None  # refused while locked out: already counted, already recorded
    limits = {ACCOUNT: settings.SIGNIN_FAILURES_PER_ACCOUNT, ADDRESS: settings.SIGNIN_FAILURES_PER_ADDRESS}
    caused = None
    for scope, value in _subjects(username, address):
        failures = _count_failure(scope, value)
        if failures < limits[scope]:
            continue
        until = time.time() + settings.SIGNIN_LOCKOUT_SECONDS
        if not cache.add(_key("lock", scope, value), until, timeout=settings.SIGNIN_LOCKOUT_SECONDS):
            continue  # another process locked it a moment ago and recorded it
        cache.delete(_key("fail", scope, value))  # after the lockout, a fresh count
        lockout = Lockout(scope=scope, until=datetime.fromtimestamp(until, tz=UTC))
        caused = caused or lockout
        _audit_lockout(scope=scope, value=value, username=username, address=address, failures=failures, lockout=lockout)
    return caused


def _audit_lockout(*, scope, value, username, address, failures, lockout) -> None:
    user = None
    if scope == ACCOUNT:
        user = get_user_model()._default_manager.filter(**{"username__iexact": value}).first()
    obj = user or _Subject("accounts.signin_address" if scope == ADDRESS else "accounts.signin_username", value)
    audit_record(
        action="user.lockout",
        obj=obj,
        changes={
            "scope": scope,
            "failures": failures,
            "address": address,
            "username": (username or "")[:150],
            "locked_until": lockout.until,
        },
        reason=f"{failures} failed sign-ins within {settings.SIGNIN_LOCKOUT_SECONDS} s",
    )


def signin_clear_failures(*, username: str) -> None:
    """A successful sign-in forgets the user name's earlier failures (not the address's)."""
    if _normal(username):
        cache.delete(_key("fail", ACCOUNT, _normal(username)))


@receiver(user_login_failed, dispatch_uid="accounts.signin.failed")
def _on_login_failed(sender, credentials, request=None, **kwargs):
    username = credentials.get(get_user_model().USERNAME_FIELD) or credentials.get("username") or ""
    signin_record_failure(username=username, address=client_address(request))


@receiver(user_logged_in, dispatch_uid="accounts.signin.succeeded")
def _on_logged_in(sender, request, user, **kwargs):
    signin_clear_failures(username=user.get_username())


class LockoutBackend(BaseBackend):
    """Refuses a locked-out user name or address before any password is checked.

    It authenticates nobody itself (``ModelBackend``, listed after it, does); raising ``PermissionDenied`` stops
    ``authenticate`` from trying the next backend. It loads users like ``ModelBackend`` so sessions that name it
    (``Client.force_login`` uses the first backend) keep working.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        username = username if username is not None else kwargs.get(get_user_model().USERNAME_FIELD, "")
        if lockout_for(username=username or "", address=client_address(request)) is not None:
            raise PermissionDenied
        return None

    def get_user(self, user_id):
        return ModelBackend().get_user(user_id)


class SigninForm(AuthenticationForm):
    """The sign-in form: a locked-out user name or address is told when to try again."""

    error_messages = AuthenticationForm.error_messages | {"locked_out": "%(message)s"}

    def clean(self):
        username = self.cleaned_data.get("username") or ""
        address = client_address(self.request)
        lockout = lockout_for(username=username, address=address)
        if lockout is None:
            try:
                return super().clean()
            except forms.ValidationError:
                lockout = lockout_for(username=username, address=address)  # did this failure lock it?
                if lockout is None:
                    raise
        raise forms.ValidationError(
            self.error_messages["locked_out"], code="locked_out", params={"message": lockout.message}
        )
