"""Organisers upload a directory file; it is imported in a background thread while the page shows progress."""

from __future__ import annotations

import secrets
import threading
from pathlib import Path

from flask import Flask, current_app
from flask_babel import gettext as _
from werkzeug.datastructures import FileStorage

from hub.core import uploads
from hub.core.timeutil import utcnow
from hub.extensions import db
from hub.factories.importer import ImportFileError, ImportReport, import_records, read_records
from hub.matches.models import ImportJob, ImportStatus

MAX_ERRORS_KEPT = 500
MAX_UPLOAD_BYTES = 200 * 1024 * 1024


def create_job(file: FileStorage, actor) -> ImportJob:
    """Store the upload outside static/ and queue a job (flushes; the caller commits, then calls start_job)."""
    name = (file.filename or "").strip()[-200:] or "upload"
    suffix = Path(name).suffix.lower()
    if suffix not in (".csv", ".json"):
        raise uploads.UploadError(_("Please upload a .csv or .json file."))
    stored = secrets.token_hex(16) + suffix
    path = uploads.folder("imports") / stored
    size = 0
    with path.open("wb") as out:
        while chunk := file.stream.read(1024 * 1024):
            size += len(chunk)
            if size > MAX_UPLOAD_BYTES:
                out.close()
                path.unlink(missing_ok=True)
                raise uploads.UploadError(_("The file is too large (at most %(mb)s MB).", mb=MAX_UPLOAD_BYTES // 2**20))
            out.write(chunk)
    if size == 0:
        path.unlink(missing_ok=True)
        raise uploads.UploadError(_("The file is empty."))
    job = ImportJob(user_id=actor.id, filename=name, stored_name=stored, status=ImportStatus.QUEUED, errors=[])
    db.session.add(job)
    db.session.flush()
    return job


def start_job(job_id: int) -> None:
    """Run the job in a thread of this process (inline when IMPORTS_INLINE is set, e.g. in tests)."""
    app = current_app._get_current_object()
    if app.config.get("IMPORTS_INLINE"):
        run_job(job_id)
        return
    threading.Thread(target=_run_in_app, args=(app, job_id), name=f"import-{job_id}", daemon=True).start()


def _run_in_app(app: Flask, job_id: int) -> None:
    with app.app_context():
        run_job(job_id)


def run_job(job_id: int) -> None:
    """Import the job's file, committing progress after each batch; failures are recorded on the job."""
    job = db.session.get(ImportJob, job_id)
    if job is None or job.status not in (ImportStatus.QUEUED,):
        return
    job.status = ImportStatus.RUNNING
    db.session.commit()
    path = uploads.folder("imports") / job.stored_name
    try:
        rows, sep = read_records(path)
        report = import_records(rows, sep, progress=lambda report, seen: _progress(job_id, report, seen))
    except (ImportFileError, UnicodeDecodeError) as exc:
        db.session.rollback()
        _finish(job_id, ImportStatus.FAILED, None, str(exc)[:500])
    except Exception as exc:  # noqa: BLE001 - recorded for the organiser, then logged in full
        db.session.rollback()
        current_app.logger.exception("import job %s failed", job_id)
        _finish(job_id, ImportStatus.FAILED, None, f"{type(exc).__name__}: {exc}"[:500])
    else:
        _finish(job_id, ImportStatus.DONE, report, None)
    finally:
        path.unlink(missing_ok=True)


def _progress(job_id: int, report: ImportReport, seen: int) -> None:
    job = db.session.get(ImportJob, job_id)
    job.rows_read = seen
    job.created, job.updated, job.rejected = report.created, report.updated, report.rejected
    db.session.commit()


def _finish(job_id: int, status: str, report: ImportReport | None, message: str | None) -> None:
    job = db.session.get(ImportJob, job_id)
    job.status = status
    job.message = message
    job.finished_at = utcnow()
    if report is not None:
        job.created, job.updated, job.rejected = report.created, report.updated, report.rejected
        job.rows_read = report.created + report.updated + report.rejected
        job.errors = [{"row": e.row, "external_id": e.external_id, "reason": e.reason}
                      for e in report.errors[:MAX_ERRORS_KEPT]]
    db.session.commit()


def job_dict(job: ImportJob) -> dict:
    return {"id": job.id, "status": job.status, "filename": job.filename, "rows_read": job.rows_read,
            "created": job.created, "updated": job.updated, "rejected": job.rejected, "message": job.message,
            "finished": job.finished_at is not None}
