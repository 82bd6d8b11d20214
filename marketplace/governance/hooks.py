"""What governance adds to catalog through catalog's hooks: the credit check on submission, the objections panel."""

from django.utils.translation import gettext as _

from catalog.hooks import Panel

from . import selectors
from .credit import credit_refusal


def credit_submission_guard(organization) -> str | None:
    """Refuse a new submission while the organisation's credit is below ``CREDIT_MIN_SCORE_TO_TRADE``."""
    return credit_refusal(organization, doing=_("submit registrations"))


def objections_panel(request, product) -> Panel | None:
    """On the public product page: the objections filed against the registration and how they were decided."""
    objections = selectors.public_objections_of(product)
    if not objections:
        return None
    return Panel(template_name="governance/_objections_panel.html", context={"objections": objections}, order=60)
