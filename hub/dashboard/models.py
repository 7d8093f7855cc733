"""Targets of the programme's indicators, per year, editable by organisers.

The dashboard otherwise owns no data: values come from each domain's ``kpis.indicators(year)``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hub.core.timeutil import utcnow
from hub.extensions import db


class KpiTarget(db.Model):
    """An organiser's target for one indicator in one year (the ward programme's figure when absent)."""

    __tablename__ = "kpi_targets"
    __table_args__ = (UniqueConstraint("key", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(40))
    year: Mapped[int]
    target: Mapped[int]
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
