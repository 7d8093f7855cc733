"""Running the matcher: the in-memory index, organiser aliases, match and chain pages and API, imports."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Offer the needs that fit a factory to the deals domain's opportunities page (see :mod:`hub.core.providers`)."""
    from hub.core import providers
    from hub.matches import services

    providers.register(app, providers.FITS_FOR_FACTORY, services.fits_for_factory)
