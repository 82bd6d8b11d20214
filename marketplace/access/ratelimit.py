"""Per-key rate limits of the data API: a fixed-window counter, counted with the hot path's reads.

With ``CACHE_URL`` set (Redis) the count is shared by every web process; on the
embedded default (local memory) it is per process, which is what a single process needs.
"""

import time
from dataclasses import dataclass

from django.conf import settings

WINDOWS = {"s": 1, "m": 60, "h": 3600}


def parse_rate(rate: str) -> tuple[int, int]:
    """``"20/s"`` → ``(20, 1)``; ``"600/m"`` → ``(600, 60)``."""
    count, _, per = (rate or "").partition("/")
    return int(count), WINDOWS[(per or "s").strip()[0]]


@dataclass(frozen=True)
class Window:
    """The counter of one key in the current window."""

    counter: str
    limit: int
    ttl: int
    retry_after: int

    def allows(self, count: int) -> bool:
        return count <= self.limit


def window(prefix: str, rate: str | None = None) -> Window:
    limit, seconds = parse_rate(rate or settings.DATA_API_RATE_LIMIT)
    now = time.time()
    slot = int(now // seconds)
    return Window(
        counter=f"ratelimit:{prefix}:{seconds}:{slot}",
        limit=limit,
        ttl=seconds + 1,
        retry_after=max(1, int((slot + 1) * seconds - now + 0.999)),
    )
