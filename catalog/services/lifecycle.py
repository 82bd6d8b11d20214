"""After registration: suspension, reinstatement, cancellation, and the listing's own moves."""

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.exceptions import NotAllowed
from accounts.selectors import is_member

from ..models import FeedEventType, Listing, Product
from .certificates import certificate_record_status
from .transitions import listing_of, move, require_operator, require_reason


@transaction.atomic
def registration_suspend(*, product: Product, actor, reason: str) -> Product:
    """An operator suspends a registration; its listing pauses (no new sales)."""
    require_operator(actor)
    reason = require_reason(reason)
    product, moved = move(product, Product.Status.SUSPENDED, actor=actor, reason=reason, action="registration.suspend")
    if moved:
        certificate_record_status(product=product, event=FeedEventType.SUSPENDED)
    listing = listing_of(product)
    if moved and listing and listing.status == Listing.Status.LISTED:
        move(listing, Listing.Status.PAUSED, actor=actor, reason=reason, action="listing.pause")
    return product


@transaction.atomic
def registration_reinstate(*, product: Product, actor, reason: str) -> Product:
    """An operator reinstates a suspended registration; a listing paused by the suspension re-opens."""
    require_operator(actor)
    reason = require_reason(reason)
    product, moved = move(
        product, Product.Status.REGISTERED, actor=actor, reason=reason, action="registration.reinstate"
    )
    if moved:
        certificate_record_status(product=product, event=FeedEventType.REINSTATED)
    listing = listing_of(product)
    if moved and listing and listing.status == Listing.Status.PAUSED:
        move(listing, Listing.Status.LISTED, actor=actor, reason=reason, action="listing.resume")
    return product


@transaction.atomic
def registration_cancel(*, product: Product, actor, reason: str) -> Product:
    """Cancellation (注销) by an operator: the listing is revoked, sales and access stop."""
    require_operator(actor)
    reason = require_reason(reason)
    product, moved = move(product, Product.Status.CANCELLED, actor=actor, reason=reason, action="registration.cancel")
    if moved:
        certificate_record_status(product=product, event=FeedEventType.REVOKED)
    listing = listing_of(product)
    if moved and listing and listing.can_become(Listing.Status.REVOKED):
        move(listing, Listing.Status.REVOKED, actor=actor, reason=reason, action="listing.revoke")
    return product


def _require_holder_or_operator(actor, listing: Listing) -> None:
    if actor.has_perm("accounts.operate_exchange") or is_member(actor, listing.product.holder):
        return
    raise NotAllowed(_("Only the holder or an operator may change this listing."))


@transaction.atomic
def listing_delist(*, listing: Listing, actor, reason: str) -> Listing:
    """Delist (下架) by the holder or an operator; existing access runs to its end."""
    _require_holder_or_operator(actor, listing)
    listing, _ = move(
        listing, Listing.Status.DELISTED, actor=actor, reason=require_reason(reason), action="listing.delist"
    )
    return listing


@transaction.atomic
def listing_pause(*, listing: Listing, actor, reason: str) -> Listing:
    """Pause new sales; existing access continues."""
    _require_holder_or_operator(actor, listing)
    listing, _ = move(
        listing, Listing.Status.PAUSED, actor=actor, reason=require_reason(reason), action="listing.pause"
    )
    return listing


@transaction.atomic
def listing_resume(*, listing: Listing, actor, reason: str = "") -> Listing:
    """Re-open a paused listing, provided its registration is in force."""
    _require_holder_or_operator(actor, listing)
    if listing.product.status != Product.Status.REGISTERED:
        raise NotAllowed(_("The registration is not in force; the listing cannot re-open."))
    listing, _moved = move(listing, Listing.Status.LISTED, actor=actor, reason=reason, action="listing.resume")
    return listing
