"""Benchmark ``skm import``: 1M CSV rows and an XLSX file into SQLite and PostgreSQL.

Generates the files once into ``bench/out/`` (a CSV of 1,000,000 rows shaped like
``skm/data/contoh-jatinegara-kaum-2024-S2.csv``: tanggal, layanan, U1..U9 with some blanks,
the four profile fields, saran; an XLSX of 200,000 rows by default, since writing a 1M-row XLSX
takes minutes: ``--xlsx-rows 1000000`` for the full size), then imports each file into each
database in a separate process, so each peak memory figure (``resource.getrusage``) is that
import's own. SQLite is a fresh file under ``bench/out/``; PostgreSQL is a dedicated database
``skm_bench_import`` on 127.0.0.1:5432 (user postgres, created if missing, emptied before each
run). On PostgreSQL three insert methods are timed on the CSV: COPY with the foreign key
checks replaced by row locks (the default for a superuser connection, ``copy-locked``), COPY with
PostgreSQL's own per-row checks (``copy-checked``, what any other role gets) and ``executemany``;
then ``postgresql-granted``: the default again, connected as a role that is not a superuser but
was granted ``SET`` on ``session_replication_role`` (PostgreSQL 15; docs/import.md).

Prints a Markdown table for docs/performance.md. Target: 1M CSV rows into PostgreSQL < 60 s.

    make bench                                   # or:
    .venv/bin/python bench/bench_import.py
    .venv/bin/python bench/bench_import.py --rows 100000 --xlsx-rows 50000 --skip-postgres
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import random
import resource
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_results import ensure_database  # noqa: E402

OUT = Path(__file__).resolve().parent / "out"
PG_URL = "postgresql://postgres@127.0.0.1:5432/skm_bench_import"
GRANTED_ROLE = "skm_bench_importer"
GRANTED_URL = f"postgresql://{GRANTED_ROLE}@127.0.0.1:5432/skm_bench_import"
PERIOD = "2024-S2"
LAYANAN = ["Jumantik", "Ketertiban Umum", "PKK", "Posyandu", "PPSU", "RPTRA",
           "RT/RW, LMK dan FKDM"]
HEADER = ["tanggal", "layanan", *(f"U{i}" for i in range(1, 10)), "jenis_kelamin", "usia",
          "pendidikan", "pekerjaan", "saran"]
TARGET_S = 60


def generated_rows(n: int, seed: int = 14):
    rng = random.Random(seed)
    start = date(2024, 7, 1)
    days = [(start + timedelta(d)).isoformat() for d in range(184)]
    answers = ["4"] * 6 + ["3"] * 3 + ["2", "1", ""]
    for _ in range(n):
        yield [
            rng.choice(days), rng.choice(LAYANAN), *(rng.choice(answers) for _ in range(9)),
            rng.choice("LP"), str(rng.randint(17, 80)),
            rng.choice(("SD", "SMP", "SMA", "DIII", "S1", "S2", "")),
            rng.choice(("PNS", "Swasta", "Wirausaha", "Lainnya", "")), "",
        ]


def write_csv(path: Path, n: int) -> float:
    started = time.perf_counter()
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(HEADER)
        writer.writerows(generated_rows(n))
    return time.perf_counter() - started


def write_xlsx(path: Path, n: int) -> float:
    import xlsxwriter

    started = time.perf_counter()
    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = workbook.add_worksheet("Data")
    sheet.write_row(0, 0, HEADER)
    for r, row in enumerate(generated_rows(n), start=1):
        # numbers as numbers, as a person typing into Excel leaves them
        sheet.write_row(r, 0, [int(c) if c.isdigit() else c for c in row])
    workbook.close()
    return time.perf_counter() - started


def grant_role() -> None:
    """The role of the ``postgresql-granted`` case: not a superuser, with the tables' rights
    and, as docs/import.md advises, ``SET`` on ``session_replication_role`` (PostgreSQL 15)."""
    import psycopg

    with psycopg.connect(PG_URL, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s",
                            (GRANTED_ROLE,)).fetchone():
            conn.execute(f"CREATE ROLE {GRANTED_ROLE} LOGIN")
        conn.execute(f"GRANT ALL ON ALL TABLES IN SCHEMA public TO {GRANTED_ROLE}")
        conn.execute(f"GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO {GRANTED_ROLE}")
        conn.execute(f"GRANT SET ON PARAMETER session_replication_role TO {GRANTED_ROLE}")


def run_case(database: str, path: Path, method: str | None) -> dict:
    """One import in this process (called through ``--case``); returns the figures."""
    if database == "sqlite":
        db_file = OUT / "bench_import.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db_file}{suffix}").unlink(missing_ok=True)
        os.environ["SKM_DATABASE_URL"] = f"sqlite:///{db_file}"
    elif database == "postgresql-granted":
        os.environ["SKM_DATABASE_URL"] = GRANTED_URL
    else:
        os.environ["SKM_DATABASE_URL"] = PG_URL
    os.environ.setdefault("SKM_VAR_DIR", str(OUT / "var"))
    (Path(os.environ["SKM_VAR_DIR"]) / "static").mkdir(parents=True, exist_ok=True)
    os.environ["DJANGO_SETTINGS_MODULE"] = "skm.settings"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from skm.imports.importing import import_file
    from skm.results import summary
    from skm.units.models import Period, Unit

    if database.startswith("postgresql"):
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE surveys_response, results_tallycell, imports_importbatch "
                           "CASCADE")
    unit, _ = Unit.objects.get_or_create(slug="bench-import", defaults={
        "name": "Kelurahan Bench Import", "kind": "kelurahan"})
    for order, name in enumerate(LAYANAN):
        unit.layanan.get_or_create(name=name, defaults={
            "slug": name.lower().replace("/", "-").replace(",", "").replace(" ", "-"),
            "order": order})
    period = Period.get_or_create_code(PERIOD)
    started = time.perf_counter()
    result = import_file(path, unit, period, method=method)
    seconds = time.perf_counter() - started
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    in_sync = not summary.differences([unit], [period])
    # the figures from the database equal skm compute's on the same file
    from skm.engine import DEFAULT_QUESTIONNAIRE, combine
    from skm.results.services import unit_results
    from skm.tabular import read_survey

    data = read_survey(path, DEFAULT_QUESTIONNAIRE.codes)
    expected = combine(data.layanan, DEFAULT_QUESTIONNAIRE, "mean_of_services")
    stored = unit_results(unit, period).result
    same = (stored.overall.ikm, stored.overall.respondents) == (
        expected.overall.ikm, expected.overall.respondents)
    return {"rows": result.rows, "seconds": seconds, "peak_mb": peak_kb / 1024,
            "method": result.insert_method, "in_sync": in_sync, "same_as_compute": same}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--xlsx-rows", type=int, default=200_000)
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--case", nargs=3, metavar=("DATABASE", "FILE", "METHOD"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    if args.case:
        database, file, method = args.case
        print(json.dumps(run_case(database, Path(file), None if method == "-" else method)))
        return 0
    OUT.mkdir(parents=True, exist_ok=True)
    csv_path = OUT / f"import-{args.rows}.csv"
    xlsx_path = OUT / f"import-{args.xlsx_rows}.xlsx"
    if not csv_path.exists():
        print(f"writing {csv_path.name}: {write_csv(csv_path, args.rows):.1f} s", file=sys.stderr)
    if not xlsx_path.exists():
        seconds = write_xlsx(xlsx_path, args.xlsx_rows)
        print(f"writing {xlsx_path.name}: {seconds:.1f} s", file=sys.stderr)
    cases = [("sqlite", csv_path, "-"), ("sqlite", xlsx_path, "-")]
    if not args.skip_postgres:
        ensure_database(PG_URL)
        cases += [("postgresql", csv_path, "copy"), ("postgresql", csv_path, "copy-checked"),
                  ("postgresql", csv_path, "executemany"), ("postgresql", xlsx_path, "copy"),
                  ("postgresql-granted", csv_path, "copy")]
    lines = ["| database | file | rows | insert | seconds | rows/s | peak memory |",
             "|---|---|---:|---|---:|---:|---:|"]
    figures = []
    for database, path, method in cases:
        if database == "postgresql-granted":
            grant_role()  # after the cases above have migrated the database
        done = subprocess.run(
            [sys.executable, __file__, "--case", database, str(path), method],
            capture_output=True, text=True, cwd=ROOT,
        )
        if done.returncode:
            print(done.stderr, file=sys.stderr)
            raise SystemExit(f"{database} {path.name}: failed")
        figure = json.loads(done.stdout.strip().splitlines()[-1])
        figures.append((database, path, figure))
        lines.append(
            f"| {database} | {path.suffix[1:]} ({path.stat().st_size / 1e6:.0f} MB) "
            f"| {figure['rows']:,} | {figure['method']} | {figure['seconds']:.1f} "
            f"| {figure['rows'] / figure['seconds']:,.0f} | {figure['peak_mb']:.0f} MB |"
        )
        if not (figure["in_sync"] and figure["same_as_compute"]):
            lines.append(f"WRONG after {database} {path.name}: {figure}")
        print(lines[-1], file=sys.stderr)
    print(f"\nskm import, {platform.python_implementation()} {platform.python_version()}, "
          f"{os.cpu_count()} CPUs\n")
    print("\n".join(lines))
    for database, path, figure in figures:
        if database.startswith("postgresql") and path.suffix == ".csv":
            verdict = "met" if figure["seconds"] < TARGET_S else "missed"
            print(f"\nTarget {figure['rows']:,} CSV rows into PostgreSQL < {TARGET_S} s with "
                  f"{figure['method']}: {verdict} ({figure['seconds']:.1f} s).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
