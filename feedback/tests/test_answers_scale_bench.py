"""The pure parts of bench/answers_scale.py: the span and month bounds, the generation SQL, and
the partitioned variant of the answer's one statement (it must still follow the service's)."""

import datetime as dt
import importlib.util
import sys
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from feedback import services

ROOT = Path(__file__).resolve().parents[2]


def _bench():
    if "answers_scale" not in sys.modules:
        spec = importlib.util.spec_from_file_location(
            "answers_scale", ROOT / "bench" / "answers_scale.py"
        )
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules["answers_scale"] = module
        spec.loader.exec_module(module)
    return sys.modules["answers_scale"]


END = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)


def test_span_is_the_rows_at_the_monthly_rate():
    bench = _bench()
    span = bench.Span(rows=100_000_000, end=END)
    assert span.seconds == pytest.approx(2.5 * 30 * 86400)
    assert span.start == END - dt.timedelta(days=75)
    assert bench.Span(rows=8_000_000, end=END, per_month=8_000_000).seconds == 30 * 86400


def test_month_bounds_cover_the_span_and_the_next_month():
    bench = _bench()
    span = bench.Span(rows=100_000_000, end=END)
    bounds = bench.month_bounds(span.start, span.end)
    assert [f"{lo:%Y-%m}" for lo, _hi in bounds] == ["2026-09", "2026-10", "2026-11", "2026-12"]
    assert bounds[0][0] <= span.start and bounds[-2][1] > span.end
    for (_lo, hi), (next_lo, _next_hi) in zip(bounds, bounds[1:], strict=False):
        assert hi == next_lo  # no gap, no overlap
    assert bounds[-1] == (
        dt.datetime(2026, 12, 1, tzinfo=dt.UTC),
        dt.datetime(2027, 1, 1, tzinfo=dt.UTC),
    )
    assert "PARTITION OF feedback_response FOR VALUES FROM ('2026-09-01T00:00:00+00:00') TO " in (
        bench.partition_ddl(*bounds[0])
    )
    assert bench.partition_name(bounds[0][0]) == "feedback_response_202609"


def test_partitioned_statement_claims_the_submission_id_first():
    bench = _bench()
    sql = bench.partitioned_statement(services._one_statement_sql())
    assert "ON CONFLICT (submission)" not in sql  # needs a unique index without created_at
    assert "INSERT INTO feedback_submission" in sql
    assert sql.index("claimed AS") < sql.index("stored AS")
    assert "EXISTS (SELECT 1 FROM claimed)" in sql


def test_partitioned_statement_refuses_a_changed_service_statement():
    bench = _bench()
    with pytest.raises(AssertionError, match="service's statement changed"):
        bench.partitioned_statement("INSERT INTO feedback_response DEFAULT VALUES")


def test_generation_sql_has_every_column_and_parameter():
    bench = _bench()
    span = bench.Span(rows=1000, end=END, per_month=400)
    sql, params = bench.generation_sql(span, first=1, last=1000)
    assert params["first"] == 1 and params["last"] == 1000
    assert params["step"] == pytest.approx(span.seconds / 1000)
    assert params["hashes_from"] == END - dt.timedelta(days=bench.HASH_DAYS)
    for name in services._ANSWER_COLUMNS:
        assert name in sql
    assert "status, flag_reason" in sql


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the generation SQL is PostgreSQL's (CI runs it)"
)
@pytest.mark.django_db
def test_generation_sql_makes_realistic_rows_on_postgresql():
    from feedback.models import Response
    from service_points.tests.factories import PublishedPointFactory

    bench = _bench()
    point: Any = PublishedPointFactory()
    with connection.cursor() as c:
        c.execute(
            "CREATE TEMP TABLE bench_point AS SELECT g.n, %s::bigint AS point_id, "
            "%s::bigint AS agency_id, NULL::bigint AS service_id "
            "FROM generate_series(0, %s - 1) AS g(n)",
            [point.pk, point.agency_id, bench.POINTS],
        )
        span = bench.Span(rows=2000, end=END, per_month=800)
        sql, params = bench.generation_sql(span, first=1, last=2000)
        c.execute(sql, params)
    made = Response.objects.all()
    assert made.count() == 2000
    first, last = made.order_by("pk").first(), made.order_by("pk").last()
    assert first is not None and last is not None
    assert first.created_at == span.start
    assert span.start < last.created_at < END
    assert first.device_hash == "" and len(last.device_hash) == 64  # hashes: the last 31 days
    assert 0 < made.exclude(comment="").count() < 200  # about 3 %
    assert made.filter(submission__isnull=False).count() > 1200  # about 80 %
    assert set(made.values_list("status", flat=True)) <= {"accepted", "flagged"}
