"""Anonymity is the heart of succession: before the owner approves, nothing names or locates the factory — in
pages, titles, Open Graph tags, search, the API, images and error messages — for every role but the owner."""

from __future__ import annotations

import io
import json
import re

import pytest
from PIL import Image

from hub.extensions import db
from hub.succession import anonymity
from tests.conftest import PASSWORD

from .conftest import LEAKS, LISTING_FORM, SECRET


def _assert_clean(text: str, where: str, extra: tuple[str, ...] = ()) -> None:
    for leak in (*LEAKS, *extra):
        assert leak not in text, f"{leak!r} leaked in {where}"


def _pages(public_id: str, draft_id: str) -> list[str]:
    return [
        "/succession/", "/succession/listings", "/succession/listings?q=秘密精機", "/succession/listings?q=Himitsu",
        "/succession/listings?q=東糀谷", "/succession/listings?process_q=研削", "/succession/listings?ward=ota",
        f"/succession/l/{public_id}", f"/succession/l/{public_id}?lang=en", f"/succession/l/{public_id}/disclose",
        "/succession/requests", "/succession/profile", f"/succession/l/{draft_id}",
        f"/succession/l/{public_id}/documents/1", f"/succession/l/{public_id}/photos/1",
        f"/succession/l/{public_id}/audit", f"/succession/l/{public_id}/successors", f"/succession/l/{public_id}/edit",
        "/succession/l/does-not-exist", "/succession/outreach", "/succession/review", "/succession/mine",
    ]


def _api(public_id: str, draft_id: str) -> list[str]:
    return ["/api/v1/succession/listings", "/api/v1/succession/listings?q=秘密精機",
            "/api/v1/succession/listings?lang=en", f"/api/v1/succession/listings/{public_id}",
            f"/api/v1/succession/listings/{draft_id}", "/api/v1/succession/listings/nope",
            "/api/v1/succession/matches", "/api/v1/succession/matches?lang=en"]


@pytest.mark.parametrize("role", ["successor", "requested", "declined", "factory", "seeker", "anonymous"])
def test_nothing_names_or_locates_the_factory_before_approval(app, client, make_user, make_listing, make_profile,
                                                            disclose, secret_factory, role):
    public_id = make_listing("published")
    with app.test_request_context():
        from hub.factories.models import Factory
        from hub.succession.models import SuccessionListing
        from hub.succession.services import update_listing
        # A second listing of another (draft) state would clash with the one-listing rule: make it by hand.
        draft = SuccessionListing(factory=db.session.get(Factory, secret_factory["id"]), status="draft",
                                  processes=["surface_grinding"], ward="ota", schemes=["sale"])
        db.session.add(draft)
        db.session.commit()
        draft_id = draft.public_id
        assert update_listing  # imported for clarity: drafts never reach successors
    headers = {}
    if role != "anonymous":
        user_role = "successor" if role in ("successor", "requested", "declined") else role
        user_id = make_user(role=user_role)
        if user_role == "successor":
            make_profile(user_id)
        if role == "requested":
            disclose(public_id, user_id)
        elif role == "declined":
            disclose(public_id, user_id, "decline")
        from hub.auth.models import User
        with app.app_context():
            email = db.session.get(User, user_id).email
        assert client.post("/auth/login", data={"email": email, "password": PASSWORD}).status_code == 302
        token = client.post("/api/v1/auth/token", json={"email": email, "password": PASSWORD}).get_json()["token"]
        headers = {"Authorization": f"Bearer {token}"}
    photo = secret_factory["photo"]
    seen_listing = False
    for url in _pages(public_id, draft_id):
        response = client.get(url)
        assert response.status_code < 500, url
        body = response.get_data(as_text=True)
        if "?q=" in url:  # the visitor's own words come back in the search box and links: not a leak...
            assert 'data-testid="listing-results"' not in body  # ...but they must find nothing
            body = body.replace(url.split("?q=")[1], "")
        _assert_clean(body, f"{role} {url}", (photo,))
        assert "/factories/photos/" not in body and "og:image" not in body
        title = re.search(r"<title>(.*?)</title>", body, re.S)
        og = re.search(r'property="og:title" content="([^"]*)"', body)
        for text in (title.group(1) if title else "", og.group(1) if og else ""):
            _assert_clean(text, f"title of {url}")
        seen_listing |= url == f"/succession/l/{public_id}" and response.status_code == 200
    for url in _api(public_id, draft_id):
        response = client.get(url, headers=headers)
        assert response.status_code < 500, url
        body = response.get_data(as_text=True)
        _assert_clean(json.dumps(response.get_json(), ensure_ascii=False), f"{role} API {url}", (photo,))
        data = response.get_json()
        for item in (data.get("listings") or data.get("results") or ([data] if "headline" in data else [])):
            assert "factory" not in item and "factory_id" not in item and "lat" not in item
            assert item["id"] != str(secret_factory["id"])
    # Successors can read the published listing (anonymously); the other roles cannot reach it at all.
    assert seen_listing == (role in ("successor", "requested", "declined"))


def test_search_never_matches_on_the_hidden_name(client, login_as, make_listing):
    make_listing("published")
    login_as("successor")
    body = client.get("/succession/listings?q=研削").get_data(as_text=True)
    assert 'data-testid="listing-results"' in body
    for q in ("秘密精機", "Himitsu", "東糀谷", "himitsu-seiki"):
        assert 'data-testid="listing-results"' not in client.get(f"/succession/listings?q={q}").get_data(
            as_text=True), q


def test_listing_url_uses_an_unguessable_public_id(app, make_listing, secret_factory):
    public_id = make_listing("published")
    assert str(secret_factory["id"]) not in public_id and len(public_id) >= 16
    assert not public_id.isdigit()


def test_owner_organiser_and_approved_successor_see_the_identity(app, client, make_user, login_as, make_listing,
                                                                  disclose, owner):
    public_id = make_listing("published")
    approved = make_user(role="successor")
    other = make_user(role="successor")
    disclose(public_id, approved, "approve")
    disclose(public_id, other)  # still waiting
    from hub.auth.models import User
    for user_id, sees in ((owner, True), (approved, True), (other, False)):
        with app.app_context():
            email = db.session.get(User, user_id).email
        client.post("/auth/logout")
        client.post("/auth/login", data={"email": email, "password": PASSWORD})
        body = client.get(f"/succession/l/{public_id}").get_data(as_text=True)
        assert (SECRET["name"] in body) == sees, user_id
        assert (SECRET["address"] in body) == sees
        title = re.search(r"<title>(.*?)</title>", body, re.S).group(1)
        assert SECRET["name"] not in title  # even for those who may see it: titles end up in history and tabs
    client.post("/auth/logout")
    login_as("organiser")
    body = client.get(f"/succession/l/{public_id}").get_data(as_text=True)
    assert SECRET["name"] in body and "Organisers see this to review" in body or "審査のため" in body


def test_api_discloses_only_to_the_approved_successor(app, client, make_user, api_token, make_listing, disclose,
                                                      secret_factory):
    public_id = make_listing("published")
    approved_id, approved = api_token("successor")
    other_id, other = api_token("successor")
    _organiser_id, organiser = api_token("organiser")
    disclose(public_id, approved_id, "approve")
    data = client.get("/api/v1/succession/listings", headers=approved).get_json()
    item = next(i for i in data["listings"] if i["id"] == public_id)
    assert item["factory"]["name"] == SECRET["name"] and item["factory"]["address"] == SECRET["address"]
    assert item["factory"]["photos"] and secret_factory["photo"] not in json.dumps(item)
    for headers in (other, organiser):
        text = json.dumps(client.get("/api/v1/succession/listings", headers=headers).get_json(), ensure_ascii=False)
        _assert_clean(text, "API for others", (secret_factory["photo"],))


def test_photos_reach_only_approved_successors_and_carry_no_metadata(app, client, make_user, make_listing, disclose,
                                                                     secret_factory):
    public_id = make_listing("published")
    approved = make_user(role="successor")
    other = make_user(role="successor")
    disclose(public_id, approved, "approve")
    with app.app_context():
        from hub.factories.models import FactoryPhoto
        photo_id = db.session.scalar(db.select(FactoryPhoto.id).where(
            FactoryPhoto.factory_id == secret_factory["id"]))
    from hub.auth.models import User
    with app.app_context():
        emails = {uid: db.session.get(User, uid).email for uid in (approved, other)}
    client.post("/auth/login", data={"email": emails[other], "password": PASSWORD})
    denied = client.get(f"/succession/l/{public_id}/photos/{photo_id}")
    assert denied.status_code == 404
    _assert_clean(denied.get_data(as_text=True), "404 page")
    client.post("/auth/logout")
    client.post("/auth/login", data={"email": emails[approved], "password": PASSWORD})
    response = client.get(f"/succession/l/{public_id}/photos/{photo_id}")
    assert response.status_code == 200 and response.mimetype == "image/jpeg"
    assert "no-store" in response.headers["Cache-Control"]
    raw = response.get_data()
    response.close()
    with Image.open(io.BytesIO(raw)) as image:
        assert dict(image.getexif()) == {}
        assert "exif" not in image.info
    assert b"SecretCam" not in raw and b"Exif" not in raw


def test_private_fields_never_appear(app, client, login_as, api_token, make_listing, secret_factory):
    public_id = make_listing("published")
    login_as("successor")
    for url in (f"/succession/l/{public_id}", "/succession/listings", f"/factories/{secret_factory['id']}"):
        body = client.get(url).get_data(as_text=True)
        assert "1931" not in body and "owner_birth_year" not in body and "successor_status" not in body
    _uid, headers = api_token("successor")
    for url in ("/api/v1/succession/listings", f"/api/v1/succession/listings/{public_id}",
                f"/api/v1/factories/{secret_factory['id']}", "/api/v1/factories?per_page=1000"):
        text = client.get(url, headers=headers).get_data(as_text=True)
        assert "1931" not in text and "owner_birth_year" not in text and "successor_status" not in text


@pytest.mark.parametrize("field, text, kind", [
    ("description", "秘密精機製作所の工場です", "name"),
    ("description", "秘密精機の技術", "name"),
    ("description", "ＨＩＭＩＴＳＵ ＰＲＥＣＩＳＩＯＮ for sale", "name"),
    ("reason_text", "東糀谷で50年", "address"),
    ("reason_text", "大田区東糀谷９－８７－６にあります", "address"),
    ("description", "3丁目の角の工場", "address"),
    ("description", "お電話は０３－１２３４－５６７８まで", "phone"),
    ("description", "call 0312345678", "phone"),
    ("description", "mail: boss@example.jp", "email"),
    ("description", "see himitsu-seiki.example.jp", "url"),
    ("description", "https://example.com/about", "url"),
    ("description", "地図 35.5512, 139.7456", "coordinates"),
    ("reason_text", "社長の秘密太郎が引退します", "person"),
])
def test_identifying_text_is_found(app, make_listing, field, text, kind):
    from hub.succession import services
    from hub.succession.models import SuccessionListing

    public_id = make_listing("draft", **{field: text})
    with app.test_request_context():
        listing = db.session.scalar(db.select(SuccessionListing).where(SuccessionListing.public_id == public_id))
        found = services.findings(listing)
    assert anonymity.Finding(field, kind) in found, found


def test_clean_text_has_no_findings_and_copied_profile_text_is_a_warning(app, make_listing):
    from hub.succession import services
    from hub.succession.models import SuccessionListing

    public_id = make_listing("draft", description="精密研削の工場。取引先は30社、平面度2μm。創業から50年以上。",
                             machines=["平面研削盤 岡本工作機械 PSG-63DX"])
    with app.test_request_context():
        listing = db.session.scalar(db.select(SuccessionListing).where(SuccessionListing.public_id == public_id))
        found = services.findings(listing)
    assert [f for f in found if f.is_blocking] == []
    assert anonymity.Finding("machines", "profile_copy") in found


def test_identifying_text_blocks_submission_and_publication(app, client, login_as, make_listing, owner):
    from hub.auth.models import User

    public_id = make_listing("draft", description="秘密精機製作所です。")
    with app.app_context():
        email = db.session.get(User, owner).email
    client.post("/auth/login", data={"email": email, "password": PASSWORD})
    page = client.get(f"/succession/l/{public_id}").get_data(as_text=True)
    assert 'data-testid="findings"' in page
    response = client.post(f"/succession/l/{public_id}/submit", follow_redirects=True)
    assert "工場名" in response.get_data(as_text=True)
    from hub.succession.models import SuccessionListing
    with app.app_context():
        listing = db.session.scalar(db.select(SuccessionListing).where(SuccessionListing.public_id == public_id))
        assert listing.status == "draft"
        listing.status = "submitted"  # as if the text was changed behind the check's back
        db.session.commit()
    client.post("/auth/logout")
    login_as("organiser")
    client.post(f"/succession/l/{public_id}/approve")
    with app.app_context():
        listing = db.session.scalar(db.select(SuccessionListing).where(SuccessionListing.public_id == public_id))
        assert listing.status == "submitted"


def test_owner_form_warns_about_anonymity(client, login_as, secret_factory):
    login_as("factory", factory=secret_factory["id"])
    body = client.get("/succession/new").get_data(as_text=True)
    assert 'data-testid="anonymity-warning"' in body and "匿名" in body
    response = client.post("/succession/new", data=LISTING_FORM)
    assert response.status_code == 302
