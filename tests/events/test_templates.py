"""Every events template renders in Japanese and English, and every events email exists in both languages."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from hub.extensions import db
from hub.mail.models import EmailMessage
from tests.conftest import PASSWORD

TEMPLATES = Path(__file__).resolve().parents[2] / "hub" / "templates"
EVENT_PAGES = {str(p.relative_to(TEMPLATES)) for p in (TEMPLATES / "events").glob("*.html")} - {
    "events/_nav.html", "events/_labels.html", "events/_short_choice.html"}  # macros: imported, not rendered
EVENT_MAILS = sorted(p.stem for p in (TEMPLATES / "events" / "mail").glob("*.txt"))


def _visit_everything(app, client, of, book_api, make_user, lang):
    from hub.core.timeutil import utcnow
    from hub.events.models import Pitch, PitchCriterion, PitchNight, Slot
    from hub.events.services import booking_token, manage_token

    ids = of(capacity=1)
    ok = book_api(ids["slot"], "a@example.jp").get_json()
    book_api(ids["slot"], "b@example.jp")
    seeker = make_user(role="seeker", email=f"seeker-{lang}@example.jp")
    with app.app_context():
        now = utcnow()
        night = PitchNight(title="夜", venue="PiO", starts_at=now + timedelta(days=9), ends_at=now + timedelta(days=9,
                           hours=2), cfp_opens_at=now - timedelta(days=1), cfp_closes_at=now + timedelta(days=5))
        night.slot = Slot(capacity=10, starts_at=night.starts_at, ends_at=night.ends_at)
        night.criteria = [PitchCriterion(name="実現性", weight=1)]
        db.session.add(night)
        db.session.flush()
        pitch = Pitch(pitch_night_id=night.id, submitter_id=seeker, title="ピッチ", summary="s", team="t",
                      needs="アルミ", status="accepted")
        db.session.add(pitch)
        db.session.commit()
        night_id, pitch_id = night.id, pitch.id
    with app.test_request_context():
        manage = manage_token("a@example.jp")
        from hub.events.confirmation import confirm_token
        from hub.events.models import Booking, BookingRequest

        token = booking_token(db.session.get(Booking, ok["id"]))
        request_row = BookingRequest(slot_id=ids["slot"], name="花子", email="c@example.jp", email_key="c@example.jp",
                                     party_size=1)
        db.session.add(request_row)
        db.session.commit()
        confirm = confirm_token(request_row)
    public = ["/openfactory/", "/openfactory/?ward=ota&kind=tour", "/openfactory/factories",
              f"/openfactory/slots/{ids['slot']}", f"/openfactory/bookings/{ok['id']}?token={token}",
              f"/openfactory/bookings/{ok['id']}/cancel?token={token}", f"/openfactory/my/{manage}",
              "/pitch-nights/", f"/pitch-nights/{night_id}", f"/openfactory/confirm/{confirm}"]
    for url in public:
        response = client.get(url)
        assert response.status_code == 200, url
        assert f'<html lang="{lang}">' in response.get_data(as_text=True), url
    from hub.auth.models import User

    with app.app_context():
        member_email = db.session.get(User, ids["member"]).email
    client.post("/auth/login", data={"email": member_email, "password": PASSWORD})
    for url in ("/openfactory/mine", f"/openfactory/programs/{ids['program']}/edit",
                f"/openfactory/programs/{ids['program']}/slots/new", f"/openfactory/slots/{ids['slot']}/edit",
                f"/openfactory/slots/{ids['slot']}/roster", "/checkin", "/checkin/list", "/pitch-nights/invitations"):
        assert client.get(url).status_code == 200, url
    client.post("/checkin", data={"code": "forged"})
    client.post("/auth/logout")
    client.post("/auth/login", data={"email": f"seeker-{lang}@example.jp", "password": PASSWORD})
    assert client.get(f"/pitch-nights/{night_id}/submit").status_code == 200
    client.post("/auth/logout")
    make_user(role="organiser", email=f"org-{lang}@example.jp")
    client.post("/auth/login", data={"email": f"org-{lang}@example.jp", "password": PASSWORD})
    for url in ("/openfactory/editions", "/openfactory/editions/new", f"/openfactory/editions/{ids['edition']}/edit",
                f"/openfactory/editions/{ids['edition']}/dashboard?factory={ids['factory']}", "/pitch-nights/new",
                f"/pitch-nights/{night_id}/edit", f"/pitch-nights/{night_id}/review",
                f"/pitch-nights/pitches/{pitch_id}", "/pitch-nights/"):
        assert client.get(url).status_code == 200, url
    client.post("/auth/logout")
    # A factory that is not taking part yet sees the application form; an empty edition list.
    return night_id


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_every_events_template_renders_in_both_languages(app, client, of, book_api, make_user, rendered, lang):
    client.get(f"/lang/{lang}")
    empty = client.get("/openfactory/")
    assert empty.status_code == 200
    _visit_everything(app, client, of, book_api, make_user, lang)
    missing = EVENT_PAGES - set(rendered)
    assert missing == set(), f"templates never rendered: {sorted(missing)}"


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_pages_show_the_right_language(client, of, lang):
    of()
    text = client.get(f"/openfactory/?lang={lang}").get_data(as_text=True)
    assert ("オープンファクトリー" in text) == (lang == "ja")
    assert ("Open Factory Week" in text) == (lang == "en")


def _mail_context(app):
    from hub.core.timeutil import utcnow

    now = utcnow()
    booking = type("B", (), {"name": "花子", "id": 7, "party_size": 2})
    participation = type("P", (), {"factory": type("F", (), {"name": "高橋精機"})})
    pitch = type("Pi", (), {"title": "土壌センサー"})
    user = type("U", (), {"name": "佐藤", "email": "s@example.jp"})
    links = {"view": "http://x/b", "ics": "http://x/b.ics", "cancel": "http://x/c", "manage": "http://x/m"}
    return dict(booking=booking, title="旋盤の見学", place="大田区", starts=now, ends=now, links=links, position=2,
                overlaps=[], participation=participation, user=user, edition_name="OF", pitch=pitch,
                night_title="夜", venue="PiO", link="http://x/l", hours=24)


@pytest.mark.parametrize("kind", EVENT_MAILS)
def test_every_events_email_exists_in_both_languages(app, kind):
    from hub.mail.services import queue_email

    with app.test_request_context():
        ja = queue_email("h@example.jp", kind, "ja", template=f"events/mail/{kind}.txt", **_mail_context(app))
        en = queue_email("h@example.jp", kind, "en", template=f"events/mail/{kind}.txt", **_mail_context(app))
        assert ja.subject != en.subject and ja.body_text != en.body_text
        assert any("\u3040" <= ch <= "\u30ff" or "\u4e00" <= ch <= "\u9fff" for ch in ja.subject)
        assert "様" in ja.body_text and "Dear" in en.body_text
        assert isinstance(ja, EmailMessage)
        db.session.rollback()


def test_nav_links_by_role(client, login_as):
    text = client.get("/?lang=en").get_data(as_text=True)
    assert "/openfactory/" in text and "/pitch-nights/" in text and "/checkin" not in text
    login_as("factory")
    text = client.get("/?lang=en").get_data(as_text=True)
    assert "/openfactory/mine" in text and "/checkin" in text
