"""A real Redis for the tests: the machine's (127.0.0.1:6379, db 5, as in the README), or one
the fixture starts with Debian's redis-server on a free port. No Redis at all is a failure,
not a skip: the shared cache is what these tests are about."""

import os
import shutil
import socket
import subprocess
import time
import uuid

import pytest
import redis


def _answers(url: str) -> bool:
    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=0.5).ping())
    except redis.RedisError:
        return False


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory):
    url = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/5")
    if _answers(url):
        yield url
        return
    binary = shutil.which("redis-server")
    assert binary, f"No Redis at {url} and no redis-server to start (apt-get install redis-server)"
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    folder = tmp_path_factory.mktemp("redis")
    server = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir", str(folder)],
        stdout=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/5"
    try:
        for _ in range(100):
            if _answers(url):
                break
            time.sleep(0.05)
        yield url
    finally:
        server.terminate()
        server.wait(10)


def redis_caches(location: str, **extra) -> dict:
    """CACHES for one test: its own key prefix, so tests never see each other's counters."""
    return {
        "default": {
            "BACKEND": "core.cache.SharedRedisCache",
            "LOCATION": location,
            "KEY_PREFIX": f"test-{uuid.uuid4().hex}",
            "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.5},
            **extra,
        }
    }


DEAD_REDIS = "redis://127.0.0.1:1/5"  # nothing listens on port 1
