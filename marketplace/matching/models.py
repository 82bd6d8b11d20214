"""Demands (需求), their matches with listed products, offers (报价), and the term statistics of matching."""

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization
from catalog.choices import DeliveryModeCode, Purpose, Section
from catalog.models import Product
from pricing.models import BillingUnit, Plan

MONEY = {"max_digits": 14, "decimal_places": 2}


class DemandStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")
    EXPIRED = "expired", _("Expired")


DEMAND_TRANSITIONS = {DemandStatus.OPEN: {DemandStatus.CLOSED, DemandStatus.EXPIRED}}


class DemandQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status=DemandStatus.OPEN)

    def public(self):
        return self.filter(is_public=True)

    def of_buyer(self, organization):
        return self.filter(buyer=organization)


class Demand(models.Model):
    """What data a buyer needs: free Chinese text plus structure (section, delivery, purpose, volume, budget…)."""

    Status = DemandStatus
    TRANSITIONS = DEMAND_TRANSITIONS

    buyer = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="demands")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    title = models.CharField(_("what data you need"), max_length=120)
    description = models.TextField(_("description"))
    section = models.CharField(_("industry section"), max_length=1, choices=Section.choices, blank=True)
    delivery_modes = models.JSONField(_("delivery modes accepted"), default=list, blank=True)
    purpose = models.CharField(_("purpose"), max_length=24, choices=Purpose.choices)
    scenario = models.TextField(_("application scenario"), blank=True)
    volume = models.PositiveIntegerField(_("expected volume"), default=1)
    volume_unit = models.CharField(
        _("unit of the volume"), max_length=20, choices=BillingUnit.choices, default=BillingUnit.PER_CALL
    )
    budget_min = models.DecimalField(_("budget from (yuan)"), null=True, blank=True, **MONEY)
    budget_max = models.DecimalField(_("budget up to (yuan)"), null=True, blank=True, **MONEY)
    region = models.CharField(_("region"), max_length=100, blank=True)
    deadline = models.DateField(_("deadline"))
    is_public = models.BooleanField(_("shown in the public list of demands"), default=True)
    hide_buyer = models.BooleanField(_("hide our name"), default=False)
    status = models.CharField(_("status"), max_length=12, choices=DemandStatus.choices, default=DemandStatus.OPEN)
    status_reason = models.TextField(_("reason of the last change"), blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # The demand's query words (jieba, precise mode), space-padded; on PostgreSQL a tsvector of them with a GIN
    # index (migration 0002), so a newly listed product finds the demands sharing its words.
    search_document = models.TextField(default="", editable=False)
    title_term_count = models.PositiveSmallIntegerField(
        default=0, editable=False
    )  # the first words come from the title
    search_vector = SearchVectorField(null=True, editable=False)
    matched_at = models.DateTimeField(_("last matched"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = DemandQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "deadline"], name="demand_status_deadline_idx"),
            models.Index(fields=["buyer", "-created_at"], name="demand_buyer_idx"),
        ]

    def __str__(self):
        return self.title

    def can_become(self, status: str) -> bool:
        return status in self.TRANSITIONS.get(self.status, set())

    @property
    def is_open(self) -> bool:
        return self.status == DemandStatus.OPEN

    @property
    def terms(self) -> list[str]:
        return self.search_document.split()

    def get_delivery_mode_labels(self) -> list[str]:
        return [DeliveryModeCode(m).label for m in self.delivery_modes if m in DeliveryModeCode.values]

    def buyer_label(self, viewer_organization=None) -> str:
        """The buyer's name, unless hidden from anyone but the buyer itself."""
        if self.hide_buyer and (viewer_organization is None or viewer_organization.pk != self.buyer_id):
            return str(_("A buyer (name withheld)"))
        return self.buyer.name

    @property
    def days_left(self) -> int:
        return (self.deadline - timezone.localdate()).days


class Match(models.Model):
    """A listed product scored against an open demand, with the reasons shown to both sides."""

    demand = models.ForeignKey(Demand, on_delete=models.CASCADE, related_name="matches")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="demand_matches")
    score = models.FloatField(_("score"))
    components = models.JSONField(default=dict, blank=True)
    reasons = models.JSONField(default=list, blank=True)
    notified_at = models.DateTimeField(_("notified at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["demand", "-score", "pk"]
        verbose_name_plural = _("matches")
        constraints = [models.UniqueConstraint(fields=["demand", "product"], name="unique_demand_product_match")]
        indexes = [
            models.Index(fields=["demand", "-score"], name="match_demand_score_idx"),
            models.Index(fields=["product", "-score"], name="match_product_score_idx"),
        ]

    def __str__(self):
        return f"{self.demand_id} × {self.product_id}: {self.score:.2f}"

    @property
    def percent(self) -> int:
        return round(self.score * 100)

    @property
    def above_threshold(self) -> bool:
        return self.score >= settings.MATCH_NOTIFY_THRESHOLD

    def reason_lines(self) -> list[str]:
        from .scoring import reason_lines

        return reason_lines(self.reasons)

    @property
    def reasons_text(self) -> str:
        from .scoring import reasons_text

        return reasons_text(self.reasons)


class OfferStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting the buyer's answer")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    EXPIRED = "expired", _("Expired")


OFFER_TRANSITIONS = {
    OfferStatus.PENDING: {OfferStatus.ACCEPTED, OfferStatus.DECLINED, OfferStatus.WITHDRAWN, OfferStatus.EXPIRED}
}


class Offer(models.Model):
    """A merchant's answer to a demand: a plan of one of its products at a price, valid until a date."""

    Status = OfferStatus
    TRANSITIONS = OFFER_TRANSITIONS

    demand = models.ForeignKey(Demand, on_delete=models.CASCADE, related_name="offers")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="offers")
    merchant = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="offers_made")
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="offers")
    quantity = models.PositiveIntegerField(_("quantity"))
    unit_price = models.DecimalField(_("price per unit (yuan)"), **MONEY)
    amount = models.DecimalField(_("amount"), **MONEY)
    quote = models.JSONField(_("quote"), default=dict, blank=True)
    valid_until = models.DateField(_("valid until"))
    message = models.TextField(_("message"), blank=True)
    status = models.CharField(_("status"), max_length=12, choices=OfferStatus.choices, default=OfferStatus.PENDING)
    status_reason = models.TextField(_("reason"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    order_number = models.CharField(_("order"), max_length=32, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["demand", "product"],
                condition=models.Q(status="pending"),
                name="one_pending_offer_per_demand_product",
            )
        ]
        indexes = [
            models.Index(fields=["merchant", "-created_at"], name="offer_merchant_idx"),
            models.Index(fields=["status", "valid_until"], name="offer_status_valid_idx"),
        ]

    def __str__(self):
        return f"{self.product.name} → {self.demand.title}: {self.amount}"

    def can_become(self, status: str) -> bool:
        return status in self.TRANSITIONS.get(self.status, set())

    @property
    def is_pending(self) -> bool:
        return self.status == OfferStatus.PENDING

    @property
    def is_lapsed(self) -> bool:
        """Pending but past its validity date (the periodic task will mark it expired)."""
        return self.is_pending and self.valid_until < timezone.localdate()


class TermStat(models.Model):
    """In how many listed products a word occurs (document frequency), kept up to date incrementally."""

    term = models.CharField(max_length=100, primary_key=True)
    df = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["term"]

    def __str__(self):
        return f"{self.term}: {self.df}"


class CorpusStat(models.Model):
    """The single row of corpus totals for BM25: how many products are counted and their total length."""

    documents = models.PositiveIntegerField(default=0)
    total_length = models.BigIntegerField(default=0)
    rebuilt_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("corpus statistics")

    def __str__(self):
        return f"{self.documents} documents"

    @property
    def average_length(self) -> float:
        return self.total_length / self.documents if self.documents else 0.0


class IndexedProduct(models.Model):
    """A product counted in the term statistics, with the words it added (so it can be taken out exactly)."""

    product = models.OneToOneField(Product, on_delete=models.CASCADE, primary_key=True, related_name="+")
    length = models.PositiveIntegerField(default=0)
    terms = models.JSONField(default=list)
    indexed_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["product"]

    def __str__(self):
        return f"{self.product_id}: {len(self.terms)} terms"


class ProductVector(models.Model):
    """A listed product's words and allowed purposes as one tsvector, GIN-indexed (PostgreSQL only).

    A new demand's candidates are searched in this narrow table rather than in the wide catalog
    rows, and the purpose lexemes (``purposeriskcontrol``…) let the index itself drop products that
    do not allow the demand's purpose. Kept by ``product_index`` and ``term_stats_rebuild``.
    """

    product = models.OneToOneField(Product, on_delete=models.CASCADE, primary_key=True, related_name="+")
    search_vector = SearchVectorField(null=True)

    class Meta:
        ordering = ["product"]

    def __str__(self):
        return str(self.product_id)
