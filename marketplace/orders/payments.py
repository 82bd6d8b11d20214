"""The Stripe gateway: the only module that talks to Stripe (or to localstripe in tests).

Stripe is on when ``STRIPE_SECRET_KEY`` and ``STRIPE_PUBLISHABLE_KEY`` are set;
``STRIPE_API_BASE`` points the client elsewhere (localstripe on 127.0.0.1 in tests).
Every call that creates something carries an idempotency key derived from the
order, so a retried request never charges twice.
"""

from django.conf import settings
from django.utils.translation import gettext as _

from accounts.exceptions import DomainError
from pricing.money import to_minor_units


class GatewayError(DomainError):
    """Stripe refused or could not be reached; the message is safe to show."""

    status_code = 502


class WebhookRejected(DomainError):
    """A webhook whose signature or payload does not verify."""

    status_code = 400


def stripe_enabled() -> bool:
    return bool(settings.STRIPE_SECRET_KEY and settings.STRIPE_PUBLISHABLE_KEY)


def _client():
    import stripe

    if not stripe_enabled():
        raise GatewayError(_("Online payment is not configured on this exchange."))
    kwargs = {"max_network_retries": 2}
    if settings.STRIPE_API_BASE:
        kwargs["base_addresses"] = {"api": settings.STRIPE_API_BASE.rstrip("/")}
    return stripe.StripeClient(settings.STRIPE_SECRET_KEY, **kwargs)


def _call(method, **kwargs):
    import stripe

    try:
        return method(**kwargs)
    except stripe.StripeError as exc:
        message = getattr(exc, "user_message", None) or _("The payment service refused the request.")
        raise GatewayError(message) from exc


def payment_intent_create(*, order) -> tuple[str, str]:
    """A PaymentIntent for the order's amount in fen; returns its id and client secret."""
    client = _client()
    methods = list(settings.STRIPE_PAYMENT_METHOD_TYPES)
    params = {
        "amount": to_minor_units(order.amount),
        "currency": order.currency.lower(),
        "payment_method_types": methods,
        "metadata": {"order": order.number, "exchange": settings.EXCHANGE_CODE},
    }
    if "wechat_pay" in methods:
        params["payment_method_options"] = {"wechat_pay": {"client": "web"}}
    intent = _call(
        client.v1.payment_intents.create,
        params=params,
        options={"idempotency_key": f"{settings.EXCHANGE_CODE}-{order.number}-intent"},
    )
    return intent.id, intent.client_secret


def payment_intent_status(intent_id: str) -> str:
    client = _client()
    return _call(client.v1.payment_intents.retrieve, intent=intent_id).status


def payment_intent_cancel(intent_id: str) -> str:
    """Cancel an unpaid PaymentIntent; returns Stripe's status afterwards (``canceled`` when it worked)."""
    client = _client()
    status = payment_intent_status(intent_id)
    if status in ("succeeded", "processing", "canceled"):
        return status
    return _call(client.v1.payment_intents.cancel, intent=intent_id).status


def refund_create(*, intent_id: str, order) -> str:
    """Refund the whole payment of an order; returns the refund's id."""
    client = _client()
    refund = _call(
        client.v1.refunds.create,
        params={"payment_intent": intent_id, "metadata": {"order": order.number}},
        options={"idempotency_key": f"{settings.EXCHANGE_CODE}-{order.number}-refund"},
    )
    return refund.id


def webhook_event(*, payload: bytes, signature: str) -> dict:
    """Verify a webhook's signature with ``STRIPE_WEBHOOK_SECRET``; return the event as a dict."""
    import stripe

    if not settings.STRIPE_WEBHOOK_SECRET:
        raise WebhookRejected(_("Webhooks are not configured."))
    try:
        event = stripe.Webhook.construct_event(payload, signature or "", settings.STRIPE_WEBHOOK_SECRET)
    except (ValueError, stripe.SignatureVerificationError) as exc:
        raise WebhookRejected(_("The webhook's signature does not verify.")) from exc
    return event.to_dict()
