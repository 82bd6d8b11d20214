"""Permissions of the accounts API."""

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission


class IsOperator(BasePermission):
    """The exchange's operators (permission ``accounts.operate_exchange``)."""

    message = _("Only exchange operators may do this.")

    def has_permission(self, request, view):
        return bool(
            request.user and request.user.is_authenticated and request.user.has_perm("accounts.operate_exchange")
        )
