"""A proposed team becomes a chain request: the need's owner reviews the steps, quantity, deadline and drawings,
then the deals domain's chain service sends one request per member. Services flush; the view commits."""

from __future__ import annotations

import io

from flask_babel import gettext as _
from werkzeug.datastructures import FileStorage

from hub.core import uploads
from hub.extensions import db
from hub.factories.models import Factory
from hub.needs.models import Need, NeedAttachment
from matching import MAX_STEPS, Taxonomy


class TeamError(ValueError):
    """A team request that cannot be made (unknown step or factory); the edge answers 404."""


def decode(raw: str | None) -> list[tuple[str, Factory]]:
    """The steps and published factories of a team as it travels in a link ("milling:12,anodizing:15"), in order;
    raises TeamError when any is unknown."""
    taxonomy = Taxonomy.default()
    parts = [p for p in (raw or "").split(",") if p][:MAX_STEPS + 1]
    if not parts or len(parts) > MAX_STEPS:
        raise TeamError("no team")
    pairs: list[tuple[str, int]] = []
    for part in parts:
        code, _sep, fid = part.partition(":")
        if code not in taxonomy.processes or not fid.isdigit() or len(fid) > 12:
            raise TeamError("unknown step")
        pairs.append((code, int(fid)))
    factories = {f.id: f for f in db.session.scalars(
        db.select(Factory).where(Factory.id.in_({fid for _c, fid in pairs}), Factory.is_published))}
    if any(fid not in factories for _c, fid in pairs):
        raise TeamError("unknown factory")
    return [(code, factories[fid]) for code, fid in pairs]


def send(actor, need: Need, steps: list[tuple[str, Factory]], *, message: str, quantity: int | None,
         due_date, phone: str | None, drawings: list[NeedAttachment]):
    """The need's owner sends the team's chain request (the deals chain service), then shares the chosen
    drawings in the deal's thread so that every member can open them."""
    from hub.core.labels import capability_label
    from hub.deals import services as deals

    chain = [deals.ChainStep(process_code=code, factory=factory, input_text=capability_label(code, need.language))
             for code, factory in steps]
    deal = deals.create_chain(actor, chain, message=message, need=need, quantity=quantity, due_date=due_date,
                              phone=phone)
    files = []
    for attachment in drawings:
        path = uploads.folder("attachments") / attachment.stored_name
        if path.is_file():
            files.append(FileStorage(io.BytesIO(path.read_bytes()), filename=attachment.original_name,
                                     content_type=attachment.content_type))
    size = deals.MAX_ATTACHMENTS_PER_MESSAGE
    for start in range(0, len(files), size):
        deals.post_message(actor, deal, _("Drawings of the need “%(title)s”", title=need.title),
                           files[start:start + size])
    return deal
