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
from datetime import date
from pathlib import Path

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


@dataclass
class RowError:
    row: int
    external_id: str | None
    reason: str


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
        raise ValueError(f"{name}: expected text")
    text = str(value).replace("\x00", "").strip()
    if len(text) > limit:
        raise ValueError(f"{name}: longer than {limit} characters")
    return text or None


def _clean_list(value, name: str, sep: str | None) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, str):
        items = value.split(sep) if sep else [value]
    elif isinstance(value, list):
        items = value
    else:
        raise ValueError(f"{name}: expected a list of text")
    out = []
    for item in items:
        if isinstance(item, bool) or not isinstance(item, str | int | float):
            raise ValueError(f"{name}: expected a list of text")
        text = str(item).replace("\x00", "").strip()
        if len(text) > 200:
            raise ValueError(f"{name}: an entry is longer than 200 characters")
        if text:
            out.append(text)
    if len(out) > 100:
        raise ValueError(f"{name}: more than 100 entries")
    return out


def _clean_int(value, name: str, low: int, high: int | None) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError(f"{name}: expected a whole number")
    try:
        number = int(value) if not isinstance(value, float) or value.is_integer() else None
    except (TypeError, ValueError):
        number = None
    if number is None:
        raise ValueError(f"{name}: expected a whole number")
    high = high if high is not None else date.today().year
    if not low <= number <= high:
        raise ValueError(f"{name}: must be between {low} and {high}")
    return number


def _clean_float(value, name: str, low: float, high: float) -> float | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError(f"{name}: expected a number")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name}: expected a number") from None
    if not math.isfinite(number) or not low <= number <= high:
        raise ValueError(f"{name}: must be between {low} and {high}")
    return number


def clean_record(raw: dict, list_sep: str | None = None) -> dict:
    """Validate one import record; returns the model fields or raises ValueError with the reason."""
    if not isinstance(raw, dict):
        raise ValueError("record: expected an object")
    data: dict = {}
    for name, limit in STR_FIELDS.items():
        data[name] = _clean_str(raw.get(name), name, limit)
    if not data["external_id"]:
        raise ValueError("external_id: required")
    if not data["name"]:
        raise ValueError("name: required")
    data["description"] = data["description"] or ""
    ward_raw = _clean_str(raw.get("ward"), "ward", 50)
    data["ward"] = normalise_ward(ward_raw) if ward_raw else None
    if ward_raw and data["ward"] is None:
        raise ValueError(f"ward: unknown ward '{ward_raw}'")
    data["lat"] = _clean_float(raw.get("lat"), "lat", -90, 90)
    data["lon"] = _clean_float(raw.get("lon"), "lon", -180, 180)
    if (data["lat"] is None) != (data["lon"] is None):
        raise ValueError("lat/lon: give both or neither")
    for name in LIST_FIELDS:
        data[name] = _clean_list(raw.get(name), name, list_sep)
    for name, (low, high) in INT_FIELDS.items():
        data[name] = _clean_int(raw.get(name), name, low, high)
    status = _clean_str(raw.get("successor_status"), "successor_status", 20)
    if status is not None and status not in SUCCESSOR_STATUSES:
        raise ValueError(f"successor_status: one of {', '.join(SUCCESSOR_STATUSES)}")
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


def import_records(rows: Iterable[tuple[int, dict]], list_sep: str | None = None,
                   progress: Callable[[ImportReport, int], None] | None = None) -> ImportReport:
    """Create or update factories from records, committing every BATCH rows."""
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
            report.errors.append(RowError(number, str(ext)[:100] if ext is not None else None, str(exc)))
        if len(batch) >= BATCH:
            _flush_batch(batch, report)
            batch = []
            if progress:
                progress(report, seen)
    if batch:
        _flush_batch(batch, report)
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


def _flush_batch(batch: list[tuple[int, dict]], report: ImportReport) -> None:
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
    db.session.commit()


def import_file(path: Path, progress: Callable[[ImportReport, int], None] | None = None) -> ImportReport:
    """Import a whole file; raises ImportFileError when it cannot be read at all."""
    rows, sep = read_records(path)
    try:
        return import_records(rows, sep, progress)
    except (UnicodeDecodeError, csv.Error) as exc:
        raise ImportFileError(str(exc)) from exc
