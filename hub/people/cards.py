"""Know-how cards (技能カード): who may read and write them, search across the visible ones, their photos and clips,
and what a factory's profile and a succession listing may say about its documented know-how."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy.sql.elements import ColumnElement

from hub.core import uploads
from hub.core.actors import is_signed_in
from hub.extensions import db
from hub.factories.access import user_factory_id
from hub.people.errors import Invalid, NotAllowed
from hub.people.models import CardMedia, Junior, KnowhowCard, MediaKind, Pair, PairStatus, Visibility
from hub.people.services import is_organiser, master_of

CARD_FIELDS = ("title", "process_code", "visibility", "summary", "steps", "tolerances", "tools", "mistakes")
MAX_MEDIA = 12
SEARCHED = (KnowhowCard.title, KnowhowCard.summary, KnowhowCard.steps, KnowhowCard.tools, KnowhowCard.tolerances,
            KnowhowCard.mistakes)


def _learner_scope(user) -> tuple[set[int], set[int]]:
    """(factories employing this user as a junior, masters teaching this user) — whose shared cards they read."""
    juniors = list(db.session.scalars(db.select(Junior).where(Junior.user_id == user.id)))
    factories = {j.employer_id for j in juniors if j.employer_id}
    masters = set(db.session.scalars(db.select(Pair.master_id).where(
        Pair.junior_id.in_([j.id for j in juniors]), Pair.status.in_((PairStatus.ACTIVE, PairStatus.CERTIFIED)))))
    return factories, masters


def visible_condition(user) -> ColumnElement[bool]:
    """The one rule, as SQL: public cards; every card of one's own factory or of one's own master profile; cards
    shared with juniors for the juniors of that factory and of that master; organisers see all."""
    if is_organiser(user):
        return db.true()
    condition = KnowhowCard.visibility == Visibility.PUBLIC
    if not is_signed_in(user):
        return condition
    factory_id = user_factory_id(user)
    if factory_id is not None:
        condition = db.or_(condition, KnowhowCard.factory_id == factory_id)
    master = master_of(user)
    if master is not None:
        condition = db.or_(condition, KnowhowCard.master_id == master.id)
    factories, masters = _learner_scope(user)
    if factories or masters:
        condition = db.or_(condition, db.and_(KnowhowCard.visibility == Visibility.JUNIORS, db.or_(
            KnowhowCard.factory_id.in_(factories or {-1}), KnowhowCard.master_id.in_(masters or {-1}))))
    return condition


def can_view(user, card: KnowhowCard) -> bool:
    return db.session.scalar(db.select(db.func.count(KnowhowCard.id)).where(
        KnowhowCard.id == card.id, visible_condition(user))) == 1


def can_edit(user, card: KnowhowCard) -> bool:
    """The writing factory's members, the writing master, and organisers."""
    if is_organiser(user):
        return True
    if card.factory_id is not None and user_factory_id(user) == card.factory_id:
        return True
    master = master_of(user)
    return master is not None and card.master_id == master.id


def may_write(user) -> bool:
    """Factory members and registered masters write cards."""
    return user_factory_id(user) is not None or master_of(user) is not None


def save_card(actor, card: KnowhowCard | None, data: dict) -> KnowhowCard:
    """Write or edit a card: for the actor's factory when they are a member, else as their master profile."""
    if card is None:
        factory_id, master = user_factory_id(actor), master_of(actor)
        if factory_id is None and master is None:
            raise NotAllowed("not_allowed", _l("Factories and registered masters write know-how cards."))
        card = KnowhowCard(factory_id=factory_id, master_id=master.id if master else None, author_id=actor.id)
        if factory_id is None and master is not None and master.factory_id:
            card.factory_id = master.factory_id
        db.session.add(card)
    elif not can_edit(actor, card):
        raise NotAllowed("not_allowed", _l("You may not edit this card."))
    for name in CARD_FIELDS:
        if name in data:
            setattr(card, name, data[name])
    if card.visibility not in set(Visibility):
        raise Invalid("bad_visibility", _l("Choose who may read the card."), "visibility")
    db.session.flush()
    return card


def add_media(actor, card: KnowhowCard, file, caption: str) -> CardMedia:
    """A photo (re-encoded) or a short clip (MP4/WebM by content, size-limited), judged by the file's bytes."""
    if not can_edit(actor, card):
        raise NotAllowed("not_allowed", _l("You may not edit this card."))
    if len(card.media) >= MAX_MEDIA:
        raise Invalid("too_many", _l("A card holds at most %(n)s photos and clips.", n=MAX_MEDIA), "file")
    head = file.stream.read(64)
    file.stream.seek(0)
    if uploads.video_type(head) is not None:
        stored, kind = uploads.save_video(file, CardMedia.upload_kind), MediaKind.VIDEO
    else:
        stored, kind = uploads.save_photo(file, CardMedia.upload_kind), MediaKind.PHOTO
    media = CardMedia(card=card, kind=kind, caption=caption or "", **CardMedia.stored_columns(stored))
    db.session.add(media)
    db.session.flush()
    return media


def remove_media(actor, media: CardMedia) -> None:
    if not can_edit(actor, media.card):
        raise NotAllowed("not_allowed", _l("You may not edit this card."))
    media.remove_file()
    db.session.delete(media)
    db.session.flush()


def delete_card(actor, card: KnowhowCard) -> None:
    if not can_edit(actor, card):
        raise NotAllowed("not_allowed", _l("You may not edit this card."))
    for media in card.media:
        media.remove_file()
    db.session.delete(card)
    db.session.flush()


def search(user, text: str = "", process: str = "", factory_id: int | None = None, limit: int = 100):
    """The cards this user may read, matching every word of ``text`` in any written field, newest first."""
    query = db.select(KnowhowCard).where(visible_condition(user)).options(
        db.selectinload(KnowhowCard.factory), db.selectinload(KnowhowCard.master))
    for word in (text or "").split()[:8]:
        pattern = "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(db.or_(*(column.ilike(pattern, escape="\\") for column in SEARCHED)))
    if process:
        query = query.where(KnowhowCard.process_code == process)
    if factory_id is not None:
        query = query.where(KnowhowCard.factory_id == factory_id)
    return list(db.session.scalars(query.order_by(KnowhowCard.updated_at.desc(), KnowhowCard.id.desc())
                                   .limit(limit)))


def for_factory(factory, user) -> list[KnowhowCard]:
    """A factory's cards that this viewer may read (its profile's know-how panel)."""
    return search(user, factory_id=factory.id, limit=50)


BANDS = ((0, "none"), (1, "some"), (5, "substantial"), (15, "extensive"))


def documented_band(factory_id: int) -> str:
    """How much of a factory's know-how is documented, as a band only (for an anonymous succession listing: a
    count could help identify it, a band of a few values cannot)."""
    count = int(db.session.scalar(db.select(db.func.count(KnowhowCard.id)).where(
        KnowhowCard.factory_id == factory_id)) or 0)
    band = "none"
    for floor, name in BANDS:
        if count >= floor:
            band = name
    return band
