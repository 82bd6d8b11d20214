"""What matching adds to catalog through catalog's hooks: matching new listings, and the product-page panel."""

from accounts.selectors import is_member
from catalog.hooks import Panel

from . import selectors


def on_listing_listed(product_id: int) -> None:
    """A product was listed (catalog calls this on commit): match it against the open demands in the background."""
    from .tasks import match_product

    match_product.delay(product_id)


def demands_panel(request, product) -> Panel | None:
    """On the public product page, the holder's members see the open demands their product matches."""
    if not is_member(request.user, product.holder):
        return None
    matches = list(selectors.matches_for_product(product)[:10])
    return Panel(template_name="matching/_product_panel.html", context={"demand_matches": matches}, order=40)
