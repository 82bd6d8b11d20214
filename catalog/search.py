"""Chinese-aware text search: documents and queries are segmented with jieba.

Documents are indexed with search-mode segmentation (every word and its
sub-words); queries are cut in precise mode, so a query word is found in a
document that contains that word, never by substring guessing. On PostgreSQL the
segmented document is a ``tsvector`` ('simple' configuration, GIN index); on
SQLite the padded document is matched word by word.
"""

import re
import unicodedata

import jieba
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import F, Q, QuerySet

jieba.setLogLevel(60)
_WORD_RE = re.compile(r"\w", re.UNICODE)


def _keep(token: str) -> bool:
    return bool(token.strip()) and bool(_WORD_RE.search(token))


def normalize(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").lower()


def segment_document(*parts: str) -> str:
    """Space-separated search-mode tokens, padded with spaces for word matching."""
    tokens: list[str] = []
    for part in parts:
        tokens.extend(t.strip() for t in jieba.cut_for_search(normalize(part)) if _keep(t))
    return f" {' '.join(tokens)} " if tokens else ""


def segment_query(text: str) -> list[str]:
    """Distinct precise-mode tokens of a query, in order."""
    seen: list[str] = []
    for token in jieba.cut(normalize(text)):
        token = token.strip()
        if _keep(token) and token not in seen:
            seen.append(token)
    return seen[:12]


def normalize_name(name: str) -> str:
    """A product name reduced for duplicate detection: NFKC, lower case, no spaces or punctuation."""
    return "".join(ch for ch in normalize(name) if _WORD_RE.match(ch))


def uses_postgres() -> bool:
    return connection.vendor == "postgresql"


def refresh_search_vector(queryset: QuerySet) -> None:
    """Recompute the stored tsvector from ``search_document`` (PostgreSQL only)."""
    if uses_postgres():
        queryset.update(search_vector=SearchVector("search_document", config="simple"))


def apply_text_search(queryset: QuerySet, text: str) -> tuple[QuerySet, bool]:
    """Filter ``queryset`` to documents with every query word; annotate ``rank`` on PostgreSQL.

    Returns the queryset and whether it was ranked.
    """
    tokens = segment_query(text)
    if not tokens:
        return queryset, False
    if uses_postgres():
        query = SearchQuery(tokens[0], config="simple", search_type="plain")
        for token in tokens[1:]:
            query &= SearchQuery(token, config="simple", search_type="plain")
        queryset = queryset.filter(search_vector=query).annotate(rank=SearchRank(F("search_vector"), query))
        return queryset, True
    condition = Q()
    for token in tokens:
        condition &= Q(search_document__contains=f" {token} ")
    return queryset.filter(condition), False
