"""Factory operations shared by pages, the API, the importer and the seeds. They flush; callers commit."""

from __future__ import annotations

from functools import lru_cache

from flask_babel import get_locale

from hub.auth.identity import acts_as_member
from hub.auth.models import ROLE_FACTORY, User
from hub.extensions import db
from hub.factories.models import Factory, FactoryCapability
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


def factory_for_user(user: User) -> Factory | None:
    if user.organisation_id is None:
        return None
    return db.session.scalar(db.select(Factory).where(Factory.organisation_id == user.organisation_id))


def location_for(ward_key: str | None, lat: float | None, lon: float | None) -> tuple[float | None, float | None, bool]:
    """(lat, lon, approximate): the given point, else the ward's centroid (approximate), else nothing."""
    if lat is not None and lon is not None:
        return lat, lon, False
    ward = WARDS.get(ward_key or "")
    if ward is not None:
        return ward.lat, ward.lon, True
    return None, None, False


Found = dict[tuple[str, str], tuple[str, float]]  # (kind, code) → (source text, confidence)


class CapabilityReader:
    """The normaliser with the organisers' aliases, and a cache of the listed terms it has read (directories
    repeat the same trade words thousands of times)."""

    def __init__(self, aliases: dict[str, tuple[str, str]]):
        self.normaliser = Normaliser(Taxonomy.default(), extra_aliases=aliases) if aliases else normaliser()
        self._terms: dict[tuple[str, str], tuple[tuple[str, str, str, float], ...]] = {}

    def term(self, term: str, kind: str) -> tuple[tuple[str, str, str, float], ...]:
        key = (term, kind)
        if key not in self._terms:
            if len(self._terms) > 50_000:
                self._terms.clear()
            resolved = self.normaliser.resolve(term, kind=kind)
            if resolved is not None:
                hits = ((kind, resolved.code, resolved.source, resolved.confidence),)
            else:
                extraction = self.normaliser.extract(term)
                hits = tuple((hit.kind, hit.code, hit.source, hit.confidence)
                             for hit in extraction.processes + extraction.materials)
            self._terms[key] = hits
        return self._terms[key]


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
                      reader: CapabilityReader | None = None) -> Found:
    """Map a factory's own words (lists first, then prose) to taxonomy codes, remembering where each came from.
    Organisers' aliases count too; pass ``reader`` to read many factories with one alias lookup."""
    reader = reader or capability_reader()
    found: Found = {}

    def keep(kind: str, code: str, source: str, confidence: float) -> None:
        key = (kind, code)
        if key not in found or found[key][1] < confidence:
            found[key] = (source[:200], confidence)

    for kind, terms in (("process", processes or []), ("material", materials or [])):
        for term in terms:
            for hit in reader.term(term, kind):
                keep(*hit)
    prose = " ".join([description or "", " ".join(equipment or [])])
    if prose.strip():
        extraction = reader.normaliser.extract(prose)
        for hit in extraction.processes + extraction.materials:
            keep(hit.kind, hit.code, hit.source, min(hit.confidence, 0.9))
    return found


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
    """Refresh a factory's capability rows and search text from its own words."""
    found = find_capabilities(factory.processes, factory.materials, factory.description, factory.equipment, reader)
    existing = {(c.kind, c.code): c for c in factory.capabilities}
    for key, cap in list(existing.items()):
        if key not in found:
            factory.capabilities.remove(cap)
    for (kind, code), (source, confidence) in found.items():
        cap = existing.get((kind, code))
        if cap is None:
            factory.capabilities.append(FactoryCapability(kind=kind, code=code, source=source, confidence=confidence))
        else:
            cap.source, cap.confidence = source, confidence
    data = {key: getattr(factory, key) for key in ("name", "name_en", "description", "address", "processes",
                                                   "materials", "equipment", "certifications", "ward")}
    factory.search_text = search_text_for(data, [code for _, code in found])


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
    factory.lat, factory.lon, factory.is_location_approx = location_for(factory.ward, *given)
    resolve_capabilities(factory)
    db.session.add(factory)
    db.session.flush()
    return factory


def directory_query(q: str | None = None, ward: str | None = None, process: str | None = None,
                    material: str | None = None):
    """Published factories matching the directory filters (a select, for pagination)."""
    query = db.select(Factory).where(Factory.is_published)
    if q:
        for word in fold(q).split()[:8]:
            escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            query = query.where(Factory.search_text.like(f"%{escaped}%", escape="\\"))
    if ward:
        query = query.where(Factory.ward == ward)
    for kind, code in (("process", process), ("material", material)):
        if code:
            query = query.where(
                Factory.capabilities.any((FactoryCapability.kind == kind) & (FactoryCapability.code == code))
            )
    return query.order_by(Factory.name, Factory.id)


def public_dict(factory: Factory, locale: str | None = None, detail: bool = False) -> dict:
    """The public profile as the directory API gives it. Never includes the private succession fields."""
    locale = locale or str(get_locale() or "ja")
    taxonomy = Taxonomy.default()
    caps = factory.capabilities

    def coded(kind: str) -> list[dict]:
        return [{"code": c.code, "label": taxonomy.label(c.code, locale), "source": c.source}
                for c in caps if c.kind == kind]

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
