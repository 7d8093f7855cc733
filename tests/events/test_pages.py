"""Hot public pages stay at a fixed number of queries however many programs there are; hostile query strings
and form values get clear answers, never a 5xx."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import event

from hub.extensions import db


class QueryCounter:
    def __init__(self, engine):
        self.engine, self.count = engine, 0

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._count)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self._count)

    def _count(self, *args, **kwargs):
        self.count += 1


def _add_programs(app, edition_id, n, make_factory):
    from hub.core.timeutil import utcnow
    from hub.events.models import Booking, Participation, Program, Slot

    for i in range(n):
        factory = make_factory(name=f"工場{i}", ward="ota" if i % 2 else "sumida")
        with app.app_context():
            db.session.add(Participation(edition_id=edition_id, factory_id=factory, status="approved"))
            program = Program(edition_id=edition_id, factory_id=factory, kind="tour", title=f"見学{i}")
            for h in range(3):
                start = utcnow() + timedelta(days=1, hours=h)
                slot = Slot(program=program, starts_at=start, ends_at=start + timedelta(hours=1), capacity=5)
                slot.bookings.append(Booking(name="x", email=f"v{i}{h}@example.jp", email_key=f"v{i}{h}@example.jp",
                                             party_size=2, status="confirmed"))
                db.session.add(slot)
            db.session.commit()


def test_program_list_has_no_n_plus_one(app, client, of, make_factory):
    ids = of()
    with app.app_context():
        engine = db.engine
    _add_programs(app, ids["edition"], 2, make_factory)
    client.get("/openfactory/")
    with QueryCounter(engine) as few:
        assert client.get("/openfactory/").status_code == 200
    _add_programs(app, ids["edition"], 6, make_factory)
    with QueryCounter(engine) as many:
        page = client.get("/openfactory/")
    assert page.status_code == 200 and page.get_data(as_text=True).count('data-testid="program-card"') == 9
    assert many.count == few.count, (few.count, many.count)


def test_api_slot_list_has_no_n_plus_one(app, client, of, make_factory):
    ids = of()
    with app.app_context():
        engine = db.engine
    _add_programs(app, ids["edition"], 1, make_factory)
    with QueryCounter(engine) as few:
        client.get("/api/v1/openfactory/slots")
    _add_programs(app, ids["edition"], 5, make_factory)
    with QueryCounter(engine) as many:
        body = client.get("/api/v1/openfactory/slots").get_json()
    assert len(body["slots"]) == 1 + 3 * 6
    assert many.count == few.count


@pytest.mark.parametrize("query", ["?page=abc", "?page=-1", "?page=99999", "?day=2026-99-99", "?day=%3Cscript%3E",
                                   "?ward=" + "x" * 500, "?kind=drop+table", "?language=zz"])
def test_hostile_filters_never_fail(client, of, query):
    of()
    assert client.get(f"/openfactory/{query}").status_code in (200, 404)


@pytest.mark.parametrize("party", ["", "abc", "-1", "99999999999999999999", "1.5", "<script>"])
def test_hostile_booking_form_values(app, client, of, party):
    ids = of()
    response = client.post(f"/openfactory/slots/{ids['slot']}", data={
        "name": "<script>alert(1)</script>", "email": "a@example.jp", "party_size": party, "locale": "xx"})
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.get_data(as_text=True)


def test_unknown_ids_are_404(client, login_as):
    for url in ("/openfactory/slots/999999", "/openfactory/bookings/999999?token=x",
                "/openfactory/bookings/999999/booking.ics?token=x", "/pitch-nights/999999"):
        assert client.get(url).status_code == 404, url
    login_as("organiser")
    for url in ("/openfactory/editions/999999/dashboard", "/pitch-nights/999999/edit",
                "/openfactory/editions/999999/bookings.csv"):
        assert client.get(url).status_code == 404, url


def test_escaped_names_in_roster_and_csv(app, client, of, book_api, login_as):
    ids = of()
    book_api(ids["slot"], "x@example.jp", name="<b>太字</b>")
    login_as("organiser")
    page = client.get(f"/openfactory/slots/{ids['slot']}/roster").get_data(as_text=True)
    assert "<b>太字</b>" not in page and "&lt;b&gt;太字&lt;/b&gt;" in page
