"""Disputes over orders, statements asked of the parties, and violations recorded by operators (DESIGN §3.6).

Objections (数据异议) themselves live in catalog (``catalog.Objection``); governance adds the statements
operators ask of the objector and the holder. Credit is computed from these records on the fly
(``marketplace.governance.credit``); nothing here stores a score.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization


class DisputeStatus(models.TextChoices):
    OPEN = "open", _("Open")
    INVESTIGATING = "investigating", _("Under investigation")
    UPHELD = "upheld", _("Upheld")
    DISMISSED = "dismissed", _("Dismissed")


DS = DisputeStatus
DISPUTE_TRANSITIONS = {
    DS.OPEN: {DS.INVESTIGATING, DS.UPHELD, DS.DISMISSED},
    DS.INVESTIGATING: {DS.UPHELD, DS.DISMISSED},
}
ACTIVE_DISPUTE_STATUSES = (DS.OPEN, DS.INVESTIGATING)


class DisputeGround(models.TextChoices):
    """What the buyer says went wrong (争议事由)."""

    NOT_DELIVERED = "not_delivered", _("Access was not delivered")
    NOT_AS_DESCRIBED = "not_as_described", _("The data is not as described")
    QUALITY = "quality", _("The data quality is unacceptable")
    OVERCHARGED = "overcharged", _("Charged more than agreed")
    UNLAWFUL = "unlawful", _("The data's source or use is unlawful")
    OTHER = "other", _("Other")


class DisputeQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status__in=ACTIVE_DISPUTE_STATUSES)

    def involving(self, organization):
        return self.filter(models.Q(buyer=organization) | models.Q(merchant=organization))


class Dispute(models.Model):
    """A buyer's dispute (争议) over one of its orders, investigated and decided by an operator."""

    Status = DisputeStatus
    Ground = DisputeGround
    TRANSITIONS = DISPUTE_TRANSITIONS

    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="disputes")
    buyer = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="disputes_filed")
    merchant = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="disputes_against")
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    ground = models.CharField(_("ground"), max_length=20, choices=DisputeGround.choices)
    grounds = models.TextField(_("what happened"))
    evidence = models.FileField(_("evidence"), upload_to="disputes/%Y/", blank=True)
    refund_requested = models.BooleanField(_("refund requested"), default=True)
    status = models.CharField(_("status"), max_length=16, choices=DisputeStatus.choices, default=DS.OPEN)
    investigated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    investigation_started_at = models.DateTimeField(_("investigation started"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decision_reason = models.TextField(_("reasons of the decision"), blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    refunded = models.BooleanField(_("refunded on the decision"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = DisputeQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("dispute")
        verbose_name_plural = _("disputes")
        constraints = [
            # One dispute at a time per order: a second waits for the first to be decided.
            models.UniqueConstraint(
                fields=["order"],
                condition=models.Q(status__in=["open", "investigating"]),
                name="one_active_dispute_per_order",
            )
        ]
        indexes = [
            models.Index(fields=["status", "created_at"], name="dispute_status_idx"),
            models.Index(fields=["merchant", "status"], name="dispute_merchant_idx"),
        ]

    def __str__(self):
        return f"{self.order} · {self.get_ground_display()} [{self.get_status_display()}]"

    def can_become(self, status: str) -> bool:
        return status in self.TRANSITIONS.get(self.status, set())

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_DISPUTE_STATUSES


class StatementParty(models.TextChoices):
    """Who a statement is asked of: the two sides of an objection or of a dispute."""

    OBJECTOR = "objector", _("The objector")
    HOLDER = "holder", _("The registration's holder")
    BUYER = "buyer", _("The buyer")
    MERCHANT = "merchant", _("The merchant")


OBJECTION_PARTIES = (StatementParty.OBJECTOR, StatementParty.HOLDER)
DISPUTE_PARTIES = (StatementParty.BUYER, StatementParty.MERCHANT)


class StatementStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    RECEIVED = "received", _("Received")


class Statement(models.Model):
    """A statement an operator asks of one party to an objection or a dispute, and the party's answer."""

    Party = StatementParty
    Status = StatementStatus
    TRANSITIONS = {StatementStatus.REQUESTED: {StatementStatus.RECEIVED}}

    objection = models.ForeignKey(
        "catalog.Objection", null=True, blank=True, on_delete=models.CASCADE, related_name="statements"
    )
    dispute = models.ForeignKey(Dispute, null=True, blank=True, on_delete=models.CASCADE, related_name="statements")
    party = models.CharField(_("party"), max_length=10, choices=StatementParty.choices)
    # The party answering: an organisation (holder, buyer, merchant) or, for an objector, a person.
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.PROTECT, related_name="statements"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="statements"
    )
    question = models.TextField(_("what the operator asks"))
    due_at = models.DateTimeField(_("answer by"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(
        _("status"), max_length=10, choices=StatementStatus.choices, default=StatementStatus.REQUESTED
    )
    answer = models.TextField(_("statement"), blank=True)
    attachment = models.FileField(_("attachment"), upload_to="statements/%Y/", blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("statement")
        verbose_name_plural = _("statements")
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(objection__isnull=False) & models.Q(dispute__isnull=True))
                | (models.Q(objection__isnull=True) & models.Q(dispute__isnull=False)),
                name="statement_in_one_case",
            ),
            models.CheckConstraint(
                condition=models.Q(organization__isnull=False) | models.Q(person__isnull=False),
                name="statement_has_party",
            ),
        ]

    def __str__(self):
        return f"{self.get_party_display()} [{self.get_status_display()}]"

    def can_become(self, status: str) -> bool:
        return status in self.TRANSITIONS.get(self.status, set())

    @property
    def case(self):
        return self.objection if self.objection_id else self.dispute


class ViolationKind(models.TextChoices):
    """Kinds of violation of the exchange's rules an operator records (违规行为)."""

    FALSE_INFORMATION = "false_information", _("False or misleading information")
    BEYOND_AUTHORISATION = "beyond_authorisation", _("Use beyond the authorisation (超授权)")
    PERSONAL_INFORMATION = "personal_information", _("Unlawful handling of personal information")
    PRICING = "pricing", _("Breach of pricing rules")
    CONTRACT = "contract", _("Breach of a trading contract")
    OFF_EXCHANGE = "off_exchange", _("Circumventing the exchange")
    OTHER = "other", _("Other")


class ViolationSeverity(models.TextChoices):
    MINOR = "minor", _("Minor")
    SERIOUS = "serious", _("Serious")
    GRAVE = "grave", _("Grave")


class ViolationQuerySet(models.QuerySet):
    def in_force(self):
        return self.filter(rescinded_at__isnull=True)


class Violation(models.Model):
    """A violation of the exchange's rules by an organisation, recorded by an operator; it lowers credit."""

    Kind = ViolationKind
    Severity = ViolationSeverity

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="violations")
    kind = models.CharField(_("kind"), max_length=24, choices=ViolationKind.choices)
    severity = models.CharField(_("severity"), max_length=8, choices=ViolationSeverity.choices)
    description = models.TextField(_("what happened"))
    occurred_on = models.DateField(_("occurred on"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    rescinded_at = models.DateTimeField(_("rescinded at"), null=True, blank=True)
    rescinded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    rescind_reason = models.TextField(_("why it was rescinded"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ViolationQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_on", "-pk"]
        verbose_name = _("violation")
        verbose_name_plural = _("violations")
        indexes = [models.Index(fields=["organization", "occurred_on"], name="violation_org_idx")]

    def __str__(self):
        return f"{self.organization} · {self.get_kind_display()} ({self.get_severity_display()})"

    @property
    def is_in_force(self) -> bool:
        return self.rescinded_at is None
