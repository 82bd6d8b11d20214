"""A merchant's standing (信用) as matching weighs it, from 0 to 1: the one place matching asks.

When the governance app (credit, DESIGN §3.6) is installed, standing is its credit score
(``marketplace.governance.credit.credit_standing``); without it, every verified merchant
stands neutral and an unverified or suspended one lowest.
"""

from django.apps import apps

from accounts.models import Organization

NEUTRAL = 0.5


def merchant_standing(organizations) -> dict[int, float]:
    """``{organisation id: standing}`` for the given organisations (objects or ids)."""
    if apps.is_installed("marketplace.governance"):
        from marketplace.governance.credit import credit_standing

        return credit_standing(organizations)
    ids = {getattr(org, "pk", org) for org in organizations}
    verified = set(
        Organization.objects.filter(pk__in=ids, status=Organization.Status.VERIFIED).values_list("pk", flat=True)
    )
    return {org_id: NEUTRAL if org_id in verified else 0.0 for org_id in ids}
