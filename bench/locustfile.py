"""The mixed workload of ``bench/load.py`` (locust): people browsing, merchants saving drafts, buyers' systems.

Run by ``bench/load.py``, which builds the data and passes it in the JSON file named by
``BENCH_LOAD_DATA``. Each request is named after its operation, so locust reports
p50/p95/p99 per operation. A request counts as an error when its status is not the one
expected (every answer here is expected to succeed).

* ``Visitor`` (anonymous, the largest share): home page, catalog browsing by section,
  Chinese full-text search on the page and in the API, product pages, guided prices.
* ``Merchant`` (signed in with an API token): saves its draft registration again and
  again (PATCH), lists its registrations, now and then starts a new draft (POST).
* ``BuyerSystem`` (an API key each, like a bank's risk system): dataset queries with
  filters and paging, verifications (核验), its entitlements.
"""

import itertools
import json
import os
import random

from locust import FastHttpUser, between, task

DATA = json.loads(open(os.environ["BENCH_LOAD_DATA"], encoding="utf-8").read())  # noqa: SIM115
MERCHANTS = itertools.cycle(DATA["merchants"])
KEYS = itertools.cycle(DATA["keys"])


def check(response, expected=200):
    """Mark the request failed unless it answered ``expected``."""
    if response.status_code != expected:
        response.failure(f"HTTP {response.status_code}: {response.text[:200] if response.text else ''}")
    else:
        response.success()


class Visitor(FastHttpUser):
    """Anyone browsing the catalog (no sign-in), reading a page every few seconds."""

    weight = 6
    wait_time = between(2, 6)

    @task(2)
    def home(self):
        with self.client.get("/", name="page: home", catch_response=True) as response:
            check(response)

    @task(3)
    def catalog_section(self):
        section = random.choice(DATA["sections"])
        page = random.choice(["1", "1", "2"])
        with self.client.get(
            f"/catalog/?section={section}&page={page}", name="page: catalog by section", catch_response=True
        ) as response:
            check(response)

    @task(4)
    def catalog_search(self):
        term = random.choice(DATA["search_terms"])
        with self.client.get("/catalog/", params={"q": term}, name="page: catalog search", catch_response=True) as r:
            check(r)

    @task(4)
    def product_page(self):
        code = random.choice(DATA["codes"])
        with self.client.get(f"/p/{code}/", name="page: product", catch_response=True) as response:
            check(response)

    @task(2)
    def api_search(self):
        term = random.choice(DATA["search_terms"])
        with self.client.get(
            "/api/v1/catalog/products/", params={"q": term}, name="api: catalog search", catch_response=True
        ) as response:
            check(response)

    @task(1)
    def guided_prices(self):
        with self.client.get("/pricing/guided/", name="page: guided prices", catch_response=True) as response:
            check(response)


class Merchant(FastHttpUser):
    """A merchant's staff editing a registration: saves the draft every few seconds (the registrations API)."""

    weight = 2
    wait_time = between(3, 8)

    def on_start(self):
        me = next(MERCHANTS)
        self.headers = {"Authorization": f"Token {me['token']}", "Content-Type": "application/json"}
        self.drafts = list(me["drafts"])
        self.edits = 0

    @task(6)
    def save_draft(self):
        self.edits += 1
        draft = random.choice(self.drafts)
        body = {
            "summary": f"第 {self.edits} 次修改：{random.choice(DATA['search_terms'])}数据产品，按日更新。",
            "description": "基于企业公开信息与自有采集数据，经清洗、去重与标准化处理后按统一社会信用代码关联。"
            * random.randint(1, 4),
            "coverage_region": random.choice(["全国", "上海市", "长三角地区", "广东省"]),
        }
        with self.client.request(
            "PATCH",
            f"/api/v1/registrations/{draft}/",
            data=json.dumps(body, ensure_ascii=False).encode(),
            headers=self.headers,
            name="api: save draft",
            catch_response=True,
        ) as response:
            check(response)

    @task(2)
    def list_registrations(self):
        with self.client.get(
            "/api/v1/registrations/", headers=self.headers, name="api: my registrations", catch_response=True
        ) as response:
            check(response)

    @task(1)
    def new_draft(self):
        body = {"name": f"新数据产品草稿 {random.randint(1, 10**6)}", "section": random.choice(DATA["sections"])}
        with self.client.post(
            "/api/v1/registrations/",
            data=json.dumps(body, ensure_ascii=False).encode(),
            headers=self.headers,
            name="api: new draft",
            catch_response=True,
        ) as response:
            check(response, 201)
            if response.status_code == 201:
                self.drafts.append(response.json()["id"])


class BuyerSystem(FastHttpUser):
    """A buyer's system calling the metered data API with its own key, about once a second."""

    weight = 2
    wait_time = between(0.5, 2)

    def on_start(self):
        self.headers = {"Authorization": f"Bearer {next(KEYS)}"}

    @task(5)
    def dataset_rows(self):
        params = {"limit": "20", "after": str(random.choice([0, 0, 20, 40, 100]))}
        if random.random() < 0.5:
            params["filter[地区]"] = random.choice(DATA["regions"])
        with self.client.get(
            f"/data/v1/products/{DATA['dataset_code']}/rows",
            params=params,
            headers=self.headers,
            name="data: dataset rows",
            catch_response=True,
        ) as response:
            check(response)

    @task(4)
    def verify(self):
        uscc, name, state = random.choice(DATA["registry"])
        fields = {"统一社会信用代码": uscc, "企业名称": name}
        if random.random() < 0.5:
            fields["登记状态"] = random.choice([state, "注销"])
        with self.client.post(
            f"/data/v1/products/{DATA['verification_code']}/verify",
            data=json.dumps({"fields": fields}, ensure_ascii=False).encode(),
            headers={**self.headers, "Content-Type": "application/json"},
            name="data: verify",
            catch_response=True,
        ) as response:
            check(response)

    @task(1)
    def entitlements(self):
        with self.client.get(
            "/data/v1/entitlements", headers=self.headers, name="data: entitlements", catch_response=True
        ) as response:
            check(response)
