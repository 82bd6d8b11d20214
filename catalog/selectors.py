"""Reads of the catalog: public search, product pages, notices, merchants' and operators' lists."""

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db.models import Count, Prefetch, QuerySet
from django.utils import timezone

from accounts.models import Organization

from . import search
from .choices import DataSourceType, PriceRegime
from .codes import normalize_code
from .findings import BANK_CARD_RE, ID_CARD_RE, MOBILE_RE, is_id_card, passes_luhn
from .models import Product, ProductEvent

# Registration states the public may see: everything from the public notice (公示) on.
PUBLIC_STATUSES = (
    Product.Status.PUBLIC_NOTICE,
    Product.Status.REGISTERED,
    Product.Status.SUSPENDED,
    Product.Status.CANCELLED,
    Product.Status.WITHDRAWN,
)
SOURCE_TYPES_BY_REGIME = {
    PriceRegime.GUIDED: [DataSourceType.PUBLIC],
    PriceRegime.MARKET: [DataSourceType.ENTERPRISE, DataSourceType.PERSONAL],
}


class Sort:
    """Orderings of the public catalog."""

    RELEVANCE = "relevance"
    NEWEST = "newest"
    NAME = "name"


# Large columns a card or catalog row never shows.
CARD_DEFERRED = ("description", "search_document", "search_vector", "sample_preview", "application_scenario")


def _with_card_data(queryset: QuerySet) -> QuerySet:
    """What a product card or API row shows, fetched in two queries whatever the page size."""
    return queryset.select_related("holder", "listing").prefetch_related("delivery_modes").defer(*CARD_DEFERRED)


class SearchPaginator(Paginator):
    """Pages of catalog results that spare a ranked search its COUNT(*).

    Ordering by relevance ranks every match before the first row comes back, and
    a COUNT(*) scans every match again. For a text search (a queryset annotated
    with ``rank``, on PostgreSQL) this paginator asks
    once for the ids of the first ``RANKED_IDS`` matches in order: when there are
    no more, their number is the count and the page is a slice of them; only a
    broader search also runs the COUNT(*). The page's rows are then fetched by id.
    Unranked queries page the usual way, stopping early in an index order.
    """

    RANKED_IDS = 1000

    def _ranked(self) -> bool:
        return isinstance(self.object_list, QuerySet) and "rank" in self.object_list.query.annotations

    def page(self, number):
        if not self._ranked():
            return super().page(number)
        try:
            number = int(number)
        except (TypeError, ValueError) as exc:
            raise PageNotAnInteger(self.error_messages["invalid_page"]) from exc
        if number < 1:
            raise EmptyPage(self.error_messages["min_page"])
        start = (number - 1) * self.per_page
        if start + self.per_page > self.RANKED_IDS:
            return super().page(number)  # Deep pages of a broad search: LIMIT/OFFSET in SQL.
        head = list(self.object_list.values_list("pk", "rank")[: self.RANKED_IDS + 1])
        self.count = len(head) if len(head) <= self.RANKED_IDS else self.object_list.count()
        head = head[start : start + self.per_page]
        if not head and number > 1:
            raise EmptyPage(self.error_messages["no_results"])
        # The page's rows by id alone: repeating the text search here would scan the matches again.
        rows = _with_card_data(Product.objects.all()).in_bulk([pk for pk, _rank in head])
        page = []
        for pk, rank in head:
            if pk in rows:  # A product deleted in between is left out, not an error.
                rows[pk].rank = rank
                page.append(rows[pk])
        return self._get_page(page, number, self)

    def get_page(self, number):
        """Like ``Paginator.get_page``: a bad number gives the first page, one too large the last."""
        try:
            return self.page(number)
        except PageNotAnInteger:
            return self.page(1)
        except EmptyPage:
            return self.page(max(1, self.num_pages))


def catalog_search(
    *,
    text: str = "",
    section: str = "",
    delivery_mode: str = "",
    data_source_type: str = "",
    price_regime: str = "",
    sort: str = "",
    queryset: QuerySet | None = None,
) -> QuerySet:
    """Listed products matching Chinese ``text`` (segmented words) and the filters, sorted.

    ``sort`` is ``relevance`` (the default when there is text), ``newest`` (the
    default otherwise) or ``name``.
    """
    products = Product.objects.listed() if queryset is None else queryset
    if section:
        products = products.filter(section=section)
    if data_source_type:
        products = products.filter(data_source_type=data_source_type)
    if price_regime:
        products = products.filter(data_source_type__in=SOURCE_TYPES_BY_REGIME.get(price_regime, []))
    if delivery_mode:
        # One through row per (product, mode): the join never duplicates a product.
        products = products.filter(delivery_modes=delivery_mode)
    ranked = False
    if text and text.strip():
        products, ranked = search.apply_text_search(products, text)
    if sort == Sort.NAME:
        order = ["name", "pk"]
    elif ranked and sort in ("", Sort.RELEVANCE):
        order = ["-rank", "-listing__listed_at", "-pk"]
    else:
        order = ["-listing__listed_at", "-pk"]
    return _with_card_data(products.order_by(*order))


def latest_listed(*, limit: int = 8) -> list[Product]:
    """The most recently listed products, for the home page."""
    return list(_with_card_data(Product.objects.listed().order_by("-listing__listed_at", "-pk"))[:limit])


def catalog_figures() -> dict:
    """Key figures on the home page."""
    listed = Product.objects.listed()
    return {
        "listed": listed.count(),
        "registered": Product.objects.filter(status=Product.Status.REGISTERED).count(),
        "organizations": Organization.objects.filter(status=Organization.Status.VERIFIED).count(),
        "sections": listed.values("section").distinct().count(),
    }


def section_counts() -> dict[str, int]:
    """Listed products per industry section, for browsing by section."""
    rows = Product.objects.listed().order_by().values("section").annotate(n=Count("pk"))
    return {row["section"]: row["n"] for row in rows}


def public_products() -> QuerySet:
    """Registrations the public may see: they have a code and reached the public notice."""
    return Product.objects.filter(code__isnull=False, status__in=PUBLIC_STATUSES)


def public_product(code: str) -> Product | None:
    """The public product with ``code`` (case-insensitive), with what its page shows; None if not public."""
    return (
        public_products()
        .select_related("holder", "listing")
        .prefetch_related(
            "delivery_modes",
            Prefetch("events", queryset=ProductEvent.objects.filter(is_public=True), to_attr="public_events"),
        )
        .filter(code=normalize_code(code))
        .first()
    )


def _mask_identifiers(cell: str) -> str:
    """Hide personal identifiers a sample may still hold; the public page never shows them whole."""

    def id_card(match):
        value = match.group(1)
        return value[:4] + "*" * 10 + value[-4:] if is_id_card(value) else value

    def bank_card(match):
        value = match.group(1)
        return value[:4] + "*" * (len(value) - 8) + value[-4:] if passes_luhn(value) else value

    cell = ID_CARD_RE.sub(id_card, cell)
    cell = MOBILE_RE.sub(lambda match: match.group(1)[:3] + "****" + match.group(1)[-4:], cell)
    return BANK_CARD_RE.sub(bank_card, cell)


def public_sample_preview(product: Product) -> dict:
    """The sample's header and first rows as the public sees them, personal identifiers masked."""
    preview = product.sample_preview or {}
    return {
        "header": list(preview.get("header", [])),
        "rows": [[_mask_identifiers(str(cell)) for cell in row] for row in preview.get("rows", [])],
        "row_count": preview.get("row_count", 0),
    }


def products_under_notice() -> QuerySet:
    """Registrations in their public notice (公示), the soonest to close first."""
    return (
        Product.objects.under_notice()
        .filter(code__isnull=False, notice_ends_at__gt=timezone.now())
        .select_related("holder")
        .prefetch_related("delivery_modes")
        .order_by("notice_ends_at", "pk")
    )


def registrations_of(organization: Organization) -> QuerySet:
    """An organisation's own registrations, every state, newest first."""
    return (
        Product.objects.for_holder(organization)
        .select_related("holder", "listing")
        .prefetch_related("delivery_modes")
        .order_by("-created_at", "-pk")
    )


def review_queue() -> QuerySet:
    """Registrations waiting for an operator, oldest submission first."""
    return (
        Product.objects.review_queue()
        .select_related("holder")
        .prefetch_related("delivery_modes", "findings")
        .order_by("submitted_at", "pk")
    )


def reviewable_products() -> QuerySet:
    """Every registration an operator may act on: anything that left the draft stage."""
    return Product.objects.exclude(status=Product.Status.DRAFT)
