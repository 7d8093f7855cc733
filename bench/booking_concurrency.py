"""The booking invariant under real concurrency, pretix's way: a live gunicorn with several workers, many
simultaneous booking requests, and a control run with the slot lock switched off that shows the race.

    python bench/booking_concurrency.py                       # SQLite file in a temporary folder
    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/hub_events python bench/booking_concurrency.py

On PostgreSQL it works in a schema of its own (created and dropped here) inside the database the URL names.
Only loopback addresses are used. ``tests/events/test_concurrency.py`` runs the same code as a test.
"""

from __future__ import annotations

import json
import os
import random
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as dtime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


@dataclass
class RunResult:
    lock: bool
    database: str
    capacity: int
    requests: int
    seconds: float
    confirmed_seats: int  # from the database, after the run
    outcomes: dict[str, int] = field(default_factory=dict)  # confirmed / waitlisted / error:<status>
    rows: int = 0  # booking rows in the database
    created: int = 0  # 201 answers

    @property
    def overbooked(self) -> bool:
        return self.confirmed_seats > self.capacity

    def line(self) -> str:
        return (f"{self.database:10} lock={'on ' if self.lock else 'off'} requests={self.requests} "
                f"capacity={self.capacity} confirmed_seats={self.confirmed_seats} "
                f"{'OVERBOOKED' if self.overbooked else 'ok'} outcomes={json.dumps(self.outcomes, sort_keys=True)} "
                f"rows={self.rows} created={self.created} time={self.seconds:.2f}s")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _pg_url_with_schema(url: str, schema: str) -> str:
    sep = "&" if "?" in url else "?"
    return f"{url}{sep}options=-csearch_path%3D{schema}"


class Database:
    """A database for one run: a SQLite file, or a fresh schema in the PostgreSQL database of ``url``."""

    def __init__(self, url: str | None, workdir: Path):
        self.base = url
        self.schema = None
        if url and url.startswith("postgres"):
            self.schema = f"booking_bench_{uuid.uuid4().hex[:10]}"
            self.url = _pg_url_with_schema(url, self.schema)
            self.kind = "postgresql"
        else:
            self.url = f"sqlite:///{workdir / f'bench-{uuid.uuid4().hex[:8]}.sqlite3'}"
            self.kind = "sqlite"

    def create(self) -> None:
        if self.schema:
            import sqlalchemy as sa

            engine = sa.create_engine(self.base.replace("postgresql://", "postgresql+psycopg://", 1))
            with engine.begin() as conn:
                conn.execute(sa.text(f'CREATE SCHEMA "{self.schema}"'))
            engine.dispose()

    def drop(self) -> None:
        if self.schema:
            import sqlalchemy as sa

            engine = sa.create_engine(self.base.replace("postgresql://", "postgresql+psycopg://", 1))
            with engine.begin() as conn:
                conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{self.schema}" CASCADE'))
            engine.dispose()


def prepare(url: str, capacity: int) -> int:
    """Build the schema with the migrations and add one bookable slot; returns its id."""
    from flask_migrate import upgrade
    from sqlalchemy.orm import Session

    from hub import create_app
    from hub.core.timeutil import from_tokyo, tokyo_today
    from hub.events.models import Edition, Participation, Program, Slot
    from hub.extensions import db
    from hub.factories.models import Factory

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True, "SECRET_KEY": "bench-secret"})
    with app.app_context():
        upgrade()
        # A session of its own on this app's engine (under pytest, db.session is bound to the suite's database).
        with Session(db.engine) as session:
            factory = Factory(name="並行予約テスト製作所", ward="ota")
            today = tokyo_today()
            edition = Edition(name="bench", starts_on=today + timedelta(days=1), ends_on=today + timedelta(days=2),
                              applications_open_on=today - timedelta(days=5), applications_close_on=today)
            session.add_all([factory, edition])
            session.flush()
            session.add(Participation(edition_id=edition.id, factory_id=factory.id, status="approved"))
            program = Program(edition_id=edition.id, factory_id=factory.id, kind="tour", title="見学")
            start = from_tokyo(datetime.combine(today + timedelta(days=1), dtime(10, 0)))
            slot = Slot(program=program, starts_at=start, ends_at=start + timedelta(hours=1), capacity=capacity)
            session.add_all([program, slot])
            session.commit()
            slot_id = slot.id
        db.engine.dispose()
    return slot_id


def bench_app(lock: bool = True, delay: float = 0.0, confirm: bool = False):
    """The app gunicorn serves in a run: the test-only switches go through create_app(config) with TESTING.
    ``confirm``: bookings wait for the emailed link (EVENTS_BOOKING_EMAIL_CONFIRMATION); the bench presses it
    without a form, so CSRF is off in that run."""
    from hub import create_app

    return create_app({"TESTING": True, "RATELIMIT_ENABLED": False, "EVENTS_BOOKING_LOCK": bool(lock),
                       "EVENTS_RACE_DELAY": float(delay), "EVENTS_BOOKING_EMAIL_CONFIRMATION": bool(confirm),
                       "WTF_CSRF_ENABLED": not confirm})


def measure(url: str, slot_id: int) -> tuple[int, int]:
    """(confirmed seats, booking rows) straight from the database."""
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    with engine.connect() as conn:
        seats = conn.execute(sa.text("SELECT COALESCE(SUM(party_size), 0) FROM event_bookings "
                                     "WHERE slot_id = :s AND status = 'confirmed'"), {"s": slot_id}).scalar()
        rows = conn.execute(sa.text("SELECT COUNT(*) FROM event_bookings WHERE slot_id = :s"),
                            {"s": slot_id}).scalar()
    engine.dispose()
    return int(seats), int(rows)


class Server:
    """gunicorn on 127.0.0.1 with a random free port; stopped by its own pid."""

    def __init__(self, url: str, lock: bool, workers: int, threads: int, delay: float, log: Path,
                 confirm: bool = False):
        self.port = free_port()
        env = {**os.environ, "HUB_ENV": "development", "DATABASE_URL": url, "SECRET_KEY": "bench-secret",
               "HUB_RATELIMIT_ENABLED": "false", "PYTHONPATH": str(ROOT)}
        # The lock switch is test-only: it cannot come from the environment, so gunicorn loads bench_app(), which
        # passes it to create_app() with TESTING=True.
        target = f"bench.booking_concurrency:bench_app(lock={lock!r}, delay={float(delay)!r}, confirm={confirm!r})"
        self.log = log.open("w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--preload", "--workers", str(workers), "--threads", str(threads),
             "--bind", f"127.0.0.1:{self.port}", "--timeout", "60", "--graceful-timeout", "2", target],
            cwd=str(ROOT), env=env, stdout=self.log, stderr=subprocess.STDOUT)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def wait_ready(self, slot_id: int, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}; see {self.log.name}")
            try:
                with urllib.request.urlopen(f"{self.base}/api/v1/openfactory/slots/{slot_id}", timeout=2) as r:
                    if r.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not answer in time")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        self.log.close()


def _post(base: str, slot_id: int, index: int, party: int, start: threading.Barrier) -> str:
    # if_short=waitlist: a party larger than the seats left waits for all its seats (without it the hub asks with a
    # 409 which choice the visitor wants; here every visitor has already chosen).
    body = json.dumps({"name": f"来場者{index}", "email": f"visitor{index}@example.jp", "party_size": party,
                       "if_short": "waitlist"}).encode()
    request = urllib.request.Request(f"{base}/api/v1/openfactory/slots/{slot_id}/bookings", data=body,
                                     headers={"Content-Type": "application/json"}, method="POST")
    try:
        start.wait(timeout=30)
    except threading.BrokenBarrierError:
        pass
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.loads(response.read())["status"] if response.status in (201, 202) \
                else f"error:{response.status}"
    except urllib.error.HTTPError as exc:
        return f"error:{exc.code}"
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return "error:connection"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # the 302 itself is the answer: it names the booking


_NO_REDIRECT = urllib.request.build_opener(_NoRedirect)


def _confirm(base: str, token: str, start: threading.Barrier) -> str:
    """Press the emailed link's button; the answer is ``booking:<id>`` (the redirect to it) or ``error:<why>``."""
    request = urllib.request.Request(f"{base}/openfactory/confirm/{token}", data=b"", method="POST")
    try:
        start.wait(timeout=30)
    except threading.BrokenBarrierError:
        pass
    try:
        with _NO_REDIRECT.open(request, timeout=60) as response:
            return f"error:{response.status}"
    except urllib.error.HTTPError as exc:
        match = re.search(r"/openfactory/bookings/(\d+)", exc.headers.get("Location") or "")
        return f"booking:{match.group(1)}" if exc.code == 302 and match else f"error:{exc.code}"
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return "error:connection"


def _confirm_all(url: str, base: str, slot_id: int) -> tuple[list[str], dict[str, str]]:
    """Press every confirmation link in the outbox at once: (answers, {booking id: status})."""
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    with engine.connect() as conn:
        bodies = conn.execute(sa.text("SELECT body_text FROM email_messages WHERE kind = 'booking_confirm_request'"))
        tokens = [m.group(1) for (body,) in bodies for m in [re.search(r"/openfactory/confirm/(\S+)", body)] if m]
    barrier = threading.Barrier(max(1, min(len(tokens), 64)))
    with ThreadPoolExecutor(max_workers=max(1, min(len(tokens), 64))) as pool:
        answers = list(pool.map(lambda t: _confirm(base, t, barrier), tokens))
    with engine.connect() as conn:
        statuses = {str(i): s for i, s in conn.execute(
            sa.text("SELECT id, status FROM event_bookings WHERE slot_id = :s"), {"s": slot_id})}
    engine.dispose()
    return answers, statuses


def run(database_url: str | None = None, *, lock: bool = True, capacity: int = 10, requests: int = 48,
        workers: int = 4, threads: int = 4, delay: float = 0.05, seed: int = 7, workdir: Path | None = None,
        confirm: bool = False) -> RunResult:
    """One round: fresh database, gunicorn, ``requests`` simultaneous bookings of 1–3 people, then count.
    ``confirm``: with the email confirmation on, every booking answers 202 first; then all the emailed links are
    pressed at once, and each answer (the booking it redirects to) counts as that booking's status."""
    own_tmp = None
    if workdir is None:
        own_tmp = tempfile.TemporaryDirectory(prefix="booking-bench-")
        workdir = Path(own_tmp.name)
    database = Database(database_url, workdir)
    database.create()
    server = None
    try:
        slot_id = prepare(database.url, capacity)
        server = Server(database.url, lock, workers, threads, delay, workdir / f"gunicorn-{server_id()}.log",
                        confirm=confirm)
        server.wait_ready(slot_id)
        rng = random.Random(seed)
        parties = [rng.randint(1, 3) for _ in range(requests)]
        barrier = threading.Barrier(min(requests, 64))
        started = time.monotonic()
        with ThreadPoolExecutor(max_workers=min(requests, 64)) as pool:
            outcomes = list(pool.map(lambda i: _post(server.base, slot_id, i, parties[i], barrier), range(requests)))
        if confirm:
            pending = outcomes.count("pending_confirmation")
            answers, statuses = _confirm_all(database.url, server.base, slot_id)
            outcomes = [statuses.get(a.split(":", 1)[1], "error:unknown") if a.startswith("booking:") else a
                        for a in answers] + ["error:not_pending"] * (requests - pending)
        seconds = time.monotonic() - started
        seats, rows = measure(database.url, slot_id)
        counts: dict[str, int] = {}
        for outcome in outcomes:
            counts[outcome] = counts.get(outcome, 0) + 1
        created = counts.get("confirmed", 0) + counts.get("waitlisted", 0)
        return RunResult(lock=lock, database=database.kind, capacity=capacity, requests=requests, seconds=seconds,
                         confirmed_seats=seats, outcomes=counts, rows=rows, created=created)
    finally:
        if server is not None:
            server.stop()
        database.drop()
        if own_tmp is not None:
            own_tmp.cleanup()


def server_id() -> str:
    return uuid.uuid4().hex[:6]


def main() -> int:
    url = os.environ.get("DATABASE_URL")
    print(f"booking concurrency: gunicorn workers=4 threads=4, race window 50 ms, {date.today().isoformat()}")
    ok = True
    for lock, confirm in ((True, False), (True, True), (False, False)):
        result = run(url, lock=lock, confirm=confirm)
        print(("confirm by email: " if confirm else "") + result.line())
        if lock and (result.overbooked or result.rows != result.created
                     or sum(result.outcomes.values()) != result.requests):
            ok = False
    print("invariant holds with the lock" if ok else "INVARIANT BROKEN with the lock")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
