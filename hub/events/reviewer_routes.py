"""Reviewer invitations: the invitee's page to accept them (the organiser invites from the pitch-night form)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from hub.auth.identity import external_url
from hub.auth.services import find_user
from hub.events import reviewers
from hub.events.forms import ConfirmForm
from hub.events.models import PitchNight, ReviewerInvitation
from hub.events.routes import bp
from hub.extensions import db
from hub.mail.services import queue_email


def invite_reviewers(night: PitchNight) -> None:
    """Bring the night's invitations in line with its reviewer list and email each new invitee."""
    for invitation in reviewers.sync_invitations(night, night.reviewer_emails or []):
        account = find_user(invitation.email)
        queue_email(invitation.email, "reviewer_invitation", account.locale if account else "ja",
                    template="events/mail/reviewer_invitation.txt", night_title=night.title,
                    invitee_name=account.name if account else invitation.email,
                    link=external_url("events.reviewer_invitations"))


@bp.route("/pitch-nights/invitations")
@login_required
def reviewer_invitations():
    """The signed-in, confirmed factory member's open invitations to review pitch nights."""
    return render_template("events/reviewer_invitations.html", invitations=reviewers.open_invitations(current_user),
                           form=ConfirmForm())


@bp.route("/pitch-nights/invitations/<int:invitation_id>/accept", methods=["POST"])
@login_required
def accept_invitation(invitation_id: int):
    """Accept an invitation addressed to this account (404 for anyone else's)."""
    invitation = db.session.get(ReviewerInvitation, invitation_id)
    if invitation is None or invitation.email != current_user.email.lower():
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        reviewers.accept(invitation, current_user)
    except reviewers.InvitationError as exc:
        flash(str(exc), "danger")
        return redirect(url_for("events.reviewer_invitations"))
    db.session.commit()
    flash(_("Thank you: you can now review the pitches."), "success")
    return redirect(url_for("events.pitch_night_review", night_id=invitation.pitch_night_id))
