"""A pair's page (plan, progress, training log), logging and confirming sessions, milestones, certification, the
certificate page and PDF, and the public check of a verification code."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from hub.auth.decorators import roles_required
from hub.auth.identity import external_url
from hub.core import uploads
from hub.core.timeutil import tokyo_today
from hub.extensions import db
from hub.mail.services import commit_and_deliver
from hub.people import notify, services, training
from hub.people.errors import PeopleError, show_error
from hub.people.forms import ActionForm, CertifyForm, SessionForm
from hub.people.models import Milestone, Pair, PairStatus, SessionPhoto, TrainingSession
from hub.people.pdf import FontMissing, certificate_pdf
from hub.people.routes import _act, _pair_for_sides, bp


def _certify_form(pair: Pair) -> CertifyForm:
    form = CertifyForm(prefix="cert")
    form.milestone_id.choices = [(m.id, m.title) for m in pair.milestones]
    return form


def _render_pair(pair: Pair, session_form: SessionForm | None = None):
    from hub.people import allowances

    side_master, side_junior = services.acts_for_master(current_user, pair), services.acts_for_junior(current_user,
                                                                                                       pair)
    session_form = session_form or SessionForm()
    if not session_form.skills.data:
        session_form.skills.data = [pair.process_code]
    allowance = allowances.for_pair(pair, pair.started_on, tokyo_today()) if pair.started_on else None
    return render_template("people/pair.html", pair=pair, progress=training.progress(pair), form=ActionForm(),
                           session_form=session_form, certify_form=_certify_form(pair), side_master=side_master,
                           side_junior=side_junior, is_organiser=services.is_organiser(current_user),
                           allowance=allowance)


@bp.route("/pairs/<int:pair_id>")
@login_required
def pair(pair_id: int):
    """The pair's plan, progress and training log: both sides and organisers only."""
    loaded = db.session.get(Pair, pair_id, options=[  # the log and its photos in one query each, however long
        db.selectinload(Pair.sessions).selectinload(TrainingSession.photos), db.selectinload(Pair.milestones)])
    return _render_pair(_pair_for_sides(loaded.id if loaded else pair_id))


@bp.route("/pairs/<int:pair_id>/sessions", methods=["POST"])
@login_required
def session_new(pair_id: int):
    """Either side logs a session (with a photo); the other side confirms it later."""
    pair = _pair_for_sides(pair_id)
    form = SessionForm()
    if form.validate_on_submit():
        stored = []
        try:
            if form.photo.data and getattr(form.photo.data, "filename", ""):
                stored.append(uploads.save_photo(form.photo.data))
            training.log_session(current_user, pair, form.held_on.data, form.hours.data, form.skills.data or [],
                                 form.notes.data or "", stored)
        except (PeopleError, uploads.UploadError) as exc:
            for saved in stored:
                uploads.remove("photos", saved.stored_name)
            if isinstance(exc, PeopleError):
                show_error(exc, form)
            else:
                form.photo.errors = [str(exc)]
        else:
            db.session.commit()
            flash(_("The session has been logged."), "success")
            return redirect(url_for("people.pair", pair_id=pair.id))
    return _render_pair(pair, form), 400


@bp.route("/sessions/<int:session_id>/confirm", methods=["POST"])
@login_required
def session_confirm(session_id: int):
    """The other side confirms a logged session."""
    session = db.get_or_404(TrainingSession, session_id)
    pair = _pair_for_sides(session.pair_id)
    return _act(pair, lambda: training.confirm_session(current_user, session), _("The session is confirmed."))


@bp.route("/sessions/<int:session_id>/photos/<int:photo_id>")
@login_required
def session_photo(session_id: int, photo_id: int):
    """A training photo, for the pair's sides and organisers."""
    photo = db.get_or_404(SessionPhoto, photo_id)
    if photo.session_id != session_id:
        abort(404)
    _pair_for_sides(photo.session.pair_id)
    return uploads.send_stored(photo.upload_kind, photo.stored_name, "training.jpg", "image/jpeg",
                               as_attachment=False)


@bp.route("/milestones/<int:milestone_id>/reached", methods=["POST"])
@roles_required("organiser")
def milestone_reached(milestone_id: int):
    """An organiser marks a milestone reached (``reached=1``) or not yet."""
    milestone = db.get_or_404(Milestone, milestone_id)
    yes = request.form.get("reached") == "1"
    return _act(milestone.pair, lambda: training.mark_reached(current_user, milestone, yes),
                _("The plan has been updated."))


@bp.route("/pairs/<int:pair_id>/certify", methods=["POST"])
@roles_required("organiser")
def certify(pair_id: int):
    """An organiser certifies the junior at a milestone; the certificate gets its verification code."""
    pair = db.get_or_404(Pair, pair_id)
    form = _certify_form(pair)
    if form.validate_on_submit():
        milestone = db.session.get(Milestone, form.milestone_id.data)
        try:
            training.certify(current_user, pair, milestone)
        except PeopleError as exc:
            show_error(exc)
        else:
            notify.certified(pair)
            commit_and_deliver()
            flash(_("The junior is certified."), "success")
            return redirect(url_for("people.certificate", pair_id=pair.id))
    else:
        flash(_("Choose the milestone reached."), "danger")
    return redirect(url_for("people.pair", pair_id=pair.id))


def _certificate_of(pair_id: int):
    pair = _pair_for_sides(pair_id)
    if pair.status != PairStatus.CERTIFIED or pair.certificate is None:
        abort(404)
    return pair.certificate


@bp.route("/pairs/<int:pair_id>/certificate")
@login_required
def certificate(pair_id: int):
    """The certificate page in the reader's language, with the PDF and the verification code."""
    cert = _certificate_of(pair_id)
    return render_template("people/certificate.html", certificate=cert,
                           verify_url=external_url("people.verify", code=cert.code))


@bp.route("/pairs/<int:pair_id>/certificate.pdf")
@login_required
def certificate_pdf_view(pair_id: int):
    """The certificate as a PDF in Japanese and English."""
    cert = _certificate_of(pair_id)
    try:
        data = certificate_pdf(cert, external_url("people.verify", code=cert.code))
    except FontMissing as exc:
        return Response(str(exc), status=503, mimetype="text/plain")
    return Response(data, mimetype="application/pdf", headers={
        "Content-Disposition": uploads.content_disposition(f"certificate-{cert.code}.pdf", as_attachment=False),
        "X-Content-Type-Options": "nosniff"})


@bp.route("/verify")
def verify():
    """Anyone checks a certificate's verification code: who was certified in what, when, and by whose teaching."""
    code = request.args.get("code", "")[:40]
    found = training.find_certificate(code) if code else None
    return render_template("people/verify.html", code=code, certificate=found), (404 if code and not found else 200)
