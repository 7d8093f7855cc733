"""Editions, applications and approval, programs and slots, the organiser dashboard, CSV export and the public
list of participating factories; authorisation for every role."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest

from hub.extensions import db


def _edition(app, **fields):
    from hub.core.timeutil import tokyo_today
    from hub.events.models import Edition

    today = tokyo_today()
    data = {"name": "第2回オープンファクトリー", "starts_on": today + timedelta(days=30),
            "ends_on": today + timedelta(days=32), "applications_open_on": today - timedelta(days=1),
            "applications_close_on": today + timedelta(days=10)}
    data.update(fields)
    with app.app_context():
        edition = Edition(**data)
        db.session.add(edition)
        db.session.commit()
        return edition.id


def test_organiser_creates_an_edition_with_validation(client, login_as):
    login_as("organiser")
    bad = client.post("/openfactory/editions/new?lang=en", data={
        "name": "x", "starts_on": "2026-12-10", "ends_on": "2026-12-01", "applications_open_on": "2026-11-01",
        "applications_close_on": "2026-10-01"})
    text = bad.get_data(as_text=True)
    assert bad.status_code == 200 and "before the first day" in text and "close before they open" in text
    good = client.post("/openfactory/editions/new", data={
        "name": "冬のオープンファクトリー", "starts_on": "2026-12-10", "ends_on": "2026-12-12",
        "applications_open_on": "2026-11-01", "applications_close_on": "2026-11-30", "is_published": "y"})
    assert good.status_code == 302
    assert "冬のオープンファクトリー" in client.get("/openfactory/editions").get_data(as_text=True)


@pytest.mark.parametrize("role,status", [("factory", 403), ("seeker", 403), ("successor", 403), (None, 302)])
def test_organiser_pages_are_for_organisers(app, client, login_as, role, status):
    edition = _edition(app)
    if role:
        login_as(role)
    for url in ("/openfactory/editions", "/openfactory/editions/new", f"/openfactory/editions/{edition}/dashboard",
                f"/openfactory/editions/{edition}/bookings.csv", "/pitch-nights/new"):
        assert client.get(url).status_code == status, url


def test_factory_applies_organiser_approves_and_the_factory_is_told(app, client, login_as, make_factory,
                                                                     make_user, outbox):
    edition = _edition(app)
    factory = make_factory(name="申込製作所", ward="sumida")
    member = make_user(role="factory", factory=factory, email="member@example.jp")
    from hub.auth.models import User
    from tests.conftest import PASSWORD

    with app.app_context():
        email = db.session.get(User, member).email
    client.post("/auth/login", data={"email": email, "password": PASSWORD})
    assert client.post(f"/openfactory/editions/{edition}/programs/new").status_code in (302, 200)
    response = client.post(f"/openfactory/editions/{edition}/apply", data={"message": "見学を企画しています"})
    assert response.status_code == 302
    client.post(f"/openfactory/editions/{edition}/apply", data={"message": "again"})  # no second application
    from hub.events.models import Participation

    with app.app_context():
        rows = db.session.scalars(db.select(Participation).where(Participation.edition_id == edition)).all()
        assert [(r.factory_id, r.status) for r in rows] == [(factory, "pending")]
        participation_id = rows[0].id
    # A factory member cannot approve itself.
    assert client.post(f"/openfactory/participations/{participation_id}/decide",
                       data={"decision": "approved"}).status_code == 403
    client.post("/auth/logout")
    login_as("organiser")
    dashboard = client.get(f"/openfactory/editions/{edition}/dashboard").get_data(as_text=True)
    assert "申込製作所" in dashboard
    client.post(f"/openfactory/participations/{participation_id}/decide", data={"decision": "approved"})
    with app.app_context():
        assert db.session.get(Participation, participation_id).status == "approved"
    assert [m[0] for m in outbox("participation_approved")] == ["member@example.jp"]
    assert client.post(f"/openfactory/participations/{participation_id}/decide",
                       data={"decision": "bogus"}).status_code == 302
    with app.app_context():
        assert db.session.get(Participation, participation_id).status == "approved"


def test_applications_outside_the_window_are_refused(app, client, make_factory, make_user):
    from hub.core.timeutil import tokyo_today

    edition = _edition(app, applications_open_on=tokyo_today() - timedelta(days=20),
                       applications_close_on=tokyo_today() - timedelta(days=1))
    factory = make_factory()
    member = make_user(role="factory", factory=factory)
    from hub.auth.models import User
    from tests.conftest import PASSWORD

    with app.app_context():
        email = db.session.get(User, member).email
    client.post("/auth/login", data={"email": email, "password": PASSWORD})
    page = client.post(f"/openfactory/editions/{edition}/apply?lang=en", follow_redirects=True)
    assert "closed" in page.get_data(as_text=True)


def test_approved_factory_adds_programs_and_slots(app, client, of):
    ids = of()
    from hub.auth.models import User
    from tests.conftest import PASSWORD

    with app.app_context():
        email = db.session.get(User, ids["member"]).email
    client.post("/auth/login", data={"email": email, "password": PASSWORD})
    page = client.get("/openfactory/mine?lang=en").get_data(as_text=True)
    assert "Lathe tour" in page or "旋盤の見学" in page
    response = client.post(f"/openfactory/editions/{ids['edition']}/programs/new", data={
        "kind": "workshop", "title": "やすりがけ体験", "title_en": "Filing workshop", "description": "体験"})
    assert response.status_code == 302
    program_id = int(response.headers["Location"].split("/programs/")[1].split("/")[0])
    start = (date.today() + timedelta(days=3)).isoformat()
    bad = client.post(f"/openfactory/programs/{program_id}/slots/new?lang=en", data={
        "starts_at": f"{start}T10:00", "ends_at": f"{start}T09:00", "capacity": "0", "admission": "booking",
        "language": "ja", "fee_yen": "0"})
    assert bad.status_code == 200 and "after the start" in bad.get_data(as_text=True)
    ok = client.post(f"/openfactory/programs/{program_id}/slots/new", data={
        "starts_at": f"{start}T10:00", "ends_at": f"{start}T11:30", "capacity": "6", "admission": "booking",
        "language": "ja_en", "accessibility": "車椅子可", "min_age": "10", "fee_yen": "500"})
    assert ok.status_code == 302
    from hub.core.timeutil import to_tokyo
    from hub.events.models import Program

    with app.app_context():
        (slot,) = db.session.get(Program, program_id).slots
        assert to_tokyo(slot.starts_at).strftime("%H:%M") == "10:00"  # typed in Tokyo time
        assert (slot.capacity, slot.min_age, slot.fee_yen, slot.language) == (6, 10, 500, "ja_en")


def test_larger_capacity_confirms_waiting_parties(app, client, of, book_api, login_as):
    ids = of(capacity=2)
    book_api(ids["slot"], "a@example.jp", 2)
    waiting = book_api(ids["slot"], "b@example.jp", 2).get_json()
    login_as("organiser")
    form = client.get(f"/openfactory/slots/{ids['slot']}/edit")
    assert form.status_code == 200
    from hub.core.timeutil import to_tokyo
    from hub.events.models import Slot

    with app.app_context():
        slot = db.session.get(Slot, ids["slot"])
        start, end = to_tokyo(slot.starts_at), to_tokyo(slot.ends_at)
    data = {"starts_at": start.strftime("%Y-%m-%dT%H:%M"), "ends_at": end.strftime("%Y-%m-%dT%H:%M"),
            "admission": "booking", "language": "ja", "fee_yen": "0"}
    too_low = client.post(f"/openfactory/slots/{ids['slot']}/edit?lang=en", data={**data, "capacity": "1"})
    assert "cannot be lower" in too_low.get_data(as_text=True)
    assert client.post(f"/openfactory/slots/{ids['slot']}/edit", data={**data, "capacity": "4"}).status_code == 302
    assert client.get(f"/api/v1/bookings/{waiting['id']}?token={waiting['cancel_token']}").get_json()[
        "status"] == "confirmed"


def test_other_factories_cannot_edit_programs(app, client, of, login_as, make_factory):
    ids = of()
    login_as("factory", factory=make_factory(name="別工場"))
    assert client.get(f"/openfactory/programs/{ids['program']}/edit").status_code == 403
    assert client.get(f"/openfactory/slots/{ids['slot']}/edit").status_code == 403


def test_dashboard_figures_and_csv_with_bom(app, client, of, book_api, login_as):
    ids = of(capacity=4)
    book_api(ids["slot"], "a@example.jp", 3, name="山田 花子")
    book_api(ids["slot"], "b@example.jp", 2, name="=HYPERLINK(\"x\")", if_short="waitlist")
    login_as("organiser")
    page = client.get(f"/openfactory/editions/{ids['edition']}/dashboard?lang=en").get_data(as_text=True)
    assert "75%" in page and "見学製作所" in page
    detail = client.get(f"/openfactory/editions/{ids['edition']}/dashboard?factory={ids['factory']}")
    assert detail.status_code == 200
    response = client.get(f"/openfactory/editions/{ids['edition']}/bookings.csv?lang=ja")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.data.startswith("\ufeff".encode())
    text = response.data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][0] == "予約番号" and len(rows) == 3
    assert rows[1][1] == "見学製作所" and rows[1][5] == "山田 花子" and rows[1][8] == "confirmed"
    assert rows[2][5].startswith("'=")  # no formula runs in Excel
    assert rows[2][8] == "waitlisted"
    # Japanese Excel reads the BOM and decodes UTF-8: the bytes after it are valid UTF-8 with the kanji intact.
    assert "見学製作所".encode() in response.data


def test_public_list_of_participating_factories_by_ward(app, client, of, make_factory):
    ids = of()
    from hub.events.models import Participation

    pending = make_factory(name="審査中製作所", ward="sumida")
    with app.app_context():
        db.session.add(Participation(edition_id=ids["edition"], factory_id=pending, status="pending"))
        db.session.commit()
    page = client.get("/openfactory/factories?lang=ja").get_data(as_text=True)
    assert "見学製作所" in page and "大田区" in page and "審査中製作所" not in page


def test_public_program_list_filters_and_hides_unapproved(app, client, of, make_factory):
    ids = of()
    from hub.events.models import Participation, Program

    other = make_factory(name="未承認製作所", ward="sumida")
    with app.app_context():
        db.session.add(Participation(edition_id=ids["edition"], factory_id=other, status="pending"))
        db.session.add(Program(edition_id=ids["edition"], factory_id=other, kind="sale", title="未承認の直売"))
        db.session.commit()
    page = client.get("/openfactory/").get_data(as_text=True)
    assert "旋盤の見学" in page and "未承認の直売" not in page
    assert "旋盤の見学" not in client.get("/openfactory/?kind=sale").get_data(as_text=True)
    assert "旋盤の見学" not in client.get("/openfactory/?ward=sumida").get_data(as_text=True)
    assert "旋盤の見学" in client.get("/openfactory/?language=ja&day=bogus&kind=<script>").get_data(as_text=True)


def test_kpis_count_events_held_and_participating_companies(app, of, make_factory):
    from hub.core.timeutil import utcnow
    from hub.events.kpis import indicators
    from hub.events.models import Edition, Participation, PitchNight

    year = utcnow().year
    with app.app_context():
        before = indicators(year)
    ids = of()
    future = _edition(app, starts_on=date(year, 12, 31), ends_on=date(year, 12, 31))
    extra = make_factory(name="追加製作所")
    with app.app_context():
        db.session.add(Participation(edition_id=ids["edition"], factory_id=extra, status="approved"))
        db.session.add(Participation(edition_id=future, factory_id=extra, status="approved"))
        db.session.add(PitchNight(title="past", venue="PiO", starts_at=utcnow() - timedelta(hours=5),
                                  ends_at=utcnow() - timedelta(hours=3), cfp_opens_at=utcnow() - timedelta(days=9),
                                  cfp_closes_at=utcnow() - timedelta(days=2)))
        db.session.commit()
        after = indicators(year)
        edition_today = db.session.get(Edition, ids["edition"]).starts_on.year == year
    expected_events = before["events_held"] + 1 + (1 if edition_today else 0)
    assert after["events_held"] == expected_events
    assert after["open_factory_companies"] == before["open_factory_companies"] + 2
