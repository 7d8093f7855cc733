"""Sessions, remember-me cookies and API tokens (issue 10, finding 8): revoked on sign-out and password change,
safe cookie flags and HSTS in production, and named, expiring API tokens that their owner lists and revokes."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

import pytest

from hub.auth import services
from hub.auth.models import ApiToken, User
from hub.extensions import db
from tests.conftest import PASSWORD

PRIVATE = "/needs/mine"  # any page that needs a signed-in user


def _cookie(client, name: str) -> str:
    cookie = client.get_cookie(name, domain="localhost.localdomain")
    assert cookie is not None, f"no {name} cookie"
    return cookie.value


def _replay(app, **cookies) -> int:
    """A request from another browser that only carries copies of the given cookies."""
    other = app.test_client()
    for name, value in cookies.items():
        other.set_cookie(name, value, domain="localhost.localdomain")
    return other.get(PRIVATE).status_code


def _sign_in(client, email: str, remember: bool = False) -> None:
    data = {"email": email, "password": PASSWORD, **({"remember": "y"} if remember else {})}
    assert client.post("/auth/login", data=data).status_code == 302


def test_a_copied_session_cookie_stops_working_after_sign_out(app, client, make_user):
    make_user(email="copy@example.jp")
    _sign_in(client, "copy@example.jp")
    stolen = _cookie(client, "session")
    assert _replay(app, session=stolen) == 200
    assert client.post("/auth/logout").status_code == 302
    assert _replay(app, session=stolen) == 302


def test_a_copied_remember_cookie_stops_working_after_sign_out(app, client, make_user):
    make_user(email="remember@example.jp")
    _sign_in(client, "remember@example.jp", remember=True)
    stolen = _cookie(client, "remember_token")
    assert _replay(app, remember_token=stolen) == 200  # a new browser is signed in by the cookie alone
    client.post("/auth/logout")
    assert _replay(app, remember_token=stolen) == 302


def test_sessions_and_remember_cookies_end_when_the_password_changes(app, client, make_user):
    user_id = make_user(email="change@example.jp")
    _sign_in(client, "change@example.jp", remember=True)
    session, remember = _cookie(client, "session"), _cookie(client, "remember_token")
    with app.app_context():
        services.change_password(db.session.get(User, user_id), "a completely new password")
        db.session.commit()
    assert _replay(app, session=session) == 302
    assert _replay(app, remember_token=remember) == 302
    assert client.get(PRIVATE).status_code == 302


def test_signing_in_again_after_sign_out_works(client, make_user):
    make_user(email="again@example.jp")
    _sign_in(client, "again@example.jp")
    client.post("/auth/logout")
    _sign_in(client, "again@example.jp")
    assert client.get(PRIVATE).status_code == 200


@pytest.fixture
def production(make_app):
    return make_app(TESTING=False, ENV_NAME="production", SERVER_NAME=None, SECRET_KEY="p" * 40,
                    PUBLIC_BASE_URL="https://hub.example.jp")


def _set_cookie(response, name: str) -> str:
    (header,) = [h for h in response.headers.getlist("Set-Cookie") if h.startswith(name + "=")]
    return header


def test_production_cookies_are_secure_httponly_lax_and_remember_lasts_30_days(production, make_user):
    make_user(email="prod@example.jp")
    response = production.test_client().post("/auth/login", base_url="https://hub.example.jp",
                                              data={"email": "prod@example.jp", "password": PASSWORD, "remember": "y"})
    assert response.status_code == 302
    for name in ("session", "remember_token"):
        flags = [part.strip().lower() for part in _set_cookie(response, name).split(";")]
        assert "secure" in flags and "httponly" in flags and "samesite=lax" in flags, (name, flags)
    expires = re.search(r"Expires=([^;]+)", _set_cookie(response, "remember_token")).group(1)
    lifetime = parsedate_to_datetime(expires) - datetime.now(UTC)
    assert timedelta(days=29) < lifetime <= timedelta(days=30)


def test_hsts_in_production_over_https_only(production, app):
    response = production.test_client().get("/", base_url="https://hub.example.jp")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert "Strict-Transport-Security" not in app.test_client().get("/").headers
    assert app.config["SESSION_COOKIE_SECURE"] is False  # development and tests run on plain http


def _token(client, email: str, **extra) -> dict:
    response = client.post("/api/v1/auth/token", json={"email": email, "password": PASSWORD, **extra})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_api_tokens_are_named_expiring_listed_and_revocable_by_their_owner(app, client, make_user):
    make_user(email="owner@example.jp")
    make_user(email="other@example.jp")
    first = _token(client, "owner@example.jp", name="inventory script", expires_in_days=7)
    plain = _token(client, "owner@example.jp")  # the original contract still works
    assert set(plain) >= {"token", "role"} and plain["expires_in_days"] == app.config["API_TOKEN_MAX_AGE_DAYS"]
    assert first["name"] == "inventory script" and first["expires_in_days"] == 7
    auth = {"Authorization": f"Bearer {first['token']}"}
    listed = client.get("/api/v1/auth/tokens", headers=auth).get_json()["tokens"]
    assert [t["name"] for t in listed] == ["", "inventory script"]
    assert all("token" not in t for t in listed) and first["token"] not in str(listed)
    expires = datetime.fromisoformat(listed[1]["expires_at"].rstrip("Z"))
    assert timedelta(days=6, hours=23) < expires - datetime.now(UTC).replace(tzinfo=None) <= timedelta(days=7)
    assert listed[1]["last_used_at"] is not None  # this very request used it
    # Someone else can neither see nor revoke it.
    intruder = {"Authorization": f"Bearer {_token(client, 'other@example.jp')['token']}"}
    assert [t["id"] for t in client.get("/api/v1/auth/tokens", headers=intruder).get_json()["tokens"]] != [
        t["id"] for t in listed]
    assert client.delete(f"/api/v1/auth/tokens/{first['id']}", headers=intruder).status_code == 404
    assert client.get("/api/v1/auth/tokens", headers=auth).status_code == 200
    # The owner revokes the other token with this one, then this one itself.
    plain_auth = {"Authorization": f"Bearer {plain['token']}"}
    assert client.delete(f"/api/v1/auth/tokens/{plain['id']}", headers=auth).status_code == 204
    assert client.get("/api/v1/auth/tokens", headers=plain_auth).status_code == 401
    assert client.delete(f"/api/v1/auth/tokens/{first['id']}", headers=auth).status_code == 204
    assert client.get("/api/v1/auth/tokens", headers=auth).status_code == 401


@pytest.mark.parametrize("extra, field", [
    ({"expires_in_days": 0}, "expires_in_days"),
    ({"expires_in_days": 3650}, "expires_in_days"),
    ({"expires_in_days": "7"}, "expires_in_days"),
    ({"name": "x" * 101}, "name"),
])
def test_token_requests_with_bad_lifetime_or_name_are_refused(client, make_user, extra, field):
    make_user(email="bad@example.jp")
    response = client.post("/api/v1/auth/token", json={"email": "bad@example.jp", "password": PASSWORD, **extra})
    assert response.status_code == 400 and field in response.get_json()["error"]["fields"]


def test_expired_tokens_stop_working_and_leave_the_list(app, client, make_user):
    make_user(email="expired@example.jp")
    old = _token(client, "expired@example.jp", name="old")
    fresh = _token(client, "expired@example.jp", name="fresh")
    with app.app_context():
        db.session.get(ApiToken, old["id"]).expires_at = datetime.now(UTC).replace(tzinfo=None) - timedelta(seconds=1)
        db.session.commit()
    assert client.get("/api/v1/auth/tokens", headers={"Authorization": f"Bearer {old['token']}"}).status_code == 401
    listed = client.get("/api/v1/auth/tokens", headers={"Authorization": f"Bearer {fresh['token']}"}).get_json()
    assert [t["name"] for t in listed["tokens"]] == ["fresh"]


def test_account_page_makes_lists_and_revokes_tokens(app, client, login_as):
    login_as("seeker")
    page = client.post("/auth/account/tokens", data={"name": "laptop", "days": "10"})
    assert page.status_code == 200
    raw = re.search(r'data-testid="new-token">([^<]+)<', page.get_data(as_text=True)).group(1)
    listed = client.get("/auth/account/tokens").get_data(as_text=True)
    assert "laptop" in listed and raw not in listed  # the value is shown once
    auth = {"Authorization": f"Bearer {raw}"}
    (token,) = client.get("/api/v1/auth/tokens", headers=auth).get_json()["tokens"]
    assert token["name"] == "laptop"
    too_long = client.post("/auth/account/tokens", data={"name": "forever", "days": "400"})
    assert too_long.status_code == 200 and 'data-testid="new-token"' not in too_long.get_data(as_text=True)
    assert len(client.get("/api/v1/auth/tokens", headers=auth).get_json()["tokens"]) == 1
    response = client.post(f"/auth/account/tokens/{token['id']}/revoke")
    assert response.status_code == 302
    assert client.get("/api/v1/auth/tokens", headers=auth).status_code == 401
    assert "laptop" not in client.get("/auth/account/tokens").get_data(as_text=True)


def test_nobody_revokes_someone_elses_token_from_the_page(app, client, make_user, login_as):
    make_user(email="victim2@example.jp")
    victim = _token(client, "victim2@example.jp", name="victim's")
    login_as("seeker")
    assert client.post(f"/auth/account/tokens/{victim['id']}/revoke").status_code == 404
    assert client.get("/api/v1/auth/tokens",
                      headers={"Authorization": f"Bearer {victim['token']}"}).status_code == 200


def test_account_page_needs_sign_in(client):
    response = client.get("/auth/account/tokens")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
