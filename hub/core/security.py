"""Request guards and response headers that protect every page."""

from __future__ import annotations

from flask import Response, abort, request


def _has_nul(values) -> bool:
    return any("\x00" in v for v in values)


def reject_hostile_request() -> None:
    """Refuse NUL characters in query strings and forms with a 400: PostgreSQL cannot store them in text."""
    if _has_nul(request.args.values()) or _has_nul(request.args.keys()):
        abort(400)
    if request.method in ("POST", "PUT", "PATCH") and request.mimetype in (
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ):
        if _has_nul(request.form.values()) or _has_nul(request.form.keys()):
            abort(400)


CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'"
)


def set_security_headers(response: Response) -> Response:
    """Same-origin everything: the hub ships its own assets, so the policy can be strict."""
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("Content-Security-Policy", CSP)
    return response
