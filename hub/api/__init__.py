"""The JSON API under /api/v1: a thin layer over the same services as the pages."""

from __future__ import annotations

from flask import Blueprint, current_app

from hub.api.errors import ApiError, error_response
from hub.extensions import limiter

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def _api_limit() -> str:
    return current_app.config["RATELIMIT_API"]


limiter.limit(_api_limit)(bp)


@bp.errorhandler(ApiError)
def handle_api_error(exc: ApiError):
    return error_response(exc.status, exc.code, exc.message, exc.fields, exc.extra)


from hub.api import auth, factories, openapi  # noqa: E402,F401  (routes register on bp)


def _load_domain_endpoints() -> None:
    """Domains add their endpoints in ``hub/<domain>/api.py`` (registering on this ``bp``)."""
    from hub import domain_modules

    domain_modules("api")


_load_domain_endpoints()
