"""Check-in at the door, on a phone: scan the visitor's QR code with the camera (or type the code), or find the
party by name in today's list when they have no code. A booking for another day or slot is flagged first."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from hub.auth.decorators import roles_required
from hub.core.i18n import request_locale
from hub.core.params import int_or_none
from hub.events import checkins, services
from hub.events.forms import CheckinForm, ConfirmForm
from hub.events.models import Booking
from hub.events.routes import bp
from hub.extensions import db


@bp.route("/checkin", methods=["GET", "POST"])
@roles_required("factory", "organiser")
def checkin():
    """The mobile check-in page: scan the visitor's QR code with the camera, or type the code under it."""
    form = CheckinForm()
    result = None
    if form.validate_on_submit():
        result = checkins.check_in(current_user, code=form.code.data, force=form.force.data == "1")
        db.session.commit()
        if not (result and result.can_force):
            form.code.data = ""
    form.force.data = ""
    return render_template("events/checkin.html", form=form, result=result,
                           today=len(checkins.todays_slots(current_user)))


@bp.route("/checkin/list")
@roles_required("factory", "organiser")
def checkin_list():
    """Today's parties searched by name, for visitors without their code (works with the keyboard alone)."""
    slots = checkins.todays_slots(current_user)
    slot_id = int_or_none(request.args.get("slot"))
    if slot_id is not None and slot_id not in {s.id for s in slots}:
        slot_id = None
    query = (request.args.get("q") or "").strip()[:60]
    bookings = checkins.find_bookings(slots, query, slot_id)
    return render_template("events/checkin_list.html", slots=slots, slot_id=slot_id, query=query, bookings=bookings,
                           form=ConfirmForm(), titles={s.id: services.slot_title(s, request_locale()) for s in slots})


@bp.route("/checkin/bookings/<int:booking_id>", methods=["POST"])
@roles_required("factory", "organiser")
def checkin_booking(booking_id: int):
    """Check a party in from today's list (a booking for another slot than now is flagged unless admitted anyway)."""
    booking = db.session.get(Booking, booking_id) or abort(404)
    if not services.can_staff_slot(current_user, booking.slot):
        abort(403)
    if ConfirmForm().validate_on_submit():
        result = checkins.check_in(current_user, booking=booking, force=request.form.get("force") == "1")
        db.session.commit()
        flash(result.message, "success" if result.ok else "warning")
        if result.can_force:
            return redirect(url_for("events.checkin_list", q=request.form.get("q", "")[:60], admit=booking.id,
                                    slot=int_or_none(request.form.get("slot"))) + f"#booking-{booking.id}")
    return redirect(url_for("events.checkin_list", q=request.form.get("q", "")[:60],
                            slot=int_or_none(request.form.get("slot"))))
