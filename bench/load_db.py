"""Throw-away hub databases for ``make bench-load``: a SQLite file in a temporary folder, or a PostgreSQL database
created here and dropped at the end. Each is filled only through the hub's own tools: ``flask db upgrade``,
``flask seed-demo``, ``flask import-factories`` on a generated JSON file and ``flask create-user``.

``python -m bench.load_db prepare N`` is the one in-process step (run in a child with the hub's environment): it
gives one open Open Factory slot a very large capacity (so a booking load never fills it) and names a generated
factory for the profile page and the edit.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/hub_bench_load"
BIG_CAPACITY = 1_000_000
ORGANISER_EMAIL = "bench-organiser@example.jp"


@dataclass
class BenchDatabase:
    kind: str  # "sqlite" or "postgresql"
    url: str
    admin_url: str | None = None  # PostgreSQL: where CREATE/DROP DATABASE run
    name: str | None = None  # PostgreSQL: the database created here

    def create(self) -> None:
        """CREATE DATABASE (PostgreSQL; a SQLite file is created by the first connection)."""
        if self.kind != "postgresql":
            return
        import sqlalchemy as sa

        engine = sa.create_engine(self.admin_url, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as conn:
                conn.execute(sa.text(f'CREATE DATABASE "{self.name}"'))
        finally:
            engine.dispose()

    def drop(self) -> None:
        """Remove the PostgreSQL database (the SQLite file goes with its temporary folder)."""
        if self.kind != "postgresql" or not self.name:
            return
        import sqlalchemy as sa

        engine = sa.create_engine(self.admin_url, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
        finally:
            engine.dispose()
        self.name = None


def _psycopg_url(url: str) -> str:
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def sqlite_database(workdir: Path, label: str) -> BenchDatabase:
    return BenchDatabase("sqlite", f"sqlite:///{workdir / f'hub-{label}.sqlite3'}")


def postgres_admin_url(explicit: str | None) -> tuple[str | None, str]:
    """A PostgreSQL URL we can connect to (to create databases next to it), and why not when there is none.

    ``explicit`` (``--pg-url``, ``BENCH_PG_URL`` or a PostgreSQL ``DATABASE_URL``) must work; otherwise the local
    server's ``hub_bench_load`` database, then its ``postgres`` database, are tried."""
    import sqlalchemy as sa

    candidates = [_psycopg_url(explicit)] if explicit else [DEFAULT_PG, DEFAULT_PG.rsplit("/", 1)[0] + "/postgres"]
    reason = "no PostgreSQL URL"
    for url in candidates:
        engine = sa.create_engine(url, connect_args={"connect_timeout": 3})
        try:
            with engine.connect() as conn:
                conn.execute(sa.text("SELECT 1"))
            return url, ""
        except Exception as exc:  # noqa: BLE001 - any failure means "not available"
            reason = f"{url.split('@')[-1]}: {str(exc).splitlines()[0][:160]}"
        finally:
            engine.dispose()
    if explicit:
        raise SystemExit(f"PostgreSQL at {explicit.split('@')[-1]} is not reachable: {reason}")
    return None, reason


def postgres_database(admin_url: str, label: str) -> BenchDatabase:
    """A new name <base>_<label>_<random> beside the admin URL's database; ``create`` makes it, ``drop`` drops it."""
    base = admin_url.rsplit("/", 1)[-1].split("?")[0]
    base = "hub_bench" if base in ("", "postgres", "template1") else base
    name = re.sub(r"[^a-z0-9_]", "_", f"{base}_{label}_{uuid.uuid4().hex[:6]}".lower())[:63]
    url = admin_url.rsplit("/", 1)[0] + "/" + name
    return BenchDatabase("postgresql", url, admin_url=admin_url, name=name)


def hub_env(db_url: str, workdir: Path, redis_url: str | None = None) -> dict[str, str]:
    """The environment every hub process of the benchmark gets: production settings, a random secret, no limits."""
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL")}
    env.update({
        "HUB_ENV": "production",
        "SECRET_KEY": secrets.token_hex(32),
        # Production requires it (links in emails); the benchmark talks to 127.0.0.1 only.
        "PUBLIC_BASE_URL": os.environ.get("PUBLIC_BASE_URL") or "http://127.0.0.1",
        "DATABASE_URL": db_url,
        "HUB_RATELIMIT_ENABLED": "false",
        "HUB_UPLOAD_FOLDER": str(workdir / "uploads"),
        "HUB_DEMO_ACCOUNTS_FILE": str(workdir / "demo-accounts.txt"),
        "PYTHONPATH": str(ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else ""),
    })
    if redis_url:
        env["REDIS_URL"] = redis_url
    return env


def flask(env: dict[str, str], *args: str, stdin: str | None = None, timeout: float = 3600) -> str:
    """``flask --app wsgi ARGS`` in the repository; its output, or an error with the output when it fails."""
    done = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=ROOT, env=env, input=stdin,
                          capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        raise RuntimeError(f"flask {' '.join(args)} failed ({done.returncode}):\n{done.stdout[-2000:]}"
                           f"\n{done.stderr[-4000:]}")
    return done.stdout


@dataclass
class Prepared:
    factories: int  # published factories in the database
    generated: int
    import_seconds: float
    setup_seconds: float
    slot_id: int
    factory_id: int
    organiser_email: str
    organiser_password: str


def prepare(env: dict[str, str], factories: int, workdir: Path, log=print) -> Prepared:
    """Schema, demo data, ``factories`` generated factories through the importer, an organiser, a big slot."""
    from bench.import_speed import write_import_file

    started = time.perf_counter()
    flask(env, "db", "upgrade")
    flask(env, "seed-demo")
    import_seconds = 0.0
    if factories:
        path = write_import_file(factories, "json", workdir)
        log(f"  importing {factories:,} generated factories with `flask import-factories` ...")
        t0 = time.perf_counter()
        out = flask(env, "import-factories", str(path))
        import_seconds = time.perf_counter() - t0
        path.unlink()
        last = out.strip().splitlines()[-1] if out.strip() else ""
        created = re.search(r"created=(\d+)", last)
        if not created or int(created.group(1)) != factories:
            raise RuntimeError(f"the importer did not create {factories} factories: {last!r}")
    password = secrets.token_urlsafe(16)
    flask(env, "create-user", ORGANISER_EMAIL, "--role", "organiser", "--name", "Bench organiser",
          stdin=password + "\n")
    done = subprocess.run([sys.executable, "-m", "bench.load_db", "prepare", str(factories)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        raise RuntimeError(f"preparing the slot failed:\n{done.stderr[-4000:]}")
    info = json.loads(done.stdout.strip().splitlines()[-1])
    return Prepared(factories=info["published"], generated=factories, import_seconds=import_seconds,
                    setup_seconds=time.perf_counter() - started, slot_id=info["slot_id"],
                    factory_id=info["factory_id"], organiser_email=ORGANISER_EMAIL, organiser_password=password)


def _prepare_in_app(generated: int) -> dict:
    """(child process) One open slot with a huge capacity, a generated factory's id, the published count."""
    from datetime import datetime, timedelta
    from datetime import time as dtime

    from hub import create_app
    from hub.core.timeutil import from_tokyo, tokyo_today
    from hub.events import services as events
    from hub.events.models import Edition, Participation, Program, Slot
    from hub.extensions import db
    from hub.factories.models import Factory

    app = create_app()
    with app.app_context():
        slot = next((s for s in db.session.scalars(db.select(Slot).where(Slot.program_id.is_not(None))
                                                    .order_by(Slot.id))
                     if events.booking_state(s) == "open"), None)
        if slot is None:  # the demo has none open today: add one to a new edition of our own
            factory = db.session.scalars(db.select(Factory).where(Factory.is_published).limit(1)).one()
            today = tokyo_today()
            edition = Edition(name="負荷試験", starts_on=today + timedelta(days=7), ends_on=today + timedelta(days=8),
                              applications_open_on=today - timedelta(days=5), applications_close_on=today)
            db.session.add(edition)
            db.session.flush()
            db.session.add(Participation(edition_id=edition.id, factory_id=factory.id, status="approved"))
            program = Program(edition_id=edition.id, factory_id=factory.id, kind="tour", title="負荷試験の見学")
            start = from_tokyo(datetime.combine(today + timedelta(days=7), dtime(10, 0)))
            slot = Slot(program=program, starts_at=start, ends_at=start + timedelta(hours=1), capacity=1)
            db.session.add_all([program, slot])
        slot.capacity = BIG_CAPACITY
        db.session.commit()
        middle = f"SY-{max(generated // 2, 1):07d}"
        factory_id = db.session.scalar(db.select(Factory.id).where(Factory.external_id == middle)) if generated \
            else db.session.scalar(db.select(Factory.id).where(Factory.is_published).order_by(Factory.id))
        published = db.session.scalar(db.select(db.func.count(Factory.id)).where(Factory.is_published))
        result = {"slot_id": slot.id, "factory_id": factory_id, "published": published}
        db.session.remove()
        db.engine.dispose()
    return result


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "prepare":
        print(json.dumps(_prepare_in_app(int(sys.argv[2]))))
    else:
        raise SystemExit("usage: python -m bench.load_db prepare N   (run by bench/load.py)")
