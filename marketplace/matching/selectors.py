"""Reads of matching: corpus statistics, candidates for scoring, quotes for a demand's volume, and the pages' lists.

Candidates come from the database's text index so that scoring only ever sees a few
hundred products (a new demand) or the open demands sharing a word with a product (a
newly listed product). On PostgreSQL both sides have a GIN-indexed ``tsvector`` of
jieba-segmented words ('simple' configuration); on SQLite the padded documents are
matched word by word.
"""

import operator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import reduce

from django.conf import settings
from django.contrib.postgres.search import SearchQuery
from django.db.models import Case, Exists, FloatField, OuterRef, Q, QuerySet, Value, When
from django.utils import timezone

from accounts.exceptions import DomainError
from accounts.models import Organization
from catalog.choices import DataSourceType
from catalog.models import ListingStatus, Product
from catalog.search import uses_postgres
from pricing.models import (
    BillingUnit,
    FreeUseApplication,
    FreeUseStatus,
    GuidedPriceVersion,
    Plan,
    PlanKind,
    local_date,
)
from pricing.quotes import quote

from . import scoring
from .models import CorpusStat, Demand, DemandStatus, Match, Offer, OfferStatus, ProductVector, TermStat

# Most product-side words used to find the demands a newly listed product may answer.
MAX_PRODUCT_TERMS = 200


def weights() -> scoring.Weights:
    return scoring.Weights.from_mapping(settings.MATCH_WEIGHTS)


def corpus_stats() -> CorpusStat:
    return CorpusStat.objects.get_or_create(pk=1)[0]


def corpus_for(terms, stats: CorpusStat | None = None) -> scoring.Corpus:
    """BM25's view of the listed catalog, with the document frequency of ``terms``."""
    stats = stats or corpus_stats()
    terms = list(set(terms))
    df = dict(TermStat.objects.filter(term__in=terms).values_list("term", "df")) if terms else {}
    return scoring.Corpus(documents=stats.documents, average_length=stats.average_length, df=df)


# Features ----------------------------------------------------------------------------------------------------


def demand_features(
    *, terms: list[str], title_term_count: int, section: str, delivery_modes, purpose: str, budget_max
) -> scoring.DemandFeatures:
    return scoring.DemandFeatures(
        terms=tuple(terms),
        title_terms=frozenset(terms[:title_term_count]),
        section=section or "",
        delivery_modes=frozenset(delivery_modes or ()),
        purpose=purpose,
        budget_max=budget_max,
    )


def features_of_demand(demand: Demand) -> scoring.DemandFeatures:
    return demand_features(
        terms=demand.terms,
        title_term_count=demand.title_term_count,
        section=demand.section,
        delivery_modes=demand.delivery_modes,
        purpose=demand.purpose,
        budget_max=demand.budget_max,
    )


def delivery_modes_of(product_ids) -> dict[int, frozenset[str]]:
    through = Product.delivery_modes.through
    modes: dict[int, set[str]] = {}
    for product_id, mode in through.objects.filter(product_id__in=product_ids).values_list(
        "product_id", "deliverymode_id"
    ):
        modes.setdefault(product_id, set()).add(mode)
    return {pk: frozenset(values) for pk, values in modes.items()}


def features_of_product(product: Product, modes: frozenset[str]) -> scoring.ProductFeatures:
    document = product.search_document or ""
    return scoring.ProductFeatures(
        tf=scoring.document_tf(document),
        length=scoring.document_length(document),
        section=product.section or "",
        delivery_modes=modes,
        allowed_purposes=frozenset(product.allowed_purposes or ()),
    )


SCORING_FIELDS = (
    "pk",
    "code",
    "name",
    "section",
    "data_source_type",
    "holder_id",
    "allowed_purposes",
    "search_document",
)


def listed_products_for_scoring(product_ids) -> list[tuple[Product, scoring.ProductFeatures]]:
    """The listed products among ``product_ids``, each with what scoring reads."""
    products = list(
        Product.objects.filter(pk__in=list(product_ids), listing__status=ListingStatus.LISTED).only(*SCORING_FIELDS)
    )
    modes = delivery_modes_of([p.pk for p in products])
    return [(p, features_of_product(p, modes.get(p.pk, frozenset()))) for p in products]


def active_plans_by_product(product_ids) -> dict[int, list[Plan]]:
    plans: dict[int, list[Plan]] = {}
    for plan in Plan.objects.filter(product_id__in=list(product_ids), is_active=True).order_by("pk"):
        plans.setdefault(plan.product_id, []).append(plan)
    return plans


# Candidates --------------------------------------------------------------------------------------------------


def _term_query(term: str) -> SearchQuery:
    return SearchQuery(term, config="simple", search_type="plain")


def purpose_lexeme(purpose: str) -> str:
    """The word a product vector holds for an allowed purpose: one token for the 'simple' parser."""
    return "purpose" + purpose.replace("_", "")


def product_candidates(
    features: scoring.DemandFeatures, corpus: scoring.Corpus, *, limit: int, row_budget: int
) -> list[int]:
    """Ids of the listed products allowing the purpose that share the demand's most telling words, best first.

    The words looked up are the rarest ones, as many as fit in ``row_budget`` postings, so
    the database reads a bounded number of rows whatever the catalog's size; every word of
    the demand (common ones too) then ranks those rows by the sum of its weights.
    """
    weights = {
        term: corpus.idf(term) * (scoring.TITLE_WEIGHT if term in features.title_terms else 1.0)
        for term in features.terms
    }
    if not weights or not features.purpose:
        return []
    # Words the statistics do not know yet (df 0) are rare by definition: always looked up.
    chosen, rows = [], 0
    for term in sorted(weights, key=lambda t: corpus.df.get(t, 0)):
        df = corpus.df.get(term, 0)
        if df and chosen and rows + df > row_budget:
            break
        chosen.append(term)
        rows += df
    if uses_postgres():
        # The narrow vector table (words + purpose lexemes); a delisted product still in it is dropped when scored.
        queries = {term: _term_query(term) for term in weights}
        prerank = reduce(
            operator.add,
            (
                Case(
                    When(search_vector=queries[term], then=Value(weight)), default=Value(0.0), output_field=FloatField()
                )
                for term, weight in weights.items()
            ),
        )
        wanted = reduce(operator.or_, (queries[t] for t in chosen)) & _term_query(purpose_lexeme(features.purpose))
        found = (
            ProductVector.objects.filter(search_vector=wanted)
            .annotate(prerank=prerank)
            .order_by("-prerank", "-pk")
            .values_list("pk", flat=True)[:limit]
        )
        return list(found)
    listed = Product.objects.filter(listing__status=ListingStatus.LISTED)
    condition = reduce(operator.or_, (Q(search_document__contains=f" {t} ") for t in chosen))
    ranked = []
    for pk, document, purposes in listed.filter(condition).values_list("pk", "search_document", "allowed_purposes"):
        if not scoring.purpose_allowed(features.purpose, purposes or ()):
            continue
        words = set(document.split())
        ranked.append((sum(w for t, w in weights.items() if t in words), pk))
    ranked.sort(key=lambda row: (-row[0], -row[1]))
    return [pk for _weight, pk in ranked[:limit]]


DEMAND_FIELDS = (
    "pk",
    "search_document",
    "title_term_count",
    "section",
    "delivery_modes",
    "purpose",
    "budget_max",
    "volume",
    "volume_unit",
    "buyer_id",
    "buyer__is_sme",
)


def demand_candidates(*, product: Product, terms) -> list[dict]:
    """Open demands whose purpose the product allows and that share at least one word with it."""
    terms = [t for t in terms if t not in scoring.STOPWORDS][:MAX_PRODUCT_TERMS]
    purposes = list(product.allowed_purposes or [])
    if not terms or not purposes:
        return []
    demands = Demand.objects.open().filter(purpose__in=purposes)
    if uses_postgres():
        query = reduce(operator.or_, (_term_query(t) for t in terms))
        return list(demands.filter(search_vector=query).values(*DEMAND_FIELDS))
    words = set(terms)
    return [row for row in demands.values(*DEMAND_FIELDS) if words.intersection(row["search_document"].split())]


# Quotes for a demand's volume ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class BuyerRef:
    """What a quote reads of the buyer."""

    pk: int
    is_sme: bool


def quantity_for(billing_unit: str | None, volume: int, volume_unit: str) -> int | None:
    """How many units of a plan the demand's volume is: the volume in its own unit, one licence, or not comparable."""
    if billing_unit == volume_unit:
        return volume
    if billing_unit in (BillingUnit.PER_PRODUCT, BillingUnit.PER_DATASET):
        return 1
    return None


class PriceBook:
    """Quotes for demands' volumes through pricing's pure ``quote``, fetching each guided version once per run."""

    def __init__(self, moment: datetime | None = None):
        self.moment = moment or timezone.now()
        self._guided: dict[tuple, GuidedPriceVersion] | None = None
        self._grants: dict[tuple, FreeUseApplication] = {}
        self._amounts: dict[tuple, Decimal | None] = {}

    def load_grants(self, *, buyer_ids=None, product_ids=None) -> None:
        """Approved, unexpired free-use applications (有条件无偿使用) that may make a quote free."""
        grants = FreeUseApplication.objects.filter(status=FreeUseStatus.APPROVED, expires_at__gt=self.moment)
        if buyer_ids is not None:
            grants = grants.filter(buyer_id__in=list(buyer_ids))
        if product_ids is not None:
            grants = grants.filter(product_id__in=list(product_ids))
        self._grants = {(g.buyer_id, g.product_id, g.purpose): g for g in grants}

    def _load_guided(self) -> dict[tuple, GuidedPriceVersion]:
        """The whole guided-price catalogue in force at the moment (a few dozen rows), read once.

        Per entry, the highest version whose own period covers the moment (``GuidedPriceVersion.covers``),
        as ``pricing.selectors.guided_version_for`` picks it.
        """
        in_force: dict[tuple, GuidedPriceVersion] = {}
        for version in GuidedPriceVersion.objects.select_related("entry").filter(
            effective_from__lte=local_date(self.moment)
        ):
            entry = version.entry
            key = (entry.section, entry.delivery_mode, entry.billing_unit)
            if version.covers(self.moment) and (key not in in_force or version.version > in_force[key].version):
                in_force[key] = version
        return in_force

    def guided(self, product: Product, plan: Plan):
        if self._guided is None:
            self._guided = self._load_guided()
        return self._guided.get((product.section, plan.delivery_mode, plan.billing_unit))

    def amount(self, *, product: Product, plan: Plan, quantity: int, buyer, purpose: str) -> Decimal | None:
        grant = self._grants.get((buyer.pk, product.pk, purpose))
        key = None if grant is not None else (plan.pk, quantity, bool(getattr(buyer, "is_sme", False)))
        if key is not None and key in self._amounts:
            return self._amounts[key]
        guided = self.guided(product, plan) if product.data_source_type == DataSourceType.PUBLIC else None
        try:
            amount = quote(
                product=product,
                plan=plan,
                quantity=quantity,
                buyer=buyer,
                purpose=purpose,
                moment=self.moment,
                guided=guided,
                free_use=grant,
            ).amount
        except DomainError:
            amount = None
        if key is not None:
            self._amounts[key] = amount
        return amount

    def cheapest(
        self, *, product: Product, plans, buyer, purpose: str, volume: int, volume_unit: str, delivery_modes
    ) -> tuple[Decimal | None, bool]:
        """The cheapest quote among the product's plans for the volume, and whether it is priced on request only."""
        best, on_request = None, False
        for plan in plans:
            if delivery_modes and plan.delivery_mode not in delivery_modes:
                continue
            if plan.kind == PlanKind.QUOTATION or plan.unit_price is None:
                on_request = True
                continue
            quantity = quantity_for(plan.billing_unit, volume, volume_unit)
            if quantity is None:
                continue
            amount = self.amount(product=product, plan=plan, quantity=quantity, buyer=buyer, purpose=purpose)
            if amount is not None and (best is None or amount < best):
                best = amount
        return best, on_request and best is None


# Pages -------------------------------------------------------------------------------------------------------


def public_demands(*, text: str = "", section: str = "", purpose: str = "", status: str = DemandStatus.OPEN):
    """Public demands, newest first, for the public list and the API."""
    demands = Demand.objects.public().select_related("buyer")
    if status:
        demands = demands.filter(status=status)
    if section:
        demands = demands.filter(section=section)
    if purpose:
        demands = demands.filter(purpose=purpose)
    if text and text.strip():
        condition = Q()
        for term in scoring.query_terms(text):
            condition &= Q(search_document__contains=f" {term} ")
        demands = demands.filter(condition)
    return demands


def demands_of_buyer(organization: Organization):
    return Demand.objects.of_buyer(organization).select_related("buyer")


def visible_demands(organization: Organization | None) -> QuerySet:
    """Demands someone acting for ``organization`` may open: public ones, its own, those matched with or offered
    its products."""
    if organization is None:
        return Demand.objects.public()
    matched = Match.objects.filter(demand=OuterRef("pk"), product__holder=organization)
    offered = Offer.objects.filter(demand=OuterRef("pk"), merchant=organization)
    return Demand.objects.filter(Q(is_public=True) | Q(buyer=organization) | Exists(matched) | Exists(offered))


def matches_of_demand(demand: Demand, *, limit: int | None = None):
    """The demand's matches, best first (also those below the notification threshold)."""
    matches = (
        Match.objects.filter(demand=demand, product__listing__status=ListingStatus.LISTED)
        .select_related("product", "product__holder")
        .order_by("-score", "pk")
    )
    return matches[:limit] if limit else matches


def matches_for_merchant(organization: Organization, *, strong_only: bool = False):
    """ "Demands for you": matches of the organisation's products with open demands, best first."""
    matches = (
        Match.objects.filter(
            product__holder=organization,
            product__listing__status=ListingStatus.LISTED,
            demand__status=DemandStatus.OPEN,
        )
        .select_related("demand", "demand__buyer", "product")
        .order_by("-score", "-pk")
    )
    if strong_only:
        matches = matches.filter(score__gte=settings.MATCH_NOTIFY_THRESHOLD)
    return matches


def matches_for_product(product: Product):
    """Open demands this product matches, best first (the product page's panel for its holder)."""
    return (
        Match.objects.filter(product=product, demand__status=DemandStatus.OPEN)
        .select_related("demand", "demand__buyer")
        .order_by("-score", "-pk")
    )


def matches_visible_to(organization: Organization):
    """Matches the organisation may read: of its demands (as buyer) or of its products (as merchant)."""
    return Match.objects.filter(Q(demand__buyer=organization) | Q(product__holder=organization)).select_related(
        "demand", "product"
    )


def offers_of_demand(demand: Demand, *, organization: Organization | None):
    """Offers on a demand: all of them for its buyer, a merchant's own for a merchant, none for anyone else."""
    offers = Offer.objects.filter(demand=demand).select_related("product", "plan", "merchant")
    if organization is None:
        return offers.none()
    if organization.pk == demand.buyer_id:
        return offers
    return offers.filter(merchant=organization)


def offers_visible_to(organization: Organization):
    return Offer.objects.filter(Q(demand__buyer=organization) | Q(merchant=organization)).select_related(
        "demand", "product", "plan", "merchant"
    )


def offers_of_merchant(organization: Organization):
    return Offer.objects.filter(merchant=organization).select_related("demand", "product", "plan")


def offerable_products(organization: Organization, demand: Demand):
    """The organisation's listed products that allow the demand's purpose (those it may offer)."""
    products = Product.objects.filter(holder=organization, listing__status=ListingStatus.LISTED).order_by("name")
    return [p for p in products if scoring.purpose_allowed(demand.purpose, p.allowed_purposes or ())]


def pending_offer_count(demand: Demand) -> int:
    return demand.offers.filter(status=OfferStatus.PENDING).count()
