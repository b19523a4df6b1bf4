"""Django's cache on Redis, shared by every web node, where an outage is a miss (ADR 0130).

`SharedRedisCache` is Django's own `RedisCache` with two changes: a Redis that does not
answer is treated as an empty cache (reads miss, writes are dropped, a warning is logged)
instead of a 500 on every page, and after a failure this process leaves Redis alone for
`REDIS_RETRY_SECONDS` so that each request does not wait for a connect timeout. Sessions
are `cached_db` (the database keeps them), so a Redis outage signs no one out.

Code that must know whether Redis answered (the rate limits, `core.ratelimit`) calls
`strict_client()` and decides its own failure policy.
"""

import logging
import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from django.utils.functional import cached_property
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)
T = TypeVar("T")


class CacheUnavailableError(Exception):
    """Redis did not answer (or is being left alone after a failure)."""


class SharedRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._down_until = 0.0

    # -- the failure policy ---------------------------------------------------------------
    def available(self) -> bool:
        return time.monotonic() >= self._down_until

    def _failed(self, error: Exception) -> None:
        if self.available():
            logger.warning("Redis cache unavailable (%s): serving without it", error)
        self._down_until = time.monotonic() + getattr(settings, "REDIS_RETRY_SECONDS", 5)

    def _guard(self, call: Callable[[], T], fallback: T) -> T:
        if not self.available():
            return fallback
        try:
            return call()
        except RedisError as error:
            self._failed(error)
            return fallback

    def strict_client(self):
        """The raw redis-py client, or CacheUnavailableError."""
        if not self.available():
            raise CacheUnavailableError
        return self._raw_client

    @cached_property
    def _raw_client(self):
        # Django makes a redis.Redis per call (most of a rate-limit check's CPU); one per
        # process is enough: it is thread-safe over its connection pool.
        return self._cache.get_client(write=True)  # type: ignore[attr-defined]

    def strict(self, call: Callable[[], T]) -> T:
        """Runs `call` against Redis; an outage is CacheUnavailableError (and remembered)."""
        if not self.available():
            raise CacheUnavailableError
        try:
            return call()
        except RedisError as error:
            self._failed(error)
            raise CacheUnavailableError from error

    # -- Django's cache API, each call guarded --------------------------------------------
    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None) -> bool:
        return self._guard(
            lambda: super(SharedRedisCache, self).add(key, value, timeout, version), False
        )

    def get(self, key, default=None, version=None) -> Any:
        return self._guard(
            lambda: super(SharedRedisCache, self).get(key, default, version), default
        )

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None) -> None:
        self._guard(lambda: super(SharedRedisCache, self).set(key, value, timeout, version), None)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None) -> bool:
        return self._guard(
            lambda: super(SharedRedisCache, self).touch(key, timeout, version), False
        )

    def delete(self, key, version=None) -> bool:
        return self._guard(lambda: super(SharedRedisCache, self).delete(key, version), False)

    def get_many(self, keys, version=None) -> dict:
        return self._guard(lambda: super(SharedRedisCache, self).get_many(keys, version), {})

    def has_key(self, key, version=None) -> bool:
        return self._guard(lambda: super(SharedRedisCache, self).has_key(key, version), False)

    def incr(self, key, delta=1, version=None) -> int:
        # Down: as if the key were missing (callers then `set`, which is dropped).
        missing = object()
        value = self._guard(
            lambda: super(SharedRedisCache, self).incr(key, delta, version), missing
        )
        if value is missing:
            raise ValueError(f"Key '{key}' not found (Redis unavailable)")
        return value  # type: ignore[return-value]

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None) -> list:
        return self._guard(
            lambda: super(SharedRedisCache, self).set_many(data, timeout, version), list(data)
        )

    def delete_many(self, keys, version=None) -> None:
        self._guard(lambda: super(SharedRedisCache, self).delete_many(keys, version), None)

    def clear(self) -> None:
        self._guard(lambda: super(SharedRedisCache, self).clear(), None)
