"""Rate limits as counters in the shared cache: every web node counts in the same place, so
two nodes never double an allowance (ADR 0130).

`hit(scope, key, limit=, window=, on_outage=)` counts one event and says whether it is
within `limit` per `window` seconds. The count is a sliding window (this window's count plus
the previous window's, weighted by how much of it still overlaps), so a burst at a window's
edge cannot get twice the allowance either. On Redis it is one pipelined round trip; on the
embedded default (the local-memory cache, one process) `add` + `incr`, atomic there.

When Redis does not answer, each limit decides (`on_outage`): ALLOW (the limit has another
floor, e.g. the database's own count of stored answers) or REFUSE.
"""

import enum
import hashlib
import logging
import time

from django.core.cache import caches

from core.cache import CacheUnavailableError, SharedRedisCache

logger = logging.getLogger(__name__)


class Outage(enum.Enum):
    ALLOW = "allow"
    REFUSE = "refuse"


def hit(scope: str, key: str, *, limit: int, window: int, on_outage: Outage) -> bool:
    """Counts one event of `key` in `scope`; False when it is over `limit` per `window` s."""
    now = time.time()
    bucket = int(now // window)
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    name = f"ratelimit:{scope}:{digest}"
    try:
        current, previous = _count(f"{name}:{bucket}", f"{name}:{bucket - 1}", window)
    except CacheUnavailableError:
        logger.warning("rate limit %s: shared cache unavailable, %s", scope, on_outage.value)
        return on_outage is Outage.ALLOW
    overlap = 1.0 - (now % window) / window
    return current + previous * overlap <= limit


def _count(current: str, previous: str, window: int) -> tuple[int, int]:
    cache = caches["default"]
    if isinstance(cache, SharedRedisCache):
        return cache.strict(lambda: _count_redis(cache, current, previous, window))
    cache.add(current, 0, timeout=2 * window)
    try:
        count = cache.incr(current)
    except ValueError:  # expired between add and incr
        cache.add(current, 0, timeout=2 * window)
        count = cache.incr(current)
    return count, int(cache.get(previous) or 0)


def _count_redis(cache: SharedRedisCache, current: str, previous: str, window: int):
    key, before = cache.make_and_validate_key(current), cache.make_and_validate_key(previous)
    # INCR is atomic on its own; one round trip without MULTI/EXEC.
    pipe = cache.strict_client().pipeline(transaction=False)
    pipe.incr(key)
    pipe.expire(key, 2 * window)
    pipe.get(before)
    count, _expire, prior = pipe.execute()
    return int(count), int(prior or 0)
