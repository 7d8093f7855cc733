"""The listing life cycle, disclosure under NDA, documents, the audit log and the e-mails."""

from __future__ import annotations

import pytest

from hub.extensions import db
from hub.mail.models import EmailMessage
from hub.succession.models import AuditEvent, Disclosure, NdaVersion, SuccessionListing
from tests.conftest import PASSWORD

from .conftest import LISTING_FORM

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _listing(public_id):
    return db.session.scalar(db.select(SuccessionListing).where(SuccessionListing.public_id == public_id))


def _login(app, client, user_id):
    from hub.auth.models import User

    client.post("/auth/logout")
    with app.app_context():
        email = db.session.get(User, user_id).email
    assert client.post("/auth/login", data={"email": email, "password": PASSWORD}).status_code == 302


def _mails(app, kind):
    with app.app_context():
        return db.session.scalars(db.select(EmailMessage).where(EmailMessage.kind == f"succession_{kind}")).all()


def test_owner_drafts_organiser_returns_then_publishes(app, client, owner, make_user):
    organiser = make_user(role="organiser", locale="en")
    _login(app, client, owner)
    response = client.post("/succession/new", data=LISTING_FORM)
    public_id = response.headers["Location"].rsplit("/", 1)[1]
    with app.app_context():
        listing = _listing(public_id)
        assert listing.status == "draft" and listing.ward == "ota"
        assert listing.processes == ["surface_grinding", "cylindrical_grinding"]
    assert client.get("/succession/new").status_code == 302  # one listing at a time
    client.post(f"/succession/l/{public_id}/submit")
    _login(app, client, organiser)
    assert public_id in client.get("/succession/review").get_data(as_text=True)
    assert _mails(app, "listing_submitted")[0].locale == "en"
    assert client.post(f"/succession/l/{public_id}/return", data={"note": ""}).status_code == 302
    with app.app_context():
        assert _listing(public_id).status == "submitted"  # a note is required
    client.post(f"/succession/l/{public_id}/return", data={"note": "取引先の業種をもう少し具体的に。"})
    with app.app_context():
        assert _listing(public_id).status == "returned"
    returned = _mails(app, "listing_returned")
    assert returned and "取引先の業種" in returned[0].body_text and "秘密精機" not in returned[0].subject
    _login(app, client, owner)
    assert "取引先の業種" in client.get(f"/succession/l/{public_id}").get_data(as_text=True)
    client.post(f"/succession/l/{public_id}/submit")
    _login(app, client, organiser)
    client.post(f"/succession/l/{public_id}/approve")
    with app.app_context():
        assert _listing(public_id).status == "published"
    assert _mails(app, "listing_approved")
    # Editing a published listing takes it back to draft: it must be reviewed again.
    _login(app, client, owner)
    client.post(f"/succession/l/{public_id}/edit", data={**LISTING_FORM, "description": "変更しました。"})
    with app.app_context():
        assert _listing(public_id).status == "draft"
        actions = [e.action for e in db.session.scalars(db.select(AuditEvent).where(
            AuditEvent.listing_id == _listing(public_id).id))]
    assert {"listing_created", "listing_submitted", "listing_returned", "listing_published",
            "listing_edited"} <= set(actions)


def test_pause_resume_withdraw(app, client, owner, make_listing, make_user):
    public_id = make_listing("published")
    successor = make_user(role="successor")
    _login(app, client, owner)
    client.post(f"/succession/l/{public_id}/pause")
    _login(app, client, successor)
    assert public_id not in client.get("/succession/listings").get_data(as_text=True)
    _login(app, client, owner)
    client.post(f"/succession/l/{public_id}/resume")
    _login(app, client, successor)
    assert public_id in client.get("/succession/listings").get_data(as_text=True)
    _login(app, client, owner)
    client.post(f"/succession/l/{public_id}/withdraw")
    client.post(f"/succession/l/{public_id}/resume")  # not from withdrawn
    with app.app_context():
        assert _listing(public_id).status == "withdrawn"
    assert client.get("/succession/new").status_code == 200  # a new listing may be started


def test_unknown_process_and_missing_scheme_are_form_errors(app, client, owner):
    _login(app, client, owner)
    response = client.post("/succession/new", data={**LISTING_FORM, "processes": "ぜんぜん知らない工程xyz",
                                                    "schemes": []})
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "工程として認識できませんでした" in body
    assert "承継方法を1つ以上選んでください" in body


@pytest.mark.parametrize("value", ["", "工" * 300_000, "<script>alert(1)</script>", "\x00", "[object Object]"])
def test_hostile_input_never_5xx(app, client, owner, make_user, make_listing, value):
    public_id = make_listing("published")
    _login(app, client, owner)
    data = {key: value for key in LISTING_FORM}
    assert client.post("/succession/new", data=data).status_code < 500
    assert client.post(f"/succession/l/{public_id}/edit", data=data).status_code < 500
    successor = make_user(role="successor")
    _login(app, client, successor)
    for url, form in (("/succession/profile", {"background": value, "skills": value, "processes": value,
                                               "wards": value, "schemes": value, "budget_band": value}),
                      (f"/succession/l/{public_id}/disclose", {"nda_version": value, "accept": value,
                                                                "message": value})):
        response = client.post(url, data=form)
        assert response.status_code < 500
        assert "<script>alert(1)</script>" not in response.get_data(as_text=True)
    assert client.get(f"/succession/listings?q={value[:500]}&ward={value[:50]}&process_q={value[:200]}"
                      ).status_code < 500


def test_disclosure_under_nda(app, client, owner, make_listing, make_user, make_profile):
    public_id = make_listing("published")
    successor = make_user(role="successor", locale="en")
    _login(app, client, successor)
    assert client.get(f"/succession/l/{public_id}/disclose").status_code == 302  # profile first
    make_profile(successor)
    page = client.get(f"/succession/l/{public_id}/disclose").get_data(as_text=True)
    assert "Non-disclosure undertaking (version 1)" in page and "秘密保持誓約書" in page
    # Not accepted, or an outdated version: nothing is recorded.
    client.post(f"/succession/l/{public_id}/disclose", data={"nda_version": "1", "message": "hi"})
    client.post(f"/succession/l/{public_id}/disclose", data={"nda_version": "0", "accept": "y"})
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Disclosure.id))) == 0
        db.session.add(NdaVersion(version=2, text_ja="第2版", text_en="Version 2"))
        db.session.commit()
    client.post(f"/succession/l/{public_id}/disclose", data={"nda_version": "1", "accept": "y"})
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Disclosure.id))) == 0
    client.post(f"/succession/l/{public_id}/disclose", data={"nda_version": "2", "accept": "y", "message": "興味"})
    with app.app_context():
        disclosure = db.session.scalar(db.select(Disclosure))
        assert disclosure.successor_id == successor and disclosure.nda_version.version == 2
        assert disclosure.nda_accepted_at is not None and disclosure.status == "requested"
        disclosure_id = disclosure.id
    requested = _mails(app, "disclosure_requested")
    assert requested and "興味" in requested[0].body_text
    body = client.get(f"/succession/l/{public_id}").get_data(as_text=True)
    assert "秘密精機" not in body and "Waiting for the owner" in body
    _login(app, client, owner)
    page = client.get(f"/succession/l/{public_id}").get_data(as_text=True)
    assert "生産技術15年" in page  # the owner decides on the profile
    client.post(f"/succession/disclosures/{disclosure_id}/approve")
    approved = _mails(app, "disclosure_approved")
    assert approved and approved[0].locale == "en" and "秘密精機" not in approved[0].body_text
    _login(app, client, successor)
    assert "秘密精機製作所" in client.get(f"/succession/l/{public_id}").get_data(as_text=True)
    _login(app, client, owner)
    log = client.get(f"/succession/l/{public_id}/audit").get_data(as_text=True)
    for label in ("秘密保持誓約に同意", "開示をリクエスト", "開示を承認", "開示情報を閲覧"):
        assert label in log, label
    client.post(f"/succession/disclosures/{disclosure_id}/revoke")
    _login(app, client, successor)
    assert "秘密精機製作所" not in client.get(f"/succession/l/{public_id}").get_data(as_text=True)


def test_decline_tells_the_successor(app, client, owner, make_listing, make_user, disclose):
    public_id = make_listing("published")
    successor = make_user(role="successor")
    disclosure_id = disclose(public_id, successor)
    _login(app, client, owner)
    client.post(f"/succession/disclosures/{disclosure_id}/decline")
    assert _mails(app, "disclosure_declined")
    with app.app_context():
        assert db.session.get(Disclosure, disclosure_id).status == "declined"


def test_documents_only_for_owner_organisers_and_approved(app, client, owner, make_listing, make_user, disclose):
    import io

    public_id = make_listing("published")
    approved = make_user(role="successor")
    other = make_user(role="successor")
    disclose(public_id, approved, "approve")
    _login(app, client, owner)
    client.post(f"/succession/l/{public_id}/documents",
                data={"file": (io.BytesIO(b"\x89PNG\r\n\x1a\nxxxx"), "x.png")}, content_type="multipart/form-data")
    client.post(f"/succession/l/{public_id}/documents",
                data={"file": (io.BytesIO(PDF), "秘密精機-決算書.pdf")}, content_type="multipart/form-data")
    with app.app_context():
        documents = _listing(public_id).documents
        assert len(documents) == 1 and documents[0].content_type == "application/pdf"
        doc_id = documents[0].id
    url = f"/succession/l/{public_id}/documents/{doc_id}"
    for user, status in ((other, 404), (approved, 200)):
        _login(app, client, user)
        response = client.get(url)
        assert response.status_code == status
        if status == 200:
            assert response.data == PDF
        response.close()
    organiser = make_user(role="organiser")
    _login(app, client, organiser)
    response = client.get(url)
    assert response.status_code == 200
    response.close()
    with app.app_context():
        downloads = db.session.scalars(db.select(AuditEvent).where(AuditEvent.action == "document_downloaded")).all()
        assert {e.actor_id for e in downloads} == {approved, organiser}


def test_api_disclosure_request(app, client, api_token, make_listing, make_profile):
    public_id = make_listing("published")
    user_id, headers = api_token("successor")
    url = f"/api/v1/succession/listings/{public_id}/disclosures"
    assert client.post(url, json={"accept_nda": True, "nda_version": 1}, headers=headers).status_code == 409
    make_profile(user_id)
    nda = client.get("/api/v1/succession/nda", headers=headers).get_json()
    assert nda["version"] == 1 and "秘密保持" in nda["text_ja"] and "Non-disclosure" in nda["text_en"]
    for body in ({"accept_nda": "yes", "nda_version": 1}, {"accept_nda": True}, {"accept_nda": True,
                 "nda_version": "1"}, {"accept_nda": True, "nda_version": 1, "message": "x" * 3000}):
        assert client.post(url, json=body, headers=headers).status_code == 400, body
    assert client.post(url, json={"accept_nda": False, "nda_version": 1}, headers=headers).status_code == 409
    response = client.post(url, json={"accept_nda": True, "nda_version": 1, "message": "よろしく"}, headers=headers)
    assert response.status_code == 201 and response.get_json()["status"] == "requested"
    assert client.post(url, json={"accept_nda": True, "nda_version": 1}, headers=headers).status_code == 409
    assert client.post("/api/v1/succession/listings/nope/disclosures", json={"accept_nda": True, "nda_version": 1},
                       headers=headers).status_code == 404
    listed = client.get("/api/v1/succession/listings", headers=headers).get_json()
    assert listed["total"] == 1 and listed["listings"][0]["disclosure"] == "requested"
    assert client.get("/api/v1/succession/listings?per_page=0", headers=headers).status_code == 400
    assert client.get("/api/v1/succession/listings?ward=atlantis", headers=headers).status_code == 400
    assert client.get("/api/v1/succession/listings?process=zzzqqq", headers=headers).status_code == 400


def test_organiser_publishes_a_new_nda_version(app, client, login_as):
    login_as("organiser")
    assert "秘密保持誓約書" in client.get("/succession/nda").get_data(as_text=True)
    client.post("/succession/nda", data={"text_ja": "第2版の本文", "text_en": "Version 2 text"})
    client.post("/succession/nda", data={"text_ja": "", "text_en": "x"})
    with app.app_context():
        assert [v.version for v in db.session.scalars(db.select(NdaVersion).order_by(NdaVersion.version))] == [1, 2]
