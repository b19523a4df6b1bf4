"""The ONE helper for in-process caches of data (not of pure functions: `functools.cache`
stays right for SQL strings and constants).

Each cache is a `ProcessCache` created once at module level with a dotted name. It is
invalidated one way only: `forget(key)` drops one entry, `forget()` drops everything, and
`forget_everywhere()` empties every cache of this process (tests, a management command).
Entries may carry a deadline (`time.monotonic()` seconds) after which they are misses; a
cache may be bounded (`max_entries`: it empties when full, which is cheap and enough for
caches whose keys are few but unbounded in theory).

Other processes (other web nodes) learn of a `forget` only when the cache is `shared=True`:
then each forget is announced in Django's cache (Redis in production) as a numbered entry
`memo:<name>:<n>` beside a counter `memo:<name>:v`, and every process compares the counter
at most once per `PROCESS_CACHE_SYNC_SECONDS` (1 s) on read and forgets the announced keys,
or everything if it fell too far behind or the shared cache is gone (ADR 0130). Without
`shared`, a cache must hold only what may be stale for its deadline, or check a version of
its own (see the list in docs/architecture.md).
"""

import threading
import time
from collections.abc import Hashable, Iterator, Mapping
from typing import Any, Generic, TypeVar

from django.conf import settings
from django.core.cache import cache as shared_cache

V = TypeVar("V")

_ALL: Any = object()
_ALL_MARK = "memo:all"  # what an announced forget() of everything carries
_BEHIND = 200  # announcements a process reads one by one before it forgets everything
_registry: dict[str, "ProcessCache[Any]"] = {}


class ProcessCache(Generic[V]):
    def __init__(self, name: str, *, max_entries: int | None = None, shared: bool = False) -> None:
        if name in _registry:
            raise ValueError(f"a process cache named {name!r} exists already")
        self.name = name
        self.max_entries = max_entries
        self.shared = shared
        self._seen: int | None = None  # the shared counter when last compared
        self._synced_at = -float("inf")
        self._entries: dict[Hashable, tuple[float | None, V]] = {}
        self._lock = threading.Lock()
        # Until when (monotonic) the cache holds a complete copy loaded by `fill`.
        self.complete_until = 0.0
        _registry[name] = self

    def get(self, key: Hashable, *, now: float | None = None) -> V | None:
        self.sync()
        hit = self._entries.get(key)
        if hit is None:
            return None
        until, value = hit
        if until is not None and until <= (time.monotonic() if now is None else now):
            return None
        return value

    def set(self, key: Hashable, value: V, *, until: float | None = None) -> V:
        with self._lock:
            if self.max_entries is not None and len(self._entries) >= self.max_entries:
                self._entries.clear()
                self.complete_until = 0.0
            self._entries[key] = (until, value)
        return value

    def fill(self, values: Mapping[Hashable, V], *, until: float) -> None:
        """Replaces the whole content by a complete copy, good until `until`."""
        with self._lock:
            self._entries = {key: (None, value) for key, value in values.items()}
            self.complete_until = until

    def is_complete(self, *, now: float | None = None) -> bool:
        self.sync()
        return (time.monotonic() if now is None else now) < self.complete_until

    def forget(self, key: Hashable = _ALL) -> None:
        self._drop(key)
        if self.shared:
            self._announce(key)

    def _drop(self, key: Hashable) -> None:
        with self._lock:
            if key is _ALL:
                self._entries.clear()
                self.complete_until = 0.0
            else:
                self._entries.pop(key, None)

    # -- across processes (shared=True) ---------------------------------------------------
    def _counter_key(self) -> str:
        return f"memo:{self.name}:v"

    def _announce(self, key: Hashable) -> None:
        try:
            number = shared_cache.incr(self._counter_key())
        except ValueError:
            shared_cache.add(self._counter_key(), 0, timeout=None)
            try:
                number = shared_cache.incr(self._counter_key())
            except ValueError:  # the shared cache is down: others wait for their deadline
                return
        shared_cache.set(f"memo:{self.name}:{number}", _ALL_MARK if key is _ALL else key, 86400)
        self._seen = number if self._seen == number - 1 else self._seen

    def sync(self, *, force: bool = False) -> None:
        """Forgets what other processes announced since the last look (at most once per
        PROCESS_CACHE_SYNC_SECONDS, unless `force`)."""
        if not self.shared:
            return
        now = time.monotonic()
        if not force and now - self._synced_at < settings.PROCESS_CACHE_SYNC_SECONDS:
            return
        first, self._synced_at = self._seen is None, now
        # No counter: nothing announced yet, or Redis restarted or down (then: forget all).
        current = int(shared_cache.get(self._counter_key()) or 0)
        if first or current == self._seen:
            self._seen = current
            return
        for key in self._announced(self._seen or 0, current):
            self._drop(key)
        self._seen = current

    def _announced(self, seen: int, current: int) -> list[Hashable]:
        if not 0 < current - seen <= _BEHIND:
            return [_ALL]
        names = [f"memo:{self.name}:{n}" for n in range(seen + 1, current + 1)]
        found = shared_cache.get_many(names)
        if len(found) < len(names) or _ALL_MARK in found.values():
            return [_ALL]
        return list(found.values())

    def __contains__(self, key: object) -> bool:
        return key in self._entries

    def __iter__(self) -> Iterator[Hashable]:
        return iter(list(self._entries))

    def __len__(self) -> int:
        return len(self._entries)


def process_caches() -> dict[str, ProcessCache[Any]]:
    return dict(_registry)


def forget_everywhere() -> None:
    for cache in list(_registry.values()):
        cache.forget()
