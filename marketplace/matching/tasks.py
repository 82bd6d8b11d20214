"""Background work of matching. Thin: take ids, fetch, call a service. Every task is idempotent."""

from celery import shared_task

from catalog.models import Product

from . import services
from .models import Demand


@shared_task
def match_demand(demand_id: int) -> int:
    """Score one open demand against the listed catalog; return how many matches it keeps."""
    demand = Demand.objects.filter(pk=demand_id).first()
    return len(services.demand_match(demand=demand)) if demand else 0


@shared_task
def match_product(product_id: int) -> int:
    """Score one newly listed product against the open demands; return how many matches it has."""
    product = Product.objects.filter(pk=product_id).first()
    return len(services.product_match(product=product)) if product else 0


@shared_task
def expire_demands() -> int:
    """Expire demands past their deadline and offers past their validity date."""
    return services.demands_expire_due()


@shared_task
def rebuild_term_stats() -> int:
    """Recount the words of the listed catalog for BM25; return how many products were counted."""
    return services.term_stats_rebuild().documents
