from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccessConfig(AppConfig):
    name = "marketplace.access"
    label = "access"
    verbose_name = _("Entitlements and the data API")

    def ready(self):
        from .api import schema  # noqa: F401 -- registers the data API's security scheme with drf-spectacular
