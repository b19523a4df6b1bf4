"""The node's copy of the hub directory: never a blocking fetch while a usable copy exists."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from agency_node.config import NodeConfig
from agency_node.keystore import generate_keys
from agency_node.node import AgencyNode, _DirectoryCache
from gdx_protocol.encoding import b64e

from .fake_hub import FakeHub, FakeHubServer


class SlowHub(FakeHub):
    """A hub whose directory endpoint waits until ``release`` is set (all workers busy)."""

    url = ""

    def __init__(self) -> None:
        super().__init__()
        self.release = threading.Event()
        self.release.set()
        self.fetches = 0

    def directory_document(self) -> bytes:
        self.fetches += 1
        assert self.release.wait(10)
        return super().directory_document()


@pytest.fixture
def hub() -> Iterator[SlowHub]:
    hub = SlowHub()
    server = FakeHubServer(hub)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    hub.url = server.url
    yield hub
    hub.release.set()
    server.shutdown()
    server.server_close()


def _node(tmp_path: Path, hub: SlowHub, refresh: int = 300) -> AgencyNode:
    generate_keys(tmp_path / "keys")
    config = NodeConfig.from_dict(
        {
            "member_id": "dopa",
            "key_dir": "keys",
            "hub_url": hub.url,
            "hub_keys": [{"alg": hub.key.alg, "pub": b64e(hub.key.public_raw)}],
            "pseudonym_key": b64e(os.urandom(32)),
            "directory_refresh": refresh,
        },
        tmp_path,
    )
    return AgencyNode(config)


def _cache(node: AgencyNode) -> _DirectoryCache:
    assert node._dir is not None
    return node._dir


def _wait_for(predicate: Callable[[], bool], seconds: float = 5.0) -> None:
    end = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < end, "timed out"
        time.sleep(0.01)


def test_first_use_fetches_once_for_many_threads(tmp_path: Path, hub: SlowHub) -> None:
    node = _node(tmp_path, hub)
    hub.release.clear()
    results: list[object] = []
    threads = [threading.Thread(target=lambda: results.append(node.directory())) for _ in range(8)]
    for t in threads:
        t.start()
    time.sleep(0.1)
    hub.release.set()
    for t in threads:
        t.join(10)
    assert len(results) == 8 and all(r is results[0] for r in results)
    assert hub.fetches == 1


def test_a_stale_directory_is_served_at_once_and_refreshed_in_the_background(
    tmp_path: Path, hub: SlowHub
) -> None:
    node = _node(tmp_path, hub, refresh=1)
    first = node.directory()
    serial = _cache(node).serial
    _cache(node).fetched_at -= 5  # stale, but its signed validity has not run out
    hub.release.clear()  # the hub cannot answer now: every worker is busy
    started = time.monotonic()
    for _ in range(5):
        assert node.directory() is first
    assert time.monotonic() - started < 0.5  # did not wait for the hub
    _wait_for(lambda: hub.fetches == 2)
    assert node.directory() is first
    assert hub.fetches == 2  # one background refresh in flight, not one per call
    hub.release.set()
    _wait_for(lambda: _cache(node).serial > serial)
    assert node.directory() is not first


def test_an_expired_directory_is_fetched_before_use(tmp_path: Path, hub: SlowHub) -> None:
    node = _node(tmp_path, hub)
    first = node.directory()
    _cache(node).expires_at = int(time.time()) - 1
    assert node.directory() is not first
    assert hub.fetches == 2


def test_a_failed_background_refresh_keeps_the_previous_directory(
    tmp_path: Path, hub: SlowHub
) -> None:
    node = _node(tmp_path, hub, refresh=1)
    first = node.directory()
    _cache(node).fetched_at -= 5
    node.config.hub_url = "http://127.0.0.1:9"  # nothing listens there
    assert node.directory() is first
    _wait_for(lambda: not node._refreshing)
    assert node.directory() is first


def test_the_refresher_thread_keeps_the_directory_fresh(tmp_path: Path, hub: SlowHub) -> None:
    node = _node(tmp_path, hub, refresh=1)
    node.start_directory_refresher()
    try:
        _wait_for(lambda: node._dir is not None)
        serial = _cache(node).serial
        _wait_for(lambda: _cache(node).serial > serial, seconds=5)
    finally:
        node.stop()
