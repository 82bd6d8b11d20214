"""Violations (违规) of the exchange's rules, recorded by operators; they lower the organisation's credit."""

from datetime import date

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import audit_record
from accounts.exceptions import DomainError
from accounts.models import Organization
from accounts.services import notify

from ..models import Violation, ViolationKind, ViolationSeverity
from ..rules import require_operator, require_reason


@transaction.atomic
def violation_record(
    *, organization: Organization, actor, kind: str, severity: str, description: str, occurred_on: date
) -> Violation:
    """An operator records a violation by an organisation; the organisation is told and its credit falls."""
    require_operator(actor)
    errors = {}
    if kind not in ViolationKind.values:
        errors["kind"] = _("Choose the kind of violation.")
    if severity not in ViolationSeverity.values:
        errors["severity"] = _("Choose how serious it is.")
    if len((description or "").strip()) < 10:
        errors["description"] = _("Describe what happened (at least 10 characters); the organisation reads it.")
    if not isinstance(occurred_on, date):
        errors["occurred_on"] = _("Give the date it happened.")
    elif occurred_on > timezone.localdate():
        errors["occurred_on"] = _("The date is in the future.")
    if errors:
        raise DomainError(_("The violation was not recorded; correct the fields shown."), errors=errors)
    violation = Violation.objects.create(
        organization=organization,
        kind=kind,
        severity=severity,
        description=description.strip(),
        occurred_on=occurred_on,
        recorded_by=actor,
    )
    audit_record(
        action="violation.record",
        obj=violation,
        actor=actor,
        organization=organization,
        changes={"kind": [None, kind], "severity": [None, severity], "occurred_on": [None, occurred_on]},
        reason=violation.description,
    )
    notify(
        kind="violation",
        organization=organization,
        url=reverse("governance:my_credit"),
        dedupe_key=f"violation:{violation.pk}:recorded",
        message=_("The exchange recorded a violation by your organisation (%(kind)s): %(description)s")
        % {"kind": violation.get_kind_display(), "description": violation.description},
    )
    return violation


@transaction.atomic
def violation_rescind(*, violation: Violation, actor, reason: str) -> Violation:
    """An operator rescinds a violation recorded in error; it stops counting against credit at once."""
    require_operator(actor)
    reason = require_reason(reason)
    violation = Violation.objects.select_for_update().get(pk=violation.pk)
    if violation.rescinded_at is not None:
        return violation
    violation.rescinded_at = timezone.now()
    violation.rescinded_by = actor
    violation.rescind_reason = reason
    violation.save(update_fields=["rescinded_at", "rescinded_by", "rescind_reason"])
    audit_record(
        action="violation.rescind",
        obj=violation,
        actor=actor,
        organization=violation.organization,
        changes={"rescinded_at": [None, violation.rescinded_at]},
        reason=reason,
    )
    notify(
        kind="violation",
        organization=violation.organization,
        url=reverse("governance:my_credit"),
        dedupe_key=f"violation:{violation.pk}:rescinded",
        message=_("The exchange rescinded a violation recorded against your organisation: %(reason)s")
        % {"reason": reason},
    )
    return violation
