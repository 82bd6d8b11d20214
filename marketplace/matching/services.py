"""Every write of matching: demands, matching runs, term statistics, offers.

Demands and offers are audited state machines (one service per transition). Matches,
term statistics and notifications are derived data: recomputed by the matching runs,
they write no audit entry. Matching runs in background tasks, enqueued on commit.
"""

from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import audit_record, diff
from accounts.exceptions import DomainError, InvalidTransition, NotAllowed
from accounts.models import Organization
from accounts.selectors import is_member
from accounts.services import notify, notify_many
from catalog.choices import DeliveryModeCode, Purpose, Section
from catalog.models import Listing, ListingStatus, Product
from catalog.search import refresh_search_vector, uses_postgres
from marketplace.governance.credit import require_credit_to_offer
from pricing import selectors as pricing_selectors
from pricing.models import BillingUnit, Plan, PlanKind
from pricing.money import format_cny, money, to_decimal
from pricing.quotes import MAX_QUANTITY, Quote, quote
from pricing.services import _check_against_cap as check_against_guided_cap  # pricing's own cap rule, reused

from . import scoring, selectors
from .models import (
    CorpusStat,
    Demand,
    DemandStatus,
    IndexedProduct,
    Match,
    Offer,
    OfferStatus,
    ProductVector,
    TermStat,
)
from .standing import merchant_standing

MAX_DEADLINE_DAYS = 366
MAX_VALIDITY_DAYS = 366
BATCH = 1000


def _require_member(actor, org: Organization | None) -> None:
    if org is None or not is_member(actor, org):
        raise NotAllowed(_("You do not act for this organisation."))


def _require_verified(org: Organization) -> None:
    if not org.is_verified:
        raise NotAllowed(_("Your organisation can do this once the exchange has verified it."))


def _enqueue(task_name: str, object_id: int) -> None:
    """Run a matching task after the current transaction commits (eagerly in-process on the embedded default)."""
    from . import tasks

    task = getattr(tasks, task_name)
    transaction.on_commit(lambda: task.delay(object_id), robust=True)


# Demands -----------------------------------------------------------------------------------------------------

DEMAND_FIELDS = (
    "title",
    "description",
    "section",
    "delivery_modes",
    "purpose",
    "scenario",
    "volume",
    "volume_unit",
    "budget_min",
    "budget_max",
    "region",
    "deadline",
    "is_public",
    "hide_buyer",
)


def _amount(value, *, field: str, errors: dict) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        amount = to_decimal(value)
    except ValueError:
        errors[field] = _("Enter an amount in yuan, e.g. 12000.00.")
        return None
    if amount != money(amount) or amount < 0 or amount > Decimal("999999999999.99"):
        errors[field] = _("Enter an amount of zero or more with at most two decimal places.")
        return None
    return money(amount)


def clean_demand(data: dict) -> dict:
    """Validate a demand's fields; raise ``DomainError`` naming every bad field at once."""
    errors: dict[str, str] = {}
    title = (data.get("title") or "").strip()
    if not title:
        errors["title"] = _("Say in a few words what data you need.")
    elif len(title) > 120:
        errors["title"] = _("At most 120 characters.")
    description = (data.get("description") or "").strip()
    if len(description) < 5:
        errors["description"] = _("Describe the data you need (at least 5 characters).")
    section = data.get("section") or ""
    if section and section not in Section.values:
        errors["section"] = _("Choose an industry section.")
    modes = list(dict.fromkeys(data.get("delivery_modes") or []))
    if any(mode not in DeliveryModeCode.values for mode in modes):
        errors["delivery_modes"] = _("Choose among the five delivery modes.")
    purpose = data.get("purpose") or ""
    if purpose not in Purpose.values:
        errors["purpose"] = _("Choose what you will use the data for.")
    volume = data.get("volume")
    try:
        volume = int(volume if volume not in (None, "") else 1)
        if not 1 <= volume <= MAX_QUANTITY:
            raise ValueError
    except (TypeError, ValueError):
        errors["volume"] = _("Enter a whole number from 1 to 1,000,000,000.")
        volume = None
    volume_unit = data.get("volume_unit") or BillingUnit.PER_CALL
    if volume_unit not in BillingUnit.values:
        errors["volume_unit"] = _("Choose a unit.")
    budget_min = _amount(data.get("budget_min"), field="budget_min", errors=errors)
    budget_max = _amount(data.get("budget_max"), field="budget_max", errors=errors)
    if budget_min is not None and budget_max is not None and budget_min > budget_max:
        errors["budget_max"] = _("The upper end of the budget is below its lower end.")
    deadline = data.get("deadline")
    today = timezone.localdate()
    if not isinstance(deadline, date):
        errors["deadline"] = _("Give the date until which the demand stays open.")
    elif deadline < today:
        errors["deadline"] = _("The deadline has passed; choose today or a later date.")
    elif deadline > today + timedelta(days=MAX_DEADLINE_DAYS):
        errors["deadline"] = _("A demand stays open for a year at most.")
    region = (data.get("region") or "").strip()
    if len(region) > 100:
        errors["region"] = _("At most 100 characters.")
    if errors:
        raise DomainError(_("The demand was not saved; correct the fields shown."), errors=errors)
    return {
        "title": title,
        "description": description,
        "section": section,
        "delivery_modes": modes,
        "purpose": purpose,
        "scenario": (data.get("scenario") or "").strip(),
        "volume": volume,
        "volume_unit": volume_unit,
        "budget_min": budget_min,
        "budget_max": budget_max,
        "region": region,
        "deadline": deadline,
        "is_public": bool(data.get("is_public", True)),
        "hide_buyer": bool(data.get("hide_buyer", False)),
    }


def _segment(demand: Demand) -> None:
    """The demand's query words: its title's first (they weigh double), then its description and scenario."""
    title_terms = scoring.query_terms(demand.title)
    terms = scoring.query_terms(demand.title, demand.description, demand.scenario)
    demand.title_term_count = len([t for t in terms if t in title_terms])
    demand.search_document = f" {' '.join(terms)} " if terms else ""


@transaction.atomic
def demand_create(*, buyer: Organization, actor, data: dict) -> Demand:
    """A buyer posts a demand; it is matched against the listed catalog in the background."""
    _require_member(actor, buyer)
    _require_verified(buyer)
    cleaned = clean_demand(data)
    demand = Demand(buyer=buyer, created_by=actor, **cleaned)
    _segment(demand)
    demand.save()
    refresh_search_vector(Demand.objects.filter(pk=demand.pk))
    audit_record(
        action="matching.demand_create", obj=demand, actor=actor, organization=buyer, changes=diff({}, cleaned)
    )
    _enqueue("match_demand", demand.pk)
    return demand


@transaction.atomic
def demand_update(*, demand: Demand, org: Organization, actor, data: dict) -> Demand:
    """The buyer edits an open demand; it is matched again."""
    _require_member(actor, org)
    demand = Demand.objects.select_for_update().get(pk=demand.pk)
    if demand.buyer_id != org.pk:
        raise NotAllowed(_("Only the buyer who posted this demand may change it."))
    if not demand.is_open:
        raise InvalidTransition(_("A closed or expired demand cannot be changed."))
    cleaned = clean_demand({**{name: getattr(demand, name) for name in DEMAND_FIELDS}, **data})
    before = {name: getattr(demand, name) for name in DEMAND_FIELDS}
    for name, value in cleaned.items():
        setattr(demand, name, value)
    _segment(demand)
    demand.save()
    refresh_search_vector(Demand.objects.filter(pk=demand.pk))
    audit_record(
        action="matching.demand_update", obj=demand, actor=actor, organization=org, changes=diff(before, cleaned)
    )
    _enqueue("match_demand", demand.pk)
    return demand


def _demand_move(demand: Demand, to: str, *, actor, reason: str, action: str) -> tuple[Demand, bool]:
    demand = Demand.objects.select_for_update().get(pk=demand.pk)
    if demand.status == to:
        return demand, False
    if not demand.can_become(to):
        raise InvalidTransition(
            _("This demand is “%(status)s” and cannot become “%(to)s”.")
            % {"status": demand.get_status_display(), "to": DemandStatus(to).label}
        )
    before = demand.status
    demand.status = to
    demand.status_reason = reason
    demand.closed_at = timezone.now()
    demand.save(update_fields=["status", "status_reason", "closed_at", "updated_at"])
    audit_record(
        action=action,
        obj=demand,
        actor=actor,
        organization=demand.buyer,
        changes={"status": [before, to]},
        reason=reason,
    )
    for offer in demand.offers.filter(status=OfferStatus.PENDING):
        _offer_move(
            offer,
            OfferStatus.EXPIRED,
            actor=None,
            reason=_("The demand is no longer open."),
            action="matching.offer_expire",
        )
    return demand, True


@transaction.atomic
def demand_close(*, demand: Demand, org: Organization, actor, reason: str = "") -> Demand:
    """The buyer closes its demand: matching stops and pending offers lapse."""
    _require_member(actor, org)
    if demand.buyer_id != org.pk:
        raise NotAllowed(_("Only the buyer who posted this demand may close it."))
    demand, _moved = _demand_move(
        demand, DemandStatus.CLOSED, actor=actor, reason=(reason or "").strip(), action="matching.demand_close"
    )
    return demand


@transaction.atomic
def demand_expire(*, demand: Demand) -> Demand:
    """A demand whose deadline has passed expires (periodic task)."""
    demand, _moved = _demand_move(
        demand, DemandStatus.EXPIRED, actor=None, reason=_("The deadline has passed."), action="matching.demand_expire"
    )
    return demand


def demands_expire_due(today: date | None = None) -> int:
    """Expire every open demand whose deadline is before today, and every lapsed pending offer; return how many
    demands expired."""
    today = today or timezone.localdate()
    expired = 0
    for demand_id in Demand.objects.open().filter(deadline__lt=today).values_list("pk", flat=True):
        demand_expire(demand=Demand(pk=demand_id))
        expired += 1
    for offer_id in Offer.objects.filter(status=OfferStatus.PENDING, valid_until__lt=today).values_list(
        "pk", flat=True
    ):
        offer_expire(offer=Offer(pk=offer_id))
    return expired


# Term statistics (BM25's document frequencies) ----------------------------------------------------------------


def _df_increment(terms) -> None:
    """Add one to each term's document frequency, creating missing rows (one statement, atomic per row)."""
    terms = [t for t in terms if len(t) <= 100]
    if not terms:
        return
    table = connection.ops.quote_name(TermStat._meta.db_table)
    sql = (
        f"INSERT INTO {table} (term, df) VALUES (%s, 1) "  # noqa: S608 - the table name is ours, values are bound  # nosec B608
        f"ON CONFLICT (term) DO UPDATE SET df = {table}.df + 1"
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, [(t,) for t in terms])


def _corpus_row() -> CorpusStat:
    CorpusStat.objects.get_or_create(pk=1)
    return CorpusStat.objects.select_for_update().get(pk=1)


# A product's vector: its words (as catalog segments them) and one lexeme per allowed purpose ("purposeriskcontrol").
VECTOR_SQL = (
    "to_tsvector('simple', p.search_document) || array_to_tsvector(ARRAY("
    "SELECT 'purpose' || replace(allowed.purpose, '_', '') "
    "FROM jsonb_array_elements_text(p.allowed_purposes) AS allowed(purpose)))"
)


def _product_vector_refresh(product_id: int) -> None:
    """The product's row of the candidate-search table (PostgreSQL), written from the catalog row."""
    if not uses_postgres():
        return
    table = ProductVector._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (product_id, search_vector) "  # noqa: S608 - our table, bound values  # nosec B608
            f"SELECT p.id, {VECTOR_SQL} FROM catalog_product p WHERE p.id = %s "
            "ON CONFLICT (product_id) DO UPDATE SET search_vector = EXCLUDED.search_vector",
            [product_id],
        )


@transaction.atomic
def product_index(*, product: Product) -> IndexedProduct:
    """Count a listed product's words in the term statistics, or re-count them if its text changed. Idempotent."""
    _corpus_row()  # Serialises with other indexing and with term_stats_rebuild.
    _product_vector_refresh(product.pk)
    tokens = (product.search_document or "").split()
    terms = sorted(set(tokens))
    indexed = IndexedProduct.objects.filter(pk=product.pk).first()
    if indexed is not None and indexed.terms == terms and indexed.length == len(tokens):
        return indexed
    old = set(indexed.terms) if indexed else set()
    _df_increment(sorted(set(terms) - old))
    removed = sorted(old - set(terms))
    if removed:
        TermStat.objects.filter(term__in=removed, df__gt=0).update(df=F("df") - 1)
    CorpusStat.objects.filter(pk=1).update(
        documents=F("documents") + (0 if indexed else 1),
        total_length=F("total_length") + len(tokens) - (indexed.length if indexed else 0),
    )
    if indexed is None:
        indexed = IndexedProduct.objects.create(product=product, length=len(tokens), terms=terms)
    else:
        indexed.length, indexed.terms = len(tokens), terms
        indexed.save(update_fields=["length", "terms", "indexed_at"])
    return indexed


@transaction.atomic
def term_stats_rebuild() -> CorpusStat:
    """Recount the statistics and the candidate-search table from every listed product (periodic: takes out delisted
    products and old texts)."""
    stats = _corpus_row()
    IndexedProduct.objects.all().delete()
    TermStat.objects.all().delete()
    counts: dict[str, int] = {}
    documents = total = 0
    pending: list[IndexedProduct] = []
    listed = Product.objects.filter(listing__status=ListingStatus.LISTED).order_by("pk")
    for pk, document in listed.values_list("pk", "search_document").iterator(chunk_size=2000):
        tokens = (document or "").split()
        terms = sorted({t for t in tokens if len(t) <= 100})
        for term in terms:
            counts[term] = counts.get(term, 0) + 1
        documents += 1
        total += len(tokens)
        pending.append(IndexedProduct(product_id=pk, length=len(tokens), terms=terms))
        if len(pending) >= BATCH:
            IndexedProduct.objects.bulk_create(pending)
            pending = []
    IndexedProduct.objects.bulk_create(pending)
    TermStat.objects.bulk_create((TermStat(term=t, df=n) for t, n in counts.items()), batch_size=5000)
    if uses_postgres():
        ProductVector.objects.all().delete()
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {ProductVector._meta.db_table} (product_id, search_vector) "  # noqa: S608 - our SQL  # nosec B608
                f"SELECT p.id, {VECTOR_SQL} FROM catalog_product p "
                "JOIN catalog_listing l ON l.product_id = p.id AND l.status = 'listed'"
            )
    stats.documents, stats.total_length, stats.rebuilt_at = documents, total, timezone.now()
    stats.save()
    return stats


def _ready_stats() -> CorpusStat:
    """The statistics, counted from scratch the first time (nothing counted yet but products listed)."""
    stats = selectors.corpus_stats()
    if stats.documents == 0 and Listing.objects.filter(status=ListingStatus.LISTED).exists():
        stats = term_stats_rebuild()
    return stats


# Matching runs ------------------------------------------------------------------------------------------------


def _upsert(rows: list[tuple[int, int, scoring.MatchScore]]) -> list[Match]:
    """Write the scored pairs (insert or update in place); return them as saved."""
    return Match.objects.bulk_create(
        [
            Match(demand_id=demand_id, product_id=product_id, score=s.score, components=s.components, reasons=s.reasons)
            for demand_id, product_id, s in rows
        ],
        update_conflicts=True,
        unique_fields=["demand", "product"],
        update_fields=["score", "components", "reasons", "updated_at"],
        batch_size=BATCH,
    )


def _notify_new(matches) -> int:
    """Tell buyer and merchant of each match above the threshold not told yet; once per pair, ever."""
    threshold = settings.MATCH_NOTIFY_THRESHOLD
    due = list(
        matches.filter(notified_at=None, score__gte=threshold, demand__status=DemandStatus.OPEN).values(
            "pk",
            "score",
            "reasons",
            "demand_id",
            "demand__title",
            "demand__buyer_id",
            "product_id",
            "product__name",
            "product__holder_id",
        )
    )
    drafts = []
    for match in due:
        url = reverse("matching:detail", args=[match["demand_id"]])
        values = {
            "demand": match["demand__title"],
            "product": match["product__name"],
            "percent": round(match["score"] * 100),
            "reasons": scoring.reasons_text(match["reasons"]),
        }
        pair = f"match:{match['demand_id']}:{match['product_id']}"
        drafts.append(
            {
                "kind": "match",
                "organization_id": match["demand__buyer_id"],
                "url": url,
                "dedupe_key": f"{pair}:buyer",
                "message": _("New match for your demand “%(demand)s”: %(product)s, score %(percent)s%%.\n%(reasons)s")
                % values,
            }
        )
        drafts.append(
            {
                "kind": "match",
                "organization_id": match["product__holder_id"],
                "url": url,
                "dedupe_key": f"{pair}:merchant",
                "message": _(
                    "Your product %(product)s matches the demand “%(demand)s”, score %(percent)s%%.\n%(reasons)s"
                )
                % values,
            }
        )
    if due:
        notify_many(drafts)
        Match.objects.filter(pk__in=[m["pk"] for m in due]).update(notified_at=timezone.now())
    return len(due)


def demand_match(*, demand: Demand) -> list[Match]:
    """Score an open demand against the listed catalog; keep its best matches and tell both sides of new strong ones.

    Returns the matches kept, best first.

    Idempotent: a second run finds the same matches and notifies no one again. A closed or
    expired demand is not matched.
    """
    demand = Demand.objects.select_related("buyer").filter(pk=demand.pk).first()
    if demand is None or not demand.is_open:
        return []
    weights = selectors.weights()
    features = selectors.features_of_demand(demand)
    corpus = selectors.corpus_for(features.terms, _ready_stats())
    candidates = selectors.product_candidates(
        features, corpus, limit=settings.MATCH_CANDIDATES, row_budget=settings.MATCH_CANDIDATE_ROWS
    )
    existing = set(Match.objects.filter(demand=demand).values_list("product_id", flat=True))
    products = selectors.listed_products_for_scoring(set(candidates) | existing)
    standing = merchant_standing({p.holder_id for p, _f in products})
    plans = selectors.active_plans_by_product([p.pk for p, _f in products])
    book = selectors.PriceBook()
    book.load_grants(buyer_ids=[demand.buyer_id], product_ids=[p.pk for p, _f in products])
    scored = []
    for product, product_features in products:
        partial = scoring.partial_score(features, product_features, corpus, weights, standing[product.holder_id])
        if partial is None:
            continue
        amount, on_request = book.cheapest(
            product=product,
            plans=plans.get(product.pk, []),
            buyer=demand.buyer,
            purpose=demand.purpose,
            volume=demand.volume,
            volume_unit=demand.volume_unit,
            delivery_modes=demand.delivery_modes,
        )
        budget = scoring.budget_fit(amount, demand.budget_max, on_request=on_request)
        scored.append((product.pk, scoring.finish_score(*partial, budget, weights)))
    scored.sort(key=lambda row: (-row[1].score, row[0]))
    keep = [
        (demand.pk, product_id, result)
        for rank, (product_id, result) in enumerate(scored)
        if rank < settings.MATCH_KEEP_PER_DEMAND or result.score >= settings.MATCH_MIN_SCORE
    ]
    with transaction.atomic():
        demand = Demand.objects.select_for_update().get(pk=demand.pk)
        if not demand.is_open:  # closed meanwhile: matching stops
            return []
        kept = {product_id for _d, product_id, _s in keep}
        Match.objects.filter(demand=demand).exclude(product_id__in=kept).delete()
        matches = _upsert(keep)
        demand.matched_at = timezone.now()
        demand.save(update_fields=["matched_at"])
        _notify_new(Match.objects.filter(demand=demand))
    return matches


def product_match(*, product: Product) -> list[Match]:
    """Score a newly listed product against every open demand it shares a word with; tell both sides of new strong
    matches. Idempotent."""
    product = (
        Product.objects.filter(pk=product.pk, listing__status=ListingStatus.LISTED)
        .only(*selectors.SCORING_FIELDS)
        .first()
    )
    if product is None:
        return []
    product_index(product=product)
    weights = selectors.weights()
    modes = selectors.delivery_modes_of([product.pk]).get(product.pk, frozenset())
    product_features = selectors.features_of_product(product, modes)
    rows = selectors.demand_candidates(product=product, terms=list(product_features.tf))
    corpus = selectors.corpus_for({t for row in rows for t in row["search_document"].split()})
    standing = merchant_standing([product.holder_id])[product.holder_id]
    plans = selectors.active_plans_by_product([product.pk]).get(product.pk, [])
    book = selectors.PriceBook()
    book.load_grants(product_ids=[product.pk])
    existing = set(
        Match.objects.filter(product=product, demand__status=DemandStatus.OPEN).values_list("demand_id", flat=True)
    )
    minimum = settings.MATCH_MIN_SCORE
    keep = []
    for row in rows:
        features = selectors.demand_features(
            terms=row["search_document"].split(),
            title_term_count=row["title_term_count"],
            section=row["section"],
            delivery_modes=row["delivery_modes"],
            purpose=row["purpose"],
            budget_max=row["budget_max"],
        )
        partial = scoring.partial_score(features, product_features, corpus, weights, standing)
        if partial is None:
            continue
        if row["pk"] not in existing and scoring.best_possible(partial[0], weights) < minimum:
            continue
        amount, on_request = book.cheapest(
            product=product,
            plans=plans,
            buyer=selectors.BuyerRef(pk=row["buyer_id"], is_sme=row["buyer__is_sme"]),
            purpose=row["purpose"],
            volume=row["volume"],
            volume_unit=row["volume_unit"],
            delivery_modes=row["delivery_modes"],
        )
        result = scoring.finish_score(
            *partial, scoring.budget_fit(amount, row["budget_max"], on_request=on_request), weights
        )
        if row["pk"] in existing or result.score >= minimum:
            keep.append((row["pk"], product.pk, result))
    keep.sort(key=lambda row: (-row[2].score, row[0]))
    with transaction.atomic():
        stale = existing - {demand_id for demand_id, _p, _s in keep}
        if stale:
            Match.objects.filter(product=product, demand_id__in=stale).delete()
        matches = _upsert(keep)
        _notify_new(Match.objects.filter(product=product, demand_id__in=[d for d, _p, _s in keep]))
    return matches


# Offers -------------------------------------------------------------------------------------------------------


def _offer_move(offer: Offer, to: str, *, actor, reason: str, action: str, **fields) -> tuple[Offer, bool]:
    offer = Offer.objects.select_for_update().get(pk=offer.pk)
    if offer.status == to:
        return offer, False
    if not offer.can_become(to):
        raise InvalidTransition(
            _("This offer is “%(status)s” and cannot become “%(to)s”.")
            % {"status": offer.get_status_display(), "to": OfferStatus(to).label}
        )
    before = offer.status
    offer.status = to
    offer.status_reason = reason
    offer.decided_at = timezone.now()
    offer.decided_by = actor if getattr(actor, "is_authenticated", False) else None
    for name, value in fields.items():
        setattr(offer, name, value)
    offer.save(update_fields=["status", "status_reason", "decided_at", "decided_by", "updated_at", *fields])
    audit_record(
        action=action,
        obj=offer,
        actor=actor,
        organization=offer.merchant if action == "matching.offer_withdraw" else offer.demand.buyer,
        changes={"status": [before, to], **{k: [None, v] for k, v in fields.items()}},
        reason=reason,
    )
    return offer, True


def _offer_quote(*, product: Product, plan: Plan, quantity: int, unit_price: Decimal, demand: Demand) -> Quote:
    """The offer's amount: pricing's quote of the plan at the offered price (tiers, SME discount, free use)."""
    moment = timezone.now()
    if plan.kind == PlanKind.QUOTATION:
        return Quote(
            amount=money(unit_price * quantity),
            regime=product.price_regime,
            rule=_("Quotation (议价): %(quantity)s × %(price)s")
            % {"quantity": f"{quantity:,}", "price": format_cny(unit_price)},
            product_code=product.code or "",
            plan_id=plan.pk,
            plan_name=plan.name,
            billing_unit=plan.billing_unit,
            quantity=quantity,
            purpose=demand.purpose,
            moment=moment,
        )
    priced = Plan(
        pk=plan.pk,
        product_id=plan.product_id,
        name=plan.name,
        kind=plan.kind,
        delivery_mode=plan.delivery_mode,
        unit_price=unit_price,
        monthly_quota=plan.monthly_quota,
        is_active=True,
    )
    guided = (
        pricing_selectors.guided_version_for(
            section=product.section, delivery_mode=plan.delivery_mode, billing_unit=plan.billing_unit, moment=moment
        )
        if product.price_regime == "guided"
        else None
    )
    grant = pricing_selectors.free_use_grant(buyer=demand.buyer, product=product, purpose=demand.purpose, moment=moment)
    return quote(
        product=product,
        plan=priced,
        quantity=quantity,
        buyer=demand.buyer,
        purpose=demand.purpose,
        moment=moment,
        guided=guided,
        free_use=grant,
    )


@transaction.atomic
def offer_make(
    *,
    demand: Demand,
    org: Organization,
    actor,
    product: Product,
    plan: Plan,
    unit_price,
    quantity: int | None = None,
    valid_until: date,
    message: str = "",
) -> Offer:
    """A merchant answers an open demand with a plan of its listed product at a price (a guided product's price
    may not exceed the cap in force)."""
    _require_member(actor, org)
    _require_verified(org)
    require_credit_to_offer(org)  # Governance: credit below CREDIT_MIN_SCORE_TO_TRADE refuses offers.
    demand = Demand.objects.select_for_update().select_related("buyer").get(pk=demand.pk)
    if not demand.is_open:
        raise InvalidTransition(_("This demand is no longer open."))
    if demand.buyer_id == org.pk:
        raise DomainError(_("An organisation cannot answer its own demand."))
    errors: dict[str, str] = {}
    if product.holder_id != org.pk:
        raise NotAllowed(_("You do not act for the holder of this product."))
    if not Listing.objects.filter(product=product, status=ListingStatus.LISTED).exists():
        errors["product"] = _("Only a listed product can be offered.")
    elif not scoring.purpose_allowed(demand.purpose, product.allowed_purposes or ()):
        errors["product"] = _("This product does not allow the demand's purpose (%(purpose)s).") % {
            "purpose": demand.get_purpose_display()
        }
    if plan.product_id != product.pk or not plan.is_active:
        errors["plan"] = _("Choose an active plan of this product.")
    price = None
    if unit_price in (None, ""):
        errors["unit_price"] = _("This is required.")
    else:
        try:
            price = to_decimal(unit_price)
            if price <= 0 or price != money(price) or price > Decimal("999999999999.99"):
                raise ValueError
        except ValueError:
            errors["unit_price"] = _("Enter a price above zero in yuan, with at most two decimal places.")
            price = None
    if quantity in (None, ""):
        quantity = selectors.quantity_for(plan.billing_unit, demand.volume, demand.volume_unit) or 1
    try:
        quantity = int(quantity)
        if not 1 <= quantity <= MAX_QUANTITY:
            raise ValueError
    except (TypeError, ValueError):
        errors["quantity"] = _("Enter a whole number from 1 to 1,000,000,000.")
    today = timezone.localdate()
    if not isinstance(valid_until, date):
        errors["valid_until"] = _("Give the date until which the offer stands.")
    elif valid_until < today:
        errors["valid_until"] = _("The date has passed; choose today or a later date.")
    elif valid_until > today + timedelta(days=MAX_VALIDITY_DAYS):
        errors["valid_until"] = _("An offer stands for a year at most.")
    if errors:
        raise DomainError(_("The offer was not made; correct the fields shown."), errors=errors)
    # The guided-price cap (政府指导价收费上限) of a public-data product: pricing's own rule.
    check_against_guided_cap(product, kind=plan.kind, delivery_mode=plan.delivery_mode, price=price)
    if Offer.objects.filter(demand=demand, product=product, status=OfferStatus.PENDING).exists():
        raise DomainError(
            _("This product already has an offer awaiting the buyer's answer; withdraw it to make another."),
            field="product",
        )
    quoted = _offer_quote(product=product, plan=plan, quantity=quantity, unit_price=price, demand=demand).as_dict()
    try:
        with transaction.atomic():
            offer = Offer.objects.create(
                demand=demand,
                product=product,
                merchant=org,
                plan=plan,
                quantity=quantity,
                unit_price=price,
                amount=Decimal(quoted["amount"]),
                quote=quoted,
                valid_until=valid_until,
                message=(message or "").strip(),
                created_by=actor,
            )
    except IntegrityError as error:
        raise DomainError(
            _("This product already has an offer awaiting the buyer's answer; withdraw it to make another."),
            field="product",
        ) from error
    audit_record(
        action="matching.offer_make",
        obj=offer,
        actor=actor,
        organization=org,
        changes={
            "status": [None, offer.status],
            "demand": demand.pk,
            "product": product.code,
            "plan": plan.pk,
            "quantity": quantity,
            "unit_price": str(price),
            "amount": str(offer.amount),
            "valid_until": valid_until,
        },
    )
    notify(
        kind="offer",
        organization=demand.buyer,
        url=reverse("matching:detail", args=[demand.pk]),
        dedupe_key=f"offer:{offer.pk}:made",
        message=_("%(merchant)s offers %(product)s for your demand “%(demand)s”: %(amount)s, valid until %(date)s.")
        % {
            "merchant": org.name,
            "product": product.name,
            "demand": demand.title,
            "amount": format_cny(offer.amount),
            "date": valid_until.isoformat(),
        },
    )
    return offer


def _require_buyer_of(offer: Offer, org: Organization, actor) -> None:
    _require_member(actor, org)
    if offer.demand.buyer_id != org.pk:
        raise NotAllowed(_("Only the buyer who posted the demand may answer this offer."))


def _tell_merchant(offer: Offer, event: str, message: str) -> None:
    notify(
        kind="offer",
        organization=offer.merchant,
        url=reverse("matching:detail", args=[offer.demand_id]),
        dedupe_key=f"offer:{offer.pk}:{event}",
        message=message,
    )


@transaction.atomic
def offer_accept(*, offer: Offer, org: Organization, actor, payment_method: str = "") -> Offer:
    """The buyer accepts a pending, still valid offer: it becomes an order at the offered price.

    The price is checked again against the guided cap in force and re-quoted now; the order
    then follows the usual payment path (bank transfer unless the buyer chose another way).
    """
    from marketplace.orders import services as order_services
    from marketplace.orders.models import PaymentMethod

    offer = Offer.objects.select_related("demand", "product", "merchant", "plan").get(pk=offer.pk)
    _require_buyer_of(offer, org, actor)
    if offer.status == OfferStatus.ACCEPTED:
        return offer
    if offer.is_pending and offer.valid_until < timezone.localdate():
        raise InvalidTransition(_("This offer expired on %(date)s.") % {"date": offer.valid_until.isoformat()})
    plan = offer.plan
    check_against_guided_cap(offer.product, kind=plan.kind, delivery_mode=plan.delivery_mode, price=offer.unit_price)
    agreed = _offer_quote(
        product=offer.product, plan=plan, quantity=offer.quantity, unit_price=offer.unit_price, demand=offer.demand
    )
    offer, moved = _offer_move(offer, OfferStatus.ACCEPTED, actor=actor, reason="", action="matching.offer_accept")
    if not moved:
        return offer
    order = order_services.order_place(
        buyer=offer.demand.buyer,
        actor=actor,
        product=offer.product,
        plan=plan,
        quantity=offer.quantity,
        purpose=offer.demand.purpose,
        payment_method=payment_method or PaymentMethod.BANK_TRANSFER,
        agreed_quote=agreed,
    )
    Offer.objects.filter(pk=offer.pk).update(order_number=order.number)
    offer.order_number = order.number
    _tell_merchant(
        offer,
        "accepted",
        _("%(buyer)s accepted your offer of %(product)s (%(amount)s) for “%(demand)s”: order %(order)s.")
        % {
            "buyer": offer.demand.buyer.name,
            "product": offer.product.name,
            "amount": format_cny(agreed.amount),
            "demand": offer.demand.title,
            "order": order.number,
        },
    )
    return offer


@transaction.atomic
def offer_decline(*, offer: Offer, org: Organization, actor, reason: str = "") -> Offer:
    """The buyer declines a pending offer, optionally saying why."""
    offer = Offer.objects.select_related("demand", "product", "merchant").get(pk=offer.pk)
    _require_buyer_of(offer, org, actor)
    offer, moved = _offer_move(
        offer, OfferStatus.DECLINED, actor=actor, reason=(reason or "").strip(), action="matching.offer_decline"
    )
    if moved:
        _tell_merchant(
            offer,
            "declined",
            _("%(buyer)s declined your offer of %(product)s for “%(demand)s”.")
            % {"buyer": offer.demand.buyer_label(), "product": offer.product.name, "demand": offer.demand.title},
        )
    return offer


@transaction.atomic
def offer_withdraw(*, offer: Offer, org: Organization, actor) -> Offer:
    """The merchant withdraws its pending offer."""
    _require_member(actor, org)
    offer = Offer.objects.select_related("demand").get(pk=offer.pk)
    if offer.merchant_id != org.pk:
        raise NotAllowed(_("Only the merchant who made this offer may withdraw it."))
    offer, _moved = _offer_move(offer, OfferStatus.WITHDRAWN, actor=actor, reason="", action="matching.offer_withdraw")
    return offer


@transaction.atomic
def offer_expire(*, offer: Offer) -> Offer:
    """A pending offer past its validity date expires (periodic task)."""
    offer = Offer.objects.select_related("demand").get(pk=offer.pk)
    if not offer.is_pending or offer.valid_until >= timezone.localdate():
        return offer
    offer, _moved = _offer_move(
        offer,
        OfferStatus.EXPIRED,
        actor=None,
        reason=_("The offer's validity date has passed."),
        action="matching.offer_expire",
    )
    return offer
