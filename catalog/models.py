"""Registrations (登记), listings (挂牌), their history, objections and review findings."""

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization

from .choices import (
    Classification,
    DataSourceType,
    DeliveryModeCode,
    PersonalDataBasis,
    PriceRegime,
    Section,
    UpdateFrequency,
)


class DeliveryMode(models.Model):
    """One of the five delivery modes; a table so catalog filters work on every database."""

    code = models.CharField(max_length=16, primary_key=True, choices=DeliveryModeCode.choices)

    class Meta:
        ordering = ["code"]

    def __str__(self):
        return self.get_code_display()


class CodeSequence(models.Model):
    """The last sequence number allocated per issuing exchange and year."""

    exchange = models.CharField(max_length=8)
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["exchange", "year"]
        constraints = [models.UniqueConstraint(fields=["exchange", "year"], name="unique_code_sequence")]

    def __str__(self):
        return f"{self.exchange}-{self.year}: {self.last_number}"


class RegistrationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    IN_REVIEW = "in_review", _("In review")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")
    PUBLIC_NOTICE = "public_notice", _("Public notice")
    REGISTERED = "registered", _("Registered")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn after objection")
    SUSPENDED = "suspended", _("Suspended")
    CANCELLED = "cancelled", _("Cancelled")


RS = RegistrationStatus
REGISTRATION_TRANSITIONS = {
    RS.DRAFT: {RS.SUBMITTED},
    RS.SUBMITTED: {RS.IN_REVIEW},
    RS.IN_REVIEW: {RS.CHANGES_REQUESTED, RS.PUBLIC_NOTICE, RS.REJECTED},
    RS.CHANGES_REQUESTED: {RS.SUBMITTED},
    RS.PUBLIC_NOTICE: {RS.REGISTERED, RS.WITHDRAWN},
    RS.REGISTERED: {RS.SUSPENDED, RS.CANCELLED},
    RS.SUSPENDED: {RS.REGISTERED, RS.CANCELLED},
}
EDITABLE_STATUSES = {RS.DRAFT, RS.CHANGES_REQUESTED}


class ProductQuerySet(models.QuerySet):
    def listed(self):
        return self.filter(listing__status=ListingStatus.LISTED)

    def for_holder(self, organization):
        return self.filter(holder=organization)

    def under_notice(self):
        return self.filter(status=RS.PUBLIC_NOTICE)

    def review_queue(self):
        return self.filter(status__in=[RS.SUBMITTED, RS.IN_REVIEW])


class Product(models.Model):
    """A data product's registration: recorded once, under one code, at the exchange that registered it."""

    Status = RegistrationStatus
    TRANSITIONS = REGISTRATION_TRANSITIONS
    # The uploaded files by the name their address uses (catalog:product_file): which field holds each.
    FILES = {
        "cover": "cover_image",
        "thumbnail": "cover_thumbnail",
        "sample": "sample_file",
        "evidence": "personal_evidence",
    }
    PUBLIC_FILES = frozenset({"cover", "thumbnail"})  # shown once the registration is public

    holder = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="products")
    issuer = models.CharField(_("issuing exchange"), max_length=8, default="")
    code = models.CharField(_("registration code"), max_length=40, unique=True, null=True, blank=True)
    name = models.CharField(_("product name"), max_length=120)
    name_normalized = models.CharField(max_length=120, db_index=True, editable=False, default="")
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True)
    section = models.CharField(_("industry section"), max_length=1, choices=Section.choices, blank=True)
    data_source_type = models.CharField(
        _("data source type"), max_length=16, choices=DataSourceType.choices, blank=True
    )
    classification = models.CharField(
        _("classification"), max_length=16, choices=Classification.choices, default=Classification.GENERAL
    )
    delivery_modes = models.ManyToManyField(DeliveryMode, verbose_name=_("delivery modes"), blank=True)
    update_frequency = models.CharField(
        _("update frequency"), max_length=16, choices=UpdateFrequency.choices, blank=True
    )
    coverage_start = models.DateField(_("coverage from"), null=True, blank=True)
    coverage_end = models.DateField(_("coverage until"), null=True, blank=True)
    coverage_region = models.CharField(_("coverage region"), max_length=200, blank=True)
    allowed_purposes = models.JSONField(_("allowed purposes"), default=list, blank=True)
    application_scenario = models.TextField(_("application scenario"), blank=True)
    rights = models.JSONField(_("rights claimed"), default=list, blank=True)

    sample_file = models.FileField(_("sample data (CSV)"), upload_to="samples/%Y/", blank=True)
    sample_preview = models.JSONField(default=dict, blank=True, editable=False)
    cover_image = models.ImageField(_("cover image"), upload_to="covers/%Y/", blank=True)
    cover_thumbnail = models.ImageField(upload_to="covers/thumbs/%Y/", blank=True, editable=False)

    commitment_signed_at = models.DateTimeField(_("source-legality commitment signed at"), null=True, blank=True)
    commitment_signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    auth_authority = models.CharField(_("authorising body"), max_length=200, blank=True)
    auth_grantee = models.CharField(_("authorised party"), max_length=200, blank=True)
    auth_content = models.TextField(_("authorised content"), blank=True)
    auth_scope = models.TextField(_("authorised scope"), blank=True)
    auth_valid_from = models.DateField(_("authorised from"), null=True, blank=True)
    auth_valid_until = models.DateField(_("authorised until"), null=True, blank=True)

    personal_basis = models.CharField(
        _("personal-data basis"), max_length=16, choices=PersonalDataBasis.choices, blank=True
    )
    personal_evidence = models.FileField(_("consent or anonymisation evidence"), upload_to="evidence/%Y/", blank=True)

    status = models.CharField(_("registration status"), max_length=20, choices=RS.choices, default=RS.DRAFT)
    status_reason = models.TextField(_("reason of the last decision"), blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    notice_ends_at = models.DateTimeField(_("public notice ends"), null=True, blank=True)
    registered_at = models.DateTimeField(null=True, blank=True)
    search_document = models.TextField(default="", editable=False)
    search_vector = SearchVectorField(null=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ProductQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        permissions = [("review_product", _("Can review product registrations"))]
        indexes = [
            models.Index(fields=["status", "section"], name="product_status_section_idx"),
            models.Index(fields=["data_source_type"], name="product_source_idx"),
        ]

    def __str__(self):
        return f"{self.name} ({self.code})" if self.code else self.name

    def can_become(self, status: str) -> bool:
        return status in self.TRANSITIONS.get(self.status, set())

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_STATUSES

    @property
    def price_regime(self) -> str:
        """Public data for industry use is guided; enterprise and personal data are market-priced."""
        return PriceRegime.GUIDED if self.data_source_type == DataSourceType.PUBLIC else PriceRegime.MARKET

    def get_price_regime_display(self) -> str:
        return PriceRegime(self.price_regime).label

    def get_purpose_labels(self) -> list[str]:
        from .choices import Purpose

        return [Purpose(p).label for p in self.allowed_purposes if p in Purpose.values]

    def get_right_labels(self) -> list[str]:
        from .choices import Right

        return [Right(r).label for r in self.rights if r in Right.values]


class ListingStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    LISTED = "listed", _("Listed")
    REJECTED = "rejected", _("Rejected")
    PAUSED = "paused", _("Paused")
    DELISTED = "delisted", _("Delisted")
    REVOKED = "revoked", _("Revoked")


LS = ListingStatus
LISTING_TRANSITIONS = {
    LS.DRAFT: {LS.IN_REVIEW, LS.LISTED},
    LS.IN_REVIEW: {LS.LISTED, LS.REJECTED},
    LS.LISTED: {LS.PAUSED, LS.DELISTED, LS.REVOKED},
    # A recognised listing paused because its issuer suspended the registration goes back to review on reinstatement.
    LS.PAUSED: {LS.LISTED, LS.DELISTED, LS.REVOKED, LS.IN_REVIEW},
}


class Listing(models.Model):
    """A registered product offered for sale at this exchange."""

    Status = ListingStatus
    TRANSITIONS = LISTING_TRANSITIONS

    product = models.OneToOneField(Product, on_delete=models.PROTECT, related_name="listing")
    status = models.CharField(_("listing status"), max_length=16, choices=LS.choices, default=LS.DRAFT)
    status_reason = models.TextField(_("reason of the last decision"), blank=True)
    listed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-listed_at"]
        indexes = [models.Index(fields=["status", "-listed_at"], name="listing_status_listed_idx")]

    def __str__(self):
        return f"{self.product.name} [{self.get_status_display()}]"

    def can_become(self, status: str) -> bool:
        return status in self.TRANSITIONS.get(self.status, set())


class ProductEvent(models.Model):
    """One transition of a registration or its listing: who, when, why."""

    class Subject(models.TextChoices):
        REGISTRATION = "registration", _("Registration")
        LISTING = "listing", _("Listing")

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="events")
    subject = models.CharField(max_length=16, choices=Subject.choices)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=150)
    reason = models.TextField(blank=True)
    is_public = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.product_id}: {self.subject} {self.from_status}→{self.to_status}"

    def get_to_status_display(self) -> str:
        choices = RegistrationStatus if self.subject == self.Subject.REGISTRATION else ListingStatus
        return choices(self.to_status).label if self.to_status in choices.values else self.to_status


class ReviewFinding(models.Model):
    """An automatic finding shown to the reviewing operator."""

    class Severity(models.TextChoices):
        INFO = "info", _("Information")
        WARNING = "warning", _("Warning")
        BLOCKER = "blocker", _("Blocker")

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="findings")
    kind = models.CharField(max_length=40)
    severity = models.CharField(max_length=8, choices=Severity.choices)
    message = models.TextField()
    detail = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["product", "-severity", "kind"]

    def __str__(self):
        return f"{self.kind}: {self.message}"


class NegativeListTerm(models.Model):
    """A term on the exchange's negative list (负面清单), edited by operators."""

    term = models.CharField(_("term"), max_length=100, unique=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["term"]

    def __str__(self):
        return self.term


class ObjectionStatus(models.TextChoices):
    OPEN = "open", _("Open")
    INVESTIGATING = "investigating", _("Under investigation")
    UPHELD = "upheld", _("Upheld")
    DISMISSED = "dismissed", _("Dismissed")


# Undecided: the registration under notice does not complete, statements are taken, an operator may decide.
ACTIVE_OBJECTION_STATUSES = (ObjectionStatus.OPEN, ObjectionStatus.INVESTIGATING)


class ObjectionQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status__in=ACTIVE_OBJECTION_STATUSES)


class Objection(models.Model):
    """An objection (数据异议) raised against a registration during or after its public notice."""

    Status = ObjectionStatus
    TRANSITIONS = {
        ObjectionStatus.OPEN: {ObjectionStatus.INVESTIGATING, ObjectionStatus.UPHELD, ObjectionStatus.DISMISSED},
        ObjectionStatus.INVESTIGATING: {ObjectionStatus.UPHELD, ObjectionStatus.DISMISSED},
    }

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="objections")
    objector = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="objections")
    grounds = models.TextField(_("grounds"))
    evidence = models.FileField(_("evidence"), upload_to="objections/%Y/", blank=True)
    status = models.CharField(max_length=16, choices=ObjectionStatus.choices, default=ObjectionStatus.OPEN)
    investigated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    investigation_started_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decision_reason = models.TextField(blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ObjectionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.product.name}: {self.get_status_display()}"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_OBJECTION_STATUSES

    def can_become(self, status: str) -> bool:
        return status in self.TRANSITIONS.get(self.status, set())


# --- Certificates, signing keys and peer exchanges (interop-v1) ------------------------------


class SigningKey(models.Model):
    """A public key this exchange signs or signed with; the private key never enters the database.

    The current key comes from ``SIGNING_KEY``/``SIGNING_KEY_FILE``; a retired key stays in the JWK Set
    while an unexpired certificate it signed exists; a removed (compromised) key leaves it at once.
    """

    kid = models.CharField(max_length=64, unique=True)
    public_jwk = models.JSONField()
    private_key_path = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    retired_at = models.DateTimeField(null=True, blank=True)
    removed_at = models.DateTimeField(null=True, blank=True)
    removal_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return self.kid


class Certificate(models.Model):
    """One version of a registration certificate (登记凭证) issued here: the signed JWS, kept verbatim."""

    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="certificates")
    code = models.CharField(max_length=40, db_index=True)
    ver = models.PositiveIntegerField()
    kid = models.CharField(max_length=64, db_index=True)
    jws = models.TextField()
    payload = models.JSONField()
    iat = models.DateTimeField()
    nbf = models.DateTimeField()
    exp = models.DateTimeField(db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code", "-ver"]
        constraints = [models.UniqueConstraint(fields=["product", "ver"], name="unique_certificate_version")]

    def __str__(self):
        return f"{self.code} v{self.ver}"


class FeedEventType(models.TextChoices):
    ISSUED = "certificate.issued", _("Certificate issued")
    UPDATED = "certificate.updated", _("Certificate re-issued")
    SUSPENDED = "certificate.suspended", _("Registration suspended")
    REINSTATED = "certificate.reinstated", _("Registration reinstated")
    REVOKED = "certificate.revoked", _("Registration revoked")


class FeedSequence(models.Model):
    """The single row locked while a feed event takes its number, so ``seq`` is never reused."""

    last_seq = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("feed sequence")

    def __str__(self):
        return str(self.last_seq)


class FeedEvent(models.Model):
    """One signed event of this exchange's feed (interop-v1 §4.2), in ``seq`` order."""

    Type = FeedEventType

    seq = models.BigIntegerField(unique=True)
    type = models.CharField(max_length=32, choices=FeedEventType.choices)
    product = models.ForeignKey(Product, null=True, on_delete=models.SET_NULL, related_name="feed_events")
    code = models.CharField(max_length=40, db_index=True)
    ver = models.PositiveIntegerField()
    at = models.DateTimeField()
    kid = models.CharField(max_length=64)
    payload = models.JSONField()
    jws = models.TextField()

    class Meta:
        ordering = ["seq"]

    def __str__(self):
        return f"#{self.seq} {self.type} {self.code}"


class Peer(models.Model):
    """Another exchange: its discovery document, keys, whether operators trust it, and how far we follow it."""

    exchange_code = models.CharField(_("exchange code"), max_length=8, unique=True)
    name = models.CharField(_("name"), max_length=200)
    base_url = models.URLField(_("base URL"), max_length=300)
    jwks_uri = models.URLField(max_length=500)
    endpoints = models.JSONField(default=dict)
    jwks = models.JSONField(default=dict)
    jwks_fetched_at = models.DateTimeField(null=True, blank=True)
    is_trusted = models.BooleanField(_("trusted"), default=False)
    trusted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    trusted_at = models.DateTimeField(null=True, blank=True)
    cursor = models.BigIntegerField(_("last applied event"), default=0)
    last_polled_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(_("last success"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["exchange_code"]

    def __str__(self):
        return f"{self.exchange_code} {self.name}"


class PeerCertificateStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    REVOKED = "revoked", _("Revoked")
    EXPIRED = "expired", _("Expired")


class PeerCertificate(models.Model):
    """The latest verified certificate of a peer's registration, as learnt from its feed or fetched."""

    Status = PeerCertificateStatus

    peer = models.ForeignKey(Peer, on_delete=models.CASCADE, related_name="certificates")
    code = models.CharField(max_length=40, unique=True)
    issuer = models.CharField(max_length=8)
    ver = models.PositiveIntegerField()
    jws = models.TextField()
    payload = models.JSONField()
    status = models.CharField(max_length=12, choices=PeerCertificateStatus.choices, default="active")
    status_changed_at = models.DateTimeField(null=True, blank=True)
    last_event_seq = models.BigIntegerField(default=0)
    holder_uscc = models.CharField(max_length=18, db_index=True)
    holder_name = models.CharField(max_length=200)
    name = models.CharField(max_length=200)
    name_normalized = models.CharField(max_length=200, db_index=True)
    exp = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} v{self.ver} [{self.status}]"


class Recognition(models.Model):
    """That an exchange lists a registration (登记互认).

    Inbound: a peer told us it lists one of our registrations (``recognized_by`` = the peer).
    Outbound: we list a peer's registration (``recognized_by`` = us); ``evidence_jws`` keeps the
    certificate verbatim as it was when the merchant asked, and ``notified_at`` says the issuer was told.
    """

    code = models.CharField(max_length=40, db_index=True)
    issuer = models.CharField(max_length=8)
    recognized_by = models.CharField(max_length=8)
    product = models.ForeignKey(Product, null=True, blank=True, on_delete=models.SET_NULL, related_name="recognitions")
    listing_url = models.URLField(max_length=500)
    evidence_jws = models.TextField(blank=True)
    recognized_at = models.DateTimeField()
    notified_at = models.DateTimeField(null=True, blank=True)
    notify_attempts = models.PositiveIntegerField(default=0)
    notify_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-recognized_at"]
        constraints = [models.UniqueConstraint(fields=["code", "recognized_by"], name="unique_recognition")]

    def __str__(self):
        return f"{self.code} @ {self.recognized_by}"


class ReplayNonce(models.Model):
    """A signed request's ``jti`` accepted from a peer; a second use within 600 s is a replay."""

    iss = models.CharField(max_length=8)
    jti = models.CharField(max_length=200)
    seen_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-seen_at"]
        constraints = [models.UniqueConstraint(fields=["iss", "jti"], name="unique_replay_nonce")]

    def __str__(self):
        return f"{self.iss}:{self.jti}"
