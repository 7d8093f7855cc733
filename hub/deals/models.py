"""Deals: inquiries (one step per factory), the shared thread, outcomes, ratings, notifications and abuse controls."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hub.core.files import StoredDocumentMixin
from hub.core.statuses import check_in, values
from hub.core.timeutil import utcnow
from hub.extensions import db

DEAL_KINDS = ("inquiry", "partner_step", "chain")  # need owner → factory / factory → partner / chain plan


class DealStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class StepStatus(StrEnum):
    """A step's life: requested → accepted → in_progress → delivered; or declined (by the factory) / withdrawn."""

    REQUESTED = "requested"
    ACCEPTED = "accepted"
    IN_PROGRESS = "in_progress"
    DELIVERED = "delivered"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"


class ReportStatus(StrEnum):
    OPEN = "open"
    RESOLVED = "resolved"


class EmailState(StrEnum):
    """Whether a notification's email went out: waiting (instant or digest), sent, or not wanted."""

    PENDING = "pending"
    SENT = "sent"
    SKIPPED = "skipped"


DEAL_STATUSES = values(DealStatus)
OUTCOMES = ("joint_order", "joint_development", "abandoned")
STEP_STATUSES = values(StepStatus)
ACTIVE_STEP_STATUSES = (StepStatus.REQUESTED, StepStatus.ACCEPTED, StepStatus.IN_PROGRESS, StepStatus.DELIVERED)
ACCEPTED_STEP_STATUSES = (StepStatus.ACCEPTED, StepStatus.IN_PROGRESS, StepStatus.DELIVERED)
NOTIFICATION_KINDS = ("inquiry", "answer", "message", "status", "outcome")
EMAIL_MODES = ("instant", "digest", "none")


class Deal(db.Model):
    """A job between a requester (a need owner, or a factory asking partners) and one or more factories."""

    __tablename__ = "deals"
    __table_args__ = (check_in("status", DealStatus),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), default="inquiry")
    title: Mapped[str] = mapped_column(String(200))
    need_id: Mapped[int | None] = mapped_column(ForeignKey("needs.id", ondelete="SET NULL"), index=True)
    requester_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    # Set when a factory asks partners (nakama-mawashi): every member of that factory is on the requesting side.
    requester_factory_id: Mapped[int | None] = mapped_column(ForeignKey("factories.id"), index=True)
    requester_phone: Mapped[str | None] = mapped_column(String(40))  # revealed only after acceptance
    status: Mapped[str] = mapped_column(String(10), default=DealStatus.OPEN, index=True)
    outcome: Mapped[str | None] = mapped_column(String(20), index=True)
    outcome_reason: Mapped[str | None] = mapped_column(String(1000))
    closed_at: Mapped[datetime | None] = mapped_column(index=True)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    need = relationship("Need")
    requester = relationship("User", foreign_keys=[requester_id])
    requester_factory = relationship("Factory", foreign_keys=[requester_factory_id])
    closed_by = relationship("User", foreign_keys=[closed_by_id])
    # A re-routed step keeps its position: the declined request first, then the one sent to the next candidate.
    steps: Mapped[list[DealStep]] = relationship(back_populates="deal", cascade="all, delete-orphan",
                                                 order_by="[DealStep.position, DealStep.id]")
    messages: Mapped[list[DealMessage]] = relationship(back_populates="deal", cascade="all, delete-orphan",
                                                       order_by="DealMessage.id")
    ratings: Mapped[list[DealRating]] = relationship(back_populates="deal", cascade="all, delete-orphan")


class DealStep(db.Model):
    """One factory's part of a deal: the inquiry it received, its answer and where the work stands."""

    __tablename__ = "deal_steps"
    __table_args__ = (check_in("status", StepStatus),)

    id: Mapped[int] = mapped_column(primary_key=True)
    deal_id: Mapped[int] = mapped_column(ForeignKey("deals.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=1)
    factory_id: Mapped[int] = mapped_column(ForeignKey("factories.id"), index=True)
    process_code: Mapped[str | None] = mapped_column(String(60))
    input_text: Mapped[str | None] = mapped_column(String(200))  # the step as the requester wrote it
    message: Mapped[str] = mapped_column(Text, default="")
    quantity: Mapped[int | None]
    due_date: Mapped[date | None]
    material: Mapped[str | None] = mapped_column(String(200))  # what the requester asked the step to be made of
    # Other factories the chain planner found for this step, best first: offered when the step is declined.
    candidates: Mapped[list | None] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(12), default=StepStatus.REQUESTED, index=True)
    decline_reason: Mapped[str | None] = mapped_column(String(1000))
    factory_phone: Mapped[str | None] = mapped_column(String(40))  # revealed only after acceptance
    responded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    responded_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    deal: Mapped[Deal] = relationship(back_populates="steps")
    factory = relationship("Factory")
    drawings: Mapped[list[DealAttachment]] = relationship(order_by="DealAttachment.id", viewonly=True)


class DealMessage(db.Model):
    """A message in the deal's shared thread (``is_event``: a line the hub wrote, e.g. a status change)."""

    __tablename__ = "deal_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    deal_id: Mapped[int] = mapped_column(ForeignKey("deals.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(Text, default="")
    is_event: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    deal: Mapped[Deal] = relationship(back_populates="messages")
    author = relationship("User")
    attachments: Mapped[list[DealAttachment]] = relationship(back_populates="message",
                                                             order_by="DealAttachment.id")


class DealAttachment(StoredDocumentMixin, db.Model):
    """A drawing or document shared in a deal: checked by content, served only to the deal's participants."""

    __tablename__ = "deal_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    deal_id: Mapped[int] = mapped_column(ForeignKey("deals.id", ondelete="CASCADE"), index=True)
    message_id: Mapped[int | None] = mapped_column(ForeignKey("deal_messages.id", ondelete="CASCADE"), index=True)
    # A drawing sent with one step's request (not in the thread): only the requester and that step's factory see it.
    step_id: Mapped[int | None] = mapped_column(ForeignKey("deal_steps.id", ondelete="CASCADE"), index=True)
    uploader_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    message: Mapped[DealMessage | None] = relationship(back_populates="attachments")


class DealRating(db.Model):
    """One side's rating of the other after a deal closed (1–5 on quality, delivery and communication).

    ``rater_key`` / ``target_key`` name a side: ``f:<factory id>`` or ``u:<user id>``; one rating per pair.
    """

    __tablename__ = "deal_ratings"
    __table_args__ = (UniqueConstraint("deal_id", "rater_key", "target_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    deal_id: Mapped[int] = mapped_column(ForeignKey("deals.id", ondelete="CASCADE"), index=True)
    rater_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    rater_key: Mapped[str] = mapped_column(String(30))
    target_key: Mapped[str] = mapped_column(String(30), index=True)
    target_factory_id: Mapped[int | None] = mapped_column(ForeignKey("factories.id"), index=True)
    target_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    quality: Mapped[int]
    delivery: Mapped[int]
    communication: Mapped[int]
    comment: Mapped[str | None] = mapped_column(String(1000))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    deal: Mapped[Deal] = relationship(back_populates="ratings")


class Notification(db.Model):
    """Something a person should know about a deal; shown in the site and emailed per their preferences."""

    __tablename__ = "deal_notifications"
    __table_args__ = (Index("ix_deal_notifications_user_read", "user_id", "read_at"),
                      check_in("email_state", EmailState))

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    deal_id: Mapped[int | None] = mapped_column(ForeignKey("deals.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    email_state: Mapped[str] = mapped_column(String(10), default=EmailState.PENDING, index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]

    deal = relationship("Deal")
    user = relationship("User")


class NotificationPreference(db.Model):
    """Which deal emails a person gets: instantly, bundled in a digest, or none."""

    __tablename__ = "deal_notification_preferences"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    inquiry: Mapped[str] = mapped_column(String(10), default="instant")
    answer: Mapped[str] = mapped_column(String(10), default="instant")
    message: Mapped[str] = mapped_column(String(10), default="digest")
    status: Mapped[str] = mapped_column(String(10), default="digest")
    outcome: Mapped[str] = mapped_column(String(10), default="instant")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class Block(db.Model):
    """A person refuses further messages and inquiries from another person (or from every member of a factory)."""

    __tablename__ = "deal_blocks"
    __table_args__ = (UniqueConstraint("blocker_id", "target_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    blocker_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    target_key: Mapped[str] = mapped_column(String(30), index=True)  # f:<factory id> or u:<user id>
    deal_id: Mapped[int | None] = mapped_column(ForeignKey("deals.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class DealReport(db.Model):
    """A participant's report of a conversation, for the organisers to review."""

    __tablename__ = "deal_reports"
    __table_args__ = (check_in("status", ReportStatus),)

    id: Mapped[int] = mapped_column(primary_key=True)
    deal_id: Mapped[int] = mapped_column(ForeignKey("deals.id", ondelete="CASCADE"), index=True)
    reporter_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(String(2000))
    status: Mapped[str] = mapped_column(String(10), default=ReportStatus.OPEN, index=True)
    resolution: Mapped[str | None] = mapped_column(String(1000))
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    resolved_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    deal = relationship("Deal")
    reporter = relationship("User", foreign_keys=[reporter_id])


from hub.deals.chain_models import ChainDraft, ChainDraftFile  # noqa: E402  (the chain composer's drafts)

__all__ = ["ChainDraft", "ChainDraftFile",
           "DealStatus", "StepStatus", "ReportStatus", "EmailState",
           "Deal", "DealStep", "DealMessage", "DealAttachment", "DealRating", "Notification",
           "NotificationPreference", "Block", "DealReport"]
