"""Cached reads of the data API's hot path: the key, the entitlements a call may count against, the table.

Each call would otherwise spend three queries on things that rarely change. The cache
holds only identities and settings, never the quota count: counting stays one
conditional UPDATE on the row, which also re-checks status and term, so a stale entry
can never let a call through that the database would refuse. Writes that change these
things delete the entries on commit (revoking a key, granting, revoking or rolling an
entitlement, loading a table). With ``CACHE_URL`` (Redis) that reaches every process at
once; on the local-memory default it reaches the process that made the change, the
others within ``TTL`` seconds.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from catalog.models import ListingStatus

from . import store
from .models import ApiKey, DatasetTable, Entitlement, EntitlementStatus, TableStatus
from .ratelimit import Window

TTL = 30


@dataclass(frozen=True)
class KeyRef:
    id: int
    prefix: str
    organization_id: int
    key_hash: str
    expires_at: datetime | None
    revoked: bool
    organization_verified: bool

    def is_usable(self, moment=None) -> bool:
        moment = moment or timezone.now()
        return not self.revoked and (self.expires_at is None or moment < self.expires_at)


@dataclass(frozen=True)
class EntitlementRef:
    id: int
    product_id: int
    unit: str
    quota: int | None
    monthly: bool
    period_ends_at: datetime | None
    expires_at: datetime

    def get_unit_display(self) -> str:
        from .models import QuotaUnit

        return str(QuotaUnit(self.unit).label)


@dataclass(frozen=True)
class TableRef:
    id: int
    product_id: int
    columns: tuple[str, ...]
    lookup_columns: tuple[str, ...]


def _key_key(prefix: str) -> str:
    return f"data-api:key:{prefix}"


def _entitlements_key(organization_id: int, code: str, mode: str) -> str:
    return f"data-api:entitlements:{organization_id}:{code}:{mode}"


def _table_key(code: str, mode: str) -> str:
    return f"data-api:table:{code}:{mode}"


def key_ref(prefix: str) -> KeyRef | None:
    cached = store.get(_key_key(prefix))
    if cached is not None:
        return cached or None
    key = ApiKey.objects.select_related("organization").filter(prefix=prefix).first()
    ref = (
        KeyRef(
            id=key.pk,
            prefix=key.prefix,
            organization_id=key.organization_id,
            key_hash=key.key_hash,
            expires_at=key.expires_at,
            revoked=key.revoked_at is not None,
            organization_verified=key.organization.is_verified,
        )
        if key
        else None
    )
    store.set_many({_key_key(prefix): ref or False}, TTL)
    return ref


def _entitlement_rows(organization_id: int, code: str, mode: str) -> list:
    rows = (
        Entitlement.objects.filter(
            organization_id=organization_id,
            product__code=code,
            delivery_mode=mode,
            status=EntitlementStatus.ACTIVE,
            expires_at__gt=timezone.now(),
        )
        .exclude(product__listing__status=ListingStatus.REVOKED)
        .order_by("expires_at", "pk")
        .values_list("pk", "product_id", "unit", "quota", "monthly", "period_ends_at", "expires_at", "starts_at")
    )[:10]
    return [(EntitlementRef(*row[:7]), row[7]) for row in rows]


def _table_row(code: str, mode: str) -> TableRef | None:
    table = (
        DatasetTable.objects.filter(product__code=code, mode=mode, is_current=True, status=TableStatus.READY)
        .only("pk", "product_id", "columns", "lookup_columns")
        .first()
    )
    return TableRef(table.pk, table.product_id, tuple(table.columns), tuple(table.lookup_columns)) if table else None


def call_refs(
    organization_id: int, code: str, mode: str, window: Window
) -> tuple[list[EntitlementRef], TableRef | None, int]:
    """In one round trip: the organisation's entitlements in their term for this product and mode
    (soonest to expire first), the table served for the product in that mode (None for the API
    mode), and the key's call count in the rate-limit window (this call included).

    A revoked listing (registration revoked) stops access; a paused or delisted one does not.
    """
    entitlements_key = _entitlements_key(organization_id, code, mode)
    table_key = _table_key(code, mode)
    wanted = [entitlements_key] if mode == "api" else [entitlements_key, table_key]
    found, count = store.get_many_and_count(wanted, window.counter, window.ttl)
    fresh = {}
    rows = found.get(entitlements_key)
    if rows is None:
        rows = fresh[entitlements_key] = _entitlement_rows(organization_id, code, mode)
    table = None
    if mode != "api":
        table = found.get(table_key)
        if table is None:
            table = _table_row(code, mode)
            fresh[table_key] = table or False
    if fresh:
        store.set_many(fresh, TTL)
    now = timezone.now()
    return [ref for ref, starts_at in rows if starts_at <= now < ref.expires_at], table or None, count


def _forget(key: str) -> None:
    # Now (this process sees it at once) and again after commit (a reader may have cached the old state meanwhile).
    store.delete(key)
    transaction.on_commit(lambda: store.delete(key))


def forget_key(prefix: str) -> None:
    _forget(_key_key(prefix))


def forget_entitlements(entitlement: Entitlement) -> None:
    _forget(_entitlements_key(entitlement.organization_id, entitlement.product.code, entitlement.delivery_mode))


def forget_table(code: str, mode: str) -> None:
    _forget(_table_key(code, mode))
