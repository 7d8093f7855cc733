"""Matching both ways with reasons; push-style outreach, its CSV and the succession_plans indicator; demo data;
every template and e-mail in Japanese and English."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from hub.extensions import db
from hub.succession.models import OutreachRecord, SuccessionListing, SuccessorProfile

TEMPLATES = Path(__file__).resolve().parents[2] / "hub" / "templates" / "succession"


def _profile(**fields):
    data = {"background": "", "skills": [], "processes": [], "wards": [], "schemes": [], "budget_band": "undecided"}
    data.update(fields)
    return SuccessorProfile(**data)


def _listing(**fields):
    """A listing whose exact ward and processes passed the k-anonymity check (shown as written)."""
    from hub.succession import kanon

    data = {"processes": [], "ward": "ota", "schemes": []}
    data.update(fields)
    listing = SuccessionListing(**data)
    listing.public_view = {**kanon.form_for(listing, kanon.START, {}), "k": 5, "candidates": 5, "steps": [],
                           "blocked": None}
    return listing


def test_fit_ranks_exact_over_family_and_explains_in_both_languages(app):
    from hub.succession.fits import fit

    profile = _profile(processes=["surface_grinding"], skills=["cylindrical_grinding"], wards=["ota"],
                       schemes=["sale"])
    exact = _listing(processes=["surface_grinding", "cylindrical_grinding"], schemes=["sale"])
    family = _listing(processes=["centerless_grinding"], ward="sumida", schemes=["family"])
    unrelated = _listing(processes=["plating"])
    with app.test_request_context():
        a, b, c = (fit(profile, x, "successor", "ja") for x in (exact, family, unrelated))
        assert a.score > b.score > c.score == 0
        assert any("平面研削" in r for r in a.reasons) and any("大田区" in r for r in a.reasons)
        assert any("第三者承継" in r for r in a.reasons)
        assert any("センタレス研削" in r and "平面研削" in r for r in b.reasons)  # partial credit, named
        assert any("墨田区" in r for r in b.reasons)
        en = fit(profile, exact, "successor", "en")
        assert any("Surface grinding" in r or "surface grinding" in r.lower() for r in en.reasons)
        assert any("Ota" in r for r in en.reasons) and all("平面" not in r for r in en.reasons)
        owner_view = fit(profile, exact, "owner", "en")
        assert any(r.startswith("Looking for your processes") for r in owner_view.reasons)


def test_matches_both_ways_through_pages_and_api(app, client, make_user, make_listing, make_profile, login_as,
                                                 api_token, owner):
    public_id = make_listing("published")
    user_id, headers = api_token("successor")
    make_profile(user_id, processes=["surface_grinding"])
    uninterested = make_user(role="successor")
    make_profile(uninterested, processes=["plating"], skills=["plating"])
    hidden = make_user(role="successor")
    make_profile(hidden, processes=["surface_grinding"], is_discoverable=False)
    data = client.get("/api/v1/succession/matches?lang=en", headers=headers).get_json()
    assert [r["id"] for r in data["results"]] == [public_id]
    assert data["results"][0]["score"] > 0 and data["results"][0]["reasons"]
    from hub.auth.models import User
    from tests.conftest import PASSWORD
    with app.app_context():
        email = db.session.get(User, user_id).email
    client.post("/auth/login", data={"email": email, "password": PASSWORD})
    page = client.get("/succession/listings").get_data(as_text=True)
    assert 'data-testid="match"' in page and public_id in page
    client.post("/auth/logout")
    with app.app_context():
        email = db.session.get(User, owner).email
    client.post("/auth/login", data={"email": email, "password": PASSWORD})
    page = client.get(f"/succession/l/{public_id}/successors").get_data(as_text=True)
    assert page.count('data-testid="successor"') == 1  # not the plater, not the hidden profile
    assert "生産技術15年" in page


def test_browse_filters(app, client, login_as, make_listing):
    make_listing("published")
    login_as("successor")
    assert 'data-testid="listing-results"' in client.get("/succession/listings?process_q=研削").get_data(
        as_text=True)
    assert 'data-testid="listing-results"' not in client.get("/succession/listings?process_q=めっき").get_data(
        as_text=True)
    assert 'data-testid="listing-results"' not in client.get("/succession/listings?ward=sumida").get_data(
        as_text=True)
    assert "工程として認識できませんでした" in client.get("/succession/listings?process_q=qqqzzz").get_data(
        as_text=True)


def test_profile_form_resolves_processes(app, client, login_as):
    user_id = login_as("successor")
    response = client.post("/succession/profile", data={"background": "旋盤10年", "skills": "NC旋盤",
                                                        "processes": "cylindrical grinding", "wards": ["ota"],
                                                        "schemes": ["sale"], "budget_band": "10m_50m"})
    assert response.status_code == 302
    with app.app_context():
        profile = db.session.scalar(db.select(SuccessorProfile).where(SuccessorProfile.user_id == user_id))
        assert profile.processes == ["cylindrical_grinding"] and profile.skills
    assert "旋盤10年" in client.get("/succession/profile").get_data(as_text=True)


def test_outreach_lists_likely_factories_tracks_visits_and_counts_plans(app, client, login_as, make_factory):
    old = make_factory(name="老舗研削所", owner_birth_year=date.today().year - 82, successor_status="none")
    undecided = make_factory(name="未定めっき", owner_birth_year=date.today().year - 60,
                             successor_status="undecided")
    young = make_factory(name="若手加工", owner_birth_year=date.today().year - 45, successor_status="family")
    login_as("organiser")
    page = client.get("/succession/outreach").get_data(as_text=True)
    assert "老舗研削所" in page and "未定めっき" in page and "若手加工" not in page
    assert page.index("老舗研削所") < page.index("未定めっき")  # most at risk first
    assert "若手加工" not in client.get("/succession/outreach?min_age=70").get_data(as_text=True)
    assert "未定めっき" not in client.get("/succession/outreach?min_age=70").get_data(as_text=True)
    year = date.today().year
    for stage, day in (("contacted", "01-10"), ("visited", "01-20"), ("plan_drafted", "02-01"),
                       ("plan_complete", "02-15")):
        client.post(f"/succession/outreach/{old}", data={"stage": stage, "happened_on": f"{year}-{day}",
                                                          "note": f"{stage} memo"})
    client.post(f"/succession/outreach/{undecided}", data={"stage": "contacted", "happened_on": f"{year}-03-01"})
    client.post(f"/succession/outreach/{undecided}", data={"stage": "visited", "happened_on": "2999-01-01"})
    client.post(f"/succession/outreach/{young}", data={"stage": "note", "happened_on": f"{year}-03-01", "note": ""})
    with app.app_context():
        record = db.session.scalar(db.select(OutreachRecord).where(OutreachRecord.factory_id == old))
        assert record.stage == "plan_complete" and record.plan_completed_on == date(year, 2, 15)
        assert len(record.steps) == 4
        other = db.session.scalar(db.select(OutreachRecord).where(OutreachRecord.factory_id == undecided))
        assert other.stage == "contacted"  # a future date is refused
        from hub.succession.kpis import indicators
        assert indicators(year) == {"succession_plans": 1}
        assert indicators(year - 1) == {"succession_plans": 0}
    detail = client.get(f"/succession/outreach/{old}").get_data(as_text=True)
    assert "plan_complete memo" in detail and "計画策定完了" in detail
    assert "計画策定完了" in client.get("/succession/outreach?stage=plan_complete").get_data(as_text=True)
    csv = client.get("/succession/outreach.csv")
    assert csv.data.startswith("\ufeff".encode()) and "老舗研削所".encode() in csv.data
    assert f"{year}-02-15".encode() in csv.data
    assert client.get("/succession/outreach?min_age=abc&ward=zzz&stage=zzz").status_code == 200
    assert client.get("/succession/outreach/999999").status_code == 404


def test_demo_data_loads_twice_without_changes(app):
    from hub.auth.models import User
    from hub.factories.importer import import_records
    from seeds import DemoResult, _data, _load_users
    from seeds.succession import load

    with app.test_request_context():
        import_records(enumerate(_data("factories.json"), start=1))  # the whole directory: the anonymity sets
        result = DemoResult()
        if db.session.scalar(db.select(User).where(User.email == "successor@example.jp")) is None:
            _load_users(result)
        load(result)
        assert result.extra["succession_listings"] == 3 and result.extra["outreach_records"] == 4
        statuses = sorted(db.session.scalars(db.select(SuccessionListing.status)))
        # The grinding shop hides among the Ota machining shops; the only foundry of the demo cannot hide (k = 5).
        assert statuses == ["draft", "held", "published"]
        again = DemoResult()
        load(again)
        assert again.extra == {"succession_listings": 0, "successor_profiles": 0, "outreach_records": 0}
        from hub.succession.services import findings
        for listing in db.session.scalars(db.select(SuccessionListing)):
            assert [f for f in findings(listing) if f.is_blocking] == []
        db.session.rollback()


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_every_template_renders_in_both_languages(app, client, make_user, make_listing, make_profile, disclose,
                                                  owner, secret_factory, rendered, lang):
    from hub.auth.models import User
    from tests.conftest import PASSWORD

    public_id = make_listing("published")
    successor = make_user(role="successor")
    make_profile(successor)
    disclose(public_id, successor)
    other = make_user(role="successor")
    make_profile(other)
    organiser = make_user(role="organiser")

    def login(user_id):
        client.post("/auth/logout")
        with app.app_context():
            email = db.session.get(User, user_id).email
        client.post("/auth/login", data={"email": email, "password": PASSWORD})
        client.get(f"/lang/{lang}")

    pages = {
        None: ["/succession/"],
        other: ["/succession/listings", "/succession/profile", "/succession/requests", f"/succession/l/{public_id}",
                f"/succession/l/{public_id}/disclose"],
        owner: ["/succession/mine", f"/succession/l/{public_id}", f"/succession/l/{public_id}/edit",
                f"/succession/l/{public_id}/audit", f"/succession/l/{public_id}/successors"],
        organiser: ["/succession/review", "/succession/outreach", f"/succession/outreach/{secret_factory['id']}",
                    "/succession/nda"],
    }
    for user_id, urls in pages.items():
        if user_id is None:
            client.get(f"/lang/{lang}")
        else:
            login(user_id)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            assert f'<html lang="{lang}">' in response.get_data(as_text=True)
    login(owner)
    client.post(f"/succession/l/{public_id}/withdraw")
    client.get("/succession/new")
    # Partials (_layout, _nav, _listing_card) render inside these pages.
    expected = {f"succession/{p.name}" for p in TEMPLATES.glob("*.html") if not p.name.startswith("_")}
    missing = expected - set(rendered)
    assert missing == set(), sorted(missing)


@pytest.mark.parametrize("kind", sorted(p.stem for p in (TEMPLATES / "mail").glob("*.txt")))
def test_every_email_exists_in_both_languages(app, kind):
    from hub.mail.services import queue_email

    listing = SuccessionListing(processes=["surface_grinding"], ward="ota", public_id="abc")
    user = type("U", (), {"name": "花子", "email": "h@example.jp"})
    with app.test_request_context():
        ja, en = (queue_email("h@example.jp", kind, lang, template=f"succession/mail/{kind}.txt", user=user,
                              listing=listing, link="http://x/l/abc", successor=user, message="m", note="n")
                  for lang in ("ja", "en"))
        assert ja.subject != en.subject and ja.body_text != en.body_text
        assert any("\u3040" <= ch <= "\u30ff" for ch in ja.subject + ja.body_text)
        assert all(not ("\u3040" <= ch <= "\u30ff") for ch in en.subject)
        db.session.rollback()
