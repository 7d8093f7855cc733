"""Demo deals: two inquiries waiting for an answer and one open deal in progress between demo accounts.

Idempotent: a deal is keyed by its need and the factory asked. Rows are written directly (not through the
services) so that loading the demo does not fill the outbox with notification emails.
"""

from __future__ import annotations

from datetime import date, timedelta

from hub.auth.models import User
from hub.auth.services import find_user
from hub.core.timeutil import utcnow
from hub.deals.models import Deal, DealMessage, DealStep, Notification
from hub.extensions import db
from hub.factories.models import Factory
from hub.needs.models import Need

DEMO = (
    # need external id, factory external id, requester email, step status, message
    ("demo-need-01", "demo-ota-001", "seeker@example.jp", "in_progress",
     "はじめまして。IoTセンサー用のアルミ筐体（A5052、約80×50×25mm）を20個試作したいと考えています。"
     "切削のあと黒アルマイトまでお願いできますでしょうか。図面はPDFでお送りできます。"),
    ("demo-need-13", "demo-ota-002", "seeker@example.jp", "requested",
     "海沿いの設備に付けるステンレス（SUS316L）のブラケットを200個お願いしたく、お見積もりは可能でしょうか。"),
    ("demo-need-02", "demo-sumida-001", "designer@example.jp", "requested",
     "継ぎ目のないステンレスのカップを試作したいです。へら絞りか深絞りでご相談できますか。"),
)

CONVERSATION = (
    ("factory", "ご連絡ありがとうございます。A5052の削り出しと黒アルマイト（協力工場）で対応できます。"
                "図面をお送りいただけますか。"),
    ("requester", "ありがとうございます。本日中に図面をお送りします。納期は来月末を希望しています。"),
    ("factory", "図面を拝見しました。来月20日頃の納品で進めます。加工を始めました。"),
)


def load(result) -> None:
    created = 0
    for need_ext, factory_ext, email, status, message in DEMO:
        need = db.session.scalar(db.select(Need).where(Need.external_id == need_ext))
        factory = db.session.scalar(db.select(Factory).where(Factory.external_id == factory_ext))
        requester = find_user(email)
        if need is None or factory is None or requester is None:
            continue
        exists = db.session.scalar(db.select(Deal.id).join(DealStep).where(
            Deal.need_id == need.id, DealStep.factory_id == factory.id))
        if exists:
            continue
        members = db.session.scalars(db.select(User).where(
            User.organisation_id == factory.organisation_id, User.role == "factory")).all() \
            if factory.organisation_id else []
        now = utcnow()
        deal = Deal(kind="inquiry", title=need.title[:200], need_id=need.id, requester_id=requester.id,
                    created_at=now - timedelta(days=6), updated_at=now - timedelta(days=1))
        step = DealStep(position=1, factory_id=factory.id, message=message, quantity=need.quantity,
                        due_date=need.deadline or date.today() + timedelta(days=45), status=status,
                        created_at=deal.created_at, updated_at=deal.updated_at)
        deal.steps.append(step)
        db.session.add(deal)
        db.session.flush()
        if status != "requested" and members:
            step.responded_by_id, step.responded_at = members[0].id, now - timedelta(days=5)
            step.factory_phone = "03-3700-0000"
            db.session.add(DealMessage(deal_id=deal.id, author_id=members[0].id, body=f"answer:accepted:{step.id}",
                                       is_event=True, created_at=now - timedelta(days=5)))
            for offset, (side, body) in enumerate(CONVERSATION):
                author = members[0] if side == "factory" else requester
                db.session.add(DealMessage(deal_id=deal.id, author_id=author.id, body=body,
                                           created_at=now - timedelta(days=4 - offset)))
            db.session.add(DealMessage(deal_id=deal.id, author_id=members[0].id,
                                       body=f"status:in_progress:{step.id}", is_event=True,
                                       created_at=now - timedelta(days=1)))
        for member in members if status == "requested" else ():
            db.session.add(Notification(user_id=member.id, deal_id=deal.id, kind="inquiry", email_state="skipped",
                                        params={"deal_title": deal.title, "actor": requester.name,
                                                "factory": factory.name, "requester": requester.name}))
        created += 1
    db.session.flush()
    result.extra["deals"] = created
