"""Template context shared by every page."""

from django.conf import settings

from .selectors import organizations_of, unread_notification_count


def exchange(request):
    user = getattr(request, "user", None)
    organization = getattr(request, "organization", None)
    return {
        "EXCHANGE_CODE": settings.EXCHANGE_CODE,
        "EXCHANGE_NAME": settings.EXCHANGE_NAME,
        "SITE_URL": settings.SITE_URL,
        "current_organization": organization,
        "my_organizations": organizations_of(user) if user is not None else [],
        # A callable: counted only when a template shows it.
        "unread_notifications": (lambda: unread_notification_count(user)) if user is not None else 0,
    }
