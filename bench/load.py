"""``make bench-load``: the hub under gunicorn and load, beside a hello-world Flask app (issue 11's harness).

    python -m bench.load                        # SQLite, and PostgreSQL when one is reachable; 20,000 factories
    python -m bench.load --db sqlite --factories 5000 --duration 5
    python -m bench.load --big                  # also the first-match-after-edit latency at 100,000 factories
    python -m bench.load --in-process           # Flask test client: one request at 1,000 vs N factories

Each database is fresh (a SQLite file in a temporary folder; a PostgreSQL database created and dropped here), built
with ``flask db upgrade`` + ``flask seed-demo`` + ``flask import-factories`` on generated records. Only 127.0.0.1
is contacted; every run is bounded; servers, temporary files and databases are removed at exit, also on Ctrl-C.
See bench/README.md for how to read the figures.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import quote, unquote

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import load_db  # noqa: E402
from bench.load_wrk import TAG_HEADER, WORKERS, Gunicorn, WrkResult, lua_script, run_wrk  # noqa: E402

# A need as people write it (from bench/data/eval_needs.json), with a quantity.
MATCH_NEED = {"text": "IoTセンサーのアルミ筐体を20個試作したい。切削のあと黒アルマイトで仕上げてほしい",
              "quantity": 20, "limit": 10}


@dataclass(frozen=True)
class Endpoint:
    key: str
    label: str
    method: str
    path: str  # may hold {factory_id} / {slot_id}
    goal: float | None = None  # the goal: requests/s ≥ goal × hello-world
    body: dict | None = None


ENDPOINTS = [
    Endpoint("api_directory", "directory API", "GET", "/api/v1/factories?per_page=20", 0.30),
    Endpoint("directory", "directory page", "GET", "/factories/", 0.20),
    Endpoint("profile", "profile page", "GET", "/factories/{factory_id}", 0.30),
    Endpoint("home", "home page", "GET", "/", 0.30),
    Endpoint("match", "match API", "POST", "/api/v1/match/factories", 0.20, MATCH_NEED),
    Endpoint("booking", "booking", "POST", "/api/v1/openfactory/slots/{slot_id}/bookings"),
]
# In-process only: the other pages of the size table.
EXTRA_IN_PROCESS = [
    Endpoint("directory_filtered", "directory ward+process", "GET", "/factories/?ward=ota&process=anodizing"),
    Endpoint("directory_q", "directory q=アルマイト", "GET", "/factories/?q=" + quote("アルマイト")),
    Endpoint("api_process", "API process=milling", "GET", "/api/v1/factories?process=milling&per_page=20"),
]


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --- HTTP helpers (loopback only) ------------------------------------------------------------------------------

def http(method: str, url: str, body: dict | None = None, headers: dict | None = None,
         timeout: float = 900) -> tuple[int, dict | None, float]:
    """(status, JSON body or None, client seconds)."""
    assert url.startswith("http://127.0.0.1:"), url
    data = json.dumps(body, ensure_ascii=False).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method,
                                     headers={"Content-Type": "application/json", **(headers or {})})
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            raw, status = response.read(), response.status
    except urllib.error.HTTPError as exc:
        raw, status = exc.read(), exc.code
    seconds = time.perf_counter() - started
    try:
        parsed = json.loads(raw) if raw else None
    except ValueError:
        parsed = None
    return status, parsed, seconds


def booking_body(n: int, run: str) -> dict:
    return {"name": f"負荷試験 {n}", "email": f"bench-{run}-{n}@example.jp", "party_size": 1}


# --- the load table -----------------------------------------------------------------------------------------------

@dataclass
class Row:
    label: str
    path: str
    result: WrkResult
    ratio: float | None = None
    goal: float | None = None


def prewarm(base: str) -> None:
    """Every worker builds its match index (seconds at 20k) before anything is timed."""
    with ThreadPoolExecutor(4) as pool:
        for _ in range(3):
            statuses = list(pool.map(lambda _i: http("POST", base + "/api/v1/match/factories", MATCH_NEED)[0],
                                     range(4)))
            if any(s != 200 for s in statuses):
                raise RuntimeError(f"match API answered {statuses} while warming up")


def drive(url: str, script: str, workdir: Path, args: argparse.Namespace, warm: bool = True) -> WrkResult:
    if warm and args.warmup > 0:
        run_wrk(url, script, workdir / "warmup.lua", args.warmup, args.connections)
    return run_wrk(url, script, workdir / "run.lua", args.duration, args.connections)


def load_table(env: dict, prepared: load_db.Prepared, workdir: Path, args: argparse.Namespace,
               cleanup: Cleanup) -> dict:
    """Hello-world, then every endpoint, then hello-world again: wrk -t1 -c16, warm-up then a timed run."""
    hello = cleanup.server(Gunicorn("bench.hello_app:app", env, workdir, "hello"))
    hub = cleanup.server(Gunicorn("wsgi:app", env, workdir, "hub"))
    hello.wait_ready("/")
    hub.wait_ready("/api/v1/factories?per_page=1")
    prewarm(hub.base)
    log("  hello-world ...")
    hello_before = drive(hello.base + "/", lua_script(), workdir, args)
    rows: list[Row] = []
    for ep in ENDPOINTS:
        path = ep.path.format(factory_id=prepared.factory_id, slot_id=prepared.slot_id)
        log(f"  {ep.label}: {ep.method} {path} ...")
        if ep.key == "booking":
            run_id = secrets.token_hex(4)
            script = lua_script("POST", booking_limit=args.bookings, run_id=run_id)
            result = drive(hub.base + path, script, workdir, args, warm=False)
        else:
            result = drive(hub.base + path, lua_script(ep.method, ep.body), workdir, args)
        rows.append(Row(ep.label, f"{ep.method} {path}", result, goal=ep.goal))
    log("  hello-world again ...")
    hello_after = drive(hello.base + "/", lua_script(), workdir, args)
    hello_rps = (hello_before.rps + hello_after.rps) / 2
    for row in rows:
        row.ratio = row.result.rps / hello_rps if hello_rps else None
    cleanup.stop(hub)
    cleanup.stop(hello)
    return {"hello_before": hello_before, "hello_after": hello_after, "hello_rps": hello_rps, "rows": rows}


# --- first match after an edit ----------------------------------------------------------------------------------

@dataclass
class EditRound:
    edit_seconds: float  # the PATCH itself (server side)
    first_by_worker: dict[int, float] = field(default_factory=dict)  # pid → server seconds of its first match
    first_client: dict[int, float] = field(default_factory=dict)  # pid → client seconds
    warm_median: float = 0.0

    @property
    def ratio(self) -> float:
        return max(self.first_by_worker.values()) / self.warm_median if self.warm_median else float("nan")


def _tagged_match(base: str, tag: str) -> tuple[int, float]:
    status, _body, seconds = http("POST", base + "/api/v1/match/factories", MATCH_NEED, {TAG_HEADER: tag})
    return status, seconds


def _logged(server: Gunicorn, tags: list[str], timeout: float = 10) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        seen = server.worker_times()
        if all(t in seen for t in tags) or time.monotonic() > deadline:
            return seen
        time.sleep(0.05)


def first_in_each_worker(server: Gunicorn, prefix: str, max_pairs: int = 20) -> tuple[dict, dict]:
    """Concurrent pairs of match requests until every worker has answered one: its first answer's time.

    With sync workers a busy worker does not accept, so the second request of a pair goes to the other worker."""
    first: dict[int, float] = {}
    client: dict[int, float] = {}
    for i in range(max_pairs):
        tags = [f"{prefix}-{i}-{k}" for k in range(WORKERS)]
        with ThreadPoolExecutor(WORKERS) as pool:
            answers = list(pool.map(lambda t: _tagged_match(server.base, t), tags))
        if any(status != 200 for status, _s in answers):
            raise RuntimeError(f"match API answered {[s for s, _x in answers]}")
        seen = _logged(server, tags)
        for tag, (_status, seconds) in zip(tags, answers, strict=True):
            if tag in seen and seen[tag][0] not in first:
                first[seen[tag][0]] = seen[tag][1]
                client[seen[tag][0]] = seconds
        if len(first) >= WORKERS:
            break
    else:
        log(f"    only {len(first)} of {WORKERS} workers answered {max_pairs} pairs of match requests ({prefix})")
    return first, client


def warm_median(server: Gunicorn, prefix: str, n: int = 16) -> float:
    tags = [f"{prefix}-{i}" for i in range(n)]
    for tag in tags:
        _tagged_match(server.base, tag)
    seen = _logged(server, tags)
    return statistics.median(seen[t][1] for t in tags if t in seen)


def worker_memory(pids) -> dict[int, dict[str, float]]:
    """Per worker: Rss, Pss (shared pages divided between the processes that map them) and anonymous memory in MB,
    from /proc/<pid>/smaps_rollup (Linux); empty elsewhere."""
    out: dict[int, dict[str, float]] = {}
    for pid in pids:
        try:
            lines = Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()
        except OSError:
            continue
        values = {line.split(":")[0]: int(line.split()[1]) / 1024 for line in lines[1:] if line.endswith("kB")}
        out[pid] = {k: values.get(k, 0.0) for k in ("Rss", "Pss", "Anonymous")}
    return out


def edit_latency(env: dict, prepared: load_db.Prepared, workdir: Path, rounds: int, cleanup: Cleanup,
                 memory_workers: int = 0) -> dict:
    """Warm both workers, then per round: edit one profile as an organiser (API), time each worker's first match."""
    hub = cleanup.server(Gunicorn("wsgi:app", env, workdir, "hub-edit", access_log=True))
    hub.wait_ready("/api/v1/factories?per_page=1")
    status, body, _s = http("POST", hub.base + "/api/v1/auth/token",
                            {"email": prepared.organiser_email, "password": prepared.organiser_password})
    if status != 200 or not body or "token" not in body:
        raise RuntimeError(f"no API token for the organiser: {status} {body}")
    auth = {"Authorization": f"Bearer {body['token']}"}
    start_build, _c = first_in_each_worker(hub, "start")  # each worker builds its index once
    first_in_each_worker(hub, "settle")
    before = warm_median(hub, "warm0")
    out = {"start_build": start_build, "warm_before": before, "rounds": [], "memory": worker_memory(start_build)}
    log("    worker memory (MB): " + "; ".join(f"pid {pid} " + " ".join(f"{k}={v:.0f}" for k, v in m.items())
                                            for pid, m in out["memory"].items()))
    url = f"{hub.base}/api/v1/factories/{prepared.factory_id}"
    for r in range(1, rounds + 1):
        _st, profile, _s = http("GET", url)
        description = ((profile or {}).get("description") or "") + f" 負荷試験の編集{r}: 小ロットの試作も歓迎。"
        tag = f"edit-{r}"
        status, _b, _s = http("PATCH", url, {"description": description}, {**auth, TAG_HEADER: tag})
        if status != 200:
            raise RuntimeError(f"editing factory {prepared.factory_id} answered {status}: {_b}")
        edit_seconds = _logged(hub, [tag]).get(tag, (0, float("nan"), 0))[1]
        first, client = first_in_each_worker(hub, f"after{r}")
        one = EditRound(edit_seconds, first, client, warm_median(hub, f"warm{r}"))
        out["rounds"].append(one)
        log(f"    round {r}: edit {one.edit_seconds * 1000:.0f} ms; first match per worker "
            + ", ".join(f"{s * 1000:.0f} ms" for s in first.values()) + f"; warm {one.warm_median * 1000:.1f} ms")
    if memory_workers > WORKERS:
        out["memory_more"] = more_workers_memory(hub, memory_workers)
    cleanup.stop(hub)
    return out


def more_workers_memory(hub: Gunicorn, n: int) -> dict[int, dict[str, float]]:
    """Grow gunicorn to ``n`` workers (SIGTTIN), let every worker build its index (concurrent batches of requests
    until ``n`` distinct workers have answered), then read each worker's memory."""
    for _ in range(n - WORKERS):
        os.kill(hub.process.pid, signal.SIGTTIN)
        time.sleep(0.5)
    children = Path(f"/proc/{hub.process.pid}/task/{hub.process.pid}/children")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(children.read_text().split()) < n:
        time.sleep(0.5)
    time.sleep(10)  # a new worker imports the app before it accepts
    pids: set[int] = set()
    for i in range(200):
        tags = [f"grow-{i}-{k}" for k in range(n)]
        with ThreadPoolExecutor(n) as pool:
            list(pool.map(lambda t: _tagged_match(hub.base, t), tags))
        pids |= {pid for tag, (pid, _s, _st) in _logged(hub, tags).items() if tag in tags}
        if len(pids) >= n:
            break
    memory = worker_memory(sorted(pids))
    log(f"    {len(memory)} workers, memory (MB): "
        + "; ".join(f"pid {pid} " + " ".join(f"{k}={v:.0f}" for k, v in m.items()) for pid, m in memory.items()))
    return memory


# --- in-process (Flask test client) -------------------------------------------------------------------------------

def child_in_process(spec: dict) -> dict:
    """(child process, hub environment) median time of one request per endpoint, after a warm-up."""
    from hub import create_app
    from hub.extensions import db

    app = create_app()
    client = app.test_client()
    results = {}
    run = secrets.token_hex(3)
    counter = 0
    for ep in ENDPOINTS + EXTRA_IN_PROCESS:
        path = ep.path.format(factory_id=spec["factory_id"], slot_id=spec["slot_id"])
        times, statuses = [], set()
        for i in range(spec["warmup"] + spec["repeat"]):
            counter += 1
            body = booking_body(counter, run) if ep.key == "booking" else ep.body
            started = time.perf_counter()
            response = client.open(path, method=ep.method, json=body, base_url="http://127.0.0.1")
            elapsed = time.perf_counter() - started
            statuses.add(response.status_code)
            if i >= spec["warmup"]:
                times.append(elapsed)
        results[ep.key] = {"label": ep.label, "path": f"{ep.method} {path}", "median": statistics.median(times),
                           "min": min(times), "statuses": sorted(statuses)}
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    return results


def in_process(env: dict, prepared: load_db.Prepared, args: argparse.Namespace) -> dict:
    spec = {"factory_id": prepared.factory_id, "slot_id": prepared.slot_id, "warmup": 3, "repeat": args.repeat}
    done = subprocess.run([sys.executable, "-m", "bench.load", "--child-in-process", json.dumps(spec)], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=3600)
    if done.returncode != 0:
        raise RuntimeError(f"in-process timing failed:\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- cleanup ------------------------------------------------------------------------------------------------------

class Cleanup:
    """Everything the run started or made, undone in reverse order at exit (also on Ctrl-C or an error)."""

    def __init__(self) -> None:
        self.servers: list[Gunicorn] = []
        self.databases: list[load_db.BenchDatabase] = []
        self.dirs: list[Path] = []

    def server(self, server: Gunicorn) -> Gunicorn:
        self.servers.append(server)
        return server

    def stop(self, server: Gunicorn) -> None:
        server.stop()
        if server in self.servers:
            self.servers.remove(server)

    def database(self, database: load_db.BenchDatabase) -> load_db.BenchDatabase:
        self.databases.append(database)
        return database

    def drop(self, database: load_db.BenchDatabase) -> None:
        database.drop()
        if database in self.databases:
            self.databases.remove(database)

    def tempdir(self, prefix: str) -> Path:
        path = Path(tempfile.mkdtemp(prefix=prefix))
        self.dirs.append(path)
        return path

    def close(self) -> None:
        for server in reversed(self.servers):
            with contextlib.suppress(Exception):
                server.stop()
        self.servers.clear()
        for database in reversed(self.databases):
            try:
                database.drop()
            except Exception as exc:  # noqa: BLE001 - report and carry on cleaning
                log(f"could not drop {database.name}: {exc}")
        self.databases.clear()
        for path in self.dirs:
            shutil.rmtree(path, ignore_errors=True)
        self.dirs.clear()


def _raise_interrupt(signum, _frame) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


# --- reporting ----------------------------------------------------------------------------------------------------

def print_load(title: str, table: dict) -> None:
    hb, ha = table["hello_before"], table["hello_after"]
    print(f"\n### {title}\n")
    print("| endpoint | requests/s | p50 ms | p95 ms | p99 ms | ratio to hello | goal | non-2xx |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    print(f"| hello-world (before / after) | {hb.rps:,.0f} / {ha.rps:,.0f} | {hb.p50_ms:.1f} | {hb.p95_ms:.1f} | "
          f"{hb.p99_ms:.1f} | 1 | | {hb.non2xx + ha.non2xx} |")
    for row in table["rows"]:
        r = row.result
        goal = f"≥ {row.goal:.2f}×" if row.goal else ""
        print(f"| {row.label} `{row.path}` | {r.rps:,.0f} | {r.p50_ms:.1f} | {r.p95_ms:.1f} | {r.p99_ms:.1f} | "
              f"{row.ratio:.3f}× | {goal} | {r.non2xx + r.socket_errors} |")
    booking = next((row for row in table["rows"] if row.label == "booking"), None)
    if booking:
        tally = ", ".join(f"{k}: {v}" for k, v in sorted(booking.result.tally.items()))
        print(f"\nbooking answers (HTTP status and the body's status or error code): {tally or 'none'}; "
              f"{booking.result.requests} requests in {booking.result.seconds:.1f} s")
    print("(p99 goal: < 100 ms for every endpoint; ratio = requests/s ÷ mean of the two hello-world runs)")


def print_edit(title: str, edit: dict) -> None:
    start = ", ".join(f"{s:.2f} s" for s in edit["start_build"].values())
    print(f"\n### {title}\n")
    print(f"first match in each worker after start-up: {start}; warm match {edit['warm_before'] * 1000:.1f} ms\n")
    print("| round | edit (PATCH) ms | first match per worker ms | warm match ms | first ÷ warm | goal |")
    print("|---|---:|---:|---:|---:|---:|")
    for i, r in enumerate(edit["rounds"], 1):
        firsts = " / ".join(f"{s * 1000:,.0f}" for s in r.first_by_worker.values())
        print(f"| {i} | {r.edit_seconds * 1000:,.0f} | {firsts} | {r.warm_median * 1000:.1f} | {r.ratio:,.1f}× "
              "| ≤ 2× |")
    print("(times measured by gunicorn per request; the first match is the slower worker's)")
    for key, label in (("memory", "after warm-up"), ("memory_more", "grown with SIGTTIN")):
        memory = edit.get(key) or {}
        if memory:
            total = sum(m["Pss"] for m in memory.values())
            rows = ", ".join(f"{m['Rss']:.0f} / {m['Pss']:.0f} / {m['Anonymous']:.0f}" for m in memory.values())
            print(f"\nworker memory {label}, {len(memory)} workers, Rss / Pss / anonymous MB each: {rows}; "
                  f"Pss together {total:,.0f} MB")


def print_in_process(title: str, small: dict, big: dict, n_small: int, n_big: int, repeat: int,
                     rounds: int) -> None:
    print(f"\n### {title}\n")
    print(f"| endpoint | {n_small:,} factories ms | {n_big:,} factories ms | ratio | goal | statuses |")
    print("|---|---:|---:|---:|---:|---|")
    for key, s in small.items():
        b = big[key]
        statuses = ",".join(str(x) for x in sorted(set(s["statuses"]) | set(b["statuses"])))
        path = unquote(s["path"].split(" ", 1)[1])
        print(f"| {s['label']} `{path}` | {s['median'] * 1000:.1f} | {b['median'] * 1000:.1f} | "
              f"{b['median'] / s['median']:.2f}× | ≤ 2× | {statuses} |")
    print(f"(median of {repeat} single requests through Flask's test client after 3 warm-ups; the lower of "
          f"{rounds} alternating rounds per size)")


def _jsonable(value):
    if isinstance(value, load_db.Prepared):
        return {k: v for k, v in asdict(value).items() if k != "organiser_password"}
    if isinstance(value, WrkResult):
        return {**asdict(value), "rps": value.rps}
    if isinstance(value, EditRound):
        return {**asdict(value), "ratio": value.ratio}
    if isinstance(value, Row):
        return {**asdict(value), "result": _jsonable(value.result)}
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    return value


# --- main ---------------------------------------------------------------------------------------------------------

def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__.split("\n\n")[0])
    p.add_argument("--factories", type=int, default=20_000, help="generated factories (default 20,000)")
    p.add_argument("--big", action="store_true", help="also the first-match-after-edit latency at --big-factories")
    p.add_argument("--big-factories", type=int, default=100_000)
    p.add_argument("--db", choices=("auto", "sqlite", "postgresql", "both"), default="auto",
                   help="auto: SQLite, plus PostgreSQL when one is reachable")
    p.add_argument("--pg-url", default=None, help="PostgreSQL to create the benchmark databases beside "
                   "(default: BENCH_PG_URL, a PostgreSQL DATABASE_URL, or 127.0.0.1:5432)")
    p.add_argument("--duration", type=int, default=8, help="whole seconds per timed wrk run (default 8)")
    p.add_argument("--warmup", type=int, default=2, help="seconds of wrk warm-up before each (default 2)")
    p.add_argument("--connections", type=int, default=16)
    p.add_argument("--bookings", type=int, default=300, help="at most this many booking requests")
    p.add_argument("--edit-rounds", type=int, default=2)
    p.add_argument("--memory-workers", type=int, default=4,
                   help="after the edit rounds, grow gunicorn to this many workers and report their memory")
    p.add_argument("--skip-load", action="store_true", help="no wrk table: only the first match after an edit")
    p.add_argument("--skip-edit", action="store_true", help="no first-match-after-edit rounds: only the wrk table")
    p.add_argument("--in-process", action="store_true", help="test-client timings at 1,000 vs --factories")
    p.add_argument("--small-factories", type=int, default=1_000, help="the small size of --in-process")
    p.add_argument("--repeat", type=int, default=15, help="timed requests per endpoint in --in-process")
    p.add_argument("--in-process-rounds", type=int, default=2, help="alternating rounds per size in --in-process")
    p.add_argument("--redis-url", default=None, help="REDIS_URL for the hub (default: none)")
    p.add_argument("--uncached", action="store_true",
                   help="render every page and public JSON afresh (HUB_CACHE_PAGES=false): the cost of a miss")
    p.add_argument("--json", type=Path, default=None, help="also write the figures here")
    p.add_argument("--child-in-process", default=None, help=argparse.SUPPRESS)
    return p.parse_args(argv)


def database_kinds(args: argparse.Namespace) -> tuple[list[str], str | None]:
    explicit = args.pg_url or os.environ.get("BENCH_PG_URL") or (
        os.environ.get("DATABASE_URL") if (os.environ.get("DATABASE_URL") or "").startswith("postgres") else None)
    kinds = ["sqlite"] if args.db in ("auto", "sqlite", "both") else []
    admin = None
    if args.db != "sqlite":
        admin, reason = load_db.postgres_admin_url(explicit)
        if admin:
            kinds.append("postgresql")
        elif args.db in ("postgresql", "both"):
            raise SystemExit(f"no PostgreSQL: {reason}")
        else:
            log(f"PostgreSQL skipped ({reason})")
    return kinds, admin


def size_label(n: int) -> str:
    return f"{n // 1000}k" if n >= 1000 and n % 1000 == 0 else str(n)


def build(kind: str, admin: str | None, n: int, label: str, args: argparse.Namespace, cleanup: Cleanup):
    workdir = cleanup.tempdir(f"bench-load-{label}-")
    database = cleanup.database(load_db.postgres_database(admin, label) if kind == "postgresql"
                                else load_db.sqlite_database(workdir, label))
    database.create()  # registered first: an interrupt right after CREATE DATABASE still drops it
    env = load_db.hub_env(database.url, workdir, args.redis_url)
    if args.uncached:
        env["HUB_CACHE_PAGES"] = "false"  # every page and public JSON rendered afresh (kept counts stay)
    log(f"[{kind}] building a database with the demo data + {n:,} factories ...")
    prepared = load_db.prepare(env, n, workdir, log)
    log(f"[{kind}] {prepared.factories:,} published factories; import {prepared.import_seconds:.0f} s, "
        f"set-up {prepared.setup_seconds:.0f} s; slot {prepared.slot_id}, factory {prepared.factory_id}")
    return database, env, prepared, workdir


def run_load(args: argparse.Namespace, kinds: list[str], admin: str | None, cleanup: Cleanup) -> dict:
    results: dict = {}
    for kind in kinds:
        database, env, prepared, workdir = build(kind, admin, args.factories, size_label(args.factories), args,
                                                 cleanup)
        table = None
        if not args.skip_load:
            table = load_table(env, prepared, workdir, args, cleanup)
            print_load(f"{kind}, {prepared.factories:,} factories (gunicorn {WORKERS} workers, wrk -t1 "
                       f"-c{args.connections} -d{args.duration}s after {args.warmup} s warm-up)", table)
        edit = None
        if not args.skip_edit:
            log(f"[{kind}] first match after an edit ...")
            edit = edit_latency(env, prepared, workdir, args.edit_rounds, cleanup)
            print_edit(f"{kind}, {prepared.factories:,} factories: first match after one profile edit", edit)
        sys.stdout.flush()
        results[kind] = {"prepared": prepared, "load": table, "edit": edit}
        cleanup.drop(database)
        if args.big:
            database, env, prepared, workdir = build(kind, admin, args.big_factories,
                                                     size_label(args.big_factories), args, cleanup)
            log(f"[{kind}] first match after an edit ...")
            edit = edit_latency(env, prepared, workdir, args.edit_rounds, cleanup, args.memory_workers)
            print_edit(f"{kind}, {prepared.factories:,} factories: first match after one profile edit", edit)
            results[kind]["big_edit"] = {"prepared": prepared, "edit": edit}
            cleanup.drop(database)
    return results


def _best(runs: list[dict]) -> dict:
    """Per endpoint, the run with the lowest median (a burst of load elsewhere only ever adds time)."""
    return {key: min((run[key] for run in runs), key=lambda r: r["median"]) for key in runs[0]}


def run_in_process(args: argparse.Namespace, kinds: list[str], admin: str | None, cleanup: Cleanup) -> dict:
    """Both sizes built first, then timed alternately (small, large, small, large …) so that both see the same
    machine; per endpoint the lower median of the rounds counts."""
    results: dict = {}
    sizes = (args.small_factories, args.factories)
    for kind in kinds:
        built = [build(kind, admin, n, "ip" + size_label(n), args, cleanup) for n in sizes]
        runs: dict[int, list[dict]] = {0: [], 1: []}
        for round_no in range(1, args.in_process_rounds + 1):
            for i, (_database, env, prepared, _workdir) in enumerate(built):
                log(f"[{kind}] round {round_no}: single requests at {prepared.factories:,} factories ...")
                runs[i].append(in_process(env, prepared, args))
        for database, *_rest in built:
            cleanup.drop(database)
        small, big = _best(runs[0]), _best(runs[1])
        n_small, n_big = built[0][2].factories, built[1][2].factories
        print_in_process(f"{kind}, in-process: one request at {n_small:,} vs {n_big:,} factories", small, big,
                         n_small, n_big, args.repeat, args.in_process_rounds)
        sys.stdout.flush()
        results[kind] = {"small": small, "big": big, "runs_small": runs[0], "runs_big": runs[1]}
    return results


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    if args.child_in_process:
        print(json.dumps(child_in_process(json.loads(args.child_in_process))))
        return 0
    if not Path(os.environ.get("BENCH_WRK", "/usr/bin/wrk")).exists() and not args.in_process:
        raise SystemExit("wrk is not installed (apt-get install wrk, or BENCH_WRK=/path/to/wrk)")
    signal.signal(signal.SIGINT, signal.default_int_handler)  # also when started in the background (SIG_IGN)
    signal.signal(signal.SIGTERM, _raise_interrupt)
    signal.signal(signal.SIGHUP, _raise_interrupt)
    cleanup = Cleanup()
    started = time.monotonic()
    try:
        kinds, admin = database_kinds(args)
        print(f"bench-load {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on {os.cpu_count()} cores: "
              f"databases {', '.join(kinds)}; {args.factories:,} generated factories + the demo data", flush=True)
        runner = run_in_process if args.in_process else run_load
        results = runner(args, kinds, admin, cleanup)
        if args.json:
            args.json.parent.mkdir(parents=True, exist_ok=True)
            args.json.write_text(json.dumps(_jsonable(results), ensure_ascii=False, indent=1), encoding="utf-8")
    except KeyboardInterrupt:
        log("interrupted: cleaning up")
        return 130
    except Exception:
        for server in cleanup.servers:
            log(f"--- {server.name} log (tail) ---\n{server.log_tail()}")
        raise
    finally:
        cleanup.close()
    print(f"\n(total {time.monotonic() - started:.0f} s. Absolute figures depend on what else the machine is doing; "
          "compare ratios from one run.)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
