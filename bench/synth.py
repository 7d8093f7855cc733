"""Synthetic corpora for the speed runs: the eval factories replicated and perturbed (deterministic)."""

from __future__ import annotations

import random
from collections.abc import Iterator

from bench.common import load_json
from bench.make_eval import SURNAMES, fullwidth

GENERIC = [
    "短納期対応いたします。",
    "試作1個から歓迎。",
    "Quick quotes.",
    "女性スタッフ活躍中。",
    "ISO9001認証取得。",
    "夜間の急ぎ対応も可能です。",
    "仲間の工場と連携して一貫対応。",
]


def synthetic_records(n: int, seed: int = 7) -> Iterator[dict]:
    base = load_json("eval_factories.json")
    rng = random.Random(seed)
    for i in range(1, n + 1):
        t = base[rng.randrange(len(base))]
        rec = dict(t)
        rec["id"] = i
        rec["external_id"] = f"SY-{i:07d}"
        sur = rng.choice(SURNAMES)
        name = t["name"]
        for s in SURNAMES:
            if s in name:
                name = name.replace(s, sur, 1)
                break
        rec["name"] = name if rng.random() < 0.8 else f"{name} 第{rng.randint(2, 9)}工場"
        for key in ("processes", "materials", "equipment"):
            items = list(t.get(key) or [])
            rng.shuffle(items)
            if len(items) > 1 and rng.random() < 0.3:
                items.pop()
            if items and rng.random() < 0.15:
                j = rng.randrange(len(items))
                items[j] = fullwidth(items[j])
            rec[key] = items
        if rng.random() < 0.4:
            rec["description"] = (t.get("description") or "") + rng.choice(GENERIC)
        rec["lat"] = round(t["lat"] + rng.uniform(-0.01, 0.01), 5)
        rec["lon"] = round(t["lon"] + rng.uniform(-0.01, 0.01), 5)
        rec["founded"] = rng.randint(1946, 2015)
        yield rec
