"""A chain deal's totals: what the whole route costs and when it can be done, with the deciding step marked."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from hub.auth.models import User
from hub.core.timeutil import tokyo_today
from hub.deals.models import ACTIVE_STEP_STATUSES, Deal, DealStep
from hub.deals.services import is_requester_side
from hub.extensions import db
from hub.quotes.access import NotAllowed
from hub.quotes.models import Quote, QuoteStatus
from hub.quotes.ordering import calendar_for
from hub.quotes.quoting import latest_quote
from hub.quotes.schedule import PlanStep, Schedule, ScheduledStep, schedule

PRICED = (QuoteStatus.SUBMITTED, QuoteStatus.ACCEPTED)


@dataclass
class ChainLine:
    step: DealStep
    quote: Quote | None
    planned: ScheduledStep | None


@dataclass
class ChainTotals:
    lines: list[ChainLine]
    subtotal: int
    tax: int
    total: int
    start: date
    plan: Schedule

    @property
    def complete(self) -> bool:
        return all(line.quote is not None for line in self.lines)


def chain_quote(step: DealStep) -> Quote | None:
    """The quote a step counts with: the accepted one, else its latest open revision."""
    accepted = db.session.scalar(select(Quote).where(Quote.step_id == step.id, Quote.status == QuoteStatus.ACCEPTED))
    if accepted is not None:
        return accepted
    latest = latest_quote(step)
    return latest if latest is not None and latest.status in PRICED else None


def chain_totals(actor: User, deal: Deal, start: date | None = None) -> ChainTotals:
    """For the requesting side of a chain: the sum of its steps' quotes and the earliest finish if ordered on
    ``start`` (today in Tokyo by default). Declined and withdrawn steps are left out."""
    if not is_requester_side(actor, deal):
        raise NotAllowed()
    start = start or tokyo_today()
    steps = [s for s in deal.steps if s.status in ACTIVE_STEP_STATUSES]
    quotes = {s.id: chain_quote(s) for s in steps}
    plan = schedule([PlanStep(s.id, s.position, calendar_for(s.factory_id),
                              quotes[s.id].lead_days if quotes[s.id] else None,
                              quotes[s.id].delivery_date if quotes[s.id] else None) for s in steps], start)
    lines = [ChainLine(s, quotes[s.id], plan.step(s.id)) for s in steps]
    priced = [q for q in quotes.values() if q is not None]
    return ChainTotals(lines, sum(q.subtotal for q in priced), sum(q.tax for q in priced),
                       sum(q.total for q in priced), start, plan)
