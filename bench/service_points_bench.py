"""Service-point benchmarks: nearest 20 against PostGIS, open-data exports (GeoJSON, CSV,
XLSX through its URL) with their memory, map clusters, bulk import — on SQLite and
PostgreSQL, 40,000 and 400,000 points, in one run, ending with one table of all four.

    .venv/bin/python -m bench.service_points_bench

Each database runs in its own process (Django binds one database per process), each size
in a fresh scratch database made by the test runner's machinery (`test_` + the name, or
`<file>.scratch` for SQLite), so the bench never touches yours.

Options: --databases sqlite:////tmp/sp_bench.sqlite3 postgres://postgres@127.0.0.1:5432/sp_bench
(or BENCH_POSTGRES_URL), --points 40000 400000, --nearest-queries 200, --passes 3 (nearest:
each position's best of N, ours and PostGIS interleaved), --xlsx-max 400000, --memory-max
40000 (the XLSX memory pass), --import-rows 40000, --postgis-url
postgres://postgres@127.0.0.1:5432/gisbench, --no-postgis, --only clusters.

PostGIS is the comparison baseline only (the portal does not use it): when the extension is
missing and the bench runs as root, it installs Debian's postgresql-<major>-postgis-3 for the
local server; otherwise the reference is skipped with a message.
"""

import argparse
import datetime as dt
import gc
import math
import os
import platform
import random
import statistics
import sys
import time
import tracemalloc

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "citizeninfo.settings.test")
if not os.environ.get("DATABASE_URL"):
    os.environ["DATABASE_URL"] = "sqlite:////tmp/sp_bench.sqlite3"

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402

# The scratch database beside the named one: a file, as a deployment would use.
SQLITE_FILE = str(settings.DATABASES["default"]["NAME"]) + ".scratch"

COUNTRY = {"south": 5.5, "west": 97.3, "north": 20.5, "east": 105.7, "zoom": 6}
# A province-sized view (Chiang Mai), zoom 10.
PROVINCE = {"south": 18.4, "west": 98.6, "north": 19.2, "east": 99.4, "zoom": 10}


def p95(samples):
    return statistics.quantiles(samples, n=20)[18] if len(samples) >= 20 else max(samples)


def timed(fn, args_list):
    """(p95, median, max) of wall-clock ms, then p95 and median of this process's CPU ms
    (on a shared, loaded machine the CPU time is the steadier figure; on PostgreSQL it
    leaves out the server's own work)."""
    samples, cpu = [], []
    for args in args_list:
        t, c = time.perf_counter(), time.process_time()
        fn(*args)
        samples.append((time.perf_counter() - t) * 1000)
        cpu.append((time.process_time() - c) * 1000)
    return p95(samples), statistics.median(samples), max(samples), p95(cpu), statistics.median(cpu)


def fmt(result):
    return (
        f"p95 {result[0]:6.1f} ms, median {result[1]:5.1f} ms, max {result[2]:6.1f} ms "
        f"| CPU p95 {result[3]:5.1f} ms, median {result[4]:5.1f} ms"
    )


# --- data ----------------------------------------------------------------------------------
def generate(n: int, agencies) -> None:
    """n published points around the 77 provincial towns (Gaussian, σ ≈ 25 km), with the
    province's real districts and subdistricts, varied names, hours and kinds of office."""
    import geothai

    from service_points.geo import _province_references
    from service_points.models import ServicePoint

    rng = random.Random(7)
    towns = list(_province_references().items())
    places = {}
    for code, _ref in towns:
        subs = [
            (d.code, s.code, s.postal_codes[0] if s.postal_codes else "10200")
            for d in geothai.districts(code)
            for s in geothai.subdistricts(d.code)
        ]
        places[code] = subs or [("1001", "100101", "10200")]
    kinds = [k for k, _label in ServicePoint.Government.choices]
    hours = ["จันทร์–ศุกร์ 08:30–16:30", "ทุกวัน 08:00–20:00", "Mon–Fri 08:30–16:30, ปิดวันหยุด"]
    now = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
    batch = []
    for i in range(n):
        code, ref = rng.choice(towns)
        dist, sub, postcode = rng.choice(places[code])
        name = f"สำนักงาน “{i}” สาขา {code}"
        p = ServicePoint(
            agency=agencies[i % len(agencies)],
            name_th=name,
            name_en=f'Office "{i}" branch {code}',
            government=kinds[i % len(kinds)],
            house_number=f"{i % 300}/{i % 17}",
            road="ถนนราชดำเนิน" if i % 3 else "",
            province_code=code,
            district_code=dist,
            subdistrict_code=sub,
            postcode=postcode,
            latitude=ref["lat"] + rng.gauss(0, 0.25),
            longitude=ref["lon"] + rng.gauss(0, 0.25),
            phone=f"02{i % 10_000_000:07d}",
            opening_hours=hours[i % len(hours)],
            status="published",
            published_at=now,
            updated_at=now + dt.timedelta(seconds=i),
            search_text=name,
        )
        batch.append(p)
        if len(batch) == 5000:
            ServicePoint.objects.bulk_create(batch)
            batch = []
    ServicePoint.objects.bulk_create(batch)


def analyze() -> None:
    with connection.cursor() as c:
        c.execute("ANALYZE")


# --- PostGIS reference ---------------------------------------------------------------------
class PostGIS:
    """The same points in a scratch PostGIS database, geography column with a GiST index."""

    def __init__(self, url: str):
        import psycopg

        self.url = url
        name = url.rsplit("/", 1)[1]
        admin = psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True)
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            admin.execute(f'CREATE DATABASE "{name}"')
        admin.close()
        self.conn = psycopg.connect(url, autocommit=True)
        self.conn.execute("CREATE EXTENSION IF NOT EXISTS postgis")
        self.version = self.conn.execute("SELECT postgis_lib_version()").fetchone()[0]

    def load(self) -> float:
        from service_points.selectors import published

        t = time.perf_counter()
        c = self.conn
        c.execute("DROP TABLE IF EXISTS sp_points")
        c.execute("CREATE TABLE sp_points (id bigint PRIMARY KEY, geog geography(Point, 4326))")
        with c.cursor().copy("COPY sp_points (id, geog) FROM STDIN") as copy:
            for pk, lat, lon in (
                published().values_list("id", "latitude", "longitude").iterator(chunk_size=10_000)
            ):
                copy.write_row((pk, f"SRID=4326;POINT({lon!r} {lat!r})"))
        c.execute("CREATE INDEX sp_points_geog ON sp_points USING gist (geog)")
        c.execute("VACUUM ANALYZE sp_points")
        return time.perf_counter() - t

    def nearest(self, lat: float, lon: float, limit: int = 20):
        point = f"SRID=4326;POINT({lon!r} {lat!r})"
        return self.conn.execute(
            "SELECT id, ST_Distance(geog, %s::geography, false) FROM sp_points "
            "ORDER BY geog <-> %s::geography LIMIT %s",
            [point, point, limit],
            prepare=True,
        ).fetchall()

    def close(self):
        self.conn.execute("DROP TABLE IF EXISTS sp_points")
        self.conn.close()


def connect_postgis(url: str):
    try:
        return PostGIS(url), ""
    except Exception as error:  # noqa: BLE001 - any failure means "no reference"
        return None, f"{type(error).__name__}: {str(error).strip().splitlines()[0]}"


# --- measures ------------------------------------------------------------------------------
def measure_export(kind: str, n: int, *, memory: bool = True):
    """(rows/s, MB) without tracemalloc; then (tracemalloc peak MB, RSS high-water growth MB)
    in a second, separate pass."""
    from service_points import opendata, selectors

    def run():
        if kind == "xlsx":  # the first download after a change: written, then published
            unpublish_xlsx()
            return xlsx_download_size()
        if kind == "xlsx served":  # every later one: the published file
            return xlsx_download_size()
        rows = selectors.service_point_open_values(base_url="https://citizeninfo.example")
        chunks = opendata.geojson_chunks(rows) if kind == "geojson" else opendata.csv_chunks(rows)
        return sum(len(chunk.encode()) for chunk in chunks)

    gc.collect()
    t, cpu = time.perf_counter(), time.process_time()
    size = run()
    rate = n / (time.perf_counter() - t)
    cpu_rate = n / (time.process_time() - cpu)
    if not memory:
        return rate, cpu_rate, size / 1e6, float("nan"), float("nan")
    # Memory: the resident high-water mark reset just before (Linux), and tracemalloc.
    rss_before = reset_rss_peak()
    tracemalloc.start()
    run()
    peak = tracemalloc.get_traced_memory()[1] / 1e6
    tracemalloc.stop()
    rss_growth = (rss_peak() - rss_before) / 1e6 if rss_before is not None else float("nan")
    return rate, cpu_rate, size / 1e6, peak, rss_growth


def xlsx_download_size() -> int:
    """The open-data XLSX as a citizen downloads it: through its URL, whatever writer (or
    published file) is behind it, so the bench keeps measuring when the writer changes."""
    from django.test import Client
    from django.urls import reverse

    response = Client().get(reverse("service_points:opendata_xlsx"))
    assert response.status_code == 200, response.status_code
    if response.streaming:
        size = sum(len(chunk) for chunk in response.streaming_content)
    else:
        size = len(response.content)
    response.close()
    return size


def unpublish_xlsx() -> None:
    from django.core.files.storage import default_storage

    from service_points import opendata

    try:
        _dirs, files = default_storage.listdir(opendata.XLSX_DIR)
    except FileNotFoundError:
        return
    for name in files:
        default_storage.delete(f"{opendata.XLSX_DIR}/{name}")


def reset_rss_peak():
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return _status_kb("VmRSS") * 1024
    except OSError:
        return None


def rss_peak():
    return _status_kb("VmHWM") * 1024


def _status_kb(key: str) -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return 0


def run_size(n: int, args, postgis, report: dict) -> None:
    from agencies.tests.factories import DepartmentFactory

    agencies = [DepartmentFactory(code=f"bench-{i}") for i in range(50)]
    t = time.perf_counter()
    generate(n, agencies)
    analyze()
    out = report.setdefault(n, {})
    out["generate_s"] = time.perf_counter() - t
    print(
        f"\n== {connection.vendor}, {n:,} published points (generated in {out['generate_s']:.0f} s)"
    )
    bench_clusters(out)
    if args.only == "clusters":
        return
    queries = bench_nearest(args, out)
    if postgis is not None:
        compare_postgis(queries, args, postgis, out)
    bench_exports(n, args, out)
    if args.import_rows and not report.get("import"):
        bench_import(args.import_rows, report)


def bench_clusters(out: dict) -> None:
    from service_points import selectors
    from service_points.models import ServicePointCell

    out["cells"] = ServicePointCell.objects.count()
    out["country"] = timed(lambda: selectors.service_point_clusters(**COUNTRY), [()] * 40)
    out["province"] = timed(lambda: selectors.service_point_clusters(**PROVINCE), [()] * 40)
    box = [COUNTRY[k] for k in ("south", "west", "north", "east")]
    out["country_points"] = timed(
        lambda: selectors._cluster_groups_from_points(*box, COUNTRY["zoom"]), [()] * 20
    )
    same = sorted(
        (k, n, i) for k, n, _la, _lo, i in selectors._cluster_groups_from_cells(*box, 6)
    ) == sorted((k, n, i) for k, n, _la, _lo, i in selectors._cluster_groups_from_points(*box, 6))
    print(f"cell table: {out['cells']:,} cells (kept by bulk_create while generating)")
    print(f"cluster, whole country z6   {fmt(out['country'])}  (from the cell table)")
    print(f"  same, grouped from points {fmt(out['country_points'])}  (the old way)")
    print(f"  same clusters both ways: {same}")
    print(f"cluster, province z10       {fmt(out['province'])}")


def bench_nearest(args, out: dict) -> list[tuple[float, float]]:
    """Nearest 20 from random positions over the country's box: towns, forest, sea, and the
    neighbours inside the box (the hard cases: far from any point). Returns the positions."""
    from service_points import nearest, selectors

    rng = random.Random(1)
    queries = [
        (rng.uniform(6.5, 20.0), rng.uniform(98.0, 105.0)) for _ in range(args.nearest_queries)
    ]
    out["nearest"] = timed(
        lambda la, lo: selectors.service_point_nearest(lat=la, lon=lo, limit=20), queries
    )
    out["nearest_ids"] = timed(lambda la, lo: nearest.nearest_ids(la, lo, 20), queries)
    print(f"nearest 20 (points + agency) {fmt(out['nearest'])}")
    print(f"nearest 20 (ids, distances)  {fmt(out['nearest_ids'])}")
    return queries


def compare_postgis(queries: list[tuple[float, float]], args, postgis, out: dict) -> None:
    from service_points import nearest

    load_s = postgis.load()
    # Interleaved, so both see the same moments of a loaded machine: ours, then PostGIS,
    # position by position, PASSES times over; each position keeps its best time of the
    # passes for each (a preempted query is noise, not the index), then p95 over the
    # positions. The single-pass p95s are reported beside them.
    ours_ms, ref_ms = [math.inf] * len(queries), [math.inf] * len(queries)
    single: tuple[list[float], list[float]] = ([], [])
    for pass_ in range(args.passes):
        for i, (la, lo) in enumerate(queries):
            t = time.perf_counter()
            nearest.nearest_ids(la, lo, 20)
            ours_ms[i] = min(ours_ms[i], mine := (time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            postgis.nearest(la, lo, 20)
            ref_ms[i] = min(ref_ms[i], theirs := (time.perf_counter() - t) * 1000)
            if pass_ == 1 or args.passes == 1:
                single[0].append(mine)
                single[1].append(theirs)
    out["single_pass"] = (p95(single[0]), p95(single[1]), p95(single[0]) / p95(single[1]))
    out["postgis"] = (p95(ref_ms), statistics.median(ref_ms), max(ref_ms), 0.0, 0.0)
    out["ours_paired"] = (p95(ours_ms), statistics.median(ours_ms), max(ours_ms), 0.0, 0.0)
    print(f"PostGIS <-> 20 (ids, dist.)  {fmt(out['postgis'])}  (loaded in {load_s:.0f} s)")
    print(f"ours, same moments (ids)     {fmt(out['ours_paired'])}")
    same = sum(_same_answer(nearest.nearest_ids, postgis, la, lo) for la, lo in queries)
    out["postgis_agree"] = (same, len(queries))
    print(f"same 20 distances as PostGIS (±0.5 m): {same}/{len(queries)} queries")
    out["ratio"] = out["ours_paired"][0] / out["postgis"][0]
    print(f"ratio of p95, ours (ids) / PostGIS: {out['ratio']:.2f} (best of {args.passes})")
    print("  one pass only: p95 {:.2f} ms / {:.2f} ms, ratio {:.2f}".format(*out["single_pass"]))


def _same_answer(nearest_ids, postgis, la: float, lo: float) -> bool:
    ours = [(round(d, 1), pk) for d, pk in nearest_ids(la, lo, 20)]
    ref = [(round(d, 1), pk) for pk, d in postgis.nearest(la, lo, 20)]
    return len(ours) == len(ref) and all(
        abs(a[0] - b[0]) < 0.5 for a, b in zip(ours, ref, strict=True)
    )


def bench_exports(n: int, args, out: dict) -> None:
    for kind in ("geojson", "csv", "xlsx", "xlsx served"):
        if kind.startswith("xlsx") and n > args.xlsx_max:
            continue
        rate, cpu_rate, mb, peak, rss = measure_export(
            kind, n, memory=not kind.startswith("xlsx") or n <= args.memory_max
        )
        out[kind.replace(" ", "_")] = (rate, cpu_rate, mb, peak, rss)
        print(
            f"{kind:11} export {rate:9,.0f} rows/s ({cpu_rate:,.0f} per CPU-second of this "
            f"process), {mb:6.1f} MB; memory (separate run): tracemalloc peak {peak:.1f} MB, "
            f"RSS high-water +{rss:.1f} MB"
        )


def bench_import(rows: int, report: dict) -> None:
    from accounts.tests.factories import UserFactory
    from agencies.tests.factories import DepartmentFactory
    from service_points.importer import service_point_import

    header = "name_th,name_en,subdistrict_code,postcode,latitude,longitude,phone\n"
    lines = [
        f"นำเข้า {i},Import {i},100101,10200,{13.70 + (i % 400) * 0.0005:.6f},"
        f"{100.45 + (i // 400) * 0.0005:.6f},021234567\n"
        for i in range(rows)
    ]
    other = DepartmentFactory(code="bench-import")
    officer = UserFactory(agency=other)
    t = time.perf_counter()
    result = service_point_import(
        agency=other, by=officer, data=(header + "".join(lines)).encode(), filename="b.csv"
    )
    assert result.ok, result.errors[:3]
    report["import"] = (rows, time.perf_counter() - t)
    print(f"bulk import of {rows:,} CSV rows: {report['import'][1]:.1f} s")


def ensure_postgis(url: str) -> None:
    """Installs Debian's PostGIS for the local PostgreSQL server when it is missing and the
    bench runs as root (the comparison baseline only: the portal does not use it)."""
    import shutil
    import subprocess

    import psycopg

    try:
        with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as c:
            have = c.execute(
                "SELECT 1 FROM pg_available_extensions WHERE name = 'postgis'"
            ).fetchone()
            major = int(c.execute("SHOW server_version_num").fetchone()[0]) // 10000
    except Exception as error:  # noqa: BLE001 - reported by connect_postgis later
        print(f"PostgreSQL not reachable for PostGIS ({type(error).__name__})")
        return
    if have or os.geteuid() != 0 or not shutil.which("apt-get"):
        return
    package = f"postgresql-{major}-postgis-3"
    print(f"installing {package} (benchmark reference only)…", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    result = subprocess.run(
        ["apt-get", "install", "-y", "-q", "--no-install-recommends", package],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        subprocess.run(["apt-get", "update", "-q"], env=env, capture_output=True, check=False)
        subprocess.run(
            ["apt-get", "install", "-y", "-q", "--no-install-recommends", package],
            env=env,
            capture_output=True,
            check=False,
        )


SUMMARY = [
    # (label, key, index in the tuple or None, format)
    (
        "nearest 20, ids and distances, best of 3, p95 / median (ms)",
        "ours_paired",
        (0, 1),
        "{:.2f} / {:.2f}",
    ),
    (
        "PostGIS `<->` 20, same positions, best of 3, p95 / median (ms)",
        "postgis",
        (0, 1),
        "{:.2f} / {:.2f}",
    ),
    ("**ours ÷ PostGIS, p95** (≤ 1.5)", "ratio", None, "**{:.2f}×**"),
    (
        "same, one pass only: ours / PostGIS p95 (ms), ratio",
        "single_pass",
        (0, 1, 2),
        "{:.2f} / {:.2f}, {:.2f}×",
    ),
    ("same 20 distances as PostGIS (±0.5 m)", "postgis_agree", (0, 1), "{}/{}"),
    ("nearest 20 with points + agency (page's query), p95 (ms)", "nearest", (0,), "{:.2f}"),
    ("GeoJSON export, rows/s (≥ 50,000 on PostgreSQL 400k)", "geojson", (0,), "{:,.0f}"),
    ("GeoJSON, tracemalloc peak (MB)", "geojson", (3,), "{:.1f}"),
    ("CSV export, rows/s", "csv", (0,), "{:,.0f}"),
    ("XLSX download (its URL), rows/s (≥ 30,000): published file", "xlsx_served", (0,), "{:,.0f}"),
    ("XLSX first download after a change (written + published), rows/s", "xlsx", (0,), "{:,.0f}"),
    ("XLSX, tracemalloc peak while written (MB)", "xlsx", (3,), "{:.1f}"),
    ("cluster, whole country z6, p95 (ms)", "country", (0,), "{:.1f}"),
    ("cluster, province z10, p95 (ms)", "province", (0,), "{:.1f}"),
]


def summary_table(reports: dict) -> str:
    columns = [(db, n) for db, report in reports.items() for n in report.get("sizes", {})]
    head = " | ".join(f"{db} {int(n) // 1000}k" for db, n in columns)
    lines = [f"| measure | {head} |", "|---" * (len(columns) + 1) + "|"]
    for label, key, index, form in SUMMARY:
        cells = []
        for db, n in columns:
            value = reports[db]["sizes"][n].get(key)
            if value is None:
                cells.append("—")
            elif index is None:
                cells.append(form.format(value))
            else:
                cells.append(form.format(*(value[i] for i in index)))
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def orchestrate(args, argv: list[str]) -> None:
    """Runs the bench once per database, each in its own process (Django binds one database
    per process), then prints one table of both."""
    import json
    import subprocess
    import tempfile

    if not args.no_postgis:
        ensure_postgis(args.postgis_url)
    reports = {}
    started = time.perf_counter()
    print(f"load average at the start {os.getloadavg()}", flush=True)
    for url in args.databases:
        name = "SQLite" if url.startswith("sqlite") else "PostgreSQL"
        with tempfile.NamedTemporaryFile(suffix=".json") as out:
            env = {**os.environ, "DATABASE_URL": url}
            command = [sys.executable, "-m", "bench.service_points_bench", *argv]
            subprocess.run([*command, "--child", out.name], env=env, check=True)
            reports[name] = json.load(open(out.name))  # noqa: SIM115 - closed with the file
    print("\n== both databases, both sizes, one run\n")
    print(summary_table(reports))
    for name, report in reports.items():
        if report.get("import"):
            rows, seconds = report["import"]
            print(f"bulk import on {name}: {rows:,} CSV rows in {seconds:.1f} s")
    loads = [r.get("load") for r in reports.values()]
    print(
        f"\ntotal {time.perf_counter() - started:.0f} s; load average at the end "
        f"{os.getloadavg()}; per database (start, end): {loads}"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--points", type=int, nargs="+", default=[40_000, 400_000])
    parser.add_argument("--import-rows", type=int, default=40_000)
    parser.add_argument("--nearest-queries", type=int, default=200)
    parser.add_argument("--passes", type=int, default=3, help="nearest: best of N per position")
    parser.add_argument("--xlsx-max", type=int, default=400_000)
    parser.add_argument("--memory-max", type=int, default=40_000, help="XLSX memory pass")
    parser.add_argument(
        "--databases",
        nargs="+",
        default=[
            "sqlite:////tmp/sp_bench.sqlite3",
            os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/sp_bench"),
        ],
    )
    parser.add_argument("--child", metavar="JSON", help=argparse.SUPPRESS)
    parser.add_argument(
        "--postgis-url",
        default=os.environ.get("POSTGIS_URL", "postgres://postgres@127.0.0.1:5432/gisbench"),
    )
    parser.add_argument("--no-postgis", action="store_true")
    parser.add_argument(
        "--only", choices=["clusters"], help="only the cluster queries (no PostGIS, no import)"
    )
    args = parser.parse_args()
    if not args.child:
        orchestrate(args, sys.argv[1:])
        return

    from django.test.utils import setup_databases, teardown_databases

    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        db.setdefault("TEST", {})["NAME"] = SQLITE_FILE  # a file, as a deployment would use
    print(
        f"{dt.date.today().isoformat()} · {platform.node()} · {os.cpu_count()} cores · "
        f"Python {sys.version.split()[0]} · {db['ENGINE'].rsplit('.', 1)[1]} · "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    if args.only:
        args.no_postgis = True
    postgis, why = (None, "--no-postgis") if args.no_postgis else connect_postgis(args.postgis_url)
    if postgis is None:
        print(
            f"PostGIS reference SKIPPED ({why}). To run it: install the extension (Debian: "
            "apt-get install postgresql-15-postgis-3) and pass --postgis-url."
        )
    else:
        print(f"PostGIS reference: {args.postgis_url} (PostGIS {postgis.version})")
    report: dict = {}
    started = time.perf_counter()
    load_start = os.getloadavg()[0]
    try:
        for n in args.points:
            old = setup_databases(verbosity=0, interactive=False)
            try:
                if connection.vendor == "sqlite":
                    print(f"SQLite {connection.Database.sqlite_version}, file {SQLITE_FILE}")
                else:
                    with connection.cursor() as c:
                        c.execute("SHOW server_version")
                        print(f"PostgreSQL {c.fetchone()[0]}")
                run_size(n, args, postgis, report)
            finally:
                teardown_databases(old, verbosity=0)
    finally:
        if postgis is not None:
            postgis.close()
    print(f"\ntotal {time.perf_counter() - started:.0f} s, load average {os.getloadavg()}")
    import json

    with open(args.child, "w") as f:
        json.dump(
            {
                "sizes": {str(k): v for k, v in report.items() if isinstance(k, int)},
                "import": report.get("import"),
                "load": [load_start, os.getloadavg()[0]],
            },
            f,
        )


if __name__ == "__main__":
    main()
