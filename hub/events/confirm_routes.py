"""The email confirmation of bookings made without an account (EVENTS_BOOKING_EMAIL_CONFIRMATION): the link in
the email opens a page with one button (link previews and mail scanners confirm nothing); the button books."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from hub.events import confirmation, services, visibility
from hub.events.edge import show_error
from hub.events.errors import EventsError, PartyExceedsFreeSeats
from hub.events.forms import ConfirmForm
from hub.events.routes import _booking_limit, bp, flash_booking_outcome
from hub.extensions import limiter


@bp.route("/openfactory/confirm/<token>", methods=["GET", "POST"])
@limiter.limit(_booking_limit, methods=["POST"])
def confirm_booking(token: str):
    """The owner of an address confirms the booking asked for with it (from the emailed link)."""
    request_row, expired = confirmation.request_for_token(token)
    if request_row is None and not expired:
        abort(404)
    locale = str(get_locale() or "ja")
    form = ConfirmForm()
    choice = None
    if request_row is not None and form.validate_on_submit():
        request_id = request_row.id
        if_short = request.form.get("if_short") if request.form.get("if_short") in services.IF_SHORT else None
        try:
            result = services.with_retry(lambda: confirmation.confirm_request(request_id, if_short=if_short))
        except PartyExceedsFreeSeats as exc:
            choice = exc  # seats went since the request: ask on this page
        except EventsError as exc:
            show_error(exc)
            return redirect(_slot_page(request_row.slot))
        else:
            booking = result.booking
            if not result.created:
                flash(_("This email address already has a booking for this slot; here it is. Nothing was booked "
                        "twice."), "info")
            else:
                flash_booking_outcome(booking)
            return redirect(url_for("events.booking_detail", booking_id=booking.id,
                                    token=services.booking_token(booking)))
    slot = request_row.slot if request_row is not None else None
    return render_template("events/confirm.html", request_row=request_row, expired=expired, form=form, choice=choice,
                           title=services.slot_title(slot, locale) if slot else "",
                           state=services.booking_state(slot) if slot else None)


def _slot_page(slot) -> str:
    """Where a slot is booked: its pitch night's page, its Open Factory page, or the programme."""
    night = services.night_for_slot(slot)
    if night is not None:
        return url_for("events.pitch_night_detail", night_id=night.id)
    if visibility.is_public_slot(slot):
        return url_for("events.slot_detail", slot_id=slot.id)
    return url_for("events.openfactory_index")
