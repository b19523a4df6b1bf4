"""Rate limits and the cache shared by every web node, against a real Redis (ADR 0130)."""

import multiprocessing
import time

import pytest
from django.core.cache import cache, caches

from core import ratelimit
from core.cache import SharedRedisCache
from core.ratelimit import Outage
from core.tests.redis_server import DEAD_REDIS, redis_caches

FORK = multiprocessing.get_context("fork")


@pytest.fixture
def shared(settings, redis_url):
    settings.CACHES = redis_caches(redis_url)
    assert isinstance(caches["default"], SharedRedisCache)
    yield settings
    cache.clear()


@pytest.fixture
def redis_down(settings):
    settings.CACHES = redis_caches(DEAD_REDIS)
    settings.REDIS_RETRY_SECONDS = 60
    yield settings


def _node(times: int, limit: int, results) -> None:
    """One web node: its own process, its own connection to Redis."""
    caches["default"].close()
    allowed = sum(
        ratelimit.hit("test.scope", "10.0.0.1", limit=limit, window=3600, on_outage=Outage.REFUSE)
        for _ in range(times)
    )
    results.put(allowed)


def test_two_processes_share_one_allowance(shared):
    results = FORK.Queue()
    nodes = [FORK.Process(target=_node, args=(20, 15, results)) for _ in range(2)]
    for node in nodes:
        node.start()
    for node in nodes:
        node.join(60)
        assert node.exitcode == 0
    assert results.get(timeout=5) + results.get(timeout=5) == 15


def test_the_limit_is_per_key(shared):
    for _ in range(3):
        assert ratelimit.hit("test.scope", "a", limit=3, window=60, on_outage=Outage.REFUSE)
    assert not ratelimit.hit("test.scope", "a", limit=3, window=60, on_outage=Outage.REFUSE)
    assert ratelimit.hit("test.scope", "b", limit=3, window=60, on_outage=Outage.REFUSE)
    assert ratelimit.hit("other.scope", "a", limit=3, window=60, on_outage=Outage.REFUSE)


def test_the_previous_window_still_counts_at_the_edge(shared, monkeypatch):
    """A burst just before a window ends and another just after cannot get twice the
    allowance (the sliding window)."""
    start = 3600 * 1000 + 3590.0
    monkeypatch.setattr(ratelimit.time, "time", lambda: start)
    allowed = [
        ratelimit.hit("edge", "k", limit=5, window=3600, on_outage=Outage.REFUSE) for _ in range(5)
    ]
    assert all(allowed)
    monkeypatch.setattr(ratelimit.time, "time", lambda: start + 20)  # next window, 10 s in
    assert not ratelimit.hit("edge", "k", limit=5, window=3600, on_outage=Outage.REFUSE)


def test_the_embedded_default_counts_in_local_memory(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    results = [
        ratelimit.hit("local", "k", limit=2, window=60, on_outage=Outage.REFUSE) for _ in range(3)
    ]
    assert results == [True, True, False]


def test_redis_down_each_limit_chooses(redis_down):
    assert ratelimit.hit("down", "k", limit=1, window=60, on_outage=Outage.ALLOW)
    assert not ratelimit.hit("down", "k", limit=1, window=60, on_outage=Outage.REFUSE)


def test_redis_down_is_a_miss_not_an_error(redis_down):
    cache.set("k", 1)
    assert cache.get("k", "default") == "default"
    assert cache.add("k", 1) is False
    with pytest.raises(ValueError):
        cache.incr("k")
    assert cache.get_many(["k"]) == {}
    # After the first failure this process does not wait for Redis again for a while.
    started = time.monotonic()
    for _ in range(50):
        cache.get("k")
    assert time.monotonic() - started < 0.25


def test_redis_comes_back(settings, redis_url):
    settings.CACHES = redis_caches(redis_url)
    settings.REDIS_RETRY_SECONDS = 0
    shared_cache = caches["default"]
    shared_cache._failed(ConnectionError("simulated"))
    shared_cache.set("back", 1)
    assert shared_cache.get("back") == 1
    shared_cache.clear()
