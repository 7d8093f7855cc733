"""Pitch-night reviewer invitations: bound to an address and a role, and counted only once the confirmed owner of
that address, holding that role, has accepted. Services flush; callers commit."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from hub.auth.identity import acts_as_member
from hub.auth.models import ROLE_FACTORY, User
from hub.core.timeutil import utcnow
from hub.events.models import PitchNight, ReviewerInvitation
from hub.extensions import db


class InvitationError(ValueError):
    """A user-facing reason why an invitation cannot be accepted."""


def sync_invitations(night: PitchNight, emails: list[str], role: str = ROLE_FACTORY) -> list[ReviewerInvitation]:
    """Make the night's invitations match the organiser's list; returns the new ones (to be emailed). Removing an
    address withdraws its invitation, accepted or not."""
    wanted = {e.strip().lower() for e in emails if e.strip()}
    existing = {inv.email: inv for inv in night.invitations}
    for email, invitation in existing.items():
        if email not in wanted:
            night.invitations.remove(invitation)
    new = [ReviewerInvitation(email=email, role=role) for email in sorted(wanted - set(existing))]
    night.invitations.extend(new)
    db.session.flush()
    return new


def accepted_by(user: User | None, night: PitchNight) -> bool:
    """True when this user accepted an invitation to this night with their current, confirmed address and role."""
    if not acts_as_member(user):
        return False
    return any(inv.accepted_by_id == user.id and inv.email == user.email.lower() and inv.role == user.role
               for inv in night.invitations)


def open_invitations(user: User | None) -> list[ReviewerInvitation]:
    """Invitations addressed to this confirmed account that it has not accepted yet."""
    if not acts_as_member(user):
        return []
    return list(db.session.scalars(db.select(ReviewerInvitation).where(
        ReviewerInvitation.email == user.email.lower(), ReviewerInvitation.accepted_at.is_(None))
        .order_by(ReviewerInvitation.id)))


def accept(invitation: ReviewerInvitation, user: User) -> None:
    """The confirmed owner of the invited address, holding the invited role, accepts."""
    if not acts_as_member(user) or invitation.email != user.email.lower():
        raise InvitationError(_l("This invitation is for another address."))
    if user.role != invitation.role:
        raise InvitationError(_l("This invitation is for a factory member's account."))
    if invitation.accepted_at is None:
        invitation.accepted_at, invitation.accepted_by_id = utcnow(), user.id
        db.session.flush()
