"""XLSX engines for the one safe tabular writer (`core.tabular`): openpyxl vs XlsxWriter.

    .venv/bin/python -m bench.tabular_xlsx                 # 40,000 rows, then 400,000
    .venv/bin/python -m bench.tabular_xlsx --rows 40000

Rows are shaped like the open-data set (27 columns of `OPEN_COLUMNS`, Thai and English text,
codes, coordinates as text as the selector gives them). Each engine writes the same rows,
cleaned by `core.tabular.safe_row`, to a temporary file; the baseline (openpyxl's write-only
workbook, what the exports used before) runs in the same process. Reported: rows/s (wall),
CPU seconds, and the peak of Python allocations (tracemalloc, a separate run) so that "flat
memory" can be read off the two sizes. No database: this measures the writer only.
"""

import argparse
import gc
import random
import tempfile
import time
import tracemalloc

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
    xlsx_write([Sheet("service-points", [f"c{i}" for i in range(COLUMNS)], rows)], out)


ENGINES = {
    "openpyxl write_only (baseline)": write_openpyxl,
    "XlsxWriter constant_memory": write_xlsxwriter,
}


def run(n: int) -> dict[str, tuple[float, float, float]]:
    results = {}
    for name, write in ENGINES.items():
        gc.collect()
        with tempfile.TemporaryFile() as out:
            wall, cpu = time.perf_counter(), time.process_time()
            write(make_rows(n), out)
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            size = out.tell()
        gc.collect()
        tracemalloc.start()
        with tempfile.TemporaryFile() as out:
            write(make_rows(n), out)
        peak = tracemalloc.get_traced_memory()[1] / 1e6
        tracemalloc.stop()
        results[name] = (n / wall, cpu, peak)
        print(
            f"{n:>8,} rows  {name:<32} {n / wall:>9,.0f} rows/s  {n / cpu:>9,.0f} rows/CPU-s"
            f"  peak {peak:6.1f} MB  file {size / 1e6:.1f} MB",
            flush=True,
        )
    base = results["openpyxl write_only (baseline)"][0]
    fast = results["XlsxWriter constant_memory"][0]
    print(f"{n:>8,} rows  ratio XlsxWriter / openpyxl: {fast / base:.2f}x", flush=True)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[40_000, 400_000])
    args = parser.parse_args()
    for n in args.rows:
        run(n)


if __name__ == "__main__":
    main()
