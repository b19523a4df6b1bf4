"""CPU per call of the complaints' public reads, for comparing two versions of the code on the
same kept database in the same minute (ADR 0103).

Run it from each code root in turn, against the database that `bench.complaints_bench
--keepdb` kept (its `test_` name), e.g. the branch and `git archive <base>` in /tmp/old:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test_h12b \\
        .venv/bin/python bench/complaints_cpu.py --runs 10
    (cd /tmp/old && DATABASE_URL=… /path/to/.venv/bin/python /path/to/bench/complaints_cpu.py)

The code measured is the current directory's (it goes first on sys.path). CPU per call is
this process's plus its PostgreSQL backend's (from /proc), which a busy machine inflates far
less than the wall clock.
"""

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "citizeninfo.settings.test")
sys.path.insert(0, os.getcwd())

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from service_points.divisions import province_choices  # noqa: E402


def _backend_ticks() -> int:
    with connection.cursor() as c:
        c.execute("SELECT pg_backend_pid()")
        pid = c.fetchone()[0]
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("only", nargs="*", help="measure only names containing one of these")
    args = parser.parse_args()
    client = Client()
    provinces = [code for code, _ in province_choices()]
    rng = random.Random(7)
    # Page 41 of a province: the old code reads ?page=41 (an offset), the new ?after=<id>
    # (a keyset); both parameters are sent, each version uses its own.
    from complaints.models import Complaint

    deep = {
        p: Complaint.objects.filter(held=False, province_code=p)
        .order_by("-created_at", "-pk")
        .values_list("pk", flat=True)[2000 - 1]
        for p in provinces[:10]
    }
    urls = {
        "list, province, page 41": lambda: "/complaints/?province={}&page=41&after={}".format(
            *rng.choice(list(deep.items()))
        ),
        "list, province + open": lambda: (
            f"/complaints/?province={rng.choice(provinces)}&state=open"
        ),
        "list, no filter": lambda: "/complaints/",
        "map, province + in_progress": lambda: (
            f"/complaints/map.geojson?province={rng.choice(provinces)}&state=in_progress"
        ),
        "map, no filter": lambda: "/complaints/map.geojson",
        "Open311 requests.json": lambda: "/open311/v2/requests.json",
        "Open311 requests.xml": lambda: "/open311/v2/requests.xml",
    }
    print(f"{os.getcwd()} · load average {os.getloadavg()[0]:.1f}")
    for name, url in urls.items():
        if args.only and not any(o in name for o in args.only):
            continue
        first = client.get(url())
        assert first.status_code == 200, (name, first.status_code)
        cpu, ticks, walls = time.process_time(), _backend_ticks(), []
        for _ in range(args.runs):
            t = time.perf_counter()
            client.get(url())
            walls.append((time.perf_counter() - t) * 1000)
        py = (time.process_time() - cpu) * 1000 / args.runs
        pg = (_backend_ticks() - ticks) * 1000 / os.sysconf("SC_CLK_TCK") / args.runs
        print(
            f"{name:30} CPU {py + pg:7.1f} ms (Python {py:6.1f}, PostgreSQL {pg:5.1f})"
            f"  median {statistics.median(walls):7.1f} ms  {len(first.content):,} B",
            flush=True,
        )


if __name__ == "__main__":
    main()
