"""Retrieval quality: nDCG@10 of the hub's matcher beside BM25 and TF-IDF char n-gram baselines."""

from __future__ import annotations

import time
import traceback

from bench.baselines import BM25, TfidfChar
from bench.common import doc_text, ndcg_at_k, to_profile

SLICES = [
    ("overall", lambda n: True),
    ("ja queries", lambda n: n["lang"] == "ja"),
    ("en queries (all)", lambda n: n["lang"] == "en"),
    ("en -> ja-only profiles", lambda n: n["cross_language"]),
    ("outcome-phrased", lambda n: n["outcome"]),
    ("multi-step needs", lambda n: len(n["steps"]) > 1),
]


class MatcherSystem:
    name = "hub matcher"

    def __init__(self, records):
        import matching

        self.matching = matching
        t0 = time.perf_counter()
        self.index = matching.MatchIndex.build([to_profile(r) for r in records])
        self.build_s = time.perf_counter() - t0
        self.last = {}

    def rank(self, text: str, k: int = 10, lang: str = "ja") -> list[int]:
        res = self.index.match(self.matching.NeedQuery(text=text), limit=k, lang=lang)
        self.last[text] = res
        return [int(m.factory_id) for m in res.results]


def rank_all(systems: dict, needs: list[dict], errors: dict[str, list[str]]) -> tuple[dict, dict]:
    """Top 10 of every system for every need, and its nDCG@10: (per_need, ranked), each keyed by system, then
    need id. A failing query scores 0 and is reported in ``errors``."""
    per_need: dict[str, dict[str, float]] = {k: {} for k in systems}
    ranked: dict[str, dict[str, list[int]]] = {k: {} for k in systems}
    for n in needs:
        for key, system in systems.items():
            try:
                r = system.rank(n["text"], 10, lang=n["lang"]) if key == "matcher" else system.rank(n["text"], 10)
            except Exception as e:  # a failing query scores 0 and is reported
                errors.setdefault(key, []).append(f"{n['id']}: {type(e).__name__}: {e}")
                r = []
            ranked[key][n["id"]] = r
            per_need[key][n["id"]] = ndcg_at_k(r, n["relevance"], 10)
    return per_need, ranked


def evaluate(records, truth, needs) -> dict:
    ids = [r["id"] for r in records]
    texts = [doc_text(r) for r in records]
    systems = {}
    errors: dict[str, list[str]] = {}
    systems["bm25"] = BM25(ids, texts)
    systems["tfidf"] = TfidfChar(ids, texts)
    try:
        systems["matcher"] = MatcherSystem(records)
    except Exception:  # the library may be incomplete; report, don't crash the baselines
        errors["matcher"] = [traceback.format_exc(limit=3)]
    per_need, ranked = rank_all(systems, needs, errors)
    table = {}
    for sname, pred in SLICES:
        sel = [n["id"] for n in needs if pred(n)]
        table[sname] = {"n": len(sel)}
        for key in systems:
            table[sname][key] = sum(per_need[key][i] for i in sel) / len(sel) if sel else float("nan")
    return dict(systems=systems, per_need=per_need, ranked=ranked, table=table, errors=errors)


def worst_needs(res: dict, records, truth, needs, n: int = 10) -> list[dict]:
    if "matcher" not in res["systems"]:
        return []
    by_id = {r["id"]: r for r in records}
    m = res["systems"]["matcher"]
    out = []
    for need in sorted(needs, key=lambda x: res["per_need"]["matcher"][x["id"]])[:n]:
        mr = m.last.get(need["text"])
        got = []
        for fid in res["ranked"]["matcher"][need["id"]][:5]:
            rec = by_id.get(fid, {})
            got.append(
                dict(
                    id=fid,
                    grade=need["relevance"].get(str(fid), 0),
                    truth=truth[str(fid)]["processes"],
                    wrote=_short(rec),
                )
            )
        ideal = sorted(need["relevance"].items(), key=lambda kv: -kv[1])[:3]
        exp = [dict(id=int(f), grade=g, truth=truth[f]["processes"], wrote=_short(by_id[int(f)])) for f, g in ideal]
        out.append(
            dict(
                id=need["id"],
                lang=need["lang"],
                xlang=need["cross_language"],
                text=need["text"],
                ndcg=res["per_need"]["matcher"][need["id"]],
                bm25=res["per_need"]["bm25"][need["id"]],
                tfidf=res["per_need"]["tfidf"][need["id"]],
                needed=[s["full"] for s in need["steps"]],
                material=need["material"],
                understood=[
                    f"{r.code}<-'{r.source}'({float(r.confidence or 0):.2f})"
                    for r in (mr.query_processes if mr else [])
                ]
                + [f"mat:{r.code}<-'{r.source}'" for r in (mr.query_materials if mr else [])],
                unresolved=list(mr.unresolved) if mr else [],
                returned=got,
                expected=exp,
                top_reasons=list(mr.results[0].reasons) if mr and mr.results else [],
            )
        )
    return out


def _short(rec: dict) -> str:
    s = " / ".join(
        x
        for x in [
            "|".join(rec.get("processes") or []),
            "|".join(rec.get("materials") or []),
            (rec.get("description") or "")[:70],
        ]
        if x
    )
    return s[:150]
