"""Rules about needs: who may see, edit and open the drawings. Services flush; callers commit."""

from __future__ import annotations

from hub.auth.identity import acts_as_member
from hub.auth.models import User
from hub.core.actors import is_signed_in
from hub.extensions import db
from hub.factories.access import user_factory
from hub.factories.models import Factory
from hub.needs.models import Need, NeedGrant

NEED_FIELDS = ("title", "description", "processes", "materials", "quantity", "deadline", "budget_band", "kind",
               "visibility", "attachment_access", "status", "language", "ward")


def can_view(user: User | None, need: Need) -> bool:
    """Public needs for everyone, members-only for signed-in users, private for the owner and organisers."""
    if is_signed_in(user) and (user.is_organiser or need.owner_id == user.id):
        return True
    if need.visibility == "public":
        return True
    return need.visibility == "members" and is_signed_in(user)


def can_edit(user: User | None, need: Need) -> bool:
    return is_signed_in(user) and (user.is_organiser or need.owner_id == user.id)


def _acting_factory_id(user: User) -> int | None:
    """The published profile this user acts for: a confirmed address, the factory role, and a profile that is
    not held for duplicate-name review (so a look-alike of a real factory opens nothing)."""
    factory = user_factory(user) if acts_as_member(user) else None
    if factory is None or not factory.is_published or factory.review_status is not None:
        return None
    return factory.id


def can_open_attachments(user: User | None, need: Need) -> bool:
    """Drawings: the owner and organisers always; members of a published factory profile when the owner allowed
    it ("any factory member", or the factories the owner chose)."""
    if not is_signed_in(user) or not can_view(user, need):
        return False
    if can_edit(user, need):
        return True
    if need.attachment_access == "factories":
        return _acting_factory_id(user) is not None
    if need.attachment_access == "granted":
        factory_id = _acting_factory_id(user)
        return factory_id is not None and any(g.factory_id == factory_id for g in need.grants)
    return False


def visible_needs_query(user: User | None):
    """Needs this user may see in lists."""
    query = db.select(Need)
    if is_signed_in(user) and user.is_organiser:
        return query
    allowed = ["public", "members"] if is_signed_in(user) else ["public"]
    condition = Need.visibility.in_(allowed)
    if is_signed_in(user):
        condition = condition | (Need.owner_id == user.id)
    return query.where(condition)


def save_need(need: Need, data: dict) -> Need:
    for field in NEED_FIELDS:
        if field in data:
            setattr(need, field, data[field])
    db.session.add(need)
    db.session.flush()
    return need


def grant(need: Need, factory: Factory) -> NeedGrant:
    existing = next((g for g in need.grants if g.factory_id == factory.id), None)
    if existing is not None:
        return existing
    row = NeedGrant(need=need, factory_id=factory.id)
    db.session.add(row)
    db.session.flush()
    return row


class ReadingError(ValueError):
    """A correction of the reading that cannot be applied (unknown step or action)."""


READING_ACTIONS = ("remove", "add", "restore", "reset")


def correct_reading(need: Need, action: str, code: str | None = None) -> Need:
    """The seeker corrects how the hub read their need: ``remove`` a step it understood, ``add`` one from the
    taxonomy, ``restore`` a removed one, or ``reset`` to the hub's own reading. Stored on the need."""
    from matching import Taxonomy

    if action not in READING_ACTIONS:
        raise ReadingError("unknown action")
    removed, added = need.reading_codes("removed"), need.reading_codes("added")
    if action == "reset":
        removed, added = [], []
    else:
        if code not in Taxonomy.default().processes:
            raise ReadingError("unknown process")
        removed = [c for c in removed if c != code]
        added = [c for c in added if c != code]
        if action == "remove":
            removed.append(code)
        elif action == "add":
            added.append(code)
    need.reading = {"removed": removed[:30], "added": added[:12]} if removed or added else None
    db.session.add(need)
    db.session.flush()
    return need
