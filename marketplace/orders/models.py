"""Orders, their payments (Stripe, bank transfer, free), Stripe's events and the ledger (DESIGN §3.5)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization
from catalog.choices import Purpose
from catalog.models import Product
from pricing.models import Plan

MONEY = {"max_digits": 14, "decimal_places": 2}


class OrderStatus(models.TextChoices):
    AWAITING_APPROVAL = "awaiting_approval", _("Awaiting the merchant's approval")
    AWAITING_PAYMENT = "awaiting_payment", _("Awaiting payment")
    PAID = "paid", _("Paid")
    FULFILLED = "fulfilled", _("Fulfilled")
    CANCELLED = "cancelled", _("Cancelled")
    EXPIRED = "expired", _("Expired")
    REFUNDED = "refunded", _("Refunded")


OS = OrderStatus
ORDER_TRANSITIONS = {
    # An important-data product needs the merchant's approval of the access request first.
    OS.AWAITING_APPROVAL: {OS.AWAITING_PAYMENT, OS.CANCELLED, OS.EXPIRED},
    OS.AWAITING_PAYMENT: {OS.PAID, OS.CANCELLED},
    OS.PAID: {OS.FULFILLED, OS.REFUNDED},
    OS.FULFILLED: {OS.REFUNDED},
}
# Where an order is open: it still waits for someone.
OPEN_STATUSES = (OS.AWAITING_APPROVAL, OS.AWAITING_PAYMENT, OS.PAID)


class PaymentMethod(models.TextChoices):
    STRIPE = "stripe", _("Online payment (card, Alipay, WeChat Pay)")
    BANK_TRANSFER = "bank_transfer", _("Bank transfer (对公转账)")
    FREE = "free", _("Free use (no payment)")


class OrderQuerySet(models.QuerySet):
    def of_buyer(self, organization):
        return self.filter(buyer=organization)

    def of_merchant(self, organization):
        return self.filter(merchant=organization)


class Order(models.Model):
    """A buyer's order for a plan of a product, priced by a quote re-computed on the server."""

    Status = OrderStatus
    TRANSITIONS = ORDER_TRANSITIONS

    number = models.CharField(_("order number"), max_length=32, unique=True)
    buyer = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="orders_placed")
    merchant = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="orders_received")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="orders")
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="orders")
    quantity = models.PositiveIntegerField(_("quantity"))
    purpose = models.CharField(_("purpose"), max_length=24, choices=Purpose.choices)
    amount = models.DecimalField(_("amount"), **MONEY)
    currency = models.CharField(max_length=3, default="CNY")
    regime = models.CharField(_("price regime"), max_length=12)
    quote = models.JSONField(_("quote"), default=dict)
    payment_method = models.CharField(_("payment method"), max_length=16, choices=PaymentMethod.choices)
    status = models.CharField(_("status"), max_length=20, choices=OrderStatus.choices)
    status_reason = models.TextField(_("reason of the last decision"), blank=True)
    renews = models.ForeignKey(
        "access.Entitlement", null=True, blank=True, on_delete=models.PROTECT, related_name="renewal_orders"
    )
    placed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    approval_deadline = models.DateTimeField(_("approve before"), null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    fulfilled_at = models.DateTimeField(_("fulfilled at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OrderQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["buyer", "-created_at"], name="order_buyer_idx"),
            models.Index(fields=["merchant", "-created_at"], name="order_merchant_idx"),
            models.Index(fields=["status", "approval_deadline"], name="order_status_deadline_idx"),
        ]

    def __str__(self):
        return self.number

    def can_become(self, status: str) -> bool:
        return status in self.TRANSITIONS.get(self.status, set())

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_free(self) -> bool:
        return self.payment_method == PaymentMethod.FREE


class PaymentStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SUCCEEDED = "succeeded", _("Received")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")
    REFUNDED = "refunded", _("Refunded")


PS = PaymentStatus
PAYMENT_TRANSITIONS = {
    PS.PENDING: {PS.SUCCEEDED, PS.FAILED, PS.CANCELLED},
    # A declined card may be followed by another attempt on the same PaymentIntent.
    PS.FAILED: {PS.SUCCEEDED, PS.CANCELLED},
    PS.SUCCEEDED: {PS.REFUNDED},
    # Money can still arrive after the order closed (a late transfer); it is then refunded.
    PS.CANCELLED: {PS.SUCCEEDED},
}


class Payment(models.Model):
    """How an order is paid: one Stripe PaymentIntent, one bank transfer, or nothing (free)."""

    Status = PaymentStatus
    TRANSITIONS = PAYMENT_TRANSITIONS

    order = models.OneToOneField(Order, on_delete=models.PROTECT, related_name="payment")
    method = models.CharField(_("method"), max_length=16, choices=PaymentMethod.choices)
    amount = models.DecimalField(_("amount"), **MONEY)
    currency = models.CharField(max_length=3, default="CNY")
    status = models.CharField(_("status"), max_length=12, choices=PaymentStatus.choices, default=PS.PENDING)
    stripe_payment_intent = models.CharField(max_length=255, null=True, blank=True, unique=True)
    stripe_client_secret = models.CharField(max_length=255, blank=True)
    stripe_refund = models.CharField(max_length=255, blank=True)
    failure_message = models.CharField(max_length=300, blank=True)
    bank_serial = models.CharField(_("bank serial number (流水号)"), max_length=64, blank=True)
    payer_name = models.CharField(_("payer account name"), max_length=200, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    received_at = models.DateTimeField(_("received at"), null=True, blank=True)
    refunded_at = models.DateTimeField(_("refunded at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["method", "status"], name="payment_method_status_idx")]

    def __str__(self):
        return f"{self.order_id} {self.get_method_display()} {self.amount} [{self.status}]"

    def can_become(self, status: str) -> bool:
        return status in self.TRANSITIONS.get(self.status, set())


class StripeEvent(models.Model):
    """A webhook event from Stripe, stored once by its id: a repeat finds it here and changes nothing."""

    event_id = models.CharField(max_length=255, unique=True)
    type = models.CharField(max_length=80)
    object_id = models.CharField(max_length=255, blank=True, db_index=True)
    payload = models.JSONField()
    order = models.ForeignKey(Order, null=True, blank=True, on_delete=models.SET_NULL, related_name="stripe_events")
    outcome = models.CharField(max_length=200, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_at"]

    def __str__(self):
        return f"{self.event_id} {self.type}"


class LedgerKind(models.TextChoices):
    PAYMENT = "payment", _("Payment split")
    REFUND = "refund", _("Refund reversal")


class LedgerAccount(models.TextChoices):
    CLEARING = "clearing", _("Received from the buyer")
    COMMISSION = "commission", _("Exchange commission")
    MERCHANT = "merchant", _("Merchant's share")
    DATA_SOURCE = "data_source", _("Data source's share")


class LedgerEntry(models.Model):
    """One line of a payment's split or its reversal. Per order and kind the amounts sum to zero.

    Sign: money the exchange received is positive (clearing), what it owes or earns out of it negative.
    """

    Kind = LedgerKind
    Account = LedgerAccount

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="ledger_entries")
    kind = models.CharField(max_length=8, choices=LedgerKind.choices)
    account = models.CharField(max_length=12, choices=LedgerAccount.choices)
    party = models.ForeignKey(Organization, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    party_name = models.CharField(max_length=200)
    amount = models.DecimalField(_("amount"), **MONEY)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["order", "created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["order", "kind", "account"], name="unique_ledger_line"),
        ]
        indexes = [models.Index(fields=["party", "account"], name="ledger_party_idx")]
        verbose_name_plural = _("ledger entries")

    def __str__(self):
        return f"{self.order_id} {self.kind} {self.account} {self.amount}"
