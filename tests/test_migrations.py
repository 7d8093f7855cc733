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


def _all_rows(engine) -> dict[str, list[tuple]]:
    """Every row of every table (but Alembic's own), in primary-key order."""
    with engine.connect() as conn:
        tables = sorted(set(inspect(conn).get_table_names()) - {"alembic_version"})
        return {table: [tuple(row) for row in conn.execute(text(f'SELECT * FROM "{table}" ORDER BY 1'))]
                for table in tables}


def test_status_checks_upgrade_keeps_demo_data(tmp_path):
    """Seed the demo at the revision before the status CHECKs, upgrade: every row is still there, unchanged, and
    the constraints now refuse a value outside the enum. On SQLite the upgrade copies each table (batch mode)."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(ROOT / "migrations"))
    previous = ScriptDirectory.from_config(config).get_revision(STATUS_CHECKS_REVISION).down_revision
    url, cleanup = _scratch_database(tmp_path)
    try:
        _flask(url, tmp_path, "db", "upgrade", previous)
        _flask(url, tmp_path, "seed-demo")
        engine = create_engine(url)
        before = _all_rows(engine)
        assert len(before["factories"]) >= 50 and len(before["event_bookings"]) >= 40
        assert {row[0] for row in before["succession_listings"]}, "the demo has succession listings"
        engine.dispose()

        _flask(url, tmp_path, "db", "upgrade")
        _flask(url, tmp_path, "db", "check")
        engine = create_engine(url)
        after = _all_rows(engine)
        assert {table: after[table] for table in before} == before
        assert not any(after[table] for table in set(after) - set(before))  # tables of later revisions start empty
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
