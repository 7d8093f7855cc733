"""Facts one domain offers another without either importing it: a small registry filled at app start.

The matcher ranks with the deals domain's track records, and the deals domain shows the matcher's fits on its
opportunities page. Importing each other would be a cycle, so each domain registers what it offers in its
``init_app(app)`` (called by the app factory in :data:`hub.domains.DOMAINS` order) and the other asks here by
name. A missing provider means the offering domain is not installed: callers get the default.

Writers of data a provider reads tell the readers with :data:`evidence_changed` (sender: the SQLAlchemy
session, ``factory_ids``: the factories concerned; listeners only add and flush): a new rating records a change of
the rated factory for the matcher's index (without ids, every worker rebuilds its index).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from blinker import Namespace
from flask import Flask, current_app

_KEY = "hub.providers"

# Offered by the deals domain, read by the matcher.
TRACK_RECORDS = "track_records"  # () -> {factory_id: 0..1}
COMPLETED_JOBS = "completed_jobs"  # (factory_ids) -> {factory_id: completed deals}
# Offered by the matches domain, read by the deals domain.
FITS_FOR_FACTORY = "fits_for_factory"  # (factory, lang, limit=) -> [(need, fit)]
# Offered by the quotes domain, read by the deals domain.
NOTIFICATION_TEXT = "notification_text"  # (notification) -> str | None: the sentence for a kind deals does not know
DELIVERED_ORDER_DEALS = "delivered_order_deals"  # (year) -> {deal_id}: deals with an order delivered that year
# Offered by the people domain, read by the factory profile and succession listings.
KNOWHOW_CARDS = "knowhow_cards"  # (factory, viewer) -> [know-how cards of the factory the viewer may read]
KNOWHOW_BAND = "knowhow_band"  # (factory_id) -> "none" | "some" | "substantial" | "extensive" (never a count)

evidence_changed = Namespace().signal("evidence-changed")


def register(app: Flask, name: str, function: Callable) -> None:
    """Offer ``function`` under ``name`` to the other domains of this app (one provider per name)."""
    providers = app.extensions.setdefault(_KEY, {})
    if name in providers and providers[name] is not function:
        raise RuntimeError(f"two providers registered for {name!r}")
    providers[name] = function


def call(name: str, *args: Any, default: Any = None, **kwargs: Any) -> Any:
    """The registered provider's answer for the current app, or ``default`` when no domain offers ``name``."""
    function = current_app.extensions.get(_KEY, {}).get(name)
    return default if function is None else function(*args, **kwargs)
