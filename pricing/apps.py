from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PricingConfig(AppConfig):
    name = "pricing"
    verbose_name = _("Pricing")

    def ready(self):
        # catalog asks pricing through its hooks; it never imports pricing.
        from catalog.hooks import register_finding_provider, register_product_panel

        from .hooks import price_findings, pricing_panel

        register_finding_provider(price_findings)
        register_product_panel(pricing_panel)
