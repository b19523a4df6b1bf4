"""Citizen's Manual search over 100,000 generated services, on SQLite and PostgreSQL.

    .venv/bin/python -m bench.manual_search                      # both databases
    .venv/bin/python -m bench.manual_search --only sqlite --n 20000

SQLite: a file in /tmp. PostgreSQL: database `manualbench` on 127.0.0.1 (created if missing).
Each query runs through `manual.selectors.service_search` (what the page and the API call),
and again with the index disabled (the baseline: a LIKE scan), in the same run.
Prints the figures and, with --write, replaces the manual section of docs/benchmarks.md.
"""

import argparse
import os
import platform
import random
import statistics
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QUERIES = [
    "บัตรประชาชน",
    "ทะเบียนบ้าน",
    "ใบขับขี่",
    "passport",
    "ภาษีป้าย",
    "ประชา",
    "ID card บัตร",
    "ขออนุญาตก่อสร้าง",
    "ประเภท ๑๒๓",
    "ไม่มีบริการนี้แน่นอน",
]
VERBS = [
    "การขอ",
    "การแจ้ง",
    "การยื่น",
    "การต่ออายุ",
    "การจดทะเบียน",
    "การเปลี่ยนแปลง",
    "การยกเลิก",
    "การออก",
    "การรับรอง",
    "การขอคัด",
]
OBJECTS = [
    "บัตรประจำตัวประชาชน",
    "ทะเบียนบ้าน",
    "ใบอนุญาตขับรถ",
    "หนังสือเดินทาง",
    "ใบอนุญาตก่อสร้างอาคาร",
    "ทะเบียนพาณิชย์",
    "ภาษีป้าย",
    "โฉนดที่ดิน",
    "ใบอนุญาตประกอบกิจการ",
    "สูติบัตร",
    "มรณบัตร",
    "ใบสำคัญการสมรส",
    "เลขประจำตัวผู้เสียภาษีอากร",
    "ประโยชน์ทดแทน",
    "เบี้ยยังชีพผู้สูงอายุ",
]
QUALIFIERS = [
    "กรณีสูญหาย",
    "สำหรับนิติบุคคล",
    "สำหรับบุคคลธรรมดา",
    "กรณีชำรุด",
    "ครั้งแรก",
    "ทางอิเล็กทรอนิกส์",
    "สำหรับคนต่างด้าว",
    "",
]
EN = {
    "บัตรประจำตัวประชาชน": "ID card",
    "หนังสือเดินทาง": "passport",
    "ใบอนุญาตขับรถ": "driving licence",
    "ทะเบียนบ้าน": "house registration",
}
SECTION_START = "<!-- manual-search:start -->"
SECTION_END = "<!-- manual-search:end -->"


def _setup(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "citizeninfo.settings.base")
    import django

    django.setup()


def _generate(n: int) -> None:
    from django.db import transaction

    from agencies.models import Agency
    from manual.models import Service, ServiceVersion
    from manual.search import index_text

    existing = Service.objects.count()
    if existing >= n:
        return
    rng = random.Random(2558 + existing)
    with transaction.atomic():
        agencies = []
        for i in range(50):
            agency, _ = Agency.objects.get_or_create(
                code=f"bench-{i}", defaults={"kind": "independent", "name_th": f"หน่วยงานทดสอบที่ {i}"}
            )
            agencies.append(agency)
    anchor = Service.objects.filter(code="bench-anchor").first()
    if anchor is None:
        anchor = Service.objects.create(
            agency=agencies[0], code="bench-anchor", name_th="anchor", category="other"
        )
        version = ServiceVersion.objects.create(service=anchor, number=1, snapshot={})
    else:
        version = ServiceVersion.objects.get(service=anchor, number=1)
    batch = []
    for i in range(existing, n):
        obj = rng.choice(OBJECTS)
        name = f"{rng.choice(VERBS)}{obj}{rng.choice(QUALIFIERS)} ประเภท {i % 997}"
        agency = agencies[i % len(agencies)]
        name_en = EN.get(obj, "")
        batch.append(
            Service(
                agency=agency,
                code=f"svc-{i}",
                name_th=name,
                name_en=name_en,
                category="other",
                status="published",
                current_version=version,
                listed_name_th=name,
                listed_name_en=name_en,
                listed_category="other",
                listed_provinces=f",{rng.choice(['10', '50', '40', '83'])},",
                search_text=index_text(name, name_en, f"svc-{i}", agency.name_th),
            )
        )
        if len(batch) == 5000:
            Service.objects.bulk_create(batch)
            batch = []
    if batch:
        Service.objects.bulk_create(batch)


@contextmanager
def _index_disabled(vendor: str):
    """The baseline: the same query as a plain LIKE scan."""
    from django.db import connection, transaction

    from manual import selectors

    if vendor == "sqlite":
        original = selectors._uses_fts
        selectors._uses_fts = lambda: False
        try:
            yield
        finally:
            selectors._uses_fts = original
    else:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL enable_bitmapscan = off")
                cursor.execute("SET LOCAL enable_indexscan = off")
            yield


def _time(query: str, repeats: int) -> list[float]:
    from manual.selectors import service_search

    service_search(query=query)  # warm caches (segmenter, page cache)
    timings = []
    for _ in range(repeats):
        start = time.perf_counter()
        service_search(query=query)
        timings.append((time.perf_counter() - start) * 1000)
    return timings


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[18]


def run(vendor: str, database_url: str, n: int, repeats: int) -> dict:
    _setup(database_url)
    from django.core.management import call_command
    from django.db import connection

    from manual.selectors import service_search

    call_command("migrate", verbosity=0)
    start = time.perf_counter()
    _generate(n)
    load_s = time.perf_counter() - start
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE manual_service")
    rows = []
    everything, baseline_all = [], []
    for query in QUERIES:
        indexed = _time(query, repeats)
        hits = len(service_search(query=query).services)
        with _index_disabled(vendor):
            baseline = _time(query, max(3, repeats // 4))
        everything += indexed
        baseline_all += baseline
        rows.append(
            (
                query,
                hits,
                statistics.median(indexed),
                _p95(indexed),
                statistics.median(baseline),
                _p95(baseline),
            )
        )
    return {
        "vendor": vendor,
        "n": n,
        "load_s": load_s,
        "rows": rows,
        "p95": _p95(everything),
        "baseline_p95": _p95(baseline_all),
    }


def _format(results: list[dict]) -> str:
    cpu = os.cpu_count()
    mem = ""
    try:
        kb = int(
            next(line for line in open("/proc/meminfo") if line.startswith("MemTotal")).split()[1]
        )
        mem = f"{kb / 1024 / 1024:.0f} GiB"
    except (OSError, StopIteration, ValueError):
        pass
    lines = [
        SECTION_START,
        "## Citizen's Manual search (`bench/manual_search.py`)",
        "",
        f"Run {time.strftime('%Y-%m-%d %H:%M %Z')} on {cpu} cores / {mem}, "
        f"Python {platform.python_version()}. `service_search()` as the page and the API "
        "call it (segmenting, index lookup, LIKE check, ranking of up to 150 candidates, "
        "first 50 returned). Baseline: the same queries with the index switched off "
        "(SQLite without the FTS5 trigram table; PostgreSQL with index scans disabled), "
        "measured in the same run. Times in milliseconds.",
        "",
    ]
    for result in results:
        lines += [
            f"### {result['vendor']}: {result['n']:,} published services "
            f"(generated in {result['load_s']:.0f} s)",
            "",
            f"**p95 over all queries: {result['p95']:.1f} ms** (target ≤ 50 ms); "
            f"baseline p95 {result['baseline_p95']:.1f} ms.",
            "",
            "| query | results | median | p95 | baseline median | baseline p95 |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        for query, hits, med, p95, bmed, bp95 in result["rows"]:
            lines.append(f"| {query} | {hits} | {med:.1f} | {p95:.1f} | {bmed:.1f} | {bp95:.1f} |")
        lines.append("")
    lines.append(SECTION_END)
    return "\n".join(lines)


def _write(section: str) -> None:
    path = ROOT / "docs" / "benchmarks.md"
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    if SECTION_START in text and SECTION_END in text:
        head, rest = text.split(SECTION_START, 1)
        _old, tail = rest.split(SECTION_END, 1)
        text = head + section + tail
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    path.write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=40)
    parser.add_argument("--write", action="store_true")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    urls = {
        "sqlite": "sqlite:////tmp/manual_bench.sqlite3",
        "postgresql": "postgres://postgres@127.0.0.1:5432/manualbench",
    }
    if args.child:  # one database per process: Django is set up once per process
        import json

        print(json.dumps(run(args.child, urls[args.child], args.n, args.repeats)))
        return
    import json

    results = []
    for vendor in [args.only] if args.only else ["sqlite", "postgresql"]:
        if vendor == "postgresql":
            subprocess.run(
                [
                    "psql",
                    "-h",
                    "127.0.0.1",
                    "-U",
                    "postgres",
                    "-tc",
                    "SELECT 1 FROM pg_database WHERE datname='manualbench'",
                ],
                capture_output=True,
                check=False,
            )
            subprocess.run(
                ["createdb", "-h", "127.0.0.1", "-U", "postgres", "manualbench"],
                capture_output=True,
                check=False,
            )
        out = subprocess.run(
            [
                sys.executable,
                "-m",
                "bench.manual_search",
                "--child",
                vendor,
                "--n",
                str(args.n),
                "--repeats",
                str(args.repeats),
            ],
            capture_output=True,
            text=True,
            cwd=ROOT,
            check=True,
        )
        results.append(json.loads(out.stdout.strip().splitlines()[-1]))
    section = _format(results)
    print(section)
    if args.write:
        _write(section)


if __name__ == "__main__":
    main()
