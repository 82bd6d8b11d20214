"""The data API's pipeline, one call at a time.

key → per-key rate limit → entitlement (authorisation) → input checked → the work and
the count. Two orders for the last step:

* a read on our side (dataset rows, verification): the answer is computed first, then
  counted and logged in one atomic step (``services.quota_charge_and_log``); a call
  that does not fit the quota gets 429 and the computed answer is dropped;
* the upstream proxy: the unit is counted first (the merchant's endpoint is never
  called for a buyer without quota) and given back if the upstream fails.

A refusal at any step costs nothing and is logged; only a served call is counted.
"""

import hashlib
import hmac
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.exceptions import DomainError

from . import cached, keys, ratelimit, services
from .cached import EntitlementRef, KeyRef, TableRef
from .models import Entitlement, QuotaUnit

# The delivery mode an endpoint of the data API serves.
ENDPOINT_MODE = {"dataset": "dataset", "verification": "verification", "upstream": "api"}


class CallRefused(Exception):
    """A call answered with an error body: HTTP status, a stable ``code`` and a clear ``detail``."""

    def __init__(self, status: int, code: str, detail: str, *, headers: dict | None = None, **extra):
        super().__init__(detail)
        self.status = status
        self.body = {"detail": str(detail), "code": code, **extra}
        self.headers = headers or {}


def authenticate(authorization: str) -> KeyRef:
    """The key named by ``Authorization: Bearer <key>``, if it exists, matches, and may be used."""
    scheme, _sep, token = (authorization or "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise CallRefused(401, "not_authenticated", _("Send your API key as “Authorization: Bearer <key>”."))
    prefix = keys.key_parse(token)
    key = cached.key_ref(prefix) if prefix else None
    if key is None or not keys.key_matches(token, key.key_hash):
        raise CallRefused(401, "invalid_key", _("This API key is not valid."))
    if key.revoked:
        raise CallRefused(401, "key_revoked", _("This API key was revoked."))
    if not key.is_usable():
        raise CallRefused(401, "key_expired", _("This API key has expired."))
    if not key.organization_verified:
        raise CallRefused(403, "organization_not_verified", _("Your organisation may not trade at present."))
    return key


def params_digest(params: dict) -> str:
    """A keyed digest of what was asked (traceable: equal questions have equal digests; not reversible)."""
    canonical = json.dumps(params, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hmac.new(keys.key_hash("params").encode(), canonical.encode(), hashlib.sha256).hexdigest()


@dataclass
class Outcome:
    """What a served call returns to the view."""

    payload: object
    entitlement: EntitlementRef
    rows: int = 0
    units: int = 1
    extra: dict = field(default_factory=dict)


def _quota_exhausted(entitlement_id: int) -> CallRefused:
    current = Entitlement.objects.get(pk=entitlement_id)
    return CallRefused(
        429,
        "quota_exhausted",
        _("The quota of your entitlement is used up (%(used)s of %(quota)s %(unit)s); renew or buy more.")
        % {"used": current.used, "quota": current.quota, "unit": current.get_unit_display()},
        quota=current.quota,
        used=current.used,
        unit=current.unit,
        expires_at=current.expires_at.isoformat(),
    )


class Call:
    """One call in progress: who, what, since when; logs its refusals."""

    def __init__(self, *, key: KeyRef, endpoint: str, code: str, params: dict):
        self.key, self.endpoint, self.code = key, endpoint, code
        self.digest = params_digest({"endpoint": endpoint, "product": code, **params})
        self.started = time.monotonic()
        self.entitlement: EntitlementRef | None = None
        self.table: TableRef | None = None

    @property
    def duration_ms(self) -> int:
        return int((time.monotonic() - self.started) * 1000)

    def log(self, status: int, *, served: bool = False, rows: int = 0, units: int = 0) -> None:
        services.usage_log_write(
            organization_id=self.key.organization_id,
            api_key_id=self.key.id,
            key_prefix=self.key.prefix,
            endpoint=self.endpoint,
            params_digest=self.digest,
            status=status,
            product_id=self.entitlement.product_id if self.entitlement else None,
            entitlement_id=self.entitlement.id if self.entitlement else None,
            rows=rows,
            units=units,
            served=served,
            duration_ms=self.duration_ms,
        )

    def admit(self, prepare) -> tuple[list[EntitlementRef], object, int]:
        """Rate limit, entitlement, input: ``(candidates, work, units)`` or ``CallRefused``."""
        window = ratelimit.window(self.key.prefix)
        candidates, self.table, count = cached.call_refs(
            self.key.organization_id, self.code, ENDPOINT_MODE[self.endpoint], window
        )
        if not window.allows(count):
            raise CallRefused(
                429,
                "rate_limited",
                _("Too many calls with this key; slow down."),
                headers={"Retry-After": str(window.retry_after)},
                retry_after=window.retry_after,
            )
        if not candidates:
            raise CallRefused(
                403, "no_entitlement", _("Your organisation has no current entitlement to this product for this use.")
            )
        self.entitlement = candidates[0]
        try:
            work, units = prepare(candidates[0], self.table)
        except DomainError as error:
            extra = {"errors": error.errors} if error.errors else {}
            raise CallRefused(400, "invalid_request", error.message, **extra) from error
        return [self._current_period(e) for e in candidates], work, units

    @staticmethod
    def _current_period(entitlement: EntitlementRef) -> EntitlementRef:
        """A subscription whose month ended starts the next one before it is counted against."""
        if entitlement.monthly and entitlement.period_ends_at and timezone.now() >= entitlement.period_ends_at:
            services.entitlement_roll_period(entitlement=Entitlement(pk=entitlement.id))
        return entitlement


def serve_read(
    *,
    key: KeyRef,
    endpoint: str,
    code: str,
    params: dict,
    prepare: Callable[[EntitlementRef, TableRef | None], tuple[object, int]],
    run: Callable[[object], tuple[object, int]],
) -> Outcome:
    """A metered read on our side.

    ``prepare(entitlement, table)`` checks the input before anything is counted and returns
    ``(work, units)``; ``run(work)`` computes ``(payload, rows)``; then the call is counted and
    logged at once, against the first entitlement it fits (records cost the rows returned).
    """
    call = Call(key=key, endpoint=endpoint, code=code, params=params)
    try:
        candidates, work, _units = call.admit(prepare)
    except CallRefused as refused:
        call.log(refused.status)
        raise
    try:
        payload, rows = run(work)
    except Exception:
        call.log(500)
        raise
    for index, entitlement in enumerate(candidates):
        units = rows if entitlement.unit == QuotaUnit.RECORDS else 1
        if services.quota_charge_and_log(
            entitlement_id=entitlement.id,
            units=units,
            organization_id=key.organization_id,
            api_key_id=key.id,
            key_prefix=key.prefix,
            endpoint=endpoint,
            params_digest=call.digest,
            product_id=entitlement.product_id,
            rows=rows,
            duration_ms=call.duration_ms,
            log_refusal=index == len(candidates) - 1,
        ):
            return Outcome(payload=payload, entitlement=entitlement, rows=rows, units=units)
    raise _quota_exhausted(candidates[0].id)


def serve_upstream(
    *,
    key: KeyRef,
    code: str,
    params: dict,
    prepare: Callable[[EntitlementRef, TableRef | None], tuple[object, int]],
    run: Callable[[object], tuple[object, int]],
) -> Outcome:
    """A metered call to the merchant's endpoint: counted before calling, given back if the upstream fails."""
    call = Call(key=key, endpoint="upstream", code=code, params=params)
    try:
        candidates, work, units = call.admit(prepare)
        for entitlement in candidates:
            if services.quota_take(entitlement_id=entitlement.id, units=units):
                call.entitlement = entitlement
                break
        else:
            raise _quota_exhausted(candidates[0].id)
    except CallRefused as refused:
        call.log(refused.status)
        raise
    try:
        payload, rows = run(work)
    except DomainError as error:
        services.quota_give_back(entitlement_id=call.entitlement.id, units=units)
        call.log(502)
        raise CallRefused(502, getattr(error, "code", "upstream_failed"), error.message) from error
    except Exception:
        services.quota_give_back(entitlement_id=call.entitlement.id, units=units)
        call.log(500)
        raise
    call.log(200, served=True, rows=rows, units=units)
    return Outcome(payload=payload, entitlement=call.entitlement, rows=rows, units=units)
