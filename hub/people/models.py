"""Master–junior pairs: who passes which skill to whom, and when the pair was certified."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hub.core.timeutil import utcnow
from hub.extensions import db


class MeisterPair(db.Model):
    """A senior master and a junior learning one process on the job; certified pairs count toward the KPI."""

    __tablename__ = "meister_pairs"

    id: Mapped[int] = mapped_column(primary_key=True)
    factory_id: Mapped[int | None] = mapped_column(ForeignKey("factories.id", ondelete="SET NULL"), index=True)
    master_name: Mapped[str] = mapped_column(String(120))
    junior_name: Mapped[str] = mapped_column(String(120))
    process_code: Mapped[str] = mapped_column(String(60))
    started_on: Mapped[date]
    certified_on: Mapped[date | None] = mapped_column(index=True)
    notes: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    factory = relationship("Factory")
