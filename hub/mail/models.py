"""The outbox: every email the hub sends, with its delivery state."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from hub.core.statuses import check_in
from hub.core.timeutil import utcnow
from hub.extensions import db


class EmailStatus(StrEnum):
    QUEUED = "queued"  # waiting for SMTP (or no SMTP configured: read in the site's outbox)
    SENT = "sent"
    FAILED = "failed"  # gave up after MAX_ATTEMPTS


STATUS_QUEUED = EmailStatus.QUEUED
STATUS_SENT = EmailStatus.SENT
STATUS_FAILED = EmailStatus.FAILED


class EmailMessage(db.Model):
    """One outgoing email. Kept after sending so organisers can see what went out."""

    __tablename__ = "email_messages"
    __table_args__ = (check_in("status", EmailStatus),)

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
