"""The data API's hot-path store: Redis when the cache is Redis (``CACHE_URL``), Django's cache otherwise.

Django's Redis cache builds a new client object for every operation (a few hundred
microseconds of CPU each); the hot path instead keeps one client per process and makes
its reads and its rate-limit count in a single round trip (a pipeline).
"""

import pickle
from functools import lru_cache

from django.conf import settings
from django.core.cache import cache

NAMESPACE = "data-api:"


@lru_cache(maxsize=2)
def _client(url: str):
    import redis

    return redis.Redis.from_url(url)


def redis_client():
    """The process's Redis client, or None when the cache is not Redis (the embedded default)."""
    config = settings.CACHES.get("default", {})
    if not config.get("BACKEND", "").endswith("RedisCache"):
        return None
    return _client(config["LOCATION"])


def _dumps(value) -> bytes:
    return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)


def _loads(raw):
    # Only this module writes these keys, with values built from our own database rows.
    return None if raw is None else pickle.loads(raw)  # noqa: S301  # nosec B301


def get(key: str):
    client = redis_client()
    if client is None:
        return cache.get(NAMESPACE + key)
    return _loads(client.get(NAMESPACE + key))


def set_many(values: dict, ttl: int) -> None:
    client = redis_client()
    if client is None:
        cache.set_many({NAMESPACE + k: v for k, v in values.items()}, ttl)
        return
    pipe = client.pipeline(transaction=False)
    for key, value in values.items():
        pipe.set(NAMESPACE + key, _dumps(value), ex=ttl)
    pipe.execute()


def delete(key: str) -> None:
    client = redis_client()
    if client is None:
        cache.delete(NAMESPACE + key)
    else:
        client.delete(NAMESPACE + key)


def get_many_and_count(keys: list[str], counter: str, ttl: int) -> tuple[dict, int]:
    """Read ``keys`` and add one to ``counter`` (expiring after ``ttl`` s): one round trip on Redis."""
    client = redis_client()
    if client is None:
        found = cache.get_many([NAMESPACE + k for k in keys])
        counter_key = NAMESPACE + counter
        if cache.add(counter_key, 1, timeout=ttl):
            count = 1
        else:
            try:
                count = cache.incr(counter_key)
            except ValueError:  # expired between add and incr
                cache.add(counter_key, 1, timeout=ttl)
                count = 1
        return {k[len(NAMESPACE) :]: v for k, v in found.items()}, count
    pipe = client.pipeline(transaction=False)
    pipe.mget([NAMESPACE + k for k in keys])
    pipe.incr(NAMESPACE + counter)
    pipe.expire(NAMESPACE + counter, ttl)
    values, count, _expire = pipe.execute()
    return {k: _loads(raw) for k, raw in zip(keys, values) if raw is not None}, count


def clear_namespace() -> None:
    """Tests: forget everything this module stored."""
    client = redis_client()
    if client is None:
        cache.clear()
        return
    for key in client.scan_iter(NAMESPACE + "*"):
        client.delete(key)
