from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts and audit")

    def ready(self):
        from . import signin  # noqa: F401  (connects the failed and successful sign-in receivers)
        from .roles import ensure_staff_roles

        # No sender filter: role permissions belong to several apps, created as each one migrates.
        post_migrate.connect(ensure_staff_roles, dispatch_uid="accounts.ensure_staff_roles")
