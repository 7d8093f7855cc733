"""Factory operations shared by pages, the API, the importer and the seeds. They flush; callers commit."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dc_field
from functools import cached_property, lru_cache
from typing import NamedTuple

from hub.auth.identity import acts_as_member
from hub.auth.models import ROLE_FACTORY, User
from hub.core.cache import remember
from hub.core.i18n import current_locale
from hub.extensions import db
from hub.factories import places, search
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
    search.refresh_name_keys([factory.id])
    return factory


class DirectoryProblem(ValueError):
    """A filter of the directory that names nothing the hub knows (the page says so; the API answers 400)."""

    def __init__(self, field: str, value: str):
        super().__init__(f"{field}: {value}")
        self.field, self.value = field, value


def capability_code(kind: str, raw: str | None) -> str | None:
    """A process or material filter given as a code or as people write it (any language, trade names, US or UK
    spelling, the organisers' aliases); None when not given; :class:`DirectoryProblem` when unknown."""
    raw = (raw or "").strip()[:200]
    if not raw:
        return None
    taxonomy = Taxonomy.default()
    if raw in (taxonomy.processes if kind == "process" else taxonomy.materials):
        return raw
    resolved = capability_reader().normaliser.resolve(raw, kind=kind)
    if resolved is None or resolved.confidence < search.MIN_CONFIDENCE:
        raise DirectoryProblem(kind, raw)
    return resolved.code


@dataclass(frozen=True)
class DirectorySearch:
    """What a directory request asks for: the search box, and the ward / process / material filters."""

    q: str = ""
    ward: str | None = None
    process: str | None = None
    material: str | None = None

    @cached_property
    def reading(self) -> search.BoxReading | None:
        """The search box read term by term (once per request)."""
        return search.read_box(self.q, capability_reader().normaliser) if self.q.strip() else None

    def select(self, *columns):
        return db.select(*columns).where(*search.public_filter(self.reading, self.ward, self.process,
                                                               self.material))

    def count(self) -> int:
        """How many public factories match (kept per generation: one count per change, not per request)."""
        return remember("directory-count", lambda: db.session.scalar(self.select(db.func.count(Factory.id))) or 0,
                        self.q, self.ward, self.process, self.material)

    def cards(self, limit: int, offset: int = 0) -> list[Card]:
        """One page of directory cards, in name order: two narrow queries (factories, then their capabilities)."""
        rows = db.session.execute(self.select(*CARD_COLUMNS).order_by(Factory.name, Factory.id)
                                  .limit(limit).offset(offset)).all()
        return cards_for(rows)


def directory_query(q: str | None = None, ward: str | None = None, process: str | None = None,
                    material: str | None = None):
    """Published factories matching the directory filters (ORM objects, for callers that need them)."""
    return DirectorySearch(q or "", ward, process, material).select(Factory).order_by(Factory.name, Factory.id)


CARD_COLUMNS = (Factory.id, Factory.external_id, Factory.name, Factory.name_en, Factory.ward, Factory.employees,
                Factory.lat, Factory.lon, Factory.is_location_approx)


@dataclass
class Card:
    """What a directory card, the front page and the directory API show of a factory (no ORM graph)."""

    id: int
    external_id: str | None
    name: str
    name_en: str | None
    ward: str | None
    employees: int | None
    lat: float | None
    lon: float | None
    is_location_approx: bool
    capabilities: list = dc_field(default_factory=list)  # rows: kind, code, evidence, phrase, source

    def display_name(self, locale: str) -> str:
        return self.name_en if locale == "en" and self.name_en else self.name


def cards_for(rows) -> list[Card]:
    """Cards for factory rows (``CARD_COLUMNS``) with the capabilities they do themselves, in one more query."""
    cards = [Card(*row) for row in rows]
    by_id = {card.id: card for card in cards}
    if by_id:
        caps = db.session.execute(
            db.select(FactoryCapability.factory_id, FactoryCapability.kind, FactoryCapability.code,
                      FactoryCapability.evidence, FactoryCapability.phrase, FactoryCapability.source)
            .where(FactoryCapability.factory_id.in_(list(by_id)), FactoryCapability.is_capability)
            .order_by(FactoryCapability.id))
        for cap in caps:
            by_id[cap.factory_id].capabilities.append(cap)
    return cards


def recent_cards(limit: int = 6) -> list[Card]:
    """The most recently updated public factories (the front page), through the updated_at index."""
    rows = db.session.execute(db.select(*CARD_COLUMNS).where(Factory.is_public)
                              .order_by(Factory.updated_at.desc()).limit(limit)).all()
    return cards_for(rows)


def front_counts() -> tuple[int, int]:
    """(public factories, wards with one) — kept per generation, not counted on every visit."""
    def count() -> tuple[int, int]:
        row = db.session.execute(db.select(db.func.count(Factory.id), db.func.count(db.distinct(Factory.ward)))
                                 .where(Factory.is_public)).one()
        return int(row[0]), int(row[1])
    return tuple(remember("front-counts", count))


def card_dict(card: Card, locale: str | None = None) -> dict:
    """A card as the directory API lists it (the same keys as :func:`public_dict` without ``detail``)."""
    locale = current_locale(locale)
    taxonomy = Taxonomy.default()

    def coded(kind: str) -> list[dict]:
        return [{"code": c.code, "label": taxonomy.label(c.code, locale), "source": c.source,
                 "evidence": c.evidence} for c in card.capabilities if c.kind == kind]

    ward = WARDS.get(card.ward or "")
    return {"id": card.id, "external_id": card.external_id, "name": card.name, "name_en": card.name_en,
            "ward": card.ward, "ward_label": (ward.name_en if locale == "en" else ward.name_ja) if ward else None,
            "lat": card.lat, "lon": card.lon, "location_approximate": card.is_location_approx,
            "processes": coded("process"), "materials": coded("material")}


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
