"""Entitlements, API keys, the merchants' data behind the data API, and its usage log (DESIGN §3.5)."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization
from catalog.models import Product
from pricing.models import Plan

from .storage import private_storage


class EntitlementStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    REVOKED = "revoked", _("Revoked")


ENTITLEMENT_TRANSITIONS = {EntitlementStatus.ACTIVE: {EntitlementStatus.REVOKED}}


class QuotaUnit(models.TextChoices):
    CALLS = "calls", _("calls")
    RECORDS = "records", _("records")


class Entitlement(models.Model):
    """What a fulfilled order grants: calls (or records) of one product under one plan, until an expiry.

    ``quota`` is per period for a subscription (``monthly``), for the whole term otherwise;
    ``None`` means no quota (a licence), still rate-limited. ``used`` only moves through one
    conditional UPDATE (``services.quota_take``), and the check constraint refuses a count above the quota.
    """

    Status = EntitlementStatus
    TRANSITIONS = ENTITLEMENT_TRANSITIONS

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="entitlements")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="entitlements")
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="entitlements")
    order = models.OneToOneField("orders.Order", on_delete=models.PROTECT, related_name="entitlement")
    delivery_mode = models.CharField(_("delivery mode"), max_length=16)
    unit = models.CharField(_("unit"), max_length=8, choices=QuotaUnit.choices, default=QuotaUnit.CALLS)
    quota = models.PositiveBigIntegerField(_("quota"), null=True, blank=True)
    used = models.PositiveBigIntegerField(_("used"), default=0)
    monthly = models.BooleanField(_("quota renews monthly"), default=False)
    period_starts_at = models.DateTimeField(null=True, blank=True)
    period_ends_at = models.DateTimeField(null=True, blank=True)
    starts_at = models.DateTimeField(_("valid from"))
    expires_at = models.DateTimeField(_("expires at"))
    status = models.CharField(_("status"), max_length=8, choices=EntitlementStatus.choices, default="active")
    status_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quota__isnull=True) | Q(used__lte=F("quota")), name="entitlement_used_within_quota"
            )
        ]
        indexes = [models.Index(fields=["organization", "product", "status"], name="entitlement_lookup_idx")]

    def __str__(self):
        return f"{self.organization} · {self.product.name} · {self.plan.name}"

    def can_become(self, status: str) -> bool:
        return status in self.TRANSITIONS.get(self.status, set())

    @property
    def remaining(self) -> int | None:
        return None if self.quota is None else max(self.quota - self.used, 0)

    def is_usable(self, moment=None) -> bool:
        moment = moment or timezone.now()
        return self.status == EntitlementStatus.ACTIVE and self.starts_at <= moment < self.expires_at

    @property
    def used_percent(self) -> int:
        if not self.quota:
            return 0
        return min(100, round(self.used * 100 / self.quota))


class ApiKey(models.Model):
    """A buyer organisation's key to the data API. Only its prefix and a keyed hash are stored."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="api_keys")
    name = models.CharField(_("name"), max_length=80)
    prefix = models.CharField(_("prefix"), max_length=16, unique=True)
    key_hash = models.CharField(max_length=64)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API key")

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    def is_usable(self, moment=None) -> bool:
        moment = moment or timezone.now()
        return self.revoked_at is None and (self.expires_at is None or moment < self.expires_at)

    @property
    def state(self) -> str:
        if self.revoked_at:
            return "revoked"
        if self.expires_at and timezone.now() >= self.expires_at:
            return "expired"
        return "active"


class TableStatus(models.TextChoices):
    LOADING = "loading", _("Loading")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")


class DatasetTable(models.Model):
    """A merchant's upload behind a dataset or verification product; the current ready one is served."""

    Status = TableStatus

    class Mode(models.TextChoices):
        DATASET = "dataset", _("Dataset (queried with filters)")
        VERIFICATION = "verification", _("Verification (match / no match)")

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="dataset_tables")
    mode = models.CharField(_("served as"), max_length=16, choices=Mode.choices)
    source = models.FileField(upload_to="datasets/%Y/", storage=private_storage, blank=True)
    source_name = models.CharField(_("file name"), max_length=200, blank=True)
    columns = models.JSONField(_("columns"), default=list)
    lookup_columns = models.JSONField(_("key columns"), default=list, blank=True)
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    status = models.CharField(_("status"), max_length=8, choices=TableStatus.choices, default=TableStatus.LOADING)
    is_current = models.BooleanField(default=False)
    error = models.TextField(blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    loaded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["product", "mode"], condition=Q(is_current=True), name="one_current_table_per_mode"
            )
        ]

    def __str__(self):
        return f"{self.product.name} · {self.get_mode_display()} · {self.source_name}"


class DatasetRow(models.Model):
    """One row of a dataset table, its cells keyed by column name (a GIN index on PostgreSQL)."""

    table = models.ForeignKey(DatasetTable, on_delete=models.CASCADE, related_name="rows")
    number = models.PositiveIntegerField()
    data = models.JSONField()

    class Meta:
        ordering = ["table_id", "number"]
        constraints = [models.UniqueConstraint(fields=["table", "number"], name="unique_dataset_row_number")]

    def __str__(self):
        return f"{self.table_id}#{self.number}"


class VerificationRecord(models.Model):
    """A record a verification product checks against, kept only as keyed digests of its fields.

    The exchange can tell whether a submitted value equals the record's, and nothing more:
    the plain values never reach the database.
    """

    table = models.ForeignKey(DatasetTable, on_delete=models.CASCADE, related_name="verification_records")
    lookup_digest = models.CharField(max_length=64)
    field_digests = models.JSONField()

    class Meta:
        ordering = ["table_id", "pk"]
        indexes = [models.Index(fields=["table", "lookup_digest"], name="verification_lookup_idx")]

    def __str__(self):
        return f"{self.table_id}:{self.lookup_digest[:12]}"


class UpstreamEndpoint(models.Model):
    """The merchant's own API an upstream product is served from, with its credential (encrypted)."""

    class Method(models.TextChoices):
        GET = "GET", "GET"
        POST = "POST", "POST"

    product = models.OneToOneField(Product, on_delete=models.CASCADE, related_name="upstream_endpoint")
    url = models.URLField(_("endpoint URL"), max_length=500)
    method = models.CharField(_("method"), max_length=4, choices=Method.choices, default=Method.GET)
    auth_header = models.CharField(_("credential header"), max_length=64, default="Authorization")
    credential_encrypted = models.TextField(blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["product"]

    def __str__(self):
        return f"{self.product.name} → {self.url}"


class UsageLog(models.Model):
    """One call of the data API (served or refused), for traceability and usage charts."""

    class Endpoint(models.TextChoices):
        DATASET = "dataset", _("Dataset query")
        VERIFICATION = "verification", _("Verification")
        UPSTREAM = "upstream", _("Upstream API")

    # The single-column indexes Django would add to these three are prefixes of the composite
    # indexes below: every data call inserts a row here, so each index left out is a write saved.
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="usage_logs", db_index=False)
    product = models.ForeignKey(
        Product, null=True, on_delete=models.SET_NULL, related_name="usage_logs", db_index=False
    )
    entitlement = models.ForeignKey(
        Entitlement, null=True, on_delete=models.SET_NULL, related_name="usage_logs", db_index=False
    )
    api_key = models.ForeignKey(ApiKey, null=True, on_delete=models.SET_NULL, related_name="usage_logs")
    key_prefix = models.CharField(max_length=16)
    endpoint = models.CharField(max_length=16, choices=Endpoint.choices)
    params_digest = models.CharField(max_length=64)
    rows = models.PositiveIntegerField(default=0)
    units = models.PositiveIntegerField(default=0)
    status = models.PositiveSmallIntegerField()
    served = models.BooleanField(default=False)
    duration_ms = models.PositiveIntegerField(default=0)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at"]
        indexes = [
            models.Index(fields=["organization", "at"], name="usage_org_at_idx"),
            models.Index(fields=["product", "at"], name="usage_product_at_idx"),
            models.Index(fields=["entitlement", "served"], name="usage_entitlement_idx"),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.key_prefix} {self.endpoint} {self.status}"
