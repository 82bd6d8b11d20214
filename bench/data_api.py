#!/usr/bin/env python
"""Benchmark: throughput of a metered dataset call against a bare DRF endpoint reading the same row.

    .venv/bin/python bench/data_api.py            # PostgreSQL database "bench_data_api", Redis db 9

The metered call is the real ``GET /data/v1/products/<code>/rows?limit=1``: API key
check, per-key rate limit in Redis (set high enough never to refuse), entitlement
lookup, the atomic quota UPDATE, the query, and the usage-log INSERT. The baseline is
a DRF view with no authentication reading the same row (``bench/data_api_urls.py``).
Both run in one gunicorn (2 sync workers, 127.0.0.1 only) and are loaded in turn by
``wrk`` (Debian's package), after a warm-up each; the script prints requests/s of
both and their ratio (goal ≥ 0.6), and checks that every metered call was logged.

The database is dropped and recreated each run (its name must contain "bench").
Options: ``--seconds N`` (per measurement, default 15), ``--connections N`` (default 16),
``--rows N`` (dataset size, default 10000), ``--rounds N`` (alternate bare/metered N times, default 4;
the medians are compared), ``--async-commit`` (the bench database with synchronous_commit = off).
"""

import argparse
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bench_data_api")
os.environ.setdefault("CACHE_URL", "redis://127.0.0.1:6379/9")
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.data_api_settings"
os.environ.setdefault("DJANGO_DEBUG", "0")
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-secret-key-not-used-for-anything-real")
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ.setdefault("DATA_API_RATE_LIMIT", "1000000/s")
os.environ.setdefault("DATA_DIR", tempfile.mkdtemp(prefix="bench-data-api-"))


def recreate_database(url: str, force: bool, async_commit: bool) -> None:
    import psycopg

    name = urlparse(url).path.lstrip("/")
    if "bench" not in name and not force:
        sys.exit(f"refusing to drop database {name!r}: its name must contain 'bench' (or pass --force)")
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
        if async_commit:
            # The trade-off some deployments make: commits stop waiting for the disk (a crash of the
            # database server may lose the last ~0.6 s of commits; nothing is ever half-applied).
            connection.execute(f'ALTER DATABASE "{name}" SET synchronous_commit = off')


def prepare(rows: int) -> tuple[str, str]:
    """Migrate, then list a dataset product of ``rows`` rows, buy a huge quota and make a key."""
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from tests.orders.support import buyer, key_for, market_product, pay_by_transfer, place, plan, upload

    product, org, actor = market_product()
    the_plan = plan(product, org, actor, price="0.01")
    lines = ["企业名称,统一社会信用代码,城市,经营状态"]
    cities = ["上海", "北京", "深圳", "杭州", "成都"]
    lines += [f"示例企业{n}有限公司,91310000MA{n:08d},{cities[n % 5]},存续" for n in range(1, rows + 1)]
    upload(product, org, actor, text="\n".join(lines) + "\n")
    buyer_org, buyer_user = buyer()
    pay_by_transfer(place(buyer_org, buyer_user, product, the_plan, quantity=100_000_000))
    _key, secret = key_for(buyer_org, buyer_user)
    return product.code, secret


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_up(url: str, headers: dict, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=2) as answer:  # noqa: S310
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    sys.exit(f"the server did not answer {url}")


def wrk(url: str, *, seconds: int, connections: int, headers: dict) -> dict:
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    output = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    p50 = re.search(r"50%\s+([\d.]+\w+)", output)
    p99 = re.search(r"99%\s+([\d.]+\w+)", output)
    return {
        "rps": rps,
        "errors": int(non_2xx.group(1)) if non_2xx else 0,
        "p50": p50.group(1) if p50 else "?",
        "p99": p99.group(1) if p99 else "?",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--force", action="store_true")
    parser.add_argument(
        "--async-commit", action="store_true", help="run the bench database with synchronous_commit = off"
    )
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: apt-get install wrk")

    load_before = os.getloadavg()[0]
    recreate_database(os.environ["DATABASE_URL"], args.force, args.async_commit)
    code, secret = prepare(args.rows)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [str(Path(sys.executable).with_name("gunicorn")), "marketplace.wsgi:application",
         "-w", "2", "-b", f"127.0.0.1:{port}", "--log-level", "warning"],
        cwd=ROOT,
        env={**os.environ},
    )  # fmt: skip
    auth = {"Authorization": f"Bearer {secret}"}
    metered = f"{base}/data/v1/products/{code}/rows?limit=1"
    bare = f"{base}/bench/bare-row/{code}/1"
    try:
        wait_up(metered, auth)
        wait_up(bare, {})
        results = {"bare": [], "metered": []}
        for _round in range(args.rounds):
            for name, url, headers in (("bare", bare, {}), ("metered", metered, auth)):
                wrk(url, seconds=3, connections=args.connections, headers=headers)  # warm-up
                results[name].append(wrk(url, seconds=args.seconds, connections=args.connections, headers=headers))
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)

    import django.db

    django.db.connections.close_all()
    from marketplace.access.models import Entitlement, UsageLog

    served = UsageLog.objects.filter(served=True).count()
    used = Entitlement.objects.get().used
    # Medians: the rounds alternate, so a burst of other load on the machine hits one round, not a side.
    bare_rps = statistics.median(r["rps"] for r in results["bare"])
    metered_rps = statistics.median(r["rps"] for r in results["metered"])
    print(f"machine: {os.cpu_count()} CPUs; gunicorn 2 sync workers; wrk -t2 -c{args.connections} "
          f"{args.seconds}s x {args.rounds} rounds; PostgreSQL + Redis on 127.0.0.1; {args.rows} rows; "
          f"synchronous_commit {'off' if args.async_commit else 'on'}")  # fmt: skip
    for name in ("bare", "metered"):
        for index, r in enumerate(results[name], 1):
            print(f"  {name:8} round {index}: {r['rps']:8.1f} req/s  p50 {r['p50']:>8}  p99 {r['p99']:>8}  "
                  f"non-2xx {r['errors']}")  # fmt: skip
    print(f"load average before/after: {load_before:.2f} / {os.getloadavg()[0]:.2f}")
    print(f"bare DRF endpoint   : {bare_rps:8.1f} req/s (median)")
    print(f"metered dataset call: {metered_rps:8.1f} req/s (median)")
    print(f"ratio metered / bare: {metered_rps / bare_rps:.2f}  (goal >= 0.6)")
    print(f"metered calls served and logged: {served}; quota used: {used}; equal: {served == used}")


if __name__ == "__main__":
    main()
