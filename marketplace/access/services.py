"""Every write of access: entitlements, API keys, merchants' data and endpoints, quota and the usage log."""

import re
from datetime import datetime

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import audit_record
from accounts.exceptions import DomainError, InvalidTransition, NotAllowed
from accounts.models import Organization
from accounts.selectors import is_member
from catalog.choices import DeliveryModeCode
from catalog.models import Product
from pricing.models import FreeUseApplication

from . import cached, keys, netguard, sealing, tables
from .models import (
    ApiKey,
    DatasetRow,
    DatasetTable,
    Entitlement,
    EntitlementStatus,
    TableStatus,
    UpstreamEndpoint,
    UsageLog,
    VerificationRecord,
)
from .terms import add_months, entitlement_terms

BATCH = 1000
HEADER_NAME_RE = re.compile(r"^[A-Za-z0-9-]{1,64}$")


def _require_member(actor, org: Organization | None) -> None:
    if org is None or not is_member(actor, org):
        raise NotAllowed(_("You do not act for this organisation."))


def _require_holder(actor, org: Organization | None, product: Product) -> None:
    _require_member(actor, org)
    if product.holder_id != org.pk:
        raise NotAllowed(_("You do not act for the holder of this product."))


# Entitlements -------------------------------------------------------------------------------------------


@transaction.atomic
def entitlement_grant(*, order) -> Entitlement:
    """The entitlement a paid order grants (once per order); a renewal starts when the renewed one ends."""
    existing = Entitlement.objects.filter(order=order).first()
    if existing is not None:
        return existing
    now = timezone.now()
    starts_at = now
    if order.renews_id:
        renewed = Entitlement.objects.get(pk=order.renews_id)
        if renewed.status == EntitlementStatus.ACTIVE and renewed.expires_at > now:
            starts_at = renewed.expires_at
    until = None
    free_use_id = (order.quote or {}).get("free_use_application_id")
    if free_use_id:
        until = FreeUseApplication.objects.filter(pk=free_use_id).values_list("expires_at", flat=True).first()
    plan = order.plan
    terms = entitlement_terms(
        kind=plan.kind, quantity=order.quantity, monthly_quota=plan.monthly_quota, starts_at=starts_at, until=until
    )
    entitlement = Entitlement.objects.create(
        organization=order.buyer,
        product=order.product,
        plan=plan,
        order=order,
        delivery_mode=plan.delivery_mode,
        unit=terms.unit,
        quota=terms.quota,
        monthly=terms.monthly,
        period_starts_at=terms.starts_at if terms.monthly else None,
        period_ends_at=terms.period_ends_at,
        starts_at=terms.starts_at,
        expires_at=terms.expires_at,
    )
    cached.forget_entitlements(entitlement)
    audit_record(
        action="access.entitlement_grant",
        obj=entitlement,
        organization=order.buyer,
        changes={
            "order": order.number,
            "quota": terms.quota,
            "unit": terms.unit,
            "monthly": terms.monthly,
            "starts_at": terms.starts_at,
            "expires_at": terms.expires_at,
        },
    )
    return entitlement


@transaction.atomic
def entitlement_revoke(*, entitlement: Entitlement, actor=None, reason: str = "") -> Entitlement:
    """Stop an entitlement at once (its order was refunded); calls are refused from now on."""
    entitlement = Entitlement.objects.select_for_update().get(pk=entitlement.pk)
    if entitlement.status == EntitlementStatus.REVOKED:
        return entitlement
    if not entitlement.can_become(EntitlementStatus.REVOKED):
        raise InvalidTransition(_("This entitlement cannot be revoked."))
    entitlement.status = EntitlementStatus.REVOKED
    entitlement.status_reason = reason
    entitlement.save(update_fields=["status", "status_reason", "updated_at"])
    cached.forget_entitlements(entitlement)
    audit_record(
        action="access.entitlement_revoke",
        obj=entitlement,
        actor=actor,
        organization=entitlement.organization,
        changes={"status": [EntitlementStatus.ACTIVE, EntitlementStatus.REVOKED]},
        reason=reason,
    )
    return entitlement


def _period_around(entitlement: Entitlement, moment: datetime) -> tuple[datetime, datetime]:
    months = 0
    while add_months(entitlement.starts_at, months + 1) <= moment:
        months += 1
    return add_months(entitlement.starts_at, months), min(
        add_months(entitlement.starts_at, months + 1), entitlement.expires_at
    )


@transaction.atomic
def entitlement_roll_period(*, entitlement: Entitlement, moment: datetime | None = None) -> Entitlement:
    """A subscription's new month: the quota is available again. Idempotent within a month."""
    moment = moment or timezone.now()
    entitlement = Entitlement.objects.select_for_update().get(pk=entitlement.pk)
    if (
        not entitlement.monthly
        or entitlement.period_ends_at is None
        or moment < entitlement.period_ends_at
        or moment >= entitlement.expires_at
    ):
        return entitlement
    before = {"period_starts_at": entitlement.period_starts_at, "used": entitlement.used}
    entitlement.period_starts_at, entitlement.period_ends_at = _period_around(entitlement, moment)
    entitlement.used = 0
    entitlement.save(update_fields=["period_starts_at", "period_ends_at", "used", "updated_at"])
    cached.forget_entitlements(entitlement)
    audit_record(
        action="access.entitlement_roll_period",
        obj=entitlement,
        organization=entitlement.organization,
        changes={
            "period_starts_at": [before["period_starts_at"], entitlement.period_starts_at],
            "used": [before["used"], 0],
        },
    )
    return entitlement


# Quota: one conditional UPDATE each way --------------------------------------------------------------------
# Not audited one by one: the usage log records every call, and an audit entry per call would
# serialise all calls on the audit chain's lock.


def quota_take(*, entitlement_id: int, units: int = 1, moment: datetime | None = None) -> bool:
    """Count ``units`` against the entitlement if they fit; True when counted.

    A single ``UPDATE … SET used = used + n WHERE id = … AND used + n <= quota`` (plus status
    and term): the database serialises concurrent updates of the row, so with quota N exactly
    N units are ever counted, whatever the concurrency.
    """
    moment = moment or timezone.now()
    fits = Q(quota__isnull=True) | Q(used__lte=F("quota") - units)
    return (
        Entitlement.objects.filter(
            fits, pk=entitlement_id, status=EntitlementStatus.ACTIVE, starts_at__lte=moment, expires_at__gt=moment
        ).update(used=F("used") + units)
        == 1
    )


def quota_give_back(*, entitlement_id: int, units: int) -> bool:
    """Return units taken for a call that then failed on our side (or returned fewer records)."""
    if units <= 0:
        return False
    return Entitlement.objects.filter(pk=entitlement_id, used__gte=units).update(used=F("used") - units) == 1


def quota_charge_and_log(
    *,
    entitlement_id: int,
    units: int,
    organization_id: int,
    api_key_id: int,
    key_prefix: str,
    endpoint: str,
    params_digest: str,
    product_id: int,
    rows: int,
    duration_ms: int,
    log_refusal: bool = True,
    moment: datetime | None = None,
) -> bool:
    """Count ``units`` if they fit and log the call, in one atomic step; True when counted (served).

    For calls whose work is a read on our side (dataset, verification): the answer is computed
    first, then counted and logged together, so a served call and its log row can never part.
    On PostgreSQL it is one statement (``WITH taken AS (UPDATE … RETURNING) INSERT …``) and one
    commit; elsewhere the two statements run in one transaction. A refusal is logged (429)
    unless ``log_refusal`` is off (another entitlement is tried next).
    """
    moment = moment or timezone.now()
    if connection.vendor != "postgresql":
        with transaction.atomic():
            served = quota_take(entitlement_id=entitlement_id, units=units, moment=moment)
            if served or log_refusal:
                usage_log_write(
                    organization_id=organization_id,
                    api_key_id=api_key_id,
                    key_prefix=key_prefix,
                    endpoint=endpoint,
                    params_digest=params_digest,
                    status=200 if served else 429,
                    product_id=product_id,
                    entitlement_id=entitlement_id,
                    rows=rows if served else 0,
                    units=units if served else 0,
                    served=served,
                    duration_ms=duration_ms,
                )
        return served
    entitlements, logs = Entitlement._meta.db_table, UsageLog._meta.db_table
    sql = f"""
        WITH taken AS (
            UPDATE {entitlements} SET used = used + %(units)s
            WHERE id = %(entitlement)s AND status = %(active)s AND starts_at <= %(now)s AND expires_at > %(now)s
              AND (quota IS NULL OR used + %(units)s <= quota)
            RETURNING id
        ), outcome AS (SELECT EXISTS (SELECT 1 FROM taken) AS served)
        INSERT INTO {logs} (organization_id, product_id, entitlement_id, api_key_id, key_prefix, endpoint,
                            params_digest, rows, units, status, served, duration_ms, at)
        SELECT %(organization)s, %(product)s, %(entitlement)s, %(key)s, %(prefix)s, %(endpoint)s, %(digest)s,
               CASE WHEN served THEN %(rows)s ELSE 0 END, CASE WHEN served THEN %(units)s ELSE 0 END,
               CASE WHEN served THEN 200 ELSE 429 END, served, %(ms)s, %(now)s
        FROM outcome WHERE served OR %(log_refusal)s
        RETURNING served
    """  # noqa: S608 -- table names come from the models, every value is a parameter  # nosec B608
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            {
                "units": units,
                "entitlement": entitlement_id,
                "active": EntitlementStatus.ACTIVE.value,
                "now": moment,
                "organization": organization_id,
                "product": product_id,
                "key": api_key_id,
                "prefix": key_prefix,
                "endpoint": endpoint,
                "digest": params_digest,
                "rows": rows,
                "ms": duration_ms,
                "log_refusal": log_refusal,
            },
        )
        row = cursor.fetchone()
    return bool(row and row[0])


def usage_log_write(
    *,
    organization_id: int,
    api_key_id: int | None,
    key_prefix: str,
    endpoint: str,
    params_digest: str,
    status: int,
    product_id: int | None = None,
    entitlement_id: int | None = None,
    rows: int = 0,
    units: int = 0,
    served: bool = False,
    duration_ms: int = 0,
) -> UsageLog:
    """Log one call of the data API, served or refused (the key's prefix only, never the key)."""
    return UsageLog.objects.create(
        organization_id=organization_id,
        api_key_id=api_key_id,
        key_prefix=key_prefix,
        endpoint=endpoint,
        params_digest=params_digest,
        status=status,
        product_id=product_id,
        entitlement_id=entitlement_id,
        rows=rows,
        units=units,
        served=served,
        duration_ms=duration_ms,
    )


# API keys ----------------------------------------------------------------------------------------------------


@transaction.atomic
def api_key_create(*, org: Organization, actor, name: str, expires_at: datetime | None = None) -> tuple[ApiKey, str]:
    """Create a key for the organisation; returns it and the full secret, which is never shown again."""
    _require_member(actor, org)
    errors = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = _("Name the key after what uses it, e.g. 风控系统-生产.")
    if expires_at is not None and expires_at <= timezone.now():
        errors["expires_at"] = _("The expiry must be in the future.")
    if errors:
        raise DomainError(_("The key was not created; correct the fields shown."), errors=errors)
    if not org.is_verified:
        raise DomainError(_("Your organisation can create keys once the exchange has verified it."))
    prefix, secret = keys.key_generate()
    key = ApiKey.objects.create(
        organization=org,
        name=name[:80],
        prefix=prefix,
        key_hash=keys.key_hash(secret),
        created_by=actor,
        expires_at=expires_at,
    )
    audit_record(
        action="access.api_key_create",
        obj=key,
        actor=actor,
        organization=org,
        changes={"name": key.name, "prefix": prefix, "expires_at": expires_at},
    )
    return key, secret


@transaction.atomic
def api_key_revoke(*, org: Organization, actor, key: ApiKey) -> ApiKey:
    """Revoke a key at once; calls with it are refused from the next request on."""
    _require_member(actor, org)
    key = ApiKey.objects.select_for_update().get(pk=key.pk)
    if key.organization_id != org.pk:
        raise NotAllowed(_("This key belongs to another organisation."))
    if key.revoked_at is not None:
        return key
    key.revoked_at = timezone.now()
    key.revoked_by = actor
    key.save(update_fields=["revoked_at", "revoked_by"])
    cached.forget_key(key.prefix)
    audit_record(action="access.api_key_revoke", obj=key, actor=actor, organization=org, changes={"prefix": key.prefix})
    return key


# Merchants' data ------------------------------------------------------------------------------------------


def _product_has_mode(product: Product, mode: str) -> bool:
    return product.delivery_modes.filter(code=mode).exists()


@transaction.atomic
def dataset_table_upload(
    *, org: Organization, actor, product: Product, mode: str, file, lookup_columns: list[str] | None = None
) -> DatasetTable:
    """A merchant uploads the CSV behind a dataset or verification product; it is loaded in the background."""
    _require_holder(actor, org, product)
    if mode not in DatasetTable.Mode.values:
        raise DomainError(_("Choose how the data is served."), field="mode")
    if not _product_has_mode(product, mode):
        raise DomainError(_("This product is not registered with that delivery mode."), field="mode")
    if file is None:
        raise DomainError(_("Choose a CSV file."), field="file")
    if file.size > settings.DATASET_UPLOAD_MAX_BYTES:
        raise DomainError(
            _("The file is larger than %(mb)s MB.") % {"mb": settings.DATASET_UPLOAD_MAX_BYTES // (1024 * 1024)},
            field="file",
        )
    if not (file.name or "").lower().endswith(".csv"):
        raise DomainError(_("Upload a .csv file."), field="file")
    file.seek(0)
    header = tables.read_header(getattr(file, "file", file))
    file.seek(0)
    lookup_columns = [c for c in (lookup_columns or []) if c]
    if mode == DatasetTable.Mode.VERIFICATION:
        if not lookup_columns:
            raise DomainError(_("Name the key columns a record is found by."), field="lookup_columns")
        unknown = [c for c in lookup_columns if c not in header]
        if unknown:
            raise DomainError(
                _("These columns are not in the file: %(cols)s.") % {"cols": ", ".join(unknown)},
                field="lookup_columns",
            )
        if len(lookup_columns) == len(header):
            raise DomainError(_("Leave at least one column to verify."), field="lookup_columns")
    else:
        lookup_columns = []
    table = DatasetTable(
        product=product,
        mode=mode,
        source_name=(file.name or "")[:200],
        columns=header,
        lookup_columns=lookup_columns,
        uploaded_by=actor,
    )
    table.source.save(file.name, file, save=False)  # copied to storage in chunks
    table.save()
    audit_record(
        action="access.dataset_upload",
        obj=table,
        actor=actor,
        organization=org,
        changes={"mode": mode, "columns": header, "lookup_columns": lookup_columns, "file": table.source_name},
    )
    from .tasks import load_dataset_table

    transaction.on_commit(lambda: load_dataset_table.delay(table.pk))
    return table


def _insert_rows(table: DatasetTable) -> int:
    count = 0
    batch = []
    verification = table.mode == DatasetTable.Mode.VERIFICATION
    checked = [c for c in table.columns if c not in table.lookup_columns]
    with table.source.open("rb") as binary:
        header, rows = tables.read_csv(binary)
        if header != table.columns:
            raise DomainError(_("The file changed after it was uploaded."), field="file")
        for _line, cells in rows:
            count += 1
            data = dict(zip(header, cells))
            if verification:
                batch.append(
                    VerificationRecord(
                        table=table,
                        lookup_digest=sealing.lookup_digest(table.pk, table.lookup_columns, data),
                        field_digests={c: sealing.field_digest(table.pk, c, data[c]) for c in checked},
                    )
                )
            else:
                batch.append(DatasetRow(table=table, number=count, data=data))
            if len(batch) >= BATCH:
                type(batch[0]).objects.bulk_create(batch)
                batch = []
    if batch:
        type(batch[0]).objects.bulk_create(batch)
    return count


@transaction.atomic
def dataset_table_load(*, table: DatasetTable) -> DatasetTable:
    """Stream the uploaded file into rows (or verification digests) and make it the table served.

    Verification values are kept only as digests. The uploaded file is deleted once
    loaded: the data lives in the database, behind the data API, and nowhere else.
    """
    table = DatasetTable.objects.select_for_update().get(pk=table.pk)
    if table.status != TableStatus.LOADING:
        return table
    try:
        with transaction.atomic():
            count = _insert_rows(table)
    except DomainError as error:
        table.status = TableStatus.FAILED
        table.error = error.message
        table.save(update_fields=["status", "error"])
        audit_record(
            action="access.dataset_load_fail",
            obj=table,
            organization=table.product.holder,
            reason=error.message,
        )
        return table
    previous = list(
        DatasetTable.objects.select_for_update().filter(product=table.product, mode=table.mode, is_current=True)
    )
    for old in previous:
        old.rows.all().delete()
        old.verification_records.all().delete()
        old.is_current = False
        old.save(update_fields=["is_current"])
    table.status = TableStatus.READY
    table.is_current = True
    table.row_count = count
    table.loaded_at = timezone.now()
    table.save(update_fields=["status", "is_current", "row_count", "loaded_at"])
    cached.forget_table(table.product.code, table.mode)
    if table.source:
        table.source.delete(save=False)
        DatasetTable.objects.filter(pk=table.pk).update(source="")
    audit_record(
        action="access.dataset_load",
        obj=table,
        organization=table.product.holder,
        changes={"rows": count, "replaced": [old.pk for old in previous]},
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE access_datasetrow")
    return table


@transaction.atomic
def upstream_endpoint_save(
    *,
    org: Organization,
    actor,
    product: Product,
    url: str,
    method: str = "GET",
    auth_header: str = "Authorization",
    credential: str = "",
) -> UpstreamEndpoint:
    """Register (or change) the merchant's endpoint behind an API product; the credential is stored encrypted.

    An empty credential keeps the one stored. The URL must resolve to public addresses only.
    """
    _require_holder(actor, org, product)
    errors = {}
    if not _product_has_mode(product, DeliveryModeCode.API):
        raise DomainError(_("This product is not registered with the API delivery mode."))
    url = (url or "").strip()
    try:
        netguard.check_url(url)
    except DomainError as error:
        errors["url"] = error.message
    if method not in UpstreamEndpoint.Method.values:
        errors["method"] = _("Choose GET or POST.")
    auth_header = (auth_header or "").strip() or "Authorization"
    if not HEADER_NAME_RE.match(auth_header):
        errors["auth_header"] = _("A header name: letters, digits and hyphens.")
    if len(credential or "") > 2000:
        errors["credential"] = _("At most 2,000 characters.")
    if errors:
        raise DomainError(_("The endpoint was not saved; correct the fields shown."), errors=errors)
    endpoint = UpstreamEndpoint.objects.select_for_update().filter(product=product).first()
    before = {"url": endpoint.url, "method": endpoint.method, "auth_header": endpoint.auth_header} if endpoint else {}
    if endpoint is None:
        endpoint = UpstreamEndpoint(product=product)
    endpoint.url, endpoint.method, endpoint.auth_header, endpoint.updated_by = url, method, auth_header, actor
    if credential:
        endpoint.credential_encrypted = sealing.credential_seal(credential)
    endpoint.save()
    audit_record(
        action="access.upstream_save",
        obj=endpoint,
        actor=actor,
        organization=org,
        changes={
            **{k: [before.get(k), v] for k, v in {"url": url, "method": method, "auth_header": auth_header}.items()},
            "credential": "replaced" if credential else "kept",
        },
    )
    return endpoint
