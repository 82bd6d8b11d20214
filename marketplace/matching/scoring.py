"""How well a listed product answers a demand: pure functions, no database.

The score is a weighted mean of five fits, each from 0 to 1:

- **text**: BM25 of the demand's words (jieba, precise mode) over the product's
  segmented document (jieba, search mode, as the catalog indexes it), with the
  document frequencies of the listed catalog, so rare words weigh more than common
  ones. Words of the demand's title count double. It is normalised by what the
  demand's six most informative words (those found in the catalog at all) would
  score in an average document, and capped at 1.
- **section**: the same industry section (1), another (0), or no section asked (½).
- **delivery**: the product offers a delivery mode the buyer accepts (1) or none (0);
  any mode accepted: 1.
- **budget**: the cheapest quote for the demand's volume is within the budget (1),
  above it (budget ÷ quote), or unknown: no budget given, or priced on request (½).
- **standing**: the merchant's standing (``standing.merchant_standing``).

A product that does not allow the demand's purpose is never a match, and neither is
one answering too little of its text (``MIN_TEXT``): ``score_match`` returns ``None``. Each match carries its
reasons as data (``reasons``), turned into sentences in the reader's language by
``reason_lines``.
"""

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from catalog.choices import DeliveryModeCode, Section
from catalog.search import segment_query
from pricing.money import format_cny

K1 = 1.2
B = 0.75
TITLE_WEIGHT = 2.0
CORE_TERMS = 6
MAX_QUERY_TERMS = 32
KEYWORDS_SHOWN = 5
NEUTRAL = 0.5
# Below this text relevance a product answers too little of the demand to be a match, whatever its other fits.
MIN_TEXT = 0.2

# Words that say nothing about which data is needed (function words, the verbs of asking).
FUNCTION_WORDS = "的 了 和 与 及 或 等 在 对 为 以 将 把 被 从 向 于 是 有 也 都 并 且 而 之 其 该 此 这 那"
ASKING_WORDS = "我 我们 我司 我行 贵司 需要 需求 希望 求购 采购 购买 寻找 提供 用于 可以 能够 进行 相关 以及"
FILLER_WORDS = "一个 一些 主要 包括 如下 要求 服务 数据 前 后 中 上 下 内 外 个 种 类 项 份 次 年 月 日"
STOPWORDS = frozenset(f"{FUNCTION_WORDS} {ASKING_WORDS} {FILLER_WORDS}".split())
_CLAUSE_RE = re.compile(r"[，。；;,.!！？?\n、：:（）()]+")


@dataclass(frozen=True)
class Weights:
    """Relative weights of the five fits (settings.MATCH_WEIGHTS)."""

    text: float = 0.5
    section: float = 0.15
    delivery: float = 0.1
    budget: float = 0.15
    standing: float = 0.1

    @classmethod
    def from_mapping(cls, mapping: Mapping[str, float]) -> "Weights":
        return cls(**{name: float(mapping[name]) for name in cls.__dataclass_fields__ if name in mapping})

    @property
    def total(self) -> float:
        return self.text + self.section + self.delivery + self.budget + self.standing


@dataclass(frozen=True)
class Corpus:
    """What BM25 needs of the listed catalog: how many documents, their mean length, each word's frequency."""

    documents: int
    average_length: float
    df: Mapping[str, int]

    def idf(self, term: str) -> float:
        n = max(self.documents, 1)
        d = min(self.df.get(term, 0), n)
        return math.log(1 + (n - d + 0.5) / (d + 0.5))


@dataclass(frozen=True)
class DemandFeatures:
    """The parts of a demand scoring reads."""

    terms: tuple[str, ...]
    title_terms: frozenset[str]
    section: str
    delivery_modes: frozenset[str]
    purpose: str
    budget_max: Decimal | None = None


@dataclass(frozen=True)
class ProductFeatures:
    """The parts of a listed product scoring reads."""

    tf: Mapping[str, int]
    length: int
    section: str
    delivery_modes: frozenset[str]
    allowed_purposes: frozenset[str]


@dataclass(frozen=True)
class BudgetFit:
    score: float
    reason: dict | None = None


@dataclass(frozen=True)
class MatchScore:
    score: float
    components: dict = field(default_factory=dict)
    reasons: list = field(default_factory=list)


# Words ----------------------------------------------------------------------------------------------------


def query_terms(*texts: str) -> list[str]:
    """The distinct informative words of a demand's texts, in order (jieba precise mode, clause by clause)."""
    terms: list[str] = []
    for text in texts:
        for clause in _CLAUSE_RE.split(text or ""):
            for term in segment_query(clause):
                if term not in STOPWORDS and term not in terms and len(term) <= 100:
                    terms.append(term)
    return terms[:MAX_QUERY_TERMS]


def document_tf(search_document: str) -> Counter:
    """Word counts of a product's segmented document (``Product.search_document``)."""
    return Counter(search_document.split())


def document_length(search_document: str) -> int:
    return len(search_document.split())


# Fits -----------------------------------------------------------------------------------------------------


def purpose_allowed(purpose: str, allowed_purposes: Iterable[str]) -> bool:
    """Whether the product allows the demand's purpose; a product that declares none allows none."""
    return bool(purpose) and purpose in set(allowed_purposes)


def _term_weight(term: str, demand: DemandFeatures, corpus: Corpus) -> float:
    return corpus.idf(term) * (TITLE_WEIGHT if term in demand.title_terms else 1.0)


def text_ceiling(demand: DemandFeatures, corpus: Corpus) -> float:
    """What the demand's most informative words found in the catalog would score in an average document."""
    weights = sorted((_term_weight(t, demand, corpus) for t in demand.terms if corpus.df.get(t, 0) > 0), reverse=True)
    return sum(weights[:CORE_TERMS])


def text_relevance(demand: DemandFeatures, product: ProductFeatures, corpus: Corpus) -> tuple[float, list[str]]:
    """BM25 of the demand's words in the product's document, normalised to 0–1; and the words that matched."""
    average = corpus.average_length or float(product.length or 1)
    norm = K1 * (1 - B + B * (product.length / average if average else 1))
    contributions = {}
    for term in demand.terms:
        tf = product.tf.get(term, 0)
        if tf:
            contributions[term] = _term_weight(term, demand, corpus) * tf * (K1 + 1) / (tf + norm)
    if not contributions:
        return 0.0, []
    ceiling = text_ceiling(demand, corpus) or sum(contributions.values())
    score = min(1.0, sum(contributions.values()) / ceiling) if ceiling else 0.0
    keywords = sorted(contributions, key=lambda t: (-contributions[t], demand.terms.index(t)))[:KEYWORDS_SHOWN]
    return score, keywords


def section_fit(asked: str, offered: str) -> tuple[float, dict | None]:
    if not asked:
        return NEUTRAL, None
    if asked == offered:
        return 1.0, {"code": "section_same", "ok": True}
    return 0.0, {"code": "section_other", "section": offered, "ok": False}


def delivery_fit(accepted: frozenset[str], offered: frozenset[str]) -> tuple[float, dict | None]:
    if not accepted:
        return 1.0, None
    common = sorted(accepted & offered)
    if common:
        return 1.0, {"code": "delivery", "modes": common, "ok": True}
    return 0.0, {"code": "delivery_missing", "modes": sorted(accepted), "ok": False}


def budget_fit(amount: Decimal | None, budget_max: Decimal | None, *, on_request: bool = False) -> BudgetFit:
    """How the cheapest quote for the demand's volume compares with its budget."""
    if amount is None:
        code = "price_on_request" if on_request else "no_price"
        return BudgetFit(NEUTRAL, {"code": code, "ok": None})
    if budget_max is None:
        return BudgetFit(NEUTRAL, {"code": "quote", "amount": str(amount), "ok": None})
    if amount <= budget_max:
        return BudgetFit(1.0, {"code": "budget_fits", "amount": str(amount), "ok": True})
    return BudgetFit(
        float(budget_max / amount) if amount else 0.0,
        {"code": "budget_over", "amount": str(amount), "budget": str(budget_max), "ok": False},
    )


def partial_score(
    demand: DemandFeatures, product: ProductFeatures, corpus: Corpus, weights: Weights, standing: float
) -> tuple[float, dict, list] | None:
    """Everything but the budget: ``(weighted sum, components, reasons)``; None when it can never match."""
    if not purpose_allowed(demand.purpose, product.allowed_purposes):
        return None
    text, keywords = text_relevance(demand, product, corpus)
    if text < MIN_TEXT:
        return None
    section, section_reason = section_fit(demand.section, product.section)
    delivery, delivery_reason = delivery_fit(demand.delivery_modes, product.delivery_modes)
    components = {"text": text, "section": section, "delivery": delivery, "standing": standing}
    reasons = [{"code": "keywords", "words": keywords, "ok": True}]
    reasons += [reason for reason in (section_reason, delivery_reason) if reason]
    weighted = (
        weights.text * text + weights.section * section + weights.delivery * delivery + weights.standing * standing
    )
    return weighted, components, reasons


def best_possible(weighted: float, weights: Weights) -> float:
    """The highest score a partial score can still reach (a budget fit of 1)."""
    return (weighted + weights.budget) / weights.total if weights.total else 0.0


def finish_score(weighted: float, components: dict, reasons: list, budget: BudgetFit, weights: Weights) -> MatchScore:
    total = weights.total or 1.0
    score = (weighted + weights.budget * budget.score) / total
    components = {**components, "budget": budget.score}
    reasons = [*reasons, budget.reason] if budget.reason else list(reasons)
    return MatchScore(
        score=round(score, 6), components={k: round(v, 4) for k, v in components.items()}, reasons=reasons
    )


def score_match(
    demand: DemandFeatures,
    product: ProductFeatures,
    corpus: Corpus,
    weights: Weights,
    *,
    budget: BudgetFit,
    standing: float,
) -> MatchScore | None:
    """The whole score of one (demand, product) pair, or None when the product can never answer the demand."""
    partial = partial_score(demand, product, corpus, weights, standing)
    if partial is None:
        return None
    weighted, components, reasons = partial
    return finish_score(weighted, components, reasons, budget, weights)


# Reasons as sentences -------------------------------------------------------------------------------------


def _modes(codes) -> str:
    return "、".join(str(DeliveryModeCode(c).label) for c in codes if c in DeliveryModeCode.values)


def reason_line(reason: dict) -> str:
    """One reason in the reader's language."""
    code = reason.get("code")
    if code == "keywords":
        return _("Keywords: %(words)s") % {"words": "、".join(reason.get("words", []))}
    if code == "section_same":
        return _("Same industry section")
    if code == "section_other":
        section = reason.get("section", "")
        label = Section(section).label if section in Section.values else section
        return _("Another industry section (%(section)s)") % {"section": label}
    if code == "delivery":
        return _("Delivered as %(modes)s") % {"modes": _modes(reason.get("modes", []))}
    if code == "delivery_missing":
        return _("Not delivered as %(modes)s") % {"modes": _modes(reason.get("modes", []))}
    if code == "budget_fits":
        return _("Quote %(amount)s within budget") % {"amount": format_cny(Decimal(reason["amount"]))}
    if code == "budget_over":
        return _("Quote %(amount)s above the budget of %(budget)s") % {
            "amount": format_cny(Decimal(reason["amount"])),
            "budget": format_cny(Decimal(reason["budget"])),
        }
    if code == "quote":
        return _("Quote %(amount)s for the volume asked") % {"amount": format_cny(Decimal(reason["amount"]))}
    if code == "price_on_request":
        return _("Price on request")
    if code == "no_price":
        return _("No price for this volume yet")
    return str(code)


def reason_lines(reasons: list[dict]) -> list[str]:
    return [reason_line(reason) for reason in reasons or []]


def reasons_text(reasons: list[dict]) -> str:
    """All reasons in one line, e.g. ``Keywords: 企业信用、经营异常; Same industry section; Quote ¥12,000.00 within
    budget``."""
    return _("; ").join(reason_lines(reasons))
