"""From match to deal: inquiries, a shared workspace per deal, outcomes, ratings, notifications, abuse controls."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Offer the track records the matcher ranks with (see :mod:`hub.core.providers`)."""
    from hub.core import providers
    from hub.deals import services

    providers.register(app, providers.TRACK_RECORDS, services.track_records)
    providers.register(app, providers.COMPLETED_JOBS, services.completed_jobs)
