"""Who may see what: training logs and photos (the pair's sides and organisers), know-how cards by visibility
(private, shared with juniors, public) with their photos and clips, and what a factory profile shows."""

from __future__ import annotations

import io
from datetime import date

import pytest
from PIL import Image

from hub.extensions import db
from hub.people.models import KnowhowCard, Pair, TrainingSession


def _get(client, url: str, **kwargs):
    """A GET whose response (maybe a file) is closed before it is returned."""
    with client.get(url, **kwargs) as response:
        response.get_data()
        return response


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (10, 120, 200)).save(out, "JPEG")
    return out.getvalue()


def _mp4(size: int = 4096) -> bytes:
    """An ISO base media file head (ftyp isom) and filler: what the upload check reads."""
    return b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00isomiso2avc1mp41" + bytes(size)


def test_training_log_and_photos_are_for_the_pair_only(app, active_pair, make_user, make_factory, client_for):
    pair_id, master, junior, office, ids = active_pair()
    response = master.post(f"/people/pairs/{pair_id}/sessions", data={
        "held_on": date.today().isoformat(), "hours": "2", "skills": ["turning"], "notes": "秘密の段取り",
        "photo": (io.BytesIO(_jpeg()), "a.jpg")}, content_type="multipart/form-data")
    assert response.status_code == 302
    with app.app_context():
        session = db.session.scalar(db.select(TrainingSession))
        session_id, photo_id = session.id, session.photos[0].id
    photo = f"/people/sessions/{session_id}/photos/{photo_id}"
    for client in (master, junior, office):
        assert "秘密の段取り" in client.get(f"/people/pairs/{pair_id}").get_data(as_text=True)
        assert _get(client, photo).status_code == 200
    strangers = [client_for(make_user("seeker")), client_for(make_user("factory", factory=make_factory())),
                 client_for(make_user("successor")), client_for(make_user("seeker", verified=False))]
    for stranger in strangers:
        assert stranger.get(f"/people/pairs/{pair_id}").status_code in (302, 404)
        assert _get(stranger, photo).status_code in (302, 404)
        assert stranger.post(f"/people/pairs/{pair_id}/sessions", data={
            "held_on": date.today().isoformat(), "hours": "9"}).status_code in (302, 404)
        assert stranger.post(f"/people/sessions/{session_id}/confirm").status_code in (302, 404)
    assert app.test_client().get(f"/people/pairs/{pair_id}").status_code == 302  # sign in first
    # The organiser sees the log but cannot log or confirm for a side.
    assert office.post(f"/people/pairs/{pair_id}/sessions", data={
        "held_on": date.today().isoformat(), "hours": "9"}).status_code == 400
    office.post(f"/people/sessions/{session_id}/confirm")
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(TrainingSession.id))) == 1
        assert db.session.get(TrainingSession, session_id).junior_confirmed_at is None


def test_the_juniors_factory_acts_for_its_employee(app, active_pair, make_factory, make_user, client_for):
    factory_id = make_factory(name="大田精工")
    pair_id, master, junior, office, ids = active_pair(junior_factory=factory_id)
    colleague = client_for(make_user("factory", factory=factory_id))
    master.post(f"/people/pairs/{pair_id}/sessions", data={"held_on": date.today().isoformat(), "hours": "1.5"})
    with app.app_context():
        session_id = db.session.scalar(db.select(TrainingSession.id))
    assert colleague.get(f"/people/pairs/{pair_id}").status_code == 200
    assert colleague.post(f"/people/sessions/{session_id}/confirm").status_code == 302
    with app.app_context():
        assert db.session.get(TrainingSession, session_id).is_confirmed


@pytest.fixture
def cards_world(app, make_factory, make_user, client_for):
    """Factory A's cards (private, shared with juniors, public), factory A's employee junior, a student paired
    with A's master, and outsiders."""
    from tests.people.conftest import junior_form

    factory_a, factory_b = make_factory(name="甲製作所"), make_factory(name="乙製作所")
    people = {"member_a": make_user("factory", factory=factory_a), "member_b": make_user("factory", factory=factory_b),
              "employee": make_user("factory", factory=factory_a), "seeker": make_user("seeker"),
              "organiser": make_user("organiser")}
    clients = {key: client_for(uid) for key, uid in people.items()}
    clients["anonymous"] = app.test_client()
    clients["employee"].post("/people/juniors/new", data=junior_form("社員", kind="employee", is_self="y"))
    ids = {"factory_a": factory_a}
    for visibility in ("private", "juniors", "public"):
        response = clients["member_a"].post("/people/cards/new", data={
            "title": f"段取りの勘所 {visibility}", "process_code": "turning", "visibility": visibility,
            "summary": "チャックの芯出し", "steps": "一\n二", "tolerances": "±0.01", "tools": "ダイヤルゲージ",
            "mistakes": "締めすぎ"})
        assert response.status_code == 302
        ids[visibility] = int(response.headers["Location"].rsplit("/", 1)[1])
    upload = clients["member_a"].post(f"/people/cards/{ids['private']}/media", data={
        "file": (io.BytesIO(_mp4()), "clip.mov"), "caption": "芯出し"}, content_type="multipart/form-data")
    assert upload.status_code == 302
    with app.app_context():
        ids["video"] = db.session.get(KnowhowCard, ids["private"]).media[0].id
    return ids, clients


def test_card_visibility(cards_world):
    ids, clients = cards_world
    staff = {"member_a", "employee", "organiser"}  # the employee junior is one of the factory's members
    readers = {"private": staff, "juniors": staff,
               "public": set(clients)}
    for visibility, allowed in readers.items():
        for who, client in clients.items():
            status = client.get(f"/people/cards/{ids[visibility]}").status_code
            assert status == (200 if who in allowed else 404), (visibility, who, status)
            listed = f"段取りの勘所 {visibility}" in client.get("/people/cards?q=芯出し").get_data(as_text=True)
            assert listed == (who in allowed), (visibility, who)
    for who in ("member_b", "seeker", "anonymous"):
        assert _get(clients[who], f"/people/cards/{ids['private']}/media/{ids['video']}").status_code == 404
        assert clients[who].post(f"/people/cards/{ids['public']}/edit", data={"title": "x"}).status_code in (
            302, 403)


def test_a_masters_cards_are_shared_with_the_juniors_they_train(app, active_pair, make_user, client_for):
    pair_id, master, junior, office, ids = active_pair()
    outsider = client_for(make_user("seeker"))
    cards = {}
    for visibility in ("private", "juniors", "public"):
        response = master.post("/people/cards/new", data={"title": f"親方の技 {visibility}", "process_code": "turning",
                                                          "visibility": visibility, "steps": "削る"})
        cards[visibility] = int(response.headers["Location"].rsplit("/", 1)[1])
    expected = {"private": (200, 404, 404), "juniors": (200, 200, 404), "public": (200, 200, 200)}
    for visibility, statuses in expected.items():
        got = tuple(c.get(f"/people/cards/{cards[visibility]}").status_code for c in (master, junior, outsider))
        assert got == statuses, (visibility, got)
    with app.app_context():  # once the pair has ended without certification, shared cards are no longer shared
        db.session.get(Pair, pair_id).status = "ended"
        db.session.commit()
    assert junior.get(f"/people/cards/{cards['juniors']}").status_code == 404


def test_a_clip_is_checked_by_content_and_served_with_ranges(cards_world, app):
    ids, clients = cards_world
    owner = clients["member_a"]
    url = f"/people/cards/{ids['private']}/media/{ids['video']}"
    whole = _get(owner, url)
    assert whole.status_code == 200 and whole.mimetype == "video/mp4" and whole.headers["Accept-Ranges"] == "bytes"
    part = _get(owner, url, headers={"Range": "bytes=100-199"})
    assert part.status_code == 206 and len(part.data) == 100 and part.data == whole.data[100:200]
    assert part.headers["Content-Range"] == f"bytes 100-199/{len(whole.data)}"
    # A renamed executable, a fake clip and an oversized one are refused.
    for data, name in ((b"MZ\x90\x00" + bytes(100), "clip.mp4"), (b"\x1aE\xdf\xa3" + bytes(100), "x.webm")):
        owner.post(f"/people/cards/{ids['public']}/media", data={"file": (io.BytesIO(data), name)},
                   content_type="multipart/form-data")
    app.config["VIDEO_MAX_BYTES"] = 2048
    try:
        owner.post(f"/people/cards/{ids['public']}/media", data={"file": (io.BytesIO(_mp4(5000)), "big.mp4")},
                   content_type="multipart/form-data")
    finally:
        app.config["VIDEO_MAX_BYTES"] = 15 * 1024 * 1024
    with app.app_context():
        assert db.session.get(KnowhowCard, ids["public"]).media == []


def test_factory_profile_shows_the_know_how_a_visitor_may_read(cards_world, app):
    ids, clients = cards_world
    profile = f"/factories/{ids['factory_a']}"
    public_page = clients["anonymous"].get(profile).get_data(as_text=True)
    assert "段取りの勘所 public" in public_page and "段取りの勘所 private" not in public_page
    assert "段取りの勘所 private" in clients["member_a"].get(profile).get_data(as_text=True)
    from hub.core import providers

    with app.test_request_context():
        assert providers.call(providers.KNOWHOW_BAND, ids["factory_a"]) == "some"
        assert providers.call(providers.KNOWHOW_BAND, ids["factory_a"] + 1) == "none"
        # A succession listing of the factory says only the band (no count, no title).
        from types import SimpleNamespace

        from flask import render_template

        html = render_template("people/_knowhow_band.html", l=SimpleNamespace(factory_id=ids["factory_a"]))
        assert "技能の一部が技能カードに記録されています" in html and "段取り" not in html and "3" not in html
        assert render_template("people/_knowhow_band.html", l=SimpleNamespace(factory_id=None)).strip() == ""


def test_pairs_are_private(app, active_pair, make_user, client_for):
    pair_id, *_ = active_pair()
    outsider = client_for(make_user("seeker"))
    assert outsider.post(f"/people/pairs/{pair_id}/answer", data={"accept": "1"}).status_code == 404
    assert outsider.get(f"/people/pairs/{pair_id}/certificate").status_code == 404
    assert outsider.get(f"/people/pairs/{pair_id}/certificate.pdf").status_code == 404
    with app.app_context():
        assert db.session.get(Pair, pair_id).status == "active"
