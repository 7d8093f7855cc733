"""The matcher as the hub uses it: one in-memory index per worker process, built from the database and rebuilt
when the stamp in ``index_states`` changes, so several gunicorn workers agree without a restart.

Writers never call anything here: a SQLAlchemy flush hook notices changed factories, capabilities or aliases and
moves the stamp inside the same transaction.
"""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass
from time import perf_counter

from flask import current_app, g, has_app_context
from sqlalchemy import event, update
from sqlalchemy.orm import Session

from hub.core import providers
from hub.core.timeutil import utcnow
from hub.extensions import db
from hub.factories.models import Factory, FactoryCapability, FactoryCapabilityReview
from hub.factories.services import decisions_for, refresh_factories_mentioning
from hub.matches.models import CapabilityAlias, IndexState
from hub.needs.models import Need, NeedStatus
from matching import (
    FactoryProfile,
    MatchIndex,
    MatchResult,
    NeedQuery,
    Normaliser,
    Taxonomy,
    Team,
    fold,
    normalise_ward,
    propose_teams,
)

INDEX_NAME = "factories"
_WATCHED = (Factory, FactoryCapability, FactoryCapabilityReview, CapabilityAlias)


# --- the stamp --------------------------------------------------------------------------------------------------

def mark_index_changed(session: Session) -> None:
    """Move the stamp, once per transaction (Core statement: no ORM events fire for it). Called by the flush hooks
    below, and by writers of data the index reads from elsewhere (e.g. ratings feeding the track record)."""
    if session.info.get("index_stamped"):
        return
    session.info["index_stamped"] = True
    table = IndexState.__table__
    session.connection().execute(
        update(table).where(table.c.name == INDEX_NAME)
        .values(version=table.c.version + 1, token=uuid.uuid4().hex, changed_at=utcnow())
    )


# Ratings (the deals domain) feed the track record the index ranks with.
providers.evidence_changed.connect(mark_index_changed)


@event.listens_for(Session, "after_flush")
def _stamp_on_change(session: Session, _context) -> None:
    """Objects of a watched class were added, changed or deleted in this flush."""
    if any(isinstance(obj, _WATCHED) for obj in (*session.new, *session.dirty, *session.deleted)):
        mark_index_changed(session)


@event.listens_for(Session, "do_orm_execute")
def _stamp_on_bulk(state) -> None:
    """Bulk INSERT/UPDATE/DELETE statements on a watched class (the importer's fast path)."""
    if (state.is_insert or state.is_update or state.is_delete) and any(
            mapper.class_ in _WATCHED for mapper in state.all_mappers):
        mark_index_changed(state.session)


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_rollback")
@event.listens_for(Session, "after_soft_rollback")
def _reset_stamp_flag(session: Session, *_args) -> None:
    session.info.pop("index_stamped", None)
    if has_app_context():  # after a commit this request may see a newer stamp: ask again
        g.pop("_match_index", None)


def current_stamp() -> str:
    """The stamp the database has now (one cheap query)."""
    row = db.session.execute(
        db.select(IndexState.version, IndexState.token).where(IndexState.name == INDEX_NAME)
    ).first()
    return f"{row.version}:{row.token}" if row else "0:"


# --- building -----------------------------------------------------------------------------------------------------

def extra_aliases() -> dict[str, tuple[str, str]]:
    """Organisers' aliases as the matching library takes them."""
    return {a.alias: (a.kind, a.code) for a in db.session.scalars(db.select(CapabilityAlias))}


def profiles(batch: int = 2000):
    """Every published factory as a FactoryProfile, streamed in batches (bounded memory at 100k)."""
    records = track_records()
    columns = (Factory.id, Factory.name, Factory.external_id, Factory.name_en, Factory.ward, Factory.lat,
               Factory.lon, Factory.processes, Factory.materials, Factory.equipment, Factory.description,
               Factory.lot_min, Factory.lot_max)
    query = db.select(*columns).where(Factory.is_published).order_by(Factory.id)
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


def track_records() -> dict[int, float]:
    """Factory id → 0..1 from ratings of completed deals (offered by the deals domain; empty without it)."""
    return providers.call(providers.TRACK_RECORDS, default={})


@dataclass
class _Cached:
    stamp: str
    index: MatchIndex
    normaliser: Normaliser
    built_in: float


_cache: dict[str, _Cached] = {}
_lock = threading.Lock()


def current_index() -> MatchIndex:
    """The index for the current database state; rebuilt in this process when the stamp has moved."""
    return _current().index


def normaliser() -> Normaliser:
    """The normaliser with the organisers' aliases, matching the current index."""
    return _current().normaliser


def _current() -> _Cached:
    """The cached index for the database's current stamp; asked once per request (pages call it several times)."""
    memo = g.get("_match_index")
    if memo is not None:
        return memo
    g._match_index = cached = _current_uncached()
    return cached


def _current_uncached() -> _Cached:
    stamp = current_stamp()
    key = current_app.config["SQLALCHEMY_DATABASE_URI"]
    cached = _cache.get(key)
    if cached is not None and cached.stamp == stamp:
        return cached
    with _lock:
        cached = _cache.get(key)
        if cached is not None and cached.stamp == stamp:
            return cached
        started = perf_counter()
        aliases = extra_aliases()
        index = MatchIndex.build(profiles(), extra_aliases=aliases)
        cached = _Cached(stamp, index, Normaliser(Taxonomy.default(), extra_aliases=aliases),
                         perf_counter() - started)
        _cache[key] = cached
        current_app.logger.info("match index built: %d factories in %.2fs (stamp %s)", len(index),
                                cached.built_in, stamp)
        return cached


# --- queries ------------------------------------------------------------------------------------------------------

@dataclass
class Ranked:
    """A match result with the factories it names, loaded in one query."""

    result: MatchResult
    factories: dict[int, Factory]

    def rows(self):
        for match in self.result.results:
            factory = self.factories.get(match.factory_id)
            if factory is not None:
                yield match, factory


def load_factories(ids) -> dict[int, Factory]:
    ids = list(dict.fromkeys(ids))
    if not ids:
        return {}
    return {f.id: f for f in db.session.scalars(db.select(Factory).where(Factory.id.in_(ids)))}


def corrected(processes, removed, added) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(processes, exclude) for a NeedQuery after the seeker's correction: added codes are named steps (by their
    Japanese label, which the normaliser reads back to the code), removed codes are never required."""
    taxonomy = Taxonomy.default()
    removed = tuple(dict.fromkeys(c for c in removed if c in taxonomy.processes))
    added = tuple(taxonomy.label(c, "ja") for c in dict.fromkeys(added) if c in taxonomy.processes
                  and c not in removed)
    return tuple(processes or ()) + added, removed


def need_query(need: Need) -> NeedQuery:
    """A posted need as the matcher reads it: its own words, its lists and area, and the owner's correction."""
    text = "\n".join(part for part in (need.title, need.description) if part)
    processes, exclude = corrected(need.processes, need.reading_codes("removed"), need.reading_codes("added"))
    return NeedQuery(text=text, processes=processes, materials=tuple(need.materials or ()),
                     ward=need.ward, quantity=need.quantity, exclude=exclude)


def rank_for_need(need: Need, lang: str, limit: int = 10, exclude_ids=()) -> Ranked:
    """Factories for a need, best first, with reasons in ``lang``."""
    result = current_index().match(need_query(need), limit=limit, lang=lang, exclude_ids=exclude_ids)
    return Ranked(result, load_factories(m.factory_id for m in result.results))


def rank_for_text(text: str, lang: str, *, processes=(), materials=(), ward: str | None = None,
                  lat: float | None = None, lon: float | None = None, quantity: int | None = None,
                  limit: int = 10, removed=(), added=()) -> Ranked:
    """Factories for free text (pitches, successors' interests, the API, the search page with its correction)."""
    processes, exclude = corrected(processes, removed, added)
    query = NeedQuery(text=text, processes=processes, materials=tuple(materials),
                      ward=normalise_ward(ward) if ward else None, lat=lat, lon=lon, quantity=quantity,
                      exclude=exclude)
    result = current_index().match(query, limit=limit, lang=lang)
    return Ranked(result, load_factories(m.factory_id for m in result.results))


def teams_for_need(need: Need, ranked: Ranked, lang: str, limit: int = 3) -> list[tuple[Team, dict[int, Factory]]]:
    """Up to ``limit`` teams of nearby factories for a need that no single factory in its ranking covers fully."""
    required = len(ranked.result.required)
    if required < 2 or any(len(match.covers) >= required for match in ranked.result.results):
        return []
    teams = [t for t in propose_teams(current_index(), need_query(need), limit=limit, lang=lang)
             if len(t.assignments) >= 2]
    factories = load_factories(fid for team in teams for fid in team.factory_ids)
    return [(team, factories) for team in teams if all(fid in factories for fid in team.factory_ids)]


def fits_for_factory(factory: Factory, lang: str, limit: int = 10):
    """Open needs that fit this factory ("案件 that fit you"), as (need, fit) pairs, best first."""
    index = current_index()
    if factory.id not in index:
        return []
    needs = db.session.scalars(
        db.select(Need).where(Need.status == NeedStatus.OPEN, Need.visibility.in_(("public", "members")))
        .order_by(Need.created_at.desc()).limit(500)
    ).all()
    by_id = {n.id: n for n in needs}
    fits = index.needs_for(factory.id, [(n.id, need_query(n)) for n in needs], limit=limit, lang=lang)
    return [(by_id[fit.need_id], fit) for fit in fits if fit.score > 0 and fit.covers]


def partners_for_factory(factory: Factory, process_codes, lang: str, limit: int = 5):
    """Nearby partners for steps this factory lacks (nakama-mawashi), with the factories loaded."""
    index = current_index()
    if factory.id not in index:
        return []
    matches = index.partners_for(factory.id, list(process_codes), limit=limit, lang=lang)
    factories = load_factories(m.factory_id for m in matches)
    return [(m, factories[m.factory_id]) for m in matches if m.factory_id in factories]


# Steps that usually come before or after a family's work in a nakama-mawashi chain: what a factory most often
# needs a partner for.
NEIGHBOUR_STEPS = {
    "machining": ("heat_treatment", "plating", "anodizing", "grinding", "painting", "cmm"),
    "sheet_metal": ("welding", "painting", "powder_coating", "plating", "laser_marking"),
    "joining": ("laser_cutting", "bending", "painting", "plating"),
    "surface_treatment": ("milling", "turning", "polishing", "deburring"),
    "heat_treatment": ("turning", "grinding", "plating"),
    "casting_forging": ("milling", "heat_treatment", "blasting"),
}


def suggested_partner_steps(factory: Factory) -> list[str]:
    """The steps this factory says it sends to partners first (it buys them: real demand), then steps commonly
    chained with what it does, which it does not do itself."""
    index = current_index()
    if factory.id not in index:
        return []
    taxonomy = Taxonomy.default()
    outsourced = list(index.outsourced(factory.id))
    candidates: list[str] = []
    for code in factory.codes("process"):
        process = taxonomy.processes.get(code)
        if process is None:
            continue
        for family_key, steps in NEIGHBOUR_STEPS.items():
            if process.family == family_key or taxonomy.is_descendant(code, family_key):
                candidates.extend(s for s in steps if s in taxonomy.processes)
    candidates = [c for c in dict.fromkeys(candidates) if c not in outsourced]
    return (outsourced + index.missing_processes(factory.id, candidates))[:max(4, len(outsourced))]


def add_alias(alias: str, kind: str, code: str, actor) -> CapabilityAlias:
    """An organiser maps a term to a code: the index picks it up on its next build, and the factories that wrote
    the term get it in their capabilities (the directory's filters) now."""
    row = CapabilityAlias(alias=fold(alias)[:100], kind=kind, code=code, created_by_id=actor.id)
    db.session.add(row)
    db.session.flush()
    refresh_factories_mentioning(row.alias)
    return row


def remove_alias(row: CapabilityAlias) -> None:
    """Forget an organiser's alias, and re-read the factories that wrote the term."""
    db.session.delete(row)
    db.session.flush()
    refresh_factories_mentioning(row.alias)
