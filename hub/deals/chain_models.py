"""The chain composer's drafts: what the requester is about to ask each factory of a planned chain, kept between
the composer, the review page and sending (so nothing typed or uploaded is lost on the way)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hub.core.files import StoredDocumentMixin
from hub.core.timeutil import utcnow
from hub.extensions import db


class ChainDraft(db.Model):
    """A chain request being composed by its requester; ``deal_id`` is set once it was sent.

    ``steps`` is a list of dicts, one per planned step, in order: ``process`` (taxonomy code), ``input`` (the
    step as the requester wrote it), ``factory_id`` (the chosen factory, None: not sent), ``candidates`` (factory
    ids the planner offered, best first, the chosen one included), and what is asked: ``quantity`` (int),
    ``due_date`` (ISO date), ``material`` and ``note``.
    """

    __tablename__ = "deal_chain_drafts"

    id: Mapped[int] = mapped_column(primary_key=True)
    requester_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    need_id: Mapped[int | None] = mapped_column(ForeignKey("needs.id", ondelete="SET NULL"), index=True)
    steps: Mapped[list] = mapped_column(JSON, default=list)
    phone: Mapped[str | None] = mapped_column(String(40))
    # Drawings of the need to share in the deal's thread (NeedAttachment ids).
    need_drawings: Mapped[list] = mapped_column(JSON, default=list)
    deal_id: Mapped[int | None] = mapped_column(ForeignKey("deals.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    need = relationship("Need")
    files: Mapped[list[ChainDraftFile]] = relationship(back_populates="draft", cascade="all, delete-orphan",
                                                       order_by="ChainDraftFile.id")

    def files_of(self, index: int) -> list[ChainDraftFile]:
        """The drawings uploaded for step ``index`` (0-based)."""
        return [f for f in self.files if f.step_index == index]


class ChainDraftFile(StoredDocumentMixin, db.Model):
    """A drawing uploaded in the composer for one step; it becomes that step's drawing when the chain is sent."""

    __tablename__ = "deal_chain_draft_files"
    upload_kind = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("deal_chain_drafts.id", ondelete="CASCADE"), index=True)
    step_index: Mapped[int] = mapped_column(default=0)

    draft: Mapped[ChainDraft] = relationship(back_populates="files")
