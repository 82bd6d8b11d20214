"""The "buy" panel on the public product page (registered through catalog's product-panel hook)."""

from catalog.choices import Purpose
from catalog.hooks import Panel
from catalog.models import Listing, ListingStatus
from pricing import selectors as pricing_selectors
from pricing.models import PlanKind


def order_panel(request, product) -> Panel | None:
    """Plans that can be bought now, with a form to the checkout; nothing when the product is not on sale."""
    if not Listing.objects.filter(product=product, status=ListingStatus.LISTED).exists():
        return None
    plans = [p for p in pricing_selectors.plans_of(product, active_only=True) if p.kind != PlanKind.QUOTATION]
    if not plans:
        return None
    allowed = product.allowed_purposes or Purpose.values
    return Panel(
        template_name="orders/_buy_panel.html",
        context={
            "buy_plans": plans,
            "buy_purposes": [(p.value, p.label) for p in Purpose if p.value in allowed],
            "own_product": getattr(request, "organization", None) is not None
            and request.organization.pk == product.holder_id,
        },
        order=30,
    )
