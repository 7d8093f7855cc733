"""Scores people understand: the words that stand beside a match instead of a bare number."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import ngettext

from hub.core import providers
from hub.extensions import db
from hub.factories.models import FactoryCapability
from matching import Match, Taxonomy


def completed_jobs(factory_ids) -> dict[int, int]:
    """Factory id → deals it completed (offered by the deals domain; empty when it is not installed)."""
    return providers.call(providers.COMPLETED_JOBS, factory_ids, default={})


def material_codes(factory_ids) -> dict[int, list[str]]:
    """Factory id → the material codes it works, for many factories in one query."""
    ids = list(dict.fromkeys(factory_ids))
    out: dict[int, list[str]] = {}
    if ids:
        rows = db.session.execute(db.select(FactoryCapability.factory_id, FactoryCapability.code).where(
            FactoryCapability.factory_id.in_(ids), FactoryCapability.kind == "material",
            FactoryCapability.is_capability))
        for factory_id, code in rows:
            out.setdefault(factory_id, []).append(code)
    return out


def material_fit(query_codes: list[str], have: list[str]) -> str | None:
    """"exact", "close" or "no" for the materials the need names; None when it names none."""
    if not query_codes:
        return None
    taxonomy = Taxonomy.default()
    best = max((taxonomy.material_similarity(q, f) for q in query_codes for f in have), default=0.0)
    return "exact" if best >= 1.0 else ("close" if best > 0 else "no")


def match_summary(match: Match, have: list[str], *, required: int, materials: list[str], jobs: int) -> str:
    """One line that says what the match is: "covers 2 of 2 steps · 3.1 km · material ✓ · 4 past jobs"."""
    parts: list[str] = []
    if required:
        parts.append(_("covers %(k)s of %(n)s steps", k=len(match.covers), n=required))
    if match.distance_km is not None:
        parts.append(_("%(km)s km", km=f"{match.distance_km:.1f}"))
    fit = material_fit(materials, have)
    if fit == "exact":
        parts.append(_("material ✓"))
    elif fit == "close":
        parts.append(_("similar material"))
    elif fit == "no":
        parts.append(_("material not listed"))
    if jobs:
        parts.append(ngettext("%(num)s past job", "%(num)s past jobs", jobs))
    if not required and not materials:
        parts.insert(0, _("description is close to the need"))
    return " · ".join(parts)


def summaries(ranked) -> dict[int, str]:
    """Factory id → the summary line for every row of a ranked list (one query for the track records)."""
    rows = list(ranked.rows())
    ids = [factory.id for _match, factory in rows]
    jobs = completed_jobs(ids)
    required = len(ranked.result.required)
    materials = [r.code for r in ranked.result.query_materials]
    have = material_codes(ids) if materials else {}
    return {factory.id: match_summary(match, have.get(factory.id, []), required=required, materials=materials,
                                      jobs=jobs.get(factory.id, 0)) for match, factory in rows}
