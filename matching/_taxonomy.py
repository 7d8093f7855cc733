"""The process / material taxonomy, loaded from ``matching/data/*.json``."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any


@dataclass(frozen=True)
class Process:
    code: str
    family: str
    label_ja: str
    label_en: str
    aliases: tuple[str, ...]
    parent: str | None = None


@dataclass(frozen=True)
class Material:
    code: str
    family: str
    label_ja: str
    label_en: str
    aliases: tuple[str, ...]


@dataclass(frozen=True)
class Family:
    code: str
    label_ja: str
    label_en: str


@dataclass(frozen=True)
class OutcomeGroup:
    name: str
    strength: str  # "problem" | "shape"
    phrases: tuple[str, ...]
    processes: tuple[tuple[str, float], ...]
    # material family -> ((process, confidence), ...): what the same outcome means for that material
    # ("rust" on stainless → electropolishing / passivation rather than paint)
    by_material: tuple[tuple[str, tuple[tuple[str, float], ...]], ...] = ()

    def for_materials(self, families: set[str]) -> tuple[tuple[str, float], ...]:
        """The alternatives behind this outcome, adjusted to the material families the need names."""
        if not families or not self.by_material:
            return self.processes
        conf = dict(self.processes)
        for fam, alts in self.by_material:
            if fam in families:
                for code, c in alts:
                    conf[code] = max(conf.get(code, 0.0), c)
        return tuple(sorted(conf.items(), key=lambda kv: -kv[1]))


def _load_json(name: str) -> Any:
    data = resources.files("matching").joinpath("data").joinpath(name).read_text(encoding="utf-8")
    return json.loads(data)


class Taxonomy:
    """Processes (with families and parents), materials (with families), outcome lexicon, grade patterns."""

    def __init__(
        self,
        processes: dict[str, Process],
        materials: dict[str, Material],
        families: dict[str, Family],
        outcomes: tuple[OutcomeGroup, ...] = (),
        stop_phrases: tuple[str, ...] = (),
        grade_patterns: tuple[tuple[re.Pattern[str], str], ...] = (),
        material_defaults: dict[str, str] | None = None,
        material_only: dict[str, tuple[str, ...]] | None = None,
        without: dict[str, tuple[tuple[str, ...], tuple[tuple[str, float], ...]]] | None = None,
    ) -> None:
        self.processes = processes
        self.materials = materials
        self.families = families
        self.outcomes = outcomes
        self.stop_phrases = stop_phrases
        self.grade_patterns = grade_patterns
        self.material_defaults = dict(material_defaults or {})
        self.material_only = dict(material_only or {})  # process -> material families it applies to
        # excluded process -> (processes that depend on it, alternatives without it)
        self.without = dict(without or {})
        self.process_codes: tuple[str, ...] = tuple(processes)
        self.material_codes: tuple[str, ...] = tuple(materials)
        self._ancestors: dict[str, tuple[str, ...]] = {}
        for code in processes:
            chain: list[str] = []
            parent = processes[code].parent
            while parent and parent not in chain:
                chain.append(parent)
                parent = processes[parent].parent if parent in processes else None
            self._ancestors[code] = tuple(chain)

    @classmethod
    def default(cls) -> Taxonomy:
        """The bundled taxonomy (cached)."""
        return _default_taxonomy()

    def ancestors(self, code: str) -> tuple[str, ...]:
        return self._ancestors.get(code, ())

    def is_descendant(self, code: str, of: str) -> bool:
        """True when ``code`` is ``of`` or a more specific kind of it."""
        return code == of or of in self._ancestors.get(code, ())

    def label(self, code: str, lang: str = "ja") -> str:
        item: Process | Material | Family | None = (
            self.processes.get(code) or self.materials.get(code) or self.families.get(code)
        )
        if item is None:
            return code
        return item.label_en if lang == "en" else item.label_ja

    def process_similarity(self, wanted: str, offered: str) -> float:
        """Credit a factory offering ``offered`` gets for a step ``wanted`` (1 = truly does it)."""
        if wanted == offered:
            return 1.0
        tax = self._ancestors
        if wanted in tax.get(offered, ()):  # offered is a more specific kind of wanted
            return 1.0
        if offered in tax.get(wanted, ()):  # offered is the generic parent of wanted
            return 0.6 if tax[wanted] and tax[wanted][0] == offered else 0.5
        pw, po = self.processes.get(wanted), self.processes.get(offered)
        if pw is None or po is None:
            return 0.0
        if pw.parent and pw.parent == po.parent:
            return 0.4
        if pw.family == po.family:
            return 0.2
        return 0.0

    def material_similarity(self, wanted: str, offered: str) -> float:
        if wanted == offered:
            return 1.0
        mw, mo = self.materials.get(wanted), self.materials.get(offered)
        if mw is None or mo is None:
            return 0.0
        if mw.family == mo.family:
            return 0.6
        return 0.0


@lru_cache(maxsize=1)
def _default_taxonomy() -> Taxonomy:
    tax = _load_json("taxonomy.json")
    out = _load_json("outcomes.json")
    families = {k: Family(k, v[0], v[1]) for k, v in tax["families"].items()}
    processes = {
        p["code"]: Process(
            p["code"], p["family"], p["ja"], p["en"], tuple(p["aliases"]), p.get("parent")
        )
        for p in tax["processes"]
    }
    materials = {
        m["code"]: Material(m["code"], m["family"], m["ja"], m["en"], tuple(m["aliases"]))
        for m in tax["materials"]
    }
    groups = tuple(
        OutcomeGroup(
            g["name"],
            g["strength"],
            tuple(g["phrases"]),
            tuple(sorted(g["processes"].items(), key=lambda kv: -kv[1])),
            tuple(
                (fam, tuple(sorted(alts.items(), key=lambda kv: -kv[1])))
                for fam, alts in g.get("by_material", {}).items()
            ),
        )
        for g in out["groups"]
    )
    patterns = tuple((re.compile(p), code) for p, code in tax.get("grade_patterns", []))
    return Taxonomy(
        processes,
        materials,
        families,
        groups,
        tuple(out.get("stop_phrases", [])),
        patterns,
        out.get("material_defaults", {}),
        {k: tuple(v) for k, v in out.get("material_only", {}).items()},
        {
            k: (tuple(v["needs"]), tuple(sorted(v["instead"].items(), key=lambda kv: -kv[1])))
            for k, v in out.get("without", {}).items()
            if not k.startswith("_")
        },
    )
