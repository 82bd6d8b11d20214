from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "catalog"
    verbose_name = _("Catalog")

    def ready(self):
        from .reference import ensure_delivery_modes

        post_migrate.connect(ensure_delivery_modes, sender=self, dispatch_uid="catalog.ensure_delivery_modes")
        from .hooks import register_finding_provider, register_product_panel
        from .interop.findings import peer_duplicate_findings
        from .interop.panels import certificate_panel

        register_finding_provider(peer_duplicate_findings)
        register_product_panel(certificate_panel)
