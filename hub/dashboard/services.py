"""Indicators and cluster risk, computed from the other domains' services (this domain keeps only targets)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from flask_babel import lazy_gettext as _l

from hub.dashboard.models import KpiTarget
from hub.extensions import db
from hub.factories.models import Factory, FactoryCapability

# The ward programme's yearly targets (shared/domain/policy-article-ja.txt).
PROGRAMME_TARGETS = {
    "events_held": 20,
    "open_factory_companies": 100,
    "joint_projects_formed": 30,
    "succession_plans": 100,
    "meister_pairs": 50,
}
LABELS = {
    "events_held": _l("Hub events held"),
    "open_factory_companies": _l("Open Factory participating companies"),
    "joint_projects_formed": _l("Joint developments and orders formed"),
    "succession_plans": _l("Succession plans completed (push-style support)"),
    "meister_pairs": _l("Master–junior pairs certified"),
}
RISK_AGE = 70  # owners of this age or older, with no successor, put their processes at risk


def targets(year: int) -> dict[str, int]:
    values = dict(PROGRAMME_TARGETS)
    for row in db.session.scalars(db.select(KpiTarget).where(KpiTarget.year == year)):
        values[row.key] = row.target
    return values


def indicators(year: int) -> list[dict]:
    """Every indicator for ``year`` as {key, label, value, target}, in the programme's order."""
    from hub import domain_modules

    values: dict[str, int] = {}
    for module in domain_modules("kpis"):
        values.update(module.indicators(year))
    goal = targets(year)
    return [{"key": key, "label": str(LABELS[key]), "value": int(values.get(key, 0)), "target": goal[key]}
            for key in PROGRAMME_TARGETS]


def set_target(key: str, year: int, target: int, actor) -> KpiTarget:
    """An organiser changes a target (flushes; the caller commits)."""
    if key not in PROGRAMME_TARGETS:
        raise ValueError(key)
    row = db.session.scalar(db.select(KpiTarget).where(KpiTarget.key == key, KpiTarget.year == year))
    if row is None:
        row = KpiTarget(key=key, year=year, target=target)
        db.session.add(row)
    row.target = target
    row.updated_by_id = actor.id
    db.session.flush()
    return row


@dataclass
class ProcessRisk:
    code: str
    providers: int = 0
    at_risk: int = 0
    wards: dict[str, int] = field(default_factory=dict)  # ward → providers at risk

    @property
    def share(self) -> float:
        return self.at_risk / self.providers if self.providers else 0.0

    @property
    def safe(self) -> int:
        return self.providers - self.at_risk

    @property
    def about_to_lose(self) -> bool:
        """Nobody safe is left, or at most one safe workshop for a process that several at-risk ones carry."""
        return self.at_risk > 0 and (self.safe == 0 or (self.safe <= 1 and self.at_risk >= 2))


def cluster_risk(today: date | None = None) -> list[ProcessRisk]:
    """Per process: how many published factories do it, and how many of them have an owner aged 70+ with no
    successor. Sorted with the processes the cluster is about to lose first. Organisers only: uses private data."""
    today = today or date.today()
    cutoff = today.year - RISK_AGE
    rows = db.session.execute(
        db.select(FactoryCapability.code, Factory.ward, Factory.owner_birth_year, Factory.successor_status)
        .join(Factory, Factory.id == FactoryCapability.factory_id)
        .where(FactoryCapability.kind == "process", FactoryCapability.is_capability, Factory.is_published)
    ).all()
    risks: dict[str, ProcessRisk] = {}
    for code, ward, born, successor in rows:
        risk = risks.setdefault(code, ProcessRisk(code))
        risk.providers += 1
        if born is not None and born <= cutoff and successor in (None, "none", "undecided"):
            risk.at_risk += 1
            risk.wards[ward or ""] = risk.wards.get(ward or "", 0) + 1
    return sorted(risks.values(), key=lambda r: (not r.about_to_lose, -r.share, -r.at_risk, r.code))


def owners_by_age_band(today: date | None = None) -> list[tuple[str, int, int]]:
    """(band, factories, of which without a successor) for the owners' ages we know."""
    today = today or date.today()
    bands: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    rows = db.session.execute(db.select(Factory.owner_birth_year, Factory.successor_status)
                              .where(Factory.owner_birth_year.isnot(None))).all()
    for born, successor in rows:
        age = today.year - born
        band = "80+" if age >= 80 else "70–79" if age >= 70 else "60–69" if age >= 60 else "<60"
        bands[band][0] += 1
        bands[band][1] += successor in (None, "none", "undecided")
    order = ["<60", "60–69", "70–79", "80+"]
    return [(band, bands[band][0], bands[band][1]) for band in order]
