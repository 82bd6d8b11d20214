"""Background work of orders: expiring access requests nobody decided. Thin: fetch, call a service."""

from celery import shared_task
from django.utils import timezone

from . import services
from .models import Order, OrderStatus


@shared_task
def expire_access_requests() -> int:
    """Expire every important-data request whose approval deadline passed."""
    due = Order.objects.filter(status=OrderStatus.AWAITING_APPROVAL, approval_deadline__lte=timezone.now())
    expired = 0
    for order in due.iterator():
        services.order_expire(order=order)
        expired += 1
    return expired
