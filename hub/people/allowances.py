"""Activity allowances: per pair, confirmed hours × the ward's rate in force on the day of each session, plus the
incentive on certification (at the rate in force that day); and the rows of the CSV for the ward's accounts.

Amounts are whole yen; an hour's share is rounded down per session (the ward pays no fractions of a yen).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_DOWN, Decimal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from hub.core.labels import capability_label
from hub.extensions import db
from hub.people.errors import Invalid, NotAllowed
from hub.people.models import AllowanceRate, Pair, TrainingSession
from hub.people.services import is_organiser


def rates() -> list[AllowanceRate]:
    """Every rate, oldest first."""
    return list(db.session.scalars(db.select(AllowanceRate).order_by(AllowanceRate.effective_from)))


def rate_on(day: date, table: list[AllowanceRate]) -> AllowanceRate | None:
    """The rate in force on ``day``: the latest that starts on or before it."""
    found = None
    for rate in table:
        if rate.effective_from <= day:
            found = rate
    return found


def save_rate(actor, effective_from: date, master_hourly: int, junior_hourly: int, incentive: int) -> AllowanceRate:
    """An organiser sets the rates in force from a date (replacing the rates of that same date)."""
    if not is_organiser(actor):
        raise NotAllowed("not_allowed", _l("Only organisers set allowance rates."))
    if min(master_hourly, junior_hourly, incentive) < 0:
        raise Invalid("negative", _l("Rates cannot be negative."), "master_hourly_yen")
    row = db.session.scalar(db.select(AllowanceRate).where(AllowanceRate.effective_from == effective_from))
    if row is None:
        row = AllowanceRate(effective_from=effective_from)
        db.session.add(row)
    row.master_hourly_yen, row.junior_hourly_yen = master_hourly, junior_hourly
    row.certification_incentive_yen, row.updated_by_id = incentive, actor.id
    db.session.flush()
    return row


@dataclass
class PairAllowance:
    pair: Pair
    hours: Decimal = Decimal(0)
    master_yen: int = 0
    junior_yen: int = 0
    incentive_yen: int = 0
    sessions: int = 0
    unrated_hours: Decimal = field(default_factory=lambda: Decimal(0))  # confirmed before any rate was set

    @property
    def total_yen(self) -> int:
        return self.master_yen + self.junior_yen + self.incentive_yen


def _yen(hours: Decimal, hourly: int) -> int:
    return int((hours * hourly).to_integral_value(rounding=ROUND_DOWN))


def for_pair(pair: Pair, start: date, end: date, table: list[AllowanceRate] | None = None) -> PairAllowance:
    """The allowance of one pair for sessions held (and a certification made) between ``start`` and ``end``."""
    table = rates() if table is None else table
    out = PairAllowance(pair)
    for session in pair.sessions:
        if not session.is_confirmed or not (start <= session.held_on <= end):
            continue
        out.hours += session.hours
        out.sessions += 1
        rate = rate_on(session.held_on, table)
        if rate is None:
            out.unrated_hours += session.hours
            continue
        out.master_yen += _yen(session.hours, rate.master_hourly_yen)
        out.junior_yen += _yen(session.hours, rate.junior_hourly_yen)
    if pair.certified_on and start <= pair.certified_on <= end:
        rate = rate_on(pair.certified_on, table)
        out.incentive_yen = rate.certification_incentive_yen if rate else 0
    return out


def report(start: date, end: date) -> list[PairAllowance]:
    """Every pair with confirmed hours or a certification in the period, by pair id."""
    pairs = db.session.scalars(
        db.select(Pair).where(db.or_(
            Pair.id.in_(db.select(TrainingSession.pair_id).where(TrainingSession.held_on.between(start, end))),
            Pair.certified_on.between(start, end)))
        .options(db.selectinload(Pair.sessions), db.selectinload(Pair.master), db.selectinload(Pair.junior))
        .order_by(Pair.id))
    table = rates()
    rows = [for_pair(pair, start, end, table) for pair in pairs]
    return [row for row in rows if row.hours or row.incentive_yen]


def csv_rows(rows: list[PairAllowance], start: date, end: date) -> list[list]:
    """The ward's accounts sheet: one line per pair, then the totals."""
    header = [_("Pair"), _("Master"), _("Junior"), _("Employer"), _("Skill"), _("Period from"), _("Period to"),
              _("Confirmed sessions"), _("Confirmed hours"), _("Master allowance (yen)"),
              _("Junior allowance (yen)"), _("Certification incentive (yen)"), _("Total (yen)")]
    out = [header]
    for row in rows:
        pair = row.pair
        out.append([pair.id, pair.master.name, pair.junior.name,
                    pair.junior.employer.name if pair.junior.employer else "", capability_label(pair.process_code),
                    start.isoformat(), end.isoformat(), row.sessions, f"{row.hours:.2f}", row.master_yen,
                    row.junior_yen, row.incentive_yen, row.total_yen])
    out.append([_("Total"), "", "", "", "", start.isoformat(), end.isoformat(), sum(r.sessions for r in rows),
                f"{sum((r.hours for r in rows), Decimal(0)):.2f}", sum(r.master_yen for r in rows),
                sum(r.junior_yen for r in rows), sum(r.incentive_yen for r in rows), sum(r.total_yen for r in rows)])
    return out
