"""What running on several nodes costs each request (issue 19, ADR 0130/0131): CPU per
request of the citizen's feedback page (the busiest address) through today's middleware
against the same stack without this issue's five (request id, Prometheus before/after,
django-otp and the two-factor gate, the replica chooser), run in the same process; CPU per
`core.ratelimit.hit` on the local-memory cache and on Redis; and a shared `ProcessCache.get`
against an unshared one.

    .venv/bin/python -m bench.operations_overhead                  # 2,000 requests a side
    .venv/bin/python -m bench.operations_overhead --requests 500 --redis redis://127.0.0.1:6379/5

CPU time (time.process_time) of this process, interleaved rounds, median of the rounds: the
steady figure on a shared machine. SQLite in memory, test settings; no network but Redis.
"""

import argparse
import json
import os
import statistics
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "citizeninfo.settings.test")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from core import ratelimit  # noqa: E402
from core.memo import ProcessCache  # noqa: E402

NEW = {
    "core.observability.RequestIdMiddleware",
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.TwoFactorMiddleware",
    "core.db_router.ReplicaMiddleware",
}


def _cpu_per_call(call, n: int) -> float:
    started = time.process_time()
    for _ in range(n):
        call()
    return (time.process_time() - started) / n


def _rounds(sides: dict, n: int, rounds: int = 5) -> dict[str, float]:
    found: dict[str, list[float]] = {name: [] for name in sides}
    for _ in range(rounds):
        for name, call in sides.items():
            found[name].append(_cpu_per_call(call, max(1, n // rounds)))
    return {name: statistics.median(values) for name, values in found.items()}


def page_overhead(requests: int) -> dict:
    from accounts.tests.factories import UserFactory  # lazy: demo
    from service_points.tests.factories import PublishedPointFactory  # lazy: demo

    point = PublishedPointFactory(agency=UserFactory().agency)
    path = f"/f/{point.pk}/"
    baseline_stack = [m for m in settings.MIDDLEWARE if m not in NEW]
    client = Client()
    assert client.get(path).status_code == 200

    def now():
        client.get(path)

    def before():
        with override_settings(MIDDLEWARE=baseline_stack):
            client.get(path)

    # override_settings rebuilds the handler's chain on each entry: measure that alone too.
    def rebuild_only():
        with override_settings(MIDDLEWARE=settings.MIDDLEWARE):
            client.get(path)

    cpu = _rounds({"now": rebuild_only, "baseline": before}, requests)
    plain = _rounds({"now": now}, requests)["now"]
    return {
        "page": "GET /f/<point>/ (the feedback page)",
        "cpu_ms_now": round(cpu["now"] * 1000, 3),
        "cpu_ms_baseline": round(cpu["baseline"] * 1000, 3),
        "ratio": round(cpu["now"] / cpu["baseline"], 3),
        "cpu_ms_now_without_rebuild": round(plain * 1000, 3),
    }


def ratelimit_cost(calls: int, redis_url: str | None) -> dict:
    result = {}
    caches = {"locmem": {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}}
    if redis_url:
        caches["redis"] = {
            "default": {
                "BACKEND": "core.cache.SharedRedisCache",
                "LOCATION": redis_url,
                "KEY_PREFIX": "bench",
            }
        }
    for name, config in caches.items():
        with override_settings(CACHES=config):

            def hit():
                ratelimit.hit(
                    "bench", "10.0.0.1", limit=10**9, window=3600, on_outage=ratelimit.Outage.ALLOW
                )

            hit()
            result[f"hit_us_{name}"] = round(_cpu_per_call(hit, calls) * 1e6, 1)
            from django.core.cache import cache  # lazy: cli

            cache.clear()
    return result


def memo_cost(calls: int) -> dict:
    plain, shared = ProcessCache("bench.plain"), ProcessCache("bench.shared", shared=True)
    for cache in (plain, shared):
        cache.set(1, "x")
    cpu = _rounds({"plain": lambda: plain.get(1), "shared": lambda: shared.get(1)}, calls)
    return {
        "get_us_unshared": round(cpu["plain"] * 1e6, 3),
        "get_us_shared": round(cpu["shared"] * 1e6, 3),
        "ratio": round(cpu["shared"] / cpu["plain"], 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument(
        "--redis", default=os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/5")
    )
    args = parser.parse_args()
    setup_test_environment()
    connection.creation.create_test_db(verbosity=0)
    report = {
        "page": page_overhead(args.requests),
        "ratelimit": ratelimit_cost(args.requests * 5, args.redis or None),
        "process_cache": memo_cost(args.requests * 50),
    }
    print(json.dumps(report, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
