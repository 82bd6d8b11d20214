"""The pure scoring of a (demand, product) pair: BM25 over segmented Chinese, fits, gates and reasons."""

from decimal import Decimal

from django.utils import translation

from catalog.search import segment_document
from marketplace.matching import scoring

CORPUS = scoring.Corpus(
    documents=1000,
    average_length=40.0,
    df={"企业": 600, "经营": 40, "异常": 30, "名录": 10, "行政处罚": 8, "数据": 900, "用电": 15},
)
WEIGHTS = scoring.Weights()


def demand(terms, *, title_terms=(), purpose="risk_control", section="L", modes=("api",), budget=None):
    return scoring.DemandFeatures(
        terms=tuple(terms),
        title_terms=frozenset(title_terms),
        section=section,
        delivery_modes=frozenset(modes),
        purpose=purpose,
        budget_max=budget,
    )


def product(text, *, purposes=("risk_control",), section="L", modes=("api",)):
    document = segment_document(text)
    return scoring.ProductFeatures(
        tf=scoring.document_tf(document),
        length=scoring.document_length(document),
        section=section,
        delivery_modes=frozenset(modes),
        allowed_purposes=frozenset(purposes),
    )


def test_query_terms_drop_function_words_and_keep_order():
    """The words of a demand are jieba's precise-mode words, without 的/和/需要/用于/数据."""
    terms = scoring.query_terms("企业经营异常数据", "需要企业的经营异常名录和行政处罚记录，用于贷前核查")

    assert terms[:3] == ["企业", "经营", "异常"]
    assert "名录" in terms and "行政处罚" in terms
    assert not {"的", "和", "需要", "用于", "数据"} & set(terms)


def test_rare_words_weigh_more_than_common_ones():
    """A product sharing the rare words outscores one sharing only the common word 企业."""
    asked = demand(["企业", "经营", "异常", "名录"], title_terms=["经营", "异常"])
    right = product("企业经营异常名录核验")
    common = product("企业用电数据 企业月度用电量")

    right_text, right_words = scoring.text_relevance(asked, right, CORPUS)
    common_text, common_words = scoring.text_relevance(asked, common, CORPUS)

    assert right_text > 0.8
    assert common_text < 0.15
    assert set(right_words[:2]) == {"经营", "异常"}  # the title's words, doubled, come first
    assert common_words == ["企业"]


def test_a_product_not_allowing_the_purpose_never_scores():
    """Whatever the text, a product that does not allow the purpose is no match (None)."""
    asked = demand(["经营", "异常"])
    forbidden = product("企业经营异常名录核验", purposes=("research", "marketing"))

    assert scoring.score_match(asked, forbidden, CORPUS, WEIGHTS, budget=scoring.BudgetFit(1.0), standing=1.0) is None
    assert scoring.purpose_allowed("risk_control", []) is False


def test_a_product_sharing_too_little_text_is_no_match():
    """Sharing only a word that says little about the demand is below MIN_TEXT: no match."""
    asked = demand(["企业", "经营", "异常", "名录", "行政处罚"])

    assert (
        scoring.score_match(
            asked, product("企业用电数据"), CORPUS, WEIGHTS, budget=scoring.BudgetFit(1.0), standing=0.5
        )
        is None
    )


def test_section_delivery_and_budget_fits_raise_the_score():
    """The same text scores higher with the same section, an accepted delivery mode and a quote within budget."""
    asked = demand(["经营", "异常"], budget=Decimal("8000.00"))
    fits = scoring.score_match(
        asked,
        product("企业经营异常核验"),
        CORPUS,
        WEIGHTS,
        budget=scoring.budget_fit(Decimal("5000.00"), Decimal("8000.00")),
        standing=0.5,
    )
    misfits = scoring.score_match(
        asked,
        product("企业经营异常核验", section="J", modes=("report",)),
        CORPUS,
        WEIGHTS,
        budget=scoring.budget_fit(Decimal("16000.00"), Decimal("8000.00")),
        standing=0.5,
    )

    assert fits.score > misfits.score
    assert misfits.components["budget"] == 0.5  # 8,000 of 16,000
    assert [r["code"] for r in misfits.reasons] == ["keywords", "section_other", "delivery_missing", "budget_over"]


def test_budget_fit_without_price_or_budget_is_neutral():
    assert scoring.budget_fit(None, Decimal("100.00"), on_request=True).reason["code"] == "price_on_request"
    assert scoring.budget_fit(Decimal("50.00"), None).score == scoring.NEUTRAL
    assert scoring.budget_fit(Decimal("50.00"), Decimal("50.00")).score == 1.0


def test_reasons_read_as_one_line():
    """The reasons of a match are sentences: keywords, section, delivery, the quote against the budget."""
    reasons = [
        {"code": "keywords", "words": ["企业信用", "经营异常"]},
        {"code": "section_same"},
        {"code": "delivery", "modes": ["api"]},
        {"code": "budget_fits", "amount": "12000.00"},
    ]

    with translation.override("en"):
        text = scoring.reasons_text(reasons)

    assert (
        text == "Keywords: 企业信用、经营异常; Same industry section; Delivered as API; Quote ¥12,000.00 within budget"
    )


def test_weights_come_from_a_mapping():
    weights = scoring.Weights.from_mapping({"text": "0.7", "standing": 0})

    assert weights.text == 0.7 and weights.standing == 0.0 and weights.section == 0.15


def test_standing_is_the_merchants_credit_when_governance_is_installed(db):
    """Matching asks one place for standing: the credit score when credit exists, else neutral; 0 if unverified."""
    from django.apps import apps

    from marketplace.matching.standing import NEUTRAL, merchant_standing
    from tests.factories import OrganizationFactory

    verified, suspended = OrganizationFactory(), OrganizationFactory(status="suspended")

    standing = merchant_standing([verified, suspended.pk])

    assert standing[suspended.pk] == 0.0
    if apps.is_installed("marketplace.governance"):
        from marketplace.governance.credit import credit_of

        assert standing[verified.pk] == credit_of(verified).standing
    else:
        assert standing[verified.pk] == NEUTRAL
