"""Background work of access: loading uploads, rolling subscription months. Thin: fetch, call a service."""

from celery import shared_task
from django.utils import timezone

from . import services
from .models import DatasetTable, Entitlement, EntitlementStatus, TableStatus


@shared_task
def load_dataset_table(table_id: int) -> str:
    table = DatasetTable.objects.filter(pk=table_id, status=TableStatus.LOADING).first()
    if table is None:
        return "nothing to load"
    table = services.dataset_table_load(table=table)
    return f"{table.status}: {table.row_count} rows"


@shared_task
def roll_entitlement_periods() -> int:
    """Start the new month of every subscription whose month ended (the data API also does it on use)."""
    now = timezone.now()
    due = Entitlement.objects.filter(
        monthly=True, status=EntitlementStatus.ACTIVE, period_ends_at__lte=now, expires_at__gt=now
    )
    rolled = 0
    for entitlement in due.iterator():
        services.entitlement_roll_period(entitlement=entitlement, moment=now)
        rolled += 1
    return rolled
