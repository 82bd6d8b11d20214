"""Chinese text search over listed products: segmented words, never substring guessing."""

import jieba
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.models import Product
from catalog.search import segment_document, segment_query
from catalog.selectors import SearchPaginator, catalog_search
from tests.factories import OrganizationFactory, draft_product, listed_product, member, noticed_product

pytestmark = pytest.mark.django_db


def test_segmentation_keeps_words_and_drops_fragments():
    """The premise of the tests below: jieba cuts 经营异常 into words, and 营异 is no word of the document."""
    document = segment_document("企业经营异常核验")

    assert " 经营 " in document and " 异常 " in document
    assert "营异" not in document.split()
    assert segment_query("经营异常") == ["经营", "异常"]
    assert "营异" not in list(jieba.cut("企业经营异常核验"))


def test_catalog_search_finds_a_product_by_a_chinese_word_of_its_name():
    """Searching 经营异常 finds 企业经营异常核验."""
    product = listed_product(name="企业经营异常核验", summary="核验企业状态", description="市场监管数据")
    listed_product(name="气象灾害预警数据", summary="逐小时预警", description="气象部门发布的灾害预警")

    found = list(catalog_search(text="经营异常"))

    assert found == [product]


def test_catalog_search_does_not_match_a_fragment_that_is_not_a_word():
    """营异 is a substring of 经营异常 but not a word: nothing is found."""
    listed_product(name="企业经营异常核验", summary="核验企业状态", description="市场监管数据")

    assert catalog_search(text="营异").count() == 0
    assert Product.objects.filter(name__contains="营异").count() == 1  # A substring search would have matched.


def test_catalog_search_needs_every_word_of_the_query():
    """A query of several words matches only documents holding all of them."""
    listed_product(name="企业经营异常核验", summary="核验企业状态", description="市场监管数据")
    listed_product(name="企业信用评分", summary="企业信用风险评估", description="银行贷前风控")

    assert catalog_search(text="企业").count() == 2
    assert catalog_search(text="企业 信用").count() == 1
    assert catalog_search(text="经营异常 信用").count() == 0


def test_catalog_search_matches_summary_and_description_too():
    listed_product(name="核验服务", summary="核验企业状态", description="基于市场监管公共数据的实时服务")

    assert catalog_search(text="市场监管").count() == 1


def test_catalog_search_only_returns_listed_products():
    """Drafts and products still under public notice are not in the catalog."""
    org = OrganizationFactory()
    merchant = member(org)
    draft_product(org, merchant, name="企业经营异常核验草稿")
    noticed_product(org, merchant, name="企业经营异常核验公示")
    listed = listed_product(org, merchant, name="企业经营异常核验")

    found = list(catalog_search(text="经营异常"))

    assert found == [listed]


def test_catalog_search_orders_by_relevance_on_postgres(on_postgres):
    """With text, the better match comes first on PostgreSQL (ts_rank); elsewhere newest first."""
    weak = listed_product(name="企业核验", summary="数据服务", description="提供企业信用信息")
    strong = listed_product(name="企业信用评分", summary="企业信用风险", description="企业信用报告与信用监测")

    found = list(catalog_search(text="信用"))

    assert found == [strong, weak]  # On SQLite the strong one is also the newest.


def test_catalog_search_sorts_by_name_and_by_newest():
    first = listed_product(name="Beta 数据")
    second = listed_product(name="Alpha 数据")

    assert list(catalog_search(sort="newest")) == [second, first]
    assert list(catalog_search(sort="name")) == [second, first]


def test_search_paginator_pages_ranked_results_with_their_total(on_postgres):
    """A ranked page holds per_page rows and the total; on PostgreSQL no separate COUNT(*) runs for it."""
    org = OrganizationFactory()
    merchant = member(org)
    products = [listed_product(org, merchant, name=f"企业信用数据{n}") for n in range(3)]

    with CaptureQueriesContext(connection) as queries:
        first = SearchPaginator(catalog_search(text="信用"), 2).page(1)
    second = SearchPaginator(catalog_search(text="信用"), 2).page(2)

    assert first.paginator.count == 3
    assert len(first.object_list) == 2 and first.has_next()
    assert {p.pk for p in [*first.object_list, *second.object_list]} == {p.pk for p in products}
    assert not second.has_next()
    counted_apart = any('"__count"' in query["sql"] for query in queries.captured_queries)
    assert counted_apart is not on_postgres


def test_search_paginator_counts_apart_beyond_its_ranked_ids(monkeypatch):
    """A search broader than the ids fetched at once still gets its exact count."""
    monkeypatch.setattr(SearchPaginator, "RANKED_IDS", 2)
    org = OrganizationFactory()
    merchant = member(org)
    for n in range(3):
        listed_product(org, merchant, name=f"企业信用数据{n}")

    first = SearchPaginator(catalog_search(text="信用"), 1).page(1)
    third = SearchPaginator(catalog_search(text="信用"), 1).page(3)

    assert first.paginator.count == 3 and len(first.object_list) == 1
    assert third.paginator.count == 3 and len(third.object_list) == 1


def test_search_paginator_get_page_forgives_bad_numbers():
    org = OrganizationFactory()
    merchant = member(org)
    for n in range(3):
        listed_product(org, merchant, name=f"企业信用数据{n}")

    assert SearchPaginator(catalog_search(text="信用"), 2).get_page(9).number == 2
    assert SearchPaginator(catalog_search(text="信用"), 2).get_page("x").number == 1
    assert SearchPaginator(catalog_search(text="没有这个词"), 2).get_page(1).paginator.count == 0
