"""A proposed team becomes a chain request: a draft of the deals domain's chain composer, where the need's owner
says what each member is asked, may swap a member for another factory that does the step, reviews and sends.
Services flush; the view commits."""

from __future__ import annotations

from hub.extensions import db
from hub.factories.models import Factory
from hub.needs.models import Need
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


def start(actor, need: Need, steps: list[tuple[str, Factory]], lang: str):
    """A chain draft for the need's owner to compose: each team member's step, with the other factories the chain
    planner finds for that step as candidates to swap in (the deals domain prefills the need's quantity,
    deadline and materials). Raises the deals domain's errors (NotAllowed, DealError)."""
    from hub.core.labels import capability_label
    from hub.deals import services as deals
    from hub.matches.services import current_index
    from matching import MatchingInputError, plan_chain

    labels = [capability_label(code, need.language) for code, _factory in steps]
    try:
        plan = plan_chain(current_index(), labels, lang=lang, alternatives=5)
        alternatives = [list(s.alternatives) if s.process is not None and s.process.code == code else []
                        for s, (code, _f) in zip(plan.steps, steps, strict=True)]
    except MatchingInputError:
        alternatives = [[] for _step in steps]
    planned = [deals.PlannedStep(process=code, input=label, factory_id=factory.id,
                                 candidates=[a for a in alts if a != factory.id])
               for (code, factory), label, alts in zip(steps, labels, alternatives, strict=True)]
    return deals.start_draft(actor, planned, need=need)
