"""Benchmark ``skm compute`` on generated CSVs of 100k and 1M rows.

Generates the files once under bench/out/ (deterministic), then runs the real command as a
separate process several times and reports the median wall time, rows per second and the peak
resident memory of the child (ru_maxrss). Prints a Markdown table for docs/performance.md.

    make bench                       # or: .venv/bin/python bench/bench_compute.py --runs 5
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

OUT = Path(__file__).resolve().parent / "out"
LAYANAN = ["Jumantik", "Ketertiban Umum", "PKK", "Posyandu", "PPSU", "RPTRA",
           "RT/RW, LMK dan FKDM"]
HEADER = "tanggal;layanan;U1;U2;U3;U4;U5;U6;U7;U8;U9;jenis_kelamin;usia;pendidikan;pekerjaan\n"


def generate(path: Path, rows: int) -> None:
    rng = random.Random(rows)
    answers = ["4", "4", "4", "3", "3", "2", "1", ""]
    pendidikan = ["SD", "SMP", "SMA", "DIII", "S1", "S2", "S3", ""]
    pekerjaan = ["PNS", "TNI", "POLRI", "Swasta", "Wirausaha", "Lainnya"]
    tmp = path.with_suffix(".tmp")
    with open(tmp, "w", encoding="utf-8") as handle:
        handle.write(HEADER)
        for _ in range(rows):
            cells = [rng.choice(answers) for _ in range(9)]
            handle.write(
                f"2024-{rng.randint(7, 12):02d}-{rng.randint(1, 28):02d};{rng.choice(LAYANAN)};"
                + ";".join(cells)
                + f";{rng.choice('LP')};{rng.randint(17, 80)};{rng.choice(pendidikan)};"
                f"{rng.choice(pekerjaan)}\n"
            )
    tmp.replace(path)


def run_once(skm: str, path: Path) -> tuple[float, int]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    subprocess.run([skm, "compute", str(path), "--format", "json"], check=True,
                   stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    # ru_maxrss of children is the largest child so far: report it only when it grew, else the
    # earlier maximum stands (the runs are alike, so the figure is the peak of any run).
    return wall, max(peak_kib, before)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--sizes", default="100000,1000000")
    args = parser.parse_args()
    skm = str(Path(sys.executable).with_name("skm"))
    OUT.mkdir(exist_ok=True)
    print(f"date: {date.today().isoformat()}; machine: {platform.machine()}, "
          f"{os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()}")
    print()
    print("| rows | file MB | median s | rows/s | peak MB |")
    print("|---:|---:|---:|---:|---:|")
    for size in (int(s) for s in args.sizes.split(",")):
        path = OUT / f"compute-{size}.csv"
        if not path.exists():
            generate(path, size)
        run_once(skm, path)  # warm-up: page cache, bytecode
        walls, peak = [], 0
        for _ in range(args.runs):
            wall, peak = run_once(skm, path)
            walls.append(wall)
        median = statistics.median(walls)
        print(f"| {size:,} | {path.stat().st_size / 1e6:.1f} | {median:.2f} | "
              f"{size / median:,.0f} | {peak / 1024:.0f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
