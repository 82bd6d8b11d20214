"""Objections (数据异议) to a registration, and operators' decisions on them."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import audit_record
from accounts.exceptions import DomainError, InvalidTransition

from ..models import Objection, Product
from .transitions import move, require_operator, require_reason

OBJECTABLE = {Product.Status.PUBLIC_NOTICE, Product.Status.REGISTERED}


@transaction.atomic
def objection_file(*, product: Product, actor, grounds: str, evidence=None) -> Objection:
    """Anyone signed in objects to a registration under public notice or registered."""
    product = Product.objects.get(pk=product.pk)
    if product.status not in OBJECTABLE:
        raise DomainError(_("Objections are accepted during the public notice and while a product is registered."))
    grounds = (grounds or "").strip()
    if len(grounds) < 10:
        raise DomainError(_("State the grounds of the objection (at least 10 characters)."), field="grounds")
    objection = Objection.objects.create(product=product, objector=actor, grounds=grounds)
    if evidence is not None:
        objection.evidence.save(evidence.name.rsplit("/", 1)[-1], evidence, save=True)
    audit_record(action="objection.file", obj=objection, actor=actor, changes={"status": [None, objection.status]})
    return objection


def _decide(objection: Objection, *, to: str, actor, reason: str, action: str) -> Objection:
    objection = Objection.objects.select_for_update().get(pk=objection.pk)
    if objection.status == to:
        return objection
    if not objection.can_become(to):
        raise InvalidTransition(_("This objection was already decided."))
    before = objection.status
    objection.status = to
    objection.decided_by = actor
    objection.decision_reason = reason
    objection.decided_at = timezone.now()
    objection.save(update_fields=["status", "decided_by", "decision_reason", "decided_at"])
    audit_record(action=action, obj=objection, actor=actor, changes={"status": [before, to]}, reason=reason)
    return objection


@transaction.atomic
def objection_investigate(*, objection: Objection, actor) -> Objection:
    """An operator takes an open objection into investigation; the objector and the holder see it on their pages."""
    require_operator(actor)
    objection = Objection.objects.select_for_update().get(pk=objection.pk)
    if objection.status == Objection.Status.INVESTIGATING:
        return objection
    if not objection.can_become(Objection.Status.INVESTIGATING):
        raise InvalidTransition(_("This objection was already decided."))
    before = objection.status
    objection.status = Objection.Status.INVESTIGATING
    objection.investigated_by = actor
    objection.investigation_started_at = timezone.now()
    objection.save(update_fields=["status", "investigated_by", "investigation_started_at"])
    audit_record(
        action="objection.investigate",
        obj=objection,
        actor=actor,
        changes={"status": [before, objection.status]},
    )
    return objection


@transaction.atomic
def objection_uphold(*, objection: Objection, actor, reason: str) -> Objection:
    """An operator upholds an objection: a registration under notice is withdrawn, a registered one suspended."""
    require_operator(actor)
    reason = require_reason(reason)
    objection = _decide(objection, to=Objection.Status.UPHELD, actor=actor, reason=reason, action="objection.uphold")
    product = objection.product
    why = _("Objection upheld: %(reason)s") % {"reason": reason}
    if product.status == Product.Status.PUBLIC_NOTICE:
        move(product, Product.Status.WITHDRAWN, actor=actor, reason=why, action="registration.withdraw")
    elif product.status == Product.Status.REGISTERED:
        from .lifecycle import registration_suspend

        registration_suspend(product=product, actor=actor, reason=why)
    return objection


@transaction.atomic
def objection_dismiss(*, objection: Objection, actor, reason: str) -> Objection:
    """An operator dismisses an objection, saying why."""
    require_operator(actor)
    return _decide(
        objection, to=Objection.Status.DISMISSED, actor=actor, reason=require_reason(reason), action="objection.dismiss"
    )
