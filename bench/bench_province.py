"""Benchmark a province-sized installation on PostgreSQL: 317 units, 10M responses.

Builds, once, in a dedicated database (``skm_bench_province``, created if missing):
1 provinsi, 5 kota, 44 kecamatan and 267 kelurahan, every unit with 7 layanan, and loads the
responses in steps (by default 1M, 3M, 10M; 80 % in 2024-S2, 20 % in 2024-S1), spread unevenly
over the 2,219 unit-layanan pairs. Rows are generated with numpy and loaded with COPY in chunks
of 500,000, one transaction each, so an interrupted load resumes where it stopped (the chunks
are deterministic). The response table's secondary indexes are dropped for the load and built
again afterwards (their definitions are kept in ``bench/out/province-indexes.json`` until then).

After each step: ``VACUUM ANALYZE``, the summary table rebuilt (``skm.results.summary.rebuild``,
timed) and checked against a single-scan ``GROUP BY GROUPING SETS`` rebuild in SQL (timed too:
the bulk alternative), then, as p50/p95 of ``--runs`` requests after a warm-up through Django's
test client logged in as a superuser:

- the results page ``/u/<slug>/2024-S2/`` of a kelurahan, a kecamatan, a kota and the province;
- the wilayah page ``/u/<slug>/2024-S2/wilayah/`` of a kecamatan, a kota and the province
  (every unit below, each recomputed from tallies: how cost grows with units);
- ``services.subtree_results`` for the province (the numbers without the HTML);
- the province's wilayah page right after a new response below (recorded as the web form
  does, then taken out again), with nothing remembered at all (a new process before its
  warm-up) and in a new process after its warm-up (``skm.results.warmup``), 5 runs each;
- ``skm results --format json`` for the province as a separate process.

Figures of each step are kept in ``bench/out/province.json``; the Markdown printed at the end
covers every step measured so far. Target: p95 under 300 ms at 10M responses.

    .venv/bin/python bench/bench_province.py                   # 1M, 3M, 10M (resumes)
    .venv/bin/python bench/bench_province.py --steps 10000000 --runs 20
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import subprocess
import sys
import time
from collections import Counter
from datetime import date
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_results import ensure_database, is_superuser, machine, setup_django  # noqa: E402

OUT = Path(__file__).resolve().parent / "out"
STATE = OUT / "province.json"
INDEX_FILE = OUT / "province-indexes.json"
DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/skm_bench_province"
CHUNK = 500_000
MAIN_PERIOD, OTHER_PERIOD = "2024-S2", "2024-S1"
MAIN_SHARE = 0.8
KOTA, KECAMATAN, KELURAHAN = 5, 44, 267
LAYANAN = ["Administrasi Kependudukan", "Perizinan", "Kesehatan", "Sosial", "Ketertiban Umum",
           "Kebersihan", "Pengaduan"]
TARGET_MS = 300
CHANGE_MARK = "bench-province-change"  # the saran of responses a measurement adds, then removes


# --- the fixture -----------------------------------------------------------------------------


def spread(total: int, parts: int) -> list[int]:
    """``total`` split into ``parts`` near-equal whole numbers, the larger ones first."""
    return [total // parts + (1 if i < total % parts else 0) for i in range(parts)]


def build_tree():
    """The province, its units and their layanan, periods, populations and an admin (once)."""
    from django.contrib.auth.models import User
    from django.db import transaction
    from django.utils.text import slugify

    from skm.surveys.models import QuestionnaireVersion
    from skm.units.models import Layanan, Period, Population, Unit

    version = QuestionnaireVersion.default()
    periods = [Period.get_or_create_code(MAIN_PERIOD), Period.get_or_create_code(OTHER_PERIOD)]
    with transaction.atomic():
        province = Unit.objects.filter(slug="bench-provinsi").first()
        if province is None:
            province = Unit.objects.create(name="Provinsi Uji Beban", slug="bench-provinsi",
                                           kind="provinsi")
            kecamatan_sizes = spread(KECAMATAN, KOTA)
            kelurahan_sizes = iter(spread(KELURAHAN, KECAMATAN))
            k_no = l_no = 0
            for i, n_kec in enumerate(kecamatan_sizes, start=1):
                kota = Unit.objects.create(name=f"Kota Uji {i}", slug=f"bench-kota-{i}",
                                           kind="kota", parent=province)
                for _ in range(n_kec):
                    k_no += 1
                    kec = Unit.objects.create(name=f"Kecamatan Uji {k_no:02d}",
                                              slug=f"bench-kecamatan-{k_no}", kind="kecamatan",
                                              parent=kota)
                    for _ in range(next(kelurahan_sizes)):
                        l_no += 1
                        Unit.objects.create(name=f"Kelurahan Uji {l_no:03d}",
                                            slug=f"bench-kelurahan-{l_no}", kind="kelurahan",
                                            parent=kec)
            units = list(province.subtree())
            Layanan.objects.bulk_create(
                Layanan(unit=u, name=name, slug=slugify(name), order=order)
                for u in units for order, name in enumerate(LAYANAN, start=1))
            Population.objects.bulk_create(
                Population(layanan=lay, period=p, size=20_000)
                for lay in Layanan.objects.unscoped().filter(unit__in=units) for p in periods)
    admin, created = User.objects.get_or_create(
        username="bench-admin", defaults={"is_superuser": True, "is_staff": True})
    if created:
        admin.set_unusable_password()
        admin.save()
    units = list(province.subtree().order_by("pk"))
    pairs = list(Layanan.objects.unscoped().filter(unit__in=units).order_by("pk")
                 .values_list("unit_id", "pk"))
    return province, units, pairs, periods, version, admin


# --- loading ---------------------------------------------------------------------------------


def response_columns(connection):
    """(fields, fixed values) for COPY: every concrete column but the key."""
    from skm.surveys.models import SLOTS, Response

    generated = {"unit", "layanan", "period", "questionnaire", "submitted_at", "source",
                 "gender", "age", "education", "occupation", *SLOTS}
    fields = [f for f in Response._meta.concrete_fields if not f.primary_key]
    fixed = {}
    for f in fields:
        if f.name in generated:
            continue
        if f.name == "saran":
            fixed[f.name] = ""
        elif f.null:
            fixed[f.name] = "\\N"
        elif f.has_default():
            fixed[f.name] = str(f.get_db_prep_save(f.get_default(), connection))
        else:
            raise SystemExit(f"bench_province: Response.{f.name} needs a value; update the bench")
    return fields, fixed


def chunk_text(number: int, size: int, fields, fixed, pairs, periods, version) -> str:
    """Chunk ``number`` of the load as COPY text; the same number always gives the same rows."""
    from skm.engine.profile import PEKERJAAN, PENDIDIKAN

    rng = np.random.default_rng(number)
    weights = np.random.default_rng(7).gamma(2.0, 1.0, len(pairs))  # uneven, but fixed
    cumulative = np.cumsum(weights / weights.sum())
    pick = np.minimum(np.searchsorted(cumulative, rng.random(size)), len(pairs) - 1)
    unit_ids = np.array([str(u) for u, _ in pairs], dtype=object)[pick]
    layanan_ids = np.array([str(lay) for _, lay in pairs], dtype=object)[pick]
    main = rng.random(size) < MAIN_SHARE
    period_ids = np.where(main, str(periods[0].pk), str(periods[1].pk)).astype(object)
    starts = np.where(main, np.datetime64(periods[0].start, "s"),
                      np.datetime64(periods[1].start, "s"))
    moments = starts + rng.integers(0, 180 * 86400, size).astype("timedelta64[s]")
    stamps = (np.datetime_as_string(moments, unit="s").astype(object) + "+07:00")

    def choose(options, probabilities=None):
        table = np.array(options, dtype=object)
        return table[rng.choice(len(options), size, p=probabilities)]

    values = dict(fixed)
    values.update({
        "unit": unit_ids, "layanan": layanan_ids, "period": period_ids,
        "questionnaire": str(version.pk), "submitted_at": stamps,
        "source": choose(["online", "online", "kiosk", "paper"]),
        "gender": choose(["L", "P", ""]),
        "age": np.where(rng.random(size) < 0.95,
                        rng.integers(15, 86, size).astype(str).astype(object), "\\N"),
        "education": choose([*PENDIDIKAN, ""]),
        "occupation": choose([*PEKERJAAN, ""]),
    })
    slots = list(version.slot_codes())
    answers = ["1", "2", "3", "4", "\\N"]
    for f in fields:
        if f.name.startswith("a") and f.name[1:].isdigit():
            values[f.name] = (choose(answers, [0.04, 0.12, 0.35, 0.37, 0.12])
                              if f.name in slots else "\\N")
    columns = [values[f.name] if isinstance(values[f.name], np.ndarray)
               else [values[f.name]] * size for f in fields]
    return "\n".join(map("\t".join, zip(*columns, strict=True))) + "\n"


def drop_indexes(cursor, table: str) -> None:
    """Drop the table's secondary indexes for the load; their definitions go to a file."""
    cursor.execute(
        "SELECT i.indexname, i.indexdef FROM pg_indexes i "
        "JOIN pg_class c ON c.relname = i.indexname "
        "JOIN pg_index x ON x.indexrelid = c.oid "
        "WHERE i.tablename = %s AND NOT x.indisprimary AND NOT x.indisunique", [table])
    found = dict(cursor.fetchall())
    saved = json.loads(INDEX_FILE.read_text()) if INDEX_FILE.exists() else {}
    saved.update(found)
    INDEX_FILE.write_text(json.dumps(saved, indent=1))
    for name in found:
        cursor.execute(f'DROP INDEX "{name}"')


def restore_indexes(connection) -> float | None:
    """Build the indexes dropped for the load; seconds, or None when none were missing."""
    if not INDEX_FILE.exists():
        return None
    began = time.perf_counter()
    with connection.cursor() as cursor:
        for definition in json.loads(INDEX_FILE.read_text()).values():
            cursor.execute(definition.replace("CREATE INDEX ", "CREATE INDEX IF NOT EXISTS ", 1))
    INDEX_FILE.unlink()
    return time.perf_counter() - began


def load_to(rows: int, tree) -> tuple[float, float | None]:
    """Load chunks until the table holds ``rows`` responses; (COPY seconds, index seconds)."""
    from django.db import connection

    from skm.surveys.models import Response

    _province, _units, pairs, periods, version, _admin = tree
    table = Response._meta.db_table
    have = Response.objects.unscoped().count()
    if have % CHUNK:
        raise SystemExit(f"{have:,} responses is not a whole number of chunks: drop the database "
                         "skm_bench_province and start again")
    if have >= rows:
        return 0.0, restore_indexes(connection)
    fields, fixed = response_columns(connection)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    connection.ensure_connection()
    raw = connection.connection
    with raw.cursor() as cursor:
        drop_indexes(cursor, table)
    raw.commit()
    began = time.perf_counter()
    for number in range(have // CHUNK, -(-rows // CHUNK)):
        t0 = time.perf_counter()
        text = chunk_text(number, CHUNK, fields, fixed, pairs, periods, version)
        t1 = time.perf_counter()
        with raw.transaction(), raw.cursor() as cursor:
            if is_superuser(cursor):  # the generated keys are valid: skip the FK triggers
                cursor.execute("SET LOCAL session_replication_role = replica")
            with cursor.copy(f'COPY "{table}" ({columns}) FROM STDIN') as copy:
                copy.write(text)
        print(f"  chunk {number + 1}: {(number + 1) * CHUNK:,} rows "
              f"(generate {t1 - t0:.1f} s, COPY {time.perf_counter() - t1:.1f} s)",
              file=sys.stderr, flush=True)
    copy_s = time.perf_counter() - began
    print("  building indexes...", file=sys.stderr, flush=True)
    return copy_s, restore_indexes(connection)


# --- the summary table -----------------------------------------------------------------------


def grouping_sets_counts(units, periods) -> Counter:
    """The summary cells by one scan: ``GROUP BY GROUPING SETS``, one set per dimension.

    The bulk alternative to :func:`skm.results.summary.fresh_counts` (one GROUP BY per
    dimension); kept in the bench, where it is checked against the stored cells.
    """
    from django.db import connection

    from skm.results.summary import PROFILE_DIMENSIONS, age_value
    from skm.surveys.models import SLOTS, Response

    keys = ["unit_id", "period_id", "layanan_id", "questionnaire_id"]
    dims = [*SLOTS, *PROFILE_DIMENSIONS]
    columns = [*SLOTS, *PROFILE_DIMENSIONS.values()]
    sets = ", ".join([f"({', '.join(keys)})"]
                     + [f"({', '.join(keys)}, {c})" for c in columns])
    sql = (f"SELECT {', '.join(keys)}, {', '.join(columns)}, GROUPING({', '.join(columns)}), "
           f"COUNT(*) FROM {Response._meta.db_table} "
           "WHERE unit_id = ANY(%s) AND period_id = ANY(%s) AND review <> %s "
           f"GROUP BY GROUPING SETS ({sets})")
    counts: Counter = Counter()
    width = len(columns)
    with connection.cursor() as cursor:
        cursor.execute(sql, [[u.pk for u in units], [p.pk for p in periods],
                             Response.Review.REJECTED])
        for row in cursor.fetchall():
            key, values, grouping, n = row[:4], row[4:4 + width], row[4 + width], row[-1]
            if grouping == (1 << width) - 1:
                counts[(*key, "n", "")] += n
                continue
            i = width - 1 - (~grouping & ((1 << width) - 1)).bit_length() + 1
            dimension, value = dims[i], values[i]
            if dimension in SLOTS:
                if value is not None:
                    counts[(*key, dimension, str(value))] += n
            elif dimension == "age":
                counts[(*key, dimension, age_value(value))] += n
            else:
                counts[(*key, dimension, value or "")] += n
    return counts


def bring_summary_in_step(tree) -> dict:
    """Rebuild the cells when they do not add up to the responses; timings of both ways."""
    from django.db import connection
    from django.db.models import Sum

    from skm.results import summary
    from skm.results.models import TallyCell
    from skm.surveys.models import Response

    _province, units, _pairs, periods, _version, _admin = tree
    counted = Response.objects.unscoped().exclude(review=Response.Review.REJECTED).count()
    stored = TallyCell.objects.filter(dimension="n").aggregate(n=Sum("count"))["n"] or 0
    timings = {}
    if stored != counted:
        print(f"  rebuilding the summary ({stored:,} counted, {counted:,} responses)...",
              file=sys.stderr, flush=True)
        began = time.perf_counter()
        summary.rebuild(units, periods)
        timings["rebuild_s"] = time.perf_counter() - began
        began = time.perf_counter()
        bulk = grouping_sets_counts(units, periods)
        timings["grouping_sets_s"] = time.perf_counter() - began
        same = bulk == summary.stored_counts(units, periods)
        timings["grouping_sets_equal"] = same
        if not same:
            print("  WARNING: GROUPING SETS counts differ from the stored cells", file=sys.stderr)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM results_tallycell")
        timings["cells"] = cursor.fetchone()[0]
    return timings


# --- timing ----------------------------------------------------------------------------------


def percentiles(func, runs: int, before=None) -> tuple[float, float]:
    """(p50, p95) in ms of ``runs`` calls after one warm-up call; ``before()``, if given, runs
    ahead of each call, untimed."""
    func()
    times = []
    for _ in range(runs):
        if before is not None:
            before()
        began = time.perf_counter()
        func()
        times.append((time.perf_counter() - began) * 1000)
    times.sort()
    p95 = times[min(len(times) - 1, max(0, int(round(0.95 * len(times))) - 1))]
    return statistics.median(times), p95


def sizes(connection) -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_database_size(current_database()), "
                       "pg_total_relation_size('surveys_response'), "
                       "pg_total_relation_size('results_tallycell')")
        db, responses, cells = cursor.fetchone()
    return {"database_mb": db / 2**20, "responses_mb": responses / 2**20,
            "tallycell_mb": cells / 2**20}


def measure(tree, runs: int, database_url: str) -> list[dict]:
    from django.db import transaction
    from django.test import Client

    from skm.results import services, summary, warmup
    from skm.results.services import subtree_results
    from skm.surveys.models import Response
    from skm.surveys.recording import Submission, record_response
    from skm.units.models import Unit

    province, units, _pairs, periods, _version, admin = tree
    period = periods[0]
    kelurahan = next(u for u in units if u.kind == "kelurahan")
    kecamatan = Unit.objects.get(pk=kelurahan.parent_id)
    kota = Unit.objects.get(pk=kecamatan.parent_id)
    client = Client()
    client.force_login(admin)
    figures = []

    def page(path: str, marker: str):
        def get():
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)
            return response
        body = get().content.decode()
        assert marker in body, f"{path} does not show {marker!r}"
        return get

    for unit in (kelurahan, kecamatan, kota, province):
        path = f"/u/{unit.slug}/{period.code}/"
        p50, p95 = percentiles(page(path, 'id="jumlah-responden"'), runs)
        figures.append({"what": f"results page, {unit.kind} (`{path}`)", "units": 1,
                        "p50": p50, "p95": p95})
    for unit in (kecamatan, kota, province):
        count = unit.subtree().count()
        path = f"/u/{unit.slug}/{period.code}/wilayah/"
        p50, p95 = percentiles(page(path, unit.name), runs)
        figures.append({"what": f"wilayah page, {unit.kind} (`{path}`)", "units": count,
                        "p50": p50, "p95": p95})
    p50, p95 = percentiles(lambda: subtree_results(province, period), runs)
    figures.append({"what": "`services.subtree_results` for the province (numbers only)",
                    "units": len(units), "p50": p50, "p95": p95})

    # The same page right after a new response below: that kelurahan's cells and token change,
    # so its tallies are read again and the sums of the units above it recomputed. The
    # responses added here are taken out again afterwards (cells included).
    get = page(f"/u/{province.slug}/{period.code}/wilayah/", province.name)
    layanan = kelurahan.layanan.order_by("pk").first()
    answers = {f"U{i}": 3 for i in range(1, 10)}

    def after_a_change():
        record_response(kelurahan, layanan, Submission(answers=answers, saran=CHANGE_MARK),
                        "online", period=period)
        get()

    # as in a worker of skm serve after its warm-up: the long-lived objects frozen out of the
    # collector's full passes (skm.results.warmup)
    warmup.warm(warmup.DEFAULT_PERIODS)
    gc.freeze()
    try:
        p50, p95 = percentiles(after_a_change, runs)
    finally:
        with transaction.atomic():
            added = list(Response.objects.unscoped().filter(saran=CHANGE_MARK))
            summary.apply(added, sign=-1)
            Response.objects.unscoped().filter(pk__in=[r.pk for r in added]).delete()
    figures.append({"what": "wilayah page, provinsi, right after a new response below",
                    "units": len(units), "p50": p50, "p95": p95})

    def from_nothing():
        getattr(services, "_MEMO", {}).clear()
        get()

    p50, p95 = percentiles(from_nothing, max(5, runs // 4))
    figures.append({"what": "wilayah page, provinsi, nothing remembered", "units": len(units),
                    "p50": p50, "p95": p95,
                    "note": "a new process before its warm-up: every layanan evaluated"})

    def warm_up():
        getattr(services, "_MEMO", {}).clear()
        started = time.perf_counter()
        warmup.warm(warmup.DEFAULT_PERIODS)
        warm_seconds.append(time.perf_counter() - started)

    warm_seconds: list[float] = []
    p50, p95 = percentiles(get, max(5, runs // 4), before=warm_up)
    figures.append({"what": "wilayah page, provinsi, new process after its warm-up",
                    "units": len(units), "p50": p50, "p95": p95,
                    "note": f"the warm-up itself (2 periods, in the background): "
                            f"{statistics.median(warm_seconds):.1f} s"})

    skm = str(Path(sys.executable).with_name("skm"))
    env = {**os.environ, "SKM_DATABASE_URL": database_url}
    command = [skm, "results", "--unit", province.slug, "--period", period.code,
               "--format", "json"]

    def cli():
        return subprocess.run(command, env=env, capture_output=True, text=True, check=True)

    payload = json.loads(cli().stdout)
    p50, p95 = percentiles(cli, max(3, runs // 4))
    figures.append({"what": "`skm results --unit bench-provinsi --format json` (whole process)",
                    "units": 1, "p50": p50, "p95": p95,
                    "note": f"respondents in the JSON: {payload['overall']['respondents']:,}"})
    return figures


# --- output ----------------------------------------------------------------------------------


def markdown(state: dict) -> str:
    lines = []
    for key in sorted(state["steps"], key=int):
        step = state["steps"][key]
        lines += [f"### {int(key):,} responses ({step['date']}; load average {step['load']})", ""]
        load = []
        if step.get("copy_s"):
            load.append(f"COPY of the rows added in this step {step['copy_s']:.0f} s")
        if step.get("index_s"):
            load.append(f"index build {step['index_s']:.0f} s")
        if step.get("rebuild_s"):
            load.append(f"`summary.rebuild` {step['rebuild_s']:.0f} s")
        if step.get("grouping_sets_s"):
            load.append(f"single-scan GROUPING SETS {step['grouping_sets_s']:.0f} s "
                        f"(same cells: {'yes' if step.get('grouping_sets_equal') else 'NO'})")
        if load:
            lines += ["Load: " + "; ".join(load) + ".", ""]
        size = step["sizes"]
        lines += [f"Sizes: database {size['database_mb']:,.0f} MB, `surveys_response` "
                  f"{size['responses_mb']:,.0f} MB with indexes, `results_tallycell` "
                  f"{size['tallycell_mb']:,.1f} MB ({step['cells']:,} cells).", ""]
        lines += ["| what | units | p50 ms | p95 ms | note |", "|---|---:|---:|---:|---|"]
        for f in step["figures"]:
            note = f.get("note", "")
            if f["what"].startswith(("results page", "wilayah page")) and not note:
                note = "target met" if f["p95"] < TARGET_MS else "target NOT met"
            lines.append(f"| {f['what']} | {f['units']} | {f['p50']:,.0f} | {f['p95']:,.0f} "
                         f"| {note} |")
        lines.append("")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", default="1000000,3000000,10000000",
                        help="response counts to measure at, comma-separated (multiples of "
                             f"{CHUNK:,})")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--database-url",
                        default=os.environ.get("SKM_BENCH_PROVINCE_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--report", action="store_true",
                        help="only print the Markdown of the steps measured so far")
    args = parser.parse_args()
    steps = sorted(int(s) for s in args.steps.split(","))
    OUT.mkdir(exist_ok=True)
    state = json.loads(STATE.read_text()) if STATE.exists() else {"steps": {}}
    if args.report:
        print(markdown(state))
        return 0

    ensure_database(args.database_url)
    os.environ.setdefault("SKM_HTTPS", "0")  # the test client speaks plain HTTP
    setup_django(args.database_url)
    import django
    from django.core.management import call_command
    from django.db import connection

    from skm.surveys.models import Response

    call_command("migrate", interactive=False, verbosity=0)
    tree = build_tree()
    print(f"{len(tree[1])} units, {len(tree[2])} unit-layanan pairs", file=sys.stderr)
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        state["postgresql"] = cursor.fetchone()[0]
    state["machine"] = machine()
    state["django"] = django.get_version()

    for rows in steps:
        have = Response.objects.unscoped().count()
        if have > rows:
            print(f"skipping {rows:,}: the database already holds {have:,}", file=sys.stderr)
            continue
        print(f"step {rows:,} (have {have:,})", file=sys.stderr, flush=True)
        copy_s, index_s = load_to(rows, tree)
        if copy_s:
            with connection.cursor() as cursor:  # what autovacuum does soon after a bulk load
                cursor.execute("VACUUM ANALYZE surveys_response")
        step = {"copy_s": copy_s, "index_s": index_s, **bring_summary_in_step(tree)}
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE results_tallycell")
        print("  timing...", file=sys.stderr, flush=True)
        step["figures"] = measure(tree, args.runs, args.database_url)
        step["sizes"] = sizes(connection)
        step["date"] = date.today().isoformat()
        step["load"] = ", ".join(f"{x:.1f}" for x in os.getloadavg())
        old = state["steps"].get(str(rows), {})
        for kept in ("copy_s", "index_s", "rebuild_s", "grouping_sets_s", "grouping_sets_equal"):
            if not step.get(kept) and old.get(kept):
                step[kept] = old[kept]  # a re-run keeps the load figures of the first run
        state["steps"][str(rows)] = step
        STATE.write_text(json.dumps(state, indent=1))

    disk = subprocess.run(["df", "-h", "/work"], capture_output=True, text=True).stdout
    print(f"machine: {state['machine']}; PostgreSQL {state['postgresql']}; "
          f"Django {state['django']}; {args.runs} runs after a warm-up; "
          f"df -h /work: {disk.splitlines()[-1]}")
    print()
    print(markdown(state))
    return 0


if __name__ == "__main__":
    sys.exit(main())
