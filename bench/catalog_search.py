#!/usr/bin/env python
"""Benchmark: server-side latency of the catalog search API on 100,000 listed products.

Run against a PostgreSQL database of its own (it is wiped and refilled):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench .venv/bin/python bench/catalog_search.py

It creates the database if missing, migrates, (re)generates the products with
realistic Chinese names and descriptions across sections, delivery modes and
source types (bulk inserts, jieba segmentation in parallel, one UPDATE for the
tsvector), runs ANALYZE, then times in-process requests to
``GET /api/v1/catalog/products/?q=信用&section=J&delivery_mode=api`` and prints
p50/p95/p99 in milliseconds. Options: ``--products N``, ``--requests N``,
``--keep`` (reuse the data when the count matches), ``--force`` (allow a
database whose name does not contain "bench").
"""

import argparse
import os
import random
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from multiprocessing import Pool
from pathlib import Path
from urllib.parse import urlencode, urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings")
# Production-like settings: no DEBUG query log. The key only signs nothing here.
os.environ.setdefault("DJANGO_DEBUG", "0")
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-secret-key-not-used-for-anything-real")
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("LOG_LEVEL", "WARNING")

SEED = 20260101
BATCH = 5000
EXCHANGE = "BNCH"
SECTION_WEIGHTS = {
    "J": 15, "I": 12, "L": 8, "C": 8, "F": 7, "G": 7, "M": 6, "Q": 5, "K": 5, "N": 4,
    "A": 4, "D": 4, "E": 3, "S": 4, "P": 3, "R": 2, "H": 2, "B": 1, "O": 1, "T": 0.5,
}  # fmt: skip
REGIONS = [
    "全国", "北京", "上海", "广东", "浙江", "江苏", "深圳", "杭州", "成都", "武汉", "重庆", "长三角", "粤港澳大湾区",
]  # fmt: skip
SUBJECTS = {
    "J": ["企业", "小微企业", "个人", "银行", "保险", "供应链", "票据"],
    "I": ["网站", "移动应用", "网络", "算力", "软件", "云服务"],
    "L": ["企业", "商务", "招投标", "知识产权", "人力资源"],
    "C": ["制造业", "工业设备", "汽车零部件", "电子元器件", "钢铁"],
    "F": ["零售", "电商", "商品", "门店", "批发市场"],
    "G": ["物流", "港口", "航运", "道路货运", "快递", "车辆"],
    "M": ["科研", "专利", "检测", "地理信息", "遥感"],
    "Q": ["医疗", "医院", "药品", "医保", "健康"],
    "K": ["房地产", "楼盘", "二手房", "租赁住房", "土地"],
    "N": ["气象", "环境", "水质", "空气质量", "生态"],
    "A": ["农业", "农产品", "种植", "畜牧", "渔业"],
    "D": ["电力", "用电", "燃气", "供水", "能耗"],
    "E": ["建筑", "工程", "建材", "施工企业"],
    "S": ["政务", "社会保障", "公共服务", "社会组织"],
    "P": ["教育", "学校", "职业培训"],
    "R": ["文化", "体育", "旅游", "演出"],
    "H": ["餐饮", "酒店", "住宿"],
    "B": ["矿产", "煤炭", "油气"],
    "O": ["家政", "维修", "社区服务"],
    "T": ["国际组织", "跨境"],
}
TOPICS = [
    "信用", "经营", "风险", "交易", "价格", "流量", "客流", "舆情", "资质", "司法", "税务", "运行", "产能",
    "消费", "画像", "合规", "征信", "就业", "销售", "库存", "质量", "安全", "排放", "位置", "出行",
]  # fmt: skip
KINDS = {
    "api": ["查询接口", "实时接口", "数据服务"],
    "dataset": ["数据集", "明细数据", "统计数据"],
    "verification": ["核验", "验证服务", "真实性核验"],
    "model": ["评分模型", "预测模型", "识别模型"],
    "report": ["分析报告", "指数报告", "监测报告"],
}
USES = ["信贷审批", "风险控制", "精准营销", "供应链管理", "城市治理", "科学研究", "保险定价", "选址分析", "投资决策"]
SOURCES = ["市场监管", "税务", "司法", "电力", "交通运输", "气象", "医保", "住建", "海关", "企业自有", "互联网公开"]
VERBS = ["整合", "汇聚", "基于", "融合"]
FREQUENCIES = ["realtime", "daily", "weekly", "monthly", "quarterly"]
MODES = list(KINDS)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=30)
    parser.add_argument("--keep", action="store_true", help="reuse existing data when the product count matches")
    parser.add_argument("--force", action="store_true", help="allow a database whose name lacks 'bench'")
    return parser.parse_args()


def ensure_database(url: str) -> None:
    """Create the benchmark database if it does not exist yet."""
    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
            print(f"created database {name}")


USCC_PREFIX = "91990000"


def bench_uscc(n: int) -> str:
    """A valid Unified Social Credit Code for the n-th benchmark organisation."""
    from accounts.uscc import check_character

    body = f"{USCC_PREFIX}{n:08d}X"
    return body + check_character(body)


def fake_product(rng: random.Random, number: int) -> dict:
    """One product's fields, in Chinese, from the word lists."""
    section = rng.choices(list(SECTION_WEIGHTS), weights=list(SECTION_WEIGHTS.values()))[0]
    modes = sorted(rng.sample(MODES, rng.choice([1, 1, 2, 2, 3])))
    source = rng.choices(["public", "enterprise", "personal"], weights=[3, 6, 1])[0]
    region, subject = rng.choice(REGIONS), rng.choice(SUBJECTS[section])
    topic = rng.choice(TOPICS[:3]) if section == "J" and rng.random() < 0.3 else rng.choice(TOPICS)
    kind = rng.choice(KINDS[modes[0]])
    use, origin, second = rng.choice(USES), rng.choice(SOURCES), rng.choice(TOPICS)
    return {
        "number": number,
        "section": section,
        "modes": modes,
        "source": source,
        "name": f"{region}{subject}{topic}{kind}",
        "summary": f"{rng.choice(VERBS)}{origin}数据，提供{region}{subject}{topic}与{second}{kind}，服务{use}。",
        "description": (
            f"本产品{rng.choice(VERBS)}{origin}等来源的{subject}数据，经清洗、脱敏和标准化处理，"
            f"形成覆盖{region}的{subject}{topic}指标体系，按{rng.choice(['日', '周', '月'])}更新。"
            f"可用于{use}、{rng.choice(USES)}等场景，支持{'、'.join(KINDS[m][0] for m in modes)}等交付方式。"
        ),
        "scenario": f"{use}：{subject}{topic}分析",
        "frequency": rng.choice(FREQUENCIES),
        "listed_days_ago": rng.randint(0, 730),
    }


def segment(row: dict) -> str:
    from catalog.search import segment_document

    return segment_document(row["name"], row["summary"], row["description"])


def product_from_row(row: dict, document: str, *, holder, issuer: str, now: datetime):
    """A registered ``Product`` (not saved) for a ``fake_product`` row and its segmented words."""
    from catalog.codes import format_code
    from catalog.models import Product
    from catalog.search import normalize_name

    public = row["source"] == "public"
    return Product(
        holder=holder,
        issuer=issuer,
        code=format_code(issuer, now.year, row["section"], row["number"]),
        name=row["name"],
        name_normalized=normalize_name(row["name"]),
        summary=row["summary"],
        description=row["description"],
        section=row["section"],
        data_source_type=row["source"],
        update_frequency=row["frequency"],
        coverage_region="全国",
        allowed_purposes=["risk_control", "research"],
        application_scenario=row["scenario"],
        rights=["processing_use", "product_operation"],
        auth_authority="某市数据局" if public else "",
        auth_valid_from=date(2025, 1, 1) if public else None,
        auth_valid_until=date(2030, 12, 31) if public else None,
        status=Product.Status.REGISTERED,
        submitted_at=now - timedelta(days=row["listed_days_ago"] + 10),
        registered_at=now - timedelta(days=row["listed_days_ago"]),
        search_document=document,
    )


def generate(count: int) -> None:
    """Wipe the catalog tables and insert ``count`` registered, listed products."""
    from django.db import connection, transaction

    from accounts.models import AuditChainHead, AuditEntry, Organization
    from catalog.models import Listing, Product

    rng = random.Random(SEED)
    started = time.perf_counter()
    rows = [fake_product(rng, number) for number in range(1, count + 1)]
    connection.close()  # The forked workers must not share the parent's socket.
    with Pool(os.cpu_count() or 1) as pool:
        documents = pool.map(segment, rows, chunksize=1000)
    print(f"generated and segmented {count} products in {time.perf_counter() - started:.1f}s")

    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE catalog_product, catalog_listing, catalog_product_delivery_modes, catalog_productevent, "
            "catalog_reviewfinding, catalog_objection, catalog_codesequence RESTART IDENTITY CASCADE"
        )
        AuditEntry.objects.all().delete()
        AuditChainHead.objects.all().delete()
        Organization.objects.filter(uscc__startswith=USCC_PREFIX).delete()
        holders = Organization.objects.bulk_create(
            Organization(
                name=f"基准测试数据科技有限公司{n}",
                uscc=bench_uscc(n),
                is_merchant=True,
                status=Organization.Status.VERIFIED,
                verified_at=datetime(2025, 1, 1, tzinfo=UTC),
            )
            for n in range(200)
        )
    now = datetime.now(UTC)
    through = Product.delivery_modes.through
    for start in range(0, count, BATCH):
        chunk = list(zip(rows[start : start + BATCH], documents[start : start + BATCH]))
        with transaction.atomic():
            products = Product.objects.bulk_create(
                product_from_row(row, document, holder=holders[row["number"] % len(holders)], issuer=EXCHANGE, now=now)
                for row, document in chunk
            )
            Listing.objects.bulk_create(
                Listing(
                    product=product,
                    status=Listing.Status.LISTED,
                    listed_at=now - timedelta(days=row["listed_days_ago"], seconds=row["number"] % 86400),
                )
                for product, (row, _document) in zip(products, chunk)
            )
            through.objects.bulk_create(
                through(product_id=product.pk, deliverymode_id=mode)
                for product, (row, _document) in zip(products, chunk)
                for mode in row["modes"]
            )
    print(f"inserted products, listings and delivery modes in {time.perf_counter() - started:.1f}s")

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE catalog_product SET search_vector = to_tsvector('simple', search_document)")
    print(f"computed search vectors in {time.perf_counter() - started:.1f}s")


def analyze() -> None:
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE catalog_product")
        for table in ("catalog_listing", "catalog_product_delivery_modes", "accounts_organization"):
            cursor.execute(f"ANALYZE {table}")
    print(f"VACUUM ANALYZE in {time.perf_counter() - started:.1f}s")


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def measure(client, params: dict, *, requests: int, warmup: int) -> dict:
    url = "/api/v1/catalog/products/?" + urlencode(params)
    for _ in range(warmup):
        response = client.get(url, secure=True)
        assert response.status_code == 200, response.content[:300]
    timings = []
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get(url, secure=True)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    body = response.json()
    return {
        "url": url,
        "count": body["count"],
        "returned": len(body["results"]),
        "p50": statistics.median(timings),
        "p95": percentile(timings, 0.95),
        "p99": percentile(timings, 0.99),
        "max": max(timings),
    }


def main() -> int:
    args = parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        print("Set DATABASE_URL to a PostgreSQL database, e.g. postgres://postgres@127.0.0.1:5432/bench")
        return 2
    if "bench" not in urlparse(url).path and not args.force:
        print("Refusing to wipe a database whose name does not contain 'bench' (use --force).")
        return 2
    ensure_database(url)

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from catalog.models import Product

    call_command("migrate", verbosity=0)
    if args.keep and Product.objects.listed().count() == args.products:
        print(f"reusing {args.products} listed products")
    else:
        generate(args.products)
        analyze()

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        server = cursor.fetchone()[0]
    print(f"PostgreSQL {server}; {os.cpu_count()} CPUs; {Product.objects.listed().count()} listed products")

    client = Client()
    scenarios = [
        ("keyword + 2 filters (the goal)", {"q": "信用", "section": "J", "delivery_mode": "api"}),
        ("keyword only", {"q": "信用"}),
        ("two-word query + filter", {"q": "企业 信用", "data_source_type": "enterprise"}),
        ("filters only, newest first", {"section": "G", "delivery_mode": "dataset"}),
    ]
    results = []
    for label, params in scenarios:
        result = measure(client, params, requests=args.requests, warmup=args.warmup)
        results.append((label, result))
        print(
            f"{label:32} count={result['count']:>6}  p50={result['p50']:6.1f} ms  p95={result['p95']:6.1f} ms  "
            f"p99={result['p99']:6.1f} ms  max={result['max']:6.1f} ms  ({args.requests} requests)  {result['url']}"
        )
    goal = results[0][1]["p95"]
    print(f"goal p95 <= 50 ms: {'met' if goal <= 50 else 'MISSED'} ({goal:.1f} ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
