"""Readiness survey: the form for an agency with 1,000 processes, and the cross-agency reads.

    .venv/bin/python -m bench.readiness_survey             # PostgreSQL, writes docs/benchmarks.md
    .venv/bin/python -m bench.readiness_survey --no-docs --agencies 500

Runs in a scratch PostgreSQL database `readinessbench` on 127.0.0.1 (dropped and made again).
1. The survey page (GET) and a page turn (POST: saves the draft, 50 ticks) for an agency with
   1,000 processes, against the same for an agency with 50 processes (baseline), through
   Django's test client with the test settings.
2. `readiness_latest_by_agency()` over N agencies with two submitted versions each, against
   the naive baseline of one `survey_latest_submitted` query per agency, in the same run.
3. The XLSX export of those answers and their process rows (20 per agency).
"""

import argparse
import datetime as dt
import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SERVER = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
DB_NAME = "readinessbench"
DOCS = ROOT / "docs" / "benchmarks.md"
START, END = "<!-- readiness:start -->", "<!-- readiness:end -->"


def _setup_django() -> None:
    import psycopg

    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME}")
        conn.execute(f"CREATE DATABASE {DB_NAME}")
    os.environ["DATABASE_URL"] = f"{SERVER}/{DB_NAME}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "citizeninfo.settings.test"
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.test.utils import setup_test_environment

    setup_test_environment()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _median_ms(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def _agency_with_processes(code: str, count: int):
    from accounts.tests.factories import UserFactory
    from agencies.tests.factories import DepartmentFactory
    from manual.models import Service
    from readiness import services
    from readiness.tests.factories import pin

    agency = DepartmentFactory(code=code)
    officer = UserFactory(agency=agency, email=f"officer@{code}.go.th")
    pin(agency)
    Service.objects.bulk_create(
        Service(agency=agency, code=f"p{i:04d}", name_th=f"กระบวนการที่ {i:04d}", category="other")
        for i in range(count)
    )
    draft = services.survey_open(agency=agency, by=officer)
    return officer, draft


def bench_page(repeat: int) -> dict:
    from django.db import connection
    from django.test import Client

    from readiness.models import SurveyResponse
    from readiness.tests.factories import SurveyRoundFactory, post_data

    SurveyRoundFactory()
    results = {}
    for label, count in (("50 processes (baseline)", 50), ("1,000 processes", 1000)):
        officer, draft = _agency_with_processes(f"bench{count}", count)
        client = Client()
        client.force_login(officer)
        queries = []
        with connection.execute_wrapper(
            lambda ex, sql, p, many, ctx, log=queries: log.append(sql) or ex(sql, p, many, ctx)
        ):
            assert client.get("/my-agency/readiness/").status_code == 200
        get_ms = _median_ms(lambda c=client: c.get("/my-agency/readiness/"), repeat)

        def turn(c=client, d=draft):
            d = SurveyResponse.objects.get(pk=d.pk)
            rows = list(d.rows.values_list("pk", flat=True)[:50])
            data = post_data(
                d, action="page:2", row=rows, **{f"row-{pk}-id": "on" for pk in rows[::2]}
            )
            assert c.post("/my-agency/readiness/", data).status_code == 302

        post_ms = _median_ms(turn, repeat)
        results[label] = {"get_ms": get_ms, "post_ms": post_ms, "queries": len(queries)}
    return results


def _seed_answers(n_agencies: int, rows_each: int) -> None:
    from django.utils import timezone

    from agencies.models import Agency
    from manual.models import Service
    from readiness.models import SurveyProcessRow, SurveyResponse
    from readiness.selectors import survey_round_current
    from readiness.tests.factories import SurveyRoundFactory, answers

    round = survey_round_current() or SurveyRoundFactory()
    ministry = Agency.objects.create(code="bench-m", kind="ministry", name_th="กระทรวงทดสอบ")
    agencies = Agency.objects.bulk_create(
        Agency(
            code=f"bench-a{i:05d}",
            kind="department",
            parent=ministry,
            ministry=ministry,
            name_th=f"กรมทดสอบ {i:05d}",
        )
        for i in range(n_agencies)
    )
    services = Service.objects.bulk_create(
        Service(agency=a, code=f"s{j:03d}", name_th=f"บริการ {j:03d}", category="other")
        for a in agencies
        for j in range(rows_each)
    )
    now = timezone.now()
    responses = []
    for a in agencies:
        for version, status in ((1, "superseded"), (2, "submitted")):
            responses.append(
                SurveyResponse(
                    agency=a,
                    round=round,
                    version=version,
                    status=status,
                    submitted_at=now - dt.timedelta(days=3 - version),
                    **answers(),
                )
            )
    responses = SurveyResponse.objects.bulk_create(responses, batch_size=2000)
    by_agency = {}
    for s in services:
        by_agency.setdefault(s.agency_id, []).append(s)
    SurveyProcessRow.objects.bulk_create(
        (
            SurveyProcessRow(
                response=r,
                service=s,
                position=i,
                service_name=s.name_th,
                needs_id_card_copy=i % 2 == 0,
            )
            for r in responses
            if r.status == "submitted"
            for i, s in enumerate(by_agency[r.agency_id])
        ),
        batch_size=5000,
    )


def bench_cross_agency(n_agencies: int, repeat: int) -> dict:
    from agencies.models import Agency
    from readiness import exports
    from readiness.paths import recommend
    from readiness.selectors import readiness_latest_by_agency, survey_latest_submitted

    _seed_answers(n_agencies, 20)

    def naive():
        out = []
        for agency in Agency.objects.filter(code__startswith="bench-a"):
            response = survey_latest_submitted(agency=agency)
            if response is not None:
                out.append((agency, response, recommend(response), list(response.q8_options.all())))
        return out

    assert len(readiness_latest_by_agency()) >= n_agencies
    return {
        "selector_ms": _median_ms(readiness_latest_by_agency, repeat),
        "naive_ms": _median_ms(naive, max(1, repeat // 2)),
        "xlsx_ms": _median_ms(lambda: exports.workbook(), 1),
    }


def _write(section: str) -> None:
    text = DOCS.read_text() if DOCS.exists() else "# Benchmarks\n"
    if START in text and END in text:
        head, rest = text.split(START, 1)
        _old, tail = rest.split(END, 1)
        text = head + section + tail
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    DOCS.write_text(text)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--agencies", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--no-docs", action="store_true")
    args = parser.parse_args()
    _setup_django()
    page = bench_page(args.repeat)
    cross = bench_cross_agency(args.agencies, args.repeat)
    lines = [
        START,
        "## Readiness survey (`bench/readiness_survey.py`)",
        "",
        f"Run {dt.date.today().isoformat()} on {platform.node()} ({os.cpu_count()} cores), "
        "PostgreSQL 15 on loopback, test settings, Django's test client; medians of "
        f"{args.repeat} runs. Command: `.venv/bin/python -m bench.readiness_survey`.",
        "",
        "| survey page | GET ms | queries (GET) | page turn (POST: save draft + 50 ticks) ms |",
        "|---|---|---|---|",
    ]
    for label, r in page.items():
        lines.append(f"| {label} | {r['get_ms']:.1f} | {r['queries']} | {r['post_ms']:.1f} |")
    lines += [
        "",
        f"{args.agencies:,} agencies, two submitted versions each, 20 process rows each:",
        "",
        "| read | ms |",
        "|---|---|",
        f"| `readiness_latest_by_agency()` (one query + prefetch) | {cross['selector_ms']:.1f} |",
        f"| baseline: one query per agency | {cross['naive_ms']:.1f} |",
        f"| XLSX export (answers + {args.agencies * 20:,} process rows) | {cross['xlsx_ms']:.1f} |",
        "",
        "Reading: the page's queries do not grow with the number of processes (50 rows a "
        "page); a page turn saves the draft and re-syncs the table by ids and names only. The "
        "XLSX time is almost all openpyxl writing cells; the CSV exports stream instead.",
        END,
    ]
    section = "\n".join(lines)
    print(section)
    if not args.no_docs:
        _write(section)


if __name__ == "__main__":
    main()
