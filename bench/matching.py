#!/usr/bin/env python
"""Benchmark: matching a new demand against 100,000 listed products, and a new product against 10,000 demands.

Run against a PostgreSQL database of its own (it is wiped and refilled):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_matching .venv/bin/python bench/matching.py

It creates the database if missing, migrates, generates the listed products with
``bench/catalog_search.py``'s generator (Chinese names and descriptions across
sections, delivery modes and source types), gives most of them a price plan (and the
public-data ones a guided price), counts the catalog's words for BM25, and posts
10,000 open demands written from the same vocabulary. Then it measures:

1. a new demand, ``--runs`` times with a different demand each time: posting it
   (``demand_create``, the web request) and matching it (``demand_match``, the work of
   the ``match_demand`` task it enqueues), goal p95 <= 200 ms for the matching; and
   matching it again (an idempotent re-run);
2. a newly listed product against the 10,000 open demands (``product_match``, the work
   of the task catalog's listing hook enqueues), ``--product-runs`` times: goal <= 2 s;
3. for comparison, the embedded default, where posting a demand runs its matching and
   its e-mails eagerly in the same process.

As in production, tasks go to a broker (here an in-memory one nobody consumes), so a
timing holds the task's own work: scoring, writing the matches and the notifications,
not the e-mails (their own task). Mail goes to memory. Options: ``--products N``,
``--demands N``, ``--runs N``, ``--keep`` (reuse the data when the counts match),
``--force`` (allow a database whose name does not contain "bench").
"""

import argparse
import os
import random
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from multiprocessing import Pool
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import catalog_search  # noqa: E402  (sets the production-like environment defaults too)

SEED = 20260202
BATCH = 2000
BUYER_USCC_PREFIX = "91980000"
MEASURED = "BNCM"  # issuer of the products listed while measuring, removed afterwards
DEMAND_TEMPLATES = [
    ("{subject}{topic}数据", "需要{region}{subject}{topic}相关数据，最好包含{second}信息，用于{use}。"),
    ("{region}{subject}{topic}{kind}", "寻找覆盖{region}的{subject}{topic}{kind}，按{freq}更新，服务{use}。"),
    ("{topic}{kind}采购", "我司开展{use}，希望获得{subject}{topic}与{second}数据，优先{region}。"),
    ("{subject}{second}分析数据", "用于{use}的{subject}{second}和{topic}指标，覆盖{region}。"),
]
PURPOSES = {"risk_control": 5, "research": 3, "marketing": 2, "operations": 1}


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--demands", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=60, help="new demands matched (at least 50)")
    parser.add_argument("--product-runs", type=int, default=10, help="new products matched against the demands")
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="reuse existing data when the counts match")
    parser.add_argument("--force", action="store_true", help="allow a database whose name lacks 'bench'")
    return parser.parse_args()


def fake_demand(rng: random.Random, number: int) -> dict:
    """One buyer's demand, in Chinese, from the catalog generator's word lists."""
    section = rng.choices(list(catalog_search.SECTION_WEIGHTS), weights=list(catalog_search.SECTION_WEIGHTS.values()))[
        0
    ]
    modes = sorted(rng.sample(catalog_search.MODES, rng.choice([0, 1, 1, 2])))
    kind_mode = modes[0] if modes else rng.choice(catalog_search.MODES)
    words = {
        "subject": rng.choice(catalog_search.SUBJECTS[section]),
        "topic": rng.choice(catalog_search.TOPICS),
        "second": rng.choice(catalog_search.TOPICS),
        "region": rng.choice(catalog_search.REGIONS),
        "use": rng.choice(catalog_search.USES),
        "kind": rng.choice(catalog_search.KINDS[kind_mode]),
        "freq": rng.choice(["日", "周", "月"]),
    }
    title, description = rng.choice(DEMAND_TEMPLATES)
    return {
        "number": number,
        "title": title.format(**words)[:120],
        "description": description.format(**words),
        "scenario": words["use"],
        "section": section if rng.random() < 0.7 else "",
        "delivery_modes": modes,
        "purpose": rng.choices(list(PURPOSES), weights=list(PURPOSES.values()))[0],
        "volume": rng.choice([1_000, 10_000, 100_000]),
        "volume_unit": rng.choice(["per_call", "per_call", "per_call", "per_dataset"]),
        "budget_max": rng.choice([None, Decimal("5000.00"), Decimal("20000.00"), Decimal("100000.00")]),
        "region": words["region"],
    }


def segment_demand(row: dict) -> tuple[str, int]:
    from marketplace.matching import scoring

    title_terms = scoring.query_terms(row["title"])
    terms = scoring.query_terms(row["title"], row["description"], row["scenario"])
    document = f" {' '.join(terms)} " if terms else ""
    return document, len([t for t in terms if t in title_terms])


def buyer_uscc(n: int) -> str:
    from accounts.uscc import check_character

    body = f"{BUYER_USCC_PREFIX}{n:08d}X"
    return body + check_character(body)


def wipe_matching() -> None:
    """Empty matching, notifications and the audit trail (TRUNCATE: the audit table refuses DELETE)."""
    from django.db import connection

    from accounts.models import Organization

    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE matching_match, matching_offer, matching_demand, matching_termstat, matching_corpusstat, "
            "matching_indexedproduct, accounts_notification, accounts_auditentry, accounts_auditchainhead "
            "RESTART IDENTITY CASCADE"
        )
    Organization.objects.filter(uscc__startswith=BUYER_USCC_PREFIX).delete()


def add_prices() -> None:
    """A guided price per section for API calls; a plan for 60% of the products (per call, or a dataset licence)."""
    from catalog.models import Product
    from pricing.models import GuidedPriceEntry, GuidedPriceVersion, Plan

    started = time.perf_counter()
    for section in catalog_search.SECTION_WEIGHTS:
        entry, _created = GuidedPriceEntry.objects.get_or_create(
            section=section, delivery_mode="api", billing_unit="per_call", defaults={"title": f"{section} 接口调用"}
        )
        GuidedPriceVersion.objects.get_or_create(
            entry=entry, version=1, defaults={"cap": Decimal("2.00"), "effective_from": date(2025, 1, 1)}
        )
    through = Product.delivery_modes.through
    modes: dict[int, set[str]] = {}
    for product_id, mode in through.objects.values_list("product_id", "deliverymode_id").iterator(chunk_size=20000):
        modes.setdefault(product_id, set()).add(mode)
    rng = random.Random(SEED)
    plans = []
    for product_id in sorted(modes):
        if rng.random() >= 0.6:
            continue
        if "api" in modes[product_id]:
            price = Decimal(rng.randint(5, 200)) / 100
            plans.append(
                Plan(product_id=product_id, name="按次调用", kind="per_call", delivery_mode="api", unit_price=price)
            )
        elif "dataset" in modes[product_id]:
            price = Decimal(rng.randint(10, 500) * 100)
            plans.append(
                Plan(
                    product_id=product_id,
                    name="数据集许可",
                    kind="dataset_licence",
                    delivery_mode="dataset",
                    unit_price=price,
                )
            )
    Plan.objects.bulk_create(plans, batch_size=5000)
    print(f"added {len(plans)} price plans in {time.perf_counter() - started:.1f}s")


def generate_demands(count: int) -> None:
    """``count`` open demands from 100 buyer organisations, segmented in parallel, with their tsvector."""
    from django.db import connection, transaction

    from accounts.models import Organization
    from marketplace.matching.models import Demand

    rng = random.Random(SEED + 1)
    started = time.perf_counter()
    rows = [fake_demand(rng, n) for n in range(count)]
    connection.close()
    with Pool(os.cpu_count() or 1) as pool:
        segmented = pool.map(segment_demand, rows, chunksize=500)
    buyers = Organization.objects.bulk_create(
        Organization(
            name=f"基准测试需求方有限公司{n}",
            uscc=buyer_uscc(n),
            is_buyer=True,
            status=Organization.Status.VERIFIED,
            verified_at=datetime(2025, 1, 1, tzinfo=UTC),
        )
        for n in range(100)
    )
    deadline = date.today() + timedelta(days=180)
    for start in range(0, count, BATCH):
        with transaction.atomic():
            Demand.objects.bulk_create(
                Demand(
                    buyer=buyers[row["number"] % len(buyers)],
                    title=row["title"],
                    description=row["description"],
                    scenario=row["scenario"],
                    section=row["section"],
                    delivery_modes=row["delivery_modes"],
                    purpose=row["purpose"],
                    volume=row["volume"],
                    volume_unit=row["volume_unit"],
                    budget_max=row["budget_max"],
                    region=row["region"],
                    deadline=deadline,
                    search_document=document,
                    title_term_count=title_count,
                )
                for row, (document, title_count) in zip(rows[start : start + BATCH], segmented[start : start + BATCH])
            )
    with connection.cursor() as cursor:
        cursor.execute("UPDATE matching_demand SET search_vector = to_tsvector('simple', search_document)")
        cursor.execute("VACUUM ANALYZE matching_demand")
    print(f"generated {count} open demands in {time.perf_counter() - started:.1f}s")


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def summary(label: str, timings: list[float]) -> str:
    return (
        f"{label:44} p50={statistics.median(timings):7.1f} ms  p95={percentile(timings, 0.95):7.1f} ms  "
        f"max={max(timings):7.1f} ms  ({len(timings)} runs)"
    )


def bench_buyer():
    from accounts.models import Membership, Organization, User

    buyer, _created = Organization.objects.get_or_create(
        uscc=buyer_uscc(99_999),
        defaults={"name": "基准测试银行股份有限公司", "is_buyer": True, "status": Organization.Status.VERIFIED},
    )
    user = User.objects.filter(username="bench-buyer").first() or User.objects.create_user(
        "bench-buyer", email="bench@example.invalid"
    )
    Membership.objects.get_or_create(user=user, organization=buyer, defaults={"role": Membership.Role.OWNER})
    return buyer, user


def measure_new_demands(runs: int, warmup: int, *, seed: int) -> dict:
    """Post ``runs`` new demands and match each (the task's work, timed apart), then match each again."""
    from accounts.models import Notification
    from marketplace.matching import services
    from marketplace.matching.models import Match

    buyer, user = bench_buyer()
    rng = random.Random(seed)
    posted, matched, again, kept, told = [], [], [], [], []
    demands = []
    for index in range(warmup + runs):
        row = fake_demand(rng, index)
        data = {**row, "deadline": date.today() + timedelta(days=30), "budget_min": None}
        started = time.perf_counter()
        demand = services.demand_create(buyer=buyer, actor=user, data=data)  # enqueues match_demand on commit
        middle = time.perf_counter()
        services.demand_match(demand=demand)  # what the match_demand task runs
        ended = time.perf_counter()
        if index >= warmup:
            posted.append((middle - started) * 1000)
            matched.append((ended - middle) * 1000)
            demands.append(demand)
            kept.append(Match.objects.filter(demand=demand).count())
            told.append(Notification.objects.filter(url__endswith=f"/demands/{demand.pk}/").count())
    for demand in demands:
        started = time.perf_counter()
        services.demand_match(demand=demand)
        again.append((time.perf_counter() - started) * 1000)
    return {"posted": posted, "matched": matched, "again": again, "kept": kept, "told": told}


def measure_eager(runs: int, *, seed: int) -> list[float]:
    """The embedded default: posting a demand runs its matching and its e-mails in the same process, on commit."""
    from marketplace.celery import app
    from marketplace.matching import services

    buyer, user = bench_buyer()
    rng = random.Random(seed)
    app.conf.task_always_eager = True
    timings = []
    try:
        for index in range(runs):
            data = {**fake_demand(rng, index), "deadline": date.today() + timedelta(days=30), "budget_min": None}
            started = time.perf_counter()
            services.demand_create(buyer=buyer, actor=user, data=data)
            timings.append((time.perf_counter() - started) * 1000)
    finally:
        app.conf.task_always_eager = False
    return timings


def new_product(rng: random.Random, number: int):
    """A product registered and listed now, with a per-call plan, as registration_complete would leave it."""
    from accounts.models import Organization
    from catalog.codes import format_code
    from catalog.models import Listing, Product
    from catalog.search import normalize_name, segment_document
    from pricing.models import Plan

    row = catalog_search.fake_product(rng, number)
    holder = Organization.objects.filter(uscc__startswith=catalog_search.USCC_PREFIX).order_by("pk").first()
    now = datetime.now(UTC)
    product = Product.objects.create(
        holder=holder,
        issuer=MEASURED,
        code=format_code(MEASURED, now.year, row["section"], number),
        name=row["name"],
        name_normalized=normalize_name(row["name"]),
        summary=row["summary"],
        description=row["description"],
        section=row["section"],
        data_source_type="enterprise",
        allowed_purposes=["risk_control", "research"],
        application_scenario=row["scenario"],
        status=Product.Status.REGISTERED,
        registered_at=now,
        search_document=segment_document(row["name"], row["summary"], row["description"]),
    )
    product.delivery_modes.set(sorted({"api", *row["modes"]}))
    Listing.objects.create(product=product, status=Listing.Status.LISTED, listed_at=now)
    Plan.objects.create(
        product=product, name="按次调用", kind="per_call", delivery_mode="api", unit_price=Decimal("0.30")
    )
    return product


def measure_new_products(runs: int) -> list[tuple[float, int, int, str]]:
    from django.db import connection

    from catalog.models import Product
    from marketplace.matching import selectors, services
    from marketplace.matching.models import Match

    rng = random.Random(SEED + 3)
    results = []
    for index in range(runs):
        product = new_product(rng, 900_000 + index)
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE catalog_product SET search_vector = to_tsvector('simple', search_document) WHERE id = %s",
                [product.pk],
            )
        product = Product.objects.get(pk=product.pk)
        candidates = len(selectors.demand_candidates(product=product, terms=set(product.search_document.split())))
        started = time.perf_counter()
        services.product_match(product=product)  # as catalog's listing hook runs it
        elapsed = (time.perf_counter() - started) * 1000
        results.append((elapsed, candidates, Match.objects.filter(product=product).count(), product.name))
    return results


def cleanup() -> None:
    """Remove what the measurements added, so --keep finds the counts it expects."""
    from catalog.models import Listing, Product
    from marketplace.matching.models import Demand

    Demand.objects.filter(buyer__uscc=buyer_uscc(99_999)).delete()
    extra = Product.objects.filter(issuer=MEASURED)
    Listing.objects.filter(product__in=extra).delete()
    extra.delete()


def main() -> int:
    args = parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        print("Set DATABASE_URL to a PostgreSQL database, e.g. postgres://postgres@127.0.0.1:5432/bench_matching")
        return 2
    if "bench" not in urlparse(url).path and not args.force:
        print("Refusing to wipe a database whose name does not contain 'bench' (use --force).")
        return 2
    if args.runs < 50:
        print("Measure at least 50 new demands (--runs 50).")
        return 2
    catalog_search.ensure_database(url)

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from catalog.models import Product
    from marketplace.matching import services
    from marketplace.matching.models import Demand

    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    from marketplace.celery import app

    # As in production, tasks go to a broker (here one in memory, never consumed) and the matching task's work is
    # timed on its own; the embedded default (everything eager, in-process) is measured apart.
    app.conf.task_always_eager = False
    app.conf.broker_url = "memory://"
    call_command("migrate", verbosity=0)
    cleanup()
    keep = (
        args.keep
        and Product.objects.listed().count() == args.products
        and Demand.objects.open().count() == args.demands
    )
    if keep:
        print(f"reusing {args.products} listed products and {args.demands} open demands")
    else:
        wipe_matching()
        catalog_search.generate(args.products)
        catalog_search.analyze()
        add_prices()
    started = time.perf_counter()
    stats = services.term_stats_rebuild()
    print(f"counted the words of {stats.documents} listed products in {time.perf_counter() - started:.1f}s")
    if not keep:
        generate_demands(args.demands)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE matching_termstat")
        cursor.execute("SHOW server_version")
        server = cursor.fetchone()[0]
    print(
        f"PostgreSQL {server}; {os.cpu_count()} CPUs; {Product.objects.listed().count()} listed products; "
        f"{Demand.objects.open().count()} open demands"
    )

    demand_runs = measure_new_demands(args.runs, args.warmup, seed=SEED + 2)
    print(summary("post a demand (web request: demand_create)", demand_runs["posted"]))
    print(summary("match the new demand (task: demand_match)", demand_runs["matched"]))
    print(summary("match it again (idempotent re-run)", demand_runs["again"]))
    print(
        f"{'':44} matches kept per demand: median {statistics.median(demand_runs['kept']):.0f}, "
        f"max {max(demand_runs['kept'])}; notifications per new demand: median "
        f"{statistics.median(demand_runs['told']):.0f}, max {max(demand_runs['told'])}"
    )
    eager = measure_eager(20, seed=SEED + 4)
    print(summary("embedded default: post + match + e-mails eagerly", eager))
    products = measure_new_products(args.product_runs)
    for elapsed, candidates, matches, name in products:
        print(f"new product vs open demands: {elapsed:7.1f} ms  candidates={candidates:5}  matches={matches:4}  {name}")
    timings = [p[0] for p in products]
    print(summary("new product vs 10,000 open demands", timings))
    goal_demand = percentile(demand_runs["matched"], 0.95)
    goal_product = max(timings)
    print(f"goal p95 <= 200 ms for a new demand: {'met' if goal_demand <= 200 else 'MISSED'} ({goal_demand:.1f} ms)")
    print(
        f"goal <= 2 s for a new product: {'met' if goal_product <= 2000 else 'MISSED'} (slowest {goal_product:.0f} ms)"
    )
    cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
