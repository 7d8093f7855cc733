"""Skill transfer (issue 14): masters and juniors, their pairs, training plans and logs, certificates, the ward's
allowance rates, know-how cards (技能カード) and the programme's outreach (internships and 出前授業 visits).

Skills and goals are process codes of the matching taxonomy; wards are its ward keys. Names are kept as typed
(Japanese first); a certificate keeps a snapshot of the names so that it still reads the same after an edit.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import ClassVar

from sqlalchemy import JSON, ForeignKey, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hub.core.files import StoredDocumentMixin, StoredFileMixin
from hub.core.statuses import check_in
from hub.core.timeutil import utcnow
from hub.extensions import db


class JuniorKind(StrEnum):
    EMPLOYEE = "employee"  # works at a member factory
    APPRENTICE = "apprentice"
    STUDENT = "student"


class PairStatus(StrEnum):
    PROPOSED = "proposed"  # suggested or requested; waiting for both sides and then the organiser
    ACTIVE = "active"  # confirmed by an organiser: training runs
    CERTIFIED = "certified"  # the junior was certified (マイスター・ジュニア)
    DECLINED = "declined"  # one side said no, or the organiser did
    ENDED = "ended"  # stopped without certification


class Visibility(StrEnum):
    PRIVATE = "private"  # the factory's members (or the master) and organisers
    JUNIORS = "juniors"  # also the factory's juniors and the master's juniors
    PUBLIC = "public"  # everyone


class MediaKind(StrEnum):
    PHOTO = "photo"
    VIDEO = "video"


class OfferKind(StrEnum):
    INTERNSHIP = "internship"
    VISIT = "visit"  # 出前授業: the factory's people teach at a school


class ApplicationStatus(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    HELD = "held"  # the internship took place / the visit was held (counted toward the target)


class Master(db.Model):
    """A senior master (シニア・マイスター) who teaches: skills with years and level, time and reach."""

    __tablename__ = "masters"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), unique=True)
    factory_id: Mapped[int | None] = mapped_column(ForeignKey("factories.id", ondelete="SET NULL"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    ward: Mapped[str] = mapped_column(String(30), default="")
    travel_km: Mapped[int] = mapped_column(default=10)
    days_per_month: Mapped[int] = mapped_column(default=4)
    is_retired: Mapped[bool] = mapped_column(default=True)
    max_juniors: Mapped[int | None]  # None: the programme's default limit
    bio: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    skills: Mapped[list[MasterSkill]] = relationship(back_populates="master", cascade="all, delete-orphan",
                                                     order_by="MasterSkill.id")
    factory = relationship("Factory")
    user = relationship("User", foreign_keys=[user_id])


class MasterSkill(db.Model):
    """One process a master can teach, with years of practice and a level from 1 (basic) to 5 (top)."""

    __tablename__ = "master_skills"
    __table_args__ = (UniqueConstraint("master_id", "process_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    master_id: Mapped[int] = mapped_column(ForeignKey("masters.id", ondelete="CASCADE"), index=True)
    process_code: Mapped[str] = mapped_column(String(60), index=True)
    years: Mapped[int] = mapped_column(default=0)
    level: Mapped[int] = mapped_column(default=3)

    master: Mapped[Master] = relationship(back_populates="skills")


class Junior(db.Model):
    """A junior who learns: an employee of a member factory, an apprentice or a student."""

    __tablename__ = "juniors"
    __table_args__ = (check_in("kind", JuniorKind),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), unique=True)
    employer_id: Mapped[int | None] = mapped_column(ForeignKey("factories.id", ondelete="SET NULL"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(20), default=JuniorKind.EMPLOYEE)
    school: Mapped[str] = mapped_column(String(200), default="")
    ward: Mapped[str] = mapped_column(String(30), default="")
    goals: Mapped[list] = mapped_column(JSON, default=list)  # process codes to learn
    days_per_month: Mapped[int] = mapped_column(default=4)
    notes: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    employer = relationship("Factory")


class Pair(db.Model):
    """A master teaching a junior one process: both sides accept, an organiser confirms, training is logged,
    and an organiser certifies the junior. Certified pairs feed the ``meister_pairs`` indicator."""

    __tablename__ = "pairs"
    __table_args__ = (check_in("status", PairStatus),)

    id: Mapped[int] = mapped_column(primary_key=True)
    master_id: Mapped[int] = mapped_column(ForeignKey("masters.id", ondelete="CASCADE"), index=True)
    junior_id: Mapped[int] = mapped_column(ForeignKey("juniors.id", ondelete="CASCADE"), index=True)
    process_code: Mapped[str] = mapped_column(String(60))
    status: Mapped[str] = mapped_column(String(20), default=PairStatus.PROPOSED, index=True)
    reasons: Mapped[list] = mapped_column(JSON, default=list)  # why the pair was suggested (message keys + args)
    master_accepted_at: Mapped[datetime | None]
    junior_accepted_at: Mapped[datetime | None]
    confirmed_at: Mapped[datetime | None]
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    started_on: Mapped[date | None]
    certified_on: Mapped[date | None] = mapped_column(index=True)
    notes: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    master: Mapped[Master] = relationship()
    junior: Mapped[Junior] = relationship()
    milestones: Mapped[list[Milestone]] = relationship(back_populates="pair", cascade="all, delete-orphan",
                                                       order_by="Milestone.position")
    sessions: Mapped[list[TrainingSession]] = relationship(back_populates="pair", cascade="all, delete-orphan",
                                                           order_by="TrainingSession.held_on")
    certificate: Mapped[Certificate | None] = relationship(back_populates="pair", uselist=False,
                                                           cascade="all, delete-orphan")


class PlanTemplate(db.Model):
    """The milestones organisers set for learning one process; copied into a pair's plan when it is confirmed."""

    __tablename__ = "plan_templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    process_code: Mapped[str] = mapped_column(String(60), unique=True)
    # [{"title": str, "title_en": str, "hours": int}] in order
    milestones: Mapped[list] = mapped_column(JSON, default=list)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Milestone(db.Model):
    """One step of a pair's plan: reached when the organiser marks it (the certification names one)."""

    __tablename__ = "pair_milestones"

    id: Mapped[int] = mapped_column(primary_key=True)
    pair_id: Mapped[int] = mapped_column(ForeignKey("pairs.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    title: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str] = mapped_column(String(200), default="")
    target_hours: Mapped[int] = mapped_column(default=0)
    reached_on: Mapped[date | None]

    pair: Mapped[Pair] = relationship(back_populates="milestones")


class TrainingSession(db.Model):
    """A day of training: date, hours, skills practised, notes and photos; counted once both sides confirm."""

    __tablename__ = "training_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    pair_id: Mapped[int] = mapped_column(ForeignKey("pairs.id", ondelete="CASCADE"), index=True)
    held_on: Mapped[date]
    hours: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    skills: Mapped[list] = mapped_column(JSON, default=list)  # process codes practised
    notes: Mapped[str] = mapped_column(Text, default="")
    master_confirmed_at: Mapped[datetime | None]
    junior_confirmed_at: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    pair: Mapped[Pair] = relationship(back_populates="sessions")
    photos: Mapped[list[SessionPhoto]] = relationship(back_populates="session", cascade="all, delete-orphan")

    @property
    def is_confirmed(self) -> bool:
        return self.master_confirmed_at is not None and self.junior_confirmed_at is not None


class SessionPhoto(StoredFileMixin, db.Model):
    """A photo of a training session (re-encoded JPEG without metadata)."""

    __tablename__ = "training_photos"
    upload_kind: ClassVar[str] = "photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("training_sessions.id", ondelete="CASCADE"), index=True)

    session: Mapped[TrainingSession] = relationship(back_populates="photos")


class Certificate(db.Model):
    """マイスター・ジュニア認定: issued once per pair, checkable by anyone with its verification code."""

    __tablename__ = "certificates"

    id: Mapped[int] = mapped_column(primary_key=True)
    pair_id: Mapped[int] = mapped_column(ForeignKey("pairs.id", ondelete="CASCADE"), unique=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    milestone_title: Mapped[str] = mapped_column(String(200), default="")
    milestone_title_en: Mapped[str] = mapped_column(String(200), default="")
    junior_name: Mapped[str] = mapped_column(String(120))
    master_name: Mapped[str] = mapped_column(String(120))
    process_code: Mapped[str] = mapped_column(String(60))
    certified_on: Mapped[date]
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    pair: Mapped[Pair] = relationship(back_populates="certificate")

    def milestone_in(self, locale: str) -> str:
        """The milestone's title in ``locale`` (English when there is one, else as the plan wrote it)."""
        return self.milestone_title_en if locale == "en" and self.milestone_title_en else self.milestone_title


class AllowanceRate(db.Model):
    """The ward's activity allowance rates, in force from a date: yen per confirmed hour for the master and the
    junior, and the incentive paid once on certification."""

    __tablename__ = "allowance_rates"

    id: Mapped[int] = mapped_column(primary_key=True)
    effective_from: Mapped[date] = mapped_column(unique=True)
    master_hourly_yen: Mapped[int] = mapped_column(default=0)
    junior_hourly_yen: Mapped[int] = mapped_column(default=0)
    certification_incentive_yen: Mapped[int] = mapped_column(default=0)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class ProgrammeSettings(db.Model):
    """The programme's own settings (one row): how many juniors a master may train at once, and how many
    school visits a year the ward aims for."""

    __tablename__ = "people_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    max_juniors_per_master: Mapped[int] = mapped_column(default=3)
    visits_target: Mapped[int] = mapped_column(default=12)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class KnowhowCard(db.Model):
    """技能カード: one skill written down by a master or a factory — steps, tolerances, tools, common mistakes,
    photos and short clips."""

    __tablename__ = "knowhow_cards"
    __table_args__ = (check_in("visibility", Visibility),)

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    process_code: Mapped[str] = mapped_column(String(60), index=True)
    factory_id: Mapped[int | None] = mapped_column(ForeignKey("factories.id", ondelete="CASCADE"), index=True)
    master_id: Mapped[int | None] = mapped_column(ForeignKey("masters.id", ondelete="SET NULL"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    visibility: Mapped[str] = mapped_column(String(20), default=Visibility.PRIVATE, index=True)
    summary: Mapped[str] = mapped_column(Text, default="")
    steps: Mapped[str] = mapped_column(Text, default="")  # one step a line
    tolerances: Mapped[str] = mapped_column(Text, default="")
    tools: Mapped[str] = mapped_column(Text, default="")
    mistakes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    factory = relationship("Factory")
    master: Mapped[Master | None] = relationship()
    media: Mapped[list[CardMedia]] = relationship(back_populates="card", cascade="all, delete-orphan",
                                                  order_by="CardMedia.id")

    @property
    def step_list(self) -> list[str]:
        return [line.strip() for line in (self.steps or "").splitlines() if line.strip()]


class CardMedia(StoredDocumentMixin, db.Model):
    """A photo or a short video clip (MP4/WebM, checked by its bytes) of a know-how card."""

    __tablename__ = "knowhow_media"
    __table_args__ = (check_in("kind", MediaKind),)
    upload_kind: ClassVar[str] = "knowhow"

    id: Mapped[int] = mapped_column(primary_key=True)
    card_id: Mapped[int] = mapped_column(ForeignKey("knowhow_cards.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    caption: Mapped[str] = mapped_column(String(200), default="")

    card: Mapped[KnowhowCard] = relationship(back_populates="media")


class OutreachOffer(db.Model):
    """A factory's offer to the programme's outreach: internship places or a 出前授業 visit to a school."""

    __tablename__ = "outreach_offers"
    __table_args__ = (check_in("kind", OfferKind),)

    id: Mapped[int] = mapped_column(primary_key=True)
    factory_id: Mapped[int] = mapped_column(ForeignKey("factories.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    places: Mapped[int] = mapped_column(default=1)
    is_open: Mapped[bool] = mapped_column(default=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    factory = relationship("Factory")
    applications: Mapped[list[OutreachApplication]] = relationship(back_populates="offer",
                                                                   cascade="all, delete-orphan")


class OutreachApplication(db.Model):
    """A school or a student applying for an offer; an organiser marks it held when it took place."""

    __tablename__ = "outreach_applications"
    __table_args__ = (check_in("status", ApplicationStatus),)

    id: Mapped[int] = mapped_column(primary_key=True)
    offer_id: Mapped[int] = mapped_column(ForeignKey("outreach_offers.id", ondelete="CASCADE"), index=True)
    applicant_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    school: Mapped[str] = mapped_column(String(200), default="")
    message: Mapped[str] = mapped_column(Text, default="")
    preferred_on: Mapped[date | None]
    status: Mapped[str] = mapped_column(String(20), default=ApplicationStatus.PENDING)
    held_on: Mapped[date | None] = mapped_column(index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    offer: Mapped[OutreachOffer] = relationship(back_populates="applications")
    applicant = relationship("User")
