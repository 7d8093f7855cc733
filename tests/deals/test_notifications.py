"""Notifications: in the site, by email as each person chooses, digests instead of floods, both languages, and an
SMTP server that fails does not lose a message."""

from __future__ import annotations

import socketserver
import threading

import pytest

from hub.auth.models import User
from hub.deals import services
from hub.deals.models import Deal, Notification, NotificationPreference
from hub.extensions import db
from hub.mail.models import EmailMessage
from tests.deals.conftest import accept


def _mails(app, kind=None, recipient=None):
    with app.app_context():
        query = db.select(EmailMessage).order_by(EmailMessage.id)
        if kind:
            query = query.where(EmailMessage.kind == kind)
        if recipient:
            query = query.where(EmailMessage.recipient == recipient)
        return db.session.scalars(query).all()


def _email(app, user_id):
    with app.app_context():
        return db.session.get(User, user_id).email


def test_messages_wait_for_the_digest_by_default(app, runner, world, open_deal, signin):
    deal_id, step_id = open_deal
    accept(signin, world, deal_id, step_id)
    factory = signin(world.factory_user)
    for text in ("一通目", "二通目", "三通目"):
        factory.post(f"/deals/{deal_id}/messages", data={"body": text})
    seeker_email = _email(app, world.seeker)
    assert _mails(app, "deals_message") == []  # no flood: three messages, no instant email
    with app.app_context():
        pending = db.session.scalar(db.select(db.func.count(Notification.id)).where(
            Notification.user_id == world.seeker, Notification.email_state == "pending"))
        assert pending == 3
    result = runner.invoke(args=["deals-send-digests"])
    assert result.exit_code == 0 and "digests queued=1" in result.output
    digests = _mails(app, "deals_digest", seeker_email)
    assert len(digests) == 1
    assert "3件" in digests[0].subject and digests[0].body_text.count("新しいメッセージ") == 3
    assert f"/deals/{deal_id}" in digests[0].body_text
    again = runner.invoke(args=["deals-send-digests"])
    assert "digests queued=0" in again.output and len(_mails(app, "deals_digest", seeker_email)) == 1


def test_each_person_chooses_their_emails(app, world, signin):
    factory = signin(world.factory_user)
    page = factory.get("/deals/notifications/preferences").get_data(as_text=True)
    assert "すぐにメールで受け取る" in page
    assert factory.post("/deals/notifications/preferences", data={
        "inquiry": "none", "answer": "instant", "message": "instant", "status": "none", "outcome": "digest",
    }).status_code == 302
    bad = factory.post("/deals/notifications/preferences", data={"inquiry": "spam", "answer": "instant",
                                                                  "message": "instant", "status": "none",
                                                                  "outcome": "digest"})
    assert bad.status_code == 200 and "invalid-feedback" in bad.get_data(as_text=True)
    with app.app_context():
        pref = db.session.get(NotificationPreference, world.factory_user)
        assert (pref.inquiry, pref.message) == ("none", "instant")
    seeker = signin(world.seeker)
    seeker.post(f"/deals/inquiries/new?need={world.need}&factory={world.factory}", data={"message": "よろしく"})
    assert _mails(app, "deals_inquiry") == []  # they chose no inquiry emails …
    with app.app_context():  # … but the site still tells them
        note = db.session.scalar(db.select(Notification).where(Notification.user_id == world.factory_user))
        assert note.kind == "inquiry" and note.email_state == "skipped" and note.read_at is None
    page = factory.get("/deals/notifications").get_data(as_text=True)
    assert "佐藤 彩 さんから新しい問い合わせ" in page
    factory.post("/deals/notifications/read")
    with app.app_context():
        assert db.session.get(Notification, note.id).read_at is not None


@pytest.mark.parametrize("locale", ["ja", "en"])
def test_emails_in_the_recipients_language(app, world, open_deal, signin, locale):
    with app.app_context():
        db.session.get(User, world.seeker).locale = locale
        db.session.commit()
    deal_id, step_id = open_deal
    factory = signin(world.factory_user)
    factory.post(f"/deals/{deal_id}/steps/{step_id}/answer",
                 data={"decision": "decline", "reason": "設備が空いていません"})
    answer = _mails(app, "deals_answer")[-1]
    assert answer.locale == locale and "設備が空いていません" in answer.body_text
    if locale == "ja":
        assert answer.subject == "蒲田精密 が問い合わせをお断りしました" and "佐藤 彩 様" in answer.body_text
    else:
        assert answer.subject == "蒲田精密 declined your inquiry" and "Hello 佐藤 彩," in answer.body_text
        assert "Their reason" in answer.body_text


def test_every_deal_email_exists_in_both_languages(app, world, open_deal):
    deal_id, _step = open_deal
    with app.test_request_context():
        user = db.session.get(User, world.seeker)
        deal = db.session.get(Deal, deal_id)
        note = Notification(user_id=user.id, deal_id=deal_id, kind="message",
                            params={"deal_title": deal.title, "actor": "高橋"})
        params = {"deal_title": deal.title, "actor": "高橋 健一", "factory": "蒲田精密", "status": "in_progress",
                  "reason": "満杯", "excerpt": "こんにちは", "files": 1, "outcome": "joint_development",
                  "requester": "佐藤"}
        from hub.mail.services import queue_email

        for kind in ("inquiry", "answer", "message", "status", "outcome", "digest"):
            made = {}
            for lang in ("ja", "en"):
                made[lang] = queue_email(user.email, f"deals_{kind}", lang, template=f"deals/mail/{kind}.txt",
                                         user=user, params=params, notes=[(note, "http://x/deals/1")], link="http://x")
            ja, en = made["ja"], made["en"]
            assert ja.subject and en.subject and ja.subject != en.subject, kind
            assert ja.body_text != en.body_text, kind
            assert any("\u3040" <= ch <= "\u30ff" for ch in ja.subject + ja.body_text), kind
            assert "町工場共創ハブ" in ja.body_text and "Machi-Koba Co-Creation Hub" in en.body_text, kind
            english_words = en.subject.replace(deal.title, "").replace("蒲田精密", "")
            assert all(not ("\u3040" <= ch <= "\u30ff") for ch in english_words), kind
        db.session.rollback()


class _SMTPHandler(socketserver.StreamRequestHandler):
    """Just enough SMTP: greets, then either refuses MAIL (451), hangs up, or accepts and records the message."""

    def handle(self):
        server = self.server
        if server.mode == "hangup":
            return
        self.wfile.write(b"220 test ESMTP\r\n")
        while True:
            line = self.rfile.readline()
            if not line:
                return
            command = line.decode("latin-1").strip().upper()
            if command.startswith(("EHLO", "HELO")):
                self.wfile.write(b"250 test\r\n")
            elif command.startswith("MAIL"):
                if server.mode == "refuse":
                    self.wfile.write(b"451 4.3.0 try again later\r\n")
                else:
                    self.wfile.write(b"250 ok\r\n")
            elif command.startswith(("RCPT", "RSET", "NOOP")):
                self.wfile.write(b"250 ok\r\n")
            elif command == "DATA":
                self.wfile.write(b"354 go ahead\r\n")
                data = b""
                while not data.endswith(b"\r\n.\r\n"):
                    chunk = self.rfile.readline()
                    if not chunk:
                        return
                    data += chunk
                server.received.append(data)
                self.wfile.write(b"250 queued\r\n")
            elif command == "QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            else:
                self.wfile.write(b"502 no\r\n")


@pytest.fixture
def smtp_server():
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _SMTPHandler)
    server.daemon_threads = True
    server.mode, server.received = "refuse", []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("failure", ["refuse", "hangup"])
def test_an_smtp_failure_keeps_the_message_queued_and_it_is_sent_on_retry(
        make_app, world, signin, smtp_server, failure):
    from tests.conftest import PASSWORD

    smtp_server.mode = failure
    app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.server_address[1], MAIL_USE_TLS=False,
                   MAIL_TIMEOUT=5, RATELIMIT_ENABLED=False)
    client = app.test_client()
    with app.app_context():
        email = db.session.get(User, world.seeker).email
        factory_email = db.session.scalar(db.select(User.email).where(User.id == world.factory_user))
    assert client.post("/auth/login", data={"email": email, "password": PASSWORD}).status_code == 302
    response = client.post(f"/deals/inquiries/new?need={world.need}&factory={world.factory}",
                           data={"message": "SMTPが落ちていても届きますか"})
    assert response.status_code == 302  # the user's action succeeds although the mail server failed
    with app.app_context():
        message = db.session.scalar(db.select(EmailMessage).where(EmailMessage.kind == "deals_inquiry"))
        assert message.status == "queued" and message.attempts == 1 and message.last_error
        assert message.recipient == factory_email
        message_id = message.id
    assert smtp_server.received == []
    smtp_server.mode = "accept"
    with app.app_context():
        from hub.mail.services import deliver_pending

        sent, failed = deliver_pending()
        message = db.session.get(EmailMessage, message_id)
        assert (sent, failed) == (1, 0) and message.status == "sent" and message.attempts == 2
    assert len(smtp_server.received) == 1 and factory_email.encode() in smtp_server.received[0]


def test_unread_badge_in_the_navbar(app, world, open_deal, signin):
    factory = signin(world.factory_user)
    html = factory.get("/").get_data(as_text=True)
    assert 'data-testid="deals-unread"' in html and ">1<" in html.split('data-testid="deals-unread"')[1][:80]
    factory.get(f"/deals/{open_deal[0]}")
    assert 'data-testid="deals-unread"' not in factory.get("/").get_data(as_text=True)


def test_digest_skips_nothing_and_marks_sent(app, world, open_deal):
    with app.test_request_context():
        assert services.send_digests() == 0  # the inquiry email went out instantly
        note = Notification(user_id=world.seeker, deal_id=open_deal[0], kind="status",
                            params={"deal_title": "x", "factory": "蒲田精密", "status": "delivered"},
                            email_state="pending")
        db.session.add(note)
        db.session.flush()
        assert services.send_digests() == 1
        assert note.email_state == "sent"
        db.session.rollback()
