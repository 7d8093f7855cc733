"""Skill transfer pages: masters and juniors register, suggestions pair them, both sides accept and an organiser
confirms. Training, certificates, the office pages, know-how cards and outreach are in the sibling ``views_*``
modules, which add their routes to this blueprint."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from hub.auth.decorators import roles_required
from hub.extensions import db
from hub.factories.access import user_factory_id
from hub.factories.models import Factory
from hub.mail.services import commit_and_deliver
from hub.people import cards, labels, notify, services
from hub.people.errors import PeopleError, commit_saved, show_error
from hub.people.forms import ActionForm, JuniorForm, MasterForm
from hub.people.models import Junior, Master, Pair, PairStatus

bp = Blueprint("people", __name__, url_prefix="/people")
bp.add_app_template_global(labels.reason, "people_reason")
bp.add_app_template_global(labels.pair_status, "people_status")
bp.add_app_template_global(labels.visibility, "people_visibility")
bp.add_app_template_global(labels.offer_kind, "people_offer_kind")
bp.add_app_template_global(labels.application_status, "people_application_status")
bp.add_app_template_global(labels.knowhow_band, "people_knowhow_band_label")


@bp.app_template_global("people_knowhow_band")
def people_knowhow_band(factory_id: int | None) -> str:
    """How much of a factory's know-how is documented, as a band (never a count or a title): for anonymous
    succession listings (people/_knowhow_band.html)."""
    return cards.documented_band(factory_id) if factory_id else "none"


@bp.app_template_global("people_knowhow")
def people_knowhow(factory) -> list:
    """The factory's know-how cards this visitor may read, for its profile page (people/_factory_knowhow.html)."""
    return cards.for_factory(factory, current_user)


@bp.route("/")
def index():
    """The programme in short, and for a signed-in person their master or junior profile and their pairs."""
    master = services.master_of(current_user)
    return render_template("people/index.html", master=master, juniors=services.juniors_managed_by(current_user),
                           pairs=services.pairs_for(current_user),
                           is_member=user_factory_id(current_user) is not None)


def _load_master_form(master: Master | None) -> MasterForm:
    form = MasterForm(obj=master)
    if master is not None and request.method == "GET":
        for row, skill in zip(form.skills, master.skills, strict=False):
            row.process_code.data, row.years.data, row.level.data = skill.process_code, skill.years, skill.level
    if not services.is_organiser(current_user):
        del form.max_juniors
    return form


def _master_data(form: MasterForm) -> dict:
    data = {name: getattr(form, name).data for name in services.MASTER_FIELDS if name in form}
    data["bio"] = data.get("bio") or ""
    data["ward"] = data.get("ward") or ""
    return data


def _save_master_view(master: Master | None):
    form = _load_master_form(master)
    if form.validate_on_submit():
        saved = commit_saved(form, lambda: services.save_master(current_user, master, _master_data(form),
                                                                form.skill_rows()),
                             _("The master profile has been saved."))
        if saved is not None:
            return redirect(url_for("people.index"))
    return render_template("people/master_form.html", form=form, master=master)


@bp.route("/masters/new", methods=["GET", "POST"])
@login_required
def master_new():
    """Register as a master (or, for organisers, register a master who has no account)."""
    mine = services.master_of(current_user)
    if mine is not None and not services.is_organiser(current_user):
        return redirect(url_for("people.master_edit", master_id=mine.id))
    return _save_master_view(None)


@bp.route("/masters/<int:master_id>/edit", methods=["GET", "POST"])
@login_required
def master_edit(master_id: int):
    """The master themself or an organiser edits a master profile."""
    master = db.get_or_404(Master, master_id)
    if not services.can_edit_master(current_user, master):
        abort(403)
    return _save_master_view(master)


@bp.route("/people")
@roles_required("organiser")
def people_list():
    """Organisers: every master and junior of the programme."""
    masters = db.session.scalars(db.select(Master).options(db.selectinload(Master.skills)).order_by(Master.name))
    juniors = db.session.scalars(db.select(Junior).options(db.selectinload(Junior.employer)).order_by(Junior.name))
    return render_template("people/people_list.html", masters=list(masters), juniors=list(juniors))


def _junior_form(junior: Junior | None) -> JuniorForm:
    form = JuniorForm(obj=junior)
    if services.is_organiser(current_user):
        del form.is_self
        factories = db.session.execute(db.select(Factory.id, Factory.name).order_by(Factory.name))
        form.employer_id.choices = [(0, _("(none)"))] + [(row.id, row.name) for row in factories]
        if junior is not None and request.method == "GET":
            form.employer_id.data = junior.employer_id or 0
    else:
        del form.employer_id
        if junior is not None or user_factory_id(current_user) is None:
            del form.is_self
    return form


@bp.route("/juniors/new", methods=["GET", "POST"])
@login_required
def junior_new():
    """Register as a junior (a student or apprentice), or — for a member factory — one of its employees."""
    return _save_junior_view(None)


@bp.route("/juniors/<int:junior_id>/edit", methods=["GET", "POST"])
@login_required
def junior_edit(junior_id: int):
    """The junior, their factory or an organiser edits the junior's profile."""
    junior = db.get_or_404(Junior, junior_id)
    if not services.can_edit_junior(current_user, junior):
        abort(403)
    return _save_junior_view(junior)


def _save_junior_view(junior: Junior | None):
    form = _junior_form(junior)
    if form.validate_on_submit():
        data = {name: getattr(form, name).data for name in services.JUNIOR_FIELDS}
        data.update(school=data["school"] or "", ward=data["ward"] or "", notes=data["notes"] or "")
        employer = form.employer_id.data or None if "employer_id" in form else None
        is_self = form.is_self.data if "is_self" in form else True
        saved = commit_saved(form, lambda: services.save_junior(current_user, junior, data, employer_id=employer,
                                                                is_self=is_self),
                             _("The junior's profile has been saved."))
        if saved is not None:
            return redirect(url_for("people.suggestions", junior_id=saved.id))
    return render_template("people/junior_form.html", form=form, junior=junior)


@bp.route("/juniors/<int:junior_id>/suggestions")
@login_required
def suggestions(junior_id: int):
    """Masters suggested for a junior, with the reasons; the junior's side (or an organiser) proposes one."""
    junior = db.get_or_404(Junior, junior_id)
    if not services.can_edit_junior(current_user, junior):
        abort(403)
    return render_template("people/suggestions.html", junior=junior, suggestions=services.suggestions(junior),
                           form=ActionForm())


@bp.route("/juniors/<int:junior_id>/propose/<int:master_id>", methods=["POST"])
@login_required
def propose(junior_id: int, master_id: int):
    """Propose the pair: the proposing side has accepted; the other side and an organiser follow."""
    junior, master = db.get_or_404(Junior, junior_id), db.get_or_404(Master, master_id)
    if not (services.can_edit_junior(current_user, junior) or services.is_organiser(current_user)):
        abort(403)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        pair = services.propose(current_user, junior, master, request.form.get("process_code", "")[:60])
    except PeopleError as exc:
        show_error(exc)
        return redirect(url_for("people.suggestions", junior_id=junior.id))
    notify.proposed(pair, current_user)
    commit_and_deliver()
    flash(_("The pair has been proposed to the master."), "success")
    return redirect(url_for("people.pair", pair_id=pair.id))


@bp.route("/pairs")
@roles_required("organiser")
def pairs():
    """Organisers: every pair, those waiting for confirmation first."""
    rows = db.session.scalars(db.select(Pair).options(db.selectinload(Pair.master), db.selectinload(Pair.junior))
                              .order_by((Pair.status == PairStatus.PROPOSED).desc(), Pair.id.desc()))
    return render_template("people/pairs.html", pairs=list(rows), form=ActionForm())


def _pair_for_sides(pair_id: int) -> Pair:
    pair = db.get_or_404(Pair, pair_id)
    if not services.can_view_pair(current_user, pair):
        abort(404)  # a pair is private: others do not learn that it exists
    return pair


def _act(pair: Pair, action, message: str, then=None):
    """Run a service on a button press; ``then`` (e.g. queueing emails) after it succeeded, before the commit."""
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        action()
    except PeopleError as exc:
        show_error(exc)
    else:
        if then is not None:
            then()
        commit_and_deliver()
        flash(message, "success")
    return redirect(url_for("people.pair", pair_id=pair.id))


@bp.route("/pairs/<int:pair_id>/answer", methods=["POST"])
@login_required
def answer(pair_id: int):
    """The master or the junior's side accepts (``accept=1``) or declines a proposed pair."""
    pair = _pair_for_sides(pair_id)
    yes = request.form.get("accept") == "1"
    return _act(pair, lambda: services.accept(current_user, pair, yes),
                _("You accepted the pair.") if yes else _("You declined the pair."))


@bp.route("/pairs/<int:pair_id>/confirm", methods=["POST"])
@roles_required("organiser")
def confirm(pair_id: int):
    """An organiser confirms (``confirm=1``) or rejects a pair both sides accepted."""
    pair = db.get_or_404(Pair, pair_id)
    yes = request.form.get("confirm") == "1"
    return _act(pair, lambda: services.confirm(current_user, pair, yes),
                _("The pair is confirmed: training can start.") if yes else _("The pair has been rejected."),
                then=(lambda: notify.confirmed(pair)) if yes else None)


@bp.route("/pairs/<int:pair_id>/end", methods=["POST"])
@roles_required("organiser")
def end(pair_id: int):
    """An organiser ends an active pair without certification."""
    pair = db.get_or_404(Pair, pair_id)
    return _act(pair, lambda: services.end(current_user, pair), _("The pair has ended."))


from hub.people import views_cards, views_office, views_outreach, views_training  # noqa: E402, F401
