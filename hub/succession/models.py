"""Succession listings ("non-name sheets"), successor profiles, NDA versions, disclosures, the audit log and the
organisers' push-style outreach records."""

from __future__ import annotations

import secrets
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.sql.elements import ColumnElement

from hub.core.files import StoredDocumentMixin
from hub.core.statuses import check_in, values
from hub.core.timeutil import utcnow
from hub.extensions import db


class ListingStatus(StrEnum):
    """Listing life cycle: the owner drafts and submits, an organiser publishes or returns it with a note.
    HELD: was published, but the directory changed and it no longer hides among k factories (see kanon.py)."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    PUBLISHED = "published"
    PAUSED = "paused"
    HELD = "held"
    WITHDRAWN = "withdrawn"


class DisclosureStatus(StrEnum):
    REQUESTED = "requested"
    APPROVED = "approved"
    DECLINED = "declined"
    REVOKED = "revoked"


LISTING_STATUSES = values(ListingStatus)
# Statuses in which a successor whose disclosure was approved still sees the listing (everyone else: PUBLISHED).
SHOWN_TO_APPROVED = (ListingStatus.PUBLISHED, ListingStatus.PAUSED, ListingStatus.HELD)
SCHEMES = ("family", "employee", "outside_manager", "sale")  # 親族内 / 従業員承継 (EBO) / 外部経営者 / 第三者 M&A
INCLUDES = ("equipment", "premises", "customers", "skills")
EMPLOYEE_BANDS = ("1_4", "5_9", "10_19", "20_49", "50_plus")
REVENUE_BANDS = ("under_30m", "30m_100m", "100m_300m", "300m_1b", "over_1b", "undisclosed")
# Years in business as a band, not the founding year: an exact year could be matched against the public directory.
YEARS_BANDS = ("under_10", "10_29", "30_49", "50_plus")
REASONS = ("age", "no_successor", "health", "new_venture", "other")
TIMINGS = ("within_1y", "1_3y", "3_5y", "undecided")
BUDGET_BANDS = ("under_10m", "10m_50m", "50m_100m", "over_100m", "undecided")

DISCLOSURE_STATUSES = values(DisclosureStatus)
OUTREACH_STAGES = ("candidate", "contacted", "visited", "plan_drafted", "plan_complete")


def new_public_id() -> str:
    """An unguessable id for URLs: never the factory's id, never a sequence."""
    return secrets.token_urlsafe(12)


class SuccessionListing(db.Model):
    """An anonymous handover listing by a factory owner. Only ward-level location; no name until disclosure."""

    __tablename__ = "succession_listings"
    __table_args__ = (check_in("status", ListingStatus),)

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=new_public_id)
    factory_id: Mapped[int] = mapped_column(ForeignKey("factories.id", ondelete="CASCADE"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    external_id: Mapped[str | None] = mapped_column(String(100), unique=True)  # demo data key
    ward: Mapped[str | None] = mapped_column(String(30), index=True)
    processes: Mapped[list] = mapped_column(JSON, default=list)  # taxonomy codes
    machines: Mapped[list] = mapped_column(JSON, default=list)  # free text, checked for identifying details
    employees_band: Mapped[str] = mapped_column(String(20), default="1_4")
    revenue_band: Mapped[str] = mapped_column(String(20), default="undisclosed")
    years_band: Mapped[str] = mapped_column(String(20), default="30_49")
    reason: Mapped[str] = mapped_column(String(20), default="age")
    reason_text: Mapped[str] = mapped_column(Text, default="")
    description: Mapped[str] = mapped_column(Text, default="")
    schemes: Mapped[list] = mapped_column(JSON, default=list)
    includes: Mapped[list] = mapped_column(JSON, default=list)
    timing: Mapped[str] = mapped_column(String(20), default="undecided")
    status: Mapped[str] = mapped_column(String(12), default=ListingStatus.DRAFT, index=True)
    review_note: Mapped[str] = mapped_column(Text, default="")
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reviewed_at: Mapped[datetime | None]
    submitted_at: Mapped[datetime | None]
    published_at: Mapped[datetime | None]
    # Folded anonymous text only (never the factory's name or address): what listing search looks in.
    search_text: Mapped[str] = mapped_column(Text, default="")
    # What successors see of ward, processes, machines and bands: generalised until at least k published directory
    # entries share it (hub/succession/kanon.py), with the reasons. Set at submission and publication.
    public_view: Mapped[dict | None] = mapped_column(JSON)
    hold_reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    held_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    @hybrid_property
    def is_visible_to_successors(self) -> bool:
        """One rule, in Python and in SQL: every successor sees (browses, asks about) a listing while it is
        published — not while it is paused, held, in review or withdrawn."""
        return self.status == ListingStatus.PUBLISHED

    @hybrid_property
    def is_shown_to_approved(self) -> bool:
        """A successor whose disclosure was approved keeps seeing the listing while it is published, paused or
        held (the owner and organisers always see it)."""
        return self.status in SHOWN_TO_APPROVED

    @is_shown_to_approved.inplace.expression
    @classmethod
    def _is_shown_to_approved_expression(cls) -> ColumnElement[bool]:
        return cls.status.in_(SHOWN_TO_APPROVED)

    factory = relationship("Factory")
    created_by = relationship("User", foreign_keys=[created_by_id])
    reviewed_by = relationship("User", foreign_keys=[reviewed_by_id])
    documents: Mapped[list[ListingDocument]] = relationship(
        back_populates="listing", cascade="all, delete-orphan", order_by="ListingDocument.id")
    disclosures: Mapped[list[Disclosure]] = relationship(
        back_populates="listing", cascade="all, delete-orphan", order_by="Disclosure.id")


class ListingDocument(StoredDocumentMixin, db.Model):
    """A PDF the owner attaches; served only to the owner, organisers and approved successors."""

    __tablename__ = "succession_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    listing_id: Mapped[int] = mapped_column(ForeignKey("succession_listings.id", ondelete="CASCADE"), index=True)

    listing: Mapped[SuccessionListing] = relationship(back_populates="documents")


class SuccessorProfile(db.Model):
    """What a would-be successor brings and looks for."""

    __tablename__ = "successor_profiles"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    background: Mapped[str] = mapped_column(Text, default="")
    skills: Mapped[list] = mapped_column(JSON, default=list)  # process codes the successor can do
    processes: Mapped[list] = mapped_column(JSON, default=list)  # process codes wanted in a business
    wards: Mapped[list] = mapped_column(JSON, default=list)  # preferred ward keys
    schemes: Mapped[list] = mapped_column(JSON, default=list)
    budget_band: Mapped[str] = mapped_column(String(20), default="undecided")
    is_discoverable: Mapped[bool] = mapped_column(default=True)  # owners may find this profile by matching
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    user = relationship("User")


class NdaVersion(db.Model):
    """The non-disclosure agreement, versioned; both languages are one version."""

    __tablename__ = "succession_nda_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(unique=True)
    text_ja: Mapped[str] = mapped_column(Text)
    text_en: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def text(self, locale: str) -> str:
        return self.text_en if locale == "en" else self.text_ja


class Disclosure(db.Model):
    """A successor's request to see who the factory is, with the NDA they accepted and the owner's decision."""

    __tablename__ = "succession_disclosures"
    __table_args__ = (UniqueConstraint("listing_id", "successor_id"), check_in("status", DisclosureStatus))

    id: Mapped[int] = mapped_column(primary_key=True)
    listing_id: Mapped[int] = mapped_column(ForeignKey("succession_listings.id", ondelete="CASCADE"), index=True)
    successor_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    nda_version_id: Mapped[int] = mapped_column(ForeignKey("succession_nda_versions.id"))
    nda_accepted_at: Mapped[datetime]
    message: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(12), default=DisclosureStatus.REQUESTED, index=True)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    listing: Mapped[SuccessionListing] = relationship(back_populates="disclosures")
    successor = relationship("User", foreign_keys=[successor_id])
    decided_by = relationship("User", foreign_keys=[decided_by_id])
    nda_version = relationship("NdaVersion")


class AuditEvent(db.Model):
    """Every disclosure step and every view of disclosed data, readable by the listing's owner."""

    __tablename__ = "succession_audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    listing_id: Mapped[int] = mapped_column(ForeignKey("succession_listings.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    action: Mapped[str] = mapped_column(String(40))
    detail: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    actor = relationship("User")


class OutreachRecord(db.Model):
    """Push-style support (プッシュ型) for one factory: where the organisers are with it."""

    __tablename__ = "succession_outreach"

    id: Mapped[int] = mapped_column(primary_key=True)
    factory_id: Mapped[int] = mapped_column(ForeignKey("factories.id", ondelete="CASCADE"), unique=True)
    organiser_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    stage: Mapped[str] = mapped_column(String(20), default="candidate", index=True)
    notes: Mapped[str] = mapped_column(Text, default="")
    contacted_on: Mapped[date | None]
    visited_on: Mapped[date | None]
    plan_drafted_on: Mapped[date | None]
    plan_completed_on: Mapped[date | None] = mapped_column(index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    factory = relationship("Factory")
    organiser = relationship("User")
    steps: Mapped[list[OutreachStep]] = relationship(
        back_populates="record", cascade="all, delete-orphan", order_by="OutreachStep.id")


class OutreachStep(db.Model):
    """One dated step of the visit log (contacted, visited, plan drafted, plan complete, or a note)."""

    __tablename__ = "succession_outreach_steps"

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("succession_outreach.id", ondelete="CASCADE"), index=True)
    stage: Mapped[str] = mapped_column(String(20))
    happened_on: Mapped[date]
    note: Mapped[str] = mapped_column(Text, default="")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    record: Mapped[OutreachRecord] = relationship(back_populates="steps")
    author = relationship("User")
