"""The programme's outreach: factories offer internship places and 出前授業 visits, schools and students apply, the
factory answers, and organisers count what was held against the ward's yearly target."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l

from hub.core.actors import is_signed_in
from hub.core.timeutil import tokyo_today
from hub.extensions import db
from hub.factories.access import user_factory_id
from hub.people.errors import Invalid, NotAllowed, PeopleError
from hub.people.models import ApplicationStatus, OfferKind, OutreachApplication, OutreachOffer
from hub.people.services import is_organiser, settings

OFFER_FIELDS = ("kind", "title", "description", "places", "is_open")


def can_manage(user, offer: OutreachOffer) -> bool:
    return is_organiser(user) or user_factory_id(user) == offer.factory_id


def can_view_application(user, application: OutreachApplication) -> bool:
    """The applicant, the offering factory and organisers."""
    return can_manage(user, application.offer) or (is_signed_in(user) and application.applicant_id == user.id)


def save_offer(actor, offer: OutreachOffer | None, data: dict) -> OutreachOffer:
    if offer is None:
        factory_id = user_factory_id(actor)
        if factory_id is None:
            raise NotAllowed("not_allowed", _l("Only member factories offer places and visits."))
        offer = OutreachOffer(factory_id=factory_id, created_by_id=actor.id)
        db.session.add(offer)
    elif not can_manage(actor, offer):
        raise NotAllowed("not_allowed", _l("You may not edit this offer."))
    for name in OFFER_FIELDS:
        if name in data:
            setattr(offer, name, data[name])
    if offer.kind not in set(OfferKind):
        raise Invalid("bad_kind", _l("Choose internship or school visit."), "kind")
    db.session.flush()
    return offer


def apply(actor, offer: OutreachOffer, school: str, message: str, preferred_on: date | None) -> OutreachApplication:
    """A school or a student applies (once per offer while the earlier application is open)."""
    if not is_signed_in(actor) or user_factory_id(actor) == offer.factory_id:
        raise NotAllowed("not_allowed", _l("The offering factory does not apply to its own offer."))
    if not offer.is_open:
        raise PeopleError("closed", _l("This offer is closed."))
    open_one = db.session.scalar(db.select(OutreachApplication.id).where(
        OutreachApplication.offer_id == offer.id, OutreachApplication.applicant_id == actor.id,
        OutreachApplication.status.in_((ApplicationStatus.PENDING, ApplicationStatus.ACCEPTED))))
    if open_one is not None:
        raise PeopleError("already", _l("You have already applied."))
    application = OutreachApplication(offer=offer, applicant_id=actor.id, school=school or "",
                                      message=message or "", preferred_on=preferred_on)
    db.session.add(application)
    db.session.flush()
    return application


def decide(actor, application: OutreachApplication, status: str) -> OutreachApplication:
    """The offering factory (or an organiser) accepts or declines; an organiser marks an accepted one held."""
    if status == ApplicationStatus.HELD:
        if not is_organiser(actor):
            raise NotAllowed("not_allowed", _l("Organisers record what was held."))
        if application.status != ApplicationStatus.ACCEPTED:
            raise PeopleError("not_accepted", _l("Only an accepted application can be held."))
        application.held_on = tokyo_today()
    elif status in (ApplicationStatus.ACCEPTED, ApplicationStatus.DECLINED):
        if not can_manage(actor, application.offer):
            raise NotAllowed("not_allowed", _l("Only the offering factory answers."))
        if application.status != ApplicationStatus.PENDING:
            raise PeopleError("answered", _l("This application has been answered."))
    else:
        raise Invalid("bad_status", _l("Unknown answer."))
    application.status = status
    db.session.flush()
    return application


def held_count(year: int, kind: str = OfferKind.VISIT) -> int:
    return int(db.session.scalar(
        db.select(db.func.count(OutreachApplication.id)).join(OutreachApplication.offer).where(
            OutreachOffer.kind == kind, OutreachApplication.status == ApplicationStatus.HELD,
            OutreachApplication.held_on.between(date(year, 1, 1), date(year, 12, 31)))) or 0)


def tally(year: int) -> dict:
    """Visits and internships held in ``year`` and the visits target."""
    return {"visits": held_count(year, OfferKind.VISIT), "internships": held_count(year, OfferKind.INTERNSHIP),
            "target": settings().visits_target}
