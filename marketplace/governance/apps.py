from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GovernanceConfig(AppConfig):
    name = "marketplace.governance"
    label = "governance"
    verbose_name = _("Governance: audit, objections, disputes, credit and disclosure")

    def ready(self):
        # catalog asks governance through its hooks (may this organisation submit? what does the product page
        # add?); it never imports governance.
        from catalog.hooks import register_product_panel, register_submission_guard

        from .hooks import credit_submission_guard, objections_panel

        register_submission_guard(credit_submission_guard)
        register_product_panel(objections_panel)
