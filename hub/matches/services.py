"""The matcher as the hub uses it: one in-memory index per worker process, kept current by applying the changes
recorded since its version (``hub/matches/live_index.py``), so several gunicorn workers agree without a restart
and without rebuilding after every edit.

Writers never call anything here: SQLAlchemy flush hooks notice changed factories, capabilities or aliases and
record what they touched inside the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from hub.extensions import db
from hub.factories.models import Factory
from hub.factories.services import refresh_factories_mentioning
from hub.matches import live_index
from hub.matches.live_index import INDEX_NAME, extra_aliases, profiles, track_records  # noqa: F401  (public)
from hub.matches.models import CapabilityAlias
from hub.needs.models import Need, NeedStatus
from matching import (
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


def mark_index_changed(session: Session, factory_ids=()) -> None:
    """Writers of data the index reads from elsewhere: re-read these factories (every worker rebuilds without ids)."""
    live_index.mark_index_changed(session, factory_ids)


def current_stamp() -> str:
    """The version the database has now, as "version:token" (one cheap query)."""
    version, token = live_index.database_version()
    return f"{version}:{token}"


def current_index() -> MatchIndex:
    """The index for the current database state; brought up to date in this process first when it is behind."""
    return live_index.current().index


def normaliser() -> Normaliser:
    """The normaliser with the organisers' aliases, matching the current index."""
    return live_index.current().index.normaliser


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
