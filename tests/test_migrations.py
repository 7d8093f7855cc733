"""The schema comes only from the migrations, and the models have not drifted from them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.exc import IntegrityError

from hub.extensions import db


def test_migrations_created_every_table(app):
    with app.app_context():
        tables = set(inspect(db.engine).get_table_names())
    assert set(db.metadata.tables) <= tables
    assert "alembic_version" in tables


def test_no_drift_between_models_and_migrations(app):
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diff = compare_metadata(context, db.metadata)
    assert diff == []


def test_migration_files_are_date_prefixed():
    versions = Path(__file__).resolve().parent.parent / "migrations" / "versions"
    files = [p.name for p in versions.glob("*.py")]
    assert files, "no migrations"
    assert all(name[:4].isdigit() and name[4] == "_" for name in files), files


# --- Status CHECK constraints (issue 17) -------------------------------------------------------------------------

STATUS_CHECKS_REVISION = "ea14f9bf250c"
ROOT = Path(__file__).resolve().parent.parent


def _scratch_database(tmp_path: Path) -> tuple[str, object]:
    """A database of its own for a migration run: a SQLite file, or a scratch schema of the PostgreSQL test
    database (its own search_path), so that the session's schema is left alone."""
    url = os.environ.get("DATABASE_URL") or ""
    if not url.startswith("postgres"):
        return f"sqlite:///{tmp_path / 'upgrade.sqlite3'}", lambda: None
    from hub.config import _normalise_db_url

    url = _normalise_db_url(url)
    admin = create_engine(url)
    with admin.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS migration_test CASCADE"))
        conn.execute(text("CREATE SCHEMA migration_test"))

    def cleanup() -> None:
        with admin.begin() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS migration_test CASCADE"))
        admin.dispose()

    separator = "&" if "?" in url else "?"
    return f"{url}{separator}options=-csearch_path%3Dmigration_test", cleanup


def _flask(url: str, tmp_path: Path, *args: str) -> str:
    env = {**os.environ, "HUB_ENV": "development", "DATABASE_URL": url, "DEMO_PASSWORD": "demo password 1",
           "HUB_UPLOAD_FOLDER": str(tmp_path / "uploads"), "HUB_DEMO_ACCOUNTS_FILE": str(tmp_path / "demo.txt")}
    done = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def _all_rows(engine, columns: dict[str, list[str]] | None = None) -> dict[str, list[tuple]]:
    """Every row of every table (but Alembic's own), in primary-key order; with ``columns``, only those tables
    and columns (a later revision may add some)."""
    with engine.connect() as conn:
        tables = sorted(set(inspect(conn).get_table_names()) - {"alembic_version"})
        rows = {}
        for table in tables if columns is None else sorted(columns):
            names = ", ".join(f'"{c}"' for c in columns[table]) if columns is not None else "*"
            rows[table] = [tuple(row) for row in conn.execute(text(f'SELECT {names} FROM "{table}" ORDER BY 1'))]
        return rows


def _all_columns(engine) -> dict[str, list[str]]:
    with engine.connect() as conn:
        inspector = inspect(conn)
        return {table: [c["name"] for c in inspector.get_columns(table)]
                for table in sorted(set(inspector.get_table_names()) - {"alembic_version"})}


def test_status_checks_upgrade_keeps_demo_data(tmp_path):
    """The demo's rows at the revision before the status CHECKs survive the upgrade unchanged, and the constraints
    then refuse a value outside the enum. On SQLite the upgrade copies each table (batch mode). The demo is seeded
    at the head (the seeds follow today's models, which later revisions may have extended), then the database is
    taken down to that revision and back up."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(ROOT / "migrations"))
    previous = ScriptDirectory.from_config(config).get_revision(STATUS_CHECKS_REVISION).down_revision
    url, cleanup = _scratch_database(tmp_path)
    try:
        _flask(url, tmp_path, "db", "upgrade")
        _flask(url, tmp_path, "seed-demo")
        _flask(url, tmp_path, "db", "downgrade", previous)
        engine = create_engine(url)
        columns = _all_columns(engine)
        before = _all_rows(engine, columns)
        assert len(before["factories"]) >= 50 and len(before["event_bookings"]) >= 40
        assert {row[0] for row in before["succession_listings"]}, "the demo has succession listings"
        engine.dispose()

        # Up to this revision only: later ones may move data on purpose (e.g. the old meister_pairs rows become
        # masters, juniors and pairs); test_no_drift_between_models_and_migrations checks the head.
        _flask(url, tmp_path, "db", "upgrade", STATUS_CHECKS_REVISION)
        engine = create_engine(url)
        assert _all_rows(engine, columns) == before
        with engine.connect() as conn:
            checks = {c["name"] for table in ("deals", "event_bookings", "succession_listings")
                      for c in inspect(conn).get_check_constraints(table)}
        assert {"ck_deals_status", "ck_event_bookings_status", "ck_succession_listings_status"} <= checks
        for table, column in (("deals", "status"), ("event_bookings", "status"), ("succession_listings", "status")):
            with pytest.raises(IntegrityError), engine.begin() as conn:
                conn.execute(text(f'UPDATE "{table}" SET {column} = :value'), {"value": "bogus"})
        engine.dispose()
    finally:
        cleanup()


def test_every_status_column_has_its_check_constraint(app):
    """Each status enum is held by a CHECK constraint in the migrated schema: a stray value is refused."""
    from hub.core.statuses import values
    from hub.deals.models import DealStatus, EmailState, ReportStatus, StepStatus
    from hub.events.models import BookingStatus, ParticipationStatus, PitchStatus
    from hub.factories.models import ClaimStatus, Evidence, ReviewDecision, ReviewStatus
    from hub.mail.models import EmailStatus
    from hub.matches.models import ImportStatus
    from hub.needs.models import NeedStatus
    from hub.succession.models import DisclosureStatus, ListingStatus

    expected = {
        ("needs", "status"): NeedStatus, ("deals", "status"): DealStatus, ("deal_steps", "status"): StepStatus,
        ("deal_notifications", "email_state"): EmailState, ("deal_reports", "status"): ReportStatus,
        ("factories", "review_status"): ReviewStatus, ("factory_capabilities", "evidence"): Evidence,
        ("factory_capability_reviews", "decision"): ReviewDecision, ("factory_claims", "status"): ClaimStatus,
        ("event_participations", "status"): ParticipationStatus, ("event_bookings", "status"): BookingStatus,
        ("event_pitches", "status"): PitchStatus, ("succession_listings", "status"): ListingStatus,
        ("succession_disclosures", "status"): DisclosureStatus, ("import_jobs", "status"): ImportStatus,
        ("email_messages", "status"): EmailStatus,
    }
    with app.app_context(), db.engine.connect() as conn:
        inspector = inspect(conn)
        for (table, column), enum in expected.items():
            found = {c["name"]: c["sqltext"] for c in inspector.get_check_constraints(table)}
            name = f"ck_{table}_{column}"
            assert name in found, (table, sorted(found))
            assert all(f"'{value}'" in found[name] for value in values(enum)), (name, found[name])


# --- Skill transfer (issue 14): the old pairs of names become people and pairs ----------------------------------

SKILLS_REVISION = "8d726c639819"


def test_old_meister_pairs_become_masters_juniors_and_pairs(tmp_path):
    """Rows typed into the old organiser form are migrated: one master per name, a junior per pair (an employee of
    the pair's factory), the pair certified when it was — so meister_pairs counts the same — and back on downgrade."""
    url, cleanup = _scratch_database(tmp_path)
    try:
        _flask(url, tmp_path, "db", "upgrade", STATUS_CHECKS_REVISION)
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO factories (id, name, ward, is_location_approx, description, processes, materials, "
                "equipment, certifications, search_text, is_published, created_at, updated_at) SELECT 77, '大田精工', "
                "'ota', false, '', '[]', '[]', '[]', '[]', '', true, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP"))
            for factory, master, junior, code, started, certified in (
                    (77, "佐藤 昭二", "田中 翔", "turning", "2025-04-01", "2026-03-31"),
                    (None, "佐藤 昭二", "高橋 美咲", "milling", "2025-05-01", None),
                    (None, "鈴木 勝", "中村 あかり", "metal_spinning", "2024-01-10", "2025-02-01")):
                conn.execute(text("INSERT INTO meister_pairs (factory_id, master_name, junior_name, process_code, "
                                  "started_on, certified_on, notes, created_at) VALUES (:f, :m, :j, :c, :s, :d, '', "
                                  "CURRENT_TIMESTAMP)"), {"f": factory, "m": master, "j": junior, "c": code,
                                                          "s": started, "d": certified})
        engine.dispose()
        _flask(url, tmp_path, "db", "upgrade", SKILLS_REVISION)
        engine = create_engine(url)
        with engine.connect() as conn:
            assert sorted(conn.execute(text("SELECT name FROM masters")).scalars()) == ["佐藤 昭二", "鈴木 勝"]
            juniors = {row[0]: row[1:] for row in conn.execute(text("SELECT name, employer_id, kind FROM juniors"))}
            assert juniors["田中 翔"] == (77, "employee") and juniors["高橋 美咲"] == (None, "apprentice")
            pairs = conn.execute(text(
                "SELECT j.name, p.status, p.certified_on, p.process_code FROM pairs p JOIN juniors j "
                "ON j.id = p.junior_id ORDER BY j.name")).all()
            assert [(name, status, str(day) if day else None) for name, status, day, _ in pairs] == [
                ("中村 あかり", "certified", "2025-02-01"), ("田中 翔", "certified", "2026-03-31"),
                ("高橋 美咲", "active", None)]
            skills = conn.execute(text("SELECT count(*) FROM master_skills")).scalar()
            assert skills == 3
        engine.dispose()
        _flask(url, tmp_path, "db", "downgrade", STATUS_CHECKS_REVISION)
        engine = create_engine(url)
        with engine.connect() as conn:
            rows = sorted(conn.execute(text("SELECT junior_name, factory_id, certified_on FROM meister_pairs")).all())
            assert [(name, factory, str(day) if day else None) for name, factory, day in rows] == [
                ("中村 あかり", None, "2025-02-01"), ("田中 翔", 77, "2026-03-31"), ("高橋 美咲", None, None)]
        engine.dispose()
    finally:
        cleanup()
