"""Who may speak for a factory: duplicate-name review of new profiles and claims of imported ones.

A new profile (or a renamed one) whose name matches another after normalisation is held, unpublished, until an
organiser looks; an imported profile that nobody manages is claimed by a factory member and proven either by a
link sent to an address at the factory's own website domain or by an organiser. Services flush; callers commit.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import urlparse

from flask_babel import lazy_gettext as _l

from hub.auth.identity import acts_as_member, make_token, read_token
from hub.auth.models import ROLE_FACTORY, Organisation, User
from hub.core.timeutil import utcnow
from hub.extensions import db
from hub.factories.access import user_factory
from hub.factories.models import ClaimStatus, Factory, FactoryClaim, ReviewStatus

COMPANY_FORMS = ("株式会社", "(株)", "有限会社", "(有)", "合同会社", "(同)", "合資会社", "合名会社")
_SEPARATORS = re.compile(r"[\s・･·.,、。]+")
CLAIM_SALT = "factory-claim"


class ClaimError(ValueError):
    """A user-facing reason why a claim or a review decision was refused."""


def name_key(name: str | None) -> str:
    """A factory name for comparison: NFKC, no company form (株式会社, (株), 有限会社 …), no spaces, case-folded."""
    text = unicodedata.normalize("NFKC", name or "")
    for form in COMPANY_FORMS:
        text = text.replace(form, "")
    return _SEPARATORS.sub("", text).casefold()


def duplicates_of(factory: Factory) -> list[Factory]:
    """Other profiles whose Japanese or English name matches this one's after normalisation."""
    keys = {k for k in (name_key(factory.name), name_key(factory.name_en)) if k}
    if not keys:
        return []
    rows = db.session.execute(db.select(Factory.id, Factory.name, Factory.name_en)).all()
    ids = [row.id for row in rows if row.id != factory.id
           and keys & {k for k in (name_key(row.name), name_key(row.name_en)) if k}]
    return list(db.session.scalars(db.select(Factory).where(Factory.id.in_(ids)).order_by(Factory.id))) if ids else []


def hold_if_duplicate(factory: Factory, actor: User, previous_names: tuple[str | None, str | None] | None) -> bool:
    """After a member creates or renames a profile: hold it for organiser review when its name matches another
    profile (True), publish it again when a renamed, held profile no longer matches. Organisers are not held."""
    if actor.is_organiser:
        return False
    renamed = previous_names is None or (name_key(previous_names[0]), name_key(previous_names[1])) != (
        name_key(factory.name), name_key(factory.name_en))
    if not renamed:
        return factory.review_status == ReviewStatus.HELD
    if duplicates_of(factory):
        factory.review_status, factory.is_published = ReviewStatus.HELD, False
    elif factory.review_status is not None:
        factory.review_status, factory.is_published = None, True
    db.session.flush()
    return factory.review_status == ReviewStatus.HELD


def held_profiles() -> list[tuple[Factory, list[Factory]]]:
    """The organisers' queue of held profiles, each with the profiles it resembles."""
    held = db.session.scalars(db.select(Factory).where(Factory.review_status == ReviewStatus.HELD).order_by(Factory.id))
    return [(factory, duplicates_of(factory)) for factory in held]


def decide_profile(factory: Factory, actor: User, publish: bool) -> None:
    """An organiser publishes a held profile (a different factory after all) or rejects it as a duplicate."""
    if not actor.is_organiser:
        raise ClaimError(_l("Only organisers review profiles."))
    if factory.review_status != ReviewStatus.HELD:
        raise ClaimError(_l("This profile is not waiting for review."))
    factory.review_status, factory.is_published = (None, True) if publish else (ReviewStatus.REJECTED, False)
    db.session.flush()


# --- claims --------------------------------------------------------------------------------------------------

def website_domain(factory: Factory) -> str | None:
    """The host of the factory's own website without ``www.``; None when there is no usable website."""
    host = (urlparse(factory.website or "").hostname or "").lower().rstrip(".")
    host = host[4:] if host.startswith("www.") else host
    if "." not in host or re.fullmatch(r"[\d.]+|\[.*\]", host):
        return None
    return host


def address_at_domain(email: str, domain: str) -> bool:
    """True for an address at ``domain`` or one of its subdomains (never at a parent domain)."""
    at = (email or "").strip().lower().rpartition("@")[2]
    return bool(at) and (at == domain or at.endswith("." + domain))


def claimable(factory: Factory) -> bool:
    """An imported, published profile that no account manages yet."""
    return factory.organisation_id is None and factory.is_public


def can_claim(user: User | None, factory: Factory) -> bool:
    """A factory member with a confirmed address whose account manages no published profile."""
    if not acts_as_member(user) or user.role != ROLE_FACTORY or not claimable(factory):
        return False
    mine = user_factory(user)
    return mine is None or not mine.is_public


def start_claim(user: User, factory: Factory, method: str, email: str | None, message: str) -> FactoryClaim:
    """Open a claim; the caller emails the link (``claim_link_token``) when the method is ``domain_email``."""
    if not can_claim(user, factory):
        raise ClaimError(_l("You cannot claim this profile."))
    if method == "domain_email":
        domain = website_domain(factory)
        if domain is None:
            raise ClaimError(_l("This profile has no website domain: ask the organisers instead."))
        if not email or not address_at_domain(email, domain):
            raise ClaimError(_l("Give an address at %(domain)s.", domain=domain))
    elif method != "organiser":
        raise ClaimError(_l("Choose how to prove it."))
    pending = db.session.scalar(db.select(FactoryClaim).where(
        FactoryClaim.factory_id == factory.id, FactoryClaim.user_id == user.id,
        FactoryClaim.status == ClaimStatus.PENDING))
    if pending is not None:
        pending.status = ClaimStatus.WITHDRAWN
    claim = FactoryClaim(factory=factory, user_id=user.id, method=method, message=(message or "")[:2000],
                         email=email.strip().lower() if method == "domain_email" else None)
    db.session.add(claim)
    db.session.flush()
    return claim


def claim_link_token(claim: FactoryClaim) -> str:
    """The signed token of the link mailed to the factory's domain (bound to the claim and the address)."""
    return make_token(CLAIM_SALT, {"claim": claim.id, "email": claim.email})


def claim_from_token(token: str) -> FactoryClaim | None:
    """The domain-email claim of a valid, unexpired link token, or None."""
    data = read_token(CLAIM_SALT, token)
    if data is None or not isinstance(data.get("claim"), int):
        return None
    claim = db.session.get(FactoryClaim, data["claim"])
    if claim is None or claim.method != "domain_email" or claim.email != data.get("email"):
        return None
    return claim


def approve_claim(claim: FactoryClaim, actor: User | None) -> None:
    """Give the claimant's organisation the profile. ``actor`` is the deciding organiser, or None when the claimant
    proved the factory's mailbox. A held or rejected draft of the claimant's own is removed; rival claims end."""
    from hub.core import uploads

    if actor is not None and not actor.is_organiser:
        raise ClaimError(_l("Only organisers decide claims."))
    if claim.status != ClaimStatus.PENDING:
        raise ClaimError(_l("This claim has already been decided."))
    user, factory = claim.user, claim.factory
    if user.role != ROLE_FACTORY or not claimable(factory):
        raise ClaimError(_l("This profile can no longer be claimed."))
    draft = user_factory(user)
    if draft is not None:
        if draft.is_published:
            raise ClaimError(_l("The claimant already manages a published profile."))
        for photo in draft.photos:
            uploads.remove("photos", photo.stored_name)
        db.session.delete(draft)
        db.session.flush()
    if user.organisation is None:
        user.organisation = Organisation(kind="factory", name=factory.name)
        db.session.flush()
    factory.organisation_id = user.organisation_id
    now = utcnow()
    claim.status, claim.decided_at, claim.decided_by_id = ClaimStatus.APPROVED, now, actor.id if actor else None
    for rival in db.session.scalars(db.select(FactoryClaim).where(
            FactoryClaim.factory_id == factory.id, FactoryClaim.status == ClaimStatus.PENDING,
            FactoryClaim.id != claim.id)):
        rival.status, rival.decided_at, rival.decided_by_id = ClaimStatus.REJECTED, now, actor.id if actor else None
    db.session.flush()


def reject_claim(claim: FactoryClaim, actor: User) -> None:
    """An organiser turns a pending claim down."""
    if not actor.is_organiser:
        raise ClaimError(_l("Only organisers decide claims."))
    if claim.status != ClaimStatus.PENDING:
        raise ClaimError(_l("This claim has already been decided."))
    claim.status, claim.decided_at, claim.decided_by_id = ClaimStatus.REJECTED, utcnow(), actor.id
    db.session.flush()


def pending_claims() -> list[FactoryClaim]:
    """The organisers' queue of claims waiting for a decision, oldest first."""
    return list(db.session.scalars(db.select(FactoryClaim).where(FactoryClaim.status == ClaimStatus.PENDING)
                                   .order_by(FactoryClaim.created_at, FactoryClaim.id)))


def claims_of(user: User) -> list[FactoryClaim]:
    """A claimant's own claims, newest first."""
    return list(db.session.scalars(db.select(FactoryClaim).where(FactoryClaim.user_id == user.id)
                                   .order_by(FactoryClaim.created_at.desc(), FactoryClaim.id.desc())))
