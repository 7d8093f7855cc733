"""Open Factory Week (visitors book without an account; factories publish programs and check people in;
organisers run editions) and pitch nights (call for pitches, review, decisions, running order, audience)."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import qrcode
from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from icalendar import Calendar, Event
from sqlalchemy.orm import joinedload, selectinload

from hub.auth.decorators import roles_required
from hub.core.csvexport import csv_response
from hub.core.i18n import request_locale as _locale  # one definition for every domain
from hub.core.params import int_or_none, page_arg
from hub.core.timeutil import from_tokyo, to_tokyo, tokyo_today, utcnow
from hub.events import checkins, confirmation, kpis, programs, services, visibility
from hub.events.edge import show_error
from hub.events.errors import EventsError, PartyExceedsFreeSeats
from hub.events.forms import (
    ApplyForm,
    BookingForm,
    ConfirmForm,
    EditionForm,
    ProgramForm,
    SlotForm,
    WalkInForm,
    kind_choices,
)
from hub.events.models import (
    BOOKING_CANCELLED,
    BOOKING_CONFIRMED,
    PROGRAM_KINDS,
    Booking,
    Edition,
    Participation,
    Program,
    Slot,
)
from hub.extensions import db, limiter
from hub.factories.access import user_factory_id
from hub.factories.models import Factory

bp = Blueprint("events", __name__)

PER_PAGE = 20


def flash_booking_outcome(booking) -> None:
    """Tell a visitor what a new booking became: confirmed, or a place on the waiting list (with its number)."""
    if booking.status == BOOKING_CONFIRMED:
        flash(_("Your booking is confirmed. We have sent you an email with the details."), "success")
    else:
        flash(_("You are on the waiting list (number %(n)s). We will email you if a place frees up.",
                n=services.waitlist_position(booking)), "warning")




# --- visitors -------------------------------------------------------------------------------------------------

@bp.route("/openfactory/")
def openfactory_index():
    """The current Open Factory Week: programs and their slots, with filters (ward, kind, day, language)."""
    edition = services.current_edition()
    if edition is None:
        return render_template("events/index.html", edition=None, page=None, counts={}, filters={}, days=[],
                               wards=[])
    ward = (request.args.get("ward") or "")[:30]
    kind = request.args.get("kind") if request.args.get("kind") in PROGRAM_KINDS else ""
    day = (request.args.get("day") or "")[:10]
    language = request.args.get("language") if request.args.get("language") in ("ja", "en") else ""
    query = (db.select(Program).join(Factory, Program.factory_id == Factory.id)
             .where(Program.edition_id == edition.id, visibility.program_is_public()))
    if ward:
        query = query.where(Factory.ward == ward)
    if kind:
        query = query.where(Program.kind == kind)
    slot_filter = []
    if day:
        try:
            start = from_tokyo(datetime.fromisoformat(day))
        except ValueError:
            start = None
        if start is not None:
            slot_filter += [Slot.starts_at >= start, Slot.starts_at < start + timedelta(days=1)]
    if language:
        slot_filter.append(Slot.language.in_((language, "ja_en")))
    if slot_filter:
        query = query.where(Program.id.in_(db.select(Slot.program_id).where(*slot_filter)))
    query = query.options(joinedload(Program.factory), selectinload(Program.slots)).order_by(Factory.ward,
                                                                                            Factory.name, Program.id)
    page = db.paginate(query, page=page_arg(), per_page=PER_PAGE, max_per_page=PER_PAGE, error_out=False)
    counts = services.slot_counts(s.id for p in page.items for s in p.slots)
    days = [edition.starts_on + timedelta(days=i) for i in range((edition.ends_on - edition.starts_on).days + 1)]
    wards = sorted(services.participating_factories(edition))
    return render_template("events/index.html", edition=edition, page=page, counts=counts, days=days, wards=wards,
                           filters={"ward": ward, "kind": kind, "day": day, "language": language},
                           kinds=kind_choices())


@bp.route("/openfactory/factories")
def participating():
    """Participating factories of the current edition, by ward."""
    edition = services.current_edition()
    by_ward = services.participating_factories(edition) if edition else {}
    return render_template("events/factories.html", edition=edition, by_ward=by_ward)


def _public_slot(slot_id: int) -> Slot:
    slot = visibility.public_slot(slot_id)
    if slot is None:
        abort(404)
    return slot


def _booking_limit() -> str:
    return current_app.config.get("RATELIMIT_BOOKING", "30 per minute")


@bp.route("/openfactory/slots/<int:slot_id>", methods=["GET", "POST"])
@limiter.limit(_booking_limit, methods=["POST"])
def slot_detail(slot_id: int):
    """One slot and the booking form (no account needed)."""
    slot = _public_slot(slot_id)
    form = BookingForm()
    if request.method == "GET":
        form.locale.data = _locale()
        if current_user.is_authenticated:
            form.name.data, form.email.data = current_user.name, current_user.email
    if form.validate_on_submit():
        response = _book_and_redirect(slot, form, url_for("events.slot_detail", slot_id=slot.id))
        if response is not None:
            return response
    counts = services.slot_counts([slot.id])[slot.id]
    return render_template("events/slot.html", slot=slot, form=form, counts=counts,
                           state=services.booking_state(slot), state_messages=services.STATE_MESSAGES)


def _book_and_redirect(slot: Slot, form: BookingForm, back: str):
    """Book through the engine; a request that must not see a booking is sent ``back`` with a neutral message."""
    email = form.email.data
    vouched = confirmation.account_vouches_for(current_user, email)
    confirm = confirmation.confirmation_required()
    try:
        result = services.with_retry(lambda: confirmation.submit_booking(
            slot.id, form.name.data, email, form.party_size.data, form.locale.data, confirm=confirm,
            vouched=vouched, if_short=form.if_short.data or None))
    except PartyExceedsFreeSeats as exc:
        form.short_choice = exc  # the page asks: book the free seats, or wait for the whole party
        return None
    except EventsError as exc:
        show_error(exc, form)
        return None
    booking = result.booking
    if booking is None:
        flash(_("Thank you. We have sent an email to %(email)s: please follow its link to complete or see your "
                "booking. If nothing arrives, check the address and your spam folder.", email=email), "info")
        return redirect(back)
    if result.existing:
        flash(_("You had already booked this slot with this email address; here is that booking. Nothing was "
                "booked twice."), "info")
    else:
        flash_booking_outcome(booking)
    return redirect(url_for("events.booking_detail", booking_id=booking.id, token=services.booking_token(booking)))


def _booking_by_token(booking_id: int) -> tuple[Booking, str]:
    token = request.args.get("token", "")
    booking = services.booking_for_token(booking_id, token)
    if booking is None:
        abort(404)
    return booking, token


@bp.route("/openfactory/bookings/<int:booking_id>")
def booking_detail(booking_id: int):
    """A visitor's booking: status, QR code for the door, calendar file, cancel and manage links."""
    booking, token = _booking_by_token(booking_id)
    # The address's other bookings only for someone who proved they own it (an emailed link): a booking made by
    # typing somebody's address must not open theirs (issue 10, finding 3).
    owner = booking.email_confirmed_at is not None
    return render_template("events/booking.html", booking=booking, token=token,
                           position=services.waitlist_position(booking),
                           overlaps=services.overlapping_bookings(booking) if owner and booking.email_key else [],
                           code=services.checkin_code(booking), title=services.slot_title(booking.slot, _locale()),
                           place=services.slot_place(booking.slot, _locale()),
                           manage=services.manage_token(booking.email) if owner else None)


@bp.route("/openfactory/bookings/<int:booking_id>/qr.png")
def booking_qr(booking_id: int):
    """The booking's signed check-in code as a QR image."""
    booking, _token = _booking_by_token(booking_id)
    image = qrcode.make(services.checkin_code(booking), box_size=8, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    return Response(buffer.getvalue(), mimetype="image/png", headers={"Cache-Control": "private, max-age=3600"})


@bp.route("/openfactory/bookings/<int:booking_id>/booking.ics")
def booking_ics(booking_id: int):
    """The booking as an iCalendar file for the visitor's calendar."""
    booking, _token = _booking_by_token(booking_id)
    locale = booking.locale
    slot = booking.slot
    calendar = Calendar()
    calendar.add("prodid", "-//Machi-Koba Hub//Open Factory//JA")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = Event()
    event.add("uid", f"booking-{booking.id}@machikoba-hub")
    event.add("dtstamp", utcnow().replace(tzinfo=UTC))
    event.add("dtstart", slot.starts_at.replace(tzinfo=UTC))
    event.add("dtend", slot.ends_at.replace(tzinfo=UTC))
    event.add("summary", services.slot_title(slot, locale))
    event.add("location", services.slot_place(slot, locale))
    event.add("description", _("Party of %(n)s. Booking number %(id)s.", n=booking.party_size, id=booking.id))
    event.add("url", url_for("events.booking_detail", booking_id=booking.id, token=services.booking_token(booking),
                             _external=True))
    event.add("status", "CANCELLED" if booking.status == BOOKING_CANCELLED else "CONFIRMED")
    calendar.add_component(event)
    return Response(calendar.to_ical(), mimetype="text/calendar",
                    headers={"Content-Disposition": f'attachment; filename="booking-{booking.id}.ics"'})


@bp.route("/openfactory/bookings/<int:booking_id>/cancel", methods=["GET", "POST"])
def booking_cancel(booking_id: int):
    """Cancel from the email link (a confirmation button first, so that link previews cancel nothing)."""
    booking, token = _booking_by_token(booking_id)
    form = ConfirmForm()
    if booking.status != BOOKING_CANCELLED and form.validate_on_submit():
        try:
            services.with_retry(lambda: services.cancel(db.session.get(Booking, booking_id)))
        except EventsError as exc:
            show_error(exc)
        else:
            flash(_("Your booking has been cancelled. Thank you for letting us know."), "success")
        return redirect(url_for("events.booking_detail", booking_id=booking_id, token=token))
    return render_template("events/cancel.html", booking=booking, token=token, form=form,
                           title=services.slot_title(booking.slot, _locale()))


@bp.route("/openfactory/my/<token>")
def my_bookings(token: str):
    """Every booking made with one email address (from the signed link in each email)."""
    email = services.email_for_manage_token(token)
    if email is None:
        abort(404)
    bookings = db.session.scalars(db.select(Booking).join(Slot).where(db.func.lower(Booking.email) == email)
                                  .options(joinedload(Booking.slot)).order_by(Slot.starts_at)).all()
    locale = _locale()
    rows = [(b, services.booking_token(b), services.slot_title(b.slot, locale)) for b in bookings]
    return render_template("events/my_bookings.html", rows=rows, email=email)


# --- factories: participation, programs, slots, rosters, check-in ---------------------------------------------

def _my_factory() -> Factory:
    factory_id = user_factory_id(current_user)
    if factory_id is None:
        abort(403)
    return db.session.get(Factory, factory_id)


@bp.route("/openfactory/mine")
@roles_required("factory")
def mine():
    """My factory's Open Factory: applications, programs, slots with bookings, links to rosters."""
    factory = _my_factory()
    editions = db.session.scalars(db.select(Edition).where(Edition.ends_on >= tokyo_today())
                                  .order_by(Edition.starts_on)).all()
    rows = []
    for edition in editions:
        programs = db.session.scalars(db.select(Program).where(Program.edition_id == edition.id,
                                                               Program.factory_id == factory.id)
                                      .options(selectinload(Program.slots)).order_by(Program.id)).all()
        rows.append((edition, services.participation_for(edition, factory.id), programs,
                     services.applications_open(edition)))
    counts = services.slot_counts(s.id for _e, _p, programs, _o in rows for p in programs for s in p.slots)
    return render_template("events/mine.html", factory=factory, rows=rows, counts=counts, apply_form=ApplyForm())


@bp.route("/openfactory/editions/<int:edition_id>/apply", methods=["POST"])
@roles_required("factory")
def apply(edition_id: int):
    """Apply for my factory to open its doors in an edition."""
    edition = db.session.get(Edition, edition_id) or abort(404)
    form = ApplyForm()
    if form.validate_on_submit():
        try:
            services.apply(edition, current_user, form.message.data or "")
            db.session.commit()
            flash(_("Your application has been sent. The organisers will reply by email."), "success")
        except EventsError as exc:
            db.session.rollback()
            show_error(exc)
    else:
        flash(_("Please check the message (at most 2000 characters)."), "danger")
    return redirect(url_for("events.mine"))


@bp.route("/openfactory/editions/<int:edition_id>/programs/new", methods=["GET", "POST"])
@roles_required("factory")
def program_new(edition_id: int):
    """Add a program (tour, workshop, sale, talk) once the factory's participation is approved."""
    edition = db.session.get(Edition, edition_id) or abort(404)  # load
    factory = _my_factory()  # check
    if not services.is_participating(edition, factory.id):
        flash(_("Programs can be added once the organisers have approved your participation."), "warning")
        return redirect(url_for("events.mine"))
    form = ProgramForm()
    if form.validate_on_submit():  # act
        program = programs.create_program(edition, current_user, _form_data(form, programs.PROGRAM_FIELDS))
        db.session.commit()
        flash(_("The program has been saved. Now add its time slots."), "success")
        return redirect(url_for("events.slot_new", program_id=program.id))
    return render_template("events/program_edit.html", form=form, program=None, edition=edition)


def _form_data(form, names) -> dict:
    """The named fields' data (the input a service takes)."""
    return {name: form[name].data for name in names}


def _editable_program(program_id: int) -> Program:
    program = db.session.get(Program, program_id) or abort(404)
    if not services.can_edit_program(current_user, program):
        abort(403)
    return program


@bp.route("/openfactory/programs/<int:program_id>/edit", methods=["GET", "POST"])
@login_required
def program_edit(program_id: int):
    """Edit a program (its factory's members and organisers)."""
    program = _editable_program(program_id)
    form = ProgramForm(obj=program)
    if form.validate_on_submit():
        programs.update_program(program, current_user, _form_data(form, programs.PROGRAM_FIELDS))
        db.session.commit()
        flash(_("The program has been saved."), "success")
        return redirect(url_for("events.mine") if current_user.role == "factory"
                        else url_for("events.edition_dashboard", edition_id=program.edition_id))
    return render_template("events/program_edit.html", form=form, program=program, edition=program.edition)


_SLOT_TIMES = ("starts_at", "ends_at", "booking_opens_at", "booking_closes_at")


def _slot_data(form: SlotForm) -> dict:
    """The slot form as a service takes it: the times typed in Tokyo time, as UTC."""
    return {name: from_tokyo(form[name].data) if name in _SLOT_TIMES else form[name].data
            for name in programs.SLOT_FIELDS}


@bp.route("/openfactory/programs/<int:program_id>/slots/new", methods=["GET", "POST"])
@login_required
def slot_new(program_id: int):
    """Add a time slot to a program."""
    program = _editable_program(program_id)  # load and check
    form = SlotForm()
    if form.validate_on_submit():  # act
        programs.add_slot(program, current_user, _slot_data(form))
        db.session.commit()
        flash(_("The slot has been added."), "success")
        return redirect(url_for("events.slot_new", program_id=program.id))
    return render_template("events/slot_edit.html", form=form, program=program, slot=None)


@bp.route("/openfactory/slots/<int:slot_id>/edit", methods=["GET", "POST"])
@login_required
def slot_edit(slot_id: int):
    """Change a slot; a larger capacity confirms waiting parties that now fit."""
    slot = db.session.get(Slot, slot_id) or abort(404)  # load
    if slot.program is None or not services.can_edit_program(current_user, slot.program):  # check
        abort(403)
    form = SlotForm()
    if request.method == "GET":
        for name in programs.SLOT_FIELDS:
            form[name].data = to_tokyo(getattr(slot, name)) if name in _SLOT_TIMES else getattr(slot, name)
    if form.validate_on_submit():  # act
        data = _slot_data(form)
        try:
            promoted = services.with_retry(lambda: programs.update_slot(slot.id, current_user, data))
        except EventsError as exc:
            show_error(exc, form)
        else:
            flash(_("The slot has been saved.") + (" " + _("%(n)s waiting parties were confirmed.", n=len(promoted))
                                                  if promoted else ""), "success")
            return redirect(url_for("events.roster", slot_id=slot.id))
    return render_template("events/slot_edit.html", form=form, program=slot.program, slot=slot)


def _staffed_slot(slot_id: int) -> Slot:
    slot = db.session.get(Slot, slot_id) or abort(404)
    if not services.can_staff_slot(current_user, slot):
        abort(403)
    return slot


@bp.route("/openfactory/slots/<int:slot_id>/roster")
@login_required
def roster(slot_id: int):
    """Printable list of a slot's parties with a check-in button each, the walk-in counter and no-shows."""
    slot = _staffed_slot(slot_id)
    counts = services.slot_counts([slot.id])[slot.id]
    bookings = [b for b in slot.bookings if b.status != BOOKING_CANCELLED]
    no_shows = sum(b.party_size for b in bookings if b.status == BOOKING_CONFIRMED and b.checked_in_at is None) \
        if slot.ends_at <= utcnow() else None
    return render_template("events/roster.html", slot=slot, bookings=bookings, counts=counts, no_shows=no_shows,
                           form=ConfirmForm(), walk_in_form=WalkInForm(),
                           title=services.slot_title(slot, _locale()))


@bp.route("/openfactory/bookings/<int:booking_id>/checkin", methods=["POST"])
@login_required
def roster_checkin(booking_id: int):
    """Check a party in from the roster."""
    booking = db.session.get(Booking, booking_id) or abort(404)
    _staffed_slot(booking.slot_id)
    if ConfirmForm().validate_on_submit():  # the slot's own roster: the staff chose this party
        result = checkins.check_in(current_user, booking=booking, force=True)
        db.session.commit()
        flash(result.message, "success" if result.ok else "warning")
    return redirect(url_for("events.roster", slot_id=booking.slot_id) + f"#booking-{booking.id}")


@bp.route("/openfactory/slots/<int:slot_id>/walk-ins", methods=["POST"])
@login_required
def walk_in(slot_id: int):
    """Count visitors who came without a booking (+1 / −1)."""
    slot = _staffed_slot(slot_id)
    form = WalkInForm()
    if form.validate_on_submit():
        delta = 1 if form.delta.data != "-1" else -1
        total = services.with_retry(lambda: checkins.add_walk_ins(db.session.get(Slot, slot.id), delta))
        flash(_("Walk-ins: %(n)s", n=total), "info")
    return redirect(url_for("events.roster", slot_id=slot.id))


# --- organisers: editions, dashboards, rosters, CSV -----------------------------------------------------------

@bp.route("/openfactory/editions")
@roles_required("organiser")
def editions():
    """Every edition, newest first."""
    rows = db.session.scalars(db.select(Edition).order_by(Edition.starts_on.desc())).all()
    return render_template("events/editions.html", editions=rows)


@bp.route("/openfactory/editions/new", methods=["GET", "POST"])
@bp.route("/openfactory/editions/<int:edition_id>/edit", methods=["GET", "POST"])
@roles_required("organiser")
def edition_edit(edition_id: int | None = None):
    """Create or edit an edition (its days and application window)."""
    edition = db.session.get(Edition, edition_id) if edition_id else None
    if edition_id and edition is None:
        abort(404)
    form = EditionForm(obj=edition)
    if form.validate_on_submit():
        edition = programs.save_edition(edition, current_user, _form_data(form, programs.EDITION_FIELDS))
        db.session.commit()
        flash(_("The edition has been saved."), "success")
        return redirect(url_for("events.edition_dashboard", edition_id=edition.id))
    return render_template("events/edition_edit.html", form=form, edition=edition)


@bp.route("/openfactory/editions/<int:edition_id>/dashboard")
@roles_required("organiser")
def edition_dashboard(edition_id: int):
    """Applications to decide, and per factory: bookings, fill rate, waiting lists, check-ins, no-shows."""
    edition = db.session.get(Edition, edition_id) or abort(404)
    participations = db.session.scalars(db.select(Participation).where(Participation.edition_id == edition.id)
                                        .options(joinedload(Participation.factory))
                                        .order_by(Participation.status, Participation.id)).all()
    stats = kpis.edition_stats(edition)
    factory_id = int_or_none(request.args.get("factory"))
    slots = []
    counts = {}
    if factory_id:
        slots = db.session.scalars(db.select(Slot).join(Program).where(Program.edition_id == edition.id,
                                                                       Program.factory_id == factory_id)
                                   .options(joinedload(Slot.program)).order_by(Slot.starts_at)).all()
        counts = services.slot_counts(s.id for s in slots)
    totals = {key: sum(r[key] for r in stats) for key in ("capacity", "booked", "waitlisted", "checked_in",
                                                          "walk_ins", "no_shows", "slots")}
    totals["fill_rate"] = round(100 * totals["booked"] / totals["capacity"]) if totals["capacity"] else 0
    return render_template("events/dashboard.html", edition=edition, participations=participations, stats=stats,
                           totals=totals, slots=slots, counts=counts, factory_id=factory_id, form=ConfirmForm())


@bp.route("/openfactory/participations/<int:participation_id>/decide", methods=["POST"])
@roles_required("organiser")
def participation_decide(participation_id: int):
    """Approve or reject a factory's application."""
    row = db.session.get(Participation, participation_id) or abort(404)
    decision = request.form.get("decision", "")
    if ConfirmForm().validate_on_submit():
        try:
            services.decide_participation(row, decision, current_user)
            db.session.commit()
            flash(_("%(name)s: decision saved and the factory told by email.", name=row.factory.name), "success")
        except EventsError as exc:
            db.session.rollback()
            show_error(exc)
    return redirect(url_for("events.edition_dashboard", edition_id=row.edition_id))


@bp.route("/openfactory/editions/<int:edition_id>/bookings.csv")
@roles_required("organiser")
def edition_csv(edition_id: int):
    """Every booking of an edition as CSV in UTF-8 with BOM (opens with Japanese intact in Excel)."""
    edition = db.session.get(Edition, edition_id) or abort(404)
    rows = db.session.scalars(db.select(Booking).join(Slot).join(Program).where(Program.edition_id == edition.id)
                              .options(joinedload(Booking.slot).joinedload(Slot.program).joinedload(Program.factory))
                              .order_by(Slot.starts_at, Booking.id)).all()
    locale = _locale()
    table = [[_("Booking"), _("Factory"), _("Ward"), _("Program"), _("Starts"), _("Name"), _("Email"),
              _("People"), _("Status"), _("Checked in"), _("Booked at")]]
    for b in rows:
        program = b.slot.program
        table.append([b.id, program.factory.name, program.factory.ward or "", program.display_title(locale),
                      to_tokyo(b.slot.starts_at).strftime("%Y-%m-%d %H:%M"), b.name, b.email,
                      b.party_size, b.status,
                      to_tokyo(b.checked_in_at).strftime("%H:%M") if b.checked_in_at else "",
                      to_tokyo(b.created_at).strftime("%Y-%m-%d %H:%M")])
    return csv_response(table, f"openfactory-{edition.starts_on.isoformat()}-bookings.csv")

# Pages defined in their own modules, on this blueprint.
from hub.events import checkin_routes, confirm_routes, pitch_routes, reviewer_routes  # noqa: E402,F401
