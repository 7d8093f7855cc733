"""Factory operations shared by pages, the API, the importer and the seeds. They flush; callers commit."""

from __future__ import annotations

from functools import lru_cache

from flask_babel import get_locale

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
    """Members edit their own factory only; organisers may edit any."""
    if user is None or not user.is_authenticated:
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


def apply_location(factory: Factory) -> None:
    """Without coordinates, place the factory at its ward's centroid and say the location is approximate."""
    if factory.lat is not None and factory.lon is not None:
        factory.is_location_approx = False
        return
    ward = WARDS.get(factory.ward or "")
    if ward is not None:
        factory.lat, factory.lon = ward.lat, ward.lon
        factory.is_location_approx = True
    else:
        factory.lat = factory.lon = None
        factory.is_location_approx = False


def resolve_capabilities(factory: Factory) -> None:
    """Map the factory's own words (lists and prose) to taxonomy codes, remembering where each came from."""
    norm = normaliser()
    found: dict[tuple[str, str], tuple[str, float]] = {}

    def keep(kind: str, code: str, source: str, confidence: float) -> None:
        key = (kind, code)
        if key not in found or found[key][1] < confidence:
            found[key] = (source[:200], confidence)

    for kind, terms in (("process", factory.processes or []), ("material", factory.materials or [])):
        for term in terms:
            resolved = norm.resolve(term, kind=kind)
            if resolved is not None:
                keep(kind, resolved.code, resolved.source, resolved.confidence)
                continue
            extraction = norm.extract(term)
            for hit in extraction.processes + extraction.materials:
                keep(hit.kind, hit.code, hit.source, hit.confidence)
    prose = " ".join([factory.description or "", " ".join(factory.equipment or [])])
    if prose.strip():
        extraction = norm.extract(prose)
        for hit in extraction.processes + extraction.materials:
            keep(hit.kind, hit.code, hit.source, min(hit.confidence, 0.9))

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
    factory.search_text = _search_text(factory, [code for _, code in found])


def _search_text(factory: Factory, codes: list[str]) -> str:
    taxonomy = Taxonomy.default()
    parts = [factory.name, factory.name_en or "", factory.description or "", factory.address or ""]
    for terms in (factory.processes, factory.materials, factory.equipment, factory.certifications):
        parts.extend(terms or [])
    for code in codes:
        parts.extend([taxonomy.label(code, "ja"), taxonomy.label(code, "en")])
    ward = WARDS.get(factory.ward or "")
    if ward is not None:
        parts.extend([ward.name_ja, ward.name_en])
    return fold(" ".join(p for p in parts if p))[:20000]


def update_profile(factory: Factory, data: dict) -> Factory:
    """Apply validated fields to a factory and refresh what the matcher understands of it."""
    for field in PROFILE_FIELDS:
        if field in data:
            setattr(factory, field, data[field])
    apply_location(factory)
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
