"""Email confirmation pages, and the hooks that make an unconfirmed account a visitor (see hub.auth.identity)."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from hub.auth import identity
from hub.auth.models import User
from hub.auth.routes import bp
from hub.extensions import db, limiter, login_manager
from hub.mail.services import deliver_pending, queue_email

bp.before_app_request(identity.visitor_until_verified)
bp.app_context_processor(identity.template_globals)
bp.record_once(lambda state: login_manager.unauthorized_handler(identity.unauthorized))


def next_step_for(user: User) -> str:
    """Where a newly confirmed account goes: factory members to their profile, others home."""
    return url_for("factories.edit_mine") if user.role == "factory" else url_for("core.index")


def _resend_limit() -> str:
    return current_app.config["RATELIMIT_SIGNUP"]


@bp.route("/verify")
@login_required
def verify_pending():
    """The signed-in person whose address is not confirmed yet: what to do, and a button to resend the link."""
    if current_user.is_verified:
        return redirect(next_step_for(current_user))
    return render_template("auth/verify_pending.html", form=FlaskForm())


@bp.route("/verify/resend", methods=["POST"])
@login_required
@limiter.limit(_resend_limit)
def verify_resend():
    """Send the confirmation link again (rate-limited)."""
    if current_user.is_verified:
        return redirect(next_step_for(current_user))
    if FlaskForm().validate_on_submit():
        identity.queue_verification(current_user)
        db.session.commit()
        deliver_pending()
        flash(_("We have sent a new link to %(email)s.", email=current_user.email), "info")
    return redirect(url_for("auth.verify_pending"))


@bp.route("/verify/<token>")
def verify_email(token: str):
    """Open the emailed link: the address is confirmed (the link is signed, bound to the address and expires)."""
    user = identity.user_from_verify_token(token)
    if user is None:
        flash(_("This confirmation link is invalid or has expired. Sign in to ask for a new one."), "danger")
        return redirect(url_for("auth.verify_pending") if current_user.is_authenticated else url_for("auth.login"))
    if identity.mark_verified(user):
        queue_email(user.email, "welcome", user.locale, user=user)
    db.session.commit()
    deliver_pending()
    flash(_("Thank you: your email address is confirmed."), "success")
    if current_user.is_authenticated and current_user.id == user.id:
        return redirect(next_step_for(user))
    return redirect(url_for("auth.login", next=next_step_for(user)))
