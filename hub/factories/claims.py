"""Claiming an imported profile, and the organisers' review queue (held look-alike profiles, claims)."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from hub.auth.decorators import roles_required
from hub.auth.identity import external_url
from hub.extensions import db, limiter
from hub.factories import identity
from hub.factories.access import user_factory
from hub.factories.forms import ClaimForm, DecisionForm
from hub.factories.models import ClaimStatus, Factory, FactoryClaim
from hub.factories.routes import bp
from hub.mail.services import deliver_pending, queue_email


def _claim_limit() -> str:
    return current_app.config["RATELIMIT_SIGNUP"]


@bp.route("/<int:factory_id>/claim", methods=["GET", "POST"])
@roles_required("factory")
@limiter.limit(_claim_limit, methods=["POST"])  # each claim may send an email to the factory's domain
def claim(factory_id: int):
    """A factory member claims an imported profile that nobody manages (by domain email or organiser)."""
    factory = db.get_or_404(Factory, factory_id)
    if not factory.is_public:
        abort(404)
    if not identity.can_claim(current_user, factory):
        abort(403)
    domain = identity.website_domain(factory)
    form = ClaimForm()
    if form.validate_on_submit():
        try:
            row = identity.start_claim(current_user, factory, form.method.data, form.email.data, form.message.data)
        except identity.ClaimError as exc:
            field = form.email if form.method.data == "domain_email" else form.method
            field.errors = [*field.errors, str(exc)]
        else:
            if row.method == "domain_email":
                link = external_url("factories.claim_confirm", token=identity.claim_link_token(row))
                queue_email(row.email, "factory_claim", current_user.locale, factory_name=factory.name,
                            user=current_user, link=link)
                flash(_("We have sent a link to %(email)s. Open it to confirm the claim.", email=row.email), "info")
            else:
                flash(_("Your claim is waiting for the organisers."), "info")
            db.session.commit()
            deliver_pending()
            return redirect(url_for("factories.my_claims"))
    return render_template("factories/claim.html", factory=factory, form=form, domain=domain)


@bp.route("/claims")
@roles_required("factory")
def my_claims():
    """A factory member's claims and their state, and the state of their own profile."""
    return render_template("factories/claims_mine.html", claims=identity.claims_of(current_user),
                           profile=user_factory(current_user))


@bp.route("/claims/confirm/<token>")
def claim_confirm(token: str):
    """The link sent to the factory's domain: opening it proves the mailbox, and the claim is approved."""
    row = identity.claim_from_token(token)
    if row is None:
        flash(_("This link is invalid or has expired."), "danger")
        return redirect(url_for("core.index"))
    try:
        identity.approve_claim(row, actor=None)
    except identity.ClaimError as exc:
        db.session.rollback()
        flash(str(exc), "danger")
        return redirect(url_for("factories.detail", factory_id=row.factory_id))
    _tell_claimant(row)
    db.session.commit()
    deliver_pending()
    flash(_("Confirmed: the profile is now managed by %(name)s's account.", name=row.user.name), "success")
    return redirect(url_for("factories.detail", factory_id=row.factory_id))


@bp.route("/review")
@roles_required("organiser")
def review_queue():
    """Organisers: profiles held because their name matches another, and claims waiting for a decision."""
    return render_template("factories/review_queue.html", held=identity.held_profiles(),
                           claims=identity.pending_claims(), form=DecisionForm())


def _tell_claimant(row: FactoryClaim) -> None:
    """Queue the decision email to the claimant (in their language)."""
    approved = row.status == ClaimStatus.APPROVED
    link = external_url("factories.edit", factory_id=row.factory_id) if approved else \
        external_url("factories.my_claims")
    queue_email(row.user.email, "factory_claim_decided", row.user.locale, user=row.user,
                factory_name=row.factory.name, approved=approved, link=link)


def _decide(action, claim_row: FactoryClaim | None = None) -> None:
    """Run an organiser's approve/reject decision, commit, and tell a claimant."""
    form = DecisionForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        action(form.decision.data == "approve")
        if claim_row is not None:
            _tell_claimant(claim_row)
    except identity.ClaimError as exc:
        db.session.rollback()
        flash(str(exc), "danger")
    else:
        db.session.commit()
        deliver_pending()
        flash(_("Decision saved."), "success")


@bp.route("/review/profiles/<int:factory_id>", methods=["POST"])
@roles_required("organiser")
def review_profile(factory_id: int):
    """Organisers: publish a held profile (a different factory) or reject it as a look-alike."""
    factory = db.get_or_404(Factory, factory_id)
    _decide(lambda publish: identity.decide_profile(factory, current_user, publish))
    return redirect(url_for("factories.review_queue"))


@bp.route("/review/claims/<int:claim_id>", methods=["POST"])
@roles_required("organiser")
def review_claim(claim_id: int):
    """Organisers: approve or reject a claim."""
    row = db.get_or_404(FactoryClaim, claim_id)
    _decide(lambda approve: identity.approve_claim(row, current_user) if approve
            else identity.reject_claim(row, current_user), claim_row=row)
    return redirect(url_for("factories.review_queue"))
