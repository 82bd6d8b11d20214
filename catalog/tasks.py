"""Periodic work of the catalog; thin wrappers around services."""

from celery import shared_task

from . import services


@shared_task
def complete_due_registrations() -> int:
    """Close public notices that have ended with no objection pending."""
    return services.registration_complete_due()
