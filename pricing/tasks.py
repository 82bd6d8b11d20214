"""Periodic work of pricing; thin wrappers around services."""

from celery import shared_task

from . import services


@shared_task
def recheck_guided_price_caps() -> int:
    """Flag plans above a cap that came into force (a scheduled revision), unflag revised ones."""
    return len(services.plans_recheck_caps())
