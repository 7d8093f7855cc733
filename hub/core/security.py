"""Request guards and response headers that protect every page."""

from __future__ import annotations

from urllib.parse import urlparse

from flask import Response, abort, current_app, request, url_for


def _bad(values) -> bool:
    """A missing name (a multipart part without one) or a NUL character anywhere."""
    return any(not isinstance(v, str) or "\x00" in v for v in values)


def reject_hostile_request() -> None:
    """Refuse NUL characters in the path, query string and form, and nameless form parts, with a 400:
    PostgreSQL cannot store NUL in text, and no view expects a field without a name."""
    if "\x00" in request.path or _bad(_flat(request.args)):
        abort(400)
    if request.method in ("POST", "PUT", "PATCH", "DELETE") and request.mimetype in (
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ):
        if _bad(_flat(request.form)) or _bad(request.files.keys()):
            abort(400)


def _flat(multidict):
    """Every key and every value (not only the first value of each key)."""
    for key, value in multidict.items(multi=True):
        yield key
        yield value


CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'"
)


def content_security_policy(config) -> str:
    """The CSP: same-origin everything, plus the map tile server's origin for images when one is configured."""
    tiles = urlparse(config.get("MAP_TILE_URL") or "")
    host = tiles.netloc.replace("{s}.", "*.", 1) if tiles.netloc.startswith("{s}.") else tiles.netloc
    if tiles.scheme in ("http", "https") and host and all(c not in host for c in " ;'\"{}"):
        return CSP.replace("img-src 'self' data:", f"img-src 'self' data: {tiles.scheme}://{host}")
    return CSP


def set_security_headers(response: Response) -> Response:
    """Same-origin everything: the hub ships its own assets, so the policy can be strict."""
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("Content-Security-Policy", content_security_policy(current_app.config))
    max_age = current_app.config.get("HSTS_MAX_AGE") or 0
    if max_age and (request.is_secure or current_app.config["PUBLIC_BASE_URL"].startswith("https://")):
        # Only for a site served over https (browsers ignore the header on http anyway).
        response.headers.setdefault("Strict-Transport-Security", f"max-age={int(max_age)}; includeSubDomains")
    return response


def safe_next(target: str | None) -> str:
    """Only same-site relative paths; anything else goes home (no open redirects)."""
    if not target:
        return url_for("core.index")
    parts = urlparse(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return url_for("core.index")
    return target
