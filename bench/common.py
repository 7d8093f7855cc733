"""Shared helpers for the benchmark: data loading, profile construction, text folding, metrics."""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
WARD_KEYS = {
    "大田区": "ota",
    "墨田区": "sumida",
    "葛飾区": "katsushika",
    "足立区": "adachi",
    "江戸川区": "edogawa",
    "板橋区": "itabashi",
    "品川区": "shinagawa",
    "荒川区": "arakawa",
    "北区": "kita",
    "江東区": "koto",
    "台東区": "taito",
    "練馬区": "nerima",
}


def load_json(name: str):
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def load_eval() -> tuple[list[dict], dict, list[dict], list[dict]]:
    return (
        load_json("eval_factories.json"),
        load_json("eval_truth.json"),
        load_json("eval_needs.json"),
        load_json("eval_chains.json"),
    )


def to_profile(rec: dict):
    """Contract import record -> matching.FactoryProfile (only the fields a real import would carry)."""
    from matching import FactoryProfile

    return FactoryProfile(
        id=int(rec["id"]),
        name=rec["name"],
        external_id=rec.get("external_id"),
        name_en=rec.get("name_en"),
        ward=WARD_KEYS.get(rec.get("ward") or "", None),
        lat=rec.get("lat"),
        lon=rec.get("lon"),
        processes=tuple(rec.get("processes") or ()),
        materials=tuple(rec.get("materials") or ()),
        equipment=tuple(rec.get("equipment") or ()),
        description=rec.get("description") or "",
    )


def doc_text(rec: dict) -> str:
    """Everything a factory wrote, as one string (what the text baselines index)."""
    parts = [rec.get("name") or "", rec.get("name_en") or ""]
    for k in ("processes", "materials", "equipment"):
        parts.extend(rec.get(k) or ())
    parts.append(rec.get("description") or "")
    return " ".join(p for p in parts if p)


def fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower()


_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff々〆ー]+")
_WORD = re.compile(r"[a-z0-9][a-z0-9\-\.]*")


def simple_tokens(text: str) -> list[str]:
    """Tokens for BM25: Latin/digit words, plus character unigrams+bigrams of Japanese runs."""
    t = fold(text)
    toks: list[str] = [w.strip(".-") for w in _WORD.findall(t)]
    for run in _CJK.findall(t):
        toks.extend(run)  # unigrams
        toks.extend(run[i : i + 2] for i in range(len(run) - 1))
    return [x for x in toks if x]


def dcg(grades: Sequence[int]) -> float:
    return sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(grades))


def ndcg_at_k(ranked_ids: Iterable, relevance: dict[str, int], k: int = 10) -> float:
    got = [relevance.get(str(f), 0) for f in list(ranked_ids)[:k]]
    ideal = sorted(relevance.values(), reverse=True)[:k]
    best = dcg(ideal)
    return dcg(got) / best if best > 0 else 0.0


def haversine_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(h)))
