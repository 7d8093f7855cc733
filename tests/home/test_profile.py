"""What the home domain adds to factory profiles: the inquiry button, Open Factory programmes, the gallery and the
map; the editor places the factory on the map (no typed coordinates); the offline place table."""

from __future__ import annotations

import json
import re

import pytest

from hub.extensions import db
from tests.home.test_home import _login, _open_factory


def _ask_link(html: str, factory_id: int) -> str | None:
    found = re.search(rf'<a [^>]*href="([^"]+)"[^>]*data-testid="ask-factory-{factory_id}"', html)
    return found.group(1).replace("&amp;", "&") if found else None


@pytest.mark.parametrize("page", ["detail", "directory"])
def test_the_inquiry_button_by_role(app, client, make_user, make_factory, page):
    factory = make_factory(name="問合製作所", processes=["MC加工"])
    other = make_factory(name="別工場")
    url = f"/factories/{factory}" if page == "detail" else "/factories/?q=問合製作所"
    # A visitor is asked to sign in, and comes back to the inquiry form.
    link = _ask_link(client.get(url).get_data(as_text=True), factory)
    assert link == f"/auth/login?next=/deals/inquiries/new?factory%3D{factory}"
    form = f"/deals/inquiries/new?factory={factory}"
    expected = {"seeker": form, "factory": form, "own": None, "successor": None, "organiser": None}
    for who, want in expected.items():
        client.post("/auth/logout")
        user = make_user(role="factory", factory=factory) if who == "own" else \
            make_user(role=who, factory=other if who == "factory" else None)
        _login(client, app, user)
        assert _ask_link(client.get(url).get_data(as_text=True), factory) == want, who


def test_a_visitor_signs_in_and_lands_on_the_inquiry_form(app, client, make_user, make_factory):
    from hub.auth.models import User

    factory = make_factory(name="問合製作所")
    link = _ask_link(client.get(f"/factories/{factory}").get_data(as_text=True), factory)
    seeker = make_user(role="seeker")
    with app.app_context():
        email = db.session.get(User, seeker).email
    from tests.conftest import PASSWORD

    response = client.post(link, data={"email": email, "password": PASSWORD})
    assert response.headers["Location"] == f"/deals/inquiries/new?factory={factory}"
    form = client.get(response.headers["Location"])
    assert form.status_code == 200 and 'id="inquiry-form"' in form.get_data(as_text=True)


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_a_profile_shows_its_open_factory_programmes_map_and_no_raw_coordinates(app, client, make_factory, lang):
    factory = make_factory(name="見学製作所", address="東京都大田区南六郷2-33-9", lat=35.54227, lon=139.71382)
    ids = _open_factory(app, factory, bookings=1)
    client.get(f"/lang/{lang}")
    html = client.get(f"/factories/{factory}").get_data(as_text=True)
    section = html[html.index('data-testid="factory-programmes"'):]
    assert ("旋盤の見学" if lang == "ja" else "Lathe tour") in section
    assert f"/openfactory/slots/{ids['slot']}" in section
    assert ("空き 6 席" if lang == "ja" else "6 of 8 seats free") in section
    assert 'data-lat="35.54227"' in html and 'data-lon="139.71382"' in html
    assert "/static/vendor/leaflet/leaflet.js" in html and "/static/js/factory-map.js" in html
    assert "35.5423, 139.7138" not in html


def test_a_programme_of_a_factory_not_approved_is_not_shown(app, client, make_factory):
    from hub.events.models import Participation

    factory = make_factory()
    _open_factory(app, factory)
    with app.app_context():
        db.session.scalar(db.select(Participation).where(Participation.factory_id == factory)).status = "pending"
        db.session.commit()
    assert 'data-testid="factory-programmes"' not in client.get(f"/factories/{factory}").get_data(as_text=True)


def test_the_editor_has_no_coordinate_inputs_and_the_map_fills_them(app, client, make_user, make_factory):
    from hub.factories.models import Factory

    factory = make_factory(name="地図製作所", address="東京都大田区南六郷2-33-9")
    _login(client, app, make_user(role="factory", factory=factory))
    html = client.get(f"/factories/{factory}/edit").get_data(as_text=True)
    assert re.search(r'<input[^>]*id="lat"[^>]*type="hidden"|<input[^>]*type="hidden"[^>]*id="lat"', html)
    assert re.search(r'<input[^>]*id="lon"[^>]*type="hidden"|<input[^>]*type="hidden"[^>]*id="lon"', html)
    assert 'data-testid="location-map"' in html and "緯度" not in html
    base = {"name": "地図製作所", "ward": "ota", "address": "東京都大田区南六郷2-33-9"}
    # Placed from the address by the map (a town's centre): kept, and marked approximate.
    client.post(f"/factories/{factory}/edit", data={**base, "lat": "35.54227", "lon": "139.71382",
                                                     "location_approx": "1"})
    with app.app_context():
        row = db.session.get(Factory, factory)
        assert (row.lat, row.lon, row.is_location_approx) == (35.54227, 139.71382, True)
    # A click on the map: exact.
    client.post(f"/factories/{factory}/edit", data={**base, "lat": "35.5431", "lon": "139.7142",
                                                     "location_approx": ""})
    with app.app_context():
        row = db.session.get(Factory, factory)
        assert (row.lat, row.lon, row.is_location_approx) == (35.5431, 139.7142, False)
    # No JavaScript, no pin: the centre of the address's town from the shipped table, approximate.
    client.post(f"/factories/{factory}/edit", data=base)
    with app.app_context():
        row = db.session.get(Factory, factory)
        assert (row.lat, row.lon, row.is_location_approx) == (35.54227, 139.71382, True)
    # A town the table does not know: the ward's centre.
    client.post(f"/factories/{factory}/edit", data={**base, "address": "東京都大田区蒲田1-1-1"})
    with app.app_context():
        row = db.session.get(Factory, factory)
        assert row.is_location_approx is True and round(row.lat, 4) == 35.5613


def test_a_forged_approx_flag_is_refused(app, client, make_user, make_factory):
    factory = make_factory()
    _login(client, app, make_user(role="factory", factory=factory))
    response = client.post(f"/factories/{factory}/edit", data={"name": "x", "location_approx": "yes"})
    assert response.status_code == 200  # re-rendered with the error, nothing saved


def test_a_tile_url_opens_the_csp_for_its_images_only(make_app):
    from hub.core.security import CSP

    offline = make_app()
    assert offline.test_client().get("/about").headers["Content-Security-Policy"] == CSP
    online = make_app(MAP_TILE_URL="https://{s}.tiles.example.org/{z}/{x}/{y}.png")
    header = online.test_client().get("/about").headers["Content-Security-Policy"]
    assert "img-src 'self' data: https://*.tiles.example.org;" in header and "script-src 'self';" in header
    hostile = make_app(MAP_TILE_URL="https://a.example.org; script-src *")
    assert hostile.test_client().get("/about").headers["Content-Security-Policy"] == CSP


def test_the_shipped_place_table_is_current():
    from hub.factories import places

    records = json.loads(places.SOURCE.read_text(encoding="utf-8"))
    assert places.SHIPPED.read_text(encoding="utf-8") == places.render(records)
    table = json.loads(places.SHIPPED.read_text(encoding="utf-8"))
    assert len(table["wards"]) >= 23 and any(t["name"] == "南六郷" for t in table["towns"])


@pytest.mark.parametrize("address, ward, town", [
    ("東京都大田区南六郷2-33-9", "ota", "南六郷"),
    ("東京都大田区大森南４丁目６－２１", "ota", "大森南"),
    ("東京都葛飾区東四つ木3-28-7", "katsushika", "東四つ木"),
    ("東京都品川区西五反田7-22-4", "shinagawa", "西五反田"),
    ("東京都大田区", "ota", None),
    ("2-1-1 Nakarokugo, Ota-ku", "ota", None),
    ("東京都墨田区押上2-31-6", "ota", None),
])
def test_town_of_an_address(address, ward, town):
    from hub.factories.places import town_of

    assert town_of(address, ward) == town


def test_an_imported_factory_without_coordinates_is_placed_at_its_town(app):
    from hub.factories.importer import import_records
    from hub.factories.models import Factory

    with app.test_request_context():
        report = import_records(enumerate([{"external_id": "town-1", "name": "町の工場", "ward": "Ota-ku",
                                  "address": "東京都大田区東糀谷3-1-1"},
                                 {"external_id": "town-2", "name": "区の工場", "ward": "大田区"}], 1))
        db.session.commit()
        assert report.created == 2
        placed = db.session.scalar(db.select(Factory).where(Factory.external_id == "town-1"))
        ward_only = db.session.scalar(db.select(Factory).where(Factory.external_id == "town-2"))
        assert (placed.lat, placed.lon, placed.is_location_approx) == (35.55461, 139.74518, True)
        assert (round(ward_only.lat, 4), ward_only.is_location_approx) == (35.5613, True)
