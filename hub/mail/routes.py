"""The outbox page: organisers read what the hub sent (or would send, without SMTP)."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from hub.auth.decorators import roles_required
from hub.core.params import page_arg
from hub.extensions import db
from hub.mail.masking import mask_secrets
from hub.mail.models import EmailMessage

bp = Blueprint("mail", __name__, url_prefix="/organiser/outbox")
bp.add_app_template_filter(mask_secrets, "mask_secrets")


@bp.route("/")
@roles_required("organiser")
def outbox():
    """Every email the hub wrote, newest first (organisers only)."""
    query = db.select(EmailMessage).order_by(EmailMessage.id.desc())
    recipient = (request.args.get("to") or "").strip()[:254]
    if recipient:
        query = query.where(EmailMessage.recipient == recipient.lower())
    page = db.paginate(query, page=page_arg(), per_page=50, max_per_page=200, error_out=False)
    return render_template("mail/outbox.html", page=page, recipient=recipient)


@bp.route("/<int:message_id>")
@roles_required("organiser")
def message(message_id: int):
    """One email as it was written, with the secrets in its links masked (organisers only)."""
    row = db.get_or_404(EmailMessage, message_id)
    return render_template("mail/message.html", message=row)
