"""The ONE helper for in-process caches of data (not of pure functions: `functools.cache`
stays right for SQL strings and constants).

Each cache is a `ProcessCache` created once at module level with a dotted name. It is
invalidated one way only: `forget(key)` drops one entry, `forget()` drops everything, and
`forget_everywhere()` empties every cache of this process (tests, a management command).
Entries may carry a deadline (`time.monotonic()` seconds) after which they are misses; a
cache may be bounded (`max_entries`: it empties when full, which is cheap and enough for
caches whose keys are few but unbounded in theory).

Other processes are not told: a cache must either hold only what may be stale for its
deadline, or check a version on each read (see the list in docs/architecture.md).
"""

import threading
import time
from collections.abc import Hashable, Iterator, Mapping
from typing import Any, Generic, TypeVar

V = TypeVar("V")

_ALL: Any = object()
_registry: dict[str, "ProcessCache[Any]"] = {}


class ProcessCache(Generic[V]):
    def __init__(self, name: str, *, max_entries: int | None = None) -> None:
        if name in _registry:
            raise ValueError(f"a process cache named {name!r} exists already")
        self.name = name
        self.max_entries = max_entries
        self._entries: dict[Hashable, tuple[float | None, V]] = {}
        self._lock = threading.Lock()
        # Until when (monotonic) the cache holds a complete copy loaded by `fill`.
        self.complete_until = 0.0
        _registry[name] = self

    def get(self, key: Hashable, *, now: float | None = None) -> V | None:
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
        return (time.monotonic() if now is None else now) < self.complete_until

    def forget(self, key: Hashable = _ALL) -> None:
        with self._lock:
            if key is _ALL:
                self._entries.clear()
                self.complete_until = 0.0
            else:
                self._entries.pop(key, None)

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
