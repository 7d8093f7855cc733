"""The outbox: every email the hub sends, with its delivery state."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from hub.core.timeutil import utcnow
from hub.extensions import db

STATUS_QUEUED = "queued"  # waiting for SMTP (or no SMTP configured: read in the site's outbox)
STATUS_SENT = "sent"
STATUS_FAILED = "failed"  # gave up after MAX_ATTEMPTS


class EmailMessage(db.Model):
    """One outgoing email. Kept after sending so organisers can see what went out."""

    __tablename__ = "email_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(String(254), index=True)
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    locale: Mapped[str] = mapped_column(String(5))
    kind: Mapped[str] = mapped_column(String(50), index=True)
    status: Mapped[str] = mapped_column(String(10), default=STATUS_QUEUED, index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
