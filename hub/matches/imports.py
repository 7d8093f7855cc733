"""Organisers upload a directory file, see a preview of its first rows and their errors (nothing written yet),
start the import, which runs in a background thread while the page shows progress, and may undo the last one."""

from __future__ import annotations

import secrets
import threading
from pathlib import Path

from flask import Flask, current_app
from flask_babel import gettext as _
from sqlalchemy import insert
from werkzeug.datastructures import FileStorage

from hub.core import uploads
from hub.core.timeutil import utcnow
from hub.extensions import db
from hub.factories import importer
from hub.factories.importer import ImportFileError, ImportReport, import_records, read_records
from hub.factories.models import Factory
from hub.matches.models import ImportAction, ImportChange, ImportJob, ImportStatus

MAX_ERRORS_KEPT = 500
DEFAULT_MAX_BYTES = 50 * 1024 * 1024


class ImportNotAllowed(Exception):
    """The import cannot be started, discarded or undone in its state (a message for the organiser)."""


def max_upload_bytes() -> int:
    """IMPORT_MAX_BYTES: the largest directory file (stated on the form; the same limit stops the request)."""
    return int(current_app.config.get("IMPORT_MAX_BYTES") or DEFAULT_MAX_BYTES)


def create_job(file: FileStorage, actor) -> ImportJob:
    """Store the upload outside static/ and make a job waiting for the organiser to look at its preview (flushes;
    the caller commits, then shows :func:`preview_of` and, when asked, calls :func:`start`)."""
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
            if size > max_upload_bytes():
                out.close()
                path.unlink(missing_ok=True)
                raise uploads.UploadError(_("The file is too large (at most %(mb)s MB).",
                                            mb=max_upload_bytes() // 2**20))
            out.write(chunk)
    if size == 0:
        path.unlink(missing_ok=True)
        raise uploads.UploadError(_("The file is empty."))
    job = ImportJob(user_id=actor.id, filename=name, stored_name=stored, status=ImportStatus.PREVIEW, errors=[])
    db.session.add(job)
    db.session.flush()
    return job


def preview_of(job: ImportJob) -> importer.Preview:
    """The job's file read without writing anything (raises ImportFileError when it cannot be read)."""
    return importer.preview(uploads.folder("imports") / job.stored_name)


def start(job: ImportJob) -> None:
    """The organiser saw the preview and starts the import (flushes; the caller commits, then calls start_job)."""
    if job.status != ImportStatus.PREVIEW:
        raise ImportNotAllowed(_("This import has already been started."))
    job.status = ImportStatus.QUEUED
    db.session.flush()


def discard(job: ImportJob) -> None:
    """Drop a previewed file without importing it (flushes)."""
    if job.status != ImportStatus.PREVIEW:
        raise ImportNotAllowed(_("This import has already been started."))
    (uploads.folder("imports") / job.stored_name).unlink(missing_ok=True)
    db.session.delete(job)
    db.session.flush()


def last_undoable() -> ImportJob | None:
    """The most recent finished import, if it has not been undone: only the last import can be undone."""
    job = db.session.scalar(db.select(ImportJob).where(ImportJob.status == ImportStatus.DONE,
                                                       ImportJob.finished_at.isnot(None))
                            .order_by(ImportJob.finished_at.desc(), ImportJob.id.desc()).limit(1))
    return job if job is not None and job.undone_at is None else None


def undo(job: ImportJob, actor) -> dict[str, int]:
    """Undo the last import: remove the factories it created (unless claimed or edited since: those are kept) and
    give the ones it updated back their fields and capabilities as they were (unless edited since). Flushes."""
    if last_undoable() is not job:
        raise ImportNotAllowed(_("Only the most recent import can be undone, once."))
    changes = db.session.scalars(db.select(ImportChange).where(ImportChange.job_id == job.id)).all()
    created = [c.factory_id for c in changes if c.action == ImportAction.CREATED]
    before = {c.factory_id: c.before for c in changes if c.action == ImportAction.UPDATED and c.before}
    edited = set(db.session.scalars(db.select(Factory.id).where(Factory.id.in_(list(before)),
                                                                Factory.updated_at > job.finished_at)))
    removed, kept = importer.remove_created(created, job.finished_at)
    restored = importer.restore({i: b for i, b in before.items() if i not in edited})
    job.undone_at = utcnow()
    db.session.flush()
    return {"removed": removed, "restored": restored, "kept": len(kept) + len(edited)}


def _recorder(job_id: int):
    """The importer's batch hook: remember what this job did to each factory (the first change wins)."""
    seen: set[int] = set()

    def record(created_ids: list[int], before: dict[int, dict]) -> None:
        rows = [{"job_id": job_id, "factory_id": i, "action": ImportAction.CREATED, "before": None}
                for i in created_ids if i not in seen]
        rows += [{"job_id": job_id, "factory_id": i, "action": ImportAction.UPDATED, "before": b}
                 for i, b in before.items() if i not in seen]
        seen.update(created_ids, before)
        if rows:
            db.session.execute(insert(ImportChange), rows)

    return record


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
        report = import_records(rows, sep, progress=lambda report, seen: _progress(job_id, report, seen),
                                on_batch=_recorder(job_id))
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
        job.errors = [e.as_dict() for e in report.errors[:MAX_ERRORS_KEPT]]
    db.session.commit()


def job_dict(job: ImportJob) -> dict:
    return {"id": job.id, "status": job.status, "filename": job.filename, "rows_read": job.rows_read,
            "created": job.created, "updated": job.updated, "rejected": job.rejected, "message": job.message,
            "finished": job.finished_at is not None, "undone": job.undone_at is not None}
