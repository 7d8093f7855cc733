"""The certificate PDF draws Japanese (and says so clearly when no font is installed), plan templates feed new
pairs, outreach counts visits held against the target, and every page of the programme reads in both languages."""

from __future__ import annotations

import warnings
from datetime import date
from pathlib import Path

import pytest

from hub.extensions import db
from hub.people import pdf as people_pdf
from hub.people.models import Certificate, OutreachApplication, Pair
from tests.people import pdfcheck

LATIN_ONLY = ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
              "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf")


def _certificate() -> Certificate:
    return Certificate(code="MJ-7K3Q-XW9D-2HPN", milestone_title="一人で所定の精度", junior_name="田中 翔",
                       master_name="佐藤 昭二", process_code="turning", certified_on=date(2026, 3, 31))


def test_the_certificate_draws_japanese_and_a_latin_only_font_would_not(app):
    with app.test_request_context():
        real = people_pdf.certificate_pdf(_certificate(), "https://hub.example.jp/people/verify")
        font = str(people_pdf.font_path())
    page = pdfcheck.render(real)
    title = pdfcheck.overlap(pdfcheck.band(page, 22, 42), pdfcheck.drawn("マイスター・ジュニア認定証", font))
    name = pdfcheck.overlap(pdfcheck.band(page, 58, 76), pdfcheck.drawn("田中 翔 殿", font))
    assert title > 0.6 and name > 0.6, (title, name)
    control_font = next((path for path in LATIN_ONLY if Path(path).is_file()), None)
    if control_font is None:
        pytest.skip("no Latin-only font to show that the check tells tofu from Japanese")
    app.config["PDF_FONT"] = control_font
    try:
        with app.test_request_context(), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # fpdf2 warns about the missing glyphs: that is the point here
            control = people_pdf.certificate_pdf(_certificate(), "https://hub.example.jp/people/verify")
    finally:
        app.config.pop("PDF_FONT")
    page = pdfcheck.render(control)
    assert pdfcheck.overlap(pdfcheck.band(page, 22, 42), pdfcheck.drawn("マイスター・ジュニア認定証", font)) < 0.3


def test_without_a_japanese_font_the_pdf_says_why(app, monkeypatch):
    monkeypatch.setitem(app.config, "PDF_FONT", "/nonexistent/ipagp.ttf")
    with app.test_request_context(), pytest.raises(people_pdf.FontMissing, match="fonts-ipafont-gothic"):
        people_pdf.font_path()


def test_plan_templates_feed_new_pairs(app, client, login_as, active_pair):
    login_as("organiser")
    response = client.post("/people/office/templates", data={
        "process_code": "turning", "milestones": "安全\u3000| Safety | 4\n芯出し | Centring | 12\n\n外径仕上げ || 30"})
    assert response.status_code == 302
    bad = client.post("/people/office/templates", data={"process_code": "turning", "milestones": "だめ | x | 時間"})
    assert bad.status_code == 200 and "1 行目" in bad.get_data(as_text=True)
    pair_id, *_ = active_pair("turning")
    with app.app_context():
        pair = db.session.get(Pair, pair_id)
        assert [(m.title, m.title_en, m.target_hours) for m in pair.milestones] == [
            ("安全", "Safety", 4), ("芯出し", "Centring", 12), ("外径仕上げ", "", 30)]


def test_outreach_counts_visits_held_against_the_target(app, make_factory, make_user, client_for):
    factory = make_factory(name="出前工業")
    owner, school, office = (client_for(make_user("factory", factory=factory)), client_for(make_user("seeker")),
                             client_for(make_user("organiser")))
    office.post("/people/office/settings", data={"max_juniors_per_master": "3", "visits_target": "4"})
    response = owner.post("/people/outreach/new", data={"kind": "visit", "title": "ものづくり出前授業",
                                                         "description": "旋盤の実演", "places": "2", "is_open": "y"})
    assert response.status_code == 302
    offer_url = response.headers["Location"]
    assert "ものづくり出前授業" in app.test_client().get("/people/outreach").get_data(as_text=True)
    assert school.post(offer_url, data={"school": "大田区立中学校", "message": "2年生40名"}).status_code == 302
    again = school.post(offer_url, data={"school": "大田区立中学校"})
    assert "すでに申し込み済み" in again.get_data(as_text=True)
    assert owner.post(offer_url, data={"school": "自分"}).status_code == 200  # the factory cannot apply to itself
    with app.app_context():
        application_id = db.session.scalar(db.select(OutreachApplication.id))
    decide = f"/people/outreach/applications/{application_id}/decide"
    school.post(decide, data={"status": "accepted"})  # the applicant cannot accept itself
    office.post(decide, data={"status": "held"})  # not accepted yet
    with app.app_context():
        assert db.session.get(OutreachApplication, application_id).status == "pending"
    owner.post(decide, data={"status": "accepted"})
    office.post(decide, data={"status": "held"})
    with app.app_context():
        assert db.session.get(OutreachApplication, application_id).status == "held"
    page = office.get("/people/office/outreach").get_data(as_text=True)
    assert "出前授業の実施 1 件 / 目標 4 件" in page


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_every_programme_page_reads_in_both_languages(app, lang, active_pair, rendered, make_factory, make_user,
                                                     client_for):
    pair_id, master, junior, office, ids = active_pair()
    master.post(f"/people/pairs/{pair_id}/sessions", data={"held_on": date.today().isoformat(), "hours": "2"})
    junior.post(f"/people/pairs/{pair_id}/sessions", data={"held_on": date.today().isoformat(), "hours": "1"})
    with app.app_context():
        pair = db.session.get(Pair, pair_id)
        milestone = pair.milestones[0].id
        for session in pair.sessions:
            session.master_confirmed_at = session.junior_confirmed_at = session.created_at
        db.session.commit()
    office.post(f"/people/pairs/{pair_id}/certify", data={"cert-milestone_id": milestone})
    card = master.post("/people/cards/new", data={"title": "技", "process_code": "turning", "visibility": "public",
                                                  "steps": "一", "mistakes": "二"}).headers["Location"]
    factory = make_factory()
    owner = client_for(make_user("factory", factory=factory))
    offer = owner.post("/people/outreach/new", data={"kind": "internship", "title": "夏の実習", "places": "2",
                                                     "is_open": "y"}).headers["Location"]
    for client in (master, junior, office, owner):
        client.get(f"/lang/{lang}")
    pages = {master: ["/people/", f"/people/masters/{ids['master_id']}/edit", f"/people/pairs/{pair_id}",
                      "/people/cards", card, f"{card}/edit", "/people/cards/new"],
             junior: ["/people/juniors/new", f"/people/juniors/{ids['junior_id']}/edit",
                      f"/people/juniors/{ids['junior_id']}/suggestions", f"/people/pairs/{pair_id}/certificate",
                      "/people/outreach"],
             office: ["/people/pairs", "/people/people", "/people/office/templates", "/people/office/allowances",
                      "/people/office/settings", "/people/office/outreach", "/people/masters/new"],
             owner: ["/people/verify?code=MJ-2222-3333-4444", f"/factories/{factory}", "/people/outreach/new",
                     offer, f"{offer}/edit"]}
    for client, urls in pages.items():
        for url in urls:
            response = client.get(url)
            assert response.status_code in (200, 404), (url, response.status_code)
            assert f'<html lang="{lang}">' in response.get_data(as_text=True), url
    root = Path(app.root_path) / "templates" / "people"
    expected = {f"people/{p.name}" for p in root.glob("*.html") if not p.name.startswith("_")}
    missing = expected - set(rendered)
    assert not missing, missing


def test_clips_are_recognised_by_their_bytes_not_their_names():
    from hub.core.uploads import video_type

    webm = b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\xf7\x81\x01\x42\xf2\x81\x04\x42\xf3\x81\x08\x42\x82\x84webm"
    assert video_type(webm + bytes(32)) == ("video/webm", ".webm")
    assert video_type(b"\x00\x00\x00\x1cftypmp42" + bytes(32)) == ("video/mp4", ".mp4")
    assert video_type(b"\x00\x00\x00\x1cftypheic" + bytes(32)) is None  # an ISO media photo, not a clip
    assert video_type(b"\x1a\x45\xdf\xa3" + b"matroska" + bytes(32)) is None  # Matroska that is not WebM
    assert video_type(b"<html><video>" + bytes(32)) is None
