"""Open Factory Week (editions, participations, programs, slots, bookings) and pitch nights (criteria, pitches,
reviews). Slots and bookings are one booking engine shared by factory tours and pitch-night audiences."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hub.core.statuses import check_in, values
from hub.core.timeutil import utcnow
from hub.extensions import db

PROGRAM_KINDS = ("tour", "workshop", "sale", "talk")
ADMISSIONS = ("booking", "walk_in")  # booking required, or walk in without booking


class ParticipationStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class BookingStatus(StrEnum):
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"


class ShortChoice(StrEnum):
    """A party larger than the free seats: book the free seats, or wait for the whole party."""

    PARTIAL = "partial"
    WAITLIST = "waitlist"


class PitchStatus(StrEnum):
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


PARTICIPATION_STATUSES = values(ParticipationStatus)
BOOKING_CONFIRMED = BookingStatus.CONFIRMED
BOOKING_WAITLISTED = BookingStatus.WAITLISTED
BOOKING_CANCELLED = BookingStatus.CANCELLED
BOOKING_STATUSES = values(BookingStatus)
PITCH_STATUSES = values(PitchStatus)


class Edition(db.Model):
    """One Open Factory Week: its days and the window in which factories apply to take part."""

    __tablename__ = "event_editions"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    starts_on: Mapped[date] = mapped_column(Date, index=True)
    ends_on: Mapped[date] = mapped_column(Date)
    applications_open_on: Mapped[date] = mapped_column(Date)
    applications_close_on: Mapped[date] = mapped_column(Date)
    is_published: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    participations: Mapped[list[Participation]] = relationship(back_populates="edition",
                                                                cascade="all, delete-orphan")
    programs: Mapped[list[Program]] = relationship(back_populates="edition", cascade="all, delete-orphan")

    def display_name(self, locale: str) -> str:
        return self.name_en if locale == "en" and self.name_en else self.name


class Participation(db.Model):
    """A factory's application to open its doors in an edition; organisers approve or reject it."""

    __tablename__ = "event_participations"
    __table_args__ = (UniqueConstraint("edition_id", "factory_id"), check_in("status", ParticipationStatus))

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(ForeignKey("event_editions.id", ondelete="CASCADE"), index=True)
    factory_id: Mapped[int] = mapped_column(ForeignKey("factories.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(12), default=ParticipationStatus.PENDING, index=True)
    message: Mapped[str] = mapped_column(Text, default="")
    applied_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    edition: Mapped[Edition] = relationship(back_populates="participations")
    factory = relationship("Factory")


class Program(db.Model):
    """What a factory offers in an edition: a tour, a workshop, a sale or a talk, with its slots."""

    __tablename__ = "event_programs"

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(ForeignKey("event_editions.id", ondelete="CASCADE"), index=True)
    factory_id: Mapped[int] = mapped_column(ForeignKey("factories.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(12), default="tour")
    title: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str | None] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    edition: Mapped[Edition] = relationship(back_populates="programs")
    factory = relationship("Factory")
    slots: Mapped[list[Slot]] = relationship(back_populates="program", cascade="all, delete-orphan",
                                             order_by="Slot.starts_at")

    def display_title(self, locale: str) -> str:
        return self.title_en if locale == "en" and self.title_en else self.title


class Slot(db.Model):
    """A bookable time with a capacity: a program's session or a pitch night's audience.

    ``lock_version`` is bumped by every booking and cancellation: on SQLite that write takes the database's write
    lock first, which serialises bookers (PostgreSQL locks the row with SELECT … FOR UPDATE instead)."""

    __tablename__ = "event_slots"

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int | None] = mapped_column(ForeignKey("event_programs.id", ondelete="CASCADE"), index=True)
    starts_at: Mapped[datetime] = mapped_column(index=True)
    ends_at: Mapped[datetime]
    capacity: Mapped[int] = mapped_column(Integer)
    booking_opens_at: Mapped[datetime | None]
    booking_closes_at: Mapped[datetime | None]
    admission: Mapped[str] = mapped_column(String(10), default="booking")
    language: Mapped[str] = mapped_column(String(10), default="ja")  # ja | en | ja_en
    accessibility: Mapped[str] = mapped_column(String(300), default="")
    min_age: Mapped[int | None]
    max_age: Mapped[int | None]
    fee_yen: Mapped[int] = mapped_column(Integer, default=0)
    walk_ins: Mapped[int] = mapped_column(Integer, default=0)
    lock_version: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    program: Mapped[Program | None] = relationship(back_populates="slots")
    bookings: Mapped[list[Booking]] = relationship(back_populates="slot", cascade="all, delete-orphan",
                                                   order_by="Booking.id")


class Booking(db.Model):
    """A visitor's party on a slot: confirmed, waiting (in id order) or cancelled. No account needed.

    ``email_key`` is the lower-cased email while the booking is active and NULL once cancelled: the unique
    constraint on (slot, email_key) stops a second active booking by the same email even without the lock."""

    __tablename__ = "event_bookings"
    __table_args__ = (UniqueConstraint("slot_id", "email_key"), check_in("status", BookingStatus))

    id: Mapped[int] = mapped_column(primary_key=True)
    slot_id: Mapped[int] = mapped_column(ForeignKey("event_slots.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str] = mapped_column(String(254), index=True)
    email_key: Mapped[str | None] = mapped_column(String(254))
    party_size: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(12), index=True)
    locale: Mapped[str] = mapped_column(String(5), default="ja")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    promoted_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    checked_in_at: Mapped[datetime | None]
    checked_in_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    scan_count: Mapped[int] = mapped_column(Integer, default=0)
    reminder_sent_at: Mapped[datetime | None]
    # Set when whoever made the booking proved they own the address (an emailed confirmation link): only then may
    # the booking page show the address's other bookings (overlaps, "all my bookings").
    email_confirmed_at: Mapped[datetime | None]
    # The last "you already have a booking" notice to the address (at most one an hour: no mail bombing).
    notice_sent_at: Mapped[datetime | None]

    slot: Mapped[Slot] = relationship(back_populates="bookings")


class BookingRequest(db.Model):
    """A booking asked for without an account while EVENTS_BOOKING_EMAIL_CONFIRMATION is on. It holds no seat:
    the booking is made (confirmed or waitlisted, under the slot lock) only when the emailed link is used."""

    __tablename__ = "event_booking_requests"
    __table_args__ = (check_in("if_short", ShortChoice),)

    id: Mapped[int] = mapped_column(primary_key=True)
    slot_id: Mapped[int] = mapped_column(ForeignKey("event_slots.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str] = mapped_column(String(254))
    email_key: Mapped[str] = mapped_column(String(254), index=True)
    party_size: Mapped[int] = mapped_column(Integer)
    locale: Mapped[str] = mapped_column(String(5), default="ja")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    confirmed_at: Mapped[datetime | None]
    booking_id: Mapped[int | None] = mapped_column(ForeignKey("event_bookings.id", ondelete="SET NULL"))
    # What the visitor chose when the party was larger than the free seats (None: it fitted, or no choice yet).
    if_short: Mapped[str | None] = mapped_column(String(10))

    slot: Mapped[Slot] = relationship()
    booking: Mapped[Booking | None] = relationship()


class PitchNight(db.Model):
    """An evening where startups and students pitch to factories; its audience books a slot."""

    __tablename__ = "event_pitch_nights"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str | None] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    venue: Mapped[str] = mapped_column(String(300))
    starts_at: Mapped[datetime] = mapped_column(index=True)
    ends_at: Mapped[datetime]
    cfp_opens_at: Mapped[datetime]
    cfp_closes_at: Mapped[datetime]
    is_blind_review: Mapped[bool] = mapped_column(default=False)
    hide_scores_until_reviewed: Mapped[bool] = mapped_column(default=True)
    slot_id: Mapped[int | None] = mapped_column(ForeignKey("event_slots.id", ondelete="SET NULL"))
    reviewer_emails: Mapped[list] = mapped_column(JSON, default=list)  # invited factory members
    running_order_published_at: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    slot: Mapped[Slot | None] = relationship()
    criteria: Mapped[list[PitchCriterion]] = relationship(back_populates="pitch_night", cascade="all, delete-orphan",
                                                          order_by="PitchCriterion.position")
    pitches: Mapped[list[Pitch]] = relationship(back_populates="pitch_night", cascade="all, delete-orphan",
                                                order_by="Pitch.id")
    invitations: Mapped[list[ReviewerInvitation]] = relationship(
        back_populates="pitch_night", cascade="all, delete-orphan", order_by="ReviewerInvitation.id")

    def display_title(self, locale: str) -> str:
        return self.title_en if locale == "en" and self.title_en else self.title


class PitchCriterion(db.Model):
    """One thing reviewers score (1–5), with its weight in the ranking."""

    __tablename__ = "event_pitch_criteria"

    id: Mapped[int] = mapped_column(primary_key=True)
    pitch_night_id: Mapped[int] = mapped_column(ForeignKey("event_pitch_nights.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    weight: Mapped[int] = mapped_column(Integer, default=1)
    position: Mapped[int] = mapped_column(Integer, default=0)

    pitch_night: Mapped[PitchNight] = relationship(back_populates="criteria")


class Pitch(db.Model):
    """A submission to a pitch night by a startup or student team."""

    __tablename__ = "event_pitches"
    __table_args__ = (check_in("status", PitchStatus),)

    id: Mapped[int] = mapped_column(primary_key=True)
    pitch_night_id: Mapped[int] = mapped_column(ForeignKey("event_pitch_nights.id", ondelete="CASCADE"), index=True)
    submitter_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text)
    team: Mapped[str] = mapped_column(Text)
    needs: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(5), default="ja")
    status: Mapped[str] = mapped_column(String(12), default=PitchStatus.SUBMITTED, index=True)
    running_position: Mapped[int | None]
    decision_sent_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    pitch_night: Mapped[PitchNight] = relationship(back_populates="pitches")
    submitter = relationship("User")
    reviews: Mapped[list[PitchReview]] = relationship(back_populates="pitch", cascade="all, delete-orphan",
                                                      order_by="PitchReview.id")


class PitchReview(db.Model):
    """One reviewer's scores for one pitch (one review per reviewer and pitch)."""

    __tablename__ = "event_pitch_reviews"
    __table_args__ = (UniqueConstraint("pitch_id", "reviewer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    pitch_id: Mapped[int] = mapped_column(ForeignKey("event_pitches.id", ondelete="CASCADE"), index=True)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    scores: Mapped[dict] = mapped_column(JSON, default=dict)  # {criterion id (str): 1..5}
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    pitch: Mapped[Pitch] = relationship(back_populates="reviews")
    reviewer = relationship("User")


class ReviewerInvitation(db.Model):
    """An organiser's invitation to review one pitch night, bound to an address *and* a role: it counts only once
    the verified owner of that address, holding that role, has accepted it."""

    __tablename__ = "event_reviewer_invitations"
    __table_args__ = (UniqueConstraint("pitch_night_id", "email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    pitch_night_id: Mapped[int] = mapped_column(ForeignKey("event_pitch_nights.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    role: Mapped[str] = mapped_column(String(20), default="factory")
    invited_at: Mapped[datetime] = mapped_column(default=utcnow)
    accepted_at: Mapped[datetime | None]
    accepted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)

    pitch_night: Mapped[PitchNight] = relationship(back_populates="invitations")
