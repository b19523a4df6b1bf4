"""Complaints at national scale: 2,000,000 complaints on PostgreSQL (Traffy Fondue's
1.37 M a year, and more).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/h12_bench \\
        .venv/bin/python -m bench.complaints_bench [--complaints 2000000] [--runs 60] [--keepdb]

The scratch database is made by the test runner's machinery (`test_` + the name) and dropped
at the end; with `--keepdb` it is kept, and a later run with `--keepdb` reuses its rows
(generation is skipped when it holds complaints) and puts back the indexes the baseline drops. Rows are generated inside PostgreSQL (generate_series). Each measure runs the
project's own code (the view through Django's test client, or the selector), timed in this
process: the public list and map filtered by province and state, an agency's queue, the
Open311 `requests.json` default query, an agency's figures, and filing through
`complaint_submit`. The baseline is the same measures in the same run after dropping the
complaints' own indexes (what the app adds beyond Django's foreign-key indexes).
"""

import argparse
import datetime as dt
import os
import platform
import random
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "citizeninfo.settings.test")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/h12_bench")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402

OWN_INDEXES = [
    "complaints_agency_queue",
    "complaints_public",  # before ADR 0101's covering index; dropped if a kept database has it
    "complaints_public_cover",
    "complaints_newest",
    "complaints_public_open",
    "complaints_place",
    "complaints_device",
    "complaints_network",
]
AGENCIES = 2000


def p95(samples):
    return statistics.quantiles(samples, n=20)[18] if len(samples) >= 20 else max(samples)


def generate(n: int) -> dict:
    from agencies.models import Agency
    from complaints.models import Category, Complaint, ComplaintEvent
    from complaints.tests.factories import load_categories
    from service_points.divisions import province_choices

    t = time.perf_counter()
    load_categories()
    Agency.objects.bulk_create(
        [
            Agency(code=f"b{i}", kind="department", name_th=f"หน่วยงานทดสอบ {i}")
            for i in range(AGENCIES)
        ]
    )
    agency_ids = list(Agency.objects.order_by("pk").values_list("pk", flat=True))
    category_ids = list(Category.objects.values_list("pk", flat=True))
    provinces = [code for code, _ in province_choices()]
    table = Complaint._meta.db_table
    states = [s for s in Complaint.State.values]
    # State mix like a mature system: most fixed or closed, a fifth still open.
    weights = "ARRAY['fixed','fixed','fixed','fixed','fixed','fixed','no_further_action','not_responsible','duplicate','received','confirmed','in_progress','action_scheduled','fixed','fixed','fixed','received','in_progress','fixed','fixed']"
    with connection.cursor() as c:
        c.execute(
            f"""
            INSERT INTO {table} (reference, follow_token, category_id, agency_id, routing,
                description, description_public, latitude, longitude, province_code,
                reporter_name, name_public, reporter_email, reporter_phone, state, deadline,
                created_at, state_changed_at, fixed_at, reopen_count, supporters, text_hidden,
                held, source, device_hash, network_hash)
            SELECT 'CR-' || (2568 + (g %% 2)) || '-' || lpad(g::text, 7, '0'),
                md5(g::text) || md5((g * 7)::text),
                (%(categories)s::int[])[1 + g %% array_length(%(categories)s::int[], 1)],
                (%(agencies)s::int[])[1 + floor(random() * array_length(%(agencies)s::int[], 1))::int],
                'route', 'ถนนชำรุด', 'ถนนชำรุด',
                6 + random() * 14, 98 + random() * 7,
                (%(provinces)s::text[])[1 + (g * 31) %% array_length(%(provinces)s::text[], 1)],
                '', false, 'x@example.com', '',
                s.state,
                (t.created + interval '21 days')::date,
                t.created, t.created + interval '3 days',
                CASE WHEN s.state = 'fixed' THEN t.created + (random() * 20) * interval '1 day' END,
                (g %% 17 = 0)::int, g %% 5, false, false, 'web', '', ''
            FROM generate_series(1, %(n)s) AS g
            CROSS JOIN LATERAL (SELECT now() - (random() * 700 + 0 * g) * interval '1 day' AS created) t
            CROSS JOIN LATERAL (SELECT ({weights})[1 + floor(random() * 20)::int + 0 * g] AS state) s
            """,
            {
                "categories": category_ids,
                "agencies": agency_ids,
                "provinces": provinces,
                "n": n,
            },
        )
        events = ComplaintEvent._meta.db_table
        c.execute(
            f"""
            INSERT INTO {events} (complaint_id, kind, state_from, state_to, note, internal,
                created_at)
            SELECT id, 'state', 'received', state, 'ดำเนินการแล้ว', false, state_changed_at
            FROM {table} WHERE state <> 'received'
            """
        )
        c.execute(f"VACUUM ANALYZE {table}")
        c.execute(f"VACUUM ANALYZE {events}")
    print(f"generated {n:,} complaints in {time.perf_counter() - t:.0f} s")
    assert states
    busiest = (
        Complaint.objects.filter(agency__isnull=False)  # the fallback queue has no agency
        .values("agency_id")
        .annotate(n=django.db.models.Count("pk"))
        .order_by("-n")
        .first()
    )
    recent = Complaint.objects.filter(
        created_at__gte=django.utils.timezone.now() - dt.timedelta(days=90)
    ).count()
    print(f"complaints in the last 90 days: {recent:,} (Open311's default window)")
    return {
        "provinces": provinces,
        "agency": Agency.objects.get(pk=busiest["agency_id"]),
        "recent": recent,
    }


def restore_indexes() -> None:
    """Puts back the app's indexes that an earlier baseline dropped (a kept database)."""
    from complaints.models import Complaint

    with connection.cursor() as c:
        c.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = %s", [Complaint._meta.db_table]
        )
        present = {row[0] for row in c.fetchall()}
    with connection.schema_editor() as editor:
        for index in Complaint._meta.indexes:
            if index.name in OWN_INDEXES and index.name not in present:
                editor.add_index(Complaint, index)
    with connection.cursor() as c:
        # As autovacuum would: the visibility map lets the covering index answer alone.
        c.execute(f"VACUUM ANALYZE {Complaint._meta.db_table}")


def reuse() -> dict | None:
    """The kept database's figures, or None when it holds no complaints yet."""
    from agencies.models import Agency
    from complaints.models import Complaint
    from service_points.divisions import province_choices

    busiest = (
        Complaint.objects.filter(agency__isnull=False)  # the fallback queue has no agency
        .values("agency_id")
        .annotate(n=django.db.models.Count("pk"))
        .order_by("-n")
        .first()
    )
    if busiest is None:
        return None
    recent = Complaint.objects.filter(
        created_at__gte=django.utils.timezone.now() - dt.timedelta(days=90)
    ).count()
    print(f"reusing the kept database; {recent:,} complaints in the last 90 days")
    return {
        "provinces": [code for code, _ in province_choices()],
        "agency": Agency.objects.get(pk=busiest["agency_id"]),
        "recent": recent,
    }


def _backend_ticks() -> int:
    """CPU ticks used so far by this connection's PostgreSQL backend."""
    with connection.cursor() as c:
        c.execute("SELECT pg_backend_pid()")
        pid = c.fetchone()[0]
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def timed(fn, runs: int) -> tuple[float, float, float]:
    """(p95 ms, median ms, CPU ms per call: this process and its PostgreSQL backend). The CPU
    figure holds on a busy machine, where waiting for a core inflates the wall clock."""
    fn()  # warm
    samples = []
    cpu, ticks = time.process_time(), _backend_ticks()
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t) * 1000)
    used = time.process_time() - cpu + (_backend_ticks() - ticks) / os.sysconf("SC_CLK_TCK")
    return p95(samples), statistics.median(samples), 1000 * used / runs


def measures(client, where: dict, runs: int) -> dict[str, tuple[float, float, float]]:
    from complaints import selectors

    rng = random.Random(7)
    provinces = where["provinces"]
    agency = where["agency"]

    def public_list():
        p = rng.choice(provinces)
        r = client.get(f"/complaints/?province={p}&state=open")
        assert r.status_code == 200

    def public_list_all():
        # The list as the home page links it: no filter (a capped count, ADR 0103).
        r = client.get("/complaints/")
        assert r.status_code == 200

    # Page 41 of a province's list: the keyset anchor 2,000 complaints in, found once.
    deep = {
        p: selectors.public_complaints(province_code=p)
        .order_by("-created_at", "-pk")
        .values_list("pk", flat=True)[2000 - 1]
        for p in provinces[:10]
    }

    def public_list_deep():
        p = rng.choice(list(deep))
        r = client.get(f"/complaints/?province={p}&after={deep[p]}")
        assert r.status_code == 200 and b"CR-" in r.content

    def public_map():
        p = rng.choice(provinces)
        r = client.get(f"/complaints/map.geojson?province={p}&state=in_progress")
        assert r.status_code == 200

    def public_map_all():
        r = client.get("/complaints/map.geojson")
        assert r.status_code == 200

    def queue():
        page = list(selectors.queue(agency=agency, state="open")[:50])
        selectors.queue(agency=agency, state="open").count()
        assert page

    def open311():
        r = client.get("/open311/v2/requests.json")
        assert r.status_code == 200
        # The first pass reads the generated rows; the baseline pass also sees the filings
        # that the submission measure added.
        assert len(r.json()) >= min(1000, where["recent"])

    def open311_xml():
        r = client.get("/open311/v2/requests.xml")
        assert r.status_code == 200

    def agency_figures():
        selectors._figures(agency=agency)

    return {
        "public list, province + open (page)": timed(public_list, runs),
        "public list, no filter (page, count capped)": timed(public_list_all, max(10, runs // 3)),
        "public list, province, page 41 (keyset)": timed(public_list_deep, max(10, runs // 3)),
        "public map data, province + state": timed(public_map, runs),
        "public map data, no filter (newest 2,000)": timed(public_map_all, max(10, runs // 3)),
        "agency queue (open, first 50 + count)": timed(queue, runs),
        "Open311 requests.json default (90 days, 1,000 rows)": timed(open311, max(10, runs // 4)),
        "Open311 requests.xml default": timed(open311_xml, max(10, runs // 4)),
        "agency figures": timed(agency_figures, runs),
    }


def submissions(seconds: float = 10.0) -> float:
    from complaints import services
    from complaints.tests.factories import category

    road = category("road")
    n, t = 0, time.perf_counter()
    while time.perf_counter() - t < seconds:
        services.complaint_submit(
            category=road,
            description="ไฟฟ้าดับ",
            latitude=13.75 + random.random() / 100,
            longitude=100.5 + random.random() / 100,
        )
        n += 1
    return n / (time.perf_counter() - t)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--complaints", type=int, default=2_000_000)
    parser.add_argument("--runs", type=int, default=60)
    parser.add_argument("--keepdb", action="store_true", help="keep and reuse the scratch database")
    args = parser.parse_args()
    from django.test import Client
    from django.test.utils import setup_databases, teardown_databases

    print(
        f"{dt.datetime.now(dt.UTC).isoformat(timespec='minutes')} · {platform.node()} · "
        f"{os.cpu_count()} cores · Python {sys.version.split()[0]} · {connection.vendor}"
    )
    # No serialised copy of the rows (that is for TransactionTestCase; millions here).
    old = setup_databases(verbosity=0, interactive=False, keepdb=args.keepdb, serialized_aliases=[])
    try:
        with connection.cursor() as c:
            c.execute("SHOW server_version")
            print(f"PostgreSQL {c.fetchone()[0]}")
        restore_indexes()
        where = reuse() if args.keepdb else None
        where = where or generate(args.complaints)
        client = Client()
        ours = measures(client, where, args.runs)
        rate = submissions()
        with connection.cursor() as c:
            for name in OWN_INDEXES:
                c.execute(f"DROP INDEX IF EXISTS {name}")
            c.execute("VACUUM ANALYZE complaints_complaint")
        base = measures(client, where, args.runs)
        print(
            f"\n{'measure':52} {'p95 ms':>7} {'median':>7} {'CPU ms':>7} "
            f"{'base p95':>9} {'base CPU':>9} {'CPU ratio':>9}"
        )
        for name, (p, m, cpu) in ours.items():
            bp, _bm, bcpu = base[name]
            print(
                f"{name:52} {p:7.1f} {m:7.1f} {cpu:7.2f} {bp:9.1f} {bcpu:9.2f} "
                f"{bcpu / max(cpu, 0.01):9.1f}"
            )
        print(f"\ncomplaint_submit in one process (routing, deadline, reference): {rate:.0f}/s")
    finally:
        if args.keepdb:
            restore_indexes()
        else:
            teardown_databases(old, verbosity=0)


if __name__ == "__main__":
    main()
