"""The organisers' pages of the programme: plan templates, allowance rates and the report with its CSV for the
ward's accounts, the programme's settings and the outreach tally."""

from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from hub.auth.decorators import roles_required
from hub.core.csvexport import csv_response
from hub.core.timeutil import tokyo_today
from hub.extensions import db
from hub.people import allowances, outreach, services
from hub.people.errors import PeopleError, show_error
from hub.people.forms import RateForm, SettingsForm, TemplateForm
from hub.people.models import ApplicationStatus, OutreachApplication, OutreachOffer, PlanTemplate
from hub.people.routes import bp


@bp.route("/office/templates", methods=["GET", "POST"])
@roles_required("organiser")
def templates():
    """Organisers edit the plan template (milestones) of a process."""
    form = TemplateForm()
    code = request.args.get("process", "")[:60]
    if request.method == "GET" and code:
        form.process_code.data = code
        form.milestones.data = "\n".join(f"{m['title']} | {m.get('title_en', '')} | {m.get('hours', 0)}"
                                         for m in services.plan_template(code))
    if form.validate_on_submit():
        try:
            milestones = services.parse_milestones(form.milestones.data)
            services.save_template(current_user, form.process_code.data, milestones)
        except PeopleError as exc:
            show_error(exc, form)
        else:
            db.session.commit()
            flash(_("The plan template has been saved."), "success")
            return redirect(url_for("people.templates"))
    rows = db.session.scalars(db.select(PlanTemplate).order_by(PlanTemplate.process_code))
    return render_template("people/templates.html", form=form, templates=list(rows), default=services.DEFAULT_PLAN)


def _period() -> tuple[date, date, int, int | None]:
    """The report's period from ``?year=&month=`` (a whole year when no month is given)."""
    today = tokyo_today()
    year = request.args.get("year", type=int) or today.year
    month = request.args.get("month", type=int)
    if not 2000 <= year <= 2100 or (month is not None and not 1 <= month <= 12):
        abort(400)
    if month is None:
        return date(year, 1, 1), date(year, 12, 31), year, None
    end = date(year + (month == 12), month % 12 + 1, 1)
    return date(year, month, 1), date.fromordinal(end.toordinal() - 1), year, month


@bp.route("/office/allowances", methods=["GET", "POST"])
@roles_required("organiser")
def allowance_report():
    """Organisers: the ward's rates (editable) and each pair's allowance for a year or a month."""
    form = RateForm()
    if form.validate_on_submit():
        try:
            allowances.save_rate(current_user, form.effective_from.data, form.master_hourly_yen.data,
                                 form.junior_hourly_yen.data, form.certification_incentive_yen.data)
        except PeopleError as exc:
            show_error(exc, form)
        else:
            db.session.commit()
            flash(_("The rates have been saved."), "success")
            return redirect(url_for("people.allowance_report"))
    start, end, year, month = _period()
    rows = allowances.report(start, end)
    return render_template("people/allowances.html", form=form, rates=allowances.rates(), rows=rows, year=year,
                           month=month, start=start, end=end,
                           total=sum(r.total_yen for r in rows), hours=sum(r.hours for r in rows))


@bp.route("/office/allowances.csv")
@roles_required("organiser")
def allowance_csv():
    """The allowance sheet for the ward's accounts: UTF-8 with a BOM, one line per pair, the totals last."""
    start, end, year, month = _period()
    rows = allowances.report(start, end)
    name = f"allowances-{year}" + (f"-{month:02d}" if month else "") + ".csv"
    return csv_response(allowances.csv_rows(rows, start, end), name)


@bp.route("/office/settings", methods=["GET", "POST"])
@roles_required("organiser")
def programme_settings():
    """Organisers set how many juniors a master may train at once and the yearly school-visit target."""
    row = services.settings()
    form = SettingsForm(obj=row)
    if form.validate_on_submit():
        row.max_juniors_per_master, row.visits_target = form.max_juniors_per_master.data, form.visits_target.data
        db.session.commit()
        flash(_("The settings have been saved."), "success")
        return redirect(url_for("people.programme_settings"))
    db.session.commit()  # the settings row, made on first use
    return render_template("people/settings.html", form=form)


@bp.route("/office/outreach")
@roles_required("organiser")
def outreach_office():
    """Organisers: internships and visits held this year against the target, and the applications to record."""
    year = request.args.get("year", type=int) or tokyo_today().year
    if not 2000 <= year <= 2100:
        abort(400)
    rows = db.session.scalars(db.select(OutreachApplication).where(OutreachApplication.status.in_(
        (ApplicationStatus.ACCEPTED, ApplicationStatus.HELD)))
        .options(db.selectinload(OutreachApplication.offer).selectinload(OutreachOffer.factory))
        .order_by(OutreachApplication.id.desc()).limit(300))
    tally = outreach.tally(year)
    db.session.commit()
    return render_template("people/outreach_office.html", tally=tally, year=year, applications=list(rows))
