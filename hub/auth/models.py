"""Accounts, organisations (a factory's staff or a seeker's team) and API tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from hub.core.timeutil import utcnow
from hub.extensions import db

ROLE_FACTORY = "factory"
ROLE_SEEKER = "seeker"
ROLE_SUCCESSOR = "successor"
ROLE_ORGANISER = "organiser"
ROLES = (ROLE_FACTORY, ROLE_SEEKER, ROLE_SUCCESSOR, ROLE_ORGANISER)
SIGNUP_ROLES = (ROLE_FACTORY, ROLE_SEEKER, ROLE_SUCCESSOR)  # organisers are created by the office (CLI)
SEEKER_KINDS = ("startup", "designer", "student", "researcher")


class Organisation(db.Model):
    """A factory's staff or a seeker's team; users belong to one."""

    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # "factory" | "team"
    name: Mapped[str] = mapped_column(String(200))
    seeker_kind: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    members: Mapped[list[User]] = relationship(back_populates="organisation")


class User(UserMixin, db.Model):
    """A person who signs in. ``role`` decides what they may do; ``organisation`` what they own."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True, index=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20), index=True)
    locale: Mapped[str] = mapped_column(String(5), default="ja")
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    is_active_account: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]
    # Set when the person proved they read mail at ``email`` (the signed link); until then they act as a visitor.
    email_verified_at: Mapped[datetime | None]

    organisation: Mapped[Organisation | None] = relationship(back_populates="members")
    tokens: Mapped[list[ApiToken]] = relationship(back_populates="user", cascade="all, delete-orphan")

    @property
    def is_active(self) -> bool:  # Flask-Login reads this
        return self.is_active_account

    def get_id(self) -> str:
        """Session id bound to the current password: changing the password signs out every other session."""
        return f"{self.id}:{hashlib.sha256(self.password_hash.encode()).hexdigest()[:16]}"

    def set_password(self, password: str) -> None:
        """Store a salted hash (werkzeug's scrypt), never the password."""
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def is_verified(self) -> bool:
        return self.email_verified_at is not None

    @property
    def is_organiser(self) -> bool:
        return self.role == ROLE_ORGANISER

    def has_role(self, *roles: str) -> bool:
        return self.role in roles


class ApiToken(db.Model):
    """A bearer token for the JSON API; only its SHA-256 is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    last_used_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(back_populates="tokens")

    @staticmethod
    def hash(raw: str) -> str:
        return hashlib.sha256(raw.encode()).hexdigest()

    @classmethod
    def issue(cls, user: User, days: int) -> tuple[ApiToken, str]:
        """Make a new token; returns the row and the raw value (shown once)."""
        raw = secrets.token_urlsafe(32)
        token = cls(user=user, token_hash=cls.hash(raw), expires_at=utcnow() + timedelta(days=days))
        return token, raw
