"""Regressions from a red-team pass: inputs that used to give a 5xx, and two security gaps."""

from __future__ import annotations

import pytest

from tests.conftest import PASSWORD

HUGE = "99999999999999999999"


@pytest.mark.parametrize("path", [
    f"/factories/{HUGE}", "/factories/3000000000", f"/factories/{HUGE}/edit", f"/needs/{HUGE}",
    f"/needs/attachments/{HUGE}", f"/api/v1/factories/{HUGE}", "/api/v1/factories/3000000000",
    f"/deals/{HUGE}", f"/organiser/outbox/{HUGE}", f"/organiser/pairs/{HUGE}",
])
def test_huge_ids_are_404_not_overflow(client, login_as, path):
    login_as("organiser")
    assert client.get(path).status_code == 404


@pytest.mark.parametrize("path", ["/factories/", "/needs/", "/deals/", "/organiser/outbox/", "/succession/listings"])
def test_huge_page_numbers_fall_back_to_the_first_page(client, login_as, path):
    login_as("organiser")
    assert client.get(f"{path}?page={HUGE}").status_code in (200, 302)
    assert client.get(f"{path}?page=²").status_code in (200, 302)


@pytest.mark.parametrize("path", ["/deals/inquiries/new?factory=²", "/deals/inquiries/new?factory=1&need=²",
                                  "/organiser/dashboard?year=²", "/organiser/dashboard/kpis.csv?year=²"])
def test_unicode_digits_are_not_numbers(client, login_as, make_factory, path):
    make_factory()
    login_as("organiser")
    assert client.get(path).status_code < 500


def test_unicode_digits_in_chain_fields(client, login_as, make_factory):
    make_factory()
    login_as("seeker")
    for data in ({"need": "²"}, {"steps-²-factory": "1"}, {"steps-0-factory": "²", "steps-0-process": "turning"}):
        assert client.post("/deals/chains", data=data).status_code < 500


@pytest.mark.parametrize("path", ["/auth/login", "/needs/new", "/api/v1/auth/token"])
def test_nameless_multipart_part_is_400(client, path):
    body = b"--XyZ\r\nContent-Disposition: form-data\r\n\r\nhello\r\n--XyZ--\r\n"
    response = client.post(path, data=body, content_type="multipart/form-data; boundary=XyZ")
    assert response.status_code == 400


@pytest.mark.parametrize("path", ["/api/v1/match/factories", "/api/v1/auth/token", "/api/v1/match/chain"])
def test_deeply_nested_json_is_400(client, path):
    response = client.post(path, data="[" * 100_000, content_type="application/json")
    assert response.status_code == 400 and response.get_json()["error"]["code"] == "invalid_json"


@pytest.mark.parametrize("path", ["/factories/photos/a%00.jpg", "/succession/l/abc%00",
                                  "/api/v1/succession/listings/abc%00"])
def test_nul_in_the_path_is_400(client, path):
    assert client.get(path).status_code == 400


def test_api_refuses_non_web_websites_and_the_page_never_links_them(client, api_token, make_factory, app):
    factory = make_factory()
    _, headers = api_token("factory", factory=factory)
    for bad in ("javascript:alert(1)", "data:text/html,hi", "ftp://example.jp", "//evil.example"):
        response = client.patch(f"/api/v1/factories/{factory}", json={"website": bad}, headers=headers)
        assert response.status_code == 400 and "website" in response.get_json()["error"]["fields"]
    ok = client.patch(f"/api/v1/factories/{factory}", json={"website": "https://example.jp/"}, headers=headers)
    assert ok.status_code == 200
    from hub.extensions import db
    from hub.factories.models import Factory

    with app.app_context():  # a value stored before this check existed is shown as text, not as a link
        db.session.get(Factory, factory).website = "javascript:alert(1)"
        db.session.commit()
    assert 'href="javascript:' not in client.get(f"/factories/{factory}").get_data(as_text=True)


def test_password_reset_ends_other_sessions_and_revokes_tokens(app, client, make_user):
    from hub.auth.models import User
    from hub.auth.services import make_reset_token
    from hub.extensions import db

    user_id = make_user(email="reset2@example.jp")
    other = app.test_client()
    assert other.post("/auth/login", data={"email": "reset2@example.jp", "password": PASSWORD}).status_code == 302
    assert other.get("/needs/mine").status_code == 200
    token = client.post("/api/v1/auth/token", json={"email": "reset2@example.jp", "password": PASSWORD}
                        ).get_json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/deals", headers=headers).status_code == 200
    with app.test_request_context():
        reset = make_reset_token(db.session.get(User, user_id))
    new = "a completely new password"
    assert client.post(f"/auth/reset/{reset}", data={"password": new, "confirm": new}).status_code == 302
    assert other.get("/needs/mine").status_code == 302  # signed out: back to the login page
    assert client.get("/api/v1/deals", headers=headers).status_code == 401


def test_language_link_does_not_change_the_account(app, client, login_as):
    from hub.auth.models import User
    from hub.extensions import db

    user_id = login_as("seeker")
    client.get("/lang/en")  # e.g. an <img> on another site: session only
    with app.app_context():
        assert db.session.get(User, user_id).locale == "ja"
    assert client.post("/lang/en", data={"next": "/"}).status_code == 302  # the navbar's form
    with app.app_context():
        assert db.session.get(User, user_id).locale == "en"


def test_float_errors_are_in_japanese(client, login_as):
    login_as("factory")
    body = client.post("/factories/mine", data={"name": "x", "lat": "abc", "lon": "139.7"}).get_data(as_text=True)
    assert "数値で入力してください" in body and "float" not in body


def test_import_of_nested_json_fails_cleanly(client, login_as, app, runner, tmp_path):
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000, encoding="utf-8")
    assert runner.invoke(args=["import-factories", str(path)]).exit_code == 1
