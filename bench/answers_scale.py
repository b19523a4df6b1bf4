"""The answers table (`feedback.models.Response`) at national size: plain, or partitioned by month?

    nice -n 10 ionice -c3 .venv/bin/python -m bench.answers_scale            # 100 M rows, hours
    .venv/bin/python -m bench.answers_scale --rows 1000000                   # a quick loop

On PostgreSQL, in a scratch database (`answers_scale`, dropped and made again, dropped at the
end unless --keep), with the project's real schema (`manage.py migrate`), 2,000 agencies,
40,000 published points and one service per agency. The answers are generated INSIDE
PostgreSQL (INSERT … SELECT from generate_series, in chunks), at 40 M a month (one answer per
service-point visit) ending now, so --rows decides how many months the table spans. Points are
skewed (a few offices get most answers), 3 % leave a comment, 1 % contact details, 2 % are held
for review, 80 % carry the phone-made submission id, and the device and network hashes are
kept for the last 31 days (the nightly job blanks the 31st). The per-day sums (`PointDay`) are
computed from the answers, so the pages' selectors read a table of the real size.

Each layout is loaded, indexed and vacuumed, measured, and dropped before the next one is
loaded (disk):

- plain: the table exactly as the migrations make it;
- partitioned: the same columns `PARTITION BY RANGE (created_at)`, one partition a month,
  primary key (id, created_at). PostgreSQL cannot have a unique index without the partition
  key, so the submission id's uniqueness (ADR 0091) moves to a small side table
  (`feedback_submission`, kept for the days a phone may resend) and the insert statement
  claims the id there first; the reply's foreign key to the answer cannot reference `id`
  alone and is dropped.

Measured for each, in the same run: (a) the answer's insert path, the service's one statement
(`feedback.services._one_statement_sql`, prepared, one transaction each, new devices and
networks on random points), rate and CPU per insert (the server backend's, from /proc); (b) a
point's and an agency's report for last month through the selectors the pages use;
(c) the nightly `response_forget_hashes`; (e) VACUUM (ANALYZE) after it; (f) table and index
sizes; (d) retention, removing the oldest month: DELETE vs DETACH + DROP. Printed as a table
with the ratio partitioned ÷ plain; --json writes the figures to a file.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg

ROOT = Path(__file__).resolve().parent.parent
SERVER = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
PER_MONTH = 40_000_000
POINTS = 40_000
AGENCIES = 2_000
HASH_DAYS = 31
CHUNK = 2_000_000
TABLE = "feedback_response"
COMMENT = "บริการดี เจ้าหน้าที่สุภาพ รอคิวไม่นาน แต่ที่จอดรถน้อยไปหน่อย"


# --- pure parts (tested in feedback/tests/test_answers_scale.py) --------------------------------
@dataclass(frozen=True)
class Span:
    """The time the generated answers cover: `rows` answers at `per_month`, ending at `end`."""

    rows: int
    end: dt.datetime
    per_month: int = PER_MONTH

    @property
    def seconds(self) -> float:
        return self.rows / self.per_month * 30 * 86400

    @property
    def start(self) -> dt.datetime:
        return self.end - dt.timedelta(seconds=self.seconds)


def month_bounds(start: dt.datetime, end: dt.datetime) -> list[tuple[dt.datetime, dt.datetime]]:
    """Calendar months (UTC) covering [start, end], plus the next one (inserts go there)."""
    first = dt.datetime(start.year, start.month, 1, tzinfo=dt.UTC)
    bounds: list[tuple[dt.datetime, dt.datetime]] = []
    lo = first
    while lo <= end or len(bounds) < 1:
        hi = (lo + dt.timedelta(days=32)).replace(day=1)
        bounds.append((lo, hi))
        lo = hi
    bounds.append((lo, (lo + dt.timedelta(days=32)).replace(day=1)))
    return bounds


def partition_name(lo: dt.datetime) -> str:
    return f"{TABLE}_{lo:%Y%m}"


def partition_ddl(lo: dt.datetime, hi: dt.datetime) -> str:
    return (
        f"CREATE TABLE {partition_name(lo)} PARTITION OF {TABLE} "
        f"FOR VALUES FROM ('{lo.isoformat()}') TO ('{hi.isoformat()}')"
    )


def generation_sql(span: Span, *, first: int, last: int) -> tuple[str, dict]:
    """Answers `first`..`last` (ids; id order is time order, as appends are). `bench_point`
    maps 0..POINTS-1 to a real point, its agency and its agency's service."""
    columns = (
        "id, point_id, agency_id, service_id, service_other, overall, process, staff, "
        "facilities, outcome, asked_for_copy, comment, contact_name, contact_email, "
        "contact_phone, status, flag_reason, device_hash, network_hash, created_at, submission"
    )
    score = "(ARRAY[1,2,3,3,4,4,4,5,5,5])[1 + floor(random() * 10)::int]"
    sql = f"""
INSERT INTO {TABLE} ({columns})
SELECT g.i, bp.point_id, bp.agency_id,
  CASE WHEN g.r1 < 0.1 THEN NULL ELSE bp.service_id END,
  CASE WHEN g.r1 < 0.1 THEN 'อื่น ๆ' ELSE '' END,
  {score}, {score}, {score}, {score}, {score},
  g.r2 < 0.1,
  CASE WHEN g.r2 > 0.97 THEN %(comment)s ELSE '' END,
  CASE WHEN g.r3 < 0.01 THEN 'สมชาย ใจดี' ELSE '' END,
  CASE WHEN g.r3 < 0.01 THEN 'citizen' || g.i || '@example.org' ELSE '' END,
  CASE WHEN g.r3 < 0.01 THEN '08' || lpad((g.i %% 100000000)::text, 8, '0') ELSE '' END,
  CASE WHEN g.r3 > 0.98 THEN 'flagged' ELSE 'accepted' END,
  CASE WHEN g.r3 > 0.98 THEN 'duplicate' ELSE '' END,
  CASE WHEN g.at >= %(hashes_from)s THEN md5(g.i::text) || md5((g.i + 1)::text) ELSE '' END,
  CASE WHEN g.at >= %(hashes_from)s
    THEN md5((g.i %% 700000)::text) || md5('n' || (g.i %% 700000)::text) ELSE '' END,
  g.at,
  CASE WHEN g.r1 > 0.2 THEN gen_random_uuid() END
FROM (
  SELECT i, floor(%(points)s * power(random(), 2))::int AS n,
    %(start)s::timestamptz + (i - 1) * %(step)s * interval '1 second' AS at,
    random() AS r1, random() AS r2, random() AS r3
  FROM generate_series(%(first)s::bigint, %(last)s::bigint) AS i
) AS g JOIN bench_point bp ON bp.n = g.n
"""  # noqa: S608 - names are constants; values are parameters
    params = {
        "comment": COMMENT,
        "hashes_from": span.end - dt.timedelta(days=HASH_DAYS),
        "points": POINTS,
        "start": span.start,
        "step": span.seconds / span.rows,
        "first": first,
        "last": last,
    }
    return sql, params


def partitioned_statement(sql: str) -> str:
    """The service's statement for the partitioned table: the submission id is claimed in
    `feedback_submission` first (its primary key), the answer only stored if the claim won."""
    conflict = "ON CONFLICT (submission) WHERE submission IS NOT NULL DO NOTHING"
    assert conflict in sql, "the service's statement changed: update the partitioned variant"
    sql = sql.replace(conflict, "")
    sql = sql.replace(
        "FROM decided WHERE reason <> ",
        "FROM decided WHERE (%(submission)s::uuid IS NULL OR EXISTS (SELECT 1 FROM claimed))"
        " AND reason <> ",
    )
    sql = sql.replace(
        "), stored AS (",
        "), claimed AS (\n  INSERT INTO feedback_submission (submission, created_at) "
        "SELECT %(submission)s, %(created_at)s FROM decided "
        "WHERE %(submission)s::uuid IS NOT NULL AND reason <> 'refused' "
        "ON CONFLICT DO NOTHING RETURNING submission\n), stored AS (",
        1,
    )
    return sql


# --- measuring ---------------------------------------------------------------------------------
def backend_cpu(pid: int) -> float:
    """CPU seconds (user + system) a PostgreSQL backend has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class Timer:
    """Wall, client CPU and server-backend CPU of one block."""

    pid: int
    wall: float = 0.0
    cpu: float = 0.0
    server_cpu: float = 0.0
    load: float = 0.0
    _t: tuple = field(default=(), repr=False)

    def __enter__(self) -> Timer:
        self._t = (time.perf_counter(), time.thread_time(), backend_cpu(self.pid))
        return self

    def __exit__(self, *exc) -> None:
        wall, cpu, server = self._t
        self.wall = time.perf_counter() - wall
        self.cpu = time.thread_time() - cpu
        self.server_cpu = backend_cpu(self.pid) - server
        self.load = os.getloadavg()[0]

    def as_dict(self) -> dict:
        return {
            "wall_s": round(self.wall, 4),
            "client_cpu_s": round(self.cpu, 4),
            "server_cpu_s": round(self.server_cpu, 4),
            "load": round(self.load, 2),
        }


def log(message: str) -> None:
    print(f"{dt.datetime.now(dt.UTC):%H:%M:%S} {message}", flush=True)


def nice_backend(conn) -> int:
    """The load runs inside the server: lower that backend's priority (CPU and disk)."""
    pid = conn.info.backend_pid
    subprocess.run(["renice", "-n", "10", "-p", str(pid)], capture_output=True, check=False)
    subprocess.run(["ionice", "-c3", "-p", str(pid)], capture_output=True, check=False)
    return pid


# --- the scratch database ----------------------------------------------------------------------
def make_database(name: str) -> str:
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    url = f"{SERVER}/{name}"
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "citizeninfo.settings.dev"}
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
    )
    return url


def drop_database(name: str) -> None:
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def seed_points() -> None:
    """2,000 agencies, 40,000 published points (the service-points benchmark's generator),
    one published service per agency, and `bench_point` numbering them for the generator."""
    from django.db import connection

    from agencies.models import Agency
    from bench.service_points_bench import generate
    from manual.models import Service

    Agency.objects.bulk_create(
        [Agency(code=f"a{i}", kind="department", name_th=f"หน่วยงาน {i}") for i in range(AGENCIES)]
    )
    agencies = list(Agency.objects.order_by("pk"))
    generate(POINTS, agencies)
    Service.objects.bulk_create(
        [
            Service(
                agency=a,
                code=f"s{a.pk}",
                name_th=f"บริการ {a.pk}",
                category=Service.Category.choices[0][0],
                status=Service.Status.PUBLISHED,
            )
            for a in agencies
        ]
    )
    with connection.cursor() as c:
        c.execute(
            "CREATE TABLE bench_point AS SELECT (row_number() OVER (ORDER BY p.id) - 1)::int AS n,"
            " p.id AS point_id, p.agency_id, s.id AS service_id"
            " FROM service_points_servicepoint p JOIN manual_service s ON s.agency_id = p.agency_id"
        )
        c.execute("ALTER TABLE bench_point ADD PRIMARY KEY (n)")
        c.execute("ANALYZE")


# --- layouts -----------------------------------------------------------------------------------
def table_definition(conn) -> tuple[list[str], list[str]]:
    """The migrations' indexes and constraints on the answers table (recreated after loading)."""
    indexes = [
        r[0]
        for r in conn.execute(
            "SELECT indexdef FROM pg_indexes WHERE tablename = %s "
            "AND indexname NOT IN (SELECT conname FROM pg_constraint)",
            [TABLE],
        )
    ]
    fks = [
        f"ALTER TABLE {TABLE} ADD CONSTRAINT {name} {definition}"
        for name, definition in conn.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype = 'f'",
            [TABLE],
        )
    ]
    return indexes, fks


def prepare_plain(conn) -> dict:
    """Empty the migrated table and take off its indexes and foreign keys for the load."""
    indexes, fks = table_definition(conn)
    conn.execute(f"TRUNCATE {TABLE} CASCADE")
    for name in [
        r[0]
        for r in conn.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = %s "
            "AND indexname NOT IN (SELECT conname FROM pg_constraint)",
            [TABLE],
        )
    ]:
        conn.execute(f'DROP INDEX "{name}"')
    for (name,) in conn.execute(
        "SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass AND contype IN ('f', 'u')",
        [TABLE],
    ).fetchall():
        conn.execute(f'ALTER TABLE {TABLE} DROP CONSTRAINT "{name}"')
    return {"indexes": indexes, "fks": fks}


def prepare_partitioned(conn, bounds, definition: dict) -> dict:
    """The same columns, partitioned by month; indexes made on the parent after loading."""
    conn.execute(f"ALTER TABLE feedback_reply DROP CONSTRAINT IF EXISTS {_reply_fk(conn)}")
    conn.execute(f"ALTER TABLE {TABLE} RENAME TO {TABLE}_template")
    conn.execute(
        f"CREATE TABLE {TABLE} (LIKE {TABLE}_template INCLUDING DEFAULTS INCLUDING CONSTRAINTS "
        "INCLUDING IDENTITY) PARTITION BY RANGE (created_at)"
    )
    conn.execute(f"DROP TABLE {TABLE}_template CASCADE")
    for lo, hi in bounds:
        conn.execute(partition_ddl(lo, hi))
    conn.execute(
        "CREATE TABLE feedback_submission (submission uuid PRIMARY KEY, "
        "created_at timestamptz NOT NULL)"
    )
    indexes = [ix for ix in definition["indexes"] if "fb_submission_once" not in ix]
    # PostgreSQL: a unique index on a partitioned table must contain the partition key.
    indexes.append(f"ALTER TABLE {TABLE} ADD PRIMARY KEY (id, created_at)")
    indexes.append(
        f"CREATE INDEX fb_submission ON {TABLE} (submission) WHERE submission IS NOT NULL"
    )
    fks = [fk for fk in definition["fks"] if "feedback_reply" not in fk]
    return {"indexes": indexes, "fks": fks}


def _reply_fk(conn) -> str:
    row = conn.execute(
        "SELECT conname FROM pg_constraint WHERE conrelid = 'feedback_reply'::regclass "
        "AND contype = 'f' AND pg_get_constraintdef(oid) LIKE %s",
        [f"%REFERENCES {TABLE}(id)%"],
    ).fetchone()
    return row[0] if row else "none"


def partitions(conn) -> list[str]:
    return [
        r[0]
        for r in conn.execute(
            "SELECT inhrelid::regclass::text FROM pg_inherits WHERE inhparent = %s::regclass",
            [TABLE],
        )
    ]


def load(conn, span: Span, definition: dict, *, partitioned: bool, pointday: bool) -> dict:
    """Generate the rows (chunks, committed each), then indexes, keys, sums and a VACUUM."""
    conn.execute("SET synchronous_commit = off")
    conn.execute("SET maintenance_work_mem = '1GB'")
    conn.execute("SET max_parallel_maintenance_workers = 0")
    conn.execute("SET work_mem = '256MB'")
    pid = conn.info.backend_pid
    out: dict = {}
    with Timer(pid) as t:
        for first in range(1, span.rows + 1, CHUNK):
            last = min(span.rows, first + CHUNK - 1)
            sql, params = generation_sql(span, first=first, last=last)
            conn.execute(sql, params)
            conn.commit()
            log(f"  rows {last:,}/{span.rows:,}")
    out["rows"] = t.as_dict()
    with Timer(pid) as t:
        conn.execute(f"SELECT setval(pg_get_serial_sequence('{TABLE}', 'id'), %s)", [span.rows])
        for ddl in definition["indexes"]:
            log(f"  {ddl[:90]}")
            conn.execute(ddl)
            conn.commit()
        # Foreign keys added NOT VALID: the generated rows point at real rows by construction,
        # and new rows are checked exactly as with a validated key. PostgreSQL cannot add a NOT
        # VALID key to a partitioned table, so there each partition gets it (the same check
        # per insert; a real migration adds it to the parent, validated).
        for fk in definition["fks"]:
            fk = fk.replace("DEFERRABLE", "NOT VALID DEFERRABLE")
            for name in partitions(conn) if partitioned else [TABLE]:
                conn.execute(fk.replace(f"ALTER TABLE {TABLE} ", f"ALTER TABLE {name} ", 1))
            conn.commit()
        if partitioned:
            conn.execute(
                "INSERT INTO feedback_submission SELECT submission, created_at FROM "
                f"{TABLE} WHERE submission IS NOT NULL AND created_at >= %s",
                [span.end - dt.timedelta(days=HASH_DAYS)],
            )
            conn.commit()
    out["indexes"] = t.as_dict()
    if pointday:
        with Timer(pid) as t:
            fill_pointday(conn)
        out["pointday"] = t.as_dict()
    conn.autocommit = True
    with Timer(pid) as t:
        conn.execute(f"VACUUM (FREEZE, ANALYZE) {TABLE}")
        conn.execute("VACUUM ANALYZE feedback_pointday")
        if partitioned:
            conn.execute("VACUUM ANALYZE feedback_submission")
        conn.execute("CHECKPOINT")
    conn.autocommit = False
    out["first_vacuum"] = t.as_dict()
    conn.execute("RESET synchronous_commit")
    conn.commit()
    return out


def fill_pointday(conn) -> None:
    from feedback.models import SUM_FIELDS
    from feedback.services import _day_sum_expression

    sums = ", ".join(f"SUM({_day_sum_expression(n)})" for n in SUM_FIELDS)
    conn.execute("TRUNCATE feedback_pointday")
    # Built from answers whose keys are real: skip the per-row key checks of the bulk fill.
    conn.execute("SET session_replication_role = replica")
    conn.execute(
        f"INSERT INTO feedback_pointday (point_id, agency_id, day, {', '.join(SUM_FIELDS)}) "  # noqa: S608
        f"SELECT point_id, agency_id, (created_at AT TIME ZONE 'Asia/Bangkok')::date, {sums} "
        f"FROM {TABLE} WHERE status = 'accepted' GROUP BY 1, 2, 3"
    )
    conn.execute("RESET session_replication_role")
    conn.commit()


# --- (a) the insert path -----------------------------------------------------------------------
def measure_inserts(url: str, *, partitioned: bool, count: int) -> dict:
    from django.db import connection
    from django.utils import timezone

    from feedback import services
    from feedback.models import Response
    from service_points.models import ServicePoint

    sql = services._one_statement_sql()
    if partitioned:
        sql = partitioned_statement(sql)
    with connection.cursor() as c:
        c.execute(
            "SELECT point_id, agency_id, service_id FROM bench_point ORDER BY random() LIMIT 5000"
        )
        targets = c.fetchall()
    with psycopg.connect(url, autocommit=True) as conn:
        pid = conn.info.backend_pid
        cur = conn.cursor()

        def one(k: int) -> tuple:
            point_id, agency_id, service_id = targets[k % len(targets)]
            response = Response(
                point_id=point_id,
                agency_id=agency_id,
                service_id=service_id,
                overall=4,
                process=4,
                staff=5,
                facilities=3,
                outcome=4,
                asked_for_copy=False,
                device_hash=services.device_hash(uuid.uuid4().hex),
                network_hash=services.network_hash(f"10.{k % 250}.{k // 250 % 250}.{k % 7}"),
                created_at=timezone.now(),
                submission=uuid.uuid4(),
            )
            params = {n: getattr(response, n) for n in services._ANSWER_COLUMNS if n != "agency_id"}
            params.update(
                services._limit_params(response),
                published=ServicePoint.Status.PUBLISHED.value,
                honeypot=False,
                accepted=Response.Status.ACCEPTED.value,
                flagged=Response.Status.FLAGGED.value,
                day=timezone.localdate(response.created_at),
            )
            cur.execute(sql, params, prepare=True)
            row = cur.fetchone()
            assert row is not None  # the statement always selects one row
            return row

        for k in range(50):  # warm: prepared, the newest pages cached
            one(k)
        samples = []
        with Timer(pid) as t:
            for k in range(50, 50 + count):
                s = time.perf_counter()
                row = one(k)
                samples.append(time.perf_counter() - s)
                assert row[2] is not None, f"not stored: {row}"
    samples.sort()
    return {
        **t.as_dict(),
        "count": count,
        "per_second": round(count / t.wall, 1),
        "server_cpu_ms_per_insert": round(t.server_cpu / count * 1000, 4),
        "client_cpu_ms_per_insert": round(t.cpu / count * 1000, 4),
        "p50_ms": round(samples[len(samples) // 2] * 1000, 3),
        "p95_ms": round(samples[int(len(samples) * 0.95)] * 1000, 3),
    }


def check_resend(url: str, *, partitioned: bool) -> bool:
    """The same phone-made id sent twice: stored once (both layouts keep ADR 0091)."""
    from django.utils import timezone

    from feedback import services
    from feedback.models import Response
    from service_points.models import ServicePoint

    sql = services._one_statement_sql()
    if partitioned:
        sql = partitioned_statement(sql)
    with psycopg.connect(url, autocommit=True) as conn:
        target = conn.execute(
            "SELECT point_id, agency_id, service_id FROM bench_point WHERE n = 123"
        ).fetchone()
        assert target is not None
        point_id, agency_id, service_id = target
        submission = uuid.uuid4()
        ids: list[Any] = []
        for attempt in (1, 2):
            response = Response(
                point_id=point_id,
                agency_id=agency_id,
                service_id=service_id,
                overall=5,
                process=5,
                staff=5,
                facilities=5,
                outcome=5,
                asked_for_copy=False,
                device_hash=services.device_hash(f"resend{attempt}"),
                network_hash=services.network_hash(f"10.99.99.{attempt}"),
                created_at=timezone.now(),
                submission=submission,
            )
            params = {n: getattr(response, n) for n in services._ANSWER_COLUMNS if n != "agency_id"}
            params.update(
                services._limit_params(response),
                published=ServicePoint.Status.PUBLISHED.value,
                honeypot=False,
                accepted="accepted",
                flagged="flagged",
                day=timezone.localdate(response.created_at),
            )
            ids.append(conn.execute(sql, params).fetchone())
        stored = conn.execute(
            f"SELECT count(*) FROM {TABLE} WHERE submission = %s", [submission]
        ).fetchone()
    return stored == (1,) and ids[1][2] is None


# --- (b) the reports ---------------------------------------------------------------------------
def measure_reports(span: Span, *, repeat: int) -> dict:
    from django.db import connection

    from agencies.models import Agency
    from feedback import selectors
    from service_points.models import ServicePoint

    with connection.cursor() as c:
        c.execute("SELECT point_id, agency_id FROM bench_point WHERE n = 0")  # the busiest
        busy_point, busy_agency = c.fetchone()
        c.execute(f"SELECT point_id FROM bench_point WHERE n = {POINTS // 2}")
        (median_point,) = c.fetchone()
    until = span.end.date().replace(day=1) - dt.timedelta(days=1)
    since = until.replace(day=1)
    point = ServicePoint.objects.get(pk=busy_point)
    quiet = ServicePoint.objects.get(pk=median_point)
    agency = Agency.objects.get(pk=busy_agency)
    cases = {
        "point summary (month)": lambda: selectors.feedback_summary(
            point=point, since=since, until=until
        ),
        "point trend": lambda: selectors.feedback_trend(point=point),
        "point comments": lambda: list(selectors.feedback_comments(point=point)),
        "point held count": lambda: selectors.feedback_held_count(point=point),
        "quiet point comments": lambda: list(selectors.feedback_comments(point=quiet)),
        "agency summary (month)": lambda: selectors.feedback_summary(
            agency=agency, since=since, until=until
        ),
        "agency by point": lambda: selectors.feedback_by_point(agency=agency),
        "agency comments": lambda: list(selectors.feedback_comments(agency=agency)),
        "agency held count": lambda: selectors.feedback_held_count(agency=agency),
        "agency export rows": lambda: sum(1 for _ in selectors.response_export_rows(agency=agency)),
    }
    connection.ensure_connection()
    pid = connection.connection.info.backend_pid
    out: dict[str, dict] = {}
    for name, fn in cases.items():
        try:
            fn()  # warm
        except Exception as error:  # noqa: BLE001 - a selector the layout breaks is a result
            out[name] = {"error": str(error).splitlines()[0]}
            continue
        walls = []
        with Timer(pid) as t:
            for _ in range(repeat):
                s = time.perf_counter()
                fn()
                walls.append(time.perf_counter() - s)
        out[name] = {
            "median_ms": round(statistics.median(walls) * 1000, 2),
            "server_cpu_ms": round(t.server_cpu / repeat * 1000, 2),
            "client_cpu_ms": round(t.cpu / repeat * 1000, 2),
        }
    return out


# --- (c) forget the hashes, (e) vacuum, (f) sizes, (d) retention -------------------------------
def measure_forget(conn) -> dict:
    from django.db import connection

    from feedback.services import response_forget_hashes

    connection.ensure_connection()
    pid = connection.connection.info.backend_pid
    with Timer(pid) as t:
        count = response_forget_hashes()
    return {**t.as_dict(), "rows": count}


def measure_vacuum(conn) -> dict:
    conn.autocommit = True
    with Timer(conn.info.backend_pid) as t:
        conn.execute(f"VACUUM (ANALYZE) {TABLE}")
    conn.autocommit = False
    return t.as_dict()


def measure_sizes(conn, *, partitioned: bool) -> dict:
    tables = [TABLE] + (["feedback_submission"] if partitioned else [])
    heap = index = 0
    for name in tables:
        h, i = conn.execute(
            "SELECT sum(pg_table_size(c.oid)), sum(pg_indexes_size(c.oid)) FROM pg_class c "
            "WHERE c.oid = %s::regclass OR c.oid IN "
            "(SELECT inhrelid FROM pg_inherits WHERE inhparent = %s::regclass)",
            [name, name],
        ).fetchone()
        heap += int(h or 0)
        index += int(i or 0)
    conn.commit()
    return {"table_gb": round(heap / 1e9, 2), "indexes_gb": round(index / 1e9, 2)}


def measure_retention(conn, bounds, *, partitioned: bool) -> dict:
    lo, hi = bounds[0]
    conn.autocommit = False
    with Timer(conn.info.backend_pid) as t:
        if partitioned:
            conn.execute(f"ALTER TABLE {TABLE} DETACH PARTITION {partition_name(lo)}")
            conn.execute(f"DROP TABLE {partition_name(lo)}")
            rows = -1
        else:
            rows = conn.execute(
                f"DELETE FROM {TABLE} WHERE created_at >= %s AND created_at < %s", [lo, hi]
            ).rowcount
        conn.commit()
    return {**t.as_dict(), "rows": rows, "month": f"{lo:%Y-%m}"}


# --- the run -----------------------------------------------------------------------------------
def run_layout(url: str, span: Span, bounds, layout: str, args, definition: dict) -> dict:
    partitioned = layout == "partitioned"
    log(f"{layout}: loading {span.rows:,} rows")
    with psycopg.connect(url) as conn:
        nice_backend(conn)
        if partitioned:
            shape = prepare_partitioned(conn, bounds, definition)
        else:
            shape = definition
        conn.commit()
        out: dict = {
            "load": load(conn, span, shape, partitioned=partitioned, pointday=not partitioned)
        }
        log(f"{layout}: loaded {out['load']}")
        out["sizes_after_load"] = measure_sizes(conn, partitioned=partitioned)
        out["resend_stored_once"] = check_resend(url, partitioned=partitioned)
        log(f"{layout}: measuring inserts")
        out["insert"] = measure_inserts(url, partitioned=partitioned, count=args.inserts)
        log(f"{layout}: insert {out['insert']}")
        out["reports"] = measure_reports(span, repeat=args.repeat)
        log(f"{layout}: reports {out['reports']}")
        out["forget_hashes"] = measure_forget(conn)
        log(f"{layout}: forget {out['forget_hashes']}")
        out["vacuum"] = measure_vacuum(conn)
        log(f"{layout}: vacuum {out['vacuum']}")
        out["sizes"] = measure_sizes(conn, partitioned=partitioned)
        out["retention"] = measure_retention(conn, bounds, partitioned=partitioned)
        log(f"{layout}: retention {out['retention']}")
    return out


def ratio_lines(results: dict) -> list[str]:
    plain, part = results.get("plain"), results.get("partitioned")
    if not plain or not part:
        return []

    def r(a: float, b: float) -> str:
        ok = isinstance(a, (int, float)) and isinstance(b, (int, float)) and a
        return f"{b / a:.2f}" if ok else "–"

    lines = ["| measure | plain | partitioned | partitioned ÷ plain |", "|---|---|---|---|"]
    pairs = [
        (
            "insert: server CPU ms/insert",
            plain["insert"]["server_cpu_ms_per_insert"],
            part["insert"]["server_cpu_ms_per_insert"],
        ),
        ("insert: p50 ms", plain["insert"]["p50_ms"], part["insert"]["p50_ms"]),
        (
            "insert: inserts/s (one connection)",
            plain["insert"]["per_second"],
            part["insert"]["per_second"],
        ),
    ]
    for name in plain["reports"]:
        a, b = plain["reports"][name], part["reports"][name]
        pairs.append(
            (f"{name}: median ms", a.get("median_ms", "error"), b.get("median_ms", "error"))
        )
    for key in ("forget_hashes", "vacuum", "retention"):
        pairs.append((f"{key}: wall s", plain[key]["wall_s"], part[key]["wall_s"]))
        pairs.append(
            (f"{key}: server CPU s", plain[key]["server_cpu_s"], part[key]["server_cpu_s"])
        )
    pairs.append(("table GB", plain["sizes"]["table_gb"], part["sizes"]["table_gb"]))
    pairs.append(("indexes GB", plain["sizes"]["indexes_gb"], part["sizes"]["indexes_gb"]))
    for name, a, b in pairs:
        lines.append(f"| {name} | {a} | {b} | {r(a, b)} |")
    return lines


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=100_000_000)
    parser.add_argument("--per-month", type=int, default=PER_MONTH, help="answers a month")
    parser.add_argument("--layouts", default="plain,partitioned")
    parser.add_argument("--inserts", type=int, default=3000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--database", default="answers_scale")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)

    url = make_database(args.database)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "citizeninfo.settings.dev")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    results: dict = {
        "rows": args.rows,
        "machine": f"{platform.node()} {os.cpu_count()} cores, {platform.platform()}",
        "started": f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC",
        "load_before": os.getloadavg(),
    }
    try:
        log("seeding agencies and points")
        seed_points()
        span = Span(rows=args.rows, end=dt.datetime.now(dt.UTC), per_month=args.per_month)
        bounds = month_bounds(span.start, span.end)
        with psycopg.connect(url) as conn:
            definition = prepare_plain(conn)
            conn.commit()
        for layout in args.layouts.split(","):
            results[layout] = run_layout(url, span, bounds, layout, args, definition)
            if args.json:
                args.json.write_text(json.dumps(results, indent=1, default=str))
            if layout == "plain" and "partitioned" in args.layouts:
                with psycopg.connect(url, autocommit=True) as conn:
                    conn.execute(f"TRUNCATE {TABLE} CASCADE")  # disk, before the next load
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            drop_database(args.database)
    results["load_after"] = os.getloadavg()
    if args.json:
        args.json.write_text(json.dumps(results, indent=1, default=str))
    print(json.dumps(results, indent=1, default=str))
    print("\n".join(ratio_lines(results)))


if __name__ == "__main__":
    main()
