"""Public value types of the matching library (frozen dataclasses)."""

from __future__ import annotations

from dataclasses import dataclass, field


class MatchingInputError(ValueError):
    """Invalid input to the matching library (the hub maps it to HTTP 400)."""


@dataclass(frozen=True)
class FactoryProfile:
    """A factory as the hub knows it; list fields hold RAW strings as the factory wrote them."""

    id: int
    name: str
    external_id: str | None = None
    name_en: str | None = None
    ward: str | None = None
    lat: float | None = None
    lon: float | None = None
    processes: tuple[str, ...] = ()
    materials: tuple[str, ...] = ()
    equipment: tuple[str, ...] = ()
    description: str = ""
    lot_min: int | None = None
    lot_max: int | None = None
    track_record: float | None = None
    confirmed: tuple[str, ...] = ()  # codes the owner confirmed (treated as level "listed")
    rejected: tuple[str, ...] = ()  # codes the owner said "not us": never a capability, whatever the text says


@dataclass(frozen=True)
class NeedQuery:
    """A need: free text (ja or en, may describe an outcome) and optional raw process/material lists."""

    text: str = ""
    processes: tuple[str, ...] = ()
    materials: tuple[str, ...] = ()
    ward: str | None = None
    lat: float | None = None
    lon: float | None = None
    quantity: int | None = None
    exclude: tuple[str, ...] = ()  # process codes the seeker removed from "understood as" (never required)


@dataclass(frozen=True)
class Resolved:
    """A raw term resolved to a taxonomy code.

    ``source`` is the exact text span it came from; ``via`` tells how: "alias" (exact alias), "grade"
    (material grade pattern), "fuzzy" (rapidfuzz), "outcome" (inferred from an outcome phrase),
    "material" (inferred from a craft material), "extra" (organiser alias), "code" (given as a code).
    """

    kind: str
    code: str
    label_ja: str
    label_en: str
    confidence: float
    source: str
    suggestions: tuple[str, ...] = ()
    via: str = "alias"

    def label(self, lang: str = "ja") -> str:
        return self.label_en if lang == "en" else self.label_ja


@dataclass(frozen=True)
class Extraction:
    """What the normaliser found in a text.

    ``processes`` lists explicit process mentions first, then outcome-inferred ones (``via == "outcome"``).
    ``groups`` are the alternatives behind each step: one tuple per step, explicit steps hold one entry.
    ``group_strength`` parallels ``groups``: "explicit", "problem" or "shape".
    ``context`` lists process codes that were only mentioned as the object's history or part ("a *welded*
    frame", 「*溶接*部の検査」, 「*金型*プレートの研削」), not as a requested step; ``negated`` holds
    mentions that were excluded ("溶接不可", "no welding"); they are not in ``processes``.
    ``excluded`` is the same list under its need-side name ("金型は作りたくない", "no mould"): the ranking
    demotes factories whose coverage comes only through an excluded process.
    """

    processes: list[Resolved] = field(default_factory=list)
    materials: list[Resolved] = field(default_factory=list)
    unresolved: list[str] = field(default_factory=list)
    suggestions: dict[str, tuple[str, ...]] = field(default_factory=dict)
    groups: list[tuple[Resolved, ...]] = field(default_factory=list)
    group_strength: list[str] = field(default_factory=list)
    context: tuple[str, ...] = ()
    negated: list[Resolved] = field(default_factory=list)
    excluded: list[Resolved] = field(default_factory=list)
    outsourced: list[Resolved] = field(default_factory=list)  # profile prose: steps sent to partners


@dataclass(frozen=True)
class Capabilities:
    """What the index understood of one factory."""

    processes: list[Resolved]
    materials: list[Resolved]


@dataclass(frozen=True)
class Match:
    """One ranked factory: ``score`` in [0, 1], ``reasons`` human-readable in the requested language."""

    factory_id: int
    score: float
    covers: tuple[str, ...]
    missing: tuple[str, ...]
    reasons: tuple[str, ...]
    distance_km: float | None = None


@dataclass(frozen=True)
class MatchResult:
    """The answer to a need: how the query was understood, what was not, and the ranked factories."""

    query_processes: list[Resolved]
    query_materials: list[Resolved]
    unresolved: list[str]
    results: list[Match]
    suggestions: dict[str, tuple[str, ...]] = field(default_factory=dict)
    required: tuple[tuple[str, ...], ...] = ()


@dataclass(frozen=True)
class NeedFit:
    """A need ranked for a factory ("案件 that fit you")."""

    need_id: object
    score: float
    reasons: tuple[str, ...]
    covers: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()

    def __iter__(self):  # allows ``need_id, score, reasons = fit``
        return iter((self.need_id, self.score, self.reasons))


@dataclass(frozen=True)
class ChainStep:
    """One step of a nakama-mawashi route."""

    input: str
    process: Resolved | None
    factory_id: int | None
    alternatives: tuple[int, ...] = ()
    leg_km: float | None = None
    reason: str = ""  # why the planner chose this factory over the nearest one, when it traded distance


@dataclass(frozen=True)
class ChainPlan:
    """An ordered route through factories; ``total_km`` runs from the start through each step's factory."""

    steps: list[ChainStep]
    total_km: float


@dataclass(frozen=True)
class Evidence:
    """One capability of a factory and why the hub believes it.

    ``level`` is "listed" (the owner's own list item, or a code the owner confirmed) or "prose" (stated in
    the description / equipment text; ``phrase`` holds the clause it was read from, at most 200 chars).
    """

    kind: str  # "process" | "material"
    code: str
    label_ja: str
    label_en: str
    level: str  # "listed" | "prose"
    phrase: str
    confidence: float
    source: str = ""  # the exact words matched inside ``phrase`` ("マシニングセンタ"); "" when confirmed only

    def label(self, lang: str = "ja") -> str:
        return self.label_en if lang == "en" else self.label_ja


class EvidenceTuple(tuple):
    """A tuple of :class:`Evidence` that also splits into ``.processes`` and ``.materials``."""

    __slots__ = ()

    @property
    def processes(self) -> tuple[Evidence, ...]:
        return tuple(e for e in self if e.kind == "process")

    @property
    def materials(self) -> tuple[Evidence, ...]:
        return tuple(e for e in self if e.kind == "material")


@dataclass(frozen=True)
class ProfileReading:
    """What a factory's own words say it does, does not do, and buys from partners."""

    capabilities: tuple[Evidence, ...]  # processes and materials the factory itself does / works
    outsourced: tuple[Resolved, ...] = ()  # steps the text says go to partners (協力工場へ, 外注, "we outsource")
    not_done: tuple[Resolved, ...] = ()  # steps the text says the shop does not do (対応不可, "no welding")
    hints: tuple[str, ...] = ()  # service words / product nouns seen (試作, 量産, シャフト …): never capabilities

    def __post_init__(self) -> None:
        if not isinstance(self.capabilities, EvidenceTuple):
            object.__setattr__(self, "capabilities", EvidenceTuple(self.capabilities))


@dataclass(frozen=True)
class Team:
    """Two or three factories that together cover the steps of a need no single factory covers.

    ``assignments`` pairs each required step (the code the need named) with the factory proposed for it;
    ``missing`` lists the steps nobody in the team does; ``reasons`` say why the team is proposed (coverage,
    distances, track records), in the requested language. ``total_km`` sums the distances between every pair
    of members (how far work travels between them); ``max_pair_km`` is the largest of them; ``need_km`` is the
    farthest member's distance from the need's place (None without a place). ``score`` is in [0, 1].
    """

    factory_ids: tuple[int, ...]
    assignments: tuple[tuple[str, int], ...]
    missing: tuple[str, ...]
    total_km: float | None
    max_pair_km: float | None
    need_km: float | None
    score: float
    reasons: tuple[str, ...]

    @property
    def coverage(self) -> float:
        n = len(self.assignments) + len(self.missing)
        return len(self.assignments) / n if n else 0.0

    def steps_of(self, factory_id: int) -> tuple[str, ...]:
        return tuple(code for code, fid in self.assignments if fid == factory_id)
