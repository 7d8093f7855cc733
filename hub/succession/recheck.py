"""Re-checking published listings when the public directory changes, and holding those that no longer hide among
k factories. Registered as a listener of :data:`hub.factories.signals.directory_changed` by the succession domain
(the directory does not know about succession)."""

from __future__ import annotations

from flask import current_app, has_request_context, url_for

from hub.auth.models import ROLE_ORGANISER, User
from hub.core.timeutil import utcnow
from hub.extensions import db
from hub.factories import signals
from hub.succession import kanon, services
from hub.succession.models import ListingStatus, SuccessionListing

HOLD_DIRECTORY = "directory_changed"


def hold(listing: SuccessionListing, reason: str, actor: User | None = None) -> None:
    """Hide a published listing from successors (status "held") and tell its owners and the organisers why."""
    listing.status = ListingStatus.HELD
    listing.hold_reason = reason
    listing.held_at = utcnow()
    services.audit(listing, actor, "listing_held", reason)
    link = _link(listing)
    recipients = services.owners(listing) + list(db.session.scalars(db.select(User).where(
        User.role == ROLE_ORGANISER, User.is_active_account.is_(True)).order_by(User.id)))
    for user in recipients:
        services._mail(user, "listing_held", listing=listing, link=link)
    db.session.flush()


def _link(listing: SuccessionListing) -> str:
    """An absolute link for the email; outside a request (an import, a script) from PUBLIC_BASE_URL."""
    if has_request_context():
        return url_for("succession.detail", public_id=listing.public_id, _external=True)
    with current_app.test_request_context(base_url=current_app.config.get("PUBLIC_BASE_URL")):
        return url_for("succession.detail", public_id=listing.public_id, _external=True)


def recheck_published(entries: list[kanon.Entry] | None = None) -> list[SuccessionListing]:
    """Count again, for every published listing, the directory entries that share its public form; hold those below
    k. Returns the listings held now. For organisers' tools, the importer and the directory listener."""
    published = SuccessionListing.status == ListingStatus.PUBLISHED
    listings = db.session.scalars(db.select(SuccessionListing).where(published)
                                  .order_by(SuccessionListing.id)).all()
    if not listings:
        return []
    entries = kanon.directory_entries() if entries is None else entries
    k = kanon.k_value()
    held = []
    for listing in listings:
        view = listing.public_view
        if view is None:  # published before the check existed: generalise it now
            view = kanon.generalise(listing, entries, k)
            listing.public_view = view
            listing.search_text = services._search_text(listing)
            if view["blocked"] is None:
                continue
        else:
            found = kanon.count(kanon.shown_of(view), entries)
            listing.public_view = {**view, "candidates": found, "k": k}
            if found >= k:
                continue
            listing.public_view = {**listing.public_view, "blocked": "directory"}
        hold(listing, HOLD_DIRECTORY)
        held.append(listing)
    db.session.flush()
    return held


def _on_directory_changed(session, **_extra) -> None:
    if session is db.session():
        recheck_published()


def connect() -> None:
    """Listen to directory changes (idempotent)."""
    signals.directory_changed.connect(_on_directory_changed, weak=False)
