"""Issue 9 prose evaluation: capability extraction and nDCG@10 on prose-only profiles, per half.

Halves live in `bench/data/prose/<half>/` (factories.json, truth.json, needs.json; format in bench/README.md).
`dev` may be used to tune the matcher; `heldout` never is, it is only reported. Each half found is evaluated on
its own index (the matcher, BM25 and TF-IDF built from that half's profiles only).

    python -m bench --prose-only       just this section (a few seconds)
"""

from __future__ import annotations

import json
import time
import traceback
from collections.abc import Iterable
from pathlib import Path

from bench.baselines import BM25, TfidfChar
from bench.common import DATA, doc_text

PROSE = DATA / "prose"
FILES = ("factories.json", "truth.json", "needs.json")
HALF_ORDER = ("dev", "heldout")
GOALS = dict(ndcg_overall=0.85, ndcg_en=0.80, precision=0.95, recall=0.90)
# capability items carrying one of these evidence/level/kind values are not "done by the shop"
NOT_DONE_LEVELS = {"hint", "outsourced", "buys", "buy", "not_done", "negated", "rejected", "excluded"}

SLICES = [
    ("overall", lambda n: True),
    ("ja needs", lambda n: n["lang"] == "ja"),
    ("en needs", lambda n: n["lang"] == "en"),
    ("en -> ja-only profiles", lambda n: n["cross_language"]),
    ("outcome-worded", lambda n: "outcome" in n["style"]),
    ("negated", lambda n: "negated" in n["style"] or bool(n["excludes"])),
    ("multi-step", lambda n: len(n["steps"]) > 1),
    ("plain", lambda n: n["style"] == "plain"),
]


# ------------------------------------------------------------------------------------------------ data
def find_halves(root: Path = PROSE) -> list[str]:
    """Names of the halves present under `root` (a folder holding all three files), dev and heldout first."""
    if not root.is_dir():
        return []
    found = [p.name for p in root.iterdir() if p.is_dir() and all((p / f).is_file() for f in FILES)]
    return sorted(found, key=lambda h: (HALF_ORDER.index(h) if h in HALF_ORDER else len(HALF_ORDER), h))


def load_half(path: Path) -> tuple[list[dict], dict, list[dict]]:
    """(factory records, truth by string id, needs) of one half."""
    return tuple(json.loads((path / f).read_text(encoding="utf-8")) for f in FILES)  # type: ignore[return-value]


def does_codes(t: dict) -> set[str]:
    """Every code the truth says the factory does itself (any acceptable code of any `does` entry)."""
    return {c for entry in t.get("does", []) for c in entry}


# ------------------------------------------------------------------------------------------------ relevance
def relevance(need: dict, truth: dict) -> dict[str, int]:
    """Graded relevance (0-3) of every factory of the half for one need, derived from truth (EVAL-SPEC.md).

    3 = a `full` code done for every step and the material worked (or no material named);
    2 = every step covered by `full` codes; 1 = some step by `full`, or every step by `full` + `partial`.
    Codes in the need's `excludes` never count (a factory covering a step only through an excluded process gets
    no credit for it); outsourced / not_done codes are not in `does`, so they never count either.
    Factories with grade 0 are left out of the dict.
    """
    excl = set(need.get("excludes") or ())
    mat = need.get("material")
    out: dict[str, int] = {}
    for fid, t in truth.items():
        done = does_codes(t) - excl
        full = [bool(done & set(s["full"])) for s in need["steps"]]
        near = [f or bool(done & set(s.get("partial") or ())) for f, s in zip(full, need["steps"], strict=True)]
        if full and all(full):
            grade = 3 if (mat is None or mat in (t.get("materials") or ())) else 2
        elif any(full) or (near and all(near)):
            grade = 1
        else:
            continue
        out[str(fid)] = grade
    return out


def annotate_needs(needs: list[dict], truth: dict) -> list[dict]:
    """Copies of the needs with `relevance` and `cross_language` (en need whose grade>=2 factories are all ja)."""
    out = []
    for n in needs:
        rel = relevance(n, truth)
        strong = [f for f, g in rel.items() if g >= 2]
        xlang = n["lang"] == "en" and bool(strong) and all(truth[f].get("lang") == "ja" for f in strong)
        out.append(
            {
                **n,
                "relevance": rel,
                "cross_language": xlang,
                "style": n.get("style") or "plain",
                "excludes": list(n.get("excludes") or ()),
            }
        )
    return out


# ------------------------------------------------------------------------------------------------ extraction
def _ratio(a: int, b: int) -> float | None:
    return a / b if b else None


def score_extraction(extracted: dict[str, tuple[set[str], set[str]]], truth: dict) -> dict:
    """Precision/recall of processes and materials read from each profile, against truth.

    `extracted` maps factory id (str) -> (process codes, material codes). A process is correct when it is in any
    `does` entry or in `also_ok`; recall counts `does` entries with at least one of their codes extracted.
    `outsourced_read` counts outsourced / not_done codes (not also listed as done) that were extracted.
    """
    tp = fp = hit = entries = out_read = out_all = m_tp = m_ext = m_true = 0
    per: dict[str, dict] = {}
    for fid, t in truth.items():
        procs, mats = extracted.get(fid, (set(), set()))
        ok = does_codes(t) | set(t.get("also_ok") or ())
        wrong = sorted(procs - ok)
        missed = [e for e in t.get("does", []) if not set(e) & procs]
        neg = (set(t.get("outsourced") or ()) | set(t.get("not_done") or ())) - ok
        neg_read = sorted(neg & procs)
        tmat = set(t.get("materials") or ())
        tp += len(procs & ok)
        fp += len(wrong)
        entries += len(t.get("does", []))
        hit += len(t.get("does", [])) - len(missed)
        out_all += len(neg)
        out_read += len(neg_read)
        m_tp += len(mats & tmat)
        m_ext += len(mats)
        m_true += len(tmat)
        per[fid] = dict(
            extracted=sorted(procs),
            wrong=wrong,
            missed=missed,
            outsourced_read=neg_read,
            materials=sorted(mats),
            wrong_materials=sorted(mats - tmat),
            missed_materials=sorted(tmat - mats),
        )
    return dict(
        precision=_ratio(tp, tp + fp),
        recall=_ratio(hit, entries),
        extracted=tp + fp,
        correct=tp,
        does_entries=entries,
        does_found=hit,
        outsourced_read=out_read,
        outsourced_total=out_all,
        material_precision=_ratio(m_tp, m_ext),
        material_recall=_ratio(m_tp, m_true),
        materials_extracted=m_ext,
        materials_true=m_true,
        per_factory=per,
    )


def _code(item) -> str:
    code = getattr(item, "code", item)
    code = str(code)
    return code[4:] if code.lower().startswith("mat:") else code


def _is_done(item) -> bool:
    for attr in ("evidence", "level", "kind", "status"):
        v = getattr(item, attr, None)
        v = getattr(v, "value", v)  # enums
        if isinstance(v, str) and v.lower() in NOT_DONE_LEVELS:
            return False
    return True


def read_capabilities(index, fid: int) -> tuple[set[str], set[str]]:
    """What the matcher read as the factory's own processes and materials.

    Uses `MatchIndex.profile_reading(id)` (its capabilities) when the index has it, else `profile_capabilities(id)`.
    Items whose evidence/level says hint, outsourced or negated are not counted as done.
    """
    if hasattr(index, "profile_reading"):
        r = index.profile_reading(fid)
        caps = getattr(r, "capabilities", r)
    else:
        caps = index.profile_capabilities(fid)
    procs = {_code(x) for x in (getattr(caps, "processes", None) or ()) if _is_done(x)}
    mats = {_code(x) for x in (getattr(caps, "materials", None) or ()) if _is_done(x)}
    return procs, mats


# ------------------------------------------------------------------------------------------------ one half
def _mean(vals: Iterable[float]) -> float | None:
    v = list(vals)
    return sum(v) / len(v) if v else None


def evaluate_half(records: list[dict], truth: dict, needs: list[dict]) -> dict:
    """Extraction and retrieval figures of one half (matcher beside BM25 and TF-IDF built on the same profiles)."""
    from bench.quality import MatcherSystem, rank_all

    needs = annotate_needs(needs, truth)
    ids = [r["id"] for r in records]
    texts = [doc_text(r) for r in records]
    systems: dict = {"bm25": BM25(ids, texts), "tfidf": TfidfChar(ids, texts)}
    errors: dict[str, list[str]] = {}
    build_s = None
    try:
        t0 = time.perf_counter()
        systems["matcher"] = MatcherSystem(records)
        build_s = time.perf_counter() - t0
    except Exception:  # the library may be incomplete: report, keep the baselines
        errors["matcher"] = [traceback.format_exc(limit=3)]
    judged = [n for n in needs if n["relevance"]]
    per_need, ranked = rank_all(systems, judged, errors)
    table = {}
    for sname, pred in SLICES:
        sel = [n["id"] for n in judged if pred(n)]
        table[sname] = {"n": len(sel), **{k: _mean(per_need[k][i] for i in sel) for k in systems}}
    extraction = None
    if "matcher" in systems:
        index = systems["matcher"].index
        got: dict[str, tuple[set[str], set[str]]] = {}
        for r in records:
            try:
                got[str(r["id"])] = read_capabilities(index, int(r["id"]))
            except Exception as e:
                errors.setdefault("extraction", []).append(f"{r['id']}: {type(e).__name__}: {e}")
        extraction = score_extraction(got, truth)
    return dict(
        n_factories=len(records),
        n_en_profiles=sum(t.get("lang") == "en" for t in truth.values()),
        n_needs=len(needs),
        n_judged=len(judged),
        unjudged=[n["id"] for n in needs if not n["relevance"]],
        table=table,
        extraction=extraction,
        per_need=per_need,
        ranked=ranked,
        errors=errors,
        build_s=build_s,
        systems=systems,
        needs=needs,
    )


def worst_needs(res: dict, records: list[dict], truth: dict, n: int = 5) -> list[dict]:
    """The n needs where the matcher's nDCG@10 is lowest, with what it understood, returned and missed."""
    if "matcher" not in res["systems"] or not n:
        return []
    by_id = {str(r["id"]): r for r in records}
    m = res["systems"]["matcher"]
    pn = res["per_need"]
    out = []
    for need in sorted((x for x in res["needs"] if x["relevance"]), key=lambda x: pn["matcher"][x["id"]])[:n]:
        mr = m.last.get(need["text"])
        rel = need["relevance"]
        got = [
            dict(id=f, grade=rel.get(str(f), 0), wrote=_short(by_id.get(str(f), {})))
            for f in res["ranked"]["matcher"][need["id"]][:5]
        ]
        ideal = sorted(rel.items(), key=lambda kv: (-kv[1], int(kv[0])))[:3]
        out.append(
            dict(
                id=need["id"],
                lang=need["lang"],
                style=need["style"],
                text=need["text"],
                ndcg=pn["matcher"][need["id"]],
                bm25=pn["bm25"][need["id"]],
                tfidf=pn["tfidf"][need["id"]],
                needed=[s["full"] for s in need["steps"]],
                material=need.get("material"),
                excludes=need["excludes"],
                understood=[f"{q.code}<-'{q.source}'" for q in (getattr(mr, "query_processes", None) or ())]
                + [f"mat:{q.code}<-'{q.source}'" for q in (getattr(mr, "query_materials", None) or ())],
                returned=got,
                expected=[dict(id=int(f), grade=g, wrote=_short(by_id[f])) for f, g in ideal],
            )
        )
    return out


def worst_profiles(res: dict, records: list[dict], n: int = 5) -> list[dict]:
    """The n profiles with the most extraction errors (wrong + missed + outsourced/not-done read as done)."""
    ex = res.get("extraction")
    if not ex or not n:
        return []
    by_id = {str(r["id"]): r for r in records}
    bad = lambda p: len(p["wrong"]) + len(p["missed"]) + len(p["outsourced_read"])  # noqa: E731
    ranked = sorted(ex["per_factory"].items(), key=lambda kv: (-bad(kv[1]), int(kv[0])))
    return [
        dict(
            id=int(fid),
            name=by_id[fid]["name"],
            errors=bad(p),
            wrong=p["wrong"],
            missed=[e[0] for e in p["missed"]],
            outsourced_read=p["outsourced_read"],
            wrong_materials=p["wrong_materials"],
            wrote=_short(by_id[fid], 90),
        )
        for fid, p in ranked[:n]
        if bad(p)
    ]


def _short(rec: dict, n: int = 60) -> str:
    s = " ".join((rec.get("description") or "").split())
    return s[:n] + ("…" if len(s) > n else "")


# ------------------------------------------------------------------------------------------------ report
def evaluate_all(root: Path = PROSE, worst: int = 5) -> dict[str, dict]:
    """Every half found under root, evaluated on its own."""
    out = {}
    for half in find_halves(root):
        records, truth, needs = load_half(root / half)
        res = evaluate_half(records, truth, needs)
        # Per-item diagnosis only for halves one may tune on: the held-out half reports aggregates alone, so
        # nobody reads its texts or failures while changing the matcher.
        shown = worst if half != "heldout" else 0
        res["worst_needs"] = worst_needs(res, records, truth, shown) if shown else []
        res["worst_profiles"] = worst_profiles(res, records, shown) if shown else []
        out[half] = res
    return out


def report(results: dict[str, dict], list_style: dict | None, fmt, table) -> tuple[dict, list]:
    """Print the prose section; return (JSON-able figures per half, goal rows)."""
    print("\n== Prose-only profiles (issue 9): capability extraction and nDCG@10, per half ==")
    print("dev = may be tuned on; heldout = never tuned on, only reported. Relevance derived from truth.")
    if list_style:
        o = list_style.get("overall", {})
        x = list_style.get("en -> ja-only profiles", {})
        print(
            f"list-style eval set (bench/data, unchanged): nDCG@10 overall {fmt(o.get('matcher'))} "
            f"(BM25 {fmt(o.get('bm25'))}, TF-IDF {fmt(o.get('tfidf'))}); en->ja-only {fmt(x.get('matcher'))}"
        )
    if not results:
        print("no prose halves found under bench/data/prose/")
    js: dict[str, dict] = {}
    goals: list = []
    for half, r in results.items():
        _print_half(half, r, fmt, table)
        js[half] = half_json(r)
        goals += half_goals(half, r, fmt)
    return js, goals


def _print_half(half: str, r: dict, fmt, table) -> None:
    print(
        f"\n-- half '{half}': {r['n_factories']} profiles ({r['n_en_profiles']} English), {r['n_needs']} needs"
        + (f" ({len(r['unjudged'])} with no relevant factory, skipped: {r['unjudged']})" if r["unjudged"] else "")
    )
    have_m = "matcher" in r["systems"]
    rows = []
    for sname, v in r["table"].items():
        best = max(v["bm25"] or 0, v["tfidf"] or 0)
        m = v.get("matcher")
        ratio = (fmt(m / best, 2) + "x") if have_m and m is not None and best > 0 else "-"
        rows.append([sname, v["n"], fmt(m), fmt(v["bm25"]), fmt(v["tfidf"]), ratio])
    print(table(["slice", "needs", "matcher", "BM25", "TF-IDF char", "matcher/best baseline"], rows))
    ex = r["extraction"]
    if ex:
        print(
            f"extraction: process precision {fmt(ex['precision'])} ({ex['correct']}/{ex['extracted']} "
            f"extracted are right), recall {fmt(ex['recall'])} ({ex['does_found']}/{ex['does_entries']} "
            f"'does' entries found); outsourced/not-done read as done {ex['outsourced_read']}/"
            f"{ex['outsourced_total']}; materials precision {fmt(ex['material_precision'])} "
            f"recall {fmt(ex['material_recall'])} ({ex['materials_extracted']} extracted, "
            f"{ex['materials_true']} in truth)"
        )
    if r["build_s"] is not None:
        print(f"matcher index build on this half: {r['build_s']:.2f} s")
    for k, errs in r["errors"].items():
        print(f"!! {k}: {len(errs)} error(s); first: {errs[0].strip().splitlines()[-1]}")
    if r["worst_needs"]:
        print(f"worst needs ({half}):")
    for w in r["worst_needs"]:
        print(
            f"  {w['id']} [{w['lang']} {w['style']}] nDCG {w['ndcg']:.3f} (BM25 {w['bm25']:.3f}, "
            f"TF-IDF {w['tfidf']:.3f})  {w['text']}"
        )
        print(
            f"    needs {w['needed']} material={w['material']} excludes={w['excludes'] or '-'}; "
            f"understood: {w['understood'] or '(nothing)'}"
        )
        got = ", ".join(f"#{g['id']}[{g['grade']}]" for g in w["returned"]) or "(nothing)"
        want = ", ".join(f"#{g['id']}[{g['grade']}] {g['wrote'][:30]}" for g in w["expected"])
        print(f"    got {got} | want {want}")
    if r["worst_profiles"]:
        print(f"worst profiles ({half}):")
    for p in r["worst_profiles"]:
        print(
            f"  #{p['id']} {p['name']}: wrong {p['wrong'] or '-'} missed {p['missed'] or '-'} "
            f"outsourced/not-done read {p['outsourced_read'] or '-'}"
            + (f" wrong materials {p['wrong_materials']}" if p["wrong_materials"] else "")
        )
        print(f"    wrote: {p['wrote']}")


def half_json(r: dict) -> dict:
    """The figures of one evaluated half, JSON-able (for `--json`)."""
    ex = r["extraction"] or {}
    return dict(
        n_factories=r["n_factories"],
        n_needs=r["n_needs"],
        unjudged=r["unjudged"],
        table=r["table"],
        extraction={k: v for k, v in ex.items() if k != "per_factory"} or None,
        per_factory=ex.get("per_factory"),
        per_need={
            n["id"]: {"text": n["text"], **{k: round(v[n["id"]], 4) for k, v in r["per_need"].items() if n["id"] in v}}
            for n in r["needs"]
        },
        worst_needs=r["worst_needs"],
        worst_profiles=r["worst_profiles"],
        errors=r["errors"],
        build_s=r["build_s"],
    )


def half_goals(half: str, r: dict, fmt) -> list[tuple[str, str, bool]]:
    """Issue 9's targets for one half: nDCG@10 overall / en needs, extraction precision / recall."""
    out = []
    t, ex = r["table"], r["extraction"]
    rows = []
    if "matcher" in r["systems"]:
        rows += [("nDCG@10 overall", t["overall"]["matcher"], "ndcg_overall")]
        rows += [("nDCG@10 en needs", t["en needs"]["matcher"], "ndcg_en")]
    if ex:
        rows += [("extraction precision", ex["precision"], "precision"), ("extraction recall", ex["recall"], "recall")]
    for label, val, key in rows:
        out.append((f"prose {half}: {label} >= {GOALS[key]}", fmt(val), (val or 0) >= GOALS[key]))
    return out
