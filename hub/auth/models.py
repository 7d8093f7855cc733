"""Accounts, organisations (a factory's staff or a seeker's team) and API tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from hub.core.timeutil import iso_utc, utcnow
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
    # Raised on sign-out and password change: every session cookie and remember-me cookie made before stops working.
    session_version: Mapped[int] = mapped_column(default=0, server_default="0")
    # Set when the person proved they read mail at ``email`` (the signed link); until then they act as a visitor.
    email_verified_at: Mapped[datetime | None]

    organisation: Mapped[Organisation | None] = relationship(back_populates="members")
    tokens: Mapped[list[ApiToken]] = relationship(back_populates="user", cascade="all, delete-orphan")

    @property
    def is_active(self) -> bool:  # Flask-Login reads this
        return self.is_active_account

    def get_id(self) -> str:
        """Session id bound to the session version and the current password: signing out or changing the password
        ends every session and remember-me cookie issued before."""
        fingerprint = hashlib.sha256(self.password_hash.encode()).hexdigest()[:16]
        return f"{self.id}:{self.session_version or 0}:{fingerprint}"

    def end_sessions(self) -> None:
        """Invalidate every session and remember-me cookie of this account."""
        self.session_version = (self.session_version or 0) + 1

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


API_TOKEN_NAME_MAX = 100


class ApiToken(db.Model):
    """A named, expiring bearer token for the JSON API; only its SHA-256 is stored. Its owner lists and revokes it."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(API_TOKEN_NAME_MAX), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    last_used_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(back_populates="tokens")

    @staticmethod
    def hash(raw: str) -> str:
        return hashlib.sha256(raw.encode()).hexdigest()

    @classmethod
    def issue(cls, user: User, days: int, name: str = "") -> tuple[ApiToken, str]:
        """Make a new token; returns the row and the raw value (shown once)."""
        raw = secrets.token_urlsafe(32)
        token = cls(user=user, token_hash=cls.hash(raw), name=name[:API_TOKEN_NAME_MAX],
                    expires_at=utcnow() + timedelta(days=days))
        return token, raw

    def as_dict(self) -> dict:
        """What the owner may see of a token (never its value)."""
        return {"id": self.id, "name": self.name, "created_at": iso_utc(self.created_at),
                "expires_at": iso_utc(self.expires_at), "last_used_at": iso_utc(self.last_used_at)}

