"""The one place where a registration's or listing's status changes."""

from functools import partial

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import audit_record
from accounts.exceptions import DomainError, InvalidTransition, NotAllowed

from .. import hooks
from ..models import Listing, Product, ProductEvent


def require_operator(actor) -> None:
    if actor is None or not actor.has_perm("accounts.operate_exchange"):
        raise NotAllowed(_("Only exchange operators may do this."))


def require_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give a reason; it is recorded and shown in the history."), field="reason")
    return reason


def actor_label(actor) -> str:
    return str(actor) if actor is not None and actor.is_authenticated else "system"


def move(obj, to: str, *, actor=None, reason: str = "", action: str, public: bool = True, **fields):
    """Lock ``obj``, check the move, set status and ``fields``, record the event and the audit entry.

    Returns ``(obj, moved)``; ``moved`` is False when ``obj`` already was in ``to``.
    """
    model = type(obj)
    obj = model.objects.select_for_update().get(pk=obj.pk)
    if obj.status == to:
        return obj, False
    if not obj.can_become(to):
        raise InvalidTransition(
            _("Cannot go from “%(from)s” to “%(to)s”.")
            % {"from": obj.get_status_display(), "to": model.Status(to).label}
        )
    before = {"status": obj.status, **{name: getattr(obj, name) for name in fields}}
    obj.status = to
    obj.status_reason = reason
    for name, value in fields.items():
        setattr(obj, name, value)
    obj.save(update_fields=["status", "status_reason", "updated_at", *fields])
    product = obj if isinstance(obj, Product) else obj.product
    ProductEvent.objects.create(
        product=product,
        subject=ProductEvent.Subject.REGISTRATION if isinstance(obj, Product) else ProductEvent.Subject.LISTING,
        from_status=before["status"],
        to_status=to,
        actor=actor if actor is not None and actor.is_authenticated else None,
        actor_label=actor_label(actor),
        reason=reason,
        is_public=public,
    )
    after = {"status": to, **fields}
    audit_record(
        action=action,
        obj=obj,
        actor=actor,
        organization=product.holder,
        changes={key: [before[key], after[key]] for key in after if before[key] != after[key]},
        reason=reason,
    )
    if isinstance(obj, Listing) and to == Listing.Status.LISTED:
        # Higher apps (matching) learn of it once committed; their failure never undoes the listing.
        transaction.on_commit(partial(hooks.listing_listed, product.pk), robust=True)
    return obj, True


def now():
    return timezone.now()


def listing_of(product: Product) -> Listing | None:
    return Listing.objects.filter(product=product).first()
