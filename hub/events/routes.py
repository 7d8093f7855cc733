"""Open Factory Week (visitors book without an account; factories publish programs and check people in;
organisers run editions) and pitch nights (call for pitches, review, decisions, running order, audience)."""

from __future__ import annotations

import io
from datetime import datetime, timedelta

import qrcode
from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import format_datetime, get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from icalendar import Calendar, Event
from sqlalchemy.orm import joinedload, selectinload

from hub.auth.decorators import roles_required
from hub.core.csvexport import csv_response
from hub.core.params import int_or_none, page_arg
from hub.events import services
from hub.events.forms import (
    ApplyForm,
    BookingForm,
    CheckinForm,
    ConfirmForm,
    DecisionForm,
    EditionForm,
    PitchForm,
    PitchNightForm,
    ProgramForm,
    RunningOrderForm,
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
    Pitch,
    PitchCriterion,
    PitchNight,
    Program,
    Slot,
)
from hub.extensions import db, limiter
from hub.factories.models import Factory
from hub.mail.services import deliver_pending

bp = Blueprint("events", __name__)

PER_PAGE = 20


def _locale() -> str:
    return str(get_locale() or "ja")


@bp.app_template_filter("tokyo")
def tokyo_filter(value, fmt: str = "yyyy-MM-dd (EEE) HH:mm") -> str:
    """A naive UTC datetime in Tokyo time, in the visitor's language."""
    return format_datetime(value, fmt) if value else ""


def _flash_error(exc: services.BookingError) -> None:
    flash(str(exc.message), "danger")


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
             .join(Participation, (Participation.factory_id == Program.factory_id)
                   & (Participation.edition_id == Program.edition_id))
             .where(Program.edition_id == edition.id, Participation.status == "approved", Factory.is_published))
    if ward:
        query = query.where(Factory.ward == ward)
    if kind:
        query = query.where(Program.kind == kind)
    slot_filter = []
    if day:
        try:
            start = services.from_tokyo(datetime.fromisoformat(day))
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
    slot = services.public_slot(slot_id)
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
        response = _book_and_redirect(slot, form)
        if response is not None:
            return response
    counts = services.slot_counts([slot.id])[slot.id]
    return render_template("events/slot.html", slot=slot, form=form, counts=counts,
                           state=services.booking_state(slot), state_messages=services.STATE_MESSAGES)


def _book_and_redirect(slot: Slot, form: BookingForm):
    try:
        result = services.with_retry(lambda: services.book(slot.id, form.name.data, form.email.data,
                                                           form.party_size.data, form.locale.data))
    except services.BookingError as exc:
        if exc.field and exc.field in form:
            form[exc.field].errors = list(form[exc.field].errors) + [str(exc.message)]
        else:
            _flash_error(exc)
        return None
    booking = result.booking
    if not result.created:
        flash(_("You had already booked this slot with this email address; here is that booking. Nothing was "
                "booked twice."), "info")
    elif booking.status == BOOKING_CONFIRMED:
        flash(_("Your booking is confirmed. We have sent you an email with the details."), "success")
    else:
        flash(_("The slot is full, so you are on the waiting list (number %(n)s). We will email you if a place "
                "frees up.", n=services.waitlist_position(booking)), "warning")
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
    return render_template("events/booking.html", booking=booking, token=token,
                           position=services.waitlist_position(booking),
                           overlaps=services.overlapping_bookings(booking) if booking.email_key else [],
                           code=services.checkin_code(booking), title=services.slot_title(booking.slot, _locale()),
                           place=services.slot_place(booking.slot, _locale()),
                           manage=services.manage_token(booking.email))


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
    event.add("dtstamp", services.utcnow().replace(tzinfo=services.UTC))
    event.add("dtstart", slot.starts_at.replace(tzinfo=services.UTC))
    event.add("dtend", slot.ends_at.replace(tzinfo=services.UTC))
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
        except services.BookingError as exc:
            _flash_error(exc)
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
    factory_id = services.user_factory_id(current_user)
    if factory_id is None:
        abort(403)
    return db.session.get(Factory, factory_id)


@bp.route("/openfactory/mine")
@roles_required("factory")
def mine():
    """My factory's Open Factory: applications, programs, slots with bookings, links to rosters."""
    factory = _my_factory()
    editions = db.session.scalars(db.select(Edition).where(Edition.ends_on >= services.tokyo_today())
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
        except services.BookingError as exc:
            db.session.rollback()
            _flash_error(exc)
    else:
        flash(_("Please check the message (at most 2000 characters)."), "danger")
    return redirect(url_for("events.mine"))


@bp.route("/openfactory/editions/<int:edition_id>/programs/new", methods=["GET", "POST"])
@roles_required("factory")
def program_new(edition_id: int):
    """Add a program (tour, workshop, sale, talk) once the factory's participation is approved."""
    edition = db.session.get(Edition, edition_id) or abort(404)
    factory = _my_factory()
    if not services.is_participating(edition, factory.id):
        flash(_("Programs can be added once the organisers have approved your participation."), "warning")
        return redirect(url_for("events.mine"))
    form = ProgramForm()
    if form.validate_on_submit():
        program = Program(edition_id=edition.id, factory_id=factory.id)
        form.populate_obj(program)
        db.session.add(program)
        db.session.commit()
        flash(_("The program has been saved. Now add its time slots."), "success")
        return redirect(url_for("events.slot_new", program_id=program.id))
    return render_template("events/program_edit.html", form=form, program=None, edition=edition)


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
        form.populate_obj(program)
        db.session.commit()
        flash(_("The program has been saved."), "success")
        return redirect(url_for("events.mine") if current_user.role == "factory"
                        else url_for("events.edition_dashboard", edition_id=program.edition_id))
    return render_template("events/program_edit.html", form=form, program=program, edition=program.edition)


def _slot_from_form(slot: Slot, form: SlotForm) -> None:
    slot.starts_at = services.from_tokyo(form.starts_at.data)
    slot.ends_at = services.from_tokyo(form.ends_at.data)
    slot.capacity = form.capacity.data
    slot.admission = form.admission.data
    slot.booking_opens_at = services.from_tokyo(form.booking_opens_at.data)
    slot.booking_closes_at = services.from_tokyo(form.booking_closes_at.data)
    slot.language = form.language.data
    slot.accessibility = (form.accessibility.data or "").strip()
    slot.min_age, slot.max_age = form.min_age.data, form.max_age.data
    slot.fee_yen = form.fee_yen.data or 0


@bp.route("/openfactory/programs/<int:program_id>/slots/new", methods=["GET", "POST"])
@login_required
def slot_new(program_id: int):
    """Add a time slot to a program."""
    program = _editable_program(program_id)
    form = SlotForm()
    if form.validate_on_submit():
        slot = Slot(program=program)
        _slot_from_form(slot, form)
        db.session.add(slot)
        db.session.commit()
        flash(_("The slot has been added."), "success")
        return redirect(url_for("events.slot_new", program_id=program.id))
    return render_template("events/slot_edit.html", form=form, program=program, slot=None)


@bp.route("/openfactory/slots/<int:slot_id>/edit", methods=["GET", "POST"])
@login_required
def slot_edit(slot_id: int):
    """Change a slot; a larger capacity confirms waiting parties that now fit."""
    slot = db.session.get(Slot, slot_id) or abort(404)
    if slot.program is None or not services.can_edit_program(current_user, slot.program):
        abort(403)
    form = SlotForm()
    if request.method == "GET":
        for name in ("capacity", "admission", "language", "accessibility", "min_age", "max_age", "fee_yen"):
            form[name].data = getattr(slot, name)
        for name in ("starts_at", "ends_at", "booking_opens_at", "booking_closes_at"):
            form[name].data = services.to_tokyo(getattr(slot, name))
    if form.validate_on_submit():
        booked = services.confirmed_seats(slot.id)
        if form.capacity.data < booked:
            form.capacity.errors = [_("%(n)s seats are already booked; the capacity cannot be lower.", n=booked)]
        else:
            def work():
                locked = services.lock_slot(slot.id)
                _slot_from_form(locked, form)
                db.session.flush()
                return services.promote_waitlist(locked)

            promoted = services.with_retry(work)
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
        if slot.ends_at <= services.utcnow() else None
    return render_template("events/roster.html", slot=slot, bookings=bookings, counts=counts, no_shows=no_shows,
                           form=ConfirmForm(), walk_in_form=WalkInForm(),
                           title=services.slot_title(slot, _locale()))


@bp.route("/openfactory/bookings/<int:booking_id>/checkin", methods=["POST"])
@login_required
def roster_checkin(booking_id: int):
    """Check a party in from the roster."""
    booking = db.session.get(Booking, booking_id) or abort(404)
    _staffed_slot(booking.slot_id)
    if ConfirmForm().validate_on_submit():
        result = services.check_in(current_user, booking=booking)
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
        total = services.with_retry(lambda: services.add_walk_ins(db.session.get(Slot, slot.id), delta))
        flash(_("Walk-ins: %(n)s", n=total), "info")
    return redirect(url_for("events.roster", slot_id=slot.id))


@bp.route("/checkin", methods=["GET", "POST"])
@roles_required("factory", "organiser")
def checkin():
    """The mobile check-in page: scan or type the code from the visitor's QR."""
    form = CheckinForm()
    result = None
    if form.validate_on_submit():
        result = services.check_in(current_user, code=form.code.data)
        db.session.commit()
        form.code.data = ""
    return render_template("events/checkin.html", form=form, result=result)


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
        edition = edition or Edition()
        form.populate_obj(edition)
        db.session.add(edition)
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
    stats = services.edition_stats(edition)
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
        except services.BookingError as exc:
            db.session.rollback()
            _flash_error(exc)
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
                      services.to_tokyo(b.slot.starts_at).strftime("%Y-%m-%d %H:%M"), b.name, b.email,
                      b.party_size, b.status,
                      services.to_tokyo(b.checked_in_at).strftime("%H:%M") if b.checked_in_at else "",
                      services.to_tokyo(b.created_at).strftime("%Y-%m-%d %H:%M")])
    return csv_response(table, f"openfactory-{edition.starts_on.isoformat()}-bookings.csv")


# --- pitch nights ---------------------------------------------------------------------------------------------

@bp.route("/pitch-nights/")
def pitch_nights():
    """Upcoming pitch nights (and, for a signed-in team, its own pitches)."""
    nights = services.upcoming_pitch_nights()
    past = db.session.scalars(db.select(PitchNight).where(PitchNight.ends_at < services.utcnow())
                              .order_by(PitchNight.starts_at.desc()).limit(10)).all()
    mine = []
    if current_user.is_authenticated:
        mine = db.session.scalars(db.select(Pitch).where(Pitch.submitter_id == current_user.id)
                                  .order_by(Pitch.id.desc())).all()
    return render_template("events/pitch_nights.html", nights=nights, past=past, mine=mine)


def _criteria_text(night: PitchNight) -> str:
    return "\n".join(f"{c.name} | {c.weight}" for c in night.criteria)


@bp.route("/pitch-nights/new", methods=["GET", "POST"])
@bp.route("/pitch-nights/<int:night_id>/edit", methods=["GET", "POST"])
@roles_required("organiser")
def pitch_night_edit(night_id: int | None = None):
    """Create or edit a pitch night: date, venue, capacity, call window, criteria with weights, reviewers."""
    night = db.session.get(PitchNight, night_id) if night_id else None
    if night_id and night is None:
        abort(404)
    form = PitchNightForm()
    if request.method == "GET" and night is None:
        form.criteria.data = _("Feasibility | 2\nFit with local factories | 3\nTeam | 1")
    if request.method == "GET" and night is not None:
        for name in ("title", "title_en", "description", "venue", "is_blind_review", "hide_scores_until_reviewed"):
            form[name].data = getattr(night, name)
        for name in ("starts_at", "ends_at", "cfp_opens_at", "cfp_closes_at"):
            form[name].data = services.to_tokyo(getattr(night, name))
        form.capacity.data = night.slot.capacity if night.slot else 60
        form.criteria.data = _criteria_text(night)
        form.reviewer_emails.data = "\n".join(night.reviewer_emails or [])
    if form.validate_on_submit():
        created = night is None
        night = night or PitchNight(created_by_id=current_user.id)
        for name in ("title", "title_en", "description", "venue", "is_blind_review", "hide_scores_until_reviewed"):
            setattr(night, name, form[name].data)
        for name in ("starts_at", "ends_at", "cfp_opens_at", "cfp_closes_at"):
            setattr(night, name, services.from_tokyo(form[name].data))
        night.reviewer_emails = getattr(form, "parsed_emails", [])
        if night.slot is None:
            night.slot = Slot(capacity=form.capacity.data, starts_at=night.starts_at, ends_at=night.ends_at)
        booked = services.confirmed_seats(night.slot.id) if night.slot.id else 0
        night.slot.capacity = max(form.capacity.data, booked)
        night.slot.starts_at, night.slot.ends_at = night.starts_at, night.ends_at
        if created or not any(p.reviews for p in night.pitches):
            # Criteria can be rewritten until the first review is in (scores refer to them).
            night.criteria = [PitchCriterion(name=name, weight=weight, position=i)
                              for i, (name, weight) in enumerate(form.parsed_criteria)]
        elif [(c.name, c.weight) for c in night.criteria] != form.parsed_criteria:
            flash(_("Reviews have started, so the criteria were kept as they were."), "warning")
        db.session.add(night)
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
    counts = services.slot_counts([night.slot_id])[night.slot_id] if night.slot_id else None
    return render_template("events/pitch_night.html", night=night, form=form, counts=counts,
                           state=services.booking_state(night.slot) if night.slot else "closed",
                           state_messages=services.STATE_MESSAGES, cfp_open=services.cfp_open(night),
                           can_submit=services.can_submit_pitch(current_user),
                           is_reviewer=services.is_reviewer(current_user, night),
                           order=services.running_order(night))


@bp.route("/pitch-nights/<int:night_id>/register", methods=["POST"])
@limiter.limit(_booking_limit)
def pitch_night_register(night_id: int):
    """Register for the audience through the same booking engine (capacity, waiting list, QR)."""
    night = db.session.get(PitchNight, night_id) or abort(404)
    if night.slot is None:
        abort(404)
    form = BookingForm()
    if form.validate_on_submit():
        response = _book_and_redirect(night.slot, form)
        if response is not None:
            return response
    else:
        flash(_("Please check the registration form."), "danger")
    return redirect(url_for("events.pitch_night_detail", night_id=night.id) + "#register")


@bp.route("/pitch-nights/<int:night_id>/submit", methods=["GET", "POST"])
@login_required
def pitch_submit(night_id: int):
    """Submit a pitch (startups, students and other teams) while the call is open."""
    night = db.session.get(PitchNight, night_id) or abort(404)
    if not services.can_submit_pitch(current_user):
        abort(403)
    if not services.cfp_open(night):
        flash(_("The call for pitches is not open."), "warning")
        return redirect(url_for("events.pitch_night_detail", night_id=night.id))
    form = PitchForm()
    if request.method == "GET":
        form.language.data = current_user.locale
    if form.validate_on_submit():
        data = {name: form[name].data.strip() if isinstance(form[name].data, str) else form[name].data
                for name in ("title", "summary", "team", "needs", "language")}
        pitch = services.submit_pitch(night, current_user, data)
        db.session.commit()
        flash(_("Your pitch has been submitted. The organisers will tell you their decision by email."), "success")
        return redirect(url_for("events.pitch_detail", pitch_id=pitch.id))
    return render_template("events/pitch_submit.html", form=form, night=night)


def _viewable_pitch(pitch_id: int) -> Pitch:
    pitch = db.session.get(Pitch, pitch_id) or abort(404)
    if not services.can_view_pitch(current_user, pitch):
        abort(404)
    return pitch


@bp.route("/pitch-nights/pitches/<int:pitch_id>", methods=["GET", "POST"])
@login_required
def pitch_detail(pitch_id: int):
    """A pitch: the team sees its status; reviewers score it; organisers see matched factories and decide."""
    pitch = _viewable_pitch(pitch_id)
    night = pitch.pitch_night
    can_review = services.can_review(current_user, pitch)
    review = services.my_review(current_user, pitch)
    errors = []
    if request.method == "POST":
        if not can_review:
            abort(403)
        if not ConfirmForm().validate_on_submit():
            abort(400)
        scores = {}
        for criterion in night.criteria:
            raw = request.form.get(f"score-{criterion.id}", "")
            score = int_or_none(raw, 1, 5)
            if score is not None:
                scores[criterion.id] = score
            else:
                errors.append(criterion.name)
        comment = (request.form.get("comment") or "")[:5000]
        if not errors:
            services.save_review(current_user, pitch, scores, comment)
            db.session.commit()
            flash(_("Your review has been saved."), "success")
            return redirect(url_for("events.pitch_detail", pitch_id=pitch.id))
        flash(_("Give every criterion a score from 1 to 5."), "danger")
    is_organiser = current_user.role == "organiser"
    show_team = not night.is_blind_review or is_organiser or not services.is_reviewer(current_user, night) \
        or services.own_team(current_user, pitch)
    # The team sees its suggested factories once its acceptance has been sent (never the decision before that).
    announced = pitch.status == "accepted" and pitch.decision_sent_at is not None
    matches = services.pitch_matches(pitch, _locale()) if is_organiser or announced else []
    others_visible = services.may_see_scores(current_user, pitch) or is_organiser and not can_review
    return render_template("events/pitch.html", pitch=pitch, night=night, can_review=can_review, review=review,
                           form=ConfirmForm(), decision_form=DecisionForm(decision=pitch.status),
                           show_team=show_team, matches=matches, others_visible=others_visible,
                           own_team=services.own_team(current_user, pitch), is_organiser=is_organiser,
                           score=services.weighted_score(pitch) if is_organiser else None)


@bp.route("/pitch-nights/pitches/<int:pitch_id>/decide", methods=["POST"])
@roles_required("organiser")
def pitch_decide(pitch_id: int):
    """Accept or reject a pitch (the email goes out with "send decisions", all in one go)."""
    pitch = db.session.get(Pitch, pitch_id) or abort(404)
    form = DecisionForm()
    if form.validate_on_submit():
        services.decide_pitch(pitch, form.decision.data, current_user)
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
    if not services.is_reviewer(current_user, night):
        abort(403)
    is_organiser = current_user.role == "organiser"
    rows = [(p, services.my_review(current_user, p), services.own_team(current_user, p))
            for p in night.pitches if p.status != "withdrawn"]
    pending = sum(1 for p in night.pitches if p.status in ("accepted", "rejected") and p.decision_sent_at is None)
    return render_template("events/pitch_review.html", night=night, rows=rows, is_organiser=is_organiser,
                           ranked=services.ranked(night) if is_organiser else [], pending=pending,
                           order=services.running_order(night), form=ConfirmForm(),
                           order_form=RunningOrderForm(publish=night.running_order_published_at is not None),
                           decision_form=DecisionForm())


@bp.route("/pitch-nights/<int:night_id>/send-decisions", methods=["POST"])
@roles_required("organiser")
def send_decisions(night_id: int):
    """Queue every pending decision email in one go."""
    night = db.session.get(PitchNight, night_id) or abort(404)
    if ConfirmForm().validate_on_submit():
        count = services.send_decisions(night, current_user)
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
        positions = []
        for pitch in services.running_order(night):
            raw = request.form.get(f"position-{pitch.id}", "")
            position = int_or_none(raw, 0, 999)
            positions.append((999 if position is None else position, pitch.id))
        order = [pitch_id for _pos, pitch_id in sorted(positions)]
        try:
            services.set_running_order(night, order, bool(form.publish.data))
            db.session.commit()
            flash(_("The running order has been published.") if form.publish.data
                  else _("The running order has been saved (not published)."), "success")
        except services.BookingError as exc:
            db.session.rollback()
            _flash_error(exc)
    return redirect(url_for("events.pitch_night_review", night_id=night.id) + "#running-order")


@bp.route("/pitch-nights/<int:night_id>/roster")
@roles_required("organiser")
def pitch_night_roster(night_id: int):
    """The audience roster of a pitch night (same roster and check-in as Open Factory slots)."""
    night = db.session.get(PitchNight, night_id) or abort(404)
    if night.slot_id is None:
        abort(404)
    return redirect(url_for("events.roster", slot_id=night.slot_id))




from hub.events.reviewer_routes import invite_reviewers  # noqa: E402  (invitation pages register on bp)
