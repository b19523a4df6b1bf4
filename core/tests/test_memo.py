"""The one in-process cache helper: deadlines, bounds, complete copies and its one way to
invalidate."""

import pytest

from core.memo import ProcessCache, forget_everywhere, process_caches


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
