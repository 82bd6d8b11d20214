"""Template context shared by every page."""

from django.conf import settings

from .selectors import organizations_of


def exchange(request):
    user = getattr(request, "user", None)
    organization = getattr(request, "organization", None)
    return {
        "EXCHANGE_CODE": settings.EXCHANGE_CODE,
        "EXCHANGE_NAME": settings.EXCHANGE_NAME,
        "SITE_URL": settings.SITE_URL,
        "current_organization": organization,
        "my_organizations": organizations_of(user) if user is not None else [],
    }
