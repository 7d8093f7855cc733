"""Posting, browsing and editing needs; drawings with access control."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from hub.auth.decorators import roles_required
from hub.core import uploads
from hub.core.i18n import request_locale
from hub.core.labels import process_choices
from hub.core.params import page_arg
from hub.extensions import db
from hub.factories.models import Factory
from hub.needs import services
from hub.needs.forms import (
    AttachmentForm,
    GrantForm,
    NeedFilterForm,
    NeedForm,
    ReadingForm,
    kind_choices,
    status_choices,
)
from hub.needs.models import Need, NeedAttachment, NeedGrant, NeedStatus

bp = Blueprint("needs", __name__, url_prefix="/needs")

MAX_ATTACHMENTS = 20


def _get_viewable(need_id: int) -> Need:
    need = db.session.get(Need, need_id)
    if need is None or not services.can_view(current_user, need):
        abort(404)
    return need


def _get_editable(need_id: int) -> Need:
    need = db.session.get(Need, need_id)
    if need is None or not services.can_view(current_user, need):
        abort(404)
    if not services.can_edit(current_user, need):
        abort(403)
    return need


@bp.route("/")
def index():
    """Needs this visitor may see, newest first, with search and filters."""
    form = NeedFilterForm(request.args)
    form.kind.choices = [("", _("All kinds"))] + kind_choices()
    form.status.choices = [("", _("Any status"))] + status_choices()
    query = services.visible_needs_query(current_user)
    if form.validate():
        if form.q.data and form.q.data.strip():
            for word in form.q.data.split()[:8]:
                escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
                pattern = f"%{escaped}%"
                query = query.where(Need.title.ilike(pattern, escape="\\")
                                    | Need.description.ilike(pattern, escape="\\"))
        if form.kind.data:
            query = query.where(Need.kind == form.kind.data)
        if form.status.data:
            query = query.where(Need.status == form.status.data)
    query = query.options(db.selectinload(Need.owner)).order_by(Need.created_at.desc(), Need.id.desc())
    page = db.paginate(query, page=page_arg(), per_page=20, max_per_page=100, error_out=False)
    return render_template("needs/index.html", form=form, page=page)


@bp.route("/mine")
@login_required
def mine():
    """The needs I posted."""
    needs = db.session.scalars(
        db.select(Need).where(Need.owner_id == current_user.id).order_by(Need.created_at.desc())
    ).all()
    return render_template("needs/mine.html", needs=needs)


@bp.route("/new", methods=["GET", "POST"])
@roles_required("seeker", "factory", "organiser")
def new():
    """Post a need (startups, designers, students, researchers, factories)."""
    form = NeedForm()
    if request.method == "GET":
        form.language.data = current_user.locale
        # Follow-ups (e.g. from an accepted pitch) arrive with the text to start from.
        form.title.data = (request.args.get("title") or "")[:200] or None
        form.description.data = (request.args.get("description") or "")[:20000] or None
        if request.args.get("kind") in dict(kind_choices()):
            form.kind.data = request.args["kind"]
    if form.validate_on_submit():
        need = services.save_need(Need(owner_id=current_user.id), form.need_data())
        db.session.commit()
        flash(_("Your need has been posted."), "success")
        return redirect(url_for("needs.detail", need_id=need.id))
    return render_template("needs/edit.html", form=form, need=None)


@bp.route("/<int:need_id>")
def detail(need_id: int):
    """One need, with its drawings for those allowed to open them."""
    need = _get_viewable(need_id)
    can_edit = services.can_edit(current_user, need)
    grant_form = None
    if can_edit:
        grant_form = GrantForm()
        granted = {g.factory_id for g in need.grants}
        grant_form.factory_id.choices = [
            (f.id, f.name) for f in db.session.execute(
                db.select(Factory.id, Factory.name).where(Factory.is_published).order_by(Factory.name)
            ) if f.id not in granted
        ]
    ranked = teams = None
    if can_edit and need.status != NeedStatus.CLOSED:
        from hub.matches.services import rank_for_need, teams_for_need

        lang = request_locale()
        ranked = rank_for_need(need, lang, limit=10)
        teams = teams_for_need(need, ranked, lang)
    return render_template(
        "needs/detail.html", need=need, can_edit=can_edit, ranked=ranked, teams=teams,
        reading_mode="need", step_choices=process_choices(),
        can_open=services.can_open_attachments(current_user, need),
        attachment_form=AttachmentForm() if can_edit else None, grant_form=grant_form,
    )


@bp.route("/<int:need_id>/reading", methods=["POST"])
@login_required
def correct_reading(need_id: int):
    """The need's owner corrects the steps the hub understood (remove one, add one, restore, reset)."""
    need = _get_editable(need_id)
    form = ReadingForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        services.correct_reading(need, form.action.data, form.code.data or None)
    except services.ReadingError:
        db.session.rollback()
        abort(400)
    db.session.commit()
    flash(_("The list has been ranked again with your correction."), "success")
    return redirect(url_for("needs.detail", need_id=need.id) + "#matches")


@bp.route("/<int:need_id>/edit", methods=["GET", "POST"])
@login_required
def edit(need_id: int):
    """Edit a need (its owner and organisers)."""
    need = _get_editable(need_id)
    form = NeedForm(obj=need)
    if form.validate_on_submit():
        services.save_need(need, form.need_data())
        db.session.commit()
        flash(_("The need has been saved."), "success")
        return redirect(url_for("needs.detail", need_id=need.id))
    return render_template("needs/edit.html", form=form, need=need)


@bp.route("/<int:need_id>/attachments", methods=["POST"])
@login_required
def upload_attachment(need_id: int):
    """Attach a drawing; checked by content, stored outside the public folder."""
    need = _get_editable(need_id)
    form = AttachmentForm()
    if len(need.attachments) >= MAX_ATTACHMENTS:
        flash(_("A need can have at most %(n)s drawings.", n=MAX_ATTACHMENTS), "danger")
    elif form.validate_on_submit():
        try:
            stored = uploads.save_attachment(form.file.data)
        except uploads.UploadError as exc:
            flash(str(exc), "danger")
        else:
            need.attachments.append(NeedAttachment(**NeedAttachment.stored_columns(stored)))
            db.session.commit()
            flash(_("The drawing has been attached."), "success")
    else:
        for errors in form.errors.values():
            for error in errors:
                flash(str(error), "danger")
    return redirect(url_for("needs.detail", need_id=need.id) + "#drawings")


@bp.route("/attachments/<int:attachment_id>")
@login_required
def download_attachment(attachment_id: int):
    """Download a drawing, only for those the owner allowed."""
    attachment = db.session.get(NeedAttachment, attachment_id)
    if attachment is None or not services.can_open_attachments(current_user, attachment.need):
        abort(404)
    return attachment.send()


@bp.route("/attachments/<int:attachment_id>/delete", methods=["POST"])
@login_required
def delete_attachment(attachment_id: int):
    """Remove a drawing (owner and organisers)."""
    attachment = db.get_or_404(NeedAttachment, attachment_id)
    need = _get_editable(attachment.need_id)
    attachment.remove_file()
    db.session.delete(attachment)
    db.session.commit()
    flash(_("The drawing has been removed."), "info")
    return redirect(url_for("needs.detail", need_id=need.id) + "#drawings")


@bp.route("/<int:need_id>/grants", methods=["POST"])
@login_required
def add_grant(need_id: int):
    """Allow one factory to open the drawings."""
    need = _get_editable(need_id)
    form = GrantForm()
    form.factory_id.choices = [(form.factory_id.data, "")] if isinstance(form.factory_id.data, int) else []
    factory = db.session.get(Factory, form.factory_id.data) if form.validate_on_submit() else None
    if factory is None:
        flash(_("Please choose a factory."), "danger")
    else:
        services.grant(need, factory)
        db.session.commit()
        flash(_("%(name)s can now open the drawings.", name=factory.name), "success")
    return redirect(url_for("needs.detail", need_id=need.id) + "#drawings")


@bp.route("/<int:need_id>/grants/<int:grant_id>/delete", methods=["POST"])
@login_required
def remove_grant(need_id: int, grant_id: int):
    """Take back a factory's access to the drawings."""
    need = _get_editable(need_id)
    row = db.session.get(NeedGrant, grant_id)
    if row is None or row.need_id != need.id:
        abort(404)
    db.session.delete(row)
    db.session.commit()
    flash(_("Access has been withdrawn."), "info")
    return redirect(url_for("needs.detail", need_id=need.id) + "#drawings")
