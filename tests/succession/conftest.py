"""Succession fixtures: a factory full of identifying details, its owner, and listings in any state."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from hub.extensions import db

SECRET_FACTORY_ID = 987_654
SECRET = {
    "name": "秘密精機製作所",
    "name_en": "Himitsu Precision Works",
    "address": "東京都大田区東糀谷9-87-6",
    "lat": 35.551234,
    "lon": 139.745678,
    "website": "https://himitsu-seiki.example.jp",
    "owner_birth_year": 1931,
    "successor_status": "none",
    "description": "秘密精機製作所は平面研削と円筒研削の専門工場です。昭和から続く技術で精密部品を仕上げます。",
    "equipment": ["平面研削盤 岡本工作機械 PSG-63DX"],
}
# Strings that name or locate the factory: none may appear anywhere a non-owner sees before approval.
LEAKS = ["秘密精機", "Himitsu", "himitsu", "東糀谷", "9-87-6", "35.551", "139.745", "551234", "745678",
         str(SECRET_FACTORY_ID), "1931", "PSG-63DX"]

LISTING_FORM = {
    "processes": "平面研削\n円筒研削", "machines": "平面研削盤 600mm\n円筒研削盤",
    "employees_band": "1_4", "revenue_band": "under_30m", "years_band": "50_plus", "reason": "age",
    "reason_text": "代表が高齢になり、後継ぎがいません。",
    "description": "焼入れ部品の精密研削。常連の取引先があります。",
    "schemes": ["employee", "sale"], "includes": ["equipment", "customers", "skills"], "timing": "within_1y",
}


def jpeg_with_exif() -> bytes:
    """A JPEG carrying EXIF (camera make and GPS), as a phone would produce."""
    image = Image.new("RGB", (64, 48), (120, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # Make
    exif[0x8825] = {1: "N", 2: (35.0, 33.0, 4.0), 3: "E", 4: (139.0, 44.0, 44.0)}  # GPS IFD
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


@pytest.fixture(autouse=True)
def _fast_password_hashes(monkeypatch):
    """These tests create many accounts: hash their passwords cheaply (scrypt costs ~0.1 s per account)."""
    from functools import partial

    from werkzeug.security import generate_password_hash

    import hub.auth.models

    monkeypatch.setattr(hub.auth.models, "generate_password_hash",
                        partial(generate_password_hash, method="pbkdf2:sha256:1000"))


@pytest.fixture
def secret_factory(app):
    """A factory (id 987654) whose name, address and coordinates must never leak, with one photo."""
    from werkzeug.datastructures import FileStorage

    from hub.auth.models import Organisation
    from hub.core import uploads
    from hub.factories.models import Factory, FactoryPhoto
    from hub.factories.services import update_profile

    with app.test_request_context():
        factory = Factory(id=SECRET_FACTORY_ID)
        update_profile(factory, {**SECRET, "ward": "ota", "processes": ["平面研削", "円筒研削"], "materials": [],
                                 "certifications": []})
        factory.organisation = Organisation(kind="factory", name=SECRET["name"])
        stored = uploads.save_photo(FileStorage(io.BytesIO(jpeg_with_exif()), filename="秘密精機-外観.jpg"))
        factory.photos.append(FactoryPhoto(stored_name=stored.stored_name, width=stored.width, height=stored.height,
                                           size_bytes=stored.size_bytes, caption="秘密精機の外観"))
        db.session.commit()
        return {"id": factory.id, "photo": stored.stored_name}


# Published directory entries the secret factory's listing hides among (k = 5): grinding shops in Ota.
CROWD = {"ward": "ota", "processes": ["平面研削", "円筒研削"], "equipment": ["平面研削盤 600mm", "円筒研削盤"],
         "employees": 3, "founded": 1960}


@pytest.fixture
def crowd(make_factory):
    """Six grinding shops in Ota, as the public directory shows them: the listings' anonymity set."""
    return [make_factory(name=f"研削所{i}", **CROWD) for i in range(6)]


@pytest.fixture
def owner(make_user, secret_factory, crowd):
    return make_user(role="factory", factory=secret_factory["id"], name="秘密 太郎")


@pytest.fixture
def make_listing(app, secret_factory, owner):
    """make_listing(status="published", **fields) → public id of a listing of the secret factory."""
    from hub.auth.models import User
    from hub.factories.models import Factory
    from hub.succession import kanon, services

    def make(status: str = "published", **fields):
        with app.test_request_context():
            user = db.session.get(User, owner)
            factory = db.session.get(Factory, secret_factory["id"])
            data = {"processes": ["surface_grinding", "cylindrical_grinding"], "machines": ["平面研削盤 600mm"],
                    "employees_band": "1_4", "revenue_band": "under_30m", "years_band": "50_plus",
                    "reason": "age", "reason_text": "後継ぎがいません。", "description": "精密研削の工場です。",
                    "schemes": ["employee", "sale"], "includes": ["equipment"], "timing": "within_1y"}
            data.update(fields)
            listing = services.create_listing(user, factory, data)
            listing.status = status
            if status in ("submitted", "published", "paused"):
                listing.public_view = kanon.generalise(listing)  # as submission does
            if status in ("published", "paused"):
                listing.published_at = listing.submitted_at = listing.reviewed_at = services.utcnow()
            db.session.commit()
            return listing.public_id

    return make


@pytest.fixture
def make_profile(app):
    """make_profile(user_id, **fields) → give a successor a profile."""
    from hub.auth.models import User
    from hub.succession import services

    def make(user_id: int, **fields):
        data = {"background": "生産技術15年。", "skills": ["cylindrical_grinding"],
                "processes": ["surface_grinding"], "wards": ["ota"], "schemes": ["sale"],
                "budget_band": "10m_50m"}
        data.update(fields)
        with app.test_request_context():
            services.save_profile(db.session.get(User, user_id), data)
            db.session.commit()

    return make


@pytest.fixture
def disclose(app):
    """disclose(public_id, successor_id, decision=None|"approve"|"decline") → request (and decide) disclosure."""
    from hub.auth.models import User
    from hub.succession import services
    from hub.succession.models import SuccessionListing

    def run(public_id: str, successor_id: int, decision: str | None = None):
        with app.test_request_context():
            listing = db.session.scalar(db.select(SuccessionListing).where(SuccessionListing.public_id == public_id))
            successor = db.session.get(User, successor_id)
            if services.profile_for(successor) is None:
                services.save_profile(successor, {"background": "x", "processes": ["surface_grinding"]})
            nda = services.current_nda()
            disclosure = services.request_disclosure(listing, successor, accepted=True, nda_version=nda.version)
            if decision:
                owner = services.owners(listing)[0]
                services.decide(disclosure, owner, decision)
            db.session.commit()
            return disclosure.id

    return run
