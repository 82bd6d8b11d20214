"""Reference rows every exchange has, kept present after every migrate and flush."""

from .choices import DeliveryModeCode


def ensure_delivery_modes(**kwargs) -> None:
    """post_migrate handler: the five delivery modes exist (test flushes empty the table)."""
    from .models import DeliveryMode

    existing = set(DeliveryMode.objects.values_list("code", flat=True))
    DeliveryMode.objects.bulk_create(
        DeliveryMode(code=code) for code in DeliveryModeCode.values if code not in existing
    )
