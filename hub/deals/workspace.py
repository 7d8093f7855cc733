"""A deal's workspace: the message thread with attachments, and the abuse controls (blocks, reports)."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from hub.auth.models import User
from hub.core import uploads
from hub.core.timeutil import utcnow
from hub.deals.models import (
    Block,
    Deal,
    DealAttachment,
    DealMessage,
    DealReport,
    ReportStatus,
)
from hub.deals.notifications import notify
from hub.deals.rules import (
    MAX_ATTACHMENTS_PER_MESSAGE,
    DealError,
    NotAllowed,
    can_read_thread,
    can_view,
    is_requester_side,
    my_steps,
    participants,
    post_refusal,
    requester_key,
    touch,
)
from hub.extensions import db

# --- the thread --------------------------------------------------------------------------------------------------

def post_message(actor: User, deal: Deal, body: str, files=()) -> DealMessage:
    """Write in the deal's thread, with up to five drawings (PDF, PNG, JPEG or STEP, checked by content)."""
    refusal = post_refusal(actor, deal)
    if refusal:
        raise DealError(refusal, 403)
    body = (body or "").strip()
    files = [f for f in files if f is not None and getattr(f, "filename", None)]
    if not body and not files:
        raise DealError(_("Please write a message or attach a file."), 400, "body")
    if len(files) > MAX_ATTACHMENTS_PER_MESSAGE:
        raise DealError(_("At most %(n)s files per message.", n=MAX_ATTACHMENTS_PER_MESSAGE), 400, "file")
    try:
        stored = uploads.save_attachments(files)  # all or nothing
    except uploads.UploadError as exc:
        raise DealError(str(exc), 400, "file") from None
    message = DealMessage(deal=deal, author_id=actor.id, author=actor, body=body[:20000])
    for saved in stored:
        message.attachments.append(DealAttachment(
            deal_id=deal.id, uploader_id=actor.id, original_name=saved.original_name,
            stored_name=saved.stored_name, content_type=saved.content_type, size_bytes=saved.size_bytes))
    db.session.add(message)
    touch(deal)
    db.session.flush()
    notify(participants(deal), deal, "message", actor,
           {"excerpt": body[:200], "files": len(stored)})
    return message


def can_open_attachment(user: User | None, attachment: DealAttachment) -> bool:
    """A file of the thread: whoever reads the thread. A drawing sent with one step's request: the requesting side
    and that step's factory (see :func:`hub.deals.chains.can_open_step_drawing`)."""
    deal = db.session.get(Deal, attachment.deal_id)
    if deal is None:
        return False
    if attachment.step_id is not None:
        from hub.deals.chains import can_open_step_drawing

        step = next((s for s in deal.steps if s.id == attachment.step_id), None)
        return step is not None and can_open_step_drawing(user, step)
    return can_read_thread(user, deal)



# --- abuse controls ----------------------------------------------------------------------------------------------

def block(actor: User, deal: Deal, target_key: str) -> Block:
    """Refuse further messages and inquiries from the other side of this deal."""
    if not can_view(actor, deal) or actor.is_organiser and not is_requester_side(actor, deal) \
            and not my_steps(actor, deal):
        raise NotAllowed()
    allowed = {f"f:{s.factory_id}" for s in deal.steps} if is_requester_side(actor, deal) else {requester_key(deal)}
    if target_key not in allowed:
        raise DealError(_("You cannot block this party."), 400, "target")
    existing = db.session.scalar(select(Block).where(Block.blocker_id == actor.id, Block.target_key == target_key))
    if existing:
        return existing
    row = Block(blocker_id=actor.id, target_key=target_key, deal_id=deal.id)
    db.session.add(row)
    db.session.flush()
    return row


def unblock(actor: User, target_key: str) -> None:
    row = db.session.scalar(select(Block).where(Block.blocker_id == actor.id, Block.target_key == target_key))
    if row is not None:
        db.session.delete(row)
        db.session.flush()


def blocked_keys(actor: User) -> set[str]:
    return set(db.session.scalars(select(Block.target_key).where(Block.blocker_id == actor.id)))


def report(actor: User, deal: Deal, reason: str) -> DealReport:
    """A participant asks the organisers to look at the conversation."""
    if not (is_requester_side(actor, deal) or my_steps(actor, deal)):
        raise NotAllowed()
    reason = (reason or "").strip()
    if not reason:
        raise DealError(_("Please say what is wrong."), 400, "reason")
    row = DealReport(deal_id=deal.id, reporter_id=actor.id, reason=reason[:2000])
    db.session.add(row)
    db.session.flush()
    return row


def resolve_report(actor: User, row: DealReport, resolution: str | None) -> DealReport:
    if not actor.is_organiser:
        raise NotAllowed()
    row.status, row.resolution = ReportStatus.RESOLVED, (resolution or "").strip()[:1000] or None
    row.resolved_by_id, row.resolved_at = actor.id, utcnow()
    db.session.flush()
    return row
