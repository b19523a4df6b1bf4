"""Replay cache interface: "have I accepted this message id before?".

Entries only need to live until the message would be rejected as expired
anyway, so the cache is bounded by traffic within one TTL window.
"""

from __future__ import annotations

import heapq
import threading
import time
from typing import Protocol

# Keep ids a little past expiry so verifier/cache clock skew never reopens a window.
PURGE_GRACE = 300


class ReplayCache(Protocol):
    def check_and_add(self, key: str, expires_at: int) -> bool:
        """Atomically record ``key``; True if it was new, False if seen before."""
        ...


class InMemoryReplayCache:
    def __init__(self, clock: object = None) -> None:
        self._lock = threading.Lock()
        self._seen: dict[str, int] = {}
        self._heap: list[tuple[int, str]] = []
        self._clock = clock or time.time

    def check_and_add(self, key: str, expires_at: int) -> bool:
        now = int(self._clock())  # type: ignore[operator]
        with self._lock:
            while self._heap and self._heap[0][0] < now - PURGE_GRACE:
                exp, old = heapq.heappop(self._heap)
                if self._seen.get(old) == exp:
                    del self._seen[old]
            if key in self._seen:
                return False
            self._seen[key] = expires_at
            heapq.heappush(self._heap, (expires_at, key))
            return True

    def size(self) -> int:
        # Deliberately not __len__: an empty cache must never be falsy.
        with self._lock:
            return len(self._seen)
