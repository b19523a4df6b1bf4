"""A citizen's "who read my data" at national scale, on PostgreSQL (issue 14).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/gdx14log_bench \\
        .venv/bin/python -m bench.citizen_readings [--leaves 10000000] [--runs 40] [--write]

One citizen has 1,000 exchanges (2,000 log entries: each request and its answer) in a log of
``--leaves`` entries (5 M exchanges about 1 M other citizens). The log, the exchange rows and
every stored Merkle subtree are generated in SQL (``generate_series``, PostgreSQL's own
``sha256``), not through the ORM; the database is kept between runs and rebuilt only when its
size differs (``--rebuild`` forces it). Timed in this process, wall clock and CPU time
(``time.process_time``: this process only, not PostgreSQL's), each operation ``--runs`` times:

- page: ``subject_readings(limit=100)``, the first page of /me/;
- page with proofs: that page and ``subject_proof_bundle(limit=100)``, the proofs of its 200
  entries (what a page that carries its proofs, rather than fetching each, would cost);
- proof: ``subject_reading_proof`` of one entry, what each "verify" button fetches;
- bundle: ``subject_proof_bundle``, all 2,000 entries with their inclusion proofs against one
  signed tree head (the downloadable proof bundle; "including the proofs' data");
- baseline, in the same run: the same 2,000 proofs one ``log.inclusion`` at a time (what the
  per-entry ``who_asked`` does: two queries each).

Then Chromium (Debian's /usr/bin/chromium, headless) verifies 200 of the bundle's proofs with
exchange/static/exchange/verify-inclusion.js, timed inside the page with performance.now().
"""

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "citizeninfo.settings.test")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/gdx14log_bench")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402

from agencies.models import Agency  # noqa: E402
from exchange import log, selectors  # noqa: E402
from exchange.hub import hub_key_generate  # noqa: E402
from exchange.models import LogState, Member, SignedTreeHead  # noqa: E402

TARGET = "7" * 64  # the citizen's pseudonym
READINGS = 1000
CONSUMERS = 12
ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "exchange" / "static" / "exchange" / "verify-inclusion.js"


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[18] if len(samples) >= 20 else max(samples)


def execute(sql: str) -> None:
    """Generated SQL without parameters (values are numbers and constants made here)."""
    with connection.cursor() as cursor:
        cursor.execute(sql, None)


def members() -> tuple[list[int], int]:
    provider = Agency.objects.get_or_create(
        code="bench_bora", defaults={"kind": "independent", "name_th": "สำนักบริหารการทะเบียน"}
    )[0]
    prov = Member.objects.get_or_create(agency=provider)[0]
    consumers = []
    for i in range(CONSUMERS):
        agency = Agency.objects.get_or_create(
            code=f"bench_c{i}",
            defaults={"kind": "independent", "name_th": f"สำนักงานที่ดินทดสอบ {i}"},
        )[0]
        consumers.append(Member.objects.get_or_create(agency=agency)[0].pk)
    return consumers, prov.pk


def _pseudonym_sql(k: str, every: int) -> str:
    """The citizen for exchange k: the target one in ``every``, else one of 1 M others."""
    return (
        f"CASE WHEN {k} % {every} = 17 THEN '{TARGET}' "
        f"ELSE encode(sha256(('citizen-' || ({k} % 1000003))::bytea), 'hex') END"
    )


def generate_leaves(n_leaves: int, every: int, *, start: int = 0, chunk: int = 1_000_000) -> None:
    pseudonym = _pseudonym_sql("(i / 2)", every)
    data = (
        'convert_to(format(\'{"at":%s,"consumer":"bench_c%s","document_type":'
        '"person_record","envelope_digest":"%s","event":"%s","provider":'
        '"bench_bora","purpose":"land-title-transfer","request_id":"%s",'
        '"subject_pseudonym":"%s","v":1}\', 1764460800 + i / 2, (i / 2) % '
        f"{CONSUMERS}, md5(i::text) || md5((i + 1)::text), "
        "CASE WHEN i % 2 = 0 THEN 'request' ELSE 'response' END, md5((i / 2)::text)::uuid, "
        f"{pseudonym}), 'UTF8')"
    )
    for first in range(start, n_leaves, chunk):
        end = min(n_leaves, first + chunk) - 1
        t = time.perf_counter()
        execute(
            "INSERT INTO exchange_auditlogleaf (index, leaf_hash, data, event, request_id, "  # noqa: S608
            "subject_pseudonym, created_at) "
            "SELECT i, sha256('\\x00'::bytea || d), d, "
            "CASE WHEN i % 2 = 0 THEN 'request' ELSE 'response' END, md5((i / 2)::text)::uuid, "
            f"{pseudonym}, to_timestamp(1764460800 + i / 2) "
            f"FROM generate_series({first}, {end}) i, LATERAL (SELECT {data} AS d) x"
        )
        print(f"  leaves {first:,}..{end:,} in {time.perf_counter() - t:.0f} s", flush=True)


def generate_exchanges(n_exchanges: int, every: int, consumers: list[int], provider: int) -> None:
    consumer = f"(ARRAY{consumers}::bigint[])[1 + k % {len(consumers)}]"
    t = time.perf_counter()
    execute(
        "INSERT INTO exchange_exchange (request_id, consumer_id, provider_id, document_type, "  # noqa: S608
        "purpose, officer, legal_basis, subject_pseudonym, issued_at, expires_at, received_at, "
        "completed_at, status, refusal_code, request_digest, response_digest, "
        "request_leaf_index, response_leaf_index, hub_ms) "
        f"SELECT md5(k::text)::uuid, {consumer}, {provider}, 'person_record', "
        "'land-title-transfer', 'officer-' || (k % 997), 'Land Code s.71', "
        f"{_pseudonym_sql('k', every)}, to_timestamp(1764460800 + k), "
        "to_timestamp(1764460920 + k), to_timestamp(1764460800 + k), "
        "to_timestamp(1764460801 + k), 'delivered', '', md5(k::text) || md5(k::text), "
        "md5((k + 1)::text) || md5((k + 1)::text), 2 * k, 2 * k + 1, 5.0 "
        f"FROM generate_series(0, {n_exchanges - 1}) k"
    )
    print(f"  {n_exchanges:,} exchanges in {time.perf_counter() - t:.0f} s", flush=True)


def generate_subtrees(n_leaves: int) -> None:
    """Every perfect subtree (level >= 1), level by level, as exchange.log stores them."""
    t = time.perf_counter()
    execute(
        "INSERT INTO exchange_merklesubtree (level, index, hash) "
        "SELECT 1, l.index / 2, sha256('\\x01'::bytea || l.leaf_hash || r.leaf_hash) "
        "FROM exchange_auditlogleaf l JOIN exchange_auditlogleaf r ON r.index = l.index + 1 "
        "WHERE l.index % 2 = 0"
    )
    level, width = 1, n_leaves // 2
    while width >= 2:
        execute(
            "INSERT INTO exchange_merklesubtree (level, index, hash) "  # noqa: S608
            f"SELECT {level + 1}, l.index / 2, sha256('\\x01'::bytea || l.hash || r.hash) "
            "FROM exchange_merklesubtree l JOIN exchange_merklesubtree r "
            "ON r.level = l.level AND r.index = l.index + 1 "
            f"WHERE l.level = {level} AND l.index % 2 = 0"
        )
        level, width = level + 1, width // 2
    print(f"  subtrees to level {level} in {time.perf_counter() - t:.0f} s", flush=True)


def without_secondary_indexes(table: str):
    """Drop a table's unique constraints and plain indexes (its primary key and
    ``keep`` stay), returning the statements that put them back, so a bulk load builds
    each index once, sorted, instead of inserting 10 M random keys one by one."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype = 'u'",
            [table],
        )
        constraints = cursor.fetchall()
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND indexname "
            "NOT IN (SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass)",
            [table, table],
        )
        indexes = cursor.fetchall()
    keep = {"exchange_auditlogleaf_index_key", "exchange_subtree_unique"}
    restore = []
    for name, definition in constraints:
        if name not in keep:
            execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
            restore.append(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
    for name, definition in indexes:
        execute(f'DROP INDEX "{name}"')
        restore.append(definition)
    return restore


def generate(n_leaves: int) -> None:
    every = (n_leaves // 2) // READINGS
    consumers, provider = members()
    execute("TRUNCATE exchange_merklesubtree, exchange_signedtreehead, exchange_exchange")
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*), coalesce(max(index), -1) FROM exchange_auditlogleaf")
        count, top = cursor.fetchone()
    done = count if count == top + 1 and count % 1_000_000 == 0 and count <= n_leaves else 0
    if not done:
        execute("TRUNCATE exchange_auditlogleaf")
    # Kept in a file until they are back, so an interrupted run's next run restores them.
    pending = Path(settings.VAR_DIR) / "bench" / "gdx14log-restore.sql"
    restore = pending.read_text().splitlines() if pending.exists() else []
    restore += without_secondary_indexes("exchange_auditlogleaf")
    restore += without_secondary_indexes("exchange_exchange")
    pending.write_text("\n".join(restore))
    generate_leaves(n_leaves, every, start=done)
    generate_exchanges(n_leaves // 2, every, consumers, provider)
    generate_subtrees(n_leaves)
    t = time.perf_counter()
    execute("SET maintenance_work_mem = '512MB'")
    for statement in restore:
        execute(statement)
    pending.unlink()
    print(f"  indexes rebuilt in {time.perf_counter() - t:.0f} s", flush=True)
    LogState.objects.update_or_create(pk=1, defaults={"tree_size": n_leaves})
    t = time.perf_counter()
    execute("VACUUM ANALYZE exchange_auditlogleaf")
    execute("VACUUM ANALYZE exchange_merklesubtree")
    execute("VACUUM ANALYZE exchange_exchange")
    print(f"  vacuum analyze in {time.perf_counter() - t:.0f} s", flush=True)


def timed(fn, runs: int) -> dict:
    walls, cpus, queries = [], [], 0
    for _ in range(runs):
        reset_queries()
        w, c = time.perf_counter(), time.process_time()
        fn()
        cpus.append((time.process_time() - c) * 1000)
        walls.append((time.perf_counter() - w) * 1000)
        queries = len(connection.queries)
    return {
        "p50": statistics.median(walls),
        "p95": p95(walls),
        "cpu_p50": statistics.median(cpus),
        "cpu_p95": p95(cpus),
        "queries": queries,
    }


def measure(runs: int) -> dict:
    settings.DEBUG = True  # query counts
    log.tree_head_issue()
    readings = selectors.subject_readings(pseudonym=TARGET, limit=100)
    assert len(readings) == 100, len(readings)
    one = readings[len(readings) // 2]["index"]
    bundle = selectors.subject_proof_bundle(pseudonym=TARGET)
    assert len(bundle["entries"]) == 2 * READINGS, len(bundle["entries"])
    size = bundle["tree_size"]
    indexes = [e["leaf_index"] for e in bundle["entries"]]
    results = {
        "page": timed(lambda: selectors.subject_readings(pseudonym=TARGET, limit=100), runs),
        "page_proofs": timed(
            lambda: (
                selectors.subject_readings(pseudonym=TARGET, limit=100),
                selectors.subject_proof_bundle(pseudonym=TARGET, limit=100),
            ),
            runs,
        ),
        "proof": timed(lambda: selectors.subject_reading_proof(pseudonym=TARGET, index=one), runs),
        "bundle": timed(lambda: selectors.subject_proof_bundle(pseudonym=TARGET), runs),
        "baseline": timed(lambda: [log.inclusion(i, size) for i in indexes], 3),
    }
    results["bundle_bytes"] = len(json.dumps(bundle))
    results["sample"] = bundle
    return results


BROWSER_TIMING = """async (docs) => {
  const v = window.CitizenInfoVerify;
  await v.verifyProof(docs[0]);  // warm up
  const times = [];
  let holds = 0, reason = "";
  for (const doc of docs) {
    const t = performance.now();
    const result = await v.verifyProof(doc);
    times.push(performance.now() - t);
    if (result.holds && result.signature === "valid") holds++;
    else reason = reason || result.reason;
  }
  return {times, holds, reason};
}"""


def browser(bundle: dict, count: int = 200) -> dict | None:
    if not Path("/usr/bin/chromium").exists() or not SCRIPT.exists():
        print("  /usr/bin/chromium or the script missing: browser timing skipped", flush=True)
        return None
    from playwright.sync_api import sync_playwright

    docs = [
        {**e, "tree_size": bundle["tree_size"], "sth": bundle["sth"], "hub_key": bundle["hub_key"]}
        for e in bundle["entries"][:count]
    ]
    with sync_playwright() as p:
        chromium = p.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--no-sandbox", "--disable-gpu"],
            headless=True,
        )
        page = chromium.new_page()
        # Web Crypto needs a secure context: an https page answered here, never fetched.
        page.route(
            "https://bench.invalid/",
            lambda route: route.fulfill(
                content_type="text/html",
                body="<!doctype html><html lang='th'><body></body></html>",
            ),
        )
        page.goto("https://bench.invalid/")
        page.add_script_tag(path=str(SCRIPT))
        result = page.evaluate(BROWSER_TIMING, docs)
        version = chromium.version
        chromium.close()
    times = result["times"]
    return {
        "n": len(times),
        "holds": result["holds"],
        "p50": statistics.median(times),
        "p95": p95(times),
        "max": max(times),
        "chromium": version,
        "reason": result["reason"],
    }


def report(n_leaves: int, results: dict, web: dict | None, generated: str) -> str:
    load = os.getloadavg()
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg = cursor.fetchone()[0]
    lines = [
        f"### {n_leaves:,} log entries, one citizen with {READINGS:,} readings "
        f"({2 * READINGS:,} entries) ({now})",
        "",
        f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, PostgreSQL {pg}; load average "
        f"{load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} at the end (shared machine). {generated}",
        "",
        "| operation | p50 ms | p95 ms | CPU p50 ms | CPU p95 ms | queries |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    names = {
        "page": "readings page (100 newest)",
        "page_proofs": "readings page with its proofs (100 readings, 200 entries, one head)",
        "proof": "one entry's proof (a verify button)",
        "bundle": f"proof bundle: {2 * READINGS:,} entries with proofs, one tree head",
        "baseline": f"baseline: the same {2 * READINGS:,} proofs one at a time",
    }
    for key, name in names.items():
        r = results[key]
        lines.append(
            f"| {name} | {r['p50']:.1f} | {r['p95']:.1f} | {r['cpu_p50']:.1f} | "
            f"{r['cpu_p95']:.1f} | {r['queries']} |"
        )
    ratio = results["baseline"]["p50"] / results["bundle"]["p50"]
    cpu_ratio = results["baseline"]["cpu_p50"] / results["bundle"]["cpu_p50"]
    lines += [
        "",
        f"Bundle vs baseline: {ratio:.1f}× faster wall clock, {cpu_ratio:.1f}× less CPU "
        f"(p50); the bundle is {results['bundle_bytes'] / 1024:.0f} KiB of JSON.",
    ]
    if web:
        lines += [
            "",
            f"Browser ({web['chromium']}, headless): verify-inclusion.js checked {web['n']} "
            f"proofs (SHA-256 path and Ed25519 tree-head signature through Web Crypto), "
            f"{web['holds']} held{web['reason']}; per proof p50 {web['p50']:.2f} ms, p95 {web['p95']:.2f} ms, "
            f"max {web['max']:.2f} ms.",
        ]
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--leaves", type=int, default=10_000_000)
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--generate-only", action="store_true")
    parser.add_argument("--write", action="store_true", help="append to docs/benchmarks.md")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        print("This benchmark needs PostgreSQL (DATABASE_URL).", file=sys.stderr)
        return 2
    if args.leaves % 2 or args.leaves < 4 * READINGS:
        print("--leaves must be even and at least 4,000.", file=sys.stderr)
        return 2
    key = Path(settings.VAR_DIR) / "bench" / "gdx14log-hub.pem"
    if not key.exists():
        hub_key_generate(key)
    settings.GDX_HUB_KEY_FILE = str(key)
    call_command("migrate", verbosity=0)
    size = LogState.objects.filter(pk=1).values_list("tree_size", flat=True).first()
    generated = "Data kept from an earlier run."
    if args.rebuild or size != args.leaves:
        print(f"Generating {args.leaves:,} log entries…", flush=True)
        t = time.perf_counter()
        generate(args.leaves)
        generated = f"Generated in {time.perf_counter() - t:.0f} s."
        SignedTreeHead.objects.all().delete()
    if args.generate_only:
        print(generated)
        return 0
    results = measure(args.runs)
    web = browser(results.pop("sample"))
    text = report(args.leaves, results, web, generated)
    print(text)
    if args.write:
        path = ROOT / "docs" / "benchmarks.md"
        path.write_text(path.read_text() + "\n" + text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
