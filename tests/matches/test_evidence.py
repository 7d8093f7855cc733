"""Issue 9, hub side: capability evidence stored with the phrase, the owner's confirm / "not us", outsourced steps
kept as demand (never a directory capability), and the organisers' count of unconfirmed profiles."""

from __future__ import annotations

import json

from hub.extensions import db
from hub.factories.importer import import_file
from hub.factories.models import Factory, FactoryCapability, FactoryCapabilityReview
from hub.matches import services as match_services

PROSE = "マシニングセンタでアルミ部品を削ります。溶接もできます。"


def _caps(app, factory_id: int) -> dict[str, tuple[str, str]]:
    with app.app_context():
        rows = db.session.scalars(db.select(FactoryCapability).where(FactoryCapability.factory_id == factory_id))
        return {row.code: (row.evidence, row.phrase) for row in rows}


def test_capability_rows_carry_evidence_and_phrase(app, make_factory):
    fid = make_factory(processes=["NC旋盤"], description=PROSE)
    caps = _caps(app, fid)
    assert caps["turning"] == ("listed", "NC旋盤")
    assert caps["welding"][0] == "prose" and "溶接" in caps["welding"][1]
    assert caps["milling"][0] == "prose" and "マシニングセンタ" in caps["milling"][1]


def test_store_and_index_agree(app, make_factory, ctx):
    """find_capabilities and the index use the same reading: every stored capability is one the index believes."""
    fid = make_factory(processes=["NC旋盤"], description=PROSE)
    stored = {code for code, (evidence, _phrase) in _caps(app, fid).items() if evidence != "outsourced"}
    index = match_services.current_index()
    reading = index.profile_reading(fid)
    assert stored == {e.code for e in reading.capabilities}


def test_outsourced_steps_are_demand_not_capabilities(app, client, make_factory):
    fid = make_factory(processes=["NC旋盤"],
                       description="精密旋削が得意です。焼入れ・めっきは協力工場へお願いしています。")
    caps = _caps(app, fid)
    assert caps["turning"][0] == "listed"
    assert caps["hardening"][0] == "outsourced" and caps["plating"][0] == "outsourced"
    with app.app_context():
        assert "hardening" not in db.session.get(Factory, fid).codes("process")
    listed = client.get("/api/v1/factories?process=hardening").get_json()
    assert fid not in [f["id"] for f in listed["factories"]]
    listed = client.get("/api/v1/factories?process=turning").get_json()
    row = next(f for f in listed["factories"] if f["id"] == fid)
    assert "hardening" not in [p["code"] for p in row["processes"]]
    page = client.get("/factories/?process_code=hardening").get_data(as_text=True)
    assert f'/factories/{fid}"' not in page
    detail = client.get(f"/api/v1/factories/{fid}").get_json()
    assert {o["code"] for o in detail["outsources"]} >= {"hardening", "plating"}


def test_owner_confirms_and_rejects_on_the_editor(app, client, make_factory, login_as):
    fid = make_factory(processes=["NC旋盤"], description=PROSE)
    login_as("factory", factory=fid)
    page = client.get(f"/factories/{fid}/edit").get_data(as_text=True)
    assert 'data-testid="inferred-welding"' in page and "溶接もできます" in page
    assert 'data-testid="inferred-turning"' not in page  # listed by the owner: nothing to confirm

    response = client.post(f"/factories/{fid}/capabilities/review",
                           data={"kind": "process", "code": "welding", "decision": "rejected"})
    assert response.status_code == 302
    response = client.post(f"/factories/{fid}/capabilities/review",
                           data={"kind": "process", "code": "milling", "decision": "confirmed"})
    assert response.status_code == 302
    caps = _caps(app, fid)
    assert "welding" not in caps
    assert caps["milling"][0] == "listed"

    # An edit of the profile keeps the rejection (the text still says 溶接).
    with app.app_context():
        from hub.factories.services import update_profile

        update_profile(db.session.get(Factory, fid), {"description": PROSE + " 溶接の実績も多数。"})
        db.session.commit()
    caps = _caps(app, fid)
    assert "welding" not in caps and caps["milling"][0] == "listed"
    page = client.get(f"/factories/{fid}/edit").get_data(as_text=True)
    assert 'data-testid="inferred-welding"' not in page and 'data-testid="rejected"' in page

    # The index reads the owner's decisions too.
    with app.test_request_context():
        index = match_services.current_index()
        assert not index.does(fid, "welding")
        assert index.does(fid, "milling")

    # Undo brings the reading back.
    client.post(f"/factories/{fid}/capabilities/review", data={"kind": "process", "code": "welding",
                                                               "decision": "undo"})
    assert _caps(app, fid)["welding"][0] == "prose"


def test_rejection_survives_reimport(app, make_factory, make_user, tmp_path):
    fid = make_factory(processes=["NC旋盤"], description=PROSE, external_id="ext-9")
    user_id = make_user(role="factory", factory=fid)
    with app.test_request_context():
        from hub.auth.models import User
        from hub.factories import services

        services.review_capability(db.session.get(User, user_id), db.session.get(Factory, fid), "process",
                                   "welding", "rejected")
        db.session.commit()
    path = tmp_path / "dir.json"
    path.write_text(json.dumps([{"external_id": "ext-9", "name": "再取込製作所", "ward": "大田区",
                                 "processes": ["NC旋盤"], "description": PROSE}]), encoding="utf-8")
    with app.test_request_context():
        report = import_file(path)
        assert report.updated == 1
    caps = _caps(app, fid)
    assert "welding" not in caps and "turning" in caps


def test_only_editors_review(app, client, make_factory, login_as):
    fid = make_factory(description=PROSE)
    login_as("seeker")
    response = client.post(f"/factories/{fid}/capabilities/review",
                           data={"kind": "process", "code": "welding", "decision": "rejected"})
    assert response.status_code == 403
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(FactoryCapabilityReview.id))) == 0


def test_review_refuses_unknown_codes(app, client, make_factory, login_as):
    fid = make_factory(description=PROSE)
    login_as("factory", factory=fid)
    for data in ({"kind": "process", "code": "no_such", "decision": "rejected"},
                 {"kind": "process", "code": "welding", "decision": "maybe"},
                 {"kind": "tool", "code": "welding", "decision": "rejected"}):
        assert client.post(f"/factories/{fid}/capabilities/review", data=data).status_code == 400


def test_organisers_see_unconfirmed_profiles(app, client, make_factory, login_as):
    from hub.factories.services import unconfirmed_profiles_count

    with app.app_context():
        before = unconfirmed_profiles_count()
    make_factory(description=PROSE)
    make_factory(processes=["NC旋盤"])  # list only: nothing to confirm
    hidden = make_factory(description=PROSE)
    with app.app_context():
        db.session.get(Factory, hidden).is_published = False
        db.session.commit()
        assert unconfirmed_profiles_count() == before + 1
    login_as("organiser")
    page = client.get("/organiser/aliases").get_data(as_text=True)
    assert 'data-testid="unconfirmed-profiles"' in page and f"{before + 1}" in page


def test_partner_finder_offers_providers_of_outsourced_steps_first(app, client, make_factory, login_as):
    fid = make_factory(processes=["NC旋盤"], description="精密旋削が得意です。焼入れは協力工場へお願いしています。",
                       lat=35.56, lon=139.71)
    make_factory(name="近所熱処理", processes=["焼入れ"], lat=35.565, lon=139.712)
    login_as("factory", factory=fid)
    page = client.get(f"/factories/{fid}").get_data(as_text=True)
    first = page.index('data-testid="partner-step-')
    assert page[first:].startswith('data-testid="partner-step-hardening"')
    section = page[first:page.index('data-testid="partner-step-', first + 10)] if page.count(
        'data-testid="partner-step-') > 1 else page[first:]
    assert "近所熱処理" in section


def test_chain_page_and_api_say_why_a_step_left_the_shortest_route(app, client, make_factory):
    from matching import WARDS

    lat, lon = WARDS["ota"].lat, WARDS["ota"].lon  # on one meridian north of the ward's centre
    make_factory(name="旋盤だけ", processes=["旋盤"], lat=lat + 0.01, lon=lon)
    make_factory(name="研削だけ", processes=["円筒研削"], lat=lat + 0.02, lon=lon)
    both = make_factory(name="旋盤と研削", processes=["旋盤", "円筒研削"], lat=lat + 0.021, lon=lon)
    body = client.post("/api/v1/match/chain?lang=en", json={"steps": ["旋盤", "研削"],
                                                            "start": {"lat": lat, "lon": lon}}).get_json()
    assert [s["factory"]["id"] for s in body["steps"]] == [both, both]
    assert "same workshop" in body["steps"][1]["reason"]
    page = client.get("/match/chain", query_string={"steps": "旋盤\n研削", "start": "ota"}).get_data(as_text=True)
    assert 'data-testid="step-reason"' in page and "前の工程と同じ工場" in page
