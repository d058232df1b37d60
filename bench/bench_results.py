"""Benchmark the results of one unit-period holding 1M responses, on PostgreSQL.

Loads the responses once into a dedicated database (``skm_bench``, created if missing) with
PostgreSQL's COPY, brings the summary table in step (``skm.results.summary.rebuild``, as after
any bulk load), then times, each as the median of several runs after a warm-up:

- the results page ``/u/<slug>/<period>/`` through Django's test client, logged in as an admin
  (if that page does not exist yet: ``skm.results.services.unit_results`` directly, and says so);
- ``skm.results.services.unit_results`` alone (the numbers without the HTML);
- ``skm results --unit ... --period ... --format json`` as a separate process;
- for comparison, the GROUP BY over the responses that the summary table saves each request.

Prints a Markdown table for docs/performance.md. Target: the results page under 300 ms.

    make bench                                   # or:
    .venv/bin/python bench/bench_results.py --runs 9
    .venv/bin/python bench/bench_results.py --database-url postgresql://user@host:5432/skm_bench
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = Path(__file__).resolve().parent / "out"
DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/skm_bench"
SLUG = "bench-kelurahan"
PERIOD = "2024-S2"
LAYANAN = ["Jumantik", "Ketertiban Umum", "PKK", "Posyandu", "PPSU", "RPTRA",
           "RT/RW, LMK dan FKDM"]
TARGET_MS = 300


def ensure_database(url: str) -> None:
    """Create the benchmark database if it does not exist (connecting to ``postgres``)."""
    import dj_database_url
    import psycopg

    db = dj_database_url.parse(url)
    if db["ENGINE"] != "django.db.backends.postgresql":
        raise SystemExit(f"bench_results needs PostgreSQL, not {db['ENGINE']}")
    params = {"host": db.get("HOST") or None, "port": db.get("PORT") or None,
              "user": db.get("USER") or None, "password": db.get("PASSWORD") or None}
    params = {k: v for k, v in params.items() if v}
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as conn:
        found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s",
                             (db["NAME"],)).fetchone()
        if not found:
            conn.execute(f'CREATE DATABASE "{db["NAME"]}"')
            print(f"created database {db['NAME']}", file=sys.stderr)


def setup_django(url: str) -> None:
    os.environ["SKM_DATABASE_URL"] = url
    os.environ.setdefault("SKM_VAR_DIR", str(OUT / "var"))
    (Path(os.environ["SKM_VAR_DIR"]) / "static").mkdir(parents=True, exist_ok=True)
    os.environ["SKM_ALLOWED_HOSTS"] = "testserver,127.0.0.1,localhost"
    os.environ.setdefault("SKM_HTTPS", "0")  # the test client speaks plain HTTP
    os.environ["DJANGO_SETTINGS_MODULE"] = "skm.settings"
    import django

    django.setup()


def fixture():
    """The unit, its layanan, the period, populations and an admin: created once."""
    from django.contrib.auth.models import User
    from django.utils.text import slugify

    from skm.units.models import Period, Population, Unit

    unit, _ = Unit.objects.get_or_create(
        slug=SLUG, defaults={"name": "Kelurahan Uji Beban", "kind": "kelurahan"})
    period = Period.get_or_create_code(PERIOD)
    layanan = []
    for order, name in enumerate(LAYANAN, start=1):
        lay, _ = unit.layanan.get_or_create(name=name,
                                            defaults={"slug": slugify(name), "order": order})
        Population.objects.get_or_create(layanan=lay, period=period,
                                         defaults={"size": 150_000})
        layanan.append(lay)
    admin, created = User.objects.get_or_create(
        username="bench-admin", defaults={"is_superuser": True, "is_staff": True})
    if created:
        admin.set_unusable_password()
        admin.save()
    return unit, period, layanan, admin


def copy_rows(unit, period, layanan, rows: int) -> float:
    """Load ``rows`` responses with COPY; returns seconds."""
    from django.db import connection

    from skm.surveys.models import SLOTS, QuestionnaireVersion, Response

    version = QuestionnaireVersion.default()
    slots = list(version.slot_codes())
    known = {"unit", "layanan", "period", "questionnaire", "submitted_at", "source", "gender",
             "age", "education", "occupation", "saran", "entered_by", *SLOTS}
    fields = [f for f in Response._meta.concrete_fields if not f.primary_key]
    extra = {}
    for f in fields:  # columns added later: NULL or their default, else refuse
        if f.name in known:
            continue
        if f.null:
            extra[f.name] = "\\N"
        elif f.has_default():
            extra[f.name] = str(f.get_db_prep_save(f.get_default(), connection))
        else:
            raise SystemExit(f"bench_results: Response.{f.name} needs a value; update the bench")
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(Response._meta.db_table)

    rng = random.Random(rows)
    answers = ["4", "4", "4", "3", "3", "2", "1", "\\N"]
    genders = ["L", "P", ""]
    pendidikan = ["SD", "SMP", "SMA", "DIII", "S1", "S2", "S3", ""]
    pekerjaan = ["PNS", "TNI", "POLRI", "Swasta", "Wirausaha", "Lainnya", ""]
    sources = ["online", "online", "kiosk", "paper"]
    start = datetime(period.start.year, period.start.month, period.start.day, 1, 0)
    seconds = int((period.end - period.start).days * 86400)
    lay_ids = [str(lay.pk) for lay in layanan]
    fixed = {"unit": str(unit.pk), "period": str(period.pk), "questionnaire": str(version.pk),
             "saran": "", "entered_by": "\\N", **extra}

    def line() -> str:
        values = dict(fixed)
        values["layanan"] = rng.choice(lay_ids)
        moment = start + timedelta(seconds=rng.randrange(seconds))
        values["submitted_at"] = moment.isoformat() + "+07:00"
        values["source"] = rng.choice(sources)
        values["gender"] = rng.choice(genders)
        values["age"] = str(rng.randint(15, 85)) if rng.random() > 0.05 else "\\N"
        values["education"] = rng.choice(pendidikan)
        values["occupation"] = rng.choice(pekerjaan)
        chosen = rng.choices(answers, k=len(slots))
        for slot in SLOTS:
            values[slot] = "\\N"
        values.update(zip(slots, chosen, strict=True))
        return "\t".join(values[f.name] for f in fields)

    began = time.perf_counter()
    connection.ensure_connection()
    raw = connection.connection  # the psycopg connection
    with raw.transaction(), raw.cursor() as cursor:
        if is_superuser(cursor):
            # The generated keys are valid: skip the per-row foreign-key triggers (3x faster).
            cursor.execute("SET LOCAL session_replication_role = replica")
        with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for offset in range(0, rows, 20_000):
                block = "\n".join(line() for _ in range(min(20_000, rows - offset))) + "\n"
                copy.write(block)
    with connection.cursor() as cursor:
        # what autovacuum does soon after a bulk load: statistics and the visibility map
        cursor.execute(f"VACUUM ANALYZE {table}")
    return time.perf_counter() - began


def is_superuser(cursor) -> bool:
    cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
    found = cursor.fetchone()
    return bool(found and found[0])


def median_ms(func, runs: int) -> float:
    func()  # warm-up: connections, caches, imported templates
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        func()
        times.append((time.perf_counter() - began) * 1000)
    return statistics.median(times)


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for text in Path("/proc/cpuinfo").read_text().splitlines():
            if text.startswith("model name"):
                cpu = text.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {kib / 1024 / 1024:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    return (f"{platform.machine()} {cpu}, {os.cpu_count()} cores{memory}, "
            f"Python {platform.python_version()}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--database-url",
                        default=os.environ.get("SKM_BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--reload", action="store_true", help="load the responses again")
    args = parser.parse_args()

    ensure_database(args.database_url)
    setup_django(args.database_url)

    import django
    from django.core.management import call_command, get_commands
    from django.db import connection
    from django.test import Client
    from django.urls import Resolver404, resolve

    from skm.results import summary
    from skm.results.models import TallyCell
    from skm.results.services import unit_results
    from skm.surveys.models import Response

    call_command("migrate", interactive=False, verbosity=0)
    unit, period, layanan, admin = fixture()
    rows_now = Response.objects.within([unit]).filter(period=period).count()
    load_s = rebuild_s = None
    if args.reload or rows_now != args.rows:
        print(f"loading {args.rows:,} responses (found {rows_now:,})...", file=sys.stderr)
        Response.objects.within([unit]).delete()
        load_s = copy_rows(unit, period, layanan, args.rows)
        began = time.perf_counter()
        summary.rebuild([unit], [period])
        rebuild_s = time.perf_counter() - began
    stored = TallyCell.objects.filter(unit=unit, period=period, dimension="n")
    if sum(stored.values_list("count", flat=True)) != args.rows:
        print("summary table out of step: rebuilding", file=sys.stderr)
        began = time.perf_counter()
        summary.rebuild([unit], [period])
        rebuild_s = time.perf_counter() - began

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg_version = cursor.fetchone()[0]

    figures = []  # (what, median ms, note)
    path = f"/u/{SLUG}/{PERIOD}/"
    try:
        resolve(path)
        page_exists = True
    except Resolver404:
        page_exists = False
    results_ms = median_ms(lambda: unit_results(unit, period), args.runs)
    if page_exists:
        client = Client()
        client.force_login(admin)

        def page():
            response = client.get(path)
            assert response.status_code == 200, response.status_code
            return response

        body = page().content.decode()
        assert 'id="jumlah-responden"' in body, "the page shows no #jumlah-responden"
        page_ms = median_ms(page, args.runs)
        figures.append((f"results page `GET {path}` (test client, admin)", page_ms,
                        "target < 300 ms: " + ("met" if page_ms < TARGET_MS else "NOT met")))
    else:
        figures.append((f"results page `{path}`: not built yet; timed unit_results instead",
                        results_ms, "target < 300 ms: " + ("met" if results_ms < TARGET_MS
                                                          else "NOT met")))
    figures.append(("`services.unit_results` (numbers only)", results_ms, ""))

    # the REST API's results endpoint, with a read token of the admin
    from skm.api.models import ApiToken

    ApiToken.objects.filter(name="bench-results").delete()
    _token, key = ApiToken.issue("staff", "bench-results", user=admin, scopes=["read"])
    api_path = f"/api/v1/units/{SLUG}/results/{PERIOD}"
    api_client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")

    def api():
        response = api_client.get(api_path)
        assert response.status_code == 200, (response.status_code, response.content[:200])
        return response

    assert api().json()["overall"]["respondents"] > 0
    figures.append((f"REST API `GET {api_path}` (test client, read token)",
                    median_ms(api, args.runs), ""))

    if "results" in get_commands():
        skm = str(Path(sys.executable).with_name("skm"))
        env = {**os.environ, "SKM_DATABASE_URL": args.database_url}
        command = [skm, "results", "--unit", SLUG, "--period", PERIOD, "--format", "json"]

        def cli():
            done = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
            return done.stdout

        payload = json.loads(cli())
        respondents = payload["overall"]["respondents"]
        assert respondents == args.rows, f"skm results reports {respondents} respondents"
        figures.append(("`skm results --format json` (whole process)", median_ms(cli, args.runs),
                        "interpreter start, Django setup and system checks included"))
        startup = [sys.executable, "-c", "import django; django.setup()"]
        env_setup = {**env, "DJANGO_SETTINGS_MODULE": "skm.settings"}
        figures.append(("baseline: a process that only starts Django",
                        median_ms(lambda: subprocess.run(startup, env=env_setup, check=True),
                                  args.runs),
                        "the fixed cost inside the line above"))
    else:
        figures.append(("`skm results`: command not available", float("nan"), ""))

    def without_summary():
        summary.fresh_counts([unit], [period])

    figures.append(("for comparison: GROUP BY over the responses (no summary table)",
                    median_ms(without_summary, max(3, args.runs // 2)),
                    "what every request would cost without skm.results.summary"))

    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"date: {date.today().isoformat()}; machine: {machine()}; PostgreSQL {pg_version}; "
          f"Django {django.get_version()}; load average {load}")
    print(f"{args.rows:,} responses for one unit-period ({len(LAYANAN)} layanan, 9 unsur); "
          f"median of {args.runs} runs after a warm-up")
    if load_s is not None:
        print(f"load: COPY {load_s:.1f} s; summary rebuild {rebuild_s:.1f} s")
    print()
    print("| what | median ms | note |")
    print("|---|---:|---|")
    for what, ms, note in figures:
        print(f"| {what} | {ms:,.1f} | {note} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
