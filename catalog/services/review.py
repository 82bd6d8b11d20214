"""Review by operators, the public notice (公示) and completion of a registration."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ..models import Listing, Product
from .certificates import certificate_issue
from .transitions import move, require_operator, require_reason


@transaction.atomic
def registration_start_review(*, product: Product, actor) -> Product:
    """An operator takes a submitted registration into review."""
    require_operator(actor)
    product, _ = move(product, Product.Status.IN_REVIEW, actor=actor, action="registration.start_review")
    return product


@transaction.atomic
def registration_approve(*, product: Product, actor, reason: str = "") -> Product:
    """An operator approves: the public notice opens for REGISTRATION_NOTICE_DAYS."""
    require_operator(actor)
    ends = timezone.now() + timedelta(days=settings.REGISTRATION_NOTICE_DAYS)
    product, _ = move(
        product,
        Product.Status.PUBLIC_NOTICE,
        actor=actor,
        reason=reason,
        action="registration.approve",
        notice_ends_at=ends,
    )
    return product


@transaction.atomic
def registration_request_changes(*, product: Product, actor, reason: str) -> Product:
    """An operator sends the registration back to the merchant, saying what to change."""
    require_operator(actor)
    product, _ = move(
        product,
        Product.Status.CHANGES_REQUESTED,
        actor=actor,
        reason=require_reason(reason),
        action="registration.request_changes",
    )
    return product


@transaction.atomic
def registration_reject(*, product: Product, actor, reason: str) -> Product:
    """An operator rejects the registration, saying why."""
    require_operator(actor)
    product, _ = move(
        product, Product.Status.REJECTED, actor=actor, reason=require_reason(reason), action="registration.reject"
    )
    return product


@transaction.atomic
def registration_complete(*, product: Product) -> Product:
    """At the end of the notice with no undecided or upheld objection: registered, and listed here."""
    product = Product.objects.select_for_update().get(pk=product.pk)
    if product.status != Product.Status.PUBLIC_NOTICE:
        return product
    if product.notice_ends_at and product.notice_ends_at > timezone.now():
        return product
    if product.objections.active().exists():
        return product  # An operator decides first; the next run completes it.
    product, _ = move(product, Product.Status.REGISTERED, action="registration.complete", registered_at=timezone.now())
    listing, _created = Listing.objects.get_or_create(product=product)
    move(listing, Listing.Status.LISTED, action="listing.list", listed_at=timezone.now())
    certificate_issue(product=product)  # 赋码/发证: certificate ver 1 and the certificate.issued feed event.
    return product


def registration_complete_due() -> int:
    """Complete every registration whose notice has ended; return how many completed."""
    due = Product.objects.filter(status=Product.Status.PUBLIC_NOTICE, notice_ends_at__lte=timezone.now())
    completed = 0
    for product_id in due.values_list("pk", flat=True):
        product = registration_complete(product=Product(pk=product_id))
        completed += product.status == Product.Status.REGISTERED
    return completed
