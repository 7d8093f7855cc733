"""Pure matching library of the Machi-Koba hub: taxonomy, normaliser, capability index, ranking with
explanations, nakama-mawashi partners and chains. Standard library, numpy, scipy, scikit-learn and
rapidfuzz only (no Flask, no SQLAlchemy)."""

from ._chain import plan_chain
from ._geo import WARDS, Ward, haversine_km, normalise_ward
from ._index import COVER, MAX_STEPS, MatchIndex, UnknownFactoryError, rank_needs
from ._normalise import MAX_TEXT, Normaliser, fold
from ._taxonomy import Family, Material, OutcomeGroup, Process, Taxonomy
from ._teams import propose_teams
from ._types import (
    Capabilities,
    ChainPlan,
    ChainStep,
    Evidence,
    Extraction,
    FactoryProfile,
    Match,
    MatchingInputError,
    MatchResult,
    NeedFit,
    NeedQuery,
    ProfileReading,
    Resolved,
    Team,
)

__all__ = [
    "COVER",
    "MAX_STEPS",
    "MAX_TEXT",
    "WARDS",
    "Capabilities",
    "ChainPlan",
    "ChainStep",
    "Evidence",
    "Extraction",
    "FactoryProfile",
    "Family",
    "Match",
    "MatchIndex",
    "MatchResult",
    "MatchingInputError",
    "Material",
    "NeedFit",
    "NeedQuery",
    "Normaliser",
    "OutcomeGroup",
    "Process",
    "ProfileReading",
    "Resolved",
    "Taxonomy",
    "Team",
    "UnknownFactoryError",
    "Ward",
    "fold",
    "haversine_km",
    "normalise_ward",
    "plan_chain",
    "propose_teams",
    "rank_needs",
]
