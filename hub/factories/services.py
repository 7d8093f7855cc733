"""Factory operations shared by pages, the API, the importer and the seeds. They flush; callers commit."""

from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

from hub.auth.identity import acts_as_member
from hub.auth.models import ROLE_FACTORY, User
from hub.core.i18n import current_locale
from hub.extensions import db
from hub.factories import places
from hub.factories.models import (
    REVIEW_DECISIONS,
    Evidence,
    Factory,
    FactoryCapability,
    FactoryCapabilityReview,
    ReviewDecision,
)
from matching import WARDS, Normaliser, Taxonomy, fold

PROFILE_FIELDS = (
    "name", "name_en", "ward", "address", "lat", "lon", "description", "processes", "materials", "equipment",
    "certifications", "tolerance", "lot_min", "lot_max", "employees", "founded", "website",
    "owner_birth_year", "successor_status",
)


@lru_cache(maxsize=1)
def normaliser() -> Normaliser:
    """One normaliser per process: the taxonomy is static data."""
    return Normaliser(Taxonomy.default())


def can_edit(user: User | None, factory: Factory) -> bool:
    """Members edit their own factory only; organisers may edit any (a confirmed email address either way)."""
    if not acts_as_member(user):
        return False
    if user.is_organiser:
        return True
    return (
        user.role == ROLE_FACTORY
        and user.organisation_id is not None
        and factory.organisation_id == user.organisation_id
    )


def location_for(ward_key: str | None, lat: float | None, lon: float | None,
                 address: str | None = None) -> tuple[float | None, float | None, bool]:
    """(lat, lon, approximate): the given point, else the centre of the town the address names (the shipped
    place table, hub/factories/places.py), else the ward's centroid (both approximate), else nothing."""
    if lat is not None and lon is not None:
        return lat, lon, False
    town = places.town_point(ward_key, address)
    if town is not None:
        return town[0], town[1], True
    ward = WARDS.get(ward_key or "")
    if ward is not None:
        return ward.lat, ward.lon, True
    return None, None, False


class Found(NamedTuple):
    """One capability row to store: where the hub's belief comes from and the words it was read from."""

    source: str
    confidence: float
    evidence: str  # EVIDENCE_LEVELS
    phrase: str


class CapabilityReader:
    """The normaliser with the organisers' aliases (it caches the list items and prose it has read: directories
    repeat the same trade words thousands of times)."""

    def __init__(self, aliases: dict[str, tuple[str, str]]):
        self.normaliser = Normaliser(Taxonomy.default(), extra_aliases=aliases) if aliases else normaliser()


_readers: dict[tuple, CapabilityReader] = {}


def capability_reader() -> CapabilityReader:
    """The reader for the aliases in the database now (one small query; readers are reused per alias set)."""
    from hub.matches.models import CapabilityAlias

    aliases = {row.alias: (row.kind, row.code) for row in db.session.scalars(db.select(CapabilityAlias))}
    key = tuple(sorted(aliases.items()))
    if key not in _readers:
        if len(_readers) > 8:
            _readers.clear()
        _readers[key] = CapabilityReader(aliases)
    return _readers[key]


def find_capabilities(processes, materials, description: str, equipment,
                      reader: CapabilityReader | None = None, *, confirmed=(), rejected=()
                      ) -> dict[tuple[str, str], Found]:
    """What a factory does, by the one rule the index uses too (``Normaliser.read_profile``): its own list
    items ("listed"), what its prose says it does itself ("prose", with the phrase), and the steps it says it
    sends to partners ("outsourced": demand, never a capability). The owner's decisions count: confirmed codes
    are listed, rejected ones are dropped. Pass ``reader`` to read many factories with one alias lookup."""
    reader = reader or capability_reader()
    reading = reader.normaliser.read_profile(
        tuple(processes or ()), tuple(materials or ()), description or "", tuple(equipment or ()),
        confirmed=tuple(confirmed), rejected=tuple(rejected))
    found: dict[tuple[str, str], Found] = {}
    for ev in reading.capabilities:
        confidence = ev.confidence if ev.level == "listed" else min(ev.confidence, 0.9)
        source = (ev.source or ev.phrase or ev.label_ja)[:200]
        found[(ev.kind, ev.code)] = Found(source, confidence, ev.level, (ev.phrase or source)[:200])
    for r in reading.outsourced:
        if ("process", r.code) not in found and r.code not in rejected:
            found[("process", r.code)] = Found(r.source[:200], r.confidence, Evidence.OUTSOURCED, r.source[:200])
    return found


def decisions_for(factory_ids) -> dict[int, tuple[tuple[str, ...], tuple[str, ...]]]:
    """Factory id → (confirmed codes, rejected codes) from the owners' reviews, for many factories in one query."""
    ids = [i for i in dict.fromkeys(factory_ids) if i is not None]
    out: dict[int, tuple[list[str], list[str]]] = {}
    if ids:
        rows = db.session.execute(db.select(
            FactoryCapabilityReview.factory_id, FactoryCapabilityReview.code, FactoryCapabilityReview.decision)
            .where(FactoryCapabilityReview.factory_id.in_(ids)).order_by(FactoryCapabilityReview.id))
        for factory_id, code, decision in rows:
            pair = out.setdefault(factory_id, ([], []))
            pair[0 if decision == ReviewDecision.CONFIRMED else 1].append(code)
    return {k: (tuple(v[0]), tuple(v[1])) for k, v in out.items()}


def search_text_for(data: dict, codes) -> str:
    """Folded text of everything the directory search looks at (names, terms, labels in both languages)."""
    taxonomy = Taxonomy.default()
    parts = [data.get("name") or "", data.get("name_en") or "", data.get("description") or "",
             data.get("address") or ""]
    for key in ("processes", "materials", "equipment", "certifications"):
        parts.extend(data.get(key) or [])
    for code in codes:
        parts.extend([taxonomy.label(code, "ja"), taxonomy.label(code, "en")])
    ward = WARDS.get(data.get("ward") or "")
    if ward is not None:
        parts.extend([ward.name_ja, ward.name_en])
    return fold(" ".join(p for p in parts if p))[:20000]


def resolve_capabilities(factory: Factory, reader: CapabilityReader | None = None) -> None:
    """Refresh a factory's capability rows and search text from its own words and its owner's decisions."""
    confirmed, rejected = decisions_for([factory.id]).get(factory.id, ((), ())) if factory.id else ((), ())
    found = find_capabilities(factory.processes, factory.materials, factory.description, factory.equipment, reader,
                              confirmed=confirmed, rejected=rejected)
    existing = {(c.kind, c.code): c for c in factory.capabilities}
    for key, cap in list(existing.items()):
        if key not in found:
            factory.capabilities.remove(cap)
    for (kind, code), row in found.items():
        cap = existing.get((kind, code))
        if cap is None:
            factory.capabilities.append(FactoryCapability(kind=kind, code=code, **row._asdict()))
        else:
            cap.source, cap.confidence, cap.evidence, cap.phrase = row
    data = {key: getattr(factory, key) for key in ("name", "name_en", "description", "address", "processes",
                                                   "materials", "equipment", "certifications", "ward")}
    factory.search_text = search_text_for(data, [code for (_, code), row in found.items()
                                                 if row.evidence != Evidence.OUTSOURCED])


def refresh_factories_mentioning(text: str) -> int:
    """After an organiser maps a term, re-read the factories whose own words contain it, so the directory's
    process and material filters find them too. Returns how many were re-read."""
    folded = fold(text)
    if not folded:
        return 0
    escaped = folded.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    reader = capability_reader()
    factories = db.session.scalars(db.select(Factory).where(Factory.search_text.like(f"%{escaped}%", escape="\\")))
    count = 0
    for factory in factories:
        resolve_capabilities(factory, reader)
        count += 1
    db.session.flush()
    return count


def update_profile(factory: Factory, data: dict) -> Factory:
    """Apply validated fields to a factory and refresh what the matcher understands of it."""
    explicit_point = "lat" in data or "lon" in data
    for field in PROFILE_FIELDS:
        if field in data:
            setattr(factory, field, data[field])
    # A centroid we placed is not the user's input: recompute it (the ward may have changed) unless a point is given.
    given = (factory.lat, factory.lon) if explicit_point or not factory.is_location_approx else (None, None)
    factory.lat, factory.lon, factory.is_location_approx = location_for(factory.ward, *given, factory.address)
    if data.get("location_approx") and factory.lat is not None:
        factory.is_location_approx = True  # the editor's map placed it from the address (a town's centre)
    resolve_capabilities(factory)
    db.session.add(factory)
    db.session.flush()
    return factory


def directory_query(q: str | None = None, ward: str | None = None, process: str | None = None,
                    material: str | None = None):
    """Published factories matching the directory filters (a select, for pagination)."""
    query = db.select(Factory).where(Factory.is_public)
    if q:
        for word in fold(q).split()[:8]:
            escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            query = query.where(Factory.search_text.like(f"%{escaped}%", escape="\\"))
    if ward:
        query = query.where(Factory.ward == ward)
    for kind, code in (("process", process), ("material", material)):
        if code:
            query = query.where(
                Factory.capabilities.any((FactoryCapability.kind == kind) & (FactoryCapability.code == code)
                                         & FactoryCapability.is_capability)
            )
    return query.order_by(Factory.name, Factory.id)


def public_dict(factory: Factory, locale: str | None = None, detail: bool = False) -> dict:
    """The public profile as the directory API gives it. Never includes the private succession fields."""
    locale = current_locale(locale)
    taxonomy = Taxonomy.default()
    caps = factory.capabilities

    def coded(kind: str) -> list[dict]:
        return [{"code": c.code, "label": taxonomy.label(c.code, locale), "source": c.source,
                 "evidence": c.evidence} for c in caps if c.kind == kind and c.is_capability]

    data = {
        "id": factory.id,
        "external_id": factory.external_id,
        "name": factory.name,
        "name_en": factory.name_en,
        "ward": factory.ward,
        "ward_label": WARDS[factory.ward].name_en if locale == "en" and factory.ward in WARDS
        else (WARDS[factory.ward].name_ja if factory.ward in WARDS else None),
        "lat": factory.lat,
        "lon": factory.lon,
        "location_approximate": factory.is_location_approx,
        "processes": coded("process"),
        "materials": coded("material"),
    }
    if detail:
        data.update({
            "address": factory.address,
            "description": factory.description,
            "processes_as_written": list(factory.processes or []),
            "materials_as_written": list(factory.materials or []),
            "outsources": [{"code": code, "label": taxonomy.label(code, locale)}
                           for code in factory.outsourced_codes()],
            "equipment": list(factory.equipment or []),
            "certifications": list(factory.certifications or []),
            "tolerance": factory.tolerance,
            "lot_min": factory.lot_min,
            "lot_max": factory.lot_max,
            "employees": factory.employees,
            "founded": factory.founded,
            "website": factory.website,
            "photos": [f"/factories/photos/{p.stored_name}" for p in factory.photos],
        })
    return data


# --- the owner's review of what the hub read from their prose --------------------------------------------------

class ReviewError(ValueError):
    """A capability review that cannot be recorded (the edge maps it to a message or a 4xx)."""


def pending_reviews(factory: Factory) -> list[FactoryCapability]:
    """Capabilities read from the factory's prose that its owner has not confirmed or rejected yet."""
    return [c for c in factory.capabilities if c.evidence == Evidence.PROSE]


def rejected_reviews(factory: Factory) -> list[FactoryCapabilityReview]:
    """The owner's "not us" decisions for this factory (they stick across edits and re-imports)."""
    return list(db.session.scalars(db.select(FactoryCapabilityReview).where(
        FactoryCapabilityReview.factory_id == factory.id, FactoryCapabilityReview.decision == ReviewDecision.REJECTED)
        .order_by(FactoryCapabilityReview.id)))


def review_capability(actor: User, factory: Factory, kind: str, code: str,
                      decision: str | None) -> FactoryCapabilityReview | None:
    """The owner (or an organiser) confirms an inferred capability, says "not us", or (``decision=None``)
    withdraws an earlier decision; the factory's capabilities are re-read at once."""
    if not can_edit(actor, factory) or factory.id is None:
        raise ReviewError("not allowed")
    taxonomy = Taxonomy.default()
    known = taxonomy.processes if kind == "process" else taxonomy.materials if kind == "material" else {}
    if code not in known:
        raise ReviewError("unknown capability")
    if decision is not None and decision not in REVIEW_DECISIONS:
        raise ReviewError("unknown decision")
    row = db.session.scalar(db.select(FactoryCapabilityReview).where(
        FactoryCapabilityReview.factory_id == factory.id, FactoryCapabilityReview.kind == kind,
        FactoryCapabilityReview.code == code))
    if decision is None:
        if row is not None:
            db.session.delete(row)
        row = None
    elif row is None:
        row = FactoryCapabilityReview(factory_id=factory.id, kind=kind, code=code, decision=decision,
                                      decided_by_id=actor.id)
        db.session.add(row)
    else:
        row.decision, row.decided_by_id = decision, actor.id
    db.session.flush()
    resolve_capabilities(factory)
    db.session.flush()
    return row


def unconfirmed_profiles_count() -> int:
    """How many published profiles still carry capabilities read from prose that the owner has not confirmed."""
    return db.session.scalar(
        db.select(db.func.count(db.distinct(FactoryCapability.factory_id)))
        .join(Factory, Factory.id == FactoryCapability.factory_id)
        .where(Factory.is_public, FactoryCapability.evidence == Evidence.PROSE)) or 0
