"""Replay cache interface: "have I accepted this message id before?".

Entries only need to live until the message would be rejected as expired
anyway, so the cache is bounded by traffic within one TTL window.
"""

from __future__ import annotations

import heapq
import os
import sqlite3
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


class SqliteReplayCache:
    """A replay cache that survives a restart (threat T9): one SQLite file per node.

    Without it a provider that restarted forgot which forwards it had answered, so a
    captured forward could be answered again within its lifetime. Entries are kept until
    ``expires_at + PURGE_GRACE`` -- after that the envelope is refused as expired anyway --
    so the file stays bounded by one TTL of traffic. Each accepted id is committed before
    the caller decrypts or answers (WAL, ``synchronous=NORMAL``: an operating-system crash
    may lose the last commits, a process restart loses none).
    """

    PURGE_EVERY = 256

    def __init__(self, path: str | os.PathLike[str], clock: object = None) -> None:
        self._clock = clock or time.time
        self._lock = threading.Lock()
        self._conn = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.execute(
            "CREATE TABLE IF NOT EXISTS seen (key TEXT PRIMARY KEY, expires_at INTEGER NOT NULL)"
        )
        self._conn.execute("CREATE INDEX IF NOT EXISTS seen_expiry ON seen (expires_at)")
        self._adds = 0

    def check_and_add(self, key: str, expires_at: int) -> bool:
        now = int(self._clock())  # type: ignore[operator]
        with self._lock:
            self._adds += 1
            if self._adds % self.PURGE_EVERY == 1:
                self._conn.execute("DELETE FROM seen WHERE expires_at < ?", (now - PURGE_GRACE,))
            cur = self._conn.execute(
                "INSERT OR IGNORE INTO seen (key, expires_at) VALUES (?, ?)", (key, expires_at)
            )
            return cur.rowcount == 1

    def size(self) -> int:
        with self._lock:
            row = self._conn.execute("SELECT count(*) FROM seen").fetchone()
        return int(row[0])

    def close(self) -> None:
        with self._lock:
            self._conn.close()
