from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MatchingConfig(AppConfig):
    name = "marketplace.matching"
    label = "matching"
    verbose_name = _("Demands and matching")

    def ready(self):
        # catalog tells matching about newly listed products and shows its panel through hooks; it never imports us.
        from catalog.hooks import register_listing_listed_handler, register_product_panel

        from .hooks import demands_panel, on_listing_listed

        register_listing_listed_handler(on_listing_listed)
        register_product_panel(demands_panel)
