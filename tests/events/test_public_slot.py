"""Only slots the public lists show can be booked by direct link or API: approved participation, published factory."""

from __future__ import annotations

import pytest

from hub.events.models import Participation
from hub.extensions import db
from hub.factories.models import Factory


@pytest.mark.parametrize("change", ["participation_rejected", "factory_unpublished"])
def test_slot_of_a_factory_not_taking_part_cannot_be_booked(app, client, of, book_api, change):
    ids = of()
    assert client.get(f"/api/v1/openfactory/slots/{ids['slot']}").status_code == 200
    with app.app_context():
        if change == "participation_rejected":
            row = db.session.scalar(db.select(Participation).where(Participation.factory_id == ids["factory"]))
            row.status = "rejected"
        else:
            db.session.get(Factory, ids["factory"]).is_published = False
        db.session.commit()
    assert client.get(f"/api/v1/openfactory/slots/{ids['slot']}").status_code == 404
    assert book_api(ids["slot"], "late@example.jp").status_code == 404
    assert client.get(f"/openfactory/slots/{ids['slot']}").status_code == 404


def test_csv_exports_neutralise_formulas(app, client, login_as, make_factory):
    from hub.core.csvexport import cell

    assert cell("=HYPERLINK(\"http://x\")") == "'=HYPERLINK(\"http://x\")"
    assert cell("@SUM(A1)") == "'@SUM(A1)" and cell("工場") == "工場" and cell(5) == 5
    make_factory(name="=cmd|' /C calc'!A0", processes=["NC旋盤"], owner_birth_year=1940, successor_status="none")
    login_as("organiser")
    for url in ("/succession/outreach.csv", "/organiser/cluster-risk.csv"):
        response = client.get(url)
        assert response.status_code == 200, url
        text = response.data.decode("utf-8-sig")
        assert "\n=cmd" not in text and ",=cmd" not in text, url


@pytest.mark.parametrize("status", ["rejected", "pending"])
def test_slot_list_and_pages_hide_factories_not_approved(app, client, of, make_factory, status):
    """Issue 10 finding 11: the public slot list showed slots of a factory whose participation was rejected,
    while the single-slot endpoint answered 404. One predicate now serves both and the pages."""
    from hub.events.models import Program, Slot

    shown = of()
    with app.app_context():
        hidden_factory = make_factory(name="却下製作所", name_en="Rejected Works", ward="ota")
        db.session.add(Participation(edition_id=shown["edition"], factory_id=hidden_factory, status=status))
        program = Program(edition_id=shown["edition"], factory_id=hidden_factory, kind="tour",
                          title="見せない見学", title_en="Hidden tour")
        base = db.session.get(Slot, shown["slot"])
        hidden_slot = Slot(program=program, starts_at=base.starts_at, ends_at=base.ends_at, capacity=5)
        db.session.add_all([program, hidden_slot])
        db.session.commit()
        hidden_id = hidden_slot.id
    listing = client.get(f"/api/v1/openfactory/slots?edition={shown['edition']}").get_json()
    ids = [s["id"] for s in listing["slots"]]
    assert shown["slot"] in ids and hidden_id not in ids
    assert client.get(f"/api/v1/openfactory/slots/{hidden_id}").status_code == 404
    index = client.get("/openfactory/?lang=en").get_data(as_text=True)
    assert "Lathe tour" in index and "Hidden tour" not in index
    factories = client.get("/openfactory/factories?lang=en").get_data(as_text=True)
    assert "Kengaku Works" in factories and "Rejected Works" not in factories
