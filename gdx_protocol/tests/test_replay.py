"""The persistent replay cache keeps its memory across a restart (threat T9)."""

from __future__ import annotations

from gdx_protocol.replay import PURGE_GRACE, SqliteReplayCache


def test_survives_restart_and_purges_expired(tmp_path):
    now = [1_000_000]
    path = tmp_path / "replay.sqlite3"
    cache = SqliteReplayCache(path, clock=lambda: now[0])
    assert cache.check_and_add("fwd:a:1", now[0] + 120)
    assert not cache.check_and_add("fwd:a:1", now[0] + 120)
    cache.close()
    reopened = SqliteReplayCache(path, clock=lambda: now[0])
    assert not reopened.check_and_add("fwd:a:1", now[0] + 120)  # remembered
    assert reopened.check_and_add("fwd:a:2", now[0] + 120)
    # Past expiry (+ grace) entries go: the envelope would be refused as expired anyway.
    now[0] += 120 + PURGE_GRACE + 1
    reopened._adds = 0  # next add purges
    assert reopened.check_and_add("fwd:a:3", now[0] + 120)
    assert reopened.size() == 1
