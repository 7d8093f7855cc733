"""Organisers' directory imports: a template to fill in, the upload (its size limit stated on the form and enforced
on the request), a preview of the first rows and their errors before anything is written, the progress of the
import, and an undo of the last one."""

from __future__ import annotations

from flask import Response, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from hub.auth.decorators import roles_required
from hub.core import uploads
from hub.extensions import db
from hub.factories.importer import ImportFileError, row_problem_text, template_csv
from hub.matches import imports
from hub.matches.forms import ImportForm
from hub.matches.models import ImportJob, ImportStatus
from hub.matches.routes import bp


@bp.app_template_global("import_row_problem")
def _row_problem(problem: dict) -> str:
    return row_problem_text(problem)


@bp.url_value_preprocessor
def _import_size_limit(endpoint: str | None, _values) -> None:
    """An upload of a directory file may be as large as the form says (IMPORT_MAX_BYTES), no larger: set before any
    hook reads the form (URL preprocessors run before the app's before_request hooks, e.g. the CSRF check)."""
    if endpoint == "matches.import_upload" and request.method == "POST":
        request.max_content_length = imports.max_upload_bytes()


@bp.route("/organiser/imports", methods=["GET", "POST"])
@roles_required("organiser")
def import_upload():
    """Organisers upload a directory export (CSV or JSON); the next page previews it before anything is written."""
    limit = imports.max_upload_bytes()  # stated on the form; the same limit stops the request (see above)
    form = ImportForm()
    if form.validate_on_submit():
        try:
            job = imports.create_job(form.file.data, current_user)
        except uploads.UploadError as exc:
            form.file.errors.append(str(exc))
        else:
            db.session.commit()
            return redirect(url_for("matches.import_status", job_id=job.id))
    jobs = db.session.scalars(db.select(ImportJob).where(ImportJob.status != ImportStatus.PREVIEW)
                              .order_by(ImportJob.id.desc()).limit(20)).all()
    return render_template("matches/imports.html", form=form, jobs=jobs, limit_mb=limit // 2**20,
                           undoable=imports.last_undoable())


@bp.route("/organiser/imports/template.csv")
@roles_required("organiser")
def import_template():
    """The CSV template: every column the importer reads, with one example row."""
    return Response(template_csv(), mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="factories-template.csv"'})


@bp.route("/organiser/imports/<int:job_id>")
@roles_required("organiser")
def import_status(job_id: int):
    """One import: its preview before it starts, progress while it runs, then every rejected row with its reason."""
    job = db.get_or_404(ImportJob, job_id)
    preview = unreadable = None
    if job.status == ImportStatus.PREVIEW:
        try:
            preview = imports.preview_of(job)
        except ImportFileError as exc:
            unreadable = str(exc)
    return render_template("matches/import_status.html", job=job, preview=preview, unreadable=unreadable,
                           undoable=imports.last_undoable() is job, form=ImportForm(formdata=None))


@bp.route("/organiser/imports/<int:job_id>.json")
@roles_required("organiser")
def import_progress(job_id: int):
    """Progress of one import, polled by the status page."""
    job = db.get_or_404(ImportJob, job_id)
    return jsonify(imports.job_dict(job))


# The POSTs below carry the CSRF token (CSRFProtect checks every form post of the app).

@bp.route("/organiser/imports/<int:job_id>/start", methods=["POST"])
@roles_required("organiser")
def import_start(job_id: int):
    """Start a previewed import (it runs in the background; the page follows its progress)."""
    job = db.get_or_404(ImportJob, job_id)
    try:
        imports.start(job)
    except imports.ImportNotAllowed as exc:
        flash(str(exc), "warning")
        return redirect(url_for("matches.import_status", job_id=job.id))
    db.session.commit()
    imports.start_job(job.id)
    return redirect(url_for("matches.import_status", job_id=job.id))


@bp.route("/organiser/imports/<int:job_id>/discard", methods=["POST"])
@roles_required("organiser")
def import_discard(job_id: int):
    """Drop a previewed file: nothing is imported."""
    job = db.get_or_404(ImportJob, job_id)
    try:
        imports.discard(job)
    except imports.ImportNotAllowed as exc:
        flash(str(exc), "warning")
        return redirect(url_for("matches.import_status", job_id=job_id))
    db.session.commit()
    flash(_("The file was discarded; nothing was imported."), "info")
    return redirect(url_for("matches.import_upload"))


@bp.route("/organiser/imports/<int:job_id>/undo", methods=["POST"])
@roles_required("organiser")
def import_undo(job_id: int):
    """Undo the last import: created factories removed, updated ones given back their earlier values."""
    job = db.get_or_404(ImportJob, job_id)
    try:
        counts = imports.undo(job, current_user)
    except imports.ImportNotAllowed as exc:
        flash(str(exc), "warning")
        return redirect(url_for("matches.import_status", job_id=job_id))
    db.session.commit()
    flash(_("The import was undone: %(removed)s factories removed, %(restored)s restored to their earlier values.",
            removed=counts["removed"], restored=counts["restored"])
          + (" " + _("%(n)s factories were kept because they were claimed or edited since the import.",
                     n=counts["kept"]) if counts["kept"] else ""), "success")
    return redirect(url_for("matches.import_status", job_id=job_id))
