"""People, organisations, memberships and the hash-chained audit trail."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A person who signs in. Acts for the organisations it belongs to."""

    display_name = models.CharField(_("display name"), max_length=100, blank=True)

    class Meta(AbstractUser.Meta):
        ordering = ["username"]
        permissions = [
            ("operate_exchange", _("Can operate the exchange (verify, review, moderate)")),
            ("set_guided_prices", _("Can publish the guided-price catalogue")),
        ]

    def __str__(self):
        return self.display_name or self.username

    @property
    def is_operator(self) -> bool:
        return self.has_perm("accounts.operate_exchange")

    @property
    def is_price_authority(self) -> bool:
        return self.has_perm("accounts.set_guided_prices")


class OrganizationStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Awaiting verification")
    VERIFIED = "verified", _("Verified")
    REJECTED = "rejected", _("Rejected")
    SUSPENDED = "suspended", _("Suspended")


ORGANIZATION_TRANSITIONS = {
    OrganizationStatus.SUBMITTED: {OrganizationStatus.VERIFIED, OrganizationStatus.REJECTED},
    OrganizationStatus.REJECTED: {OrganizationStatus.SUBMITTED},
    OrganizationStatus.VERIFIED: {OrganizationStatus.SUSPENDED},
    OrganizationStatus.SUSPENDED: {OrganizationStatus.VERIFIED},
}


class Organization(models.Model):
    """A company identified by its Unified Social Credit Code; merchant, buyer or both."""

    Status = OrganizationStatus
    TRANSITIONS = ORGANIZATION_TRANSITIONS

    name = models.CharField(_("name"), max_length=200)
    uscc = models.CharField(_("unified social credit code"), max_length=18, unique=True)
    is_merchant = models.BooleanField(_("merchant (sells data products)"), default=False)
    is_buyer = models.BooleanField(_("buyer (buys data products)"), default=False)
    is_sme = models.BooleanField(_("small or micro enterprise"), default=False)
    is_public_data_operator = models.BooleanField(_("authorised public-data operator"), default=False)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    business_licence = models.FileField(_("business licence"), upload_to="licences/%Y/", blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=OrganizationStatus.choices, default=OrganizationStatus.SUBMITTED
    )
    status_reason = models.TextField(_("reason of the last decision"), blank=True)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, through="Membership", related_name="organizations")

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self):
        return self.name

    def can_become(self, status: str) -> bool:
        return status in self.TRANSITIONS.get(self.status, set())

    @property
    def is_verified(self) -> bool:
        return self.status == OrganizationStatus.VERIFIED


class Membership(models.Model):
    """A person's role in an organisation."""

    class Role(models.TextChoices):
        OWNER = "owner", _("Owner")
        MEMBER = "member", _("Member")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=8, choices=Role.choices, default=Role.MEMBER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organization__name", "user__username"]
        constraints = [models.UniqueConstraint(fields=["user", "organization"], name="unique_membership")]

    def __str__(self):
        return f"{self.user} @ {self.organization} ({self.role})"


class AuditChainHead(models.Model):
    """The single row locked while appending, so the chain never forks."""

    last_seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)

    class Meta:
        verbose_name = _("audit chain head")

    def __str__(self):
        return f"audit chain head #{self.last_seq}"


class AuditEntry(models.Model):
    """One state change, chained to the previous entry by its SHA-256 hash."""

    seq = models.BigIntegerField(unique=True)
    created_at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=150)
    actor_organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=64, db_index=True)
    object_type = models.CharField(max_length=64)
    object_id = models.CharField(max_length=64)
    object_repr = models.CharField(max_length=255)
    changes = models.JSONField(default=dict)
    reason = models.TextField(blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["seq"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object_idx")]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")

    def __str__(self):
        return f"#{self.seq} {self.action} {self.object_type}:{self.object_id}"


class Notification(models.Model):
    """A message in a person's or an organisation's in-site inbox, also sent by e-mail.

    ``dedupe_key`` (unique when set) makes "tell them once" enforceable by the database:
    a second notice with the same key is never written, so never sent.
    """

    recipient_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    recipient_organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("kind"), max_length=40)
    message = models.TextField(_("message"))
    url = models.CharField(_("link"), max_length=300, blank=True)
    dedupe_key = models.CharField(max_length=200, unique=True, null=True, blank=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(recipient_user__isnull=False) | models.Q(recipient_organization__isnull=False),
                name="notification_has_recipient",
            )
        ]
        indexes = [
            models.Index(fields=["recipient_user", "read_at"], name="notification_user_idx"),
            models.Index(fields=["recipient_organization", "read_at"], name="notification_org_idx"),
        ]

    def __str__(self):
        return f"{self.kind}: {self.message[:60]}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None
