"""The match index of each worker process, kept current by applying the changes since its version.

Writers never call anything here for ordinary edits: SQLAlchemy hooks notice changed factories, capability rows,
owners' reviews and aliases, and in the same transaction move the version in ``index_states`` (the row lock puts
such transactions in order) and write one ``index_changes`` row saying what that version touched. Ratings say so
through ``providers.evidence_changed`` (with the rated factory's id).

Before a query, a worker compares its (version, token) with the database's (one small query, once per request). If
it is behind, it reads the change rows since its version and re-reads only the factories they name (update, insert
or delete of their rows; an alias change also re-reads the factories whose words contain the term). It builds the
index from scratch only on demand (``flask match-index rebuild``), when the log since its version is longer than
``MATCH_INDEX_MAX_CHANGES`` versions, names more than a quarter of the index, or when it cannot be trusted (a gap,
a pruned range, or a token that differs: a rolled-back version number used again).

Updates are made in place: one request at a time per process (gunicorn's sync workers), which the lock below
also guarantees for the updates themselves.
"""

from __future__ import annotations

import ctypes
import threading
import uuid
from dataclasses import dataclass, field
from time import perf_counter

from flask import current_app, g, has_app_context
from sqlalchemy import delete, event, func, insert, select, update
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Session

from hub.core import providers
from hub.core.timeutil import utcnow
from hub.extensions import db
from hub.factories.models import Factory, FactoryCapability, FactoryCapabilityReview
from hub.factories.services import decisions_for
from hub.matches.models import CapabilityAlias, IndexChange, IndexState
from matching import FactoryProfile, MatchIndex, fold

INDEX_NAME = "factories"
MAX_CHANGES = 1000  # versions a worker may be behind and still catch up (MATCH_INDEX_MAX_CHANGES)
LOG_KEEP = 5000  # versions of change rows kept (MATCH_INDEX_LOG_KEEP); older ones are pruned
_PENDING = "match_index_pending"


# --- writers: what a transaction touched ---------------------------------------------------------------------

@dataclass
class _Pending:
    """What this transaction touched so far, and what its change row already says."""

    ids: set[int] = field(default_factory=set)
    terms: set[str] = field(default_factory=set)
    new_after_id: int | None = None
    is_full: bool = False
    version: int | None = None
    written: tuple = ()


def _pending(session: Session) -> _Pending:
    pending = session.info.get(_PENDING)
    if pending is None:
        pending = session.info[_PENDING] = _Pending()
    return pending


def record_change(session: Session, *, factory_ids=(), terms=(), new_after_id: int | None = None,
                  full: bool = False) -> None:
    """Note what this transaction changed for the index and write it (version and change row) now, inside it."""
    pending = _pending(session)
    pending.ids.update(int(i) for i in factory_ids if i is not None)
    pending.terms.update(t for t in terms if t)
    if new_after_id is not None:
        pending.new_after_id = min(new_after_id, pending.new_after_id if pending.new_after_id is not None
                                   else new_after_id)
    pending.is_full = pending.is_full or full
    _write(session, pending)


def mark_index_changed(session: Session, factory_ids=(), **_kwargs) -> None:
    """A writer of data the index reads from elsewhere (ratings feed the track record): re-read these factories;
    without ids, every worker rebuilds."""
    ids = tuple(factory_ids or ())
    record_change(session, factory_ids=ids, full=not ids)


providers.evidence_changed.connect(mark_index_changed)


def _write(session: Session, pending: _Pending) -> None:
    state = (tuple(sorted(pending.ids)), tuple(sorted(pending.terms)), pending.new_after_id, pending.is_full)
    if state == pending.written:
        return
    connection = session.connection()
    values = {"factory_ids": list(state[0]), "terms": list(state[1]), "new_after_id": state[2],
              "is_full": state[3], "changed_at": utcnow()}
    log = IndexChange.__table__
    if pending.version is None:
        table = IndexState.__table__
        token = uuid.uuid4().hex
        connection.execute(update(table).where(table.c.name == INDEX_NAME)
                           .values(version=table.c.version + 1, token=token, changed_at=utcnow()))
        version = connection.execute(select(table.c.version).where(table.c.name == INDEX_NAME)).scalar()
        if version is None:  # no state row (a database made before the index had one): nothing to order
            return
        pending.version = version
        if not _has_log(connection):  # a schema older than the log: workers see a gap and rebuild
            return
        connection.execute(insert(log).values(name=INDEX_NAME, version=version, token=token, **values))
        keep = _config("MATCH_INDEX_LOG_KEEP", LOG_KEEP)
        if version % 100 == 0:
            connection.execute(delete(log).where(log.c.name == INDEX_NAME, log.c.version <= version - keep))
    elif _has_log(connection):
        connection.execute(update(log).where(log.c.name == INDEX_NAME, log.c.version == pending.version)
                           .values(**values))
    pending.written = state


_LOG_TABLES: dict[str, bool] = {}


def _has_log(connection) -> bool:
    """Whether this database has the change log yet (the demo seeded at an older revision has not)."""
    key = str(connection.engine.url)
    if key not in _LOG_TABLES:
        _LOG_TABLES[key] = sa_inspect(connection).has_table(IndexChange.__tablename__)
    return _LOG_TABLES[key]


def _touched(obj) -> tuple[list[int], list[str]]:
    """(factory ids, alias terms) one changed object touches."""
    if isinstance(obj, Factory):
        return [obj.id], []
    if isinstance(obj, FactoryCapability | FactoryCapabilityReview):
        return [obj.factory_id], []
    if isinstance(obj, CapabilityAlias):
        old = db.inspect(obj).attrs.alias.history.deleted or ()
        return [], [obj.alias, *old]
    return [], []


@event.listens_for(Session, "after_flush")
def _log_flush(session: Session, _context) -> None:
    """Objects of a watched class were added, changed or deleted in this flush."""
    ids: list[int] = []
    terms: list[str] = []
    for obj in (*session.new, *session.dirty, *session.deleted):
        touched_ids, touched_terms = _touched(obj)
        ids += touched_ids
        terms += touched_terms
    if ids or terms:
        record_change(session, factory_ids=ids, terms=terms)


_WATCHED = (Factory, FactoryCapability, FactoryCapabilityReview, CapabilityAlias)


@event.listens_for(Session, "do_orm_execute")
def _log_bulk(state) -> None:
    """Bulk INSERT/UPDATE/DELETE statements on a watched class (the importer's fast path): the ids come from the
    parameters or an ``IN``/``=`` condition on the id column; new factories from the highest id before them."""
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    classes = {mapper.class_ for mapper in state.all_mappers} & set(_WATCHED)
    if not classes:
        return
    session = state.session
    if state.is_insert and Factory in classes:
        highest = session.connection().execute(select(func.max(Factory.id))).scalar() or 0
        record_change(session, new_after_id=highest)
        return
    if CapabilityAlias in classes:
        record_change(session, full=True)
        return
    key = "id" if Factory in classes else "factory_id"
    params = state.parameters
    rows = params if isinstance(params, list) else [params] if params else []
    ids = [row.get(key) for row in rows if isinstance(row, dict)]
    if not ids or None in ids:
        ids = _ids_in_condition(state.statement, key)
    record_change(session, factory_ids=ids or (), full=ids is None)


def _ids_in_condition(statement, key: str) -> list[int] | None:
    """The literal ids of a ``WHERE <key> IN (...)`` or ``WHERE <key> = ...`` condition, else None."""
    clause = getattr(statement, "whereclause", None)
    column = getattr(getattr(clause, "left", None), "key", None)
    value = getattr(getattr(clause, "right", None), "value", None)
    operator = getattr(getattr(clause, "operator", None), "__name__", "")
    if column != key or value is None or operator not in ("in_op", "eq"):
        return None
    values = value if isinstance(value, list | tuple) else [value]
    return [int(v) for v in values] if all(isinstance(v, int) for v in values) else None


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_rollback")
@event.listens_for(Session, "after_soft_rollback")
def _reset(session: Session, *_args) -> None:
    session.info.pop(_PENDING, None)
    if has_app_context():  # after a commit this request may see a newer version: ask again
        g.pop("_match_index", None)


def request_rebuild(session: Session) -> None:
    """Every worker builds its index from scratch on its next query (``flask match-index rebuild``)."""
    record_change(session, full=True)


# --- readers: the index of this process ----------------------------------------------------------------------

def extra_aliases() -> dict[str, tuple[str, str]]:
    """Organisers' aliases as the matching library takes them."""
    return {a.alias: (a.kind, a.code) for a in db.session.scalars(db.select(CapabilityAlias))}


def track_records() -> dict[int, float]:
    """Factory id → 0..1 from ratings of completed deals (offered by the deals domain; empty without it)."""
    return providers.call(providers.TRACK_RECORDS, default={})


def profiles(batch: int = 2000, ids=None):
    """Published factories as FactoryProfiles (all, or those among ``ids``), streamed in batches."""
    records = track_records()
    columns = (Factory.id, Factory.name, Factory.external_id, Factory.name_en, Factory.ward, Factory.lat,
               Factory.lon, Factory.processes, Factory.materials, Factory.equipment, Factory.description,
               Factory.lot_min, Factory.lot_max)
    query = db.select(*columns).where(Factory.is_published).order_by(Factory.id)
    if ids is not None:
        query = query.where(Factory.id.in_(sorted(ids)))
    for rows in db.session.execute(query.execution_options(yield_per=batch)).partitions():
        decisions = decisions_for(row.id for row in rows)  # one query per batch: the owners' word counts
        for row in rows:
            confirmed, rejected = decisions.get(row.id, ((), ()))
            yield FactoryProfile(
                id=row.id, name=row.name, external_id=row.external_id, name_en=row.name_en, ward=row.ward,
                lat=row.lat, lon=row.lon, processes=tuple(row.processes or ()),
                materials=tuple(row.materials or ()), equipment=tuple(row.equipment or ()),
                description=row.description or "", lot_min=row.lot_min, lot_max=row.lot_max,
                track_record=records.get(row.id), confirmed=confirmed, rejected=rejected,
            )


@dataclass
class LiveIndex:
    """One process's index for one app and the version of the database it reflects."""

    version: int
    token: str
    index: MatchIndex
    built_in: float
    builds: int = 1
    updates: int = 0
    last_update_s: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)


def _config(key: str, default: int) -> int:
    return int(current_app.config.get(key) or default) if has_app_context() else default


def database_version() -> tuple[int, str]:
    """The version and token the database has now (one cheap query)."""
    row = db.session.execute(
        db.select(IndexState.version, IndexState.token).where(IndexState.name == INDEX_NAME)).first()
    return (row.version, row.token) if row else (0, "")


def current() -> LiveIndex:
    """This process's index for the database's current version; asked once per request."""
    memo = g.get("_match_index")
    if memo is not None:
        return memo
    g._match_index = live = _current_uncached()
    return live


def status() -> LiveIndex | None:
    """This process's index for the current app, if it has one (for tests and the CLI)."""
    return current_app.extensions.get("match_index")


def _current_uncached() -> LiveIndex:
    version, token = database_version()
    live = current_app.extensions.get("match_index")
    if live is not None and (live.version, live.token) == (version, token):
        return live
    lock = live.lock if live is not None else _build_lock
    with lock:
        live = current_app.extensions.get("match_index")
        if live is not None and (live.version, live.token) == (version, token):
            return live
        if live is not None and _catch_up(live, version, token):
            return live
        return _rebuild(version, token, live)


_build_lock = threading.Lock()


def _rebuild(version: int, token: str, previous: LiveIndex | None) -> LiveIndex:
    started = perf_counter()
    index = MatchIndex.build(profiles(), extra_aliases=extra_aliases())
    _release_free_memory()
    live = LiveIndex(version, token, index, perf_counter() - started,
                     builds=(previous.builds + 1) if previous is not None else 1)
    current_app.extensions["match_index"] = live
    current_app.logger.info("match index built: %d factories in %.2fs (version %d)", index.factory_count,
                            live.built_in, version)
    return live


def _release_free_memory() -> None:
    """Give back to the system the heap a build used and freed (glibc keeps it otherwise: ~150 MB at 100,000
    factories), and keep large arrays (a query's score vectors) in their own mappings from now on, so they are
    returned when freed: glibc's adaptive threshold would otherwise move them into the heap for good. Linux with
    glibc only; elsewhere nothing happens."""
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(_M_MMAP_THRESHOLD, 256 * 1024)
        libc.malloc_trim(0)
    except (OSError, AttributeError):
        pass


_M_MMAP_THRESHOLD = -3  # mallopt parameter (glibc's malloc.h)


def _catch_up(live: LiveIndex, version: int, token: str) -> bool:
    """Apply the changes between the index's version and the database's; False when a rebuild is needed."""
    if version < live.version or version - live.version > _config("MATCH_INDEX_MAX_CHANGES", MAX_CHANGES):
        return False
    rows = db.session.execute(  # plain rows, not ORM objects: this runs before a query
        db.select(IndexChange.version, IndexChange.token, IndexChange.factory_ids, IndexChange.terms,
                  IndexChange.new_after_id, IndexChange.is_full)
        .where(IndexChange.name == INDEX_NAME, IndexChange.version >= live.version, IndexChange.version <= version)
        .order_by(IndexChange.version)
    ).all()
    if rows and rows[0].version == live.version:
        if rows[0].token != live.token:
            return False  # the version the index reflects is not the database's history
        rows = rows[1:]
    if [r.version for r in rows] != list(range(live.version + 1, version + 1)) or rows[-1].token != token:
        return False  # a gap (pruned, or a change written without its row)
    if any(r.is_full for r in rows):
        return False
    started = perf_counter()
    ids = {int(i) for r in rows for i in r.factory_ids}
    terms = {t for r in rows for t in r.terms}
    new_after = [r.new_after_id for r in rows if r.new_after_id is not None]
    if new_after:
        ids.update(db.session.scalars(db.select(Factory.id).where(Factory.id > min(new_after))))
    if terms:
        ids.update(_factories_mentioning(terms))
    if len(ids) > max(1000, live.index.factory_count // 4):
        return False  # reading that many profiles one by one costs more than a build
    found = list(profiles(ids=ids)) if ids else []
    removed = ids - {p.id for p in found}
    if terms:
        live.index.set_aliases(extra_aliases())
    live.index.update(found, removed=removed)
    live.version, live.token = version, token
    live.updates += 1
    live.last_update_s = perf_counter() - started
    return True


def _factories_mentioning(terms) -> set[int]:
    """Factories whose own words contain one of these alias terms (as the directory's refresh finds them)."""
    ids: set[int] = set()
    for term in terms:
        folded = fold(term)
        if not folded:
            continue
        escaped = folded.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        ids.update(db.session.scalars(db.select(Factory.id).where(
            Factory.search_text.like(f"%{escaped}%", escape="\\"))))
    return ids
