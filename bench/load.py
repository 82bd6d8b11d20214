#!/usr/bin/env python
"""Load test: a mixed workload against gunicorn on PostgreSQL and Redis, with locust.

    .venv/bin/python bench/load.py                      # 60 users for 300 s
    .venv/bin/python bench/load.py --users 40,80,120 --duration 120 --keep

What runs, all on 127.0.0.1:

* PostgreSQL database ``bench_load`` (``DATABASE_URL``; dropped and rebuilt unless
  ``--keep`` finds it built; its name must contain "bench"), Redis db 8 as the shared
  cache and Celery broker (``CACHE_URL``, ``CELERY_BROKER_URL``; db 8 is flushed before a
  build), production settings (``DJANGO_DEBUG=0``, hashed static files).
* The data: ``seed_demo`` (through the services), then more: ``--products`` extra listed
  products (bulk-inserted with their search vectors, as bench/catalog_search.py does),
  ``--merchants`` verified merchants each with an API token and three drafts, ``--keys``
  API keys of the demo bank, a 10,000,000-call verification entitlement, and larger
  merchants' data (20,000 tender rows, 20,000 registration records) uploaded and loaded
  through the access services.
* gunicorn (``--workers``, default 2; ``--threads``, default 1 = sync workers).
* locust (``bench/locustfile.py``), headless, in this machine's remaining CPU: visitors
  browsing and searching the catalog, merchants saving drafts through the registrations
  API, buyers' systems calling the data API with their own keys. Statistics are reset once
  every user has started (``--reset-stats``), so the ramp-up is not counted.

For each ``--users`` value it prints throughput, p50/p95/p99 per operation and the error
count, and whether the goal holds (0 errors, p95 ≤ 300 ms for every operation and overall).
``--json FILE`` also writes the figures. Figures and the runs behind them: docs/benchmarks.md.
"""

import argparse
import csv
import json
import math
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BIN = Path(sys.executable).parent
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bench_load")
os.environ.setdefault("CACHE_URL", "redis://127.0.0.1:6379/8")
os.environ["DJANGO_SETTINGS_MODULE"] = "marketplace.settings"
os.environ.setdefault("DJANGO_DEBUG", "0")
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-secret-key-not-used-for-anything-real-0123456789")
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost")
os.environ.setdefault("SITE_URL", "http://127.0.0.1:8000")
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ.setdefault("DATA_DIR", str(ROOT / "var" / "bench-load"))
# The broker is for the web processes only: the build runs its tasks eagerly, in-process, so nothing waits in Redis.
BROKER_URL = os.environ.pop("CELERY_BROKER_URL", "redis://127.0.0.1:6379/8")

DATA_FILE = Path(os.environ["DATA_DIR"]) / "load-data.json"
SEARCH_TERMS = [
    "信用", "企业", "风险", "气象", "物流", "医疗", "电力", "招投标", "供应链", "空气质量",
    "交通", "房地产", "零售", "农业", "专利", "征信", "税务", "舆情", "价格", "遥感",
]  # fmt: skip
EXTRA_NUMBER_FROM = 900_000  # registration numbers of the extra products, far above the demo's


# ── the database and the data ────────────────────────────────────────────────────────────────────
def recreate_database(url: str, force: bool) -> None:
    import psycopg

    name = urlparse(url).path.lstrip("/")
    if "bench" not in name and not force:
        sys.exit(f"refusing to drop database {name!r}: its name must contain 'bench' (or pass --force)")
    admin = urlparse(url)._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def flush_redis(url: str) -> None:
    """Empty the bench's own Redis database (stale cache entries would name rows of a dropped database)."""
    import redis

    redis.Redis.from_url(url).flushdb()


def already_built() -> bool:
    if not DATA_FILE.exists():
        return False
    try:
        import django

        django.setup()
        from accounts.models import User

        return User.objects.filter(username="bench-merchant-0").exists()
    except Exception:  # noqa: BLE001 -- no database yet, or an empty one: build it
        return False
    finally:
        from django.db import connections

        connections.close_all()  # the database may be dropped next


def build(args) -> dict:
    """``seed_demo``, then the extra catalog, merchants, keys, quota and data the workload needs."""
    import django

    django.setup()
    from django.core.management import call_command

    started = time.monotonic()
    call_command("migrate", verbosity=0)
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    print(f"  migrate + seed_demo: {time.monotonic() - started:.0f} s")
    data = {"search_terms": SEARCH_TERMS}
    step = time.monotonic()
    add_products(args.products)
    print(f"  {args.products} extra listed products: {time.monotonic() - step:.0f} s")
    step = time.monotonic()
    data["merchants"] = add_merchants(args.merchants)
    print(f"  {args.merchants} merchants with tokens and drafts: {time.monotonic() - step:.0f} s")
    step = time.monotonic()
    data.update(add_buyer_side(args.keys))
    print(f"  {args.keys} keys, the verification quota, 2 x 20,000 rows of data: {time.monotonic() - step:.0f} s")

    from django.db import connection

    from catalog.models import Listing

    listed = Listing.objects.filter(status=Listing.Status.LISTED).select_related("product")
    codes = list(listed.values_list("product__code", flat=True))
    random.Random(5).shuffle(codes)
    data["codes"] = codes[:3000]
    data["sections"] = sorted(set(listed.values_list("product__section", flat=True)))
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    DATA_FILE.parent.mkdir(parents=True, exist_ok=True)
    DATA_FILE.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    print(f"  built in {time.monotonic() - started:.0f} s")
    return data


def add_products(count: int) -> None:
    """Registered and listed products in bulk (their words segmented, their search vectors computed)."""
    from datetime import UTC, datetime, timedelta

    from django.conf import settings
    from django.db import connection, transaction

    from accounts.models import Organization
    from bench.catalog_search import bench_uscc, fake_product, product_from_row, segment
    from catalog.models import Listing, Product

    rng = random.Random(20261123)
    rows = [fake_product(rng, EXTRA_NUMBER_FROM + n) for n in range(count)]
    documents = [segment(row) for row in rows]
    now = datetime.now(UTC)
    with transaction.atomic():
        holders = Organization.objects.bulk_create(
            Organization(
                name=f"基准测试数据科技有限公司{n}",
                uscc=bench_uscc(n),
                is_merchant=True,
                status=Organization.Status.VERIFIED,
                verified_at=now - timedelta(days=400),
            )
            for n in range(40)
        )
        products = Product.objects.bulk_create(
            product_from_row(
                row, document, holder=holders[index % len(holders)], issuer=settings.EXCHANGE_CODE, now=now
            )
            for index, (row, document) in enumerate(zip(rows, documents))
        )
        Listing.objects.bulk_create(
            Listing(product=product, status=Listing.Status.LISTED, listed_at=product.registered_at)
            for product in products
        )
        through = Product.delivery_modes.through
        through.objects.bulk_create(
            through(product_id=product.pk, deliverymode_id=mode)
            for product, row in zip(products, rows)
            for mode in row["modes"]
        )
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE catalog_product SET search_vector = to_tsvector('simple', search_document) WHERE id >= %s",
                [products[0].pk],
            )


def add_merchants(count: int) -> list[dict]:
    """Verified merchant organisations through the services, each person with an API token and three drafts."""
    from django.core.files.base import ContentFile
    from rest_framework.authtoken.models import Token

    from accounts import services as accounts_services
    from accounts.models import User
    from bench.catalog_search import bench_uscc
    from catalog import services as catalog_services
    from marketplace import demo_data
    from marketplace.management.commands.seed_demo import licence_png

    operator = User.objects.get(username="operator")
    merchants = []
    for n in range(count):
        user = accounts_services.user_signup(
            username=f"bench-merchant-{n}",
            email=f"bench-merchant-{n}@example.invalid",
            password=demo_data.DEMO_PASSWORD,
            display_name=f"基准商户{n}",
        )
        name, uscc = f"基准测试商户{n}数据服务有限公司", bench_uscc(5000 + n)
        org = accounts_services.organization_register(
            user=user,
            name=name,
            uscc=uscc,
            is_merchant=True,
            is_buyer=False,
            business_licence=ContentFile(licence_png(name, uscc), name="licence.png"),
        )
        accounts_services.organization_verify(org=org, actor=operator)
        drafts = [
            catalog_services.product_save_draft(
                org=org, actor=user, data={"name": f"{name}的数据产品草稿{d}", "section": "L"}
            ).pk
            for d in range(3)
        ]
        token, _created = Token.objects.get_or_create(user=user)
        merchants.append({"token": token.key, "drafts": drafts})
    return merchants


def add_buyer_side(keys: int) -> dict:
    """The demo bank's keys, a large verification quota, and larger merchants' data behind the data API."""
    import csv as csv_module
    import io

    from django.core.files.base import ContentFile

    from accounts.models import Organization, User
    from catalog.models import Product
    from marketplace import demo_data
    from marketplace.access import services as access_services
    from marketplace.management.commands.seed_demo import registry_csv, tender_csv
    from marketplace.orders import services as order_services
    from marketplace.orders.models import PaymentMethod
    from pricing.models import Plan

    bank = Organization.objects.get(name="某商业银行股份有限公司")
    buyer, operator = User.objects.get(username="buyer"), User.objects.get(username="operator")
    secrets = [access_services.api_key_create(org=bank, actor=buyer, name=f"压测系统-{n}")[1] for n in range(keys)]
    verification = Product.objects.get(name="企业登记信息核验")
    order = order_services.order_place(
        buyer=bank,
        actor=buyer,
        product=verification,
        plan=Plan.objects.get(product=verification, name="核验（按次）"),
        quantity=10_000_000,
        purpose="risk_control",
        payment_method=PaymentMethod.BANK_TRANSFER,
    )
    order_services.bank_transfer_confirm(
        payment=order.payment, actor=operator, amount=order.payment.amount, bank_serial="BENCH-LOAD-0001"
    )
    tender = Product.objects.get(name="全国招投标公告结构化数据")
    registry = registry_csv(20_000, seed=12)
    for product, mode, content, lookup in (
        (tender, "dataset", tender_csv(20_000, seed=8), []),
        (verification, "verification", registry, ["统一社会信用代码"]),
    ):
        table = access_services.dataset_table_upload(
            org=product.holder,
            actor=product.holder.memberships.first().user,
            product=product,
            mode=mode,
            file=ContentFile(content, name=f"bench-{mode}.csv"),
            lookup_columns=lookup,
        )
        access_services.dataset_table_load(table=table)
    records = list(csv_module.reader(io.StringIO(registry.decode("utf-8"))))[1:]
    sample = random.Random(3).sample(records, 500)
    return {
        "keys": secrets,
        "dataset_code": tender.code,
        "verification_code": verification.code,
        "registry": [[uscc, name, state] for name, uscc, state, _founded in sample],
        "regions": demo_data.TENDER_REGIONS,
    }


# ── the server and the load ──────────────────────────────────────────────────────────────────────
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_up(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as answer:  # noqa: S310 -- our own server on 127.0.0.1
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    sys.exit(f"the server did not answer {url}")


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of a process and its children, e.g. gunicorn's master and workers."""
    import psutil

    try:
        root = psutil.Process(pid)
        total = 0.0
        for process in [root, *root.children(recursive=True)]:
            times = process.cpu_times()
            total += times.user + times.system
        return total
    except psutil.Error:
        return 0.0


def run_locust(base: str, users: int, spawn_rate: float, duration: int, workdir: Path, server_pid: int) -> dict:
    prefix = workdir / f"u{users}"
    # The statistics are reset once every user has started: run the ramp-up on top of the measured duration.
    ramp = math.ceil(users / spawn_rate)
    command = [
        str(BIN / "locust"), "-f", str(ROOT / "bench" / "locustfile.py"), "--headless", "--only-summary",
        "--host", base, "-u", str(users), "-r", f"{spawn_rate:g}", "-t", f"{duration + ramp}s",
        "--reset-stats", "--stop-timeout", "10", "--csv", str(prefix), "--loglevel", "WARNING",
    ]  # fmt: skip
    env = {**os.environ, "BENCH_LOAD_DATA": str(DATA_FILE)}
    load_before = os.getloadavg()[0]
    started, server_cpu = time.monotonic(), cpu_seconds(server_pid)
    with open(f"{prefix}.log", "w", encoding="utf-8") as log:
        locust = subprocess.Popen(command, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        locust_cpu = 0.0
        while locust.poll() is None:
            locust_cpu = max(locust_cpu, cpu_seconds(locust.pid))
            time.sleep(1)
    elapsed = time.monotonic() - started
    server_cpu = cpu_seconds(server_pid) - server_cpu
    if not Path(f"{prefix}_stats.csv").exists():
        sys.exit(f"locust failed (exit {locust.returncode}):\n" + Path(f"{prefix}.log").read_text(encoding="utf-8"))
    warnings = [line for line in Path(f"{prefix}.log").read_text(encoding="utf-8").splitlines() if "CPU" in line]
    with open(f"{prefix}_stats.csv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    failures = []
    if Path(f"{prefix}_failures.csv").exists():
        with open(f"{prefix}_failures.csv", encoding="utf-8") as handle:
            failures = list(csv.DictReader(handle))

    def ms(value: str) -> float:
        return float(value) if value not in ("", "N/A", None) else 0.0

    operations = []
    for row in rows:
        if int(row["Request Count"]) == 0:
            continue
        operations.append(
            {
                "name": "all" if row["Name"] == "Aggregated" else row["Name"],
                "requests": int(row["Request Count"]),
                "failures": int(row["Failure Count"]),
                "rps": float(row["Requests/s"]),
                "p50": ms(row["50%"]),
                "p95": ms(row["95%"]),
                "p99": ms(row["99%"]),
                "max": ms(row["Max Response Time"]),
            }
        )
    return {
        "users": users,
        "duration_s": duration,
        "wall_s": round(elapsed),
        "load_before": round(load_before, 2),
        "load_after": round(os.getloadavg()[0], 2),
        "operations": operations,
        "failures": [{"name": f["Name"], "error": f["Error"], "count": int(f["Occurrences"])} for f in failures],
        "locust_warnings": warnings[:3],
        # Over the whole locust run (ramp-up included), against the wall time: how much of the 2 CPUs each took.
        "gunicorn_cpu_share": round(server_cpu / elapsed / (os.cpu_count() or 1), 2),
        "locust_cpu_share": round(locust_cpu / elapsed / (os.cpu_count() or 1), 2),
    }


def report(result: dict) -> bool:
    ops = result["operations"]
    total = next(op for op in ops if op["name"] == "all")
    errors = sum(op["failures"] for op in ops if op["name"] != "all")
    worst = max(op["p95"] for op in ops)
    ok = errors == 0 and worst <= 300
    print(
        f"\n{result['users']} users, {result['duration_s']} s measured (load average {result['load_before']} → "
        f"{result['load_after']}): {total['rps']:.1f} req/s, {total['requests']} requests, {errors} errors"
    )
    print(
        f"  CPU: gunicorn {result['gunicorn_cpu_share']:.0%} and locust {result['locust_cpu_share']:.0%} "
        f"of the machine's {os.cpu_count()} CPUs (the rest: PostgreSQL, Redis, everything else running)"
    )
    print(f"  {'operation':28} {'requests':>9} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'errors':>7}")
    for op in sorted(ops, key=lambda o: (o["name"] == "all", o["name"])):
        print(
            f"  {op['name']:28} {op['requests']:>9} {op['rps']:>7.1f} {op['p50']:>7.0f} {op['p95']:>7.0f} "
            f"{op['p99']:>7.0f} {op['failures']:>7}"
        )
    for warning in result["locust_warnings"]:
        print(f"  locust: {warning.strip()[:160]}")
    for failure in result["failures"][:10]:
        print(f"  error ×{failure['count']}: {failure['name']}: {failure['error'][:160]}")
    print(f"  goal (0 errors, every p95 ≤ 300 ms): {'met' if ok else 'NOT met'}")
    result["errors"], result["goal_met"] = errors, ok
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=int, default=300, help="seconds measured per user count (default 300)")
    parser.add_argument("--users", default="60", help="simulated users, or several comma-separated (run in turn)")
    parser.add_argument("--spawn-rate", type=float, default=0, help="users started per second (default users/20)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes (default 2)")
    parser.add_argument("--threads", type=int, default=1, help="threads per worker (default 1: sync workers)")
    parser.add_argument("--products", type=int, default=5000, help="listed products added to the demo's")
    parser.add_argument("--merchants", type=int, default=30, help="merchants saving drafts (with tokens)")
    parser.add_argument("--keys", type=int, default=100, help="API keys of the buyer (one per simulated system)")
    parser.add_argument("--keep", action="store_true", help="reuse the database when it is already built")
    parser.add_argument("--force", action="store_true", help="allow a database whose name lacks 'bench'")
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()
    if not (BIN / "locust").exists():
        sys.exit("locust is missing: .venv/bin/pip install -e '.[test]'")

    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}")
    if args.keep and already_built():
        print(f"reusing the built database ({os.environ['DATABASE_URL'].rsplit('/', 1)[-1]})")
    else:
        print(f"building {os.environ['DATABASE_URL'].rsplit('/', 1)[-1]} …")
        recreate_database(os.environ["DATABASE_URL"], args.force)
        flush_redis(os.environ["CACHE_URL"])
        build(args)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections

    call_command("migrate", verbosity=0)  # a kept database catches up with the code's migrations
    call_command("collectstatic", "--noinput", verbosity=0)
    connections.close_all()

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server_env = {**os.environ, "CELERY_BROKER_URL": BROKER_URL, "SITE_URL": base}
    server = subprocess.Popen(
        [str(BIN / "gunicorn"), "marketplace.wsgi:application", "--bind", f"127.0.0.1:{port}",
         "--workers", str(args.workers), "--threads", str(args.threads), "--timeout", "30",
         "--log-level", "warning"],
        cwd=ROOT,
        env=server_env,
    )  # fmt: skip
    workdir = Path(tempfile.mkdtemp(prefix="bench-load-"))
    results = []
    try:
        wait_up(base + "/")
        mode = "sync" if args.threads == 1 else f"gthread ×{args.threads}"
        print(f"gunicorn: {args.workers} workers ({mode}) on {base}; PostgreSQL + Redis on 127.0.0.1")
        for users in [int(u) for u in args.users.split(",") if u]:
            spawn_rate = args.spawn_rate or max(1.0, users / 20)
            result = run_locust(base, users, spawn_rate, args.duration, workdir, server.pid)
            result.update(workers=args.workers, threads=args.threads)
            report(result)
            results.append(result)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        shutil.rmtree(workdir, ignore_errors=True)
    if args.json:
        Path(args.json).write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
    met = [r["users"] for r in results if r["goal_met"]]
    print(f"\nlargest user count meeting the goal in this run: {max(met) if met else 'none'}")


if __name__ == "__main__":
    main()
