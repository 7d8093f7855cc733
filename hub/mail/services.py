"""Queue and deliver email. Services add and flush; the caller commits."""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage as MimeMessage
from email.utils import formatdate, make_msgid

from flask import current_app, render_template
from flask_babel import force_locale

from hub.core.timeutil import utcnow
from hub.extensions import db
from hub.mail.models import STATUS_FAILED, STATUS_QUEUED, STATUS_SENT, EmailMessage

MAX_ATTEMPTS = 5


def queue_email(recipient: str, kind: str, locale: str, template: str | None = None, **context) -> EmailMessage:
    """Render ``mail/<kind>.txt`` (or ``template``, e.g. ``events/mail/booking.txt``) in the recipient's language
    and put it in the outbox.

    The template's first line is the subject. Delivery happens in :func:`deliver_pending`
    (called after commit by the view, and by ``flask send-mail`` for retries).
    """
    locale = locale if locale in current_app.config["LANGUAGES"] else "ja"
    with force_locale(locale):
        rendered = render_template(template or f"mail/{kind}.txt", **context)
    subject, _, body = rendered.strip().partition("\n")
    message = EmailMessage(
        recipient=recipient, subject=subject.strip()[:300], body_text=body.strip() + "\n", locale=locale, kind=kind
    )
    db.session.add(message)
    db.session.flush()
    return message


def smtp_configured() -> bool:
    return bool(current_app.config.get("MAIL_SERVER"))


def _to_mime(message: EmailMessage) -> MimeMessage:
    mime = MimeMessage()
    mime["From"] = current_app.config["MAIL_DEFAULT_SENDER"]
    mime["To"] = message.recipient
    mime["Subject"] = message.subject
    mime["Date"] = formatdate(localtime=False)
    mime["Message-ID"] = make_msgid(domain="machikoba-hub")
    mime.set_content(message.body_text, charset="utf-8")
    return mime


def _connect() -> smtplib.SMTP:
    cfg = current_app.config
    timeout = cfg["MAIL_TIMEOUT"]
    if cfg["MAIL_USE_SSL"]:
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(cfg["MAIL_SERVER"], cfg["MAIL_PORT"], timeout=timeout,
                                              context=ssl.create_default_context())
    else:
        smtp = smtplib.SMTP(cfg["MAIL_SERVER"], cfg["MAIL_PORT"], timeout=timeout)
        if cfg["MAIL_USE_TLS"]:
            smtp.starttls(context=ssl.create_default_context())
    if cfg.get("MAIL_USERNAME"):
        smtp.login(cfg["MAIL_USERNAME"], cfg.get("MAIL_PASSWORD") or "")
    return smtp


def deliver_pending(limit: int = 100) -> tuple[int, int]:
    """Send queued messages over SMTP; failures stay queued (retried later) until MAX_ATTEMPTS.

    Without SMTP this does nothing: the outbox page is the delivery. Commits its own progress, so call it
    after the request's transaction is committed. Returns (sent, failed_now).
    """
    if not smtp_configured():
        return (0, 0)
    pending = db.session.scalars(
        db.select(EmailMessage).where(EmailMessage.status == STATUS_QUEUED).order_by(EmailMessage.id).limit(limit)
    ).all()
    if not pending:
        return (0, 0)
    sent = failed = 0
    try:
        smtp = _connect()
    except (OSError, smtplib.SMTPException) as exc:
        for message in pending:
            _record_failure(message, exc)
            failed += 1
        db.session.commit()
        return (0, failed)
    with smtp:
        for message in pending:
            try:
                smtp.send_message(_to_mime(message))
            except (OSError, smtplib.SMTPException) as exc:
                _record_failure(message, exc)
                failed += 1
            else:
                message.status = STATUS_SENT
                message.sent_at = utcnow()
                message.attempts += 1
                sent += 1
    db.session.commit()
    return (sent, failed)


def _record_failure(message: EmailMessage, exc: Exception) -> None:
    message.attempts += 1
    message.last_error = f"{type(exc).__name__}: {exc}"[:500]
    if message.attempts >= MAX_ATTEMPTS:
        message.status = STATUS_FAILED
    current_app.logger.warning("mail %s to %s failed: %s", message.id, message.recipient, exc)


def commit_and_deliver() -> None:
    """For views: commit the request's transaction, then send the emails it queued (never before the commit)."""
    db.session.commit()
    deliver_pending()
