"""Progress dashboard at national scale: 10,000 agencies, 40,000 service points,
2,000,000 Citizen's Manual processes (services), on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/progressbench \\
        .venv/bin/python -m bench.progress_dashboard [--processes 2000000] [--runs 40]

The scratch database is made by the test runner's machinery (`test_` + the name) and dropped
at the end. Pages are requested through Django's test client (the whole server stack:
middleware, view, template), timed in the process, with their query counts. The baseline,
measured in the same run, is counting the 2,000,000 processes live on each request (what
the per-agency tallies of ADR 0060 avoid).
"""

import argparse
import datetime as dt
import os
import platform
import random
import statistics
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "citizeninfo.settings.test")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/progressbench")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

MINISTRIES, INDEPENDENT, DEPARTMENTS, AGENCIES = 20, 10, 970, 10_000
POINTS, REGISTERED, SURVEYED = 40_000, 7_000, 5_000
PROVINCES = None


def p95(samples):
    return statistics.quantiles(samples, n=20)[18] if len(samples) >= 20 else max(samples)


def copy_rows(table: str, columns: list[str], rows) -> None:
    with connection.cursor() as cursor:
        raw = cursor.cursor
        with raw.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)


def generate(n_processes: int) -> dict:
    import geothai
    from django.utils import timezone

    from accounts.models import Registration, User
    from agencies.models import Agency
    from readiness.models import SurveyResponse, SurveyRound
    from service_points.models import ServicePoint

    rng = random.Random(42)
    now = timezone.now()
    t = time.perf_counter()
    top = [
        Agency(code=f"m{i}", kind="ministry", name_th=f"กระทรวงทดสอบ {i}")
        for i in range(MINISTRIES)
    ]
    top += [
        Agency(code=f"i{i}", kind="independent", name_th=f"หน่วยงานอิสระ {i}")
        for i in range(INDEPENDENT)
    ]
    Agency.objects.bulk_create(top)
    top = list(Agency.objects.order_by("pk"))
    departments = []
    for i in range(DEPARTMENTS):
        parent = top[i % len(top)]
        departments.append(
            Agency(
                code=f"d{i}",
                kind="department",
                parent=parent,
                ministry=parent,
                name_th=f"กรมทดสอบ {i}",
            )
        )
    Agency.objects.bulk_create(departments, batch_size=5000)
    departments = list(Agency.objects.filter(kind="department").order_by("pk"))
    units = []
    for i in range(AGENCIES - len(top) - len(departments)):
        parent = departments[i % len(departments)]
        units.append(
            Agency(
                code=f"u{i}",
                kind="unit",
                parent=parent,
                ministry_id=parent.ministry_id,
                name_th=f"สำนักงานทดสอบ {i}",
            )
        )
    Agency.objects.bulk_create(units, batch_size=5000)
    ids = list(Agency.objects.values_list("pk", flat=True))
    users = [
        User(username=f"u{i}@x.go.th", email=f"u{i}@x.go.th", password="!", agency_id=a)
        for i, a in enumerate(rng.sample(ids, REGISTERED))
    ]
    User.objects.bulk_create(users, batch_size=5000)
    Registration.objects.bulk_create(
        [
            Registration(
                agency_id=u.agency_id,
                user=u,
                first_name="ก",
                last_name="ข",
                email=u.email,
                phone="0812345678",
                status="activated",
            )
            for u in User.objects.filter(agency__isnull=False)
        ],
        batch_size=5000,
    )
    provinces = [p.code for p in geothai.provinces()]
    ServicePoint.objects.bulk_create(
        [
            ServicePoint(
                agency_id=rng.choice(ids),
                name_th=f"จุด {i}",
                name_en=f"P{i}",
                province_code=rng.choice(provinces),
                district_code="1001",
                subdistrict_code="100101",
                postcode="10200",
                latitude=13.75,
                longitude=100.5,
                phone="021234567",
                status="published" if rng.random() < 0.9 else "draft",
                published_at=now,
            )
            for i in range(POINTS)
        ],
        batch_size=5000,
    )
    round_ = SurveyRound.objects.create(
        name_th="รอบ 1", opens_on=dt.date(2018, 5, 7), closes_on=dt.date(2018, 5, 31)
    )
    choice = ["yes", "no", "developing", ""]
    SurveyResponse.objects.bulk_create(
        [
            SurveyResponse(
                round=round_,
                agency_id=a,
                status="submitted",
                submitted_at=now,
                q1_system=rng.choice(choice),
                q5_mou=rng.choice(["yes", "no", "not_sure"]),
                q6_linkage=rng.choice(["linked", "not_yet", "in_progress"]),
            )
            for a in rng.sample(ids, SURVEYED)
        ],
        batch_size=5000,
    )
    print(f"agencies, people, points, surveys: {time.perf_counter() - t:.0f} s")

    # 2,000,000 processes with COPY; 40 % ask for an ID-card copy, 25 % for a house
    # registration copy; 15 % of the others dropped the ID-card copy in a published version.
    t = time.perf_counter()
    columns = [
        "agency_id",
        "code",
        "name_th",
        "name_en",
        "category",
        "keywords",
        "description",
        "legal_basis",
        "criteria",
        "no_fee",
        "complaint_channels",
        "notes",
        "status",
        "has_unpublished_changes",
        "listed_name_th",
        "listed_name_en",
        "listed_category",
        "listed_provinces",
        "search_text",
        "total_duration_unit",
        "created_at",
        "updated_at",
    ]
    status = ["published"] * 8 + ["draft", "archived"]
    copy_rows(
        "manual_service",
        columns,
        (
            (
                ids[i % len(ids)],
                f"s{i}",
                f"กระบวนงาน {i}",
                "",
                "other",
                "",
                "",
                "",
                "",
                False,
                "",
                "",
                status[i % 10],
                False,
                "",
                "",
                "",
                "",
                "",
                "",
                now,
                now,
            )
            for i in range(n_processes)
        ),
    )
    first = connection.cursor()
    first.execute("SELECT min(id) FROM manual_service")
    base = first.fetchone()[0]
    doc_cols = [
        "service_id",
        "position",
        "name",
        "form",
        "count",
        "issuing_agency",
        "is_id_card_copy",
        "is_house_registration_copy",
        "note",
    ]

    def documents():
        r = random.Random(7)
        for i in range(n_processes):
            x = r.random()
            if x < 0.40:
                yield (base + i, 0, "สำเนาบัตรประจำตัวประชาชน", "copy", 1, "", True, False, "")
            if x < 0.25 or 0.9 < x:
                yield (base + i, 1, "สำเนาทะเบียนบ้าน", "copy", 1, "", False, True, "")

    copy_rows("manual_requireddocument", doc_cols, documents())
    version_cols = ["service_id", "number", "published_at", "snapshot", "changes"]
    copy_rows(
        "manual_serviceversion",
        version_cols,
        (
            (base + i, 2, now, "{}", '{"id_card_copy": "stopped"}')
            for i in range(n_processes)
            if 0.40 <= (i * 7919 % 1000) / 1000 < 0.55
        ),
    )
    with connection.cursor() as c:
        c.execute("ANALYZE")
    print(f"{n_processes} processes (COPY): {time.perf_counter() - t:.0f} s")
    return {
        "ministry": top[0],
        "department": departments[0],
        "unit": Agency.objects.filter(kind="unit").first(),
        "province": provinces[0],
    }


def measure(client, url: str, runs: int) -> tuple[float, float, int]:
    client.get(url)  # warm
    samples, queries = [], 0
    for _ in range(runs):
        with CaptureQueriesContext(connection) as ctx:
            t = time.perf_counter()
            response = client.get(url)
            samples.append((time.perf_counter() - t) * 1000)
        assert response.status_code == 200, (url, response.status_code)
        queries = len(ctx.captured_queries)
    if os.environ.get("BENCH_SLOW_QUERIES"):
        for q in sorted(ctx.captured_queries, key=lambda q: -float(q["time"]))[:2]:
            print(f"    {float(q['time']) * 1000:.0f} ms  {q['sql'][:300]}")
    return p95(samples), statistics.median(samples), queries


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--processes", type=int, default=2_000_000)
    parser.add_argument("--runs", type=int, default=40)
    args = parser.parse_args()
    from django.test import Client
    from django.test.utils import setup_databases, teardown_databases
    from django.urls import reverse

    print(
        f"{dt.date.today().isoformat()} · {platform.node()} · {os.cpu_count()} cores · "
        f"Python {sys.version.split()[0]} · {connection.vendor}"
    )
    old = setup_databases(verbosity=0, interactive=False)
    try:
        with connection.cursor() as c:
            c.execute("SHOW server_version")
            print(f"PostgreSQL {c.fetchone()[0]}")
        where = generate(args.processes)
        from accounts.tests.factories import OverseerFactory
        from progress import sources
        from progress.services import process_tally_refresh

        t = time.perf_counter()
        process_tally_refresh(agency_ids=None)
        print(f"full tally rebuild (progress_refresh): {time.perf_counter() - t:.1f} s")
        t = time.perf_counter()
        process_tally_refresh(agency_ids=[where["unit"].pk])
        print(f"one agency's tally after a change: {(time.perf_counter() - t) * 1000:.1f} ms")
        client = Client()
        client.force_login(OverseerFactory())
        pages = [
            ("national dashboard", reverse("progress:dashboard")),
            ("ministry drill-down", reverse("progress:group", args=[where["ministry"].code])),
            ("department drill-down", reverse("progress:group", args=[where["department"].code])),
            ("unit (agency page)", reverse("progress:agency", args=[where["unit"].code])),
            ("provinces", reverse("progress:provinces")),
            ("one province", reverse("progress:province", args=[where["province"]])),
            ("public page", reverse("progress:public")),
        ]
        print(f"\n{'page':24} {'p95 ms':>8} {'median':>8} {'queries':>8}")
        for name, url in pages:
            p, m, q = measure(client, url, args.runs)
            print(f"{name:24} {p:8.1f} {m:8.1f} {q:8d}")
        samples = []
        for _ in range(5):
            t = time.perf_counter()
            sources.process_counts(agency_ids=None)
            samples.append((time.perf_counter() - t) * 1000)
        print(
            f"\nbaseline: counting {args.processes} processes live per request: "
            f"median {statistics.median(samples):.0f} ms, max {max(samples):.0f} ms (5 runs)"
        )
    finally:
        teardown_databases(old, verbosity=0)


if __name__ == "__main__":
    main()
