"""Pitch nights' pages: the list, the organisers' form, the public page with audience registration (through the
booking engine), submissions, reviews, decisions, the running order."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from hub.auth.decorators import roles_required
from hub.core.timeutil import from_tokyo, to_tokyo, utcnow
from hub.events import pitches, services
from hub.events.edge import show_error
from hub.events.errors import EventsError
from hub.events.forms import BookingForm, ConfirmForm, DecisionForm, PitchForm, PitchNightForm, RunningOrderForm
from hub.events.models import Pitch, PitchNight
from hub.events.reviewer_routes import invite_reviewers
from hub.events.routes import _book_and_redirect, _booking_limit, _locale, bp
from hub.extensions import db, limiter
from hub.mail.services import deliver_pending


@bp.route("/pitch-nights/")
def pitch_nights():
    """Upcoming pitch nights (and, for a signed-in team, its own pitches)."""
    nights = pitches.upcoming_pitch_nights()
    past = db.session.scalars(db.select(PitchNight).where(PitchNight.ends_at < utcnow())
                              .order_by(PitchNight.starts_at.desc()).limit(10)).all()
    mine = []
    if current_user.is_authenticated:
        mine = db.session.scalars(db.select(Pitch).where(Pitch.submitter_id == current_user.id)
                                  .order_by(Pitch.id.desc())).all()
    return render_template("events/pitch_nights.html", nights=nights, past=past, mine=mine)


def _criteria_text(night: PitchNight) -> str:
    return "\n".join(f"{c.name} | {c.weight}" for c in night.criteria)


_NIGHT_TIMES = ("starts_at", "ends_at", "cfp_opens_at", "cfp_closes_at")


def _fill_night_form(form: PitchNightForm, night: PitchNight | None) -> None:
    """The form as the organiser last saved it (times in Tokyo), or the default criteria for a new night."""
    if night is None:
        form.criteria.data = _("Feasibility | 2\nFit with local factories | 3\nTeam | 1")
        return
    for name in pitches.NIGHT_FIELDS:
        form[name].data = to_tokyo(getattr(night, name)) if name in _NIGHT_TIMES else getattr(night, name)
    form.capacity.data = night.slot.capacity if night.slot else 60
    form.criteria.data = _criteria_text(night)
    form.reviewer_emails.data = "\n".join(night.reviewer_emails or [])


@bp.route("/pitch-nights/new", methods=["GET", "POST"])
@bp.route("/pitch-nights/<int:night_id>/edit", methods=["GET", "POST"])
@roles_required("organiser")
def pitch_night_edit(night_id: int | None = None):
    """Create or edit a pitch night: date, venue, capacity, call window, criteria with weights, reviewers."""
    night = db.session.get(PitchNight, night_id) if night_id else None  # load (the role is checked above)
    if night_id and night is None:
        abort(404)
    form = PitchNightForm()
    if request.method == "GET":
        _fill_night_form(form, night)
    if form.validate_on_submit():  # act
        data = {name: from_tokyo(form[name].data) if name in _NIGHT_TIMES else form[name].data
                for name in pitches.NIGHT_FIELDS}
        night, kept = pitches.save_pitch_night(night, current_user, data, form.capacity.data,
                                               form.parsed_criteria, getattr(form, "parsed_emails", []))
        if kept:
            flash(_("Reviews have started, so the criteria were kept as they were."), "warning")
        invite_reviewers(night)
        db.session.commit()
        deliver_pending()
        flash(_("The pitch night has been saved."), "success")
        return redirect(url_for("events.pitch_night_detail", night_id=night.id))
    return render_template("events/pitch_night_edit.html", form=form, night=night)


@bp.route("/pitch-nights/<int:night_id>")
def pitch_night_detail(night_id: int):
    """A pitch night: details, audience registration, the call for pitches, the published running order."""
    night = db.session.get(PitchNight, night_id) or abort(404)
    form = BookingForm()
    form.locale.data = _locale()
    if current_user.is_authenticated:
        form.name.data, form.email.data = current_user.name, current_user.email
    return _night_page(night, form)


def _night_page(night: PitchNight, form: BookingForm):
    counts = services.slot_counts([night.slot_id])[night.slot_id] if night.slot_id else None
    return render_template("events/pitch_night.html", night=night, form=form, counts=counts,
                           state=services.booking_state(night.slot) if night.slot else "closed",
                           state_messages=services.STATE_MESSAGES, cfp_open=pitches.cfp_open(night),
                           can_submit=pitches.can_submit_pitch(current_user),
                           is_reviewer=pitches.is_reviewer(current_user, night),
                           order=pitches.running_order(night))


@bp.route("/pitch-nights/<int:night_id>/register", methods=["POST"])
@limiter.limit(_booking_limit)
def pitch_night_register(night_id: int):
    """Register for the audience through the same booking engine (capacity, waiting list, QR)."""
    night = db.session.get(PitchNight, night_id) or abort(404)
    if night.slot is None:
        abort(404)
    form = BookingForm()
    if form.validate_on_submit():
        response = _book_and_redirect(night.slot, form, url_for("events.pitch_night_detail", night_id=night.id))
        if response is not None:
            return response
        if form.short_choice is not None:  # ask on the page, with what was typed
            return _night_page(night, form)
    else:
        flash(_("Please check the registration form."), "danger")
    return redirect(url_for("events.pitch_night_detail", night_id=night.id) + "#register")


@bp.route("/pitch-nights/<int:night_id>/submit", methods=["GET", "POST"])
@login_required
def pitch_submit(night_id: int):
    """Submit a pitch (startups, students and other teams) while the call is open."""
    night = db.session.get(PitchNight, night_id) or abort(404)
    if not pitches.can_submit_pitch(current_user):
        abort(403)
    if not pitches.cfp_open(night):
        flash(_("The call for pitches is not open."), "warning")
        return redirect(url_for("events.pitch_night_detail", night_id=night.id))
    form = PitchForm()
    if request.method == "GET":
        form.language.data = current_user.locale
    if form.validate_on_submit():
        data = {name: form[name].data.strip() if isinstance(form[name].data, str) else form[name].data
                for name in ("title", "summary", "team", "needs", "language")}
        pitch = pitches.submit_pitch(night, current_user, data)
        db.session.commit()
        flash(_("Your pitch has been submitted. The organisers will tell you their decision by email."), "success")
        return redirect(url_for("events.pitch_detail", pitch_id=pitch.id))
    return render_template("events/pitch_submit.html", form=form, night=night)


def _viewable_pitch(pitch_id: int) -> Pitch:
    pitch = db.session.get(Pitch, pitch_id) or abort(404)
    if not pitches.can_view_pitch(current_user, pitch):
        abort(404)
    return pitch


@bp.route("/pitch-nights/pitches/<int:pitch_id>", methods=["GET", "POST"])
@login_required
def pitch_detail(pitch_id: int):
    """A pitch: the team sees its status; reviewers score it; organisers see matched factories and decide."""
    pitch = _viewable_pitch(pitch_id)  # load and check who may see it
    if request.method == "POST":
        if not pitches.can_review(current_user, pitch):
            abort(403)
        if not ConfirmForm().validate_on_submit():
            abort(400)
        scores, missing = pitches.review_scores(pitch.pitch_night, request.form)  # act
        if not missing:
            pitches.save_review(current_user, pitch, scores, (request.form.get("comment") or "")[:5000])
            db.session.commit()
            flash(_("Your review has been saved."), "success")
            return redirect(url_for("events.pitch_detail", pitch_id=pitch.id))
        flash(_("Give every criterion a score from 1 to 5."), "danger")
    view = pitches.pitch_view(current_user, pitch, _locale())
    return render_template("events/pitch.html", pitch=pitch, night=pitch.pitch_night, can_review=view.can_review,
                           review=view.review, form=ConfirmForm(), decision_form=DecisionForm(decision=pitch.status),
                           show_team=view.show_team, matches=view.matches, others_visible=view.others_visible,
                           own_team=view.own_team, is_organiser=view.is_organiser, score=view.score)


@bp.route("/pitch-nights/pitches/<int:pitch_id>/decide", methods=["POST"])
@roles_required("organiser")
def pitch_decide(pitch_id: int):
    """Accept or reject a pitch (the email goes out with "send decisions", all in one go)."""
    pitch = db.session.get(Pitch, pitch_id) or abort(404)
    form = DecisionForm()
    if form.validate_on_submit():
        pitches.decide_pitch(pitch, form.decision.data, current_user)
        db.session.commit()
        flash(_("Decision saved. Send all decisions from the review page when you are ready."), "success")
    if request.form.get("next") == "review":
        return redirect(url_for("events.pitch_night_review", night_id=pitch.pitch_night_id))
    return redirect(url_for("events.pitch_detail", pitch_id=pitch.id))


@bp.route("/pitch-nights/<int:night_id>/review")
@login_required
def pitch_night_review(night_id: int):
    """Reviewers: the pitches to score. Organisers: the ranked list, decisions and the running order."""
    night = db.session.get(PitchNight, night_id) or abort(404)
    if not pitches.is_reviewer(current_user, night):
        abort(403)
    is_organiser = current_user.role == "organiser"
    rows = [(p, pitches.my_review(current_user, p), pitches.own_team(current_user, p))
            for p in night.pitches if p.status != "withdrawn"]
    pending = sum(1 for p in night.pitches if p.status in ("accepted", "rejected") and p.decision_sent_at is None)
    return render_template("events/pitch_review.html", night=night, rows=rows, is_organiser=is_organiser,
                           ranked=pitches.ranked(night) if is_organiser else [], pending=pending,
                           order=pitches.running_order(night), form=ConfirmForm(),
                           order_form=RunningOrderForm(publish=night.running_order_published_at is not None),
                           decision_form=DecisionForm())


@bp.route("/pitch-nights/<int:night_id>/send-decisions", methods=["POST"])
@roles_required("organiser")
def send_decisions(night_id: int):
    """Queue every pending decision email in one go."""
    night = db.session.get(PitchNight, night_id) or abort(404)
    if ConfirmForm().validate_on_submit():
        count = pitches.send_decisions(night, current_user)
        db.session.commit()
        from hub.mail.services import deliver_pending

        deliver_pending()
        flash(_("%(n)s decision emails were sent.", n=count), "success")
    return redirect(url_for("events.pitch_night_review", night_id=night.id))


@bp.route("/pitch-nights/<int:night_id>/running-order", methods=["POST"])
@roles_required("organiser")
def running_order(night_id: int):
    """Save the order of the accepted pitches and (optionally) publish it."""
    night = db.session.get(PitchNight, night_id) or abort(404)
    form = RunningOrderForm()
    if form.validate_on_submit():
        try:
            pitches.set_running_order(night, pitches.order_from(night, request.form), bool(form.publish.data))
            db.session.commit()
            flash(_("The running order has been published.") if form.publish.data
                  else _("The running order has been saved (not published)."), "success")
        except EventsError as exc:
            db.session.rollback()
            show_error(exc)
    return redirect(url_for("events.pitch_night_review", night_id=night.id) + "#running-order")


@bp.route("/pitch-nights/<int:night_id>/roster")
@roles_required("organiser")
def pitch_night_roster(night_id: int):
    """The audience roster of a pitch night (same roster and check-in as Open Factory slots)."""
    night = db.session.get(PitchNight, night_id) or abort(404)
    if night.slot_id is None:
        abort(404)
    return redirect(url_for("events.roster", slot_id=night.slot_id))
