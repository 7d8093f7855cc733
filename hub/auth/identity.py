"""Proof that a person reads mail at their address, and the one rule built on it.

The rule: **an account whose email address is not confirmed acts as a visitor.** It can sign in, see its account
pages (``/auth/…``: confirm, resend, sign out) and browse what any visitor sees; it holds no role and no
organisation anywhere else — no review pages, no factory powers, no shared drawings, no succession disclosures,
no API token. The pages get this from :func:`visitor_until_verified` (a request hook that swaps the signed-in
account for an anonymous visitor outside ``/auth/``); the API from ``hub.api.auth.token_user``; services that take
an explicit actor may also ask :func:`acts_as_member`. Services here flush; the caller commits.
"""

from __future__ import annotations

from flask import current_app, flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_login.utils import login_url
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from hub.auth.models import User
from hub.core.timeutil import utcnow
from hub.extensions import db, login_manager


def acts_as_member(user: User | None) -> bool:
    """Signed in, active and with a confirmed email address: may act as their role."""
    return bool(user is not None and user.is_authenticated and getattr(user, "is_active", False)
                and getattr(user, "email_verified_at", None) is not None)


def external_url(endpoint: str, **values) -> str:
    """An absolute link for an email, built on PUBLIC_BASE_URL (never on the request's Host header)."""
    base = current_app.config.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000").rstrip("/")
    return base + url_for(endpoint, _external=False, **values)


def _serializer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


def make_token(salt: str, payload: dict) -> str:
    """A signed token for ``payload`` (checked with :func:`read_token`; expires after EMAIL_VERIFY_MAX_AGE)."""
    return _serializer(salt).dumps(payload)


def read_token(salt: str, token: str) -> dict | None:
    """The payload of a valid, unexpired token of this ``salt``, or None."""
    if not isinstance(token, str) or len(token) > 500:
        return None
    try:
        data = _serializer(salt).loads(token, max_age=current_app.config["EMAIL_VERIFY_MAX_AGE"])
    except (BadSignature, SignatureExpired):
        return None
    return data if isinstance(data, dict) else None


def make_verify_token(user: User) -> str:
    """A link token bound to this account *and* its current address (changing the address voids it)."""
    return make_token("email-verify", {"uid": user.id, "email": user.email})


def user_from_verify_token(token: str) -> User | None:
    """The account of a valid, unexpired confirmation link whose address is still the account's, or None."""
    data = read_token("email-verify", token)
    if data is None or not isinstance(data.get("uid"), int):
        return None
    user = db.session.get(User, data["uid"])
    if user is None or user.email != data.get("email"):
        return None
    return user


def queue_verification(user: User) -> None:
    """Queue the confirmation email (in the account's language) with a fresh signed link."""
    from hub.mail.services import queue_email

    link = external_url("auth.verify_email", token=make_verify_token(user))
    queue_email(user.email, "verify_email", user.locale, user=user, link=link,
                hours=current_app.config["EMAIL_VERIFY_MAX_AGE"] // 3600)


def mark_verified(user: User) -> bool:
    """Record the confirmation; True when it is new."""
    if user.email_verified_at is not None:
        return False
    user.email_verified_at = utcnow()
    db.session.flush()
    return True


# --- the page side of the rule --------------------------------------------------------------------------------

def visitor_until_verified() -> None:
    """Before every page request: outside ``/auth/``, a signed-in account with an unconfirmed address is
    replaced by an anonymous visitor, so that every role and ownership check in every domain says no."""
    if request.blueprint in ("auth", "api") or request.endpoint == "static":
        return
    user = current_user._get_current_object()
    if user.is_authenticated and getattr(user, "email_verified_at", 1) is None:
        g.unverified_user = user
        g._login_user = login_manager.anonymous_user()


def unauthorized():
    """Flask-Login's answer to a page that needs a signed-in account: an unconfirmed account is sent to the
    "confirm your email" page; everyone else to the sign-in page (Flask-Login's own behaviour)."""
    if g.get("unverified_user") is not None:
        flash(_("Please confirm your email address first: open the link we sent you."), "warning")
        return redirect(url_for("auth.verify_pending"))
    flash(str(login_manager.login_message), login_manager.login_message_category)
    return redirect(login_url(login_manager.login_view, next_url=request.url))


def template_globals() -> dict:
    """``unverified_user`` for the banner in base.html."""
    return {"unverified_user": g.get("unverified_user")}
