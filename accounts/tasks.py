"""Background work of accounts: e-mailing notifications. Thin: take ids, call the service."""

from celery import shared_task

from . import services


@shared_task
def send_notification_emails(notification_ids: list[int]) -> int:
    """E-mail the notifications not e-mailed yet; return how many were sent. Idempotent."""
    return services.notifications_email(notification_ids=notification_ids)
