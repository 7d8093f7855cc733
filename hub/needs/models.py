"""A posted need and its drawings."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hub.core.files import StoredDocumentMixin
from hub.core.statuses import check_in, values
from hub.core.timeutil import utcnow
from hub.extensions import db

KINDS = ("fabrication", "co_development", "student_project")
BUDGET_BANDS = ("undecided", "under_100k", "100k_500k", "500k_2m", "2m_10m", "over_10m")
VISIBILITIES = ("public", "members", "private")  # everyone / signed-in users / owner and organisers


class NeedStatus(StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    CLOSED = "closed"


STATUSES = values(NeedStatus)
ATTACHMENT_ACCESS = ("private", "factories", "granted")  # owner only / any factory member / chosen factories


class Need(db.Model):
    """What someone wants made or developed, in their own words."""

    __tablename__ = "needs"
    __table_args__ = (check_in("status", NeedStatus),)

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str | None] = mapped_column(String(100), unique=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    processes: Mapped[list] = mapped_column(JSON, default=list)
    materials: Mapped[list] = mapped_column(JSON, default=list)
    quantity: Mapped[int | None]
    deadline: Mapped[date | None]
    budget_band: Mapped[str] = mapped_column(String(20), default="undecided")
    kind: Mapped[str] = mapped_column(String(20), default="fabrication")
    visibility: Mapped[str] = mapped_column(String(10), default="public", index=True)
    status: Mapped[str] = mapped_column(String(12), default=NeedStatus.OPEN, index=True)
    attachment_access: Mapped[str] = mapped_column(String(10), default="private")
    language: Mapped[str] = mapped_column(String(5), default="ja")
    ward: Mapped[str | None] = mapped_column(String(30))  # where the work should happen, for distances
    # The seeker's correction of how the hub read the need: {"removed": [process codes], "added": [process codes]}.
    reading: Mapped[dict | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    owner = relationship("User")
    attachments: Mapped[list[NeedAttachment]] = relationship(
        back_populates="need", cascade="all, delete-orphan", order_by="NeedAttachment.id"
    )
    grants: Mapped[list[NeedGrant]] = relationship(back_populates="need", cascade="all, delete-orphan")

    def reading_codes(self, key: str) -> list[str]:
        """The seeker's correction of the reading: ``key`` is "removed" or "added" (process codes)."""
        values = (self.reading or {}).get(key) if isinstance(self.reading, dict) else None
        return [c for c in values if isinstance(c, str)] if isinstance(values, list) else []


class NeedAttachment(StoredDocumentMixin, db.Model):
    """A drawing (PDF, image or STEP), checked by content and stored outside ``static/``."""

    __tablename__ = "need_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    need_id: Mapped[int] = mapped_column(ForeignKey("needs.id", ondelete="CASCADE"), index=True)

    need: Mapped[Need] = relationship(back_populates="attachments")


class NeedGrant(db.Model):
    """A factory the need's owner allowed to see the drawings."""

    __tablename__ = "need_grants"
    __table_args__ = (UniqueConstraint("need_id", "factory_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    need_id: Mapped[int] = mapped_column(ForeignKey("needs.id", ondelete="CASCADE"), index=True)
    factory_id: Mapped[int] = mapped_column(ForeignKey("factories.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    need: Mapped[Need] = relationship(back_populates="grants")
    factory = relationship("Factory")
