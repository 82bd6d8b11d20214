"""Disputes (争议) over orders: filed by the buyer, investigated and decided by an operator."""

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import audit_record
from accounts.exceptions import DomainError, InvalidTransition, NotAllowed
from accounts.models import Organization
from accounts.services import notify
from marketplace.orders.models import Order, OrderStatus

from ..models import Dispute, DisputeGround, DisputeStatus
from ..rules import check_upload, file_name, require_member, require_operator, require_reason

# Orders a buyer may dispute: money changed hands and access was, or should have been, granted.
DISPUTABLE_ORDER_STATUSES = (OrderStatus.PAID, OrderStatus.FULFILLED)


def _tell_parties(dispute: Dispute, event: str, message: str) -> None:
    url = reverse("governance:dispute_detail", args=[dispute.pk])
    for side, org in (("buyer", dispute.buyer), ("merchant", dispute.merchant)):
        notify(
            kind="dispute",
            organization=org,
            url=url,
            message=message,
            dedupe_key=f"dispute:{dispute.pk}:{event}:{side}",
        )


@transaction.atomic
def dispute_file(
    *,
    order: Order,
    org: Organization,
    actor,
    ground: str,
    grounds: str,
    refund_requested: bool = True,
    evidence=None,
) -> Dispute:
    """The buyer disputes one of its paid or fulfilled orders, saying what went wrong."""
    require_member(actor, org)
    order = Order.objects.select_for_update().get(pk=order.pk)
    if order.buyer_id != org.pk:
        raise NotAllowed(_("Only the buyer of an order may dispute it."))
    if order.status not in DISPUTABLE_ORDER_STATUSES:
        raise DomainError(
            _("Only a paid or fulfilled order can be disputed; this one is “%(status)s”.")
            % {"status": order.get_status_display()}
        )
    errors = {}
    if ground not in DisputeGround.values:
        errors["ground"] = _("Choose what went wrong.")
    if len((grounds or "").strip()) < 10:
        errors["grounds"] = _("Describe what happened (at least 10 characters).")
    if errors:
        raise DomainError(_("The dispute was not filed; correct the fields shown."), errors=errors)
    check_upload(evidence, field="evidence")
    if Dispute.objects.active().filter(order=order).exists():
        raise DomainError(_("This order already has a dispute under way; it is decided first."))
    try:
        with transaction.atomic():
            dispute = Dispute.objects.create(
                order=order,
                buyer=org,
                merchant=order.merchant,
                filed_by=actor,
                ground=ground,
                grounds=grounds.strip(),
                refund_requested=bool(refund_requested),
            )
    except IntegrityError as error:  # Another request filed one meanwhile.
        raise DomainError(_("This order already has a dispute under way; it is decided first.")) from error
    if evidence is not None:
        dispute.evidence.save(file_name(evidence), evidence, save=False)
        dispute.save(update_fields=["evidence"])
    audit_record(
        action="dispute.file",
        obj=dispute,
        actor=actor,
        organization=org,
        changes={"status": [None, dispute.status], "order": order.number, "ground": ground},
    )
    _tell_parties(
        dispute,
        "filed",
        _("A dispute was filed over order %(number)s. The exchange will investigate.") % {"number": order.number},
    )
    return dispute


def _move(dispute: Dispute, to: str, *, actor, reason: str = "", action: str, **fields) -> tuple[Dispute, bool]:
    """Lock the dispute, check the move, set status and ``fields``, write the audit entry."""
    dispute = Dispute.objects.select_for_update().select_related("order", "buyer", "merchant").get(pk=dispute.pk)
    if dispute.status == to:
        return dispute, False
    if not dispute.can_become(to):
        raise InvalidTransition(
            _("This dispute is “%(status)s” and cannot become “%(to)s”.")
            % {"status": dispute.get_status_display(), "to": DisputeStatus(to).label}
        )
    before = {"status": dispute.status, **{name: getattr(dispute, name) for name in fields}}
    dispute.status = to
    for name, value in fields.items():
        setattr(dispute, name, value)
    dispute.save(update_fields=["status", "updated_at", *fields])
    after = {"status": to, **fields}
    audit_record(
        action=action,
        obj=dispute,
        actor=actor,
        organization=dispute.merchant,
        changes={key: [before[key], after[key]] for key in after if before[key] != after[key]},
        reason=reason,
    )
    return dispute, True


@transaction.atomic
def dispute_investigate(*, dispute: Dispute, actor) -> Dispute:
    """An operator takes an open dispute into investigation; both parties see it."""
    require_operator(actor)
    dispute, moved = _move(
        dispute,
        DisputeStatus.INVESTIGATING,
        actor=actor,
        action="dispute.investigate",
        investigated_by=actor,
        investigation_started_at=timezone.now(),
    )
    if moved:
        _tell_parties(
            dispute,
            "investigating",
            _("The exchange is investigating the dispute over order %(number)s.") % {"number": dispute.order.number},
        )
    return dispute


@transaction.atomic
def dispute_uphold(*, dispute: Dispute, actor, reason: str, refund: bool = False) -> Dispute:
    """An operator upholds a dispute with reasons; with ``refund`` the order is refunded through the orders service."""
    require_operator(actor)
    reason = require_reason(reason)
    current = Dispute.objects.select_related("order").get(pk=dispute.pk)
    order = current.order
    if refund and current.status != DisputeStatus.UPHELD and not order.can_become(OrderStatus.REFUNDED):
        raise DomainError(
            _("Order %(number)s is “%(status)s” and cannot be refunded.")
            % {"number": order.number, "status": order.get_status_display()},
            field="refund",
        )
    dispute, moved = _move(
        dispute,
        DisputeStatus.UPHELD,
        actor=actor,
        reason=reason,
        action="dispute.uphold",
        decided_by=actor,
        decided_at=timezone.now(),
        decision_reason=reason,
        refunded=bool(refund),
    )
    if not moved:
        return dispute
    if refund:
        from marketplace.orders.services import order_refund

        order_refund(order=order, actor=actor, reason=_("Dispute upheld: %(reason)s") % {"reason": reason})
    _tell_parties(
        dispute,
        "upheld",
        _("The dispute over order %(number)s was upheld: %(reason)s") % {"number": order.number, "reason": reason},
    )
    return dispute


@transaction.atomic
def dispute_dismiss(*, dispute: Dispute, actor, reason: str) -> Dispute:
    """An operator dismisses a dispute with reasons."""
    require_operator(actor)
    reason = require_reason(reason)
    dispute, moved = _move(
        dispute,
        DisputeStatus.DISMISSED,
        actor=actor,
        reason=reason,
        action="dispute.dismiss",
        decided_by=actor,
        decided_at=timezone.now(),
        decision_reason=reason,
    )
    if moved:
        _tell_parties(
            dispute,
            "dismissed",
            _("The dispute over order %(number)s was dismissed: %(reason)s")
            % {"number": dispute.order.number, "reason": reason},
        )
    return dispute
