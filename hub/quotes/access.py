"""Who sees and does what with quotes and orders: the deal step's two parties, and organisers while a report on
that deal is open. Prices never leave these rules (no public page shows them)."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func, select

from hub.auth.models import User
from hub.core.actors import is_signed_in
from hub.deals.models import Deal, DealReport, DealStep, ReportStatus
from hub.deals.services import is_requester_side
from hub.extensions import db
from hub.factories.access import user_factory_id


class QuoteError(ValueError):
    """A user-facing reason an action was refused; ``status`` is how the API answers (400, 403, 404, 409)."""

    def __init__(self, message: str, status: int = 400, field: str | None = None):
        super().__init__(message)
        self.message, self.status, self.field = message, status, field


class NotAllowed(QuoteError):
    def __init__(self, message: str | None = None):
        super().__init__(message or _("You do not have permission to do this."), 403)


def is_factory_side(user: User | None, step: DealStep) -> bool:
    """A member of the factory the step was asked of."""
    return is_signed_in(user) and user_factory_id(user) == step.factory_id


def is_requester(user: User | None, step: DealStep) -> bool:
    return is_signed_in(user) and is_requester_side(user, step.deal)


def has_open_report(deal: Deal) -> bool:
    return (db.session.scalar(select(func.count(DealReport.id)).where(
        DealReport.deal_id == deal.id, DealReport.status == ReportStatus.OPEN)) or 0) > 0


def is_party(user: User | None, step: DealStep) -> bool:
    return is_factory_side(user, step) or is_requester(user, step)


def can_view_step_quotes(user: User | None, step: DealStep) -> bool:
    """The step's two parties; an organiser only while a report on the deal is open."""
    if not is_signed_in(user):
        return False
    if is_party(user, step):
        return True
    return bool(user.is_organiser) and has_open_report(step.deal)
