"""Benchmark the documents of the demo unit (Jatinegara Kaum, Semester II 2024).

Builds the demo database (``skm demo``'s data: 594 respondents over seven layanan, the seed's
three RTL items with their photos) in its own SQLite file under ``bench/out/reports/``, then times
every registered report kind and format as the median of several in-process runs after a
warm-up, and one whole ``skm report`` process per kind for the cost a CLI user sees (Django
start-up included). Prints a Markdown table for docs/performance.md.

Target (issue 4): DOCX plus PDF of ``tindak-lanjut`` under 3 s.

    make bench                                     # or:
    .venv/bin/python bench/bench_reports.py --runs 5
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = Path(__file__).resolve().parent / "out" / "reports"
UNIT, PERIOD = "jatinegara-kaum", "2024-S2"
TARGET_S = 3.0


def setup(var_dir: Path) -> None:
    var_dir.mkdir(parents=True, exist_ok=True)
    os.environ["SKM_VAR_DIR"] = str(var_dir)
    os.environ["SKM_DATABASE_URL"] = f"sqlite:///{var_dir / 'bench.sqlite3'}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "skm.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from skm.core.demo import build_demo

    build_demo(force=True)


def median_seconds(fn, runs: int) -> tuple[float, int]:
    fn()  # warm-up: imports, fonts, template parsing
    times, size = [], 0
    for _ in range(runs):
        start = time.perf_counter()
        size = len(fn())
        times.append(time.perf_counter() - start)
    return statistics.median(times), size


def process_seconds(kind: str, fmt: str, var_dir: Path) -> float:
    out = var_dir / f"cli.{fmt}"
    start = time.perf_counter()
    subprocess.run([str(ROOT / ".venv" / "bin" / "skm"), "report", kind, "--unit", UNIT,
                    "--period", PERIOD, "--out", str(out)], check=True, env=os.environ.copy(),
                   stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    setup(OUT)
    from skm.reports.registry import REPORTS, build
    from skm.units.models import Period, Unit

    unit = Unit.objects.get(slug=UNIT)
    period = Period.objects.get(code=PERIOD)
    rows, medians = [], {}
    for kind in sorted(REPORTS):
        for fmt in REPORTS[kind].formats:
            seconds, size = median_seconds(lambda k=kind, f=fmt: build(k, f, unit, period),
                                           args.runs)
            medians[(kind, fmt)] = seconds
            whole = process_seconds(kind, fmt, OUT)
            rows.append(f"| `{kind}` | {fmt} | {seconds * 1000:,.0f} ms | {whole:,.2f} s "
                        f"| {size / 1024:,.0f} KB |")
    both = medians.get(("tindak-lanjut", "docx"), 0) + medians.get(("tindak-lanjut", "pdf"), 0)
    print(f"Reports of {UNIT} {PERIOD}, {date.today()}, {platform.machine()}, "
          f"{os.cpu_count()} cores, Python {platform.python_version()}, median of {args.runs}")
    print()
    print("| report | format | in process (median) | `skm report` process | size |")
    print("|---|---|---|---|---|")
    print("\n".join(rows))
    print()
    verdict = "meets" if both < TARGET_S else "MISSES"
    print(f"tindak-lanjut DOCX + PDF: {both:.2f} s ({verdict} the {TARGET_S:.0f} s target)")
    return 0 if both < TARGET_S else 1


if __name__ == "__main__":
    sys.exit(main())
