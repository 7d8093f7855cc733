"""The life of a deal through the pages: inquiry, answer, thread with files, steps, outcome, ratings, KPI."""

from __future__ import annotations

import io
from datetime import date

from hub.deals.models import Deal, DealRating, Notification
from hub.extensions import db
from hub.mail.models import EmailMessage
from tests.deals.conftest import PDF, accept, fetch


def _deal(app, deal_id):
    with app.app_context():
        deal = db.session.get(Deal, deal_id)
        return deal, [s.status for s in deal.steps]


def test_inquiry_form_is_prefilled_from_the_need(world, signin):
    seeker = signin(world.seeker)
    html = seeker.get(f"/deals/inquiries/new?need={world.need}&factory={world.factory}").get_data(as_text=True)
    assert "アルミ筐体 50個" in html and 'value="50"' in html and "蒲田精密" in html
    assert 'data-testid="factory-record"' in html


def test_only_the_need_owner_can_ask_about_it(world, signin):
    stranger = signin(world.stranger)
    assert stranger.get(f"/deals/inquiries/new?need={world.need}&factory={world.factory}").status_code == 404
    assert stranger.post(f"/deals/inquiries/new?need={world.need}&factory={world.factory}",
                         data={"message": "x"}).status_code == 404
    successor = signin(world.successor)
    assert successor.get(f"/deals/inquiries/new?factory={world.factory}").status_code == 403


def test_bad_inquiry_input_re_renders_with_messages(world, signin):
    seeker = signin(world.seeker)
    url = f"/deals/inquiries/new?need={world.need}&factory={world.factory}"
    for data in ({"message": ""}, {"message": "x" * 5001}, {"message": "ok", "quantity": "-3"},
                 {"message": "ok", "quantity": "abc"}, {"message": "ok", "due_date": "2001-01-01"},
                 {"message": "ok", "phone": "9" * 41}):
        response = seeker.post(url, data=data)
        assert response.status_code == 200, data
        assert "invalid-feedback" in response.get_data(as_text=True), data
    assert seeker.get("/deals/inquiries/new?factory=abc").status_code == 404
    assert seeker.get("/deals/inquiries/new?factory=99999999").status_code == 404
    assert seeker.get(f"/deals/inquiries/new?factory={world.factory}&need=x").status_code == 404


def test_script_tags_are_escaped(app, world, signin):
    seeker = signin(world.seeker)
    response = seeker.post(f"/deals/inquiries/new?need={world.need}&factory={world.factory}",
                           data={"message": "<script>alert(1)</script>"})
    deal_id = response.headers["Location"].rsplit("/", 1)[1]
    html = signin(world.factory_user).get(f"/deals/{deal_id}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_full_journey_from_inquiry_to_ratings(app, world, open_deal, signin):
    from hub.deals.kpis import indicators
    from hub.deals.services import track_records

    deal_id, step_id = open_deal
    with app.app_context():
        before = indicators(date.today().year)["joint_projects_formed"]
        note = db.session.scalar(db.select(Notification).where(Notification.user_id == world.factory_user))
        assert note.kind == "inquiry"
    factory = signin(world.factory_user)
    page = factory.get(f"/deals/{deal_id}").get_data(as_text=True)
    # The requester's record is visible, their contact details are not (yet).
    record = page.split('data-testid="requester-record"')[1].split("</div>")[0]
    assert "佐藤 彩" in record and "送信した問い合わせ: 1件" in record
    assert "03-1111-2222" not in page and "aya@startup.example" not in page
    seeker_email = "aya@startup.example"
    assert 'data-testid="requester-contact"' not in page
    seeker = signin(world.seeker)
    before_accept = seeker.get(f"/deals/{deal_id}").get_data(as_text=True)
    assert 'data-testid="factory-contact"' not in before_accept and "東京都大田区蒲田1-2-3" not in before_accept

    accept(signin, world, deal_id, step_id)
    page = factory.get(f"/deals/{deal_id}").get_data(as_text=True)
    assert 'data-testid="requester-contact"' in page and "03-1111-2222" in page and seeker_email in page
    after_accept = seeker.get(f"/deals/{deal_id}").get_data(as_text=True)
    assert 'data-testid="factory-contact"' in after_accept and "03-9999-0000" in after_accept
    assert "東京都大田区蒲田1-2-3" in after_accept

    # A message with a PDF; both sides can open it.
    response = seeker.post(f"/deals/{deal_id}/messages", data={
        "body": "図面を送ります", "files": [(io.BytesIO(PDF), "drawing.pdf")]}, content_type="multipart/form-data")
    assert response.status_code == 302
    page = factory.get(f"/deals/{deal_id}").get_data(as_text=True)
    assert "図面を送ります" in page and "drawing.pdf" in page
    link = page.split('data-testid="attachment"')[0].rsplit('href="', 1)[1].split('"')[0]
    with factory.get(link) as download:
        assert download.status_code == 200 and download.data == PDF
        assert download.headers["Content-Type"] == "application/pdf"
    assert fetch(seeker, link)[0] == 200
    # The factory moves its step along.
    assert factory.post(f"/deals/{deal_id}/steps/{step_id}/status", data={"status": "in_progress"}).status_code == 302
    assert factory.post(f"/deals/{deal_id}/steps/{step_id}/status", data={"status": "delivered"}).status_code == 302
    assert _deal(app, deal_id)[1] == ["delivered"]
    # Closed as a joint development; the KPI counts it.
    assert seeker.post(f"/deals/{deal_id}/close", data={"outcome": "joint_development"}).status_code == 302
    deal, _ = _deal(app, deal_id)
    assert deal.status == "closed" and deal.outcome == "joint_development"
    with app.app_context():
        year = deal.closed_at.year
        assert indicators(year)["joint_projects_formed"] == before + 1
    # Both sides rate each other, once.
    assert seeker.post(f"/deals/{deal_id}/ratings", data={
        "target": f"f:{world.factory}", "quality": "5", "delivery": "4", "communication": "5"}).status_code == 302
    again = seeker.post(f"/deals/{deal_id}/ratings", data={
        "target": f"f:{world.factory}", "quality": "1", "delivery": "1", "communication": "1"}, follow_redirects=True)
    assert "評価済み" in again.get_data(as_text=True) or "already" in again.get_data(as_text=True)
    assert factory.post(f"/deals/{deal_id}/ratings", data={
        "target": f"u:{world.seeker}", "quality": "4", "delivery": "4", "communication": "3"}).status_code == 302
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(DealRating.id))) == 2
        record = track_records()
        assert record == {world.factory: round(((5 + 4 + 5) / 3 - 1) / 4, 4)}
    profile_record = seeker.get(f"/deals/inquiries/new?factory={world.factory}").get_data(as_text=True)
    assert "完了した取引: 1" in profile_record and "品質 5.0" in profile_record


def test_declined_requester_cannot_keep_messaging(app, world, open_deal, signin):
    deal_id, step_id = open_deal
    factory = signin(world.factory_user)
    missing_reason = factory.post(f"/deals/{deal_id}/steps/{step_id}/answer", data={"decision": "decline"})
    assert missing_reason.status_code == 302 and _deal(app, deal_id)[1] == ["requested"]
    factory.post(f"/deals/{deal_id}/steps/{step_id}/answer",
                 data={"decision": "decline", "reason": "今月は手一杯です"})
    assert _deal(app, deal_id)[1] == ["declined"]
    seeker = signin(world.seeker)
    page = seeker.get(f"/deals/{deal_id}").get_data(as_text=True)
    assert 'data-testid="post-refusal"' in page and "今月は手一杯です" in page
    assert 'id="message-form"' not in page
    with app.app_context():
        count = db.session.scalar(db.select(db.func.count()).select_from(db.select(Deal).subquery()))
    response = seeker.post(f"/deals/{deal_id}/messages", data={"body": "それでもお願いします"}, follow_redirects=True)
    assert "お断りしたため" in response.get_data(as_text=True)
    with app.app_context():
        deal = db.session.get(Deal, deal_id)
        assert all(m.is_event for m in deal.messages)
        assert db.session.scalar(db.select(db.func.count()).select_from(db.select(Deal).subquery())) == count
    # The factory that declined no longer reads (or writes in) the thread.
    page = factory.get(f"/deals/{deal_id}").get_data(as_text=True)
    assert 'data-testid="thread"' not in page
    assert factory.post(f"/deals/{deal_id}/messages", data={"body": "x"}).status_code == 404


def test_answering_twice_and_wrong_status_moves_are_refused(app, world, open_deal, signin):
    deal_id, step_id = open_deal
    factory = accept(signin, world, deal_id, step_id)
    again = factory.post(f"/deals/{deal_id}/steps/{step_id}/answer", data={"decision": "decline", "reason": "x"},
                         follow_redirects=True)
    assert "すでに回答" in again.get_data(as_text=True)
    factory.post(f"/deals/{deal_id}/steps/{step_id}/status", data={"status": "delivered"})
    assert _deal(app, deal_id)[1] == ["accepted"]
    assert factory.post(f"/deals/{deal_id}/steps/{step_id}/status", data={"status": "bogus"}).status_code == 302
    assert _deal(app, deal_id)[1] == ["accepted"]
    # The requester cannot move the factory's step, nor answer for it.
    seeker = signin(world.seeker)
    assert seeker.post(f"/deals/{deal_id}/steps/{step_id}/status", data={"status": "in_progress"}).status_code == 403
    assert seeker.post(f"/deals/{deal_id}/steps/{step_id}/answer", data={"decision": "accept"}).status_code == 403


def test_abandoning_needs_a_reason_and_does_not_count(app, world, open_deal, signin):
    from hub.deals.kpis import indicators

    deal_id, step_id = open_deal
    seeker = signin(world.seeker)
    # Without an accepted step, only "abandoned" is possible.
    seeker.post(f"/deals/{deal_id}/close", data={"outcome": "joint_order"})
    assert _deal(app, deal_id)[0].status == "open"
    seeker.post(f"/deals/{deal_id}/close", data={"outcome": "abandoned"})
    assert _deal(app, deal_id)[0].status == "open"
    seeker.post(f"/deals/{deal_id}/close", data={"outcome": "abandoned", "reason": "予算が合わなかった"})
    deal, statuses = _deal(app, deal_id)
    assert deal.outcome == "abandoned" and statuses == ["withdrawn"]
    with app.app_context():
        assert indicators(deal.closed_at.year)["joint_projects_formed"] == 0
    # Nobody worked together, so there is nobody to rate.
    response = seeker.post(f"/deals/{deal_id}/ratings", data={"target": f"f:{world.factory}", "quality": "1",
                                                               "delivery": "1", "communication": "1"})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(DealRating.id))) == 0


def test_withdrawing_an_unanswered_inquiry(app, world, open_deal, signin):
    deal_id, step_id = open_deal
    assert signin(world.factory_user).post(f"/deals/{deal_id}/steps/{step_id}/withdraw").status_code == 403
    assert signin(world.seeker).post(f"/deals/{deal_id}/steps/{step_id}/withdraw").status_code == 302
    assert _deal(app, deal_id)[1] == ["withdrawn"]


def test_asking_the_same_factory_twice_is_refused(app, world, open_deal, signin):
    seeker = signin(world.seeker)
    response = seeker.post(f"/deals/inquiries/new?need={world.need}&factory={world.factory}",
                           data={"message": "もう一度"})
    assert response.status_code == 200 and "すでにこの工場" in response.get_data(as_text=True)


def test_partner_request_only_from_members_of_the_asking_factory(app, world, signin):
    url = f"/deals/inquiries/new?factory={world.other_factory}&process=anodizing&from_factory={world.factory}"
    assert signin(world.seeker).get(url).status_code == 403
    assert signin(world.other_factory_user).get(url).status_code == 403
    member = signin(world.factory_user)
    page = member.get(url).get_data(as_text=True)
    assert "仲間まわし" in page and "アルマイト" in page
    response = member.post(url, data={"message": "黒アルマイト 50個お願いできますか"})
    assert response.status_code == 302
    deal_id = int(response.headers["Location"].rsplit("/", 1)[1])
    deal, statuses = _deal(app, deal_id)
    assert deal.kind == "partner_step" and deal.requester_factory_id == world.factory and statuses == ["requested"]
    with app.app_context():
        assert db.session.get(Deal, deal_id).steps[0].process_code == "anodizing"
    # Unknown process codes are refused; a factory cannot ask itself.
    bad = member.post(f"/deals/inquiries/new?factory={world.other_factory}&process=nonsense&from_factory="
                      f"{world.factory}", data={"message": "x"})
    assert bad.status_code == 200 and "invalid-feedback" in bad.get_data(as_text=True)
    own = member.post(f"/deals/inquiries/new?factory={world.factory}", data={"message": "x"})
    assert own.status_code == 200 and "自分の工場" in own.get_data(as_text=True)


def test_chain_sends_one_request_per_step(app, world, make_factory, fast_user, signin):
    third = make_factory(name="研削の森", processes=["円筒研削"])
    third_user = fast_user("factory", factory=third)
    seeker = signin(world.seeker)
    response = seeker.post("/deals/chains", data={
        "need": str(world.need),
        "steps-0-process": "milling", "steps-0-factory": str(world.factory), "steps-0-input": "フライス",
        "steps-1-process": "anodizing", "steps-1-factory": str(world.other_factory), "steps-1-input": "黒アルマイト",
        "steps-2-process": "grinding", "steps-2-factory": str(third), "steps-2-input": "研削",
    })
    assert response.status_code == 302 and "/deals/chains/drafts/" in response.headers["Location"]
    compose = response.headers["Location"]
    response = seeker.post(compose, data={"steps-0-factory": str(world.factory), "steps-1-factory":
                                          str(world.other_factory), "steps-2-factory": str(third)})
    response = seeker.post(response.headers["Location"].replace("/review", "/send"))
    deal_id = int(response.headers["Location"].rsplit("/", 1)[1])
    deal, statuses = _deal(app, deal_id)
    assert deal.kind == "chain" and statuses == ["requested"] * 3
    with app.app_context():
        notified = set(db.session.scalars(db.select(Notification.user_id).where(Notification.deal_id == deal_id)))
        assert notified == {world.factory_user, world.other_factory_user, third_user}
    # Every factory in the chain sees the route: every step's factory, process and status.
    page = signin(third_user).get(f"/deals/{deal_id}").get_data(as_text=True)
    assert "蒲田精密" in page and "墨田メッキ" in page and "黒アルマイト" in page
    # Bad plans are refused without a 5xx.
    for data in ({}, {"steps-0-factory": str(world.factory), "steps-0-process": "nonsense"},
                 {f"steps-{i}-factory": str(world.factory) for i in range(13)}):
        response = seeker.post("/deals/chains", data=data)
        assert response.status_code == 302 and response.headers["Location"].endswith("/deals/")
    # An unknown factory is dropped: the step stays, unsent, in the composer.
    response = seeker.post("/deals/chains", data={"steps-0-factory": "999999", "steps-0-process": "milling"})
    assert "/deals/chains/drafts/" in response.headers["Location"]
    assert seeker.post("/deals/chains", data={"need": "12345678", "steps-0-factory": str(world.factory)}
                       ).status_code == 404


def test_inbox_lists_sent_and_received_with_unread_counts(app, world, open_deal, signin):
    deal_id, _step = open_deal
    factory = signin(world.factory_user)
    html = factory.get("/deals/").get_data(as_text=True)
    assert "アルミ筐体 50個" in html and "件の新着" in html
    assert 'data-testid="deals-unread"' in html
    factory.get(f"/deals/{deal_id}")
    html = factory.get("/deals/?box=received").get_data(as_text=True)
    assert "件の新着" not in html and "アルミ筐体 50個" in html
    assert "アルミ筐体" not in factory.get("/deals/?box=sent").get_data(as_text=True)
    assert "アルミ筐体" in signin(world.seeker).get("/deals/?box=sent&status=open").get_data(as_text=True)
    assert "アルミ筐体" not in signin(world.seeker).get("/deals/?status=closed").get_data(as_text=True)
    empty = signin(world.stranger).get("/deals/?box=nonsense&status=zzz&page=abc")
    assert empty.status_code == 200 and 'data-testid="empty-state"' in empty.get_data(as_text=True)


def test_instant_emails_go_out_for_inquiries_and_answers(app, world, open_deal, signin):
    deal_id, step_id = open_deal
    accept(signin, world, deal_id, step_id)
    with app.app_context():
        factory_mail = db.session.scalars(db.select(EmailMessage).where(EmailMessage.kind == "deals_inquiry")).all()
        answer_mail = db.session.scalars(db.select(EmailMessage).where(EmailMessage.kind == "deals_answer")).all()
        assert len(factory_mail) == 1 and "アルミ筐体 50個" in factory_mail[0].subject
        assert f"/deals/{deal_id}" in factory_mail[0].body_text
        assert len(answer_mail) == 1 and "蒲田精密" in answer_mail[0].subject
