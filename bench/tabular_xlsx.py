"""XLSX engines for the one safe tabular writer (`core.tabular`): its streaming writer (ADR
0016) against XlsxWriter's constant-memory mode (the baseline, what it used before) and
openpyxl's write-only mode.

    .venv/bin/python -m bench.tabular_xlsx                 # 40,000 rows, then 400,000
    .venv/bin/python -m bench.tabular_xlsx --rows 40000
    .venv/bin/python -m bench.tabular_xlsx --no-openpyxl   # the baseline and ours only

Rows are shaped like the open-data set (27 columns of `OPEN_COLUMNS`, Thai and English text,
codes, coordinates as text as the selector gives them). Each engine writes the same rows,
cleaned by `core.tabular.safe_row`, to a temporary file; the baseline (XlsxWriter, what the
writer used before ADR 0016) runs in the same invocation. Reported: rows/s (wall),
rows per CPU-second (the steadier figure on a shared machine), and the peak RSS of a fresh
process per engine and size, so that "flat memory" can be read off the two sizes. No database: this measures the writer only.
"""

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time

from core.tabular import Sheet, safe_row, xlsx_write

COLUMNS = 27


def make_rows(n: int, seed: int = 1):
    rng = random.Random(seed)
    provinces = ["กรุงเทพมหานคร", "เชียงใหม่", "ขอนแก่น", "ภูเก็ต", "สงขลา"]
    for i in range(n):
        p = rng.choice(provinces)
        yield (
            str(i + 1),
            f"สำนักงานเขต {p} สาขา {i}",
            f"District office {i}",
            f"{rng.randrange(10000):05d}",
            "กรมการปกครอง",
            "Department of Provincial Administration",
            f"{rng.randrange(999)}/{rng.randrange(99)}",
            "ถนนพหลโยธิน",
            "100101",
            "พระบรมมหาราชวัง",
            "Phra Borom Maha Ratchawang",
            "1001",
            "พระนคร",
            "Phra Nakhon",
            "10",
            p,
            "Bangkok",
            "10200",
            f"{13 + rng.random():.6f}",
            f"{100 + rng.random():.6f}",
            "+66 2 141 7000" if i % 3 else '=HYPERLINK("http://x")',
            "จันทร์–ศุกร์ 08:30–16:30",
            "district",
            "central",
            "2026-11-25T10:00:00+07:00",
            "2026-11-25T10:00:00+07:00",
            f"https://citizen.info.go.th/points/{i}/",
        )


def write_openpyxl(rows, out) -> None:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("service-points")
    sheet.append([f"c{i}" for i in range(COLUMNS)])
    for row in rows:
        sheet.append(safe_row(row))
    workbook.save(out)


def write_xlsxwriter(rows, out) -> None:
    """What core.tabular did before ADR 0016 (its text-row fast path), the baseline."""
    import xlsxwriter

    workbook = xlsxwriter.Workbook(
        out,
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
            "tmpdir": tempfile.gettempdir(),
        },
    )
    sheet = workbook.add_worksheet("service-points")
    sheet.write_row(0, 0, [f"c{i}" for i in range(COLUMNS)], workbook.add_format({"bold": True}))
    write_string = sheet.write_string
    for r, row in enumerate(rows, start=1):
        for c, text in enumerate(safe_row(row)):
            if text:
                write_string(r, c, text)
    workbook.close()


def write_streaming(rows, out) -> None:
    xlsx_write([Sheet("service-points", [f"c{i}" for i in range(COLUMNS)], rows)], out)


ENGINES = {
    "openpyxl write_only": write_openpyxl,
    "XlsxWriter constant_memory (baseline)": write_xlsxwriter,
    "core.tabular streaming writer": write_streaming,
}


def measure(name: str, n: int) -> None:
    """One engine, one size, in this (fresh) process: prints rows/s, CPU and peak RSS."""
    write = ENGINES[name]
    with tempfile.TemporaryFile() as out:
        wall, cpu = time.perf_counter(), time.process_time()
        write(make_rows(n), out)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        size = out.tell()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"rows_s": n / wall, "rows_cpu_s": n / cpu, "rss_mb": rss, "mb": size / 1e6}))


def run(n: int, engines: list[str]) -> None:
    results = {}
    for name in engines:
        # A fresh process per engine and size: the RSS high-water mark is that engine's own.
        child = subprocess.run(
            [sys.executable, "-m", "bench.tabular_xlsx", "--child", name, "--rows", str(n)],
            check=True,
            capture_output=True,
            text=True,
        )
        r = results[name] = json.loads(child.stdout.strip().splitlines()[-1])
        print(
            f"{n:>8,} rows  {name:<32} {r['rows_s']:>9,.0f} rows/s  {r['rows_cpu_s']:>9,.0f}"
            f" rows/CPU-s  peak RSS {r['rss_mb']:6.1f} MB  file {r['mb']:.1f} MB",
            flush=True,
        )
    base, fast = (results.get(name) for name in list(ENGINES)[1:])
    if base is None or fast is None:
        return
    print(
        f"{n:>8,} rows  streaming / XlsxWriter: {fast['rows_s'] / base['rows_s']:.2f}x wall,"
        f" {fast['rows_cpu_s'] / base['rows_cpu_s']:.2f}x CPU",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[40_000, 400_000])
    parser.add_argument("--child", choices=list(ENGINES), help=argparse.SUPPRESS)
    parser.add_argument(
        "--no-openpyxl", action="store_true", help="only the baseline and the streaming writer"
    )
    args = parser.parse_args()
    if args.child:
        measure(args.child, args.rows[0])
        return
    engines = list(ENGINES)[1:] if args.no_openpyxl else list(ENGINES)
    for n in args.rows:
        run(n, engines)


if __name__ == "__main__":
    main()
