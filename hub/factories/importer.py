"""Import factories from a directory export (JSON list or CSV), idempotent by ``external_id``.

Each record is validated on its own: a bad row is reported with its row number and reason and skipped,
good rows still go in. Rows are processed in batches so a 100,000-row file runs in bounded memory.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from dataclasses import field as _field
from datetime import date
from pathlib import Path

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, insert, text, update

from hub.core.timeutil import utcnow
from hub.extensions import db
from hub.factories import search, services, signals
from hub.factories.models import SUCCESSOR_STATUSES, Evidence, Factory, FactoryCapability
from matching import normalise_ward

LIST_FIELDS = ("processes", "materials", "equipment", "certifications")
STR_FIELDS = {"external_id": 100, "name": 200, "name_en": 200, "address": 300, "description": 20000}
INT_FIELDS = {"employees": (0, 1_000_000), "founded": (1600, None), "owner_birth_year": (1900, None)}
BATCH = 500


class ImportFileError(Exception):
    """The file as a whole could not be read."""


class RowProblem(ValueError):
    """Why one record is rejected: the field, a reason code and its values. ``str()`` is the English reason (the
    command line prints it); pages show :func:`row_problem_text` in the reader's language."""

    def __init__(self, field: str, code: str, **params):
        self.field, self.code, self.params = field, code, params
        super().__init__(f"{field}: {str(_ENGLISH[code]) % params}")


# Reasons in English (the CLI and the stored ``reason``) and, through the catalogue, in the reader's language.
_ENGLISH = {
    "required": "required", "text": "expected text", "too_long": "longer than %(limit)s characters",
    "list": "expected a list of text", "entry_too_long": "an entry is longer than 200 characters",
    "too_many": "more than 100 entries", "whole_number": "expected a whole number", "number": "expected a number",
    "range": "must be between %(low)s and %(high)s", "unknown_ward": "unknown ward '%(value)s'",
    "both_or_neither": "give both or neither", "one_of": "one of %(values)s", "object": "expected an object",
}
ROW_MESSAGES = {
    "required": _l("%(field)s: required"),
    "text": _l("%(field)s: expected text"),
    "too_long": _l("%(field)s: longer than %(limit)s characters"),
    "list": _l("%(field)s: expected a list of text"),
    "entry_too_long": _l("%(field)s: an entry is longer than 200 characters"),
    "too_many": _l("%(field)s: more than 100 entries"),
    "whole_number": _l("%(field)s: expected a whole number"),
    "number": _l("%(field)s: expected a number"),
    "range": _l("%(field)s: must be between %(low)s and %(high)s"),
    "unknown_ward": _l("%(field)s: unknown ward “%(value)s”"),
    "both_or_neither": _l("%(field)s: give both or neither"),
    "one_of": _l("%(field)s: one of %(values)s"),
    "object": _l("%(field)s: expected an object"),
}


def row_problem_text(problem: dict) -> str:
    """A stored row error (``{"field", "code", "params", "reason"}``) in the current request's language; rows
    stored before codes were kept show their English reason."""
    message = ROW_MESSAGES.get(problem.get("code") or "")
    if message is None:
        return str(problem.get("reason") or "")
    return str(message) % {"field": problem.get("field") or "", **(problem.get("params") or {})}


@dataclass
class RowError:
    row: int
    external_id: str | None
    reason: str
    field: str | None = None
    code: str | None = None
    params: dict = _field(default_factory=dict)

    def as_dict(self) -> dict:
        return {"row": self.row, "external_id": self.external_id, "reason": self.reason, "field": self.field,
                "code": self.code, "params": self.params}


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    rejected: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def summary(self) -> str:
        return f"created={self.created} updated={self.updated} rejected={self.rejected}"


def _clean_str(value, name: str, limit: int) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise RowProblem(name, "text")
    text = str(value).replace("\x00", "").strip()
    if len(text) > limit:
        raise RowProblem(name, "too_long", limit=limit)
    return text or None


def _clean_list(value, name: str, sep: str | None) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, str):
        items = value.split(sep) if sep else [value]
    elif isinstance(value, list):
        items = value
    else:
        raise RowProblem(name, "list")
    out = []
    for item in items:
        if isinstance(item, bool) or not isinstance(item, str | int | float):
            raise RowProblem(name, "list")
        text = str(item).replace("\x00", "").strip()
        if len(text) > 200:
            raise RowProblem(name, "entry_too_long")
        if text:
            out.append(text)
    if len(out) > 100:
        raise RowProblem(name, "too_many")
    return out


def _clean_int(value, name: str, low: int, high: int | None) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise RowProblem(name, "whole_number")
    try:
        number = int(value) if not isinstance(value, float) or value.is_integer() else None
    except (TypeError, ValueError):
        number = None
    if number is None:
        raise RowProblem(name, "whole_number")
    high = high if high is not None else date.today().year
    if not low <= number <= high:
        raise RowProblem(name, "range", low=low, high=high)
    return number


def _clean_float(value, name: str, low: float, high: float) -> float | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise RowProblem(name, "number")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise RowProblem(name, "number") from None
    if not math.isfinite(number) or not low <= number <= high:
        raise RowProblem(name, "range", low=low, high=high)
    return number


def clean_record(raw: dict, list_sep: str | None = None) -> dict:
    """Validate one import record; returns the model fields or raises ValueError with the reason."""
    if not isinstance(raw, dict):
        raise RowProblem("record", "object")
    data: dict = {}
    for name, limit in STR_FIELDS.items():
        data[name] = _clean_str(raw.get(name), name, limit)
    if not data["external_id"]:
        raise RowProblem("external_id", "required")
    if not data["name"]:
        raise RowProblem("name", "required")
    data["description"] = data["description"] or ""
    ward_raw = _clean_str(raw.get("ward"), "ward", 50)
    data["ward"] = normalise_ward(ward_raw) if ward_raw else None
    if ward_raw and data["ward"] is None:
        raise RowProblem("ward", "unknown_ward", value=ward_raw)
    data["lat"] = _clean_float(raw.get("lat"), "lat", -90, 90)
    data["lon"] = _clean_float(raw.get("lon"), "lon", -180, 180)
    if (data["lat"] is None) != (data["lon"] is None):
        raise RowProblem("lat/lon", "both_or_neither")
    for name in LIST_FIELDS:
        data[name] = _clean_list(raw.get(name), name, list_sep)
    for name, (low, high) in INT_FIELDS.items():
        data[name] = _clean_int(raw.get(name), name, low, high)
    status = _clean_str(raw.get("successor_status"), "successor_status", 20)
    if status is not None and status not in SUCCESSOR_STATUSES:
        raise RowProblem("successor_status", "one_of", values=", ".join(SUCCESSOR_STATUSES))
    data["successor_status"] = status
    return data


def read_records(path: Path) -> tuple[Iterator[tuple[int, dict]], str | None]:
    """Rows of a .json or .csv file as (row number, record). Raises ImportFileError when unreadable."""
    suffix = path.suffix.lower()
    try:
        if suffix == ".json":
            with path.open(encoding="utf-8-sig") as handle:
                payload = json.load(handle)
            if not isinstance(payload, list):
                raise ImportFileError("the JSON file must hold a list of records")
            return ((i, rec) for i, rec in enumerate(payload, start=1)), None
        if suffix == ".csv":
            return _csv_rows(path), ";"
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise ImportFileError(str(exc)[:300]) from exc
    raise ImportFileError("expected a .json or .csv file")


def _csv_rows(path: Path) -> Iterator[tuple[int, dict]]:
    # Excel in Japan often saves CP932; accept UTF-8 (with or without BOM) first, then CP932.
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "cp932"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ImportFileError("the CSV file is neither UTF-8 nor Shift_JIS (CP932)")
    del raw
    reader = csv.DictReader(io.StringIO(text, newline=""))
    if not reader.fieldnames or "external_id" not in reader.fieldnames:
        raise ImportFileError("the CSV header must include external_id and name")
    # Row 1 is the header, so the first record is row 2 (as a spreadsheet shows it).
    for number, row in enumerate(reader, start=2):
        yield number, {k: v for k, v in row.items() if k is not None}


def _problem_parts(exc: ValueError) -> tuple[str | None, str | None, dict]:
    if isinstance(exc, RowProblem):
        return exc.field, exc.code, {k: str(v) for k, v in exc.params.items()}
    return None, None, {}


BatchHook = Callable[[list[int], dict[int, dict]], None]


def import_records(rows: Iterable[tuple[int, dict]], list_sep: str | None = None,
                   progress: Callable[[ImportReport, int], None] | None = None,
                   on_batch: BatchHook | None = None) -> ImportReport:
    """Create or update factories from records, committing every BATCH rows. ``on_batch(created_ids, before)`` is
    told, inside each batch's transaction, which factories it created and what the updated ones were before
    (:func:`snapshot`), so that the import can be undone."""
    report = ImportReport()
    batch: list[tuple[int, dict]] = []
    seen = 0
    for number, raw in rows:
        seen += 1
        try:
            batch.append((number, clean_record(raw, list_sep)))
        except ValueError as exc:
            ext = raw.get("external_id") if isinstance(raw, dict) else None
            report.rejected += 1
            report.errors.append(RowError(number, str(ext)[:100] if ext is not None else None, str(exc),
                                          *_problem_parts(exc)))
        if len(batch) >= BATCH:
            _flush_batch(batch, report, on_batch)
            batch = []
            if progress:
                progress(report, seen)
    if batch:
        _flush_batch(batch, report, on_batch)
    if report.created + report.updated >= ANALYSE_AFTER:
        analyse_directory()
    if progress:
        progress(report, seen)
    return report


ANALYSE_AFTER = 1000  # rows written by one import before the planner's statistics are refreshed


def analyse_directory() -> None:
    """Refresh the database's statistics of the directory tables after a large import, so that its planner reads
    the directory through the right index (SQLite has none until ANALYZE; PostgreSQL's autovacuum may lag)."""
    for table in ("factories", "factory_capabilities", "factory_name_keys"):
        db.session.execute(text(f"ANALYZE {table}"))
    db.session.commit()


IMPORTED_FIELDS = ("name", "name_en", "address", "description", "ward", "processes", "materials", "equipment",
                   "certifications", "employees", "founded", "owner_birth_year", "successor_status")


def _flush_batch(batch: list[tuple[int, dict]], report: ImportReport, on_batch: BatchHook | None = None) -> None:
    """Write one batch with a few bulk statements (no ORM object per row): ≥ 1,000 rows/s, bounded memory."""
    now = utcnow()
    ids = {data["external_id"] for _, data in batch}
    existing = dict(db.session.execute(
        db.select(Factory.external_id, Factory.id).where(Factory.external_id.in_(ids))).all())
    new_rows: dict[str, dict] = {}
    updates: dict[str, dict] = {}
    found_by_ext: dict[str, dict] = {}
    reader = services.capability_reader()
    decisions = services.decisions_for(existing.values())  # owners' confirmations and rejections stick
    for _number, data in batch:
        ext = data["external_id"]
        confirmed, rejected = decisions.get(existing.get(ext), ((), ()))
        found = services.find_capabilities(data["processes"], data["materials"], data["description"],
                                           data["equipment"], reader, confirmed=confirmed, rejected=rejected)
        lat, lon, approx = services.location_for(data["ward"], data["lat"], data["lon"], data.get("address"))
        values = {field: data[field] for field in IMPORTED_FIELDS}
        values.update(external_id=ext, lat=lat, lon=lon, is_location_approx=approx, updated_at=now,
                      search_text=services.search_text_for(
                          data, [code for (_, code), row in found.items() if row.evidence != Evidence.OUTSOURCED]))
        found_by_ext[ext] = found
        if ext in existing:
            updates[ext] = {"id": existing[ext], **values}
            report.updated += 1
        elif ext in new_rows:  # the same record twice in one batch: the later row wins
            new_rows[ext] = values
            report.updated += 1
        else:
            new_rows[ext] = values
            report.created += 1
    before = snapshot([row["id"] for row in updates.values()]) if on_batch and updates else {}
    if updates:
        db.session.execute(update(Factory), list(updates.values()))
        db.session.execute(delete(FactoryCapability).where(
            FactoryCapability.factory_id.in_([row["id"] for row in updates.values()])))
    factory_ids = {ext: row["id"] for ext, row in updates.items()}
    if new_rows:
        for row in new_rows.values():
            row.update(created_at=now, is_published=True)
        # executemany without RETURNING, then one query for the new ids: several times faster on SQLite.
        db.session.execute(insert(Factory), list(new_rows.values()))
        factory_ids.update(db.session.execute(
            db.select(Factory.external_id, Factory.id).where(Factory.external_id.in_(list(new_rows)))).all())
    capabilities = [
        {"factory_id": factory_ids[ext], "kind": kind, "code": code, **row._asdict()}
        for ext, found in found_by_ext.items() for (kind, code), row in found.items()
    ]
    if capabilities:
        db.session.execute(insert(FactoryCapability), capabilities)
    search.write_name_keys({factory_ids[ext]: (row["name"], row["name_en"]) for ext, row in updates.items()})
    search.write_name_keys({factory_ids[ext]: (row["name"], row["name_en"]) for ext, row in new_rows.items()},
                           replace=False)
    if updates:  # new entries only add candidates; changed ones may leave a public listing with fewer than k
        signals.mark_changed(db.session)
    if on_batch:
        on_batch([factory_ids[ext] for ext in new_rows], before)
    db.session.commit()


def import_file(path: Path, progress: Callable[[ImportReport, int], None] | None = None) -> ImportReport:
    """Import a whole file; raises ImportFileError when it cannot be read at all."""
    rows, sep = read_records(path)
    try:
        return import_records(rows, sep, progress)
    except (UnicodeDecodeError, csv.Error) as exc:
        raise ImportFileError(str(exc)) from exc


# --- undoing an import -----------------------------------------------------------------------------------------

SNAPSHOT_FIELDS = (*IMPORTED_FIELDS, "lat", "lon", "is_location_approx", "search_text", "is_published")
CAPABILITY_FIELDS = ("kind", "code", "source", "confidence", "evidence", "phrase")


def snapshot(factory_ids: list[int]) -> dict[int, dict]:
    """{factory id: its imported fields and capability rows} — what an update is about to replace (JSON-safe)."""
    if not factory_ids:
        return {}
    columns = [getattr(Factory, name) for name in SNAPSHOT_FIELDS]
    found = {row[0]: {"fields": dict(zip(SNAPSHOT_FIELDS, row[1:], strict=True)), "capabilities": []}
             for row in db.session.execute(db.select(Factory.id, *columns).where(Factory.id.in_(factory_ids)))}
    caps = db.session.execute(db.select(FactoryCapability.factory_id, *[getattr(FactoryCapability, name)
                                                                      for name in CAPABILITY_FIELDS])
                              .where(FactoryCapability.factory_id.in_(factory_ids)))
    for factory_id, *values in caps:
        found[factory_id]["capabilities"].append(dict(zip(CAPABILITY_FIELDS, values, strict=True)))
    return found


def restore(before: dict[int, dict]) -> int:
    """Put factories back as :func:`snapshot` saw them (fields and capability rows); returns how many."""
    ids = [factory_id for factory_id in before if db.session.get(Factory, factory_id) is not None]
    if not ids:
        return 0
    now = utcnow()
    db.session.execute(update(Factory), [{"id": i, **before[i]["fields"], "updated_at": now} for i in ids])
    db.session.execute(delete(FactoryCapability).where(FactoryCapability.factory_id.in_(ids)))
    rows = [{"factory_id": i, **cap} for i in ids for cap in before[i]["capabilities"]]
    if rows:
        db.session.execute(insert(FactoryCapability), rows)
    signals.mark_changed(db.session)
    return len(ids)


def remove_created(factory_ids: list[int], since) -> tuple[int, list[int]]:
    """Delete factories an import created, unless someone has taken them up since (an organisation claimed one,
    or it was edited after ``since``): those are kept and returned. (removed count, kept ids)."""
    rows = db.session.execute(db.select(Factory.id, Factory.organisation_id, Factory.updated_at)
                              .where(Factory.id.in_(factory_ids))).all()
    kept = [i for i, organisation, updated in rows if organisation is not None or (since and updated > since)]
    doomed = [i for i, _o, _u in rows if i not in set(kept)]
    if doomed:
        db.session.execute(delete(FactoryCapability).where(FactoryCapability.factory_id.in_(doomed)))
        db.session.execute(delete(Factory).where(Factory.id.in_(doomed)))
        signals.mark_changed(db.session)
    return len(doomed), kept


# --- previewing a file, and the template to fill in -----------------------------------------------------------

TEMPLATE_COLUMNS = ("external_id", "name", "name_en", "ward", "address", "lat", "lon", "description", "processes",
                    "materials", "equipment", "certifications", "employees", "founded")
TEMPLATE_EXAMPLE = {"external_id": "ota-0001", "name": "六郷精工株式会社", "name_en": "Rokugo Seiko",
                    "ward": "大田区", "address": "東京都大田区仲六郷2-1-1", "lat": "35.5423", "lon": "139.7138",
                    "description": "NC旋盤による小物の切削加工。焼入れ・研削は協力工場へ。",
                    "processes": "NC旋盤;MC加工", "materials": "SUS304;A5052", "equipment": "オークマ LB3000",
                    "certifications": "ISO 9001", "employees": "12", "founded": "1968"}


def template_csv() -> bytes:
    """The import template: the header row and one example row, UTF-8 with BOM (opens intact in Excel)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=TEMPLATE_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerow(TEMPLATE_EXAMPLE)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


@dataclass
class PreviewRow:
    row: int
    external_id: str | None
    name: str | None
    ward: str | None
    processes: list[str]
    error: RowError | None


@dataclass
class Preview:
    rows: list[PreviewRow] = field(default_factory=list)  # the first ``limit`` records
    total: int = 0  # records in the file
    rejected: int = 0  # records that would be rejected
    errors: list[RowError] = field(default_factory=list)  # the first rejected records, wherever they are


def preview(path: Path, limit: int = 20, max_errors: int = 50) -> Preview:
    """Read the whole file without writing anything: its first records as they would be imported, the count of
    records and of rejected ones, and the first rejections. Raises :class:`ImportFileError` when unreadable."""
    rows, sep = read_records(path)
    result = Preview()
    try:
        for number, raw in rows:
            result.total += 1
            error = None
            try:
                data = clean_record(raw, sep)
            except ValueError as exc:
                ext = raw.get("external_id") if isinstance(raw, dict) else None
                error = RowError(number, str(ext)[:100] if ext is not None else None, str(exc), *_problem_parts(exc))
                data = {"external_id": error.external_id, "name": raw.get("name") if isinstance(raw, dict) else None,
                        "ward": None, "processes": []}
                result.rejected += 1
                if len(result.errors) < max_errors:
                    result.errors.append(error)
            if len(result.rows) < limit:
                result.rows.append(PreviewRow(number, data["external_id"], _short(data.get("name")),
                                              data.get("ward"), list(data.get("processes") or [])[:8], error))
    except (UnicodeDecodeError, csv.Error) as exc:
        raise ImportFileError(str(exc)[:300]) from exc
    return result


def _short(value) -> str | None:
    return str(value)[:200] if value is not None else None
