"""Who may do what with listings, disclosures and outreach records — every role, HTML and API."""

from __future__ import annotations

import pytest

from hub.extensions import db
from hub.succession.models import Disclosure, OutreachRecord, SuccessionListing

ROLES = ["anonymous", "seeker", "factory", "successor", "approved", "owner", "organiser"]


@pytest.fixture
def world(app, client, make_user, make_listing, disclose, owner, secret_factory, make_factory):
    """A published listing with a pending request, and the ability to sign in as any role."""
    from hub.auth.models import User
    from tests.conftest import PASSWORD

    public_id = make_listing("published")
    pending = make_user(role="successor")
    request_id = disclose(public_id, pending)
    approved = make_user(role="successor")
    disclose(public_id, approved, "approve")
    users = {"seeker": make_user(role="seeker"), "factory": make_user(role="factory", factory=make_factory()),
             "successor": make_user(role="successor"), "approved": approved, "owner": owner,
             "organiser": make_user(role="organiser")}

    tokens: dict[str, dict] = {}

    def login(role, api=False):
        client.post("/auth/logout")
        if role == "anonymous":
            return {}
        with app.app_context():
            email = db.session.get(User, users[role]).email
        client.post("/auth/login", data={"email": email, "password": PASSWORD})
        if api and role not in tokens:
            token = client.post("/api/v1/auth/token", json={"email": email, "password": PASSWORD}).get_json()
            tokens[role] = {"Authorization": f"Bearer {token['token']}"}
        return tokens.get(role, {})

    return {"public_id": public_id, "request_id": request_id, "factory_id": secret_factory["id"], "login": login}


def _ok(status: int) -> bool:
    return status in (200, 302) and status != 403


# (page, roles allowed); every other role gets a redirect to sign in (anonymous), 403 or 404.
PAGES = [
    ("/succession/listings", {"successor", "approved", "organiser"}),
    ("/succession/l/{pid}", {"successor", "approved", "owner", "organiser"}),
    ("/succession/l/{pid}/audit", {"owner", "organiser"}),
    ("/succession/l/{pid}/successors", {"owner", "organiser"}),
    ("/succession/l/{pid}/edit", {"owner"}),
    ("/succession/mine", {"factory", "owner"}),
    ("/succession/profile", {"successor", "approved"}),
    ("/succession/requests", {"successor", "approved"}),
    ("/succession/review", {"organiser"}),
    ("/succession/outreach", {"organiser"}),
    ("/succession/outreach.csv", {"organiser"}),
    ("/succession/outreach/{fid}", {"organiser"}),
    ("/succession/nda", {"organiser"}),
]


def test_page_matrix(client, world):
    for role in ROLES:
        world["login"](role)
        for page, allowed in PAGES:
            url = page.format(pid=world["public_id"], fid=world["factory_id"])
            status = client.get(url).status_code
            if role in allowed:
                assert status == 200, (role, url, status)
            elif role == "anonymous" and "/succession/l/" not in url:
                assert status == 302, (role, url, status)  # to the sign-in page
            else:
                assert status in (302, 403, 404), (role, url, status)
                assert status != 200


def test_api_matrix(client, world):
    for role in ROLES:
        headers = world["login"](role, api=True)
        expected_list = 200 if role in ("successor", "approved", "organiser") else (401 if role == "anonymous" else 403)
        assert client.get("/api/v1/succession/listings", headers=headers).status_code == expected_list
        detail = client.get(f"/api/v1/succession/listings/{world['public_id']}", headers=headers).status_code
        assert detail == expected_list
        matches = client.get("/api/v1/succession/matches", headers=headers).status_code
        assert matches == (401 if role == "anonymous" else 403 if role not in ("successor", "approved")
                           else 409 if role == "successor" else 200)


def _others_then(allowed: tuple[str, ...]) -> list[str]:
    return [r for r in ROLES if r not in allowed] + list(allowed[:1])


def test_only_the_owner_decides_on_disclosure(app, client, world):
    for role in _others_then(("owner",)):
        world["login"](role)
        response = client.post(f"/succession/disclosures/{world['request_id']}/approve")
        with app.app_context():
            status = db.session.get(Disclosure, world["request_id"]).status
        assert (status == "approved") == (role == "owner"), (role, response.status_code)


def test_only_organisers_review(app, client, world):
    for role in _others_then(("organiser",)):
        world["login"](role)
        with app.app_context():
            listing = db.session.scalar(db.select(SuccessionListing).where(
                SuccessionListing.public_id == world["public_id"]))
            listing.status = "submitted"
            db.session.commit()
        client.post(f"/succession/l/{world['public_id']}/approve")
        with app.app_context():
            status = db.session.scalar(db.select(SuccessionListing.status).where(
                SuccessionListing.public_id == world["public_id"]))
        assert (status == "published") == (role == "organiser"), role


@pytest.mark.parametrize("allowed", ["owner", "organiser"])
def test_only_owner_and_organisers_pause_or_withdraw(app, client, world, allowed):
    for role in [r for r in ROLES if r not in ("owner", "organiser")] + [allowed]:
        world["login"](role)
        client.post(f"/succession/l/{world['public_id']}/withdraw")
        with app.app_context():
            status = db.session.scalar(db.select(SuccessionListing.status).where(
                SuccessionListing.public_id == world["public_id"]))
        assert (status == "withdrawn") == (role == allowed), role


def test_only_organisers_record_outreach(app, client, world):
    for role in _others_then(("organiser",)):
        world["login"](role)
        client.post(f"/succession/outreach/{world['factory_id']}", data={"stage": "contacted",
                                                                         "happened_on": "2026-01-05", "note": "x"})
        client.post(f"/succession/outreach/{world['factory_id']}/notes", data={"n-notes": "hello"})
        with app.app_context():
            record = db.session.scalar(
                db.select(OutreachRecord).where(OutreachRecord.factory_id == world["factory_id"]))
        assert (record is not None) == (role == "organiser"), role
        if record is not None:
            assert record.stage == "contacted" and record.notes == "hello"


def test_withdrawn_listing_hides_identity_from_approved_successor(app, client, world):
    world["login"]("owner")
    client.post(f"/succession/l/{world['public_id']}/withdraw")
    world["login"]("approved")
    assert client.get(f"/succession/l/{world['public_id']}").status_code == 404


def test_paused_listing_stays_visible_to_approved_successor_only(app, client, world):
    world["login"]("owner")
    client.post(f"/succession/l/{world['public_id']}/pause")
    world["login"]("approved")
    assert "秘密精機製作所" in client.get(f"/succession/l/{world['public_id']}").get_data(as_text=True)
    world["login"]("successor")
    assert client.get(f"/succession/l/{world['public_id']}").status_code == 404
