"""Guided-price catalogue, maximum permitted revenue, market plans and free use (DESIGN §3.3)."""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization
from catalog.choices import DeliveryModeCode, Purpose, Section
from catalog.models import Product

MONEY = {"max_digits": 14, "decimal_places": 2}


def local_date(moment: datetime | date) -> date:
    """The calendar day (Asia/Shanghai) a moment falls on; prices change by day."""
    if isinstance(moment, datetime):
        return timezone.localdate(moment) if timezone.is_aware(moment) else moment.date()
    return moment


class BillingUnit(models.TextChoices):
    """Billing units of the pricing rules: per product, per call, per volume, per time, per dataset."""

    PER_PRODUCT = "per_product", _("per product")
    PER_CALL = "per_call", _("per call")
    PER_THOUSAND_RECORDS = "per_1000_records", _("per 1,000 records")
    PER_MONTH = "per_month", _("per month")
    PER_DATASET = "per_dataset", _("per dataset")


# How a unit price is written after the amount: ``¥0.50/call``.
UNIT_SUFFIX = {
    BillingUnit.PER_PRODUCT: _("/product"),
    BillingUnit.PER_CALL: _("/call"),
    BillingUnit.PER_THOUSAND_RECORDS: _("/1,000 records"),
    BillingUnit.PER_MONTH: _("/month"),
    BillingUnit.PER_DATASET: _("/dataset"),
}


class GuidedPriceEntry(models.Model):
    """One line of the guided-price catalogue: a section, a delivery mode and a billing unit.

    Its terms live in immutable versions; revising adds a version.
    """

    section = models.CharField(_("industry section"), max_length=1, choices=Section.choices)
    delivery_mode = models.CharField(_("delivery mode"), max_length=16, choices=DeliveryModeCode.choices)
    billing_unit = models.CharField(_("billing unit"), max_length=20, choices=BillingUnit.choices)
    title = models.CharField(_("title"), max_length=120)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["section", "delivery_mode", "billing_unit"]
        verbose_name = _("guided-price entry")
        verbose_name_plural = _("guided-price entries")
        constraints = [
            models.UniqueConstraint(
                fields=["section", "delivery_mode", "billing_unit"], name="unique_guided_price_entry"
            )
        ]

    def __str__(self):
        return f"{self.section} · {self.get_delivery_mode_display()} · {self.get_billing_unit_display()}: {self.title}"


@dataclass(frozen=True)
class Tier:
    """From ``from_quantity`` units on, each further unit costs at most ``unit_price``."""

    from_quantity: int
    unit_price: Decimal


class GuidedPriceVersion(models.Model):
    """The terms of a catalogue entry from one revision on. Never updated once written."""

    entry = models.ForeignKey(GuidedPriceEntry, on_delete=models.PROTECT, related_name="versions")
    version = models.PositiveIntegerField(_("version"))
    cap = models.DecimalField(_("price cap (收费上限)"), **MONEY)
    tiers = models.JSONField(_("volume tiers"), default=list, blank=True)
    sme_discount_percent = models.DecimalField(
        _("SME discount (%)"), max_digits=5, decimal_places=2, default=Decimal("0.00")
    )
    effective_from = models.DateField(_("effective from"))
    effective_until = models.DateField(_("effective until"), null=True, blank=True)
    is_trial = models.BooleanField(_("trial standard (试行收费标准)"), default=False)
    trial_expires_on = models.DateField(_("trial expires on"), null=True, blank=True)
    basis = models.CharField(_("basis (document number)"), max_length=200, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    published_at = models.DateTimeField(_("published at"), default=timezone.now)

    class Meta:
        ordering = ["entry", "-version"]
        verbose_name = _("guided-price version")
        verbose_name_plural = _("guided-price versions")
        constraints = [models.UniqueConstraint(fields=["entry", "version"], name="unique_guided_price_version")]

    def __str__(self):
        return f"{self.entry_id} v{self.version}: ≤ {self.cap}"

    @property
    def tier_list(self) -> list[Tier]:
        return [Tier(int(t["from_quantity"]), Decimal(str(t["unit_price"]))) for t in self.tiers or []]

    @property
    def ends_on(self) -> date | None:
        """The last day these terms can be in force: the earlier of the end and the trial's expiry."""
        ends = [d for d in (self.effective_until, self.trial_expires_on if self.is_trial else None) if d]
        return min(ends) if ends else None

    def covers(self, moment: datetime | date) -> bool:
        """Whether the moment falls in this version's own effective period (ignoring later versions)."""
        day = local_date(moment)
        ends = self.ends_on
        return self.effective_from <= day and (ends is None or day <= ends)


class PermittedRevenue(models.Model):
    """Maximum permitted revenue (最高准许收入) of a public-data operator for one year."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="permitted_revenues")
    year = models.PositiveSmallIntegerField(_("period (year)"))
    operating_cost = models.DecimalField(_("operating cost"), **MONEY)
    permitted_profit = models.DecimalField(_("permitted profit"), **MONEY)
    tax = models.DecimalField(_("tax"), **MONEY)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["organization__name", "-year"]
        verbose_name = _("maximum permitted revenue")
        verbose_name_plural = _("maximum permitted revenues")
        constraints = [models.UniqueConstraint(fields=["organization", "year"], name="unique_permitted_revenue")]

    def __str__(self):
        return f"{self.organization} {self.year}: {self.amount}"

    @property
    def amount(self) -> Decimal:
        """Operating cost + permitted profit + tax."""
        return self.operating_cost + self.permitted_profit + self.tax


class RevenueRecord(models.Model):
    """Guided-price revenue earned by an operator (fed by orders); negative for refunds."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="revenue_records")
    amount = models.DecimalField(_("amount"), **MONEY)
    period_date = models.DateField(_("date earned"))
    source = models.CharField(_("source"), max_length=120)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-period_date", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "source"], condition=~models.Q(source=""), name="unique_revenue_source"
            )
        ]
        indexes = [models.Index(fields=["organization", "period_date"], name="revenue_org_date_idx")]

    def __str__(self):
        return f"{self.organization} {self.period_date}: {self.amount} ({self.source})"


class PlanKind(models.TextChoices):
    PER_CALL = "per_call", _("Pay per call")
    PER_RECORDS = "per_records", _("Pay per 1,000 records")
    SUBSCRIPTION = "subscription", _("Monthly subscription with a quota")
    DATASET_LICENCE = "dataset_licence", _("One-off dataset licence")
    PRODUCT_LICENCE = "product_licence", _("One-off product licence")
    QUOTATION = "quotation", _("Quotation on request (议价)")


# The billing unit each kind of plan is priced in; a quotation has none.
KIND_UNIT = {
    PlanKind.PER_CALL: BillingUnit.PER_CALL,
    PlanKind.PER_RECORDS: BillingUnit.PER_THOUSAND_RECORDS,
    PlanKind.SUBSCRIPTION: BillingUnit.PER_MONTH,
    PlanKind.DATASET_LICENCE: BillingUnit.PER_DATASET,
    PlanKind.PRODUCT_LICENCE: BillingUnit.PER_PRODUCT,
}


class Plan(models.Model):
    """A price plan a merchant offers for its product; part of the listing."""

    Kind = PlanKind

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="plans")
    name = models.CharField(_("plan name"), max_length=80)
    kind = models.CharField(_("kind"), max_length=20, choices=PlanKind.choices)
    delivery_mode = models.CharField(_("delivery mode"), max_length=16, choices=DeliveryModeCode.choices)
    unit_price = models.DecimalField(_("price"), null=True, blank=True, **MONEY)
    monthly_quota = models.PositiveIntegerField(_("calls included per month"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    above_cap_since = models.DateTimeField(_("above the guided cap since"), null=True, blank=True)
    above_cap_version = models.ForeignKey(
        GuidedPriceVersion, null=True, blank=True, on_delete=models.SET_NULL, related_name="flagged_plans"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["product", "-is_active", "pk"]
        indexes = [models.Index(fields=["product", "is_active"], name="plan_product_active_idx")]

    def __str__(self):
        return f"{self.name} ({self.get_kind_display()})"

    @property
    def billing_unit(self) -> str | None:
        return KIND_UNIT.get(self.kind)

    @property
    def is_flagged(self) -> bool:
        return self.above_cap_since is not None

    @property
    def unit_suffix(self) -> str:
        return str(UNIT_SUFFIX[self.billing_unit]) if self.billing_unit else ""


class PlanPriceChange(models.Model):
    """One change of a plan's price (the first row is the price it was created with)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="price_changes")
    old_price = models.DecimalField(_("old price"), null=True, blank=True, **MONEY)
    new_price = models.DecimalField(_("new price"), null=True, blank=True, **MONEY)
    effective_at = models.DateTimeField(_("effective for new buyers"))
    subscribers_from = models.DateTimeField(_("reaches existing subscribers"))
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["plan", "effective_at", "pk"]

    def __str__(self):
        return f"{self.plan_id}: {self.old_price} → {self.new_price} at {self.effective_at:%Y-%m-%d}"

    @property
    def is_increase(self) -> bool:
        return self.old_price is not None and self.new_price is not None and self.new_price > self.old_price


FREE_USE_PURPOSES = (Purpose.PUBLIC_GOVERNANCE, Purpose.PUBLIC_WELFARE)


class FreeUseStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting decision")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")


class FreeUseApplication(models.Model):
    """A buyer's application for conditional free use (有条件无偿使用) of a public-data product."""

    Status = FreeUseStatus
    TRANSITIONS = {FreeUseStatus.PENDING: {FreeUseStatus.APPROVED, FreeUseStatus.REFUSED}}

    buyer = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="free_use_applications")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="free_use_applications")
    purpose = models.CharField(_("purpose"), max_length=24, choices=[(p.value, p.label) for p in FREE_USE_PURPOSES])
    statement = models.TextField(_("statement of the public-interest use"))
    applicant = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(_("status"), max_length=12, choices=FreeUseStatus.choices, default=FreeUseStatus.PENDING)
    decision_reason = models.TextField(_("reason"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(_("free use until"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["buyer", "product", "status"], name="free_use_lookup_idx")]

    def __str__(self):
        return f"{self.buyer} · {self.product.name} · {self.get_purpose_display()} [{self.get_status_display()}]"

    def can_become(self, status: str) -> bool:
        return status in self.TRANSITIONS.get(self.status, set())

    def grants(self, *, buyer_id, product_id, purpose: str, moment: datetime) -> bool:
        """Whether this application makes that buyer's use of that product for that purpose free at ``moment``."""
        return (
            self.status == FreeUseStatus.APPROVED
            and self.buyer_id == buyer_id
            and self.product_id == product_id
            and self.purpose == purpose
            and self.expires_at is not None
            and moment < self.expires_at
        )

    def is_expired(self, moment: datetime | None = None) -> bool:
        return (
            self.status == FreeUseStatus.APPROVED
            and self.expires_at is not None
            and (moment or timezone.now()) >= self.expires_at
        )
