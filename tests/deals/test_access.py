"""Nobody outside a deal reads its messages or files — pages, API and file URLs — for every role; contact details
stay hidden before acceptance; blocks, reports and the organisers' review."""

from __future__ import annotations

import io

import pytest

from hub.deals.models import Block, Deal, DealAttachment, DealReport
from hub.extensions import db
from tests.deals.conftest import PDF, accept, fetch

SECRET = "極秘の図面について"


@pytest.fixture
def busy_deal(app, world, open_deal, signin):
    """An accepted deal with a secret message and a PDF; returns (deal id, attachment id)."""
    deal_id, step_id = open_deal
    accept(signin, world, deal_id, step_id)
    seeker = signin(world.seeker)
    response = seeker.post(f"/deals/{deal_id}/messages", data={
        "body": SECRET, "files": [(io.BytesIO(PDF), "secret.pdf")]}, content_type="multipart/form-data")
    assert response.status_code == 302
    with app.app_context():
        attachment_id = db.session.scalar(db.select(DealAttachment.id).where(DealAttachment.deal_id == deal_id))
    return deal_id, attachment_id


def _token(client, app, user_id):
    from hub.auth.models import User
    from tests.conftest import PASSWORD

    with app.app_context():
        email = db.session.get(User, user_id).email
    response = client.post("/api/v1/auth/token", json={"email": email, "password": PASSWORD})
    assert response.status_code == 200
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


@pytest.mark.parametrize("role", ["stranger", "other_factory_user", "successor", "organiser"])
def test_outsiders_read_nothing(app, client, world, busy_deal, signin, role):
    deal_id, attachment_id = busy_deal
    outsider = signin(getattr(world, role))
    page = outsider.get(f"/deals/{deal_id}")
    assert page.status_code == 404 and SECRET not in page.get_data(as_text=True)
    assert fetch(outsider, f"/deals/{deal_id}/files/{attachment_id}")[0] == 404
    assert outsider.post(f"/deals/{deal_id}/messages", data={"body": "侵入"}).status_code == 404
    assert outsider.post(f"/deals/{deal_id}/close", data={"outcome": "abandoned", "reason": "x"}).status_code == 404
    assert SECRET not in outsider.get("/deals/").get_data(as_text=True)
    headers = _token(client, app, getattr(world, role))
    for url in (f"/api/v1/deals/{deal_id}", f"/api/v1/deals/{deal_id}/messages",
                f"/api/v1/deals/{deal_id}/attachments/{attachment_id}"):
        status, body = fetch(client, url, headers=headers)
        assert status == 404 and SECRET.encode() not in body and PDF not in body, url
    assert client.post(f"/api/v1/deals/{deal_id}/messages", json={"body": "x"}, headers=headers).status_code == 404
    listed = client.get("/api/v1/deals", headers=headers).get_json()
    assert listed["total"] == 0
    with app.app_context():
        assert len(db.session.get(Deal, deal_id).messages) == 2  # the acceptance event and the secret message


def test_anonymous_visitors_are_sent_to_sign_in(client, busy_deal):
    deal_id, attachment_id = busy_deal
    for url in (f"/deals/{deal_id}", f"/deals/{deal_id}/files/{attachment_id}", "/deals/", "/deals/opportunities",
                "/deals/notifications", "/deals/reports"):
        response = client.get(url)
        assert response.status_code == 302 and "/auth/login" in response.headers["Location"], url
    assert fetch(client, f"/api/v1/deals/{deal_id}/attachments/{attachment_id}")[0] == 401
    assert client.get(f"/api/v1/deals/{deal_id}/messages").status_code == 401


def test_attachment_ids_do_not_cross_deals(app, world, busy_deal, signin, make_factory, fast_user):
    """A participant of another deal cannot fetch this deal's file by putting their own deal id in the URL."""
    deal_id, attachment_id = busy_deal
    other_need_owner = signin(world.other_factory_user)
    response = other_need_owner.post(f"/deals/inquiries/new?factory={world.factory}", data={"message": "別件"})
    other_deal = int(response.headers["Location"].rsplit("/", 1)[1])
    assert fetch(other_need_owner, f"/deals/{other_deal}/files/{attachment_id}")[0] == 404


def test_participants_and_a_reviewing_organiser_can_read(app, client, world, busy_deal, signin):
    deal_id, attachment_id = busy_deal
    for user in (world.seeker, world.factory_user):
        reader = signin(user)
        assert SECRET in reader.get(f"/deals/{deal_id}").get_data(as_text=True)
        assert fetch(reader, f"/deals/{deal_id}/files/{attachment_id}") == (200, PDF)
        headers = _token(client, app, user)
        messages = client.get(f"/api/v1/deals/{deal_id}/messages", headers=headers).get_json()["messages"]
        assert any(m["body"] == SECRET for m in messages)
        assert fetch(client, f"/api/v1/deals/{deal_id}/attachments/{attachment_id}", headers=headers) == (200, PDF)
    # The factory reports the conversation: now the organisers may read it (and only read it).
    factory = signin(world.factory_user)
    assert factory.post(f"/deals/{deal_id}/report", data={"reason": "不審な依頼です"}).status_code == 302
    organiser = signin(world.organiser)
    listing = organiser.get("/deals/reports").get_data(as_text=True)
    assert "不審な依頼です" in listing and "アルミ筐体 50個" in listing
    page = organiser.get(f"/deals/{deal_id}").get_data(as_text=True)
    assert SECRET in page and 'id="message-form"' not in page
    assert fetch(organiser, f"/deals/{deal_id}/files/{attachment_id}") == (200, PDF)
    assert organiser.post(f"/deals/{deal_id}/messages", data={"body": "x"}).status_code == 403
    with app.app_context():
        report_id = db.session.scalar(db.select(DealReport.id))
    assert signin(world.seeker).get("/deals/reports").status_code == 403
    assert signin(world.seeker).post(f"/deals/reports/{report_id}/resolve").status_code == 403
    assert organiser.post(f"/deals/reports/{report_id}/resolve", data={"resolution": "確認済み"}).status_code == 302
    with app.app_context():
        assert db.session.get(DealReport, report_id).status == "resolved"
    assert "確認済み" in organiser.get("/deals/reports?status=resolved").get_data(as_text=True)
    assert organiser.get("/deals/reports?status=bogus").status_code == 200


def test_contacts_stay_hidden_before_acceptance_in_the_api(app, client, world, open_deal):
    deal_id, step_id = open_deal
    factory_headers = _token(client, app, world.factory_user)
    seeker_headers = _token(client, app, world.seeker)
    body = client.get(f"/api/v1/deals/{deal_id}", headers=factory_headers).get_json()
    assert body["requester"]["contact"] is None and "aya@startup.example" not in str(body)
    assert body["requester"]["record"]["inquiries_sent"] == 1
    body = client.get(f"/api/v1/deals/{deal_id}", headers=seeker_headers).get_json()
    assert body["steps"][0]["contact"] is None and "蒲田1-2-3" not in str(body)
    client.post(f"/api/v1/deals/{deal_id}/steps/{step_id}/answer", json={"accept": True, "phone": "03-1"},
                headers=factory_headers)
    body = client.get(f"/api/v1/deals/{deal_id}", headers=factory_headers).get_json()
    assert body["requester"]["contact"] == {"emails": ["aya@startup.example"], "phone": "03-1111-2222"}
    body = client.get(f"/api/v1/deals/{deal_id}", headers=seeker_headers).get_json()
    assert body["steps"][0]["contact"]["phone"] == "03-1" and body["steps"][0]["contact"]["address"]


def test_blocked_requester_cannot_message_or_ask_again(app, world, busy_deal, signin):
    deal_id, _attachment = busy_deal
    factory = signin(world.factory_user)
    assert factory.post(f"/deals/{deal_id}/block", data={"target": "u:999"}).status_code == 302  # not in this deal
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Block.id))) == 0
    assert factory.post(f"/deals/{deal_id}/block", data={"target": f"u:{world.seeker}"}).status_code == 302
    seeker = signin(world.seeker)
    page = seeker.get(f"/deals/{deal_id}").get_data(as_text=True)
    assert 'data-testid="post-refusal"' in page
    seeker.post(f"/deals/{deal_id}/messages", data={"body": "まだですか"})
    with app.app_context():
        assert all(m.body != "まだですか" for m in db.session.get(Deal, deal_id).messages)
    response = seeker.post(f"/deals/inquiries/new?factory={world.factory}", data={"message": "別件です"})
    assert response.status_code == 200 and "問い合わせできません" in response.get_data(as_text=True)
    # The factory can still write (it is not blocked), and can lift the block.
    assert factory.post(f"/deals/{deal_id}/messages", data={"body": "了解です"}).status_code == 302
    assert factory.post(f"/deals/{deal_id}/unblock", data={"target": f"u:{world.seeker}"}).status_code == 302
    assert seeker.post(f"/deals/{deal_id}/messages", data={"body": "ありがとうございます"}).status_code == 302
    with app.app_context():
        assert any(m.body == "ありがとうございます" for m in db.session.get(Deal, deal_id).messages)


def test_requester_can_block_a_factory(app, world, open_deal, signin):
    deal_id, _step = open_deal
    seeker = signin(world.seeker)
    assert seeker.post(f"/deals/{deal_id}/block", data={"target": f"f:{world.factory}"}).status_code == 302
    factory = signin(world.factory_user)
    assert 'data-testid="post-refusal"' in factory.get(f"/deals/{deal_id}").get_data(as_text=True)
    factory.post(f"/deals/{deal_id}/messages", data={"body": "ご連絡です"})
    with app.app_context():
        assert all(m.body != "ご連絡です" for m in db.session.get(Deal, deal_id).messages)


def test_bad_files_are_refused(app, world, busy_deal, signin):
    deal_id, _attachment = busy_deal
    seeker = signin(world.seeker)
    response = seeker.post(f"/deals/{deal_id}/messages", data={
        "body": "exe", "files": [(io.BytesIO(b"MZ\x90\x00 not a drawing"), "drawing.pdf")]},
        content_type="multipart/form-data", follow_redirects=True)
    assert "PDF、PNG、JPEG、STEP" in response.get_data(as_text=True)
    empty = seeker.post(f"/deals/{deal_id}/messages", data={"body": "  "}, follow_redirects=True)
    assert "メッセージを書くか" in empty.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(DealAttachment.id))) == 1
