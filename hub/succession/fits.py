"""Matching successors and listings both ways, with reasons in the reader's language. A successor is scored on the
listing's public (generalised) form only, so that a score or a reason never reveals what the listing hides."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from flask_babel import force_locale
from flask_babel import gettext as _
from sklearn.metrics.pairwise import cosine_similarity

from hub.auth.models import ROLE_SUCCESSOR, User
from hub.core.i18n import current_locale
from hub.extensions import db
from hub.succession import public
from hub.succession.labels import SCHEME_LABELS, label
from hub.succession.models import SuccessionListing, SuccessorProfile
from hub.succession.services import ward_name
from matching import Taxonomy


@dataclass
class Fit:
    score: float
    reasons: list[str] = field(default_factory=list)
    processes: list[str] = field(default_factory=list)  # listing codes that matched


FAMILY = "family:"  # a process family shown by a generalised listing ("machining" is a process code too)


def _similarity(wanted: str, offered: str) -> float:
    """Process credit; a process family (what a generalised listing shows) gives half credit to its processes."""
    taxonomy = Taxonomy.default()
    for family, code in ((offered, wanted), (wanted, offered)):
        if family.startswith(FAMILY):
            process = taxonomy.processes.get(code)
            return 1.0 if code == family else \
                (0.5 if process is not None and FAMILY + process.family == family else 0.0)
    return taxonomy.process_similarity(wanted, offered)


def _code_label(code: str, lang: str) -> str:
    if code.startswith(FAMILY):
        return public.family_label(code.removeprefix(FAMILY), lang)
    return Taxonomy.default().label(code, lang)


def _vector(codes: list[str]) -> np.ndarray:
    """A capability vector over the taxonomy: credit for every process, with family-level partial credit."""
    taxonomy = Taxonomy.default()
    all_codes = taxonomy.process_codes
    vec = np.zeros(len(all_codes))
    for j, target in enumerate(all_codes):
        for code in codes:
            vec[j] = max(vec[j], _similarity(target, code), _similarity(code, target))
    return vec


def _best(wanted: list[str], offered: list[str]) -> list[tuple[str, str, float]]:
    """For each wanted code, the offered code giving most credit: (wanted, offered, credit)."""
    out = []
    for w in wanted:
        pairs = [(_similarity(w, o), o) for o in offered]
        credit, offered_code = max(pairs) if pairs else (0.0, "")
        out.append((w, offered_code, credit))
    return out


def fit(profile: SuccessorProfile, listing: SuccessionListing, perspective: str = "successor",
        locale: str | None = None) -> Fit:
    """How well a successor and a listing suit each other, with reasons in the reader's language.

    ``perspective`` "successor" words the reasons for the successor, "owner" for the listing's owner. Successors are
    scored on the listing's public form only (its area and process families when generalised): a score or a reason
    must not reveal what the listing hides.
    """
    lang = current_locale(locale)
    view = public.view_of(listing) if perspective == "successor" else None
    offered = [p["code"] if p["kind"] == "process" else FAMILY + p["code"] for p in view["processes"]] if view \
        else list(listing.processes or [])
    shown_wards = public.area_wards(view) if view else [listing.ward]
    wanted = list(profile.processes or []) or list(profile.skills or [])
    skills = list(profile.skills or [])
    interest_pairs = _best(wanted, offered)
    interest = float(np.mean([c for *_x, c in interest_pairs])) if interest_pairs else 0.0
    skill_pairs = _best(offered, skills) if skills else []
    capability = float(np.mean([c for *_x, c in skill_pairs])) if skill_pairs else 0.0
    mine = sorted(set(wanted) | set(skills))
    cosine = float(cosine_similarity([_vector(mine)], [_vector(offered)])[0, 0]) if mine and offered else 0.0
    if interest == 0 and capability == 0:
        return Fit(0.0)
    liked = set(profile.wards or [])
    area = 0.5 if not liked or shown_wards is None else (1.0 if liked & set(shown_wards) else 0.0)
    common_schemes = [s for s in (listing.schemes or []) if s in (profile.schemes or [])]
    scheme = 1.0 if common_schemes else (0.5 if not profile.schemes or not listing.schemes else 0.0)
    score = 0.35 * interest + 0.2 * capability + 0.15 * cosine + 0.2 * area + 0.1 * scheme

    with force_locale(lang):
        reasons = []
        exact = [_code_label(o, lang) for _w, o, c in interest_pairs if c >= 1.0]
        close = [_("%(offered)s (close to %(wanted)s)", offered=_code_label(o, lang),
                   wanted=_code_label(w, lang)) for w, o, c in interest_pairs if 0 < c < 1.0]
        sep = ", " if lang == "en" else "、"
        if exact:
            reasons.append(_("Processes you are looking for: %(list)s", list=sep.join(dict.fromkeys(exact)))
                           if perspective == "successor" else
                           _("Looking for your processes: %(list)s", list=sep.join(dict.fromkeys(exact))))
        if close:
            reasons.append(_("Related processes: %(list)s", list=sep.join(dict.fromkeys(close))))
        covered = [_code_label(o, lang) for o, _s, c in skill_pairs if c >= 1.0]
        if covered:
            reasons.append(_("Your skills already cover: %(list)s", list=sep.join(covered))
                           if perspective == "successor" else
                           _("Can already do: %(list)s", list=sep.join(covered)))
        ward = public.area_label(view, lang) if view else ward_name(listing.ward, lang)
        if area == 1.0:
            reasons.append(_("In your preferred area: %(ward)s", ward=ward) if perspective == "successor"
                           else _("Prefers your area: %(ward)s", ward=ward))
        elif area == 0.0:
            reasons.append(_("Outside the preferred areas (%(ward)s)", ward=ward))
        if common_schemes:
            reasons.append(_("Both consider: %(list)s",
                             list=sep.join(label(SCHEME_LABELS, s) for s in common_schemes)))
    matched = [o for _w, o, c in interest_pairs if c > 0] + [o for o, _s, c in skill_pairs if c > 0]
    return Fit(round(score, 4), reasons, list(dict.fromkeys(matched)))


def listings_for(profile: SuccessorProfile, locale: str | None = None, limit: int = 20
                 ) -> list[tuple[SuccessionListing, Fit]]:
    """Published listings for a successor, best first."""
    listings = db.session.scalars(db.select(SuccessionListing).where(SuccessionListing.is_visible_to_successors)
                                  .order_by(SuccessionListing.published_at.desc(), SuccessionListing.id)).all()
    ranked = [(listing, fit(profile, listing, "successor", locale)) for listing in listings]
    ranked = [pair for pair in ranked if pair[1].score > 0]
    ranked.sort(key=lambda pair: -pair[1].score)
    return ranked[:limit]


def successors_for(listing: SuccessionListing, locale: str | None = None, limit: int = 20
                   ) -> list[tuple[SuccessorProfile, Fit]]:
    """Discoverable successor profiles for a listing, best first."""
    profiles = db.session.scalars(
        db.select(SuccessorProfile).join(User, User.id == SuccessorProfile.user_id).where(
            SuccessorProfile.is_discoverable.is_(True), User.is_active_account.is_(True),
            User.role == ROLE_SUCCESSOR).order_by(SuccessorProfile.id)).all()
    ranked = [(profile, fit(profile, listing, "owner", locale)) for profile in profiles]
    ranked = [pair for pair in ranked if pair[1].score > 0]
    ranked.sort(key=lambda pair: -pair[1].score)
    return ranked[:limit]
