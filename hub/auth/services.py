"""Account operations shared by the pages, the API and the CLI. They flush; the caller commits."""

from __future__ import annotations

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from hub.auth.models import ROLE_FACTORY, ROLES, ApiToken, Organisation, User
from hub.core.timeutil import utcnow
from hub.extensions import db


class AccountError(ValueError):
    """A user-facing reason why an account operation was refused."""


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user(email: str) -> User | None:
    return db.session.scalar(db.select(User).where(User.email == normalise_email(email)))


def create_user(email: str, password: str, *, name: str, role: str, locale: str = "ja",
                organisation_name: str | None = None, seeker_kind: str | None = None,
                email_verified: bool = False) -> User:
    """Make an account (and its organisation when a name is given). Raises AccountError for a taken email.
    ``email_verified`` only for accounts the office or the demo make; sign-ups confirm their address by link."""
    if role not in ROLES:
        raise AccountError(f"unknown role: {role}")
    email = normalise_email(email)
    if find_user(email) is not None:
        raise AccountError("email_taken")
    user = User(email=email, name=name.strip() or email, role=role, locale=locale,
                email_verified_at=utcnow() if email_verified else None)
    user.set_password(password)
    if organisation_name and organisation_name.strip():
        kind = "factory" if role == ROLE_FACTORY else "team"
        user.organisation = Organisation(kind=kind, name=organisation_name.strip(), seeker_kind=seeker_kind or None)
    db.session.add(user)
    db.session.flush()
    return user


def register(email: str, password: str, *, name: str, role: str, locale: str = "ja",
             organisation_name: str | None = None, seeker_kind: str | None = None) -> User | None:
    """Sign-up for a visitor: a new account and the email that confirms its address (the welcome follows the
    confirmation), or, when the address already has an account, an email telling its owner (and no account). Both
    take about as long, so the answer reveals nothing."""
    from hub.auth.identity import queue_verification
    from hub.mail.services import queue_email

    existing = find_user(email)
    if existing is not None:
        User(password_hash="").set_password(password)  # the same hashing work as a new account
        queue_email(existing.email, "signup_existing", existing.locale, user=existing)
        return None
    user = create_user(email, password, name=name, role=role, locale=locale, organisation_name=organisation_name,
                       seeker_kind=seeker_kind)
    queue_verification(user)
    return user


def authenticate(email: str, password: str) -> User | None:
    """The active user with this email and password, or None (same answer for unknown email and bad password)."""
    user = find_user(email)
    if user is None:
        # Spend the same time as a real check so response times do not reveal which emails exist.
        User(password_hash=_DUMMY_HASH()).check_password(password)
        return None
    if not user.is_active or not user.check_password(password):
        return None
    user.last_login_at = utcnow()
    return user


_dummy: list[str] = []


def _DUMMY_HASH() -> str:  # noqa: N802 - a lazily computed constant
    if not _dummy:
        from werkzeug.security import generate_password_hash

        _dummy.append(generate_password_hash("not-a-real-password"))
    return _dummy[0]


def _reset_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="password-reset")


def make_reset_token(user: User) -> str:
    """A signed, expiring token bound to the current password hash, so it works once."""
    return _reset_serializer().dumps({"uid": user.id, "ph": user.password_hash[-16:]})


def user_from_reset_token(token: str) -> User | None:
    try:
        data = _reset_serializer().loads(token, max_age=current_app.config["PASSWORD_RESET_MAX_AGE"])
    except (BadSignature, SignatureExpired):
        return None
    if not isinstance(data, dict):
        return None
    user = db.session.get(User, data.get("uid")) if isinstance(data.get("uid"), int) else None
    if user is None or user.password_hash[-16:] != data.get("ph"):
        return None
    return user


def change_password(user: User, password: str) -> None:
    """Set a new password, revoke every API token and end every session and remember-me cookie (for the owner)."""
    user.set_password(password)
    user.end_sessions()
    db.session.execute(db.delete(ApiToken).where(ApiToken.user_id == user.id))
    db.session.flush()


def sign_out_everywhere(user: User) -> None:
    """End every session and remember-me cookie of ``user`` (called on sign-out, so a copied cookie dies too)."""
    user.end_sessions()
    db.session.flush()


def token_lifetime_days(requested: int | None = None) -> int:
    """The lifetime of a new API token: what was asked for, at most API_TOKEN_MAX_AGE_DAYS (the default)."""
    longest = current_app.config["API_TOKEN_MAX_AGE_DAYS"]
    if requested is None:
        return longest
    if requested < 1 or requested > longest:
        raise AccountError("token_lifetime")
    return requested


def issue_api_token(user: User, *, name: str = "", days: int | None = None) -> str:
    """A new bearer token for ``user`` (its owner), named and expiring; returns the raw value, shown once."""
    return create_api_token(user, name=name, days=days)[1]


def create_api_token(user: User, *, name: str = "", days: int | None = None) -> tuple[ApiToken, str]:
    """As :func:`issue_api_token`, also returning the stored row (for listing its id and expiry)."""
    token, raw = ApiToken.issue(user, token_lifetime_days(days), (name or "").strip())
    db.session.add(token)
    db.session.flush()
    return token, raw


def list_api_tokens(user: User) -> list[ApiToken]:
    """The owner's tokens that still work, newest first (expired ones are deleted on the way)."""
    db.session.execute(db.delete(ApiToken).where(ApiToken.user_id == user.id, ApiToken.expires_at < utcnow()))
    return list(db.session.scalars(
        db.select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc())))


def revoke_api_token(user: User, token_id: int) -> bool:
    """Delete one of ``user``'s own tokens; False when ``token_id`` is not theirs (or does not exist)."""
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        return False
    db.session.delete(token)
    db.session.flush()
    return True


def user_for_api_token(raw: str) -> User | None:
    """The active owner of a valid, unexpired token (and mark it used), or None."""
    token = db.session.scalar(db.select(ApiToken).where(ApiToken.token_hash == ApiToken.hash(raw)))
    if token is None or token.expires_at < utcnow() or not token.user.is_active:
        return None
    token.last_used_at = utcnow()
    return token.user
