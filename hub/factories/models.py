"""A factory's public profile, what the matcher understood of it, and its photos."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Float, ForeignKey, Index, String, Text, UniqueConstraint, and_
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.sql.elements import ColumnElement

from hub.core.files import StoredFileMixin
from hub.core.statuses import check_in, values
from hub.core.timeutil import utcnow
from hub.extensions import db

SUCCESSOR_STATUSES = ("none", "family", "employee", "external", "undecided")
# Where the hub's belief in a capability row comes from: the owner's own list (or a code the owner confirmed),
# the owner's prose (inferred, to be confirmed), or a step the text says is sent to partners (demand, not supply).


class Evidence(StrEnum):
    LISTED = "listed"
    PROSE = "prose"
    OUTSOURCED = "outsourced"


class ReviewDecision(StrEnum):
    CONFIRMED = "confirmed"
    REJECTED = "rejected"


class ReviewStatus(StrEnum):
    """A factory profile held for an organiser's look (NULL: an ordinary profile)."""

    HELD = "held"
    REJECTED = "rejected"


class ClaimStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


EVIDENCE_LEVELS = values(Evidence)
REVIEW_DECISIONS = values(ReviewDecision)


class Factory(db.Model):
    """A machi-koba. Lists hold the terms as the factory wrote them; ``capabilities`` their taxonomy codes."""

    __tablename__ = "factories"
    __table_args__ = (
        check_in("review_status", ReviewStatus),
        # The directory's order (name, id) and the front page's "recently updated", read through an index.
        Index("ix_factories_name_id", "name", "id"),
        Index("ix_factories_ward_name_id", "ward", "name", "id"),  # one ward's page, in order, without a sort
        Index("ix_factories_updated_at", "updated_at"),
        # Counting public factories (and those of a ward) from the index alone.
        Index("ix_factories_public_ward", "is_published", "review_status", "ward"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str | None] = mapped_column(String(100), unique=True)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))
    ward: Mapped[str | None] = mapped_column(String(30), index=True)  # canonical key, e.g. "ota"
    address: Mapped[str | None] = mapped_column(String(300))
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    is_location_approx: Mapped[bool] = mapped_column(default=False)  # True: the ward's centroid
    description: Mapped[str] = mapped_column(Text, default="")
    processes: Mapped[list] = mapped_column(JSON, default=list)
    materials: Mapped[list] = mapped_column(JSON, default=list)
    equipment: Mapped[list] = mapped_column(JSON, default=list)
    certifications: Mapped[list] = mapped_column(JSON, default=list)
    tolerance: Mapped[str | None] = mapped_column(String(100))
    lot_min: Mapped[int | None]
    lot_max: Mapped[int | None]
    employees: Mapped[int | None]
    founded: Mapped[int | None]
    website: Mapped[str | None] = mapped_column(String(300))
    # Private: only for succession support and cluster-risk analysis, never on public pages or APIs.
    owner_birth_year: Mapped[int | None]
    successor_status: Mapped[str | None] = mapped_column(String(20))
    # Folded text of everything searchable (name, terms, labels in both languages), for the directory search.
    search_text: Mapped[str] = mapped_column(Text, default="")
    is_published: Mapped[bool] = mapped_column(default=True, index=True)
    # None: an ordinary profile. "held": a new name that matches an existing profile, unpublished until an
    # organiser looks; "rejected": the organiser found it a duplicate (its owner may claim the real one).
    review_status: Mapped[str | None] = mapped_column(String(20), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    organisation = relationship("Organisation")
    capabilities: Mapped[list[FactoryCapability]] = relationship(
        back_populates="factory", cascade="all, delete-orphan", order_by="FactoryCapability.id"
    )
    photos: Mapped[list[FactoryPhoto]] = relationship(
        back_populates="factory", cascade="all, delete-orphan", order_by="FactoryPhoto.position"
    )

    @hybrid_property
    def is_public(self) -> bool:
        """One rule for "shown to everyone", in Python and in SQL: published and not held for an organiser's
        review (a held or rejected look-alike is never public, whatever ``is_published`` says)."""
        return self.is_published and self.review_status is None

    @is_public.inplace.expression
    @classmethod
    def _is_public_expression(cls) -> ColumnElement[bool]:
        return and_(cls.is_published.is_(True), cls.review_status.is_(None))

    def display_name(self, locale: str) -> str:
        return self.name_en if locale == "en" and self.name_en else self.name

    def codes(self, kind: str) -> list[str]:
        """Codes this factory does itself (outsourced steps are demand, not capabilities)."""
        return [c.code for c in self.capabilities if c.kind == kind and c.is_capability]

    def outsourced_codes(self) -> list[str]:
        """Process codes the factory says it sends to partners."""
        return [c.code for c in self.capabilities if c.evidence == Evidence.OUTSOURCED]


class FactoryCapability(db.Model):
    """One taxonomy code the normaliser found for a factory, and the text it came from."""

    __tablename__ = "factory_capabilities"
    __table_args__ = (
        UniqueConstraint("factory_id", "kind", "code"),
        check_in("evidence", Evidence),
        # A process or material filter: the factories with a code, straight from the index.
        Index("ix_factory_capabilities_code_kind_factory", "code", "kind", "factory_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    factory_id: Mapped[int] = mapped_column(ForeignKey("factories.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10))  # "process" | "material"
    code: Mapped[str] = mapped_column(String(60), index=True)
    source: Mapped[str] = mapped_column(String(200))
    confidence: Mapped[float] = mapped_column(Float, default=1.0)
    evidence: Mapped[str] = mapped_column(String(12), default=Evidence.LISTED, server_default="listed")
    phrase: Mapped[str] = mapped_column(String(200), default="", server_default="")

    factory: Mapped[Factory] = relationship(back_populates="capabilities")

    @hybrid_property
    def is_capability(self) -> bool:
        """One rule for "the factory does this itself", in Python and in SQL: every row but outsourced steps."""
        return self.evidence != Evidence.OUTSOURCED


class FactoryNameKey(db.Model):
    """A suffix of a factory's folded name (from every character of Japanese text, from every word of Latin text),
    kept so that a phrase inside a name is found by an index range scan (``へら絞り`` finds 六郷へら絞り製作所) on
    SQLite and PostgreSQL alike, never by scanning every name. Rebuilt with the name (hub/factories/search.py)."""

    __tablename__ = "factory_name_keys"
    # The lookup is a range of keys; the factory id comes from the same index (no table read per key).
    __table_args__ = (Index("ix_factory_name_keys_key_factory", "key", "factory_id"),)

    factory_id: Mapped[int] = mapped_column(ForeignKey("factories.id", ondelete="CASCADE"), primary_key=True)
    # Byte order on PostgreSQL too, so that a prefix is one range of the index.
    key: Mapped[str] = mapped_column(String(32).with_variant(String(32, collation="C"), "postgresql"),
                                     primary_key=True)


class FactoryCapabilityReview(db.Model):
    """The owner's word on one capability the hub read from their prose: "confirmed" (it is listed from now on)
    or "rejected" (never a capability, whatever the text says). Kept across profile edits and re-imports."""

    __tablename__ = "factory_capability_reviews"
    __table_args__ = (UniqueConstraint("factory_id", "kind", "code"), check_in("decision", ReviewDecision))

    id: Mapped[int] = mapped_column(primary_key=True)
    factory_id: Mapped[int] = mapped_column(ForeignKey("factories.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10))  # "process" | "material"
    code: Mapped[str] = mapped_column(String(60))
    decision: Mapped[str] = mapped_column(String(10))  # REVIEW_DECISIONS
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    decided_by = relationship("User")


class FactoryPhoto(StoredFileMixin, db.Model):
    """A photo, re-encoded and resized on upload (metadata stripped), stored outside ``static/``."""

    __tablename__ = "factory_photos"
    upload_kind = "photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    factory_id: Mapped[int] = mapped_column(ForeignKey("factories.id", ondelete="CASCADE"), index=True)
    caption: Mapped[str | None] = mapped_column(String(200))
    width: Mapped[int]
    height: Mapped[int]
    position: Mapped[int] = mapped_column(default=0)

    factory: Mapped[Factory] = relationship(back_populates="photos")


CLAIM_METHODS = ("domain_email", "organiser")
CLAIM_STATUSES = values(ClaimStatus)


class FactoryClaim(db.Model):
    """A factory member's request to manage an imported profile that nobody manages yet. Proven either by a link
    sent to an address at the factory's own website domain, or by an organiser's approval."""

    __tablename__ = "factory_claims"
    __table_args__ = (check_in("status", ClaimStatus),)

    id: Mapped[int] = mapped_column(primary_key=True)
    factory_id: Mapped[int] = mapped_column(ForeignKey("factories.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    method: Mapped[str] = mapped_column(String(20))
    email: Mapped[str | None] = mapped_column(String(254))  # the address at the factory's domain
    message: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default=ClaimStatus.PENDING, index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    factory: Mapped[Factory] = relationship()
    user = relationship("User", foreign_keys=[user_id])
