"""Durability proof: every acknowledged submission is in the database, none is half-written,
even when a gunicorn worker is killed with SIGKILL or the database drops its connections
mid-load.

What it does, each run from scratch and with a fixed seed (same answers, same fault schedule):

1. a fresh database (SQLite under ``bench/out/durability-<db>/``, or the PostgreSQL database
   ``skm_durability`` on 127.0.0.1:5432, dropped and created again), migrated, with one unit,
   seven layanan and a kiosk token;
2. ``skm serve`` (gunicorn, 2 workers) on loopback;
3. several client threads POST ``/api/v1/responses``, each with a unique marker in ``saran``
   (``dur-<seed>-<client>-<n>``) and seeded answers;
4. meanwhile: ``kill -9`` of a gunicorn worker (several times), and on PostgreSQL
   ``pg_terminate_backend`` of every connection to the database, or with ``--pg-restart``
   an immediate (crash) restart of the whole cluster with ``pg_ctlcluster -m immediate``.
   Restart only a cluster of your own: on a shared machine, make one first, e.g.
   ``pg_createcluster 15 skmdurab -p 5439 --start -- --auth-host=trust`` and pass
   ``--pg-port 5439 --pg-restart 15/skmdurab``;
5. then checks, from the database itself:
   - every marker that got a 201 is stored exactly once, with exactly the answers sent;
   - no marker is stored twice;
   - the summary table is in step with the responses (``skm.results.summary.differences``),
     i.e. no response was written without its counts or the other way round.
   Submissions that failed on the client side (connection reset, 5xx) may or may not be stored:
   either is correct, as long as each is whole. They are counted and shown.

    .venv/bin/python bench/durability.py --db sqlite
    .venv/bin/python bench/durability.py --db postgresql --seed 7 --duration 30
    .venv/bin/python bench/durability.py --db postgresql --pg-port 5439 --pg-restart 15/skmdurab

Exit status 0 when the verdict is PASS. ``bench/bench_submit.py`` reuses the helpers here.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = Path(__file__).resolve().parent / "out"
PYTHON = sys.executable
PG_URL = "postgresql://postgres@127.0.0.1:{port}/{name}"
LAYANAN = ["Jumantik", "Ketertiban Umum", "PKK", "Posyandu", "PPSU", "RPTRA", "Pelayanan KTP"]
UNIT = "kelurahan-uji"
PROFILE = (["L", "P"], ["SD", "SMP", "SMA", "DIII", "S1", "S2", "S3"],
           ["PNS", "TNI", "POLRI", "Swasta", "Wirausaha", "Lainnya"])


# -- environment, database, server -----------------------------------------------------------------


def server_env(var_dir: Path, database_url: str | None, redis_url: str | None = None) -> dict:
    env = dict(os.environ)
    for name in ("SKM_DATABASE_URL", "SKM_REDIS_URL", "GUNICORN_CMD_ARGS"):
        env.pop(name, None)
    env.update({
        "SKM_VAR_DIR": str(var_dir),
        "SKM_SECRET_KEY": "bench-secret-key-not-for-production-" + "x" * 20,
        "SKM_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SKM_HTTPS": "0",
        "SKM_DEBUG": "0",
        "DJANGO_SETTINGS_MODULE": "skm.settings",
        "PYTHONPATH": str(ROOT),
    })
    if database_url:
        env["SKM_DATABASE_URL"] = database_url
    if redis_url:
        env["SKM_REDIS_URL"] = redis_url
    return env


def recreate_pg(name: str, port: int = 5432) -> str:
    """Drop and create the PostgreSQL database ``name``; its URL."""
    import psycopg

    with psycopg.connect(PG_URL.format(port=port, name="postgres"), autocommit=True) as c:
        c.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                  "WHERE datname = %s AND pid <> pg_backend_pid()", [name])
        c.execute(f'DROP DATABASE IF EXISTS "{name}"')
        c.execute(f'CREATE DATABASE "{name}"')
    return PG_URL.format(port=port, name=name)


SETUP = r"""
import django, json
django.setup()
from django.core.management import call_command
call_command("migrate", interactive=False, verbosity=0)
from django.utils.text import slugify
from skm.api.models import ApiToken
from skm.surveys.models import QuestionnaireVersion
from skm.units.models import Layanan, Unit
QuestionnaireVersion.default()  # before the load: its first creation is not one transaction
unit = Unit.objects.create(name="Kelurahan Uji", slug=%(unit)r, kind="kelurahan")
for i, name in enumerate(%(layanan)r):
    Layanan.objects.create(unit=unit, name=name, slug=slugify(name), order=i)
tokens = [ApiToken.issue("kiosk", f"Kios {i}", unit=unit)[1] for i in range(%(tokens)d)]
print(json.dumps({"tokens": tokens, "layanan": [slugify(n) for n in %(layanan)r]}))
"""


def prepare(db: str, var_dir: Path, pg_name: str, tokens: int = 1,
            redis_url: str | None = None, pg_port: int = 5432) -> tuple[dict, dict]:
    """A fresh database with one unit and its kiosk tokens: (server env, setup facts)."""
    shutil.rmtree(var_dir, ignore_errors=True)
    var_dir.mkdir(parents=True)
    url = recreate_pg(pg_name, pg_port) if db == "postgresql" else None
    env = server_env(var_dir, url, redis_url)
    script = SETUP % {"unit": UNIT, "layanan": LAYANAN, "tokens": tokens}
    done = subprocess.run([PYTHON, "-c", script], env=env, cwd=ROOT, capture_output=True,
                          text=True, check=False)
    if done.returncode:
        sys.exit(f"setup failed:\n{done.stderr}")
    return env, json.loads(done.stdout.strip().splitlines()[-1])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    """One ``skm serve`` (gunicorn master + workers) in its own process group."""

    process: subprocess.Popen
    port: int
    log: Path

    def worker_pids(self) -> list[int]:
        path = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        try:
            return [int(p) for p in path.read_text().split()]
        except OSError:
            return []

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def start_server(env: dict, port: int, workers: int, log: Path, extra: str = "") -> Server:
    env = dict(env)
    if extra:
        env["GUNICORN_CMD_ARGS"] = extra
    handle = open(log, "w")  # noqa: SIM115  (lives as long as the server)
    process = subprocess.Popen(
        [PYTHON, "-m", "skm.cli", "serve", "--port", str(port), "--workers", str(workers)],
        env=env, cwd=ROOT, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True)
    server = Server(process, port, log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"skm serve exited early; see {log}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/api/v1/openapi.json")
            if conn.getresponse().status == 200 and len(server.worker_pids()) >= workers:
                conn.close()
                return server
        except OSError:
            pass
        time.sleep(0.2)
    server.stop()
    sys.exit(f"skm serve did not answer within 60 s; see {log}")


# -- clients --------------------------------------------------------------------------------------


def submission(rng: random.Random, marker: str, layanan: list[str]) -> dict:
    return {
        "unit": UNIT,
        "layanan": rng.choice(layanan),
        "answers": {f"U{i}": rng.choice((1, 2, 3, 3, 4, 4, 4)) for i in range(1, 10)},
        "jenis_kelamin": rng.choice(PROFILE[0]),
        "usia": rng.randint(17, 80),
        "pendidikan": rng.choice(PROFILE[1]),
        "pekerjaan": rng.choice(PROFILE[2]),
        "saran": marker,
    }


@dataclass
class Tally:
    acked: dict = field(default_factory=dict)  # marker -> answers sent
    failed: dict = field(default_factory=dict)  # marker -> (reason, answers sent)
    latencies: list = field(default_factory=list)  # seconds, acknowledged requests only
    statuses: dict = field(default_factory=dict)
    # the public form: seconds from asking for the form to the answer of its post
    round_trips: list = field(default_factory=list)

    def merge(self, other: Tally) -> None:
        self.acked.update(other.acked)
        self.failed.update(other.failed)
        self.latencies.extend(other.latencies)
        self.round_trips.extend(other.round_trips)
        for k, v in other.statuses.items():
            self.statuses[k] = self.statuses.get(k, 0) + v


def client_loop(ports: list[int], token: str, layanan: list[str], prefix: str, seed: int,
                stop_at: float, limit: int | None = None) -> Tally:
    """Submit back to back over a keep-alive connection until ``stop_at`` (monotonic)."""
    rng = random.Random(seed)
    tally = Tally()
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    conns = [http.client.HTTPConnection("127.0.0.1", p, timeout=15) for p in ports]
    n = 0
    while time.monotonic() < stop_at and (limit is None or n < limit):
        marker = f"{prefix}-{n}"
        body = submission(rng, marker, layanan)
        conn = conns[n % len(conns)]
        n += 1
        started = time.perf_counter()
        try:
            conn.request("POST", "/api/v1/responses", json.dumps(body), headers)
            reply = conn.getresponse()
            text = reply.read()
            status = reply.status
        except (OSError, http.client.HTTPException) as exc:
            conn.close()
            tally.failed[marker] = (type(exc).__name__, body["answers"])
            tally.statuses[type(exc).__name__] = tally.statuses.get(type(exc).__name__, 0) + 1
            continue
        tally.statuses[status] = tally.statuses.get(status, 0) + 1
        if 200 <= status < 300:
            tally.acked[marker] = body["answers"]
            tally.latencies.append(time.perf_counter() - started)
        else:
            tally.failed[marker] = (f"HTTP {status} {text[:200]!r}", body["answers"])
    for conn in conns:
        conn.close()
    return tally


def run_clients(clients: int, ports: list[int], tokens: list[str], layanan: list[str],
                seed: int, duration: float, prefix: str, loop=None) -> Tally:
    """``clients`` threads running ``loop`` (default :func:`client_loop`, the API)."""
    loop = loop or client_loop
    stop_at = time.monotonic() + duration
    results: list[Tally] = [Tally() for _ in range(clients)]

    def work(i: int) -> None:
        results[i] = loop(ports, tokens[i % len(tokens)], layanan, f"{prefix}-{i}",
                          seed * 1000 + i, stop_at)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    total = Tally()
    for r in results:
        total.merge(r)
    return total


# -- checking -------------------------------------------------------------------------------------


CHECK = r"""
import django, json, sys
django.setup()
from django.db.models import Count
from skm.results import summary
from skm.surveys.models import Response
from skm.units.models import Period, Unit
prefix = sys.argv[1]
rows = Response.objects.unscoped().filter(saran__startswith=prefix + "-")
stored = {}
for r in rows.select_related("questionnaire"):
    codes = r.questionnaire.slot_codes()
    stored.setdefault(r.saran, []).append({code: getattr(r, slot) for slot, code in codes.items()})
diffs = summary.differences(Unit.objects.all(), Period.objects.all())
total = Response.objects.unscoped().count()
print(json.dumps({"stored": stored, "summary_differences": len(diffs), "total": total}))
"""


def database_view(env: dict, prefix: str) -> dict:
    done = subprocess.run([PYTHON, "-c", CHECK, prefix], env=env, cwd=ROOT, capture_output=True,
                          text=True, check=False)
    if done.returncode:
        sys.exit(f"check failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def verdict(tally: Tally, view: dict) -> tuple[bool, list[str]]:
    stored = view["stored"]
    lost = [m for m in tally.acked if m not in stored]
    doubled = [m for m, rows in stored.items() if len(rows) > 1]
    wrong = [m for m, answers in tally.acked.items()
             if m in stored and any(row != answers for row in stored[m])]
    failed_stored = [m for m in tally.failed if m in stored]
    strangers = [m for m in stored if m not in tally.acked and m not in tally.failed]
    ok = not (lost or doubled or wrong or strangers) and view["summary_differences"] == 0
    reasons = sorted({reason for reason, _ in tally.failed.values() if reason.startswith("HTTP")})
    lines = [
        f"acknowledged (2xx):                 {len(tally.acked)}",
        f"  of which in the database:         {len(tally.acked) - len(lost)}",
        f"  lost (acknowledged, not stored):  {len(lost)} {lost[:5]}",
        f"  stored with other answers:        {len(wrong)} {wrong[:5]}",
        f"failed on the client (no 2xx):      {len(tally.failed)}",
        f"  of which stored anyway (allowed): {len(failed_stored)}",
        f"markers stored twice:               {len(doubled)} {doubled[:5]}",
        f"markers nobody sent:                {len(strangers)}",
        f"summary cells out of step:          {view['summary_differences']}",
        f"responses in the database:          {view['total']}",
        f"client outcomes:                    {dict(sorted(tally.statuses.items(), key=str))}",
        *(f"  error reply: {reason}" for reason in reasons[:5]),
    ]
    return ok, lines


# -- faults ---------------------------------------------------------------------------------------


def terminate_backends(pg_name: str, port: int) -> int:
    import psycopg

    with psycopg.connect(PG_URL.format(port=port, name="postgres"), autocommit=True) as c:
        rows = c.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                         "WHERE datname = %s AND pid <> pg_backend_pid()", [pg_name]).fetchall()
    return len(rows)


def restart_cluster(cluster: str) -> str:
    """Crash-restart a PostgreSQL cluster (``15/name``): immediate shutdown, so the server
    recovers from its WAL on start, as after a power cut of the database server."""
    version, name = cluster.split("/")
    command = ["pg_ctlcluster", "--skip-systemctl-redirect", "-m", "immediate", version, name,
               "restart"]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    shown = " ".join(command[:1] + command[2:])
    # pg_ctlcluster may exit 1 when its own check connects while the server still replays its
    # WAL; what matters is that the server went down and came back, so that is checked here.
    port = int(subprocess.run(["pg_conftool", version, name, "show", "port"], capture_output=True,
                              text=True, check=True).stdout.split("=")[-1].strip())
    if not wait_for_pg(port):
        return f"{shown}: the server did not come back within 60 s ({done.stderr.strip()[:200]})"
    note = f", pg_ctlcluster exit {done.returncode}" if done.returncode else ""
    return f"{shown} (immediate shutdown, WAL recovery on start{note})"


def wait_for_pg(port: int, seconds: float = 60) -> bool:
    import psycopg

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with psycopg.connect(PG_URL.format(port=port, name="postgres"), connect_timeout=2):
                return True
        except psycopg.OperationalError:
            time.sleep(0.2)
    return False


def fault_schedule(args, server: Server, log: list[str], started: float) -> None:
    """Kill a worker at fixed moments; on PostgreSQL also cut (or restart) the database. Each
    fault has its own thread, so a slow restart does not push the kills back."""
    rng = random.Random(args.seed)
    events = [(rng.uniform(0.15, 0.85) * args.duration, "kill") for _ in range(args.kills)]
    if args.db == "postgresql":
        events += [(rng.uniform(0.2, 0.8) * args.duration, "db") for _ in range(args.db_faults)]
    killed: set[int] = set()
    lock = threading.Lock()

    def fire(at: float, what: str) -> None:
        time.sleep(max(0.0, started + at - time.monotonic()))
        stamp = f"t={time.monotonic() - started:5.1f}s"
        if what == "kill":
            with lock:
                pids = [p for p in server.worker_pids() if p not in killed]
                if not pids:
                    log.append(f"{stamp} no worker to kill")
                    return
                victim = pids[int(at * 1000) % len(pids)]
                killed.add(victim)
                os.kill(victim, signal.SIGKILL)
            log.append(f"{stamp} kill -9 gunicorn worker {victim}")
        elif args.pg_restart:
            begun = time.monotonic()
            outcome = restart_cluster(args.pg_restart)
            log.append(f"{stamp} {outcome}; accepting connections again after "
                       f"{time.monotonic() - begun:.1f} s")
        else:
            cut = terminate_backends(args.pg_name, args.pg_port)
            log.append(f"{stamp} pg_terminate_backend: {cut} connections cut")

    threads = [threading.Thread(target=fire, args=event) for event in sorted(events)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    log.sort(key=lambda line: float(line.split("s ")[0][2:]))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--duration", type=float, default=20.0, help="seconds of load")
    parser.add_argument("--kills", type=int, default=3, help="worker kills (kill -9)")
    parser.add_argument("--db-faults", type=int, default=2,
                        help="PostgreSQL: times every connection is cut (or the cluster restarts)")
    parser.add_argument("--pg-restart", metavar="VERSION/CLUSTER",
                        help="crash-restart this PostgreSQL cluster (root; e.g. 15/skmdurab) "
                        "instead of cutting connections; use a cluster of your own, see --pg-port")
    parser.add_argument("--pg-name", default="skm_durability")
    parser.add_argument("--pg-port", type=int, default=5432)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)

    var_dir = OUT / f"durability-{args.db}"
    env, facts = prepare(args.db, var_dir, args.pg_name, pg_port=args.pg_port)
    port = free_port()
    server = start_server(env, port, args.workers, var_dir / "server.log")
    prefix = f"dur-{args.seed}"
    faults: list[str] = []
    try:
        started = time.monotonic()
        injector = threading.Thread(target=fault_schedule, args=(args, server, faults, started))
        injector.start()
        tally = run_clients(args.clients, [port], facts["tokens"], facts["layanan"], args.seed,
                            args.duration, prefix)
        injector.join()
    finally:
        server.stop()
    view = database_view(env, prefix)
    ok, lines = verdict(tally, view)
    print(f"durability: {args.db}, seed {args.seed}, {args.clients} clients, "
          f"{args.duration:g} s, gunicorn {args.workers} workers")
    for line in faults:
        print(f"  fault {line}")
    for line in lines:
        print(f"  {line}")
    print("VERDICT: " + ("PASS: every acknowledged submission is stored once and whole; "
                         "summary in step" if ok else "FAIL"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
