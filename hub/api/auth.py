"""Bearer tokens for the API."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import current_app, g, jsonify, request
from flask_babel import gettext as _

from hub.api import bp
from hub.api.errors import ApiError
from hub.api.validation import get_int, get_str, json_body
from hub.auth import services
from hub.auth.identity import acts_as_member
from hub.auth.models import API_TOKEN_NAME_MAX, User
from hub.extensions import db, limiter


def token_user() -> User | None:
    """The user of the request's bearer token, or None when there is no header."""
    header = request.headers.get("Authorization", "")
    if not header:
        return None
    scheme, _sep, raw = header.partition(" ")
    if scheme.lower() != "bearer" or not raw.strip() or len(raw) > 200:
        raise ApiError(401, "unauthorized", _("Use the header Authorization: Bearer <token>."))
    user = services.user_for_api_token(raw.strip())
    if user is None:
        raise ApiError(401, "unauthorized", _("The token is invalid or has expired."))
    _require_verified(user)
    return user


def _require_verified(user: User) -> None:
    """The API side of hub.auth.identity's rule: an unconfirmed address acts for no role."""
    if not acts_as_member(user):
        raise ApiError(403, "email_unverified", _("Please confirm your email address first: open the link we "
                                                  "sent you."))


def token_required(*roles: str) -> Callable:
    """A valid bearer token (401 otherwise) whose user holds one of ``roles`` when given (403 otherwise)."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args, **kwargs):
            user = token_user()
            if user is None:
                raise ApiError(401, "unauthorized", _("This endpoint needs a bearer token."))
            if roles and user.role not in roles:
                raise ApiError(403, "forbidden", _("You do not have permission to do this."))
            g.api_user = user
            return view(*args, **kwargs)

        return wrapped

    return decorator


def _login_limit() -> str:
    return current_app.config["RATELIMIT_LOGIN"]


@bp.route("/auth/token", methods=["POST"])
@limiter.limit(_login_limit)
def issue_token():
    """Exchange email and password for a bearer token, optionally named and shorter-lived (rate-limited like the
    sign-in page)."""
    data = json_body()
    email = get_str(data, "email", required=True, max_len=254)
    password = get_str(data, "password", required=True, max_len=128)
    name = get_str(data, "name", max_len=API_TOKEN_NAME_MAX) or ""
    longest = current_app.config["API_TOKEN_MAX_AGE_DAYS"]
    days = get_int(data, "expires_in_days", low=1, high=longest, default=longest)
    user = services.authenticate(email, password)
    if user is None:
        raise ApiError(401, "invalid_credentials", _("Wrong email or password."))
    _require_verified(user)
    token, raw = services.create_api_token(user, name=name, days=days)
    db.session.commit()
    return jsonify({"token": raw, "role": user.role, "expires_in_days": days, **token.as_dict()})


@bp.route("/auth/tokens")
@token_required()
def list_tokens():
    """The caller's own API tokens (never their values), newest first."""
    rows = services.list_api_tokens(g.api_user)
    db.session.commit()
    return jsonify({"tokens": [row.as_dict() for row in rows]})


@bp.route("/auth/tokens/<int:token_id>", methods=["DELETE"])
@token_required()
def revoke_token(token_id: int):
    """Revoke one of the caller's own API tokens (404 for anyone else's); 204 when done."""
    if not services.revoke_api_token(g.api_user, token_id):
        raise ApiError(404, "not_found", _("No such token."))
    db.session.commit()
    return "", 204
