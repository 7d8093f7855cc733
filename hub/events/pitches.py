"""Pitch nights: the call for pitches, who reviews what, weighted scores, decisions and the running order (the
audience books through the booking engine in :mod:`hub.events.services`). Services flush; callers commit."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from flask import url_for
from flask_babel import lazy_gettext as _l

from hub.auth.models import ROLE_ORGANISER, ROLE_SEEKER, User
from hub.core.params import int_or_none
from hub.core.timeutil import to_tokyo, utcnow
from hub.events.errors import PitchError, PitchInvalid, PitchNotAllowed
from hub.events.models import Pitch, PitchCriterion, PitchNight, PitchReview, Slot
from hub.events.services import confirmed_seats
from hub.extensions import db
from hub.mail.services import queue_email


def cfp_open(night: PitchNight, now: datetime | None = None) -> bool:
    now = now or utcnow()
    return night.cfp_opens_at <= now < night.cfp_closes_at


def is_reviewer(user: User | None, night: PitchNight) -> bool:
    """Organisers, and the factory members who accepted the organisers' invitation with their confirmed address."""
    from hub.auth.identity import acts_as_member
    from hub.events.reviewers import accepted_by

    if not acts_as_member(user):
        return False
    if user.role == ROLE_ORGANISER:
        return True
    return accepted_by(user, night)


def own_team(user: User, pitch: Pitch) -> bool:
    """Nobody reviews their own team's pitch."""
    if pitch.submitter_id == user.id:
        return True
    return pitch.organisation_id is not None and pitch.organisation_id == user.organisation_id


def can_review(user: User | None, pitch: Pitch) -> bool:
    return is_reviewer(user, pitch.pitch_night) and not own_team(user, pitch) and pitch.status != "withdrawn"


def can_view_pitch(user: User | None, pitch: Pitch) -> bool:
    if user is None or not user.is_authenticated:
        return False
    return (pitch.submitter_id == user.id or user.role == ROLE_ORGANISER
            or (pitch.organisation_id is not None and pitch.organisation_id == user.organisation_id)
            or is_reviewer(user, pitch.pitch_night))


def can_submit_pitch(user: User | None) -> bool:
    return user is not None and user.is_authenticated and user.role == ROLE_SEEKER


def submit_pitch(night: PitchNight, user: User, data: dict) -> Pitch:
    if not can_submit_pitch(user):
        raise PitchNotAllowed("forbidden", _l("Startups, students and other teams submit pitches from a team "
                                              "account."))
    if not cfp_open(night):
        raise PitchError("closed", _l("The call for pitches is not open."))
    pitch = Pitch(pitch_night_id=night.id, submitter_id=user.id, organisation_id=user.organisation_id, **data)
    db.session.add(pitch)
    db.session.flush()
    return pitch


def review_scores(night: PitchNight, raw: Mapping[str, str]) -> tuple[dict[int, int], list[str]]:
    """Read a review form (``score-<criterion id>`` = 1–5): the scores, and the names of criteria left without a
    valid score."""
    scores, missing = {}, []
    for criterion in night.criteria:
        score = int_or_none(raw.get(f"score-{criterion.id}", ""), 1, 5)
        if score is None:
            missing.append(criterion.name)
        else:
            scores[criterion.id] = score
    return scores, missing


def my_review(user: User, pitch: Pitch) -> PitchReview | None:
    return next((r for r in pitch.reviews if r.reviewer_id == user.id), None)


def save_review(user: User, pitch: Pitch, scores: dict[int, int], comment: str) -> PitchReview:
    """Create or update this reviewer's scores (1–5 for every criterion)."""
    if not can_review(user, pitch):
        raise PitchNotAllowed("forbidden", _l("You cannot review this pitch."))
    criteria = {c.id for c in pitch.pitch_night.criteria}
    if set(scores) != criteria or any(not 1 <= v <= 5 for v in scores.values()):
        raise PitchInvalid("invalid", _l("Give every criterion a score from 1 to 5."))
    review = my_review(user, pitch)
    if review is None:
        review = PitchReview(pitch=pitch, reviewer_id=user.id)
        db.session.add(review)
    review.scores = {str(k): int(v) for k, v in scores.items()}
    review.comment = comment or ""
    db.session.flush()
    return review


def may_see_scores(user: User, pitch: Pitch) -> bool:
    """Reviewers see the others' scores only after submitting their own (when the night asks for that)."""
    if not pitch.pitch_night.hide_scores_until_reviewed:
        return True
    return my_review(user, pitch) is not None


def weighted_score(pitch: Pitch) -> float | None:
    """The mean over reviews of the weighted mean over criteria (1–5); None before the first review."""
    criteria = pitch.pitch_night.criteria
    total_weight = sum(c.weight for c in criteria)
    if not pitch.reviews or not total_weight:
        return None
    per_review = [sum(c.weight * int(r.scores.get(str(c.id), 0)) for c in criteria) / total_weight
                  for r in pitch.reviews]
    return round(sum(per_review) / len(per_review), 2)


def ranked(night: PitchNight) -> list[tuple[Pitch, float | None]]:
    rows = [(p, weighted_score(p)) for p in night.pitches if p.status != "withdrawn"]
    return sorted(rows, key=lambda r: (r[1] is None, -(r[1] or 0), r[0].id))


def decide_pitch(pitch: Pitch, status: str, actor: User) -> Pitch:
    if actor.role != ROLE_ORGANISER:
        raise PitchNotAllowed("forbidden", _l("Only organisers decide on pitches."))
    if status not in ("accepted", "rejected", "submitted"):
        raise PitchInvalid("invalid", _l("Unknown decision."))
    if pitch.status != status:
        pitch.status = status
        pitch.decision_sent_at = None
        if status != "accepted":
            pitch.running_position = None
    db.session.flush()
    return pitch


def send_decisions(night: PitchNight, actor: User) -> int:
    """Queue every decided pitch's email that has not gone out yet, in one go."""
    if actor.role != ROLE_ORGANISER:
        raise PitchNotAllowed("forbidden", _l("Only organisers decide on pitches."))
    count = 0
    for pitch in night.pitches:
        if pitch.status in ("accepted", "rejected") and pitch.decision_sent_at is None and pitch.submitter:
            user = pitch.submitter
            queue_email(user.email, f"pitch_{pitch.status}", user.locale,
                        template=f"events/mail/pitch_{pitch.status}.txt", pitch=pitch, user=user,
                        night_title=night.display_title(user.locale), starts=to_tokyo(night.starts_at),
                        venue=night.venue,
                        link=url_for("events.pitch_detail", pitch_id=pitch.id, _external=True))
            pitch.decision_sent_at = utcnow()
            count += 1
    db.session.flush()
    return count


def set_running_order(night: PitchNight, order: list[int], publish: bool) -> None:
    """Positions for the accepted pitches in the order given; publishing shows it on the public page."""
    accepted = {p.id: p for p in night.pitches if p.status == "accepted"}
    if sorted(order) != sorted(accepted):
        raise PitchInvalid("invalid", _l("List every accepted pitch exactly once."))
    for position, pitch_id in enumerate(order, start=1):
        accepted[pitch_id].running_position = position
    night.running_order_published_at = utcnow() if publish else None
    db.session.flush()


def order_from(night: PitchNight, raw: Mapping[str, str]) -> list[int]:
    """Read the running-order form (``position-<pitch id>`` = 0–999; blank or invalid goes last): the accepted
    pitches' ids in the order asked for."""
    positions = []
    for pitch in running_order(night):
        position = int_or_none(raw.get(f"position-{pitch.id}", ""), 0, 999)
        positions.append((999 if position is None else position, pitch.id))
    return [pitch_id for _pos, pitch_id in sorted(positions)]


def running_order(night: PitchNight) -> list[Pitch]:
    accepted = [p for p in night.pitches if p.status == "accepted"]
    return sorted(accepted, key=lambda p: (p.running_position is None, p.running_position or 0, p.id))


def pitch_matches(pitch: Pitch, lang: str, limit: int = 5):
    """Factories the matcher suggests inviting for what the pitch needs: (match, factory) rows."""
    from hub.matches.services import rank_for_text

    text = "\n".join(part for part in (pitch.needs, pitch.summary) if part)
    try:
        return list(rank_for_text(text, lang, limit=limit).rows())
    except ValueError:
        return []


def upcoming_pitch_nights(now: datetime | None = None):
    now = now or utcnow()
    return db.session.scalars(db.select(PitchNight).where(PitchNight.ends_at >= now)
                              .order_by(PitchNight.starts_at)).all()


# --- organising a night -------------------------------------------------------------------------------------

NIGHT_FIELDS = ("title", "title_en", "description", "venue", "is_blind_review", "hide_scores_until_reviewed",
                "starts_at", "ends_at", "cfp_opens_at", "cfp_closes_at")  # the times in naive UTC


def save_pitch_night(night: PitchNight | None, actor: User, data: dict, capacity: int,
                     criteria: list[tuple[str, int]], reviewer_emails: list[str]) -> tuple[PitchNight, bool]:
    """An organiser creates or edits a night: its ``NIGHT_FIELDS``, the audience slot (created with the night; its
    capacity never below the seats already booked), the criteria with weights and the invited reviewers.
    Criteria can be rewritten until the first review is in (scores refer to them). Returns the night and whether
    the criteria were kept although they asked for others."""
    if actor.role != ROLE_ORGANISER:
        raise PitchNotAllowed("forbidden", _l("Only organisers organise pitch nights."))
    created = night is None
    night = night or PitchNight(created_by_id=actor.id)
    for name in NIGHT_FIELDS:
        setattr(night, name, data[name])
    night.reviewer_emails = list(reviewer_emails)
    if night.slot is None:
        night.slot = Slot(capacity=capacity, starts_at=night.starts_at, ends_at=night.ends_at)
    booked = confirmed_seats(night.slot.id) if night.slot.id else 0
    night.slot.capacity = max(capacity, booked)
    night.slot.starts_at, night.slot.ends_at = night.starts_at, night.ends_at
    kept = False
    if created or not any(p.reviews for p in night.pitches):
        night.criteria = [PitchCriterion(name=name, weight=weight, position=i)
                          for i, (name, weight) in enumerate(criteria)]
    else:
        kept = [(c.name, c.weight) for c in night.criteria] != list(criteria)
    db.session.add(night)
    db.session.flush()
    return night, kept


# --- what a pitch's page shows whom -------------------------------------------------------------------------

@dataclass
class PitchView:
    """What one user may see and do on one pitch's page (blind review, others' scores, suggested factories)."""

    can_review: bool
    review: PitchReview | None
    own_team: bool
    is_organiser: bool
    show_team: bool
    others_visible: bool
    score: float | None
    matches: list = field(default_factory=list)


def pitch_view(user: User, pitch: Pitch, locale: str) -> PitchView:
    """Decide what ``user`` sees of ``pitch``: a blind review hides the team from reviewers (never from organisers,
    the team itself or non-reviewers); reviewers see others' scores per :func:`may_see_scores`; the team sees its
    suggested factories only once its acceptance has been sent (never the decision before that)."""
    night = pitch.pitch_night
    is_organiser = user.role == ROLE_ORGANISER
    reviewing = can_review(user, pitch)
    team = own_team(user, pitch)
    show_team = not night.is_blind_review or is_organiser or not is_reviewer(user, night) or team
    announced = pitch.status == "accepted" and pitch.decision_sent_at is not None
    return PitchView(
        can_review=reviewing, review=my_review(user, pitch), own_team=team, is_organiser=is_organiser,
        show_team=show_team, others_visible=may_see_scores(user, pitch) or is_organiser and not reviewing,
        score=weighted_score(pitch) if is_organiser else None,
        matches=pitch_matches(pitch, locale) if is_organiser or announced else [])
