"""Demo data: realistic factories across the wards, needs as people write them, one account per role.

``load_demo()`` is idempotent: factories and needs are keyed by ``external_id``, accounts by email.
Demo passwords are generated on first load (never stored in the repository) and written to
``instance/demo-accounts.txt`` so that ``make run`` can print them; ``DEMO_PASSWORD`` fixes them instead.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import os
import secrets
from dataclasses import dataclass, field
from datetime import date
from importlib import resources
from pathlib import Path

from flask import current_app

from hub.auth.models import Organisation
from hub.auth.services import create_user, find_user
from hub.extensions import db
from hub.factories.importer import import_records
from hub.factories.models import Factory
from hub.needs.models import Need
from hub.needs.services import save_need

__all__ = ["load_demo", "DemoResult"]

SEED_PARTS = ("matches", "deals", "succession", "events", "people", "dashboard")


@dataclass
class DemoResult:
    factories_created: int = 0
    factories_updated: int = 0
    users_created: int = 0
    needs_created: int = 0
    accounts: list[tuple[str, str, str]] = field(default_factory=list)  # (email, role, password or "")
    extra: dict[str, int] = field(default_factory=dict)  # counts from the domain parts, e.g. {"listings": 2}

    def summary(self) -> str:
        parts = " ".join(f"{key}={value}" for key, value in sorted(self.extra.items()))
        return (f"factories created={self.factories_created} existing={self.factories_updated} "
                f"users created={self.users_created} needs created={self.needs_created} {parts}").strip()


def _data(name: str):
    return json.loads(resources.files("seeds").joinpath("data", name).read_text(encoding="utf-8"))


def _accounts_file() -> Path:
    return Path(current_app.config["DEMO_ACCOUNTS_FILE"])


def load_demo() -> DemoResult:
    """Load every demo record that is not there yet; commit once at the end of each part."""
    result = DemoResult()
    existing_ids = set(db.session.scalars(db.select(Factory.external_id).where(Factory.external_id.isnot(None))))
    records = [r for r in _data("factories.json") if r.get("external_id") not in existing_ids]
    result.factories_updated = len(existing_ids)
    if records:
        report = import_records(enumerate(records, start=1))
        if report.errors:
            raise RuntimeError(f"demo data is invalid: {report.errors[:3]}")
        result.factories_created = report.created
    _load_users(result)
    _load_needs(result)
    db.session.commit()
    # Each later domain adds its demo data in seeds/<domain>.py: load(result) -> None, idempotent, flushes only.
    for part in SEED_PARTS:
        if importlib.util.find_spec(f"seeds.{part}"):
            importlib.import_module(f"seeds.{part}").load(result)
            db.session.commit()
    return result


def _load_users(result: DemoResult) -> None:
    fixed = os.environ.get("DEMO_PASSWORD")
    lines = []
    for record in _data("users.json"):
        existing = find_user(record["email"])
        if existing is not None:
            if existing.email_verified_at is None:  # demo accounts made before addresses were confirmed
                existing.email_verified_at = existing.created_at
            continue
        password = fixed or secrets.token_urlsafe(9)
        user = create_user(record["email"], password, name=record["name"], role=record["role"],
                           locale=record.get("locale", "ja"), email_verified=True)
        if record.get("factory_external_id"):
            factory = db.session.scalar(
                db.select(Factory).where(Factory.external_id == record["factory_external_id"]))
            if factory is not None:
                if factory.organisation is None:
                    factory.organisation = Organisation(kind="factory", name=factory.name)
                    db.session.flush()
                user.organisation_id = factory.organisation_id
        elif record.get("team"):
            user.organisation = Organisation(kind="team", name=record["team"], seeker_kind=record.get("seeker_kind"))
        result.users_created += 1
        result.accounts.append((user.email, user.role, password))
        lines.append(f"{user.role:10} {user.email:32} {password}")
    db.session.flush()
    if lines:
        path = _accounts_file()
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as handle:
            handle.write("\n".join(lines) + "\n")
        path.chmod(0o600)


def _load_needs(result: DemoResult) -> None:
    existing = set(db.session.scalars(db.select(Need.external_id).where(Need.external_id.isnot(None))))
    for record in _data("needs.json"):
        if record["external_id"] in existing:
            continue
        owner = find_user(record["owner"])
        if owner is None:
            continue
        deadline = date.fromisoformat(record["deadline"]) if record.get("deadline") else None
        if deadline is not None and deadline < date.today():
            deadline = None
        save_need(Need(owner_id=owner.id, external_id=record["external_id"]), {
            "title": record["title"], "description": record.get("description", ""),
            "processes": record.get("processes", []), "materials": record.get("materials", []),
            "quantity": record.get("quantity"), "deadline": deadline,
            "budget_band": record.get("budget_band", "undecided"), "kind": record.get("kind", "fabrication"),
            "visibility": record.get("visibility", "public"), "status": "open",
            "language": record.get("language", "ja"), "attachment_access": "private",
        })
        result.needs_created += 1
    db.session.flush()
