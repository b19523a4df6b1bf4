"""The two staff queries that grew with the answers table, as they were and as they are, on
the table that `bench.answers_scale --keep` left (issue 19, docs/benchmarks.md):

    .venv/bin/python -m bench.answers_scale --keep --layouts plain
    .venv/bin/python -m bench.answers_staff_queries            # prints JSON

Old and new run in the same process on the same table, median of 5: the comments of the
busiest point and agency (`feedback_comments`: Count grouped over every comment of the point
before the LIMIT, against a reply count per shown comment) and the held-for-review count
(`feedback_held_count`, without and with the partial indexes of migration feedback.0006, which
are dropped and built again CONCURRENTLY here, and timed).
"""

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SERVER = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")


def _median_ms(call, times: int = 5) -> float:
    spent = []
    for _ in range(times):
        started = time.perf_counter()
        call()
        spent.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(spent), 2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", default="answers_scale")
    args = parser.parse_args()
    os.environ["DATABASE_URL"] = f"{SERVER}/{args.database}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "citizeninfo.settings.dev")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection
    from django.db.models import Count

    from agencies.models import Agency
    from feedback import selectors
    from feedback.models import Response
    from service_points.models import ServicePoint

    with connection.cursor() as cursor:  # bench.answers_scale's busiest and a median point
        cursor.execute(
            "SELECT point_id, agency_id FROM bench_point WHERE n IN (0, 20000) ORDER BY n"
        )
        (busy_point, busy_agency), (median_point, _agency) = cursor.fetchall()
    point = ServicePoint.objects.get(pk=busy_point)
    agency = Agency.objects.get(pk=busy_agency)
    median = ServicePoint.objects.get(pk=median_point)

    def old_comments(**where):
        return (
            Response.objects.exclude(comment="")
            .exclude(status=Response.Status.REJECTED)
            .filter(**where)
            .select_related("point", "service")
            .annotate(reply_count=Count("replies"))
            .order_by("-created_at", "-pk")[:100]
        )

    def old_held(**where):
        return Response.objects.filter(status=Response.Status.FLAGGED, **where).count()

    found: dict = {}
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM feedback_response WHERE point_id = %s", [point.pk])
        found["busiest point's answers"] = cursor.fetchone()[0]
    same = [(c.pk, c.reply_count) for c in old_comments(point=point)]
    assert same == [(c.pk, c.reply_count) for c in selectors.feedback_comments(point=point)]
    for label, where in (("busiest point", {"point": point}), ("busiest agency", {"agency": agency}),
                         ("median point", {"point": median})):  # fmt: skip
        found[f"comments, {label}: as it was (ms)"] = _median_ms(
            lambda w=where: list(old_comments(**w))
        )
        found[f"comments, {label}: now (ms)"] = _median_ms(
            lambda w=where: list(selectors.feedback_comments(**w))
        )
    with connection.cursor() as cursor:
        for name in ("fb_held_point", "fb_held_agency"):
            cursor.execute(f"DROP INDEX IF EXISTS {name}")
    found["held, busiest point: without the indexes (ms)"] = _median_ms(
        lambda: old_held(point=point), 3
    )
    found["held, busiest agency: without the indexes (ms)"] = _median_ms(
        lambda: old_held(agency=agency), 3
    )
    with connection.cursor() as cursor:
        for name, column in (("fb_held_point", "point_id"), ("fb_held_agency", "agency_id")):
            started = time.perf_counter()
            cursor.execute(
                f"CREATE INDEX CONCURRENTLY {name} ON feedback_response ({column}) "  # noqa: S608
                "WHERE status = 'flagged'"
            )
            found[f"CREATE INDEX CONCURRENTLY {name} (s)"] = round(time.perf_counter() - started, 1)
            cursor.execute("SELECT pg_size_pretty(pg_relation_size(%s))", [name])
            found[f"{name} size"] = cursor.fetchone()[0]
        cursor.execute("ANALYZE feedback_response")
    found["held, busiest point: now (ms)"] = _median_ms(
        lambda: selectors.feedback_held_count(point=point)
    )
    found["held, busiest agency: now (ms)"] = _median_ms(
        lambda: selectors.feedback_held_count(agency=agency)
    )
    print(json.dumps(found, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
