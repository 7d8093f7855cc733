"""Email ownership (issue 10, finding 5): an unconfirmed account acts as a visitor; confirmation links are signed,
bound to the address and expire; reviewer invitations count only when the confirmed owner of the invited address
accepts them; look-alike profiles are held; imported profiles are claimed by domain email or an organiser."""

from __future__ import annotations

import io
import re

import pytest

from hub.auth.models import User
from hub.extensions import db
from hub.factories.models import Factory, FactoryClaim
from hub.mail.models import EmailMessage
from tests.conftest import PASSWORD

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _login(client, email):
    client.post("/auth/logout")
    response = client.post("/auth/login", data={"email": email, "password": PASSWORD})
    assert response.status_code == 302, response.data[:300]


def _mail_path(app, recipient: str, kind: str, pattern: str) -> str:
    with app.app_context():
        mail = db.session.scalars(db.select(EmailMessage).where(EmailMessage.recipient == recipient,
                                                                EmailMessage.kind == kind)
                                  .order_by(EmailMessage.id)).all()[-1]
        return re.search(pattern, mail.body_text).group(0)


def _user(app, user_id) -> User:
    with app.app_context():
        user = db.session.get(User, user_id)
        db.session.expunge(user)
        return user


# --- the rule: an unconfirmed account is a visitor ------------------------------------------------------------

@pytest.mark.parametrize("role, path", [
    ("factory", "/factories/mine"),
    ("organiser", "/organiser/outbox/"),
    ("seeker", "/needs/new"),
    ("successor", "/succession/listings"),
    ("organiser", "/factories/review"),
])
def test_unconfirmed_account_cannot_act_as_its_role(client, make_user, make_factory, role, path):
    factory = make_factory() if role == "factory" else None
    user = make_user(role=role, factory=factory, verified=False, email=f"new-{role}@example.jp")
    assert user
    _login(client, f"new-{role}@example.jp")
    response = client.get(path)
    assert response.status_code == 302 and response.headers["Location"].endswith("/auth/verify")
    page = client.get("/").get_data(as_text=True)
    assert 'data-testid="unverified-banner"' in page and f"new-{role}@example.jp" in page


def test_unconfirmed_factory_member_cannot_edit_its_profile_or_open_shared_drawings(app, client, make_user,
                                                                                   make_factory, login_as):
    from hub.needs.models import NeedAttachment
    from tests.test_needs import _post_need

    login_as("seeker")
    need_id = _post_need(client, attachment_access="factories")
    client.post(f"/needs/{need_id}/attachments", data={"file": (io.BytesIO(PDF), "d.pdf")},
                content_type="multipart/form-data")
    with app.app_context():
        attachment_id = db.session.scalar(db.select(NeedAttachment.id).where(NeedAttachment.need_id == need_id))
    factory = make_factory(name="確認前製作所")
    make_user(role="factory", factory=factory, email="unconfirmed@example.jp", verified=False)
    make_user(role="factory", factory=factory, email="confirmed@example.jp")
    _login(client, "unconfirmed@example.jp")
    with client.get(f"/needs/attachments/{attachment_id}") as response:
        assert response.status_code in (302, 404)
    assert client.post(f"/factories/{factory}/edit", data={"name": "乗っ取り"}).status_code == 302
    _login(client, "confirmed@example.jp")
    with client.get(f"/needs/attachments/{attachment_id}") as response:
        assert response.status_code == 200


def test_unconfirmed_account_gets_no_api_token_and_its_tokens_stop_working(app, client, make_user, api_token):
    make_user(role="factory", email="apinew@example.jp", verified=False)
    response = client.post("/api/v1/auth/token", json={"email": "apinew@example.jp", "password": PASSWORD})
    assert response.status_code == 403 and response.get_json()["error"]["code"] == "email_unverified"
    user_id, headers = api_token("successor")
    assert client.get("/api/v1/succession/listings", headers=headers).status_code == 200
    with app.app_context():
        db.session.get(User, user_id).email_verified_at = None
        db.session.commit()
    response = client.get("/api/v1/succession/listings", headers=headers)
    assert response.status_code == 403 and response.get_json()["error"]["code"] == "email_unverified"


def test_confirmation_link_is_signed_bound_to_the_address_and_expires(app, client, make_user):
    from hub.auth.identity import make_verify_token, user_from_verify_token

    user_id = make_user(email="link@example.jp", verified=False)
    with app.test_request_context():
        user = db.session.get(User, user_id)
        token = make_verify_token(user)
        assert user_from_verify_token(token).id == user_id
        assert user_from_verify_token(token[:-2] + "xx") is None
        user.email = "changed@example.jp"
        assert user_from_verify_token(token) is None  # the address changed: the old link is void
        user.email = "link@example.jp"
        app.config["EMAIL_VERIFY_MAX_AGE"] = -1
        try:
            assert user_from_verify_token(token) is None
        finally:
            app.config["EMAIL_VERIFY_MAX_AGE"] = 3 * 24 * 3600
        db.session.rollback()
    response = client.get("/auth/verify/forged-token")
    assert response.status_code == 302 and response.headers["Location"].endswith("/auth/login")
    assert _user(app, user_id).email_verified_at is None


def test_resend_sends_a_new_link_that_works(app, client, make_user):
    make_user(email="resend@example.jp", verified=False, locale="en")
    _login(client, "resend@example.jp")
    assert "resend@example.jp" in client.get("/auth/verify?lang=en").get_data(as_text=True)
    assert client.post("/auth/verify/resend").status_code == 302
    path = _mail_path(app, "resend@example.jp", "verify_email", r"/auth/verify/\S+")
    with app.app_context():
        mail = db.session.scalar(db.select(EmailMessage).where(EmailMessage.kind == "verify_email"))
        assert mail.subject == "Confirm your email address"
        assert f"{app.config['PUBLIC_BASE_URL']}/auth/verify/" in mail.body_text
    assert client.get(path).status_code == 302
    assert client.get("/needs/new").status_code == 200


def test_confirmation_link_is_built_on_the_public_base_url_not_the_host_header(app, client):
    data = {"name": "X", "email": "hosty@example.jp", "password": PASSWORD, "confirm": PASSWORD, "role": "seeker",
            "organisation": "", "seeker_kind": "", "locale": "ja"}
    assert client.post("/auth/signup", headers={"Host": "evil.example"}, data=data).status_code == 400
    # Through another trusted host name the link is still built on the public base URL, not on that host.
    assert client.post("/auth/signup", headers={"Host": "127.0.0.1"}, data=data).status_code == 302
    with app.app_context():
        (mail,) = db.session.scalars(db.select(EmailMessage).where(EmailMessage.recipient == "hosty@example.jp"))
        assert f"{app.config['PUBLIC_BASE_URL']}/auth/verify/" in mail.body_text
        assert "evil.example" not in mail.body_text and "//127.0.0.1/" not in mail.body_text


# --- reviewer invitations -------------------------------------------------------------------------------------

@pytest.fixture
def invited_night(app, make_user):
    """A pitch night whose reviewer list invites squat@example.jp; returns (night id, invitation id)."""
    from hub.core.timeutil import utcnow
    from hub.events.models import PitchCriterion, PitchNight
    from hub.events.reviewers import sync_invitations

    now = utcnow()
    with app.app_context():
        from datetime import timedelta

        night = PitchNight(title="審査テスト", venue="PiO", starts_at=now + timedelta(days=9),
                           ends_at=now + timedelta(days=9, hours=2), cfp_opens_at=now - timedelta(days=1),
                           cfp_closes_at=now + timedelta(days=5), reviewer_emails=["squat@example.jp"])
        night.criteria = [PitchCriterion(name="実現可能性", weight=1, position=0)]
        db.session.add(night)
        (invitation,) = sync_invitations(night, night.reviewer_emails)
        db.session.commit()
        return night.id, invitation.id


def test_signing_up_with_an_invited_address_does_not_grant_review_pages(app, client, invited_night):
    night_id, invitation_id = invited_night
    client.post("/auth/signup", data={
        "name": "なりすまし", "email": "squat@example.jp", "password": PASSWORD, "confirm": PASSWORD,
        "role": "factory", "organisation": "偽工場", "seeker_kind": "", "locale": "ja"})
    _login(client, "squat@example.jp")  # sign-up does not sign in (its answer must not reveal taken addresses)
    assert client.get(f"/pitch-nights/{night_id}/review").status_code == 302  # unconfirmed: a visitor
    assert client.post(f"/pitch-nights/invitations/{invitation_id}/accept").status_code == 302
    path = _mail_path(app, "squat@example.jp", "verify_email", r"/auth/verify/\S+")
    client.get(path)  # now the address is confirmed: still no review pages until the invitation is accepted
    assert client.get(f"/pitch-nights/{night_id}/review").status_code == 403
    assert client.post(f"/pitch-nights/invitations/{invitation_id}/accept").status_code == 302
    assert client.get(f"/pitch-nights/{night_id}/review").status_code == 200


def test_invitation_is_bound_to_address_and_role(app, client, make_user, invited_night):
    night_id, invitation_id = invited_night
    make_user(role="seeker", email="squat@example.jp")
    make_user(role="factory", email="someone-else@example.jp")
    _login(client, "someone-else@example.jp")
    assert client.post(f"/pitch-nights/invitations/{invitation_id}/accept").status_code == 404
    _login(client, "squat@example.jp")  # the right address, the wrong role
    client.post(f"/pitch-nights/invitations/{invitation_id}/accept")
    assert client.get(f"/pitch-nights/{night_id}/review").status_code == 403
    from hub.events.models import ReviewerInvitation

    with app.app_context():
        assert db.session.get(ReviewerInvitation, invitation_id).accepted_at is None


def test_organiser_saving_a_night_emails_new_invitees_once(app, client, login_as):
    from tests.events.test_pitch_nights import _night_form

    login_as("organiser")
    response = client.post("/pitch-nights/new", data=_night_form(reviewer_emails="a@example.jp\nB@example.jp"))
    night_id = int(response.headers["Location"].rstrip("/").split("/")[-1])
    client.post(f"/pitch-nights/{night_id}/edit", data=_night_form(reviewer_emails="b@example.jp\nc@example.jp"))
    with app.app_context():
        sent = sorted(m.recipient for m in db.session.scalars(
            db.select(EmailMessage).where(EmailMessage.kind == "reviewer_invitation")))
        from hub.events.models import PitchNight

        night = db.session.get(PitchNight, night_id)
        assert sorted(i.email for i in night.invitations) == ["b@example.jp", "c@example.jp"]
    assert sent == ["a@example.jp", "b@example.jp", "c@example.jp"]


# --- duplicate names --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("a, b", [
    ("京浜研削工業所", "株式会社 京浜研削工業所"),
    ("京浜研削工業所", "京浜研削工業所（株）"),
    ("京浜研削工業所", "㈱京浜研削工業所"),
    ("京浜研削工業所", "有限会社　京浜研削工業所"),
    ("Keihin Kensaku", "KEIHIN  KENSAKU"),
    ("ＡＢＣ製作所", "ABC製作所"),
])
def test_name_key_normalises_company_forms_width_and_spaces(a, b):
    from hub.factories.identity import name_key

    assert name_key(a) == name_key(b)


def test_look_alike_profile_is_held_and_cannot_open_drawings_for_any_factory_member(app, client, make_factory,
                                                                                    make_user, login_as):
    real = make_factory(name="京浜研削工業所", external_id="tokyo-3")
    login_as("factory", name="偽者")
    response = client.post("/factories/mine", data={"name": "株式会社 京浜研削工業所", "ward": "ota",
                                                    "description": "センタレス研削"})
    assert response.status_code == 302
    with app.app_context():
        fake = db.session.scalar(db.select(Factory).where(Factory.id != real, Factory.name.like("%京浜研削%")))
        assert fake.review_status == "held" and not fake.is_published
        fake_id = fake.id
    assert client.get(f"/factories/{fake_id}").status_code == 200  # its own member still sees it
    assert "held-notice" in client.get(f"/factories/{fake_id}").get_data(as_text=True)
    from hub.auth.models import User as UserModel
    from hub.needs.models import Need
    from hub.needs.services import can_open_attachments

    owner = make_user(role="seeker")
    with app.app_context():
        need = Need(owner_id=owner, title="図面", description="", attachment_access="factories",
                    visibility="public")
        db.session.add(need)
        db.session.flush()
        member = db.session.scalar(db.select(UserModel).where(UserModel.name == "偽者"))
        assert can_open_attachments(member, need) is False
        db.session.rollback()
    client.post("/auth/logout")
    assert client.get(f"/factories/{fake_id}").status_code == 404
    assert client.get("/api/v1/factories?q=京浜研削").get_json()["total"] == 1


def test_renaming_into_a_look_alike_by_api_is_held(app, client, make_factory, api_token):
    make_factory(name="京島鋳物所")
    mine = make_factory(name="別の工場")
    _, headers = api_token("factory", factory=mine)
    response = client.patch(f"/api/v1/factories/{mine}", json={"name": "京島 鋳物所"}, headers=headers)
    assert response.status_code == 200 and response.get_json()["review_status"] == "held"
    assert client.get(f"/api/v1/factories/{mine}").status_code == 404
    response = client.patch(f"/api/v1/factories/{mine}", json={"name": "全然違う工場"}, headers=headers)
    assert response.get_json()["review_status"] is None
    assert client.get(f"/api/v1/factories/{mine}").status_code == 200


def test_organiser_publishes_or_rejects_held_profiles(app, client, make_factory, login_as):
    make_factory(name="同名製作所")
    login_as("factory")
    client.post("/factories/mine", data={"name": "同名製作所", "ward": "sumida", "description": ""})
    with app.app_context():
        held_id = db.session.scalar(db.select(Factory.id).where(Factory.review_status == "held"))
    assert client.get("/factories/review").status_code == 403
    client.post("/auth/logout")
    login_as("organiser")
    queue = client.get("/factories/review?lang=en").get_data(as_text=True)
    assert 'data-testid="held-profiles"' in queue and "同名製作所" in queue
    assert client.post(f"/factories/review/profiles/{held_id}", data={"decision": "approve"}).status_code == 302
    with app.app_context():
        factory = db.session.get(Factory, held_id)
        assert factory.is_published and factory.review_status is None


# --- claims -------------------------------------------------------------------------------------------------

@pytest.fixture
def imported(make_factory):
    return make_factory(name="京浜研削工業所", external_id="tokyo-3", website="https://www.keihin-kensaku.co.jp/")


def test_claim_by_an_address_at_the_factorys_domain(app, client, login_as, imported):
    member = login_as("factory", name="京浜 太郎")
    page = client.get(f"/factories/{imported}").get_data(as_text=True)
    assert 'data-testid="claim-link"' in page
    refused = client.post(f"/factories/{imported}/claim", data={"method": "domain_email",
                                                                 "email": "me@keihin-kensaku.co.jp.evil.example"})
    assert refused.status_code == 200 and "keihin-kensaku.co.jp" in refused.get_data(as_text=True)
    refused = client.post(f"/factories/{imported}/claim", data={"method": "domain_email",
                                                                 "email": "me@co.jp"})
    assert refused.status_code == 200
    response = client.post(f"/factories/{imported}/claim", data={"method": "domain_email",
                                                                  "email": "Info@Keihin-Kensaku.co.jp"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/factories/claims")
    path = _mail_path(app, "info@keihin-kensaku.co.jp", "factory_claim", r"/factories/claims/confirm/\S+")
    client.post("/auth/logout")  # whoever reads that mailbox confirms; no account needed
    assert client.get(path[:-3] + "abc").status_code == 302
    with app.app_context():
        assert db.session.get(Factory, imported).organisation_id is None
    assert client.get(path).status_code == 302
    with app.app_context():
        factory = db.session.get(Factory, imported)
        assert factory.organisation_id == db.session.get(User, member).organisation_id
        assert db.session.scalar(db.select(FactoryClaim.status)) == "approved"
    _login(client, _user(app, member).email)
    assert client.get(f"/factories/{imported}/edit").status_code == 200


def test_claim_approved_by_an_organiser_replaces_the_held_draft(app, client, login_as, make_user, imported):
    member = login_as("factory", name="京浜 次郎")
    client.post("/factories/mine", data={"name": "京浜研削工業所", "ward": "ota", "description": ""})
    with app.app_context():
        draft_id = db.session.scalar(db.select(Factory.id).where(Factory.review_status == "held"))
    response = client.post(f"/factories/{imported}/claim", data={"method": "organiser"})
    assert response.status_code == 302
    assert "claim-status" in client.get("/factories/claims").get_data(as_text=True)
    assert client.post(f"/factories/{imported}/claim", data={
        "method": "organiser", "message": "代表の次男です。電話 03-0000-0000"}).status_code == 302
    with app.app_context():
        statuses = sorted(db.session.scalars(db.select(FactoryClaim.status)))
        claim_id = db.session.scalar(db.select(FactoryClaim.id).where(FactoryClaim.status == "pending"))
    assert statuses == ["pending", "withdrawn"]  # a second claim replaces the first
    client.post("/auth/logout")
    login_as("organiser")
    assert "代表の次男です" in client.get("/factories/review").get_data(as_text=True)
    assert client.post(f"/factories/review/claims/{claim_id}", data={"decision": "approve"}).status_code == 302
    with app.app_context():
        assert db.session.get(Factory, imported).organisation_id == db.session.get(User, member).organisation_id
        assert db.session.get(Factory, draft_id) is None
        mail = db.session.scalar(db.select(EmailMessage).where(EmailMessage.kind == "factory_claim_decided"))
        assert mail.recipient == _user(app, member).email and "承認されました" in mail.subject


def test_organiser_rejects_a_claim_and_the_claimant_is_told(app, client, login_as, imported):
    member = login_as("factory", locale="en")
    client.post(f"/factories/{imported}/claim", data={"method": "organiser", "message": "I own it"})
    with app.app_context():
        claim_id = db.session.scalar(db.select(FactoryClaim.id))
    client.post("/auth/logout")
    login_as("organiser")
    assert client.post(f"/factories/review/claims/{claim_id}", data={"decision": "maybe"}).status_code == 400
    client.post(f"/factories/review/claims/{claim_id}", data={"decision": "reject"})
    with app.app_context():
        assert db.session.get(Factory, imported).organisation_id is None
        assert db.session.get(FactoryClaim, claim_id).status == "rejected"
        mail = db.session.scalar(db.select(EmailMessage).where(EmailMessage.kind == "factory_claim_decided"))
        assert mail.recipient == _user(app, member).email and mail.subject.startswith("Your claim was not approved")


def test_claims_are_rate_limited(make_app, make_user, imported):
    limited = make_app(RATELIMIT_ENABLED=True, RATELIMIT_SIGNUP="2 per hour")
    client = limited.test_client()
    make_user(role="factory", email="spammer@example.jp")
    client.post("/auth/login", data={"email": "spammer@example.jp", "password": PASSWORD})
    codes = [client.post(f"/factories/{imported}/claim", data={
        "method": "domain_email", "email": "info@keihin-kensaku.co.jp"}).status_code for _ in range(3)]
    assert codes == [302, 302, 429]


def test_who_may_claim(app, client, login_as, make_factory, imported):
    login_as("seeker")
    assert client.get(f"/factories/{imported}/claim").status_code == 403
    managed = make_factory(name="管理済み工場")
    client.post("/auth/logout")
    login_as("factory", factory=managed)  # already manages a published profile
    assert client.get(f"/factories/{imported}/claim").status_code == 403
    client.post("/auth/logout")
    login_as("factory")
    assert client.get(f"/factories/{managed}/claim").status_code == 403  # not an unclaimed profile
    assert client.get(f"/factories/{imported}/claim").status_code == 200
    client.post("/auth/logout")
    response = client.get(f"/factories/{imported}/claim")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
