"""Sign-up, sign-in, sign-out, password reset, roles, CSRF and login rate limits."""

from __future__ import annotations

import re

import pytest

from hub.auth.models import User
from hub.extensions import db
from hub.mail.models import EmailMessage
from tests.conftest import PASSWORD


def _signup(client, **overrides):
    data = {"name": "山田 太郎", "email": "taro@example.jp", "password": PASSWORD, "confirm": PASSWORD,
            "role": "seeker", "organisation": "センシングラボ", "seeker_kind": "startup", "locale": "ja"}
    data.update(overrides)
    return client.post("/auth/signup", data=data)


def _confirmation_path(app, email: str) -> str:
    with app.app_context():
        mail = db.session.scalars(db.select(EmailMessage).where(EmailMessage.recipient == email,
                                                                EmailMessage.kind == "verify_email")).all()[-1]
        return re.search(r"/auth/verify/\S+", mail.body_text).group(0)


def test_signup_creates_account_asks_to_confirm_the_address_then_the_person_signs_in(app, client, auth):
    response = _signup(client)
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    with app.app_context():
        user = db.session.scalar(db.select(User).where(User.email == "taro@example.jp"))
        assert user is not None and user.role == "seeker" and user.email_verified_at is None
        assert user.password_hash != PASSWORD and user.check_password(PASSWORD)
        assert user.organisation.name == "センシングラボ"
        mail = db.session.scalar(db.select(EmailMessage).where(EmailMessage.recipient == "taro@example.jp"))
        assert mail.kind == "verify_email" and "確認" in mail.subject
    # Confirming sends the welcome (with its sign-in link on the public address); the account is then itself.
    response = client.get(_confirmation_path(app, "taro@example.jp"))
    assert response.status_code == 302 and "/auth/login?next=" in response.headers["Location"]
    with app.app_context():
        assert db.session.scalar(db.select(User).where(User.email == "taro@example.jp")).email_verified_at
        mail = db.session.scalar(db.select(EmailMessage).where(EmailMessage.kind == "welcome"))
        assert mail.recipient == "taro@example.jp" and "町工場" in mail.subject
        assert "http://localhost.localdomain/auth/login" in mail.body_text
    assert auth.login("taro@example.jp").status_code == 302
    page = client.get("/")
    assert "山田 太郎" in page.get_data(as_text=True)


def test_signup_as_factory_requires_factory_name_and_goes_to_profile_after_sign_in(app, client):
    response = _signup(client, role="factory", organisation="")
    assert response.status_code == 200
    assert "工場名を入力してください" in response.get_data(as_text=True)
    response = _signup(client, role="factory", organisation="山田製作所")
    assert response.status_code == 302 and response.headers["Location"].endswith("/auth/login?next=/factories/mine")
    # The emailed link confirms the address and sends the new member to sign in, then to the profile editor.
    response = client.get(_confirmation_path(app, "taro@example.jp"))
    assert response.status_code == 302 and response.headers["Location"].endswith("/auth/login?next=/factories/mine")


@pytest.mark.parametrize("overrides, message", [
    ({"email": "not-an-email"}, "メールアドレス"),
    ({"password": "short", "confirm": "short"}, "10"),
    ({"confirm": "something else entirely"}, "パスワードが一致しません"),
    ({"role": "organiser"}, "選択"),
    ({"name": ""}, "必須"),
])
def test_signup_rejects_bad_input_with_a_message(client, overrides, message):
    response = _signup(client, **overrides)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)


def test_signup_does_not_reveal_which_emails_have_accounts(app, make_user):
    """Finding 11: a taken address gets the same answer as a new one; its owner is told by email instead."""
    owner = make_user(email="taken@example.jp", locale="en")
    answers = {}
    for email in ("Taken@Example.jp", "fresh@example.jp"):
        client = app.test_client()
        response = _signup(client, email=email, name="Intruder", password="another password!",
                           confirm="another password!")
        page = client.get(response.headers["Location"]).get_data(as_text=True)
        page = re.sub(r'name="csrf_token" value="[^"]+"', "csrf", page)  # differs per browser session
        answers[email] = (response.status_code, response.headers["Location"],
                          page.replace(email.lower(), "<email>"))
    assert answers["Taken@Example.jp"] == answers["fresh@example.jp"]
    assert answers["fresh@example.jp"][0] == 302
    with app.app_context():
        mails = db.session.execute(db.select(EmailMessage.recipient, EmailMessage.kind, EmailMessage.body_text)
                                   .order_by(EmailMessage.id)).all()
        assert [(m.recipient, m.kind) for m in mails] == [("taken@example.jp", "signup_existing"),
                                                          ("fresh@example.jp", "verify_email")]
        assert "http://localhost.localdomain/auth/reset" in mails[0].body_text
        owner_row = db.session.get(User, owner)
        assert owner_row.check_password(PASSWORD) and owner_row.name != "Intruder"
        assert db.session.scalar(db.select(db.func.count(User.id)).where(User.email == "taken@example.jp")) == 1


def test_login_and_logout(client, make_user, auth):
    make_user(email="a@example.jp")
    assert auth.login("a@example.jp", "wrong password!").status_code == 200
    response = auth.login("A@example.jp")
    assert response.status_code == 302
    assert client.get("/needs/mine").status_code == 200
    assert auth.logout().status_code == 302
    assert client.get("/needs/mine").status_code == 302


def test_wrong_password_message_does_not_reveal_which_part_was_wrong(client, make_user, auth):
    make_user(email="b@example.jp")
    unknown = auth.login("nobody@example.jp", "whatever password").get_data(as_text=True)
    wrong = auth.login("b@example.jp", "whatever password").get_data(as_text=True)
    assert "メールアドレスまたはパスワードが違います" in unknown
    assert "メールアドレスまたはパスワードが違います" in wrong


def test_login_redirect_refuses_other_sites(client, make_user):
    make_user(email="c@example.jp")
    response = client.post("/auth/login?next=https://evil.example/x",
                           data={"email": "c@example.jp", "password": PASSWORD})
    assert response.headers["Location"] == "/"


def test_password_reset_by_email_works_once(app, client, make_user, auth):
    make_user(email="reset@example.jp", locale="en")
    response = client.post("/auth/reset", data={"email": "reset@example.jp"})
    assert response.status_code == 302
    unknown = client.post("/auth/reset", data={"email": "unknown@example.jp"})
    assert unknown.status_code == 302  # same answer: no account enumeration
    with app.app_context():
        mails = db.session.scalars(db.select(EmailMessage).where(EmailMessage.kind == "password_reset")).all()
        assert [m.recipient for m in mails] == ["reset@example.jp"]
        assert mails[0].locale == "en" and mails[0].subject == "Reset your password"
        link = re.search(r"https?://\S+/auth/reset/\S+", mails[0].body_text).group(0)
    path = link.split("localhost.localdomain", 1)[1]
    new_password = "a brand new password"
    assert client.post(path, data={"password": new_password, "confirm": new_password}).status_code == 302
    assert auth.login("reset@example.jp", PASSWORD).status_code == 200  # old password no longer works
    assert auth.login("reset@example.jp", new_password).status_code == 302
    auth.logout()
    reused = client.post(path, data={"password": "yet another password", "confirm": "yet another password"})
    assert reused.status_code == 302 and reused.headers["Location"].endswith("/auth/reset")


def test_forged_reset_token_is_refused(client):
    response = client.get("/auth/reset/not-a-token")
    assert response.status_code == 302 and response.headers["Location"].endswith("/auth/reset")


@pytest.mark.parametrize("role, path, expected", [
    ("seeker", "/factories/mine", 403),
    ("successor", "/factories/mine", 403),
    ("organiser", "/factories/mine", 403),
    ("factory", "/factories/mine", 200),
    ("successor", "/needs/new", 403),
    ("seeker", "/needs/new", 200),
    ("factory", "/needs/new", 200),
    ("organiser", "/needs/new", 200),
    ("seeker", "/organiser/outbox/", 403),
    ("factory", "/organiser/outbox/", 403),
    ("successor", "/organiser/outbox/", 403),
    ("organiser", "/organiser/outbox/", 200),
])
def test_role_checks(client, login_as, role, path, expected):
    login_as(role)
    assert client.get(path).status_code == expected


def test_anonymous_is_sent_to_login(client):
    for path in ("/factories/mine", "/needs/new", "/organiser/outbox/", "/needs/mine"):
        response = client.get(path)
        assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_csrf_is_enforced_on_forms(make_app, make_user):
    csrf_app = make_app(WTF_CSRF_ENABLED=True)
    client = csrf_app.test_client()
    make_user(email="csrf@example.jp")
    response = client.post("/auth/login", data={"email": "csrf@example.jp", "password": PASSWORD})
    assert response.status_code == 400
    assert "フォームの有効期限" in response.get_data(as_text=True)
    page = client.get("/auth/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post("/auth/login", data={"email": "csrf@example.jp", "password": PASSWORD,
                                                "csrf_token": token})
    assert response.status_code == 302
    # Sign-out is a POST and needs the token too.
    assert client.post("/auth/logout").status_code == 400


def test_login_is_rate_limited(make_app):
    limited = make_app(RATELIMIT_ENABLED=True, RATELIMIT_LOGIN="3 per minute")
    client = limited.test_client()
    codes = [client.post("/auth/login", data={"email": "x@example.jp", "password": "nope nope"}).status_code
             for _ in range(5)]
    assert codes[:3] == [200, 200, 200]
    assert codes[3:] == [429, 429]
    assert "リクエストが多すぎます" in client.post("/auth/login", data={}).get_data(as_text=True)


def _reset_mails(app) -> list[EmailMessage]:
    with app.app_context():
        return db.session.scalars(db.select(EmailMessage).where(EmailMessage.kind == "password_reset")).all()


def test_reset_request_with_a_foreign_host_header_is_refused_and_mails_nothing(app, client, make_user):
    """Finding 4: `Host: evil.example` must never end up in a mailed link (and unknown hosts get a 400)."""
    make_user(email="victim@example.jp")
    response = client.post("/auth/reset", data={"email": "victim@example.jp"}, headers={"Host": "evil.example"})
    assert response.status_code == 400
    assert _reset_mails(app) == []


def test_reset_link_is_built_from_the_public_base_url_not_the_request(app, make_app, make_user):
    make_user(email="links@example.jp")
    public = make_app(PUBLIC_BASE_URL="https://hub.example.jp/")
    # localhost is a trusted host in tests, yet the link names the public address.
    response = public.test_client().post("/auth/reset", data={"email": "links@example.jp"},
                                         headers={"Host": "localhost"})
    assert response.status_code == 302
    (mail,) = _reset_mails(app)
    links = re.findall(r"https?://\S+", mail.body_text)
    assert links and all(link.startswith("https://hub.example.jp/auth/reset/") for link in links)


def test_trusted_hosts_come_from_the_public_base_url(make_app):
    production = make_app(TESTING=False, ENV_NAME="production", SERVER_NAME=None,
                          PUBLIC_BASE_URL="https://hub.example.jp", SECRET_KEY="k" * 40)
    assert production.config["TRUSTED_HOSTS"] == ["hub.example.jp"]
    client = production.test_client()
    assert client.get("/", base_url="https://hub.example.jp").status_code == 200
    assert client.get("/", base_url="http://localhost").status_code == 400
    assert client.get("/", headers={"Host": "evil.example"}).status_code == 400
    explicit = make_app(SERVER_NAME=None, TRUSTED_HOSTS="hub.example.jp, .machikoba.example")
    assert explicit.config["TRUSTED_HOSTS"] == ["hub.example.jp", ".machikoba.example"]
    assert explicit.test_client().get("/", headers={"Host": "www.machikoba.example"}).status_code == 200
    assert explicit.test_client().get("/", headers={"Host": "localhost"}).status_code == 400
