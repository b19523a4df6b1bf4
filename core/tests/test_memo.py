"""The one in-process cache helper: deadlines, bounds, complete copies and its one way to
invalidate."""

import multiprocessing
import time

import pytest
from django.core.cache import caches

from core import memo
from core.memo import ProcessCache, forget_everywhere, process_caches
from core.tests.redis_server import DEAD_REDIS, redis_caches


@pytest.fixture
def cache():
    made = ProcessCache("test.memo")
    yield made
    from core import memo

    memo._registry.pop("test.memo")


def test_an_entry_expires_at_its_deadline(cache):
    cache.set("a", 1, until=10.0)
    cache.set("b", 2)
    assert cache.get("a", now=9.9) == 1
    assert cache.get("a", now=10.0) is None
    assert cache.get("b", now=1e12) == 2


def test_forget_drops_one_entry_or_everything(cache):
    cache.fill({"a": 1, "b": 2}, until=100.0)
    assert cache.is_complete(now=50.0) and not cache.is_complete(now=100.0)
    cache.forget("a")
    assert "a" not in cache and cache.get("b") == 2
    cache.forget()
    assert not len(cache) and not cache.is_complete(now=0.0)


def test_a_bounded_cache_empties_when_full():
    cache = ProcessCache("test.memo.bounded", max_entries=2)
    try:
        cache.set(1, "x")
        cache.set(2, "y")
        cache.set(3, "z")
        assert list(cache) == [3]
    finally:
        from core import memo

        memo._registry.pop("test.memo.bounded")


def test_names_are_unique_and_every_cache_is_listed_in_the_architecture(cache, settings):
    with pytest.raises(ValueError):
        ProcessCache("test.memo")
    from pathlib import Path

    import exchange.hub
    import feedback.views

    assert exchange.hub and feedback.views  # their caches are made at import
    architecture = (Path(settings.BASE_DIR) / "docs" / "architecture.md").read_text()
    app_caches = [name for name in process_caches() if not name.startswith("test.")]
    assert {"feedback.targets", "feedback.agencies", "exchange.directory"} <= set(app_caches)
    for name in app_caches:
        assert f"`{name}`" in architecture, name


def test_forget_everywhere_empties_every_cache(cache):
    cache.set("a", 1)
    forget_everywhere()
    assert not len(cache)


# --- shared=True: other processes (web nodes) learn of a forget through the shared cache ---


@pytest.fixture
def two_nodes(settings):
    """Two copies of one shared cache, as two web nodes would hold them."""
    settings.PROCESS_CACHE_SYNC_SECONDS = 0
    first = ProcessCache("test.shared", shared=True)
    memo._registry.pop("test.shared")
    second = ProcessCache("test.shared", shared=True)
    yield first, second
    memo._registry.pop("test.shared")


def test_a_forget_on_one_node_reaches_the_other(two_nodes):
    first, second = two_nodes
    for node in two_nodes:
        node.set("a", 1)
        node.set("b", 2)
        node.sync()
    first.forget("a")
    assert first.get("a") is None
    assert second.get("a") is None
    assert second.get("b") == 2


def test_forgetting_everything_reaches_the_other(two_nodes):
    first, second = two_nodes
    second.fill({"a": 1}, until=time.monotonic() + 100)
    second.sync()
    first.forget()
    assert not second.is_complete()
    assert second.get("a") is None


def test_the_other_node_looks_at_most_once_per_period(two_nodes, settings):
    first, second = two_nodes
    settings.PROCESS_CACHE_SYNC_SECONDS = 3600
    second.set("a", 1)
    second.sync(force=True)
    first.forget("a")
    assert second.get("a") == 1  # within the period: the old copy
    second.sync(force=True)
    assert second.get("a") is None


def test_a_node_far_behind_forgets_everything(two_nodes):
    first, second = two_nodes
    second.set("a", 1)
    second.set("keep", 2)
    second.sync()
    for n in range(250):
        first.forget(("other", n))
    assert second.get("keep") is None


def test_without_the_shared_cache_the_copy_lives_to_its_deadline(two_nodes, settings):
    settings.CACHES = redis_caches(DEAD_REDIS)
    first, second = two_nodes
    second.set("a", 1, until=time.monotonic() + 100)
    first.forget("a")  # nobody hears it
    assert second.get("a", now=time.monotonic()) == 1
    assert second.get("a", now=time.monotonic() + 101) is None


def test_two_processes_through_redis(settings, redis_url):
    """A real second process forgets a key; this one hears it through Redis."""

    settings.CACHES = redis_caches(redis_url)
    settings.PROCESS_CACHE_SYNC_SECONDS = 0
    node = ProcessCache("test.redis", shared=True)
    try:
        node.set(7, "old")
        node.sync()

        def other():
            caches["default"].close()
            node.forget(7)

        process = multiprocessing.get_context("fork").Process(target=other)
        process.start()
        process.join(30)
        assert process.exitcode == 0
        assert node.get(7) is None
    finally:
        memo._registry.pop("test.redis")
        caches["default"].clear()
