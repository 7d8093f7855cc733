"""Matching pages: search, chain planner, need matches, partners and fits, aliases and imports, by role."""

from __future__ import annotations

import io
import json

import pytest

from hub.extensions import db
from hub.factories.models import Factory
from hub.matches.models import ImportJob


@pytest.fixture
def shops(make_factory):
    return {
        "mill": make_factory(name="蒲田切削", ward="ota", lat=35.562, lon=139.716, processes=["MC加工"]),
        "anodise": make_factory(name="糀谷アルマイト", ward="ota", lat=35.553, lon=139.737, processes=["アルマイト"]),
        "heat": make_factory(name="羽田熱処理", ward="ota", lat=35.550, lon=139.750, processes=["焼入れ"]),
    }


def test_search_page_explains_results(client, shops):
    page = client.get("/match/?text=アルミを削ってアルマイトしたい&ward=ota").get_data(as_text=True)
    assert "蒲田切削" in page and "糀谷アルマイト" in page
    assert "MC加工" in page  # the reason quotes the factory's own words
    empty = client.get("/match/?text=").get_data(as_text=True)
    assert "必須" in empty


def test_chain_page(client, shops):
    page = client.get("/match/chain?steps=MC加工%0Aアルマイト&start=ota").get_data(as_text=True)
    assert 'data-testid="chain-table"' in page and "蒲田切削" in page and "糀谷アルマイト" in page
    too_many = client.get("/match/chain?steps=" + "%0A".join(["旋盤"] * 13)).get_data(as_text=True)
    assert "12" in too_many and 'data-testid="chain-table"' not in too_many


def test_need_owner_sees_ranked_matches_others_do_not(client, login_as, shops):
    login_as("seeker")
    response = client.post("/needs/new", data={
        "title": "焼入れのお願い", "description": "鋼のシャフトがすぐ摩耗するので硬くしたい",
        "budget_band": "undecided", "kind": "fabrication", "visibility": "public",
        "attachment_access": "private", "status": "open", "language": "ja", "ward": "ota"})
    need_path = response.headers["Location"]
    page = client.get(need_path).get_data(as_text=True)
    assert 'id="matches"' in page and "羽田熱処理" in page
    client.post("/auth/logout")
    assert 'id="matches"' not in client.get(need_path).get_data(as_text=True)
    login_as("factory")
    assert 'id="matches"' not in client.get(need_path).get_data(as_text=True)


def test_factory_member_sees_partners_and_fitting_needs(client, login_as, make_user, shops, app):
    login_as("seeker")
    client.post("/needs/new", data={
        "title": "アルミ部品の切削", "description": "A5052を切削してほしい", "budget_band": "undecided",
        "kind": "fabrication", "visibility": "public", "attachment_access": "private", "status": "open",
        "language": "ja"})
    client.post("/auth/logout")
    login_as("factory", factory=shops["mill"])
    page = client.get(f"/factories/{shops['mill']}").get_data(as_text=True)
    assert page.count('id="partners"') == 1 and 'id="fits"' in page
    title = page[page.index("<title>"):page.index("</title>")]
    assert "<" not in title[len("<title>"):] and "蒲田切削" in title  # the page title is only the name
    assert "アルミ部品の切削" in page  # a need that fits
    asked = client.get(f"/factories/{shops['mill']}?step=anodizing").get_data(as_text=True)
    assert "糀谷アルマイト" in asked
    client.post("/auth/logout")
    public = client.get(f"/factories/{shops['mill']}").get_data(as_text=True)
    assert 'id="partners"' not in public and "アルミ部品の切削" not in public


@pytest.mark.parametrize("role, expected", [
    ("seeker", 403), ("factory", 403), ("successor", 403), ("organiser", 200),
])
def test_organiser_pages_by_role(client, login_as, role, expected):
    login_as(role)
    for url in ("/organiser/aliases", "/organiser/imports"):
        assert client.get(url).status_code == expected


def test_alias_form(client, login_as, make_factory):
    make_factory(name="方言工業", processes=["ぐるぐる回し"])
    login_as("organiser")
    page = client.get("/organiser/aliases").get_data(as_text=True)
    assert "ぐるぐる回し" in page  # listed as unresolved
    bad = client.post("/organiser/aliases", data={"alias": "ぐるぐる回し", "target": "process:nonsense"})
    assert bad.status_code == 200 and "選択" in bad.get_data(as_text=True)
    ok = client.post("/organiser/aliases", data={"alias": "ぐるぐる回し", "target": "process:turning"},
                     follow_redirects=True)
    assert "ぐるぐる回し" in ok.get_data(as_text=True)
    dup = client.post("/organiser/aliases", data={"alias": "ぐるぐる回し", "target": "process:turning"})
    assert "既に" in dup.get_data(as_text=True)


def test_import_upload_reports_rows_and_progress(app, client, login_as):
    login_as("organiser")
    rows = [{"external_id": "up-1", "name": "取り込み工業", "ward": "Ota", "processes": ["MC加工"]},
            {"external_id": "up-2", "name": ""},
            {"external_id": "up-3", "name": "文章工業", "description": "へら絞りをしています"}]
    response = client.post("/organiser/imports", data={
        "file": (io.BytesIO(json.dumps(rows, ensure_ascii=False).encode()), "dir.json")},
        content_type="multipart/form-data")
    assert response.status_code == 302
    status_url = response.headers["Location"]
    assert client.get(status_url + ".json").get_json()["status"] == "preview"  # nothing written before the start
    app.config["IMPORTS_INLINE"] = True
    try:
        assert client.post(status_url + "/start").status_code == 302
    finally:
        app.config["IMPORTS_INLINE"] = False
    progress = client.get(status_url + ".json").get_json()
    assert progress["status"] == "done" and progress["finished"]
    assert (progress["created"], progress["updated"], progress["rejected"]) == (2, 0, 1)
    assert "name: required" in client.get(status_url + "?lang=en").get_data(as_text=True)
    assert "name：必須です" in client.get(status_url + "?lang=ja").get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(db.select(Factory).where(Factory.external_id == "up-3")).codes("process") == [
            "metal_spinning"]
        assert db.session.scalar(db.select(db.func.count(ImportJob.id))) == 1


def test_import_refuses_other_files(client, login_as):
    login_as("organiser")
    response = client.post("/organiser/imports", data={"file": (io.BytesIO(b"MZ..."), "virus.exe")},
                           content_type="multipart/form-data")
    assert response.status_code == 200 and ".csv" in response.get_data(as_text=True)
    empty = client.post("/organiser/imports", data={"file": (io.BytesIO(b""), "empty.csv")},
                        content_type="multipart/form-data")
    assert "空" in empty.get_data(as_text=True)


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_every_matches_template_renders_in_both_languages(app, client, login_as, shops, rendered, lang):
    from pathlib import Path

    client.get(f"/lang/{lang}")
    client.get("/match/?text=旋盤")
    client.get("/match/chain?steps=旋盤")
    organiser = login_as("organiser")
    client.get("/organiser/aliases")
    client.get("/organiser/imports")
    with app.app_context():
        from hub.needs.models import Need
        from hub.needs.services import save_need

        need_id = save_need(Need(owner_id=organiser), {"title": "試作", "description": "切削とアルマイト"}).id
        db.session.commit()
    team = f"milling:{shops['mill']},anodizing:{shops['anodise']}"
    compose = client.post(f"/match/needs/{need_id}/team", data={"team": team})
    assert compose.status_code == 302 and "/deals/chains/drafts/" in compose.headers["Location"]
    location = client.post("/organiser/imports", data={"file": (io.BytesIO(b"[]"), "x.json")},
                           content_type="multipart/form-data").headers["Location"]
    page = client.get(location)  # the preview
    assert f'<html lang="{lang}">' in page.get_data(as_text=True)
    app.config["IMPORTS_INLINE"] = True
    try:
        client.post(location + "/start")
    finally:
        app.config["IMPORTS_INLINE"] = False
    assert f'<html lang="{lang}">' in client.get(location).get_data(as_text=True)  # the finished import
    root = Path(app.root_path) / "templates" / "matches"
    expected = {f"matches/{p.name}" for p in root.glob("*.html") if not p.name.startswith("_")}  # partials: included
    assert expected <= set(rendered), expected - set(rendered)


def test_directory_api_understands_organiser_aliases(client, login_as, make_factory):
    make_factory(name="方言工業", processes=["ぐるぐる回し"])
    assert client.get("/api/v1/factories?process=ぐるぐる回し").status_code == 400
    login_as("organiser")
    client.post("/organiser/aliases", data={"alias": "ぐるぐる回し", "target": "process:turning"})
    body = client.get("/api/v1/factories?process=ぐるぐる回し").get_json()
    assert [f["name"] for f in body["factories"]] == ["方言工業"]  # its capabilities were re-read
    assert "方言工業" in client.get("/factories/?process_code=turning").get_data(as_text=True)
    alias_id = client.get("/organiser/aliases").get_data(as_text=True).split("/organiser/aliases/")[1].split("/")[0]
    client.post(f"/organiser/aliases/{alias_id}/delete")
    assert "方言工業" not in client.get("/factories/?process_code=turning").get_data(as_text=True)
