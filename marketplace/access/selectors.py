"""Reads of access: entitlements, keys, the data behind products, queries over it, usage."""

from datetime import datetime, timedelta

from django.db import connection
from django.db.models import Count, Q, Sum
from django.db.models.fields.json import KeyTransform
from django.db.models.functions import TruncDate
from django.utils import timezone

from . import sealing
from .models import (
    ApiKey,
    DatasetRow,
    DatasetTable,
    Entitlement,
    TableStatus,
    UpstreamEndpoint,
    UsageLog,
    VerificationRecord,
)


def entitlements_of(organization):
    return Entitlement.objects.filter(organization=organization).select_related("product", "plan", "order")


def entitlements_of_id(organization_id: int):
    return Entitlement.objects.filter(organization_id=organization_id).select_related("product", "plan", "order")


def api_keys_of(organization):
    return ApiKey.objects.filter(organization=organization)


def current_table(product_id: int, mode: str) -> DatasetTable | None:
    return DatasetTable.objects.filter(
        product_id=product_id, mode=mode, is_current=True, status=TableStatus.READY
    ).first()


def tables_of(product):
    return DatasetTable.objects.filter(product=product).order_by("-created_at")


def upstream_of(product) -> UpstreamEndpoint | None:
    return UpstreamEndpoint.objects.filter(product=product).first()


def upstream_of_product_id(product_id: int) -> UpstreamEndpoint | None:
    return UpstreamEndpoint.objects.filter(product_id=product_id).first()


def dataset_page(
    *, table_id: int, filters: dict[str, str], fields: list[str], limit: int, after: int
) -> tuple[list[dict], int | None]:
    """One page of rows matching every filter (exact, on the cell's text), after row ``after``.

    On PostgreSQL the filter is a JSON containment (``data @> {...}``), served by the GIN index.
    Returns the rows with only ``fields`` and the cursor of the next page (None on the last).
    """
    rows = DatasetRow.objects.filter(table_id=table_id, number__gt=after)
    if filters:
        if connection.vendor == "postgresql":
            rows = rows.filter(data__contains=filters)
        else:
            for index, (column, value) in enumerate(filters.items()):
                alias = f"cell_{index}"
                rows = rows.alias(**{alias: KeyTransform(column, "data")}).filter(**{alias: value})
    found = list(rows.order_by("number").values_list("number", "data")[: limit + 1])
    next_cursor = found[limit - 1][0] if len(found) > limit else None
    return [{column: data.get(column) for column in fields} for _number, data in found[:limit]], next_cursor


def verification_check(*, table_id: int, lookup_columns, submitted: dict[str, str]) -> dict:
    """Match / no match and, per submitted field, whether it matched; never a value of the record."""
    lookup_columns = list(lookup_columns)
    lookup = sealing.lookup_digest(table_id, lookup_columns, submitted)
    checked = [column for column in submitted if column not in lookup_columns]
    wanted = {column: sealing.field_digest(table_id, column, submitted[column]) for column in checked}
    best = None
    records = VerificationRecord.objects.filter(table_id=table_id, lookup_digest=lookup).values_list(
        "field_digests", flat=True
    )
    for field_digests in records[:50]:
        matched = {column: field_digests.get(column) == digest for column, digest in wanted.items()}
        if best is None or sum(matched.values()) > sum(best.values()):
            best = matched
    if best is None:
        return {"match": False, "found": False, "fields": dict.fromkeys(submitted, False)}
    fields = {column: True if column in lookup_columns else best[column] for column in submitted}
    return {"match": all(fields.values()), "found": True, "fields": fields}


# Usage -------------------------------------------------------------------------------------------------------


def usage_since(days: int) -> datetime:
    return timezone.now() - timedelta(days=days)


def usage_logs(*, organization=None, merchant=None, days: int = 30):
    logs = UsageLog.objects.filter(at__gte=usage_since(days)).select_related("product")
    if organization is not None:
        logs = logs.filter(organization=organization)
    if merchant is not None:
        logs = logs.filter(product__holder=merchant)
    return logs


def usage_daily(*, organization=None, merchant=None, days: int = 30, by: str = "product") -> dict:
    """Served calls per day, one series per product (or per key prefix): ``{"days": [...], "series": [...]}``."""
    logs = usage_logs(organization=organization, merchant=merchant, days=days).filter(served=True)
    label_field = "product__name" if by == "product" else "key_prefix"
    rows = (
        logs.annotate(day=TruncDate("at", tzinfo=timezone.get_current_timezone()))
        .values("day", label_field)
        .annotate(calls=Count("pk"))
        .order_by("day")
    )
    today = timezone.localdate()
    day_list = [today - timedelta(days=offset) for offset in range(days - 1, -1, -1)]
    series: dict[str, dict] = {}
    for row in rows:
        label = row[label_field] or "—"
        series.setdefault(label, {})[row["day"]] = row["calls"]
    return {
        "days": day_list,
        "series": [
            {"label": label, "values": [per_day.get(day, 0) for day in day_list]}
            for label, per_day in sorted(series.items())
        ],
    }


def usage_totals(*, organization=None, merchant=None, days: int = 30) -> dict:
    logs = usage_logs(organization=organization, merchant=merchant, days=days)
    return logs.aggregate(
        served_calls=Count("pk", filter=Q(served=True)),
        refused_calls=Count("pk", filter=Q(served=False)),
        rows_returned=Sum("rows", filter=Q(served=True)),
    )
