"""Organisers record master–junior pairs and their certification."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from hub.auth.decorators import roles_required
from hub.extensions import db
from hub.factories.models import Factory
from hub.people.forms import PairForm
from hub.people.models import MeisterPair

bp = Blueprint("people", __name__, url_prefix="/organiser/pairs")


def _form(obj=None) -> PairForm:
    form = PairForm(obj=obj)
    form.factory_id.choices = [(0, _("(none)"))] + [
        (row.id, row.name) for row in db.session.execute(db.select(Factory.id, Factory.name).order_by(Factory.name))]
    return form


def _save(pair: MeisterPair, form: PairForm) -> None:
    for field in ("master_name", "junior_name", "process_code", "started_on", "certified_on", "notes"):
        setattr(pair, field, getattr(form, field).data)
    pair.factory_id = form.factory_id.data or None
    pair.notes = pair.notes or ""


@bp.route("/", methods=["GET", "POST"])
@roles_required("organiser")
def index():
    """All pairs, newest first, and a form to record one (organisers only)."""
    form = _form()
    if form.validate_on_submit():
        pair = MeisterPair(created_by_id=current_user.id)
        _save(pair, form)
        db.session.add(pair)
        db.session.commit()
        flash(_("The pair has been recorded."), "success")
        return redirect(url_for("people.index"))
    pairs = db.session.scalars(
        db.select(MeisterPair).options(db.selectinload(MeisterPair.factory))
        .order_by(MeisterPair.started_on.desc(), MeisterPair.id.desc())
    ).all()
    return render_template("people/index.html", form=form, pairs=pairs)


@bp.route("/<int:pair_id>", methods=["GET", "POST"])
@roles_required("organiser")
def edit(pair_id: int):
    """Edit a pair, e.g. to record its certification."""
    pair = db.get_or_404(MeisterPair, pair_id)
    form = _form(pair)
    if form.validate_on_submit():
        _save(pair, form)
        db.session.commit()
        flash(_("The pair has been saved."), "success")
        return redirect(url_for("people.index"))
    return render_template("people/edit.html", form=form, pair=pair)
