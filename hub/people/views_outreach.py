"""Outreach pages: factories offer internship places and 出前授業 visits, schools and students apply, the factory
answers and organisers record what was held."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from hub.core.actors import is_signed_in
from hub.extensions import db
from hub.factories.access import user_factory_id
from hub.people import outreach
from hub.people.errors import PeopleError, commit_saved, show_error
from hub.people.forms import ActionForm, ApplyForm, OfferForm
from hub.people.models import OutreachApplication, OutreachOffer
from hub.people.routes import bp


@bp.route("/outreach")
def offers():
    """Open internship places and school visits offered by member factories."""
    rows = db.session.scalars(db.select(OutreachOffer).where(OutreachOffer.is_open)
                              .options(db.selectinload(OutreachOffer.factory)).order_by(OutreachOffer.id.desc()))
    return render_template("people/offers.html", offers=list(rows), is_member=user_factory_id(current_user) is not None)


def _save_offer_view(offer: OutreachOffer | None):
    form = OfferForm(obj=offer)
    if form.validate_on_submit():
        data = {name: getattr(form, name).data for name in outreach.OFFER_FIELDS}
        data["description"] = data["description"] or ""
        saved = commit_saved(form, lambda: outreach.save_offer(current_user, offer, data),
                             _("The offer has been saved."))
        if saved is not None:
            return redirect(url_for("people.offer", offer_id=saved.id))
    return render_template("people/offer_form.html", form=form, offer=offer)


@bp.route("/outreach/new", methods=["GET", "POST"])
@login_required
def offer_new():
    """A member factory offers internship places or a school visit."""
    if user_factory_id(current_user) is None:
        abort(403)
    return _save_offer_view(None)


@bp.route("/outreach/<int:offer_id>/edit", methods=["GET", "POST"])
@login_required
def offer_edit(offer_id: int):
    """The offering factory edits or closes its offer."""
    offer = db.get_or_404(OutreachOffer, offer_id)
    if not outreach.can_manage(current_user, offer):
        abort(403)
    return _save_offer_view(offer)


@bp.route("/outreach/<int:offer_id>", methods=["GET", "POST"])
def offer(offer_id: int):
    """An offer; signed-in schools and students apply here; the factory sees the applications."""
    offer = db.get_or_404(OutreachOffer, offer_id)
    if not offer.is_open and not outreach.can_manage(current_user, offer):
        abort(404)
    form = ApplyForm()
    if request.method == "POST":
        if not is_signed_in(current_user):
            return current_app.login_manager.unauthorized()  # sign in (or confirm the email address) first
        if form.validate_on_submit():
            try:
                outreach.apply(current_user, offer, form.school.data, form.message.data or "", form.preferred_on.data)
            except PeopleError as exc:
                show_error(exc, form)
            else:
                db.session.commit()
                flash(_("Your application has been sent."), "success")
                return redirect(url_for("people.offer", offer_id=offer.id))
    manage = outreach.can_manage(current_user, offer)
    mine = [a for a in offer.applications if is_signed_in(current_user) and a.applicant_id == current_user.id]
    return render_template("people/offer.html", offer=offer, form=form, manage=manage, mine=mine,
                           action_form=ActionForm())


@bp.route("/outreach/applications/<int:application_id>/decide", methods=["POST"])
@login_required
def application_decide(application_id: int):
    """The factory accepts or declines (``status``); an organiser marks an accepted one held."""
    application = db.get_or_404(OutreachApplication, application_id)
    if not outreach.can_view_application(current_user, application):
        abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        outreach.decide(current_user, application, request.form.get("status", "")[:20])
    except PeopleError as exc:
        show_error(exc)
    else:
        db.session.commit()
        flash(_("The application has been updated."), "success")
    target = request.form.get("next") == "office" and "people.outreach_office"
    return redirect(url_for(target) if target else url_for("people.offer", offer_id=application.offer_id))
