"""Who may use each page and each API operation: the table tests/security/test_authorization_matrix.py checks.

Every URL pattern of the project (``PAGES``, keyed by its URL name, "namespace:name") and every operation of the
OpenAPI schema (``API``, keyed by "METHOD /path/{param}/") has a row here; a new route without a row fails the
test and names itself. The only URL patterns left out are in ``SKIPPED``, each with the reason.

A row gives, in this column order, what each of the six personas gets (tests/security/world.py builds them and
the objects the URLs name):

    anonymous   buyer   merchant   other_merchant   operator   price_authority

- ``allow``: the request reaches the view and is served: any 2xx; a redirect anywhere but the sign-in page; or a
  4xx other than 401/403/404 (400, 405, 409...: the person may use the endpoint, the empty or invalid input we send
  is refused).
- ``deny``: refused for who the person is: 401 or 403, or a redirect to the sign-in page.
- ``404``: the object exists but is scoped to its owner, so to anyone else it does not exist (never a 403 that
  would confirm it exists). The fixtures name real objects, so an allowed persona never gets a 404.

Requests are made once per listed method: GET as is, any other method with an empty body (a form POST for pages,
JSON for the API). Pages are requested signed in by session; the REST API (/api/v1/) with the person's DRF token;
the data API (/data/v1/) with the data-API key of the person's organisation (operators and the price authority
have no organisation, hence no key). Every request runs in a transaction rolled back afterwards: nothing a request
changes is seen by the next.

What a 2xx cannot show: some views answer a refused *action* with a message on the page (e.g. the merchant
pressing "accept" on an offer it made itself: the service raises ``NotAllowed``, the page redirects with the
message). The matrix checks who reaches the view; the services' own tests check those refusals. Those rows say so.
"""

from dataclasses import dataclass, field

from tests.security.world import PERSONAS

ALLOW, DENY, HIDDEN = "allow", "deny", "404"
OUTCOMES = (ALLOW, DENY, HIDDEN)


@dataclass(frozen=True)
class Rule:
    """The expected outcome per persona, how to request the route, and which objects its URL names."""

    expect: dict[str, str]
    methods: tuple[str, ...] = ("GET",)
    # URL kwarg -> attribute path in the World ("order.payment.pk"), or a literal ("approve") naming no attribute
    kwargs: dict[str, str] = field(default_factory=dict)
    url: str | None = None  # a literal path, for patterns without a name


def rule(row: str, methods: str = "GET", *, url: str | None = None, **kwargs: str) -> Rule:
    """``rule("deny allow allow 404 deny deny", "GET POST", pk="draft.pk")``: one outcome per persona, in order."""
    outcomes = row.split()
    assert len(outcomes) == len(PERSONAS), f"{row!r}: give one outcome for each of {PERSONAS}"
    assert set(outcomes) <= set(OUTCOMES), f"{row!r}: outcomes are {OUTCOMES}"
    return Rule(dict(zip(PERSONAS, outcomes)), tuple(methods.split()), kwargs, url)


# Rows that recur.
# fmt: off
#                   anonymous buyer  merchant other  operator authority
PUBLIC =           "allow     allow  allow    allow  allow    allow"
SIGNED_IN =        "deny      allow  allow    allow  allow    allow"
ORGANIZATIONS =    "deny      allow  allow    allow  deny     deny"   # acting for an organisation (staff have none)
MERCHANTS =        "deny      deny   allow    allow  deny     deny"   # acting for a merchant organisation
OPERATORS =        "deny      deny   deny     deny   allow    deny"
PRICE_AUTHORITY =  "deny      deny   deny     deny   deny     allow"
MERCHANTS_OWN =    "deny      deny   allow    404    deny     deny"   # the merchant's own product (buyer: no merchant)
BUYERS_OWN =       "deny      allow  404      404    deny     deny"   # the buyer organisation's own object
# fmt: on


# URL patterns not in the matrix, and why. Matched against the pattern's route ("admin/...") or its name.
SKIPPED = {
    # Django's admin: its own sign-in and per-model permissions (is_staff); not part of the exchange's site.
    "admin/": "prefix",
    # Changes the language cookie for anyone; no data behind it.
    "set_language": "name",
    # Django's own password-reset confirmation: needs a one-time token mailed to the person; Django tests it.
    "accounts:password_reset_confirm": "name",
}


PAGES: dict[str, Rule] = {
    # ── catalog: public pages ───────────────────────────────────────────────────────────────────────────────
    "catalog:home": rule(PUBLIC),
    "catalog:search": rule(PUBLIC),
    "catalog:notice": rule(PUBLIC),
    "catalog:product": rule(PUBLIC, code="product.code"),
    # Anyone signed in may object to a registration under public notice (DESIGN: 公示异议).
    "catalog:object": rule(SIGNED_IN, "GET POST", code="noticed.code"),
    # A product's files (the most private one here: consent evidence; the public cover has its own tests).
    "catalog:product_file": rule("404 404 allow 404 allow 404", pk="product.pk", which="evidence"),
    # ── catalog: the merchant's registrations (/my/) ────────────────────────────────────────────────────────
    "catalog:my_products": rule(MERCHANTS),
    "catalog:product_create": rule(MERCHANTS, "GET POST"),
    "catalog:product_manage": rule(MERCHANTS_OWN, pk="draft.pk"),
    "catalog:product_edit": rule(MERCHANTS_OWN, "GET POST", pk="draft.pk"),
    "catalog:product_submit": rule(MERCHANTS_OWN, "POST", pk="draft.pk"),
    "catalog:listing_action": rule(MERCHANTS_OWN, "POST", pk="product.pk"),
    # ── catalog: operators' console ─────────────────────────────────────────────────────────────────────────
    "catalog:console": rule(OPERATORS),
    "catalog:review_queue": rule(OPERATORS),
    "catalog:review_detail": rule(OPERATORS, pk="noticed.pk"),
    "catalog:review_action": rule(OPERATORS, "POST", pk="noticed.pk", action="approve"),
    "catalog:console_products": rule(OPERATORS),
    "catalog:objections": rule(OPERATORS),
    "catalog:objection_decide": rule(OPERATORS, "POST", pk="objection.pk", decision="dismiss"),
    "catalog:negative_list": rule(OPERATORS, "GET POST"),
    # ── catalog: certificates (public), recognition (merchants), peers (operators) ─────────────────────────
    "catalog:verify": rule(PUBLIC),
    "catalog:certificate": rule(PUBLIC, code="product.code"),
    "catalog:certificate_pdf": rule(PUBLIC, code="product.code"),
    "catalog:certificate_qr": rule(PUBLIC, code="product.code"),
    "catalog:recognitions": rule(MERCHANTS, "GET POST"),
    "catalog:peers": rule(OPERATORS, "GET POST"),
    "catalog:peer_detail": rule(OPERATORS, pk="peer.pk"),
    # "untrust" and "restart" stay in the database; "poll" and "refresh" would call the peer.
    "catalog:peer_action": rule(OPERATORS, "POST", pk="peer.pk", action="restart"),
    "catalog:recognition_review": rule(OPERATORS),
    "catalog:recognition_decide": rule(OPERATORS, "POST", pk="listing.pk", action="reject"),
    # ── accounts: signing up and in (a signed-in person is sent on to the dashboard) ───────────────────────
    "accounts:signup": rule(PUBLIC, "GET POST"),
    "accounts:login": rule(PUBLIC, "GET POST"),
    "accounts:logout": rule(PUBLIC, "POST"),
    "accounts:two_factor_verify": rule(SIGNED_IN, "GET POST"),
    "accounts:two_factor_enrol": rule(SIGNED_IN, "GET POST"),
    "accounts:two_factor_qr": rule(SIGNED_IN),
    "accounts:recovery_codes_renew": rule(SIGNED_IN, "POST"),
    "accounts:password_reset": rule(PUBLIC, "GET POST"),
    "accounts:password_reset_done": rule(PUBLIC),
    "accounts:password_reset_complete": rule(PUBLIC),
    # ── accounts: the person's dashboard and organisations ─────────────────────────────────────────────────
    "accounts:dashboard": rule(SIGNED_IN),
    "accounts:inbox": rule(SIGNED_IN, "GET POST"),
    "accounts:organization_create": rule(SIGNED_IN, "GET POST"),
    # Members only; operators read organisations in their console (governance:console_organization).
    "accounts:organization_detail": rule("deny 404 allow 404 404 404", pk="merchant_org.pk"),
    "accounts:organization_switch": rule("deny 404 allow 404 404 404", "POST", pk="merchant_org.pk"),
    "accounts:member_add": rule("deny 404 allow 404 404 404", "POST", pk="merchant_org.pk"),
    # The business licence: the organisation's members and the operators who verify it.
    "accounts:organization_licence": rule("deny 404 allow 404 allow 404", pk="merchant_org.pk"),
    "accounts:verification_queue": rule(OPERATORS),
    "accounts:organization_decide": rule(OPERATORS, "POST", pk="other_org.pk", action="suspend"),
    # ── pricing: the guided-price catalogue (public) and the price authority's pages ───────────────────────
    "pricing:guided_public": rule(PUBLIC),
    "pricing:guided_entry": rule(PUBLIC, pk="guided_entry.pk"),
    "pricing:authority": rule(PRICE_AUTHORITY),
    "pricing:entry_create": rule(PRICE_AUTHORITY, "GET POST"),
    "pricing:entry_revise": rule(PRICE_AUTHORITY, "GET POST", pk="guided_entry.pk"),
    "pricing:revenue_authority": rule(PRICE_AUTHORITY, "GET POST"),
    "pricing:revenue_detail": rule(PRICE_AUTHORITY, org_pk="merchant_org.pk"),
    # ── pricing: the merchant's plans and revenue, free use ────────────────────────────────────────────────
    # Plans of the merchant's own product: another organisation finds no such product; the staff, acting for
    # none, are refused (plan_active looks the product up first, among the products of no organisation: 404).
    "pricing:plans": rule("deny 404 allow 404 deny deny", "GET POST", pk="product.pk"),
    "pricing:plan_edit": rule("deny 404 allow 404 deny deny", "GET POST", pk="product.pk", plan_pk="plan.pk"),
    "pricing:plan_active": rule("deny 404 allow 404 404 404", "POST", pk="product.pk", plan_pk="plan.pk"),
    # Revenue against the permitted maximum: public-data operators only (the merchant is one).
    "pricing:my_revenue": rule("deny deny allow deny deny deny"),
    "pricing:my_free_use": rule(SIGNED_IN),
    # Applying for free use of a public-data product: the form is for anyone signed in; the service refuses
    # someone without an organisation (shown on the form).
    "pricing:free_use_apply": rule(SIGNED_IN, "GET POST", code="public_product.code"),
    "pricing:free_use_queue": rule(OPERATORS),
    "pricing:free_use_decide": rule(OPERATORS, "POST", pk="free_use.pk", decision="refuse"),
    "pricing:flagged_plans": rule(OPERATORS),
    # ── orders: buyers and merchants ───────────────────────────────────────────────────────────────────────
    "orders:my_orders": rule(ORGANIZATIONS),
    "orders:checkout": rule(ORGANIZATIONS, "GET POST", code="product.code"),
    "orders:sales": rule(ORGANIZATIONS),
    "orders:income": rule(ORGANIZATIONS),
    # An order is seen by its buyer, its merchant and the operators.
    "orders:detail": rule("deny allow allow 404 allow 404", number="order.number"),
    "orders:invoice": rule("deny allow allow 404 allow 404", number="order.number"),
    # Paying and cancelling: the buyer of the order awaiting payment.
    "orders:pay": rule(BUYERS_OWN, "POST", number="pending_order.number"),
    "orders:pay_page": rule(BUYERS_OWN, number="pending_order.number"),
    "orders:cancel": rule(BUYERS_OWN, "POST", number="pending_order.number"),
    # Deciding an access request: the merchant of the order.
    "orders:approve": rule("deny 404 allow 404 deny deny", "POST", number="order.number"),
    "orders:refuse": rule("deny 404 allow 404 deny deny", "GET POST", number="order.number"),
    # ── orders: operators ──────────────────────────────────────────────────────────────────────────────────
    "orders:console_payments": rule(OPERATORS),
    "orders:transfer_confirm": rule(OPERATORS, "GET POST", pk="payment.pk"),
    "orders:payment_refund": rule(OPERATORS, "GET POST", pk="order.payment.pk"),
    "orders:refund": rule(OPERATORS, "GET POST", number="order.number"),
    # Stripe's webhook: authenticated by Stripe's signature, not by a person (an empty body is refused: 400).
    "orders:stripe_webhook": rule(PUBLIC, "POST"),
    # ── access: entitlements, API keys, usage, the merchant's data ─────────────────────────────────────────
    "access:entitlements": rule(ORGANIZATIONS),
    "access:keys": rule(ORGANIZATIONS, "GET POST"),
    "access:key_revoke": rule(BUYERS_OWN, "POST", pk="api_key.pk"),
    "access:usage": rule(ORGANIZATIONS),
    # A buyer organisation sees its own (empty) merchant pages: they list only what it holds.
    "access:merchant_usage": rule(ORGANIZATIONS),
    "access:my_data": rule(ORGANIZATIONS),
    "access:product_data": rule("deny 404 allow 404 deny deny", "GET POST", pk="product.pk"),
    # ── matching: demands and offers ───────────────────────────────────────────────────────────────────────
    "matching:public_list": rule(PUBLIC),
    "matching:create": rule(ORGANIZATIONS, "GET POST"),
    "matching:mine": rule(ORGANIZATIONS),
    "matching:inbox": rule(ORGANIZATIONS),
    "matching:detail": rule(PUBLIC, pk="demand.pk"),  # a public demand
    "matching:edit": rule("deny allow 404 404 404 404", "GET POST", pk="demand.pk"),
    "matching:close": rule("deny allow 404 404 404 404", "POST", pk="demand.pk"),
    # Offering on a public demand: any organisation reaches the form; the service refuses one without a product
    # that fits (the buyer's own demand included), shown on the page.
    "matching:offer_create": rule(ORGANIZATIONS, "POST", pk="demand.pk"),
    # The offer is seen by the demand's buyer and the merchant who made it. Accepting or declining one's own
    # offer (merchant), or withdrawing the buyer's, is refused by the service and shown as a message.
    "matching:offer_accept": rule("deny allow allow 404 deny deny", "POST", pk="offer.pk"),
    "matching:offer_decline": rule("deny allow allow 404 deny deny", "POST", pk="offer.pk"),
    "matching:offer_withdraw": rule("deny allow allow 404 deny deny", "POST", pk="offer.pk"),
    # ── governance: operators' console ─────────────────────────────────────────────────────────────────────
    "governance:overview": rule(OPERATORS),
    "governance:audit": rule(OPERATORS),
    "governance:audit_entry": rule(OPERATORS, seq="audit_seq"),
    "governance:console_disputes": rule(OPERATORS),
    "governance:console_dispute": rule(OPERATORS, pk="dispute.pk"),
    "governance:console_dispute_action": rule(OPERATORS, "POST", pk="dispute.pk", action="investigate"),
    "governance:console_objection": rule(OPERATORS, pk="objection.pk"),
    "governance:console_objection_action": rule(OPERATORS, "POST", pk="objection.pk", action="dismiss"),
    "governance:console_credit": rule(OPERATORS),
    "governance:console_organization": rule(OPERATORS, pk="other_org.pk"),
    "governance:violation_create": rule(OPERATORS, "POST", pk="other_org.pk"),
    "governance:violation_rescind": rule(OPERATORS, "POST", pk="violation.pk"),
    # ── governance: the parties' pages (each lists only the person's or organisation's own cases) ──────────
    "governance:my_objections": rule(SIGNED_IN),
    "governance:objections_against": rule(SIGNED_IN),
    "governance:disputes": rule(SIGNED_IN),
    "governance:my_credit": rule(SIGNED_IN),
    # A dispute is seen by its two parties here (operators use the console).
    "governance:dispute_detail": rule("deny allow allow 404 404 404", pk="dispute.pk"),
    # Disputing an order: its buyer.
    "governance:dispute_create": rule("deny allow 404 404 404 404", "GET POST", number="order.number"),
    # Answering a statement: the party it was asked of (here the buyer).
    "governance:statement_answer": rule("deny allow 404 404 404 404", "POST", pk="statement.pk"),
    # Evidence and attachments: the operators and the party concerned (the objector; both sides of a dispute).
    "governance:objection_evidence": rule("deny allow 404 404 allow 404", pk="objection.pk"),
    "governance:dispute_evidence": rule("deny allow allow 404 allow 404", pk="dispute.pk"),
    "governance:statement_attachment": rule("deny allow 404 404 allow 404", pk="statement.pk"),
    # ── governance: public disclosure ──────────────────────────────────────────────────────────────────────
    "governance:disclosure": rule(PUBLIC),
    "governance:disclosure_operators": rule(PUBLIC),
    "governance:disclosure_recognitions": rule(PUBLIC),
    "governance:disclosure_report": rule(PUBLIC),
    "governance:disclosure_report_csv": rule(PUBLIC, year="year"),
    "governance:disclosure_report_pdf": rule(PUBLIC, year="year"),
    # ── interop-v1: the protocol between exchanges (public; peers sign their requests) ─────────────────────
    "interop-discovery": rule(PUBLIC),
    "interop:jwks": rule(PUBLIC),
    "interop:certificate": rule(PUBLIC, code="product.code"),
    "interop:feed": rule(PUBLIC),
    # A peer exchange's signed recognition notice (interop-v1 §5): no person may send one, signed in or not (401).
    "interop:recognitions": rule("deny deny deny deny deny deny", "POST"),
    # Anything else under /interop/v1/ is a 404 problem document, for everyone.
    "interop/v1/^(?P<rest>.*)$": rule("404 404 404 404 404 404", url="/interop/v1/no-such-endpoint"),
    # ── the API's documentation (public) ───────────────────────────────────────────────────────────────────
    "schema": rule(PUBLIC),
    "api-docs": rule(PUBLIC),
    "api-redoc": rule(PUBLIC),
}


API: dict[str, Rule] = {
    # ── accounts ───────────────────────────────────────────────────────────────────────────────────────────
    "POST /api/v1/auth/token/": rule(PUBLIC),
    "GET /api/v1/me/": rule(SIGNED_IN),
    "GET /api/v1/organizations/": rule(SIGNED_IN),  # your organisations; operators see all
    "POST /api/v1/organizations/": rule(SIGNED_IN),
    "GET /api/v1/organizations/{id}/": rule("deny 404 allow 404 allow 404", id="merchant_org.pk"),
    "POST /api/v1/organizations/{id}/verify/": rule(OPERATORS, id="other_org.pk"),
    "POST /api/v1/organizations/{id}/reject/": rule(OPERATORS, id="other_org.pk"),
    "POST /api/v1/organizations/{id}/suspend/": rule(OPERATORS, id="other_org.pk"),
    # ── catalog ────────────────────────────────────────────────────────────────────────────────────────────
    "GET /api/v1/catalog/products/": rule(PUBLIC),
    "GET /api/v1/catalog/products/{code}/": rule(PUBLIC, code="product.code"),
    "POST /api/v1/catalog/products/{code}/objections/": rule(SIGNED_IN, code="noticed.code"),
    # A buyer organisation has no registrations (an empty list); only a merchant member may create one.
    "GET /api/v1/registrations/": rule(ORGANIZATIONS),
    "POST /api/v1/registrations/": rule(MERCHANTS),
    "GET /api/v1/registrations/{id}/": rule("deny 404 allow 404 deny deny", id="draft.pk"),
    "PATCH /api/v1/registrations/{id}/": rule("deny 404 allow 404 deny deny", id="draft.pk"),
    "POST /api/v1/registrations/{id}/submit/": rule("deny 404 allow 404 deny deny", id="draft.pk"),
    "GET /api/v1/review/queue/": rule(OPERATORS),
    "POST /api/v1/review/{id}/start/": rule(OPERATORS, id="noticed.pk"),
    "POST /api/v1/review/{id}/approve/": rule(OPERATORS, id="noticed.pk"),
    "POST /api/v1/review/{id}/request-changes/": rule(OPERATORS, id="noticed.pk"),
    "POST /api/v1/review/{id}/reject/": rule(OPERATORS, id="noticed.pk"),
    # ── pricing ────────────────────────────────────────────────────────────────────────────────────────────
    "GET /api/v1/guided-prices/": rule(PUBLIC),
    "POST /api/v1/guided-prices/": rule(PRICE_AUTHORITY),
    "GET /api/v1/guided-prices/{id}/": rule(PUBLIC, id="guided_entry.pk"),
    "POST /api/v1/guided-prices/{id}/revise/": rule(PRICE_AUTHORITY, id="guided_entry.pk"),
    "GET /api/v1/plans/": rule(PUBLIC),
    "GET /api/v1/plans/{id}/": rule(PUBLIC, id="plan.pk"),
    "POST /api/v1/quotes/": rule(PUBLIC),
    # ── matching ───────────────────────────────────────────────────────────────────────────────────────────
    "GET /api/v1/demands/": rule(PUBLIC),
    "POST /api/v1/demands/": rule(ORGANIZATIONS),
    "GET /api/v1/demands/{id}/": rule(PUBLIC, id="demand.pk"),
    "PATCH /api/v1/demands/{id}/": rule(BUYERS_OWN, id="demand.pk"),
    "POST /api/v1/demands/{id}/close/": rule(BUYERS_OWN, id="demand.pk"),
    "GET /api/v1/matches/": rule(ORGANIZATIONS),
    "GET /api/v1/matches/{id}/": rule("deny allow allow 404 deny deny", id="match.pk"),
    "GET /api/v1/offers/": rule(ORGANIZATIONS),
    "POST /api/v1/offers/": rule(ORGANIZATIONS),
    "GET /api/v1/offers/{id}/": rule("deny allow allow 404 deny deny", id="offer.pk"),
    # The buyer answers an offer; the merchant who made it withdraws it (the other side: 403 from the service).
    "POST /api/v1/offers/{id}/accept/": rule("deny allow deny 404 deny deny", id="offer.pk"),
    "POST /api/v1/offers/{id}/decline/": rule("deny allow deny 404 deny deny", id="offer.pk"),
    "POST /api/v1/offers/{id}/withdraw/": rule("deny deny allow 404 deny deny", id="offer.pk"),
    # ── orders ─────────────────────────────────────────────────────────────────────────────────────────────
    "GET /api/v1/orders/": rule(ORGANIZATIONS),
    "POST /api/v1/orders/": rule(ORGANIZATIONS),
    "GET /api/v1/orders/{number}/": rule("deny allow allow 404 deny deny", number="order.number"),
    "POST /api/v1/orders/{number}/cancel/": rule(BUYERS_OWN, number="pending_order.number"),
    "POST /api/v1/orders/{number}/approve/": rule("deny 404 allow 404 deny deny", number="order.number"),
    "POST /api/v1/orders/{number}/refuse/": rule("deny 404 allow 404 deny deny", number="order.number"),
    "GET /api/v1/payments/": rule(OPERATORS),
    "POST /api/v1/payments/{id}/confirm-transfer/": rule(OPERATORS, id="payment.pk"),
    "POST /api/v1/payments/{id}/refund/": rule(OPERATORS, id="order.payment.pk"),
    # ── access ─────────────────────────────────────────────────────────────────────────────────────────────
    "GET /api/v1/entitlements/": rule(ORGANIZATIONS),
    "GET /api/v1/entitlements/{id}/": rule(BUYERS_OWN, id="entitlement.pk"),
    "GET /api/v1/api-keys/": rule(ORGANIZATIONS),
    "POST /api/v1/api-keys/": rule(ORGANIZATIONS),
    "GET /api/v1/api-keys/{id}/": rule(BUYERS_OWN, id="api_key.pk"),
    "DELETE /api/v1/api-keys/{id}/": rule(BUYERS_OWN, id="api_key.pk"),
    # ── governance ─────────────────────────────────────────────────────────────────────────────────────────
    "GET /api/v1/audit-entries/": rule(OPERATORS),
    "GET /api/v1/audit-entries/{seq}/": rule(OPERATORS, seq="audit_seq"),
    "GET /api/v1/disputes/": rule(SIGNED_IN),  # the organisation's own; operators: every dispute
    "POST /api/v1/disputes/": rule(ORGANIZATIONS),
    "GET /api/v1/disputes/{id}/": rule("deny allow allow 404 allow 404", id="dispute.pk"),
    "POST /api/v1/disputes/{id}/investigate/": rule(OPERATORS, id="dispute.pk"),
    "POST /api/v1/disputes/{id}/uphold/": rule(OPERATORS, id="dispute.pk"),
    "POST /api/v1/disputes/{id}/dismiss/": rule(OPERATORS, id="dispute.pk"),
    "GET /api/v1/organizations/{id}/credit/": rule("deny 404 allow 404 allow 404", id="merchant_org.pk"),
    "GET /api/v1/disclosure/authorisations/": rule(PUBLIC),
    # ── the data API (by key): the buyer is entitled to the dataset's rows; a key without an entitlement (the
    # merchant's, the other merchant's) is refused; no key (anonymous, staff): 401. ─────────────────────────
    "GET /data/v1/entitlements": rule(ORGANIZATIONS),
    "GET /data/v1/products/{code}/rows": rule("deny allow deny deny deny deny", code="product.code"),
    # The buyer bought the dataset, not verification or the upstream API: refused to every key.
    "POST /data/v1/products/{code}/verify": rule("deny deny deny deny deny deny", code="product.code"),
    "GET /data/v1/products/{code}/upstream": rule("deny deny deny deny deny deny", code="product.code"),
    "POST /data/v1/products/{code}/upstream": rule("deny deny deny deny deny deny", code="product.code"),
}
