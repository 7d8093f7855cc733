"""Succession rules: who may see and do what, the listing life cycle, disclosure under NDA, the audit log,
matching both ways and push-style outreach. Services add and flush; the caller commits."""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _

from hub.auth.models import ROLE_FACTORY, ROLE_ORGANISER, ROLE_SUCCESSOR, User
from hub.core.actors import is_signed_in
from hub.core.i18n import current_locale, join_list
from hub.core.timeutil import utcnow
from hub.extensions import db
from hub.factories.access import user_factory_id
from hub.factories.models import Factory
from hub.factories.services import normaliser
from hub.mail.services import queue_email
from hub.succession import anonymity, kanon, nda_text, public
from hub.succession.models import (
    AuditEvent,
    Disclosure,
    DisclosureStatus,
    ListingStatus,
    NdaVersion,
    SuccessionListing,
    SuccessorProfile,
)
from matching import WARDS, Taxonomy, fold

LISTING_FIELDS = ("processes", "machines", "employees_band", "revenue_band", "years_band", "reason", "reason_text",
                  "description", "schemes", "includes", "timing")
VISIBLE_TO_SUCCESSORS = (ListingStatus.PUBLISHED,)  # see SuccessionListing.is_visible_to_successors


class SuccessionError(ValueError):
    """A user-facing reason an action cannot be done now (shown as a flash or a 409/400 JSON error)."""


# --- who may do what ---------------------------------------------------------------------------------------------


def is_organiser(user: User | None) -> bool:
    return is_signed_in(user) and user.role == ROLE_ORGANISER


def is_successor(user: User | None) -> bool:
    return is_signed_in(user) and user.role == ROLE_SUCCESSOR


def is_owner(user: User | None, listing: SuccessionListing) -> bool:
    """A member (role factory) of the organisation that owns the listed factory."""
    return (is_signed_in(user) and user.role == ROLE_FACTORY and user.organisation_id is not None
            and listing.factory.organisation_id == user.organisation_id)


def can_browse(user: User | None) -> bool:
    """Browsing anonymous listings: successors and organisers."""
    return is_successor(user) or is_organiser(user)


def disclosure_for(user: User | None, listing: SuccessionListing) -> Disclosure | None:
    if not is_successor(user):
        return None
    return db.session.scalar(db.select(Disclosure).where(
        Disclosure.listing_id == listing.id, Disclosure.successor_id == user.id))


def disclosures_by_listing(user: User | None, listing_ids) -> dict[int, Disclosure]:
    """This successor's disclosures for many listings, in one query (listing id → disclosure)."""
    if not is_successor(user) or not listing_ids:
        return {}
    rows = db.session.scalars(db.select(Disclosure).where(
        Disclosure.listing_id.in_(list(listing_ids)), Disclosure.successor_id == user.id))
    return {row.listing_id: row for row in rows}


def _approved(user: User | None, listing: SuccessionListing) -> bool:
    disclosure = disclosure_for(user, listing)
    return disclosure is not None and disclosure.status == DisclosureStatus.APPROVED


def can_view(user: User | None, listing: SuccessionListing) -> bool:
    """Owner and organisers always; successors while it is published, or paused / held once their disclosure was
    approved."""
    if is_owner(user, listing) or is_organiser(user):
        return True
    if not is_successor(user):
        return False
    if listing.is_visible_to_successors:
        return True
    return listing.is_shown_to_approved and _approved(user, listing)


def can_see_identity(user: User | None, listing: SuccessionListing) -> bool:
    """Name, address, photos and documents: the owner, organisers (to review), and successors the owner approved."""
    if is_owner(user, listing) or is_organiser(user):
        return True
    return listing.is_shown_to_approved and _approved(user, listing)


def can_edit(user: User | None, listing: SuccessionListing) -> bool:
    return is_owner(user, listing) and listing.status != ListingStatus.WITHDRAWN


def can_review(user: User | None, listing: SuccessionListing) -> bool:
    return is_organiser(user) and listing.status == ListingStatus.SUBMITTED


def can_read_audit(user: User | None, listing: SuccessionListing) -> bool:
    return is_owner(user, listing) or is_organiser(user)


def can_request(user: User | None, listing: SuccessionListing) -> bool:
    return is_successor(user) and listing.is_visible_to_successors and disclosure_for(user, listing) is None


def can_decide(user: User | None, disclosure: Disclosure) -> bool:
    """Only the owner decides who learns the factory's identity."""
    return is_owner(user, disclosure.listing) and disclosure.listing.status != ListingStatus.WITHDRAWN


# --- labels ------------------------------------------------------------------------------------------------------


def process_labels(codes: list[str], locale: str | None = None) -> list[str]:
    taxonomy = Taxonomy.default()
    return [taxonomy.label(code, current_locale(locale)) for code in codes]


def ward_name(key: str | None, locale: str | None = None) -> str:
    ward = WARDS.get(key or "")
    if ward is None:
        return _("Tokyo")
    return ward.name_en if current_locale(locale) == "en" else ward.name_ja


def headline(listing: SuccessionListing, locale: str | None = None) -> str:
    """A title made only from the public form (area and processes): owners never write the title themselves."""
    return public.headline(listing, locale)


# --- listings ----------------------------------------------------------------------------------------------------


def resolve_processes(terms: list[str]) -> tuple[list[str], list[str]]:
    """Free text ('平面研削', 'cylindrical grinding', 'NC旋盤') → taxonomy codes, and the terms not understood."""
    taxonomy = Taxonomy.default()
    norm = normaliser()
    codes: list[str] = []
    unknown: list[str] = []
    for term in terms:
        term = term.strip()[:200]
        if not term:
            continue
        if term in taxonomy.processes:
            found = [term]
        else:
            resolved = norm.resolve(term, kind="process")
            found = [resolved.code] if resolved is not None else [p.code for p in norm.extract(term).processes]
        if not found:
            unknown.append(term)
        for code in found:
            if code not in codes:
                codes.append(code)
    return codes, unknown


def factory_people(factory: Factory) -> list[str]:
    if factory.organisation_id is None:
        return []
    return list(db.session.scalars(db.select(User.name).where(User.organisation_id == factory.organisation_id)))


def findings(listing: SuccessionListing) -> list[anonymity.Finding]:
    """What in the owner's free text could name or locate the factory (see :mod:`hub.succession.anonymity`)."""
    factory = listing.factory
    names = [factory.name, factory.name_en]
    if factory.organisation is not None:
        names.append(factory.organisation.name)
    public = list(factory.equipment or []) + [factory.description or ""]
    return anonymity.find(
        {"reason_text": listing.reason_text, "description": listing.description, "machines": listing.machines},
        names=names, address=factory.address, ward=factory.ward, people=factory_people(factory),
        website=factory.website, public_text=public)


def blocking(listing: SuccessionListing) -> list[anonymity.Finding]:
    return [f for f in findings(listing) if f.is_blocking]


def _search_text(listing: SuccessionListing) -> str:
    """Only what anonymous readers see: never the factory's name, address, public description or exact codes."""
    return public.search_text(listing)


def audit(listing: SuccessionListing, actor: User | None, action: str, detail: str = "") -> AuditEvent:
    event = AuditEvent(listing_id=listing.id, actor_id=actor.id if actor is not None else None, action=action,
                       detail=detail[:300])
    db.session.add(event)
    return event


def active_listing(factory: Factory) -> SuccessionListing | None:
    return db.session.scalar(db.select(SuccessionListing).where(
        SuccessionListing.factory_id == factory.id, SuccessionListing.status != ListingStatus.WITHDRAWN))


def create_listing(actor: User, factory: Factory, data: dict) -> SuccessionListing:
    """A new draft for the actor's own factory (one listing at a time per factory)."""
    if user_factory_id(actor) != factory.id:
        raise SuccessionError(_("Only the factory's own members can list it."))
    if active_listing(factory) is not None:
        raise SuccessionError(_("Your factory already has a listing. Edit it, or withdraw it first."))
    listing = SuccessionListing(factory=factory, created_by_id=actor.id, status=ListingStatus.DRAFT)
    _apply(listing, data)
    db.session.add(listing)
    db.session.flush()
    audit(listing, actor, "listing_created")
    db.session.flush()
    return listing


def _apply(listing: SuccessionListing, data: dict) -> None:
    for name in LISTING_FIELDS:
        if name in data:
            setattr(listing, name, data[name])
    listing.ward = listing.factory.ward  # kept private: successors see the area of listing.public_view
    listing.public_view = None  # checked again at submission (kanon.py); until then nobody but the owner sees it
    listing.search_text = _search_text(listing)


def update_listing(listing: SuccessionListing, actor: User, data: dict) -> bool:
    """Save the owner's changes; a listing already in review or public goes back to draft. True when it did."""
    if not can_edit(actor, listing):
        raise SuccessionError(_("You cannot edit this listing."))
    _apply(listing, data)
    back_to_draft = listing.status in (ListingStatus.SUBMITTED, ListingStatus.PUBLISHED, ListingStatus.PAUSED,
                                       ListingStatus.HELD)
    if back_to_draft:
        listing.status = ListingStatus.DRAFT
        listing.published_at = None
        audit(listing, actor, "listing_edited")
    db.session.flush()
    return back_to_draft


def _raise_if_identifying(listing: SuccessionListing) -> None:
    found = blocking(listing)
    if found:
        kinds = join_list(sorted({str(f.label) for f in found}))
        raise SuccessionError(_("The listing seems to contain %(kinds)s. Remove it before the listing can be "
                                "published.", kinds=kinds))


def check_anonymity(listing: SuccessionListing) -> dict:
    """Generalise the listing until at least k published directory entries share what it shows, store that public
    form, and refuse (:class:`SuccessionError`, with the reason) when even the most general form is below k."""
    view = kanon.generalise(listing)
    listing.public_view = view
    listing.search_text = _search_text(listing)
    if view["blocked"]:
        raise SuccessionError(public.blocked_reason(view))
    return view


def submit(listing: SuccessionListing, actor: User) -> None:
    """Owner → organisers' review queue. Blocked while the text names or locates the factory."""
    if not is_owner(actor, listing) or listing.status not in (ListingStatus.DRAFT, ListingStatus.RETURNED):
        raise SuccessionError(_("This listing cannot be submitted now."))
    if not listing.processes:
        raise SuccessionError(_("Add at least one process before submitting."))
    _raise_if_identifying(listing)
    check_anonymity(listing)
    listing.status = ListingStatus.SUBMITTED
    listing.submitted_at = utcnow()
    audit(listing, actor, "listing_submitted")
    for organiser in db.session.scalars(db.select(User).where(
            User.role == ROLE_ORGANISER, User.is_active_account.is_(True))):
        _mail(organiser, "listing_submitted", listing=listing,
              link=url_for("succession.review", _external=True))
    db.session.flush()


def approve(listing: SuccessionListing, actor: User) -> None:
    """An organiser publishes a submitted listing (the automatic check runs again)."""
    if not can_review(actor, listing):
        raise SuccessionError(_("This listing is not waiting for review."))
    _raise_if_identifying(listing)
    check_anonymity(listing)
    now = utcnow()
    listing.hold_reason, listing.held_at = "", None
    listing.status = ListingStatus.PUBLISHED
    listing.published_at = now
    listing.reviewed_at = now
    listing.reviewed_by_id = actor.id
    listing.review_note = ""
    audit(listing, actor, "listing_published")
    _mail_owners(listing, "listing_approved")
    db.session.flush()


def return_listing(listing: SuccessionListing, actor: User, note: str) -> None:
    """An organiser sends a listing back to its owner with a note saying what to change."""
    if not can_review(actor, listing):
        raise SuccessionError(_("This listing is not waiting for review."))
    if not note.strip():
        raise SuccessionError(_("Please tell the owner what to change."))
    listing.status = ListingStatus.RETURNED
    listing.review_note = note.strip()[:5000]
    listing.reviewed_at = utcnow()
    listing.reviewed_by_id = actor.id
    audit(listing, actor, "listing_returned")
    _mail_owners(listing, "listing_returned", note=listing.review_note)
    db.session.flush()


def set_status(listing: SuccessionListing, actor: User, action: str) -> None:
    """pause / resume / withdraw: the owner; organisers may pause or withdraw (moderation)."""
    owner, organiser = is_owner(actor, listing), is_organiser(actor)
    moves = {"pause": ((ListingStatus.PUBLISHED,), ListingStatus.PAUSED, "listing_paused", owner or organiser),
             "resume": ((ListingStatus.PAUSED,), ListingStatus.PUBLISHED, "listing_resumed", owner),
             "withdraw": (tuple(status for status in ListingStatus if status != ListingStatus.WITHDRAWN),
                          ListingStatus.WITHDRAWN, "listing_withdrawn", owner or organiser)}
    if action not in moves:
        raise SuccessionError(_("Unknown action."))
    sources, target, event, allowed = moves[action]
    if not allowed or listing.status not in sources:
        raise SuccessionError(_("This cannot be done with the listing now."))
    if target == ListingStatus.PUBLISHED:
        check_anonymity(listing)  # the directory may have changed while it was paused
    listing.status = target
    audit(listing, actor, event)
    db.session.flush()


# --- NDA and disclosure --------------------------------------------------------------------------------------------


def current_nda() -> NdaVersion:
    """The newest NDA; version 1 (the text in :mod:`hub.succession.nda_text`) is stored on first use."""
    nda = db.session.scalar(db.select(NdaVersion).order_by(NdaVersion.version.desc()).limit(1))
    if nda is None:
        nda = NdaVersion(version=1, text_ja=nda_text.TEXT_JA, text_en=nda_text.TEXT_EN)
        db.session.add(nda)
        db.session.flush()
    return nda


def publish_nda(actor: User, text_ja: str, text_en: str) -> NdaVersion:
    """Organisers publish a new version; earlier acceptances keep the version they accepted."""
    if not is_organiser(actor):
        raise SuccessionError(_("Only organisers can change the NDA."))
    if not text_ja.strip() or not text_en.strip():
        raise SuccessionError(_("The NDA needs both the Japanese and the English text."))
    version = current_nda().version + 1
    nda = NdaVersion(version=version, text_ja=text_ja.strip(), text_en=text_en.strip())
    db.session.add(nda)
    db.session.flush()
    return nda


def request_disclosure(listing: SuccessionListing, actor: User, *, accepted: bool, nda_version: int | None,
                       message: str = "") -> Disclosure:
    """A successor accepts the current NDA and asks the owner to show who the factory is."""
    if not is_successor(actor) or not listing.is_visible_to_successors:
        raise SuccessionError(_("You cannot ask for disclosure on this listing."))
    if disclosure_for(actor, listing) is not None:
        raise SuccessionError(_("You have already asked about this listing."))
    if profile_for(actor) is None:
        raise SuccessionError(_("Please fill in your successor profile first: the owner decides on it."))
    nda = current_nda()
    if not accepted:
        raise SuccessionError(_("Please accept the NDA to continue."))
    if nda_version != nda.version:
        raise SuccessionError(_("The NDA has changed. Please read the current version and accept it again."))
    now = utcnow()
    disclosure = Disclosure(listing=listing, successor_id=actor.id, nda_version_id=nda.id, nda_accepted_at=now,
                            message=(message or "").strip()[:2000], status=DisclosureStatus.REQUESTED)
    db.session.add(disclosure)
    db.session.flush()
    audit(listing, actor, "nda_accepted", f"NDA v{nda.version}")
    audit(listing, actor, "disclosure_requested")
    _mail_owners(listing, "disclosure_requested", successor=actor, message=disclosure.message)
    db.session.flush()
    return disclosure


def decide(disclosure: Disclosure, actor: User, decision: str) -> None:
    """The owner approves, declines, or later withdraws a successor's access."""
    if not can_decide(actor, disclosure):
        raise SuccessionError(_("Only the owner can decide on this request."))
    moves = {"approve": ((DisclosureStatus.REQUESTED, DisclosureStatus.DECLINED, DisclosureStatus.REVOKED),
                         DisclosureStatus.APPROVED, "disclosure_approved"),
             "decline": ((DisclosureStatus.REQUESTED,), DisclosureStatus.DECLINED, "disclosure_declined"),
             "revoke": ((DisclosureStatus.APPROVED,), DisclosureStatus.REVOKED, "disclosure_revoked")}
    if decision not in moves or disclosure.status not in moves[decision][0]:
        raise SuccessionError(_("This cannot be done with the request now."))
    _sources, target, event = moves[decision]
    disclosure.status = target
    disclosure.decided_at = utcnow()
    disclosure.decided_by_id = actor.id
    audit(disclosure.listing, actor, event, f"user #{disclosure.successor_id}")
    if decision in ("approve", "decline"):
        _mail(disclosure.successor, f"disclosure_{target}", listing=disclosure.listing,
              link=url_for("succession.detail", public_id=disclosure.listing.public_id, _external=True))
    db.session.flush()


def record_view(listing: SuccessionListing, actor: User, action: str, detail: str = "") -> None:
    """Log a view of disclosed data (by anyone but the owner, who may read the log)."""
    if not is_owner(actor, listing):
        audit(listing, actor, action, detail)
        db.session.flush()


def identity(listing: SuccessionListing) -> dict:
    """What disclosure reveals. Only for users :func:`can_see_identity` allows."""
    factory = listing.factory
    return {
        "name": factory.name, "name_en": factory.name_en, "address": factory.address, "website": factory.website,
        "photos": [url_for("succession.photo", public_id=listing.public_id, photo_id=p.id) for p in factory.photos],
        "documents": [{"name": d.original_name,
                       "url": url_for("succession.document", public_id=listing.public_id, document_id=d.id)}
                      for d in listing.documents],
    }


def public_dict(listing: SuccessionListing, locale: str | None = None) -> dict:
    """The anonymous ("non-name") listing: no factory name, id, address, coordinates or photo, and only the
    generalised area, processes, machines and bands (``public_view``)."""
    return {
        "id": listing.public_id,
        "headline": headline(listing, locale),
        **public.public_fields(listing, locale),  # generalised until k directory entries share it (kanon.py)
        "revenue_band": listing.revenue_band,
        "reason": listing.reason,
        "reason_text": listing.reason_text,
        "description": listing.description,
        "schemes": list(listing.schemes or []),
        "includes": list(listing.includes or []),
        "timing": listing.timing,
        "status": listing.status,
        "published_on": listing.published_at.date().isoformat() if listing.published_at else None,
    }


# --- mail --------------------------------------------------------------------------------------------------------


def _mail(user: User, kind: str, **context) -> None:
    if user is None or not user.is_active_account:
        return
    queue_email(user.email, f"succession_{kind}", user.locale, template=f"succession/mail/{kind}.txt",
                user=user, **context)


def owners(listing: SuccessionListing) -> list[User]:
    if listing.factory.organisation_id is None:
        return []
    return list(db.session.scalars(db.select(User).where(
        User.organisation_id == listing.factory.organisation_id, User.role == ROLE_FACTORY,
        User.is_active_account.is_(True)).order_by(User.id)))


def _mail_owners(listing: SuccessionListing, kind: str, **context) -> None:
    link = url_for("succession.detail", public_id=listing.public_id, _external=True)
    for owner in owners(listing):
        _mail(owner, kind, listing=listing, link=link, **context)


# --- successor profiles and matching --------------------------------------------------------------------------------


def profile_for(user: User | None) -> SuccessorProfile | None:
    if not is_successor(user):
        return None
    return db.session.scalar(db.select(SuccessorProfile).where(SuccessorProfile.user_id == user.id))


def save_profile(user: User, data: dict) -> SuccessorProfile:
    if not is_successor(user):
        raise SuccessionError(_("Only successors have a successor profile."))
    profile = profile_for(user) or SuccessorProfile(user_id=user.id)
    for name in ("background", "skills", "processes", "wards", "schemes", "budget_band", "is_discoverable"):
        if name in data:
            setattr(profile, name, data[name])
    db.session.add(profile)
    db.session.flush()
    return profile


def browse_query(q: str | None = None, ward: str | None = None, process: str | None = None):
    """Published listings filtered on their anonymous content only (never on the factory's name)."""
    query = db.select(SuccessionListing).where(SuccessionListing.is_visible_to_successors)
    if q:
        for word in fold(q).split()[:8]:
            escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            query = query.where(SuccessionListing.search_text.like(f"%{escaped}%", escape="\\"))
    rows_order = (SuccessionListing.published_at.desc(), SuccessionListing.id.desc())
    if ward or process:
        # On the public form only: a filter must not tell a listing's exact ward or processes apart.
        ids = [listing.id for listing in db.session.scalars(query)
               if (not ward or public.shows_ward(listing, ward))
               and (not process or any(public.process_credit(process, shown) >= 0.5
                                       for shown in public.view_of(listing)["processes"]))]
        query = db.select(SuccessionListing).where(SuccessionListing.id.in_(ids or [-1]))
    return query.order_by(*rows_order)


def listings_that_fit(profile: SuccessorProfile, locale: str | None = None, limit: int = 20) -> list:
    """Published listings for a successor's profile, best first, as (listing, fit) pairs (for their home page)."""
    from hub.succession import fits

    return fits.listings_for(profile, locale, limit=limit)
