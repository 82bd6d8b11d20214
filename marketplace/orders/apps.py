from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrdersConfig(AppConfig):
    name = "marketplace.orders"
    label = "orders"
    verbose_name = _("Orders and payments")

    def ready(self):
        # The product page asks for a "buy" panel through catalog's hook; catalog never imports orders.
        from catalog.hooks import register_product_panel

        from .panels import order_panel

        register_product_panel(order_panel)
