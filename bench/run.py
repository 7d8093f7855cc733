"""Benchmark of the matching engine: quality (nDCG@10 vs BM25 and TF-IDF), chains, speed and memory.

    python -m bench            full run (1k, 10k, 100k)           ~5-10 min on 2 cores
    python -m bench --quick    quality + chains + speed at 1k, 10k only
    python -m bench --prose-only   only the prose-only evaluation (issue 9, bench/prose.py), a few seconds
Options: --sizes 1000,10000  --queries 60  --import-callable module:function  --json PATH  --no-speed

All figures that depend on the machine are reported as ratios against baselines measured in the same run.
Never collected by pytest (lives outside tests/).
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
import time
from pathlib import Path

if __package__ in (None, ""):  # allow `python bench/run.py`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import chains as chains_mod  # noqa: E402
from bench import prose, quality  # noqa: E402
from bench.common import load_eval  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
GOALS = dict(
    ndcg_overall=0.85,
    ndcg_xlang=0.80,
    ratio_vs_baseline=1.5,
    latency_ratio=1.5,
    build_100k_s=60.0,
    mem_100k_mb=1024.0,
    import_rows_s=1000.0,
)


def ok(flag: bool) -> str:
    return "PASS" if flag else "FAIL"


def fmt(x, nd=3) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "-"
    return f"{x:.{nd}f}"


def table(headers, rows) -> str:
    cols = [[str(h)] + [str(r[i]) for r in rows] for i, h in enumerate(headers)]
    w = [max(_w(c) for c in col) for col in cols]
    line = lambda cells: "  ".join(_pad(str(c), w[i]) for i, c in enumerate(cells))  # noqa: E731
    return "\n".join([line(headers), "  ".join("-" * x for x in w)] + [line(r) for r in rows])


def _w(s: str) -> int:
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in s)


def _pad(s: str, width: int) -> str:
    return s + " " * (width - _w(s))


def run_speed(sizes, n_queries) -> list[dict]:
    rows = []
    for n in sizes:
        t0 = time.perf_counter()
        p = subprocess.run(
            [sys.executable, "-m", "bench.speed", "--size", str(n), "--queries", str(n_queries)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=900,
        )
        if p.returncode != 0:
            rows.append({"size": n, "error": (p.stderr or p.stdout).strip().splitlines()[-3:]})
        else:
            rows.append(json.loads(p.stdout.strip().splitlines()[-1]))
        rows[-1]["wall_s"] = time.perf_counter() - t0
    return rows


def _parse_args(argv) -> argparse.Namespace:
    """The command line of `python -m bench`."""
    ap = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="speed at 1k and 10k only")
    ap.add_argument("--sizes", default=None, help="comma-separated corpus sizes for the speed part")
    ap.add_argument("--queries", type=int, default=200, help="max distinct queries per size (each timed twice)")
    ap.add_argument("--no-speed", action="store_true")
    ap.add_argument("--import-callable", default="bench.hub_import:import_file",
                    help="module:function(path) importing a contract file (default: the hub's importer)")
    ap.add_argument("--import-rows", type=int, default=10_000)
    ap.add_argument("--import-format", choices=["json", "csv"], default="json")
    ap.add_argument("--worst", type=int, default=10)
    ap.add_argument("--prose-only", action="store_true",
                    help="only the prose-only evaluation (bench/data/prose/<half>/), beside the list-style figures")
    ap.add_argument("--json", default=str(ROOT / "bench" / "out" / "last_run.json"))
    return ap.parse_args(argv)


def main(argv=None) -> int:
    a = _parse_args(argv)
    t_start = time.perf_counter()
    records, truth, needs, chains = load_eval()
    out: dict = {}
    if a.prose_only:
        return run_prose_only(a, records, truth, needs, t_start)
    print("Matching engine benchmark")
    _print_eval_set(records, truth, needs, chains)
    q = quality.evaluate(records, truth, needs)
    have_m = "matcher" in q["systems"]
    goals = _quality_section(q, needs, out)
    pr = prose.evaluate_all(worst=min(a.worst, 5))  # prose-only profiles (issue 9)
    out["prose"], prose_goals = prose.report(pr, q["table"], fmt, table)
    goals += prose_goals
    if have_m:
        _chains_section(q, records, truth, chains, out, goals)
    if not a.no_speed and have_m:
        _speed_section(a, out, goals)
    _import_section(a, out, goals)
    if have_m and a.worst:
        _worst_section(a.worst, q, records, truth, needs, out)
    if goals:
        _goals_section(goals, out, "\n== Goals ==")
    _finish(a, out, t_start)
    return 0


def _print_eval_set(records, truth, needs, chains) -> None:
    """One line on what the evaluation set holds: factories, languages, styles, needs and chains."""
    print(
        f"eval set: {len(records)} factories ({sum(t['lang'] == 'ja' for t in truth.values())} Japanese-only "
        f"profiles, {sum(t['style'].endswith('prose') for t in truth.values())} prose-only), "
        f"{len(needs)} needs "
        f"(ja {sum(n['lang'] == 'ja' for n in needs)}, en {sum(n['lang'] == 'en' for n in needs)}, "
        f"en->ja-only {sum(n['cross_language'] for n in needs)}), {len(chains)} chains"
    )


def _quality_section(q: dict, needs, out: dict) -> list[tuple[str, str, bool]]:
    """The nDCG@10 table per slice against the baselines; returns the quality goals."""
    print("\n== Quality: nDCG@10 (gain 2^g-1, graded 0-3, ideal over all judged factories) ==")
    rows = []
    have_m = "matcher" in q["systems"]
    for sname, vals in q["table"].items():
        best = max(vals["bm25"], vals["tfidf"])
        rows.append(
            [
                sname,
                vals["n"],
                fmt(vals.get("matcher")),
                fmt(vals["bm25"]),
                fmt(vals["tfidf"]),
                (fmt(vals["matcher"] / best, 2) + "x") if have_m and best > 0 else "-",
            ]
        )
    print(table(["slice", "needs", "matcher", "BM25", "TF-IDF char", "matcher/best baseline"], rows))
    out["quality"] = q["table"]
    out["per_need"] = {
        n["id"]: {"text": n["text"], **{k: round(v[n["id"]], 4) for k, v in q["per_need"].items()}} for n in needs
    }
    goals: list[tuple[str, str, bool]] = []
    if have_m:
        goals += _quality_goals(q)
    for k, errs in q["errors"].items():
        print(f"!! {k}: {len(errs)} error(s); first: {errs[0].strip().splitlines()[-1]}")
    out["quality_errors"] = q["errors"]
    return goals


def _quality_goals(q: dict) -> list[tuple[str, str, bool]]:
    """The matcher's quality goals (overall, cross-language, against the better baseline), printed on one line."""
    t = q["table"]
    best = max(t["overall"]["bm25"], t["overall"]["tfidf"])
    goals = [
        ("nDCG@10 overall >= 0.85", fmt(t["overall"]["matcher"]), t["overall"]["matcher"] >= 0.85),
        (
            "nDCG@10 en->ja-only >= 0.80",
            fmt(t["en -> ja-only profiles"]["matcher"]),
            t["en -> ja-only profiles"]["matcher"] >= 0.80,
        ),
        (
            "matcher / better baseline >= 1.5x",
            f"{t['overall']['matcher'] / best:.2f}x",
            t["overall"]["matcher"] / best >= 1.5,
        ),
    ]
    ratio = t["overall"]["matcher"] / best
    print(
        f"goals: overall {fmt(t['overall']['matcher'])} >= {GOALS['ndcg_overall']} "
        f"{ok(t['overall']['matcher'] >= GOALS['ndcg_overall'])} | "
        f"en->ja {fmt(t['en -> ja-only profiles']['matcher'])} >= {GOALS['ndcg_xlang']} "
        f"{ok(t['en -> ja-only profiles']['matcher'] >= GOALS['ndcg_xlang'])} | "
        f"vs better baseline {ratio:.2f}x >= {GOALS['ratio_vs_baseline']}x "
        f"{ok(ratio >= GOALS['ratio_vs_baseline'])}"
    )
    print(f"matcher index build on eval set: {q['systems']['matcher'].build_s:.2f} s")
    return goals


def _chains_section(q: dict, records, truth, chains, out: dict, goals: list) -> None:
    """Nakama-mawashi chains: each step's factory and the route against the optimum; appends the chains goal."""
    rows_c = chains_mod.evaluate(q["systems"]["matcher"].index, records, truth, chains)
    print("\n== Nakama-mawashi chains (each step by a truly capable factory; route <= 1.10x optimum) ==")
    tr = []
    for r in rows_c:
        if "error" in r:
            tr.append([r["id"], r["n"], "-", "-", fmt(r.get("opt_km"), 2), "-", "ERROR " + r["error"][:60]])
        else:
            tr.append(
                [
                    r["id"],
                    r["n"],
                    f"{r['steps_ok']}/{r['n']}",
                    fmt(r["km"], 2),
                    fmt(r["opt_km"], 2),
                    fmt(r["ratio"], 3),
                    ok(r["pass"]),
                ]
            )
    print(table(["chain", "steps", "steps ok", "route km", "optimum km", "ratio", "result"], tr))
    n_pass = sum(r.get("pass", False) for r in rows_c)
    steps_ok = sum(r.get("steps_ok", 0) for r in rows_c)
    steps_all = sum(r["n"] for r in rows_c)
    print(f"chains passed {n_pass}/{len(rows_c)}; steps correct {steps_ok}/{steps_all}")
    _print_failed_chains(rows_c, truth, chains)
    out["chains"] = rows_c
    goals.append(
        ("chains: all steps truly capable, route <= 1.10x opt", f"{n_pass}/{len(rows_c)}", n_pass == len(rows_c))
    )


def _print_failed_chains(rows_c: list[dict], truth, chains) -> None:
    """For each failed chain (not an error), the steps given to a factory that cannot do them."""
    for r in rows_c:
        if not r.get("pass") and "error" not in r:
            acc_sets = next(c["truth"] for c in chains if c["id"] == r["id"])
            bad = [
                f"{s!r}->{c}:{f}"
                for s, c, f, acc in zip(r["steps"], r["resolved"], r["assigned"], acc_sets, strict=False)
                if f is None or int(f) not in chains_mod.truth_ids(truth, acc)
            ]
            print(
                f"  {r['id']} {r['steps']}: wrong/missing steps {bad}; reported total_km {fmt(r['reported_km'], 2)}"
            )


def _speed_section(a: argparse.Namespace, out: dict, goals: list) -> None:
    """Speed and memory on synthetic corpora, one subprocess per size; appends the speed goals."""
    sizes = (
        [int(s) for s in a.sizes.split(",")] if a.sizes else ([1000, 10000] if a.quick else [1000, 10000, 100000])
    )
    print(
        f"\n== Speed and memory (synthetic corpora, one subprocess per size, {a.queries} queries x2, "
        "interleaved) =="
    )
    sp = run_speed(sizes, a.queries)
    _print_speed_table(sp)
    big = [r for r in sp if r.get("size") == 100000 and "error" not in r]
    ratios = [r["median_ratio"] for r in sp if "error" not in r]
    if ratios:
        print(
            f"goal median latency <= {GOALS['latency_ratio']}x TF-IDF: worst {max(ratios):.2f}x "
            f"{ok(max(ratios) <= GOALS['latency_ratio'])}"
        )
    if big:
        b = big[0]
        print(
            f"goal 100k build < {GOALS['build_100k_s']:.0f} s: {b['build_s']:.1f} s "
            f"{ok(b['build_s'] < GOALS['build_100k_s'])} | 100k peak RSS < 1 GB: "
            f"{b['peak_rss_build_mb']:.0f} MB {ok(b['peak_rss_build_mb'] < GOALS['mem_100k_mb'])}"
        )
    out["speed"] = sp
    if ratios:
        goals.append(("median latency <= 1.5x TF-IDF (all sizes)", f"worst {max(ratios):.2f}x", max(ratios) <= 1.5))
    if big:
        goals.append(("100k index build < 60 s", f"{big[0]['build_s']:.1f} s", big[0]["build_s"] < 60))
        goals.append(
            ("100k peak RSS < 1 GB", f"{big[0]['peak_rss_build_mb']:.0f} MB", big[0]["peak_rss_build_mb"] < 1024)
        )


def _print_speed_table(sp: list[dict]) -> None:
    """The speed table: build and fit times, latencies against TF-IDF, peak memory, one row per size."""
    rows_s = []
    for r in sp:
        if "error" in r:
            rows_s.append([r["size"], "ERROR: " + " | ".join(r["error"])[:100]] + ["-"] * 8)
            continue
        rows_s.append(
            [
                f"{r['size']:,}",
                fmt(r["build_s"], 2),
                fmt(r["tfidf_build_s"], 2),
                fmt(r["matcher_median_ms"], 2),
                fmt(r["matcher_p95_ms"], 2),
                fmt(r["tfidf_median_ms"], 2),
                fmt(r["tfidf_p95_ms"], 2),
                fmt(r["median_ratio"], 2) + "x",
                fmt(r["p95_ratio"], 2) + "x",
                f"{r['peak_rss_build_mb']:.0f} (+{r['peak_rss_build_mb'] - r['rss_before_build_mb']:.0f})",
            ]
        )
    print(
        table(
            [
                "factories",
                "build s",
                "tfidf fit s",
                "match med ms",
                "match p95 ms",
                "tfidf med ms",
                "tfidf p95 ms",
                "median ratio",
                "p95 ratio",
                "peak RSS MB (+build)",
            ],
            rows_s,
        )
    )
    print(
        "peak RSS = process high-water mark after index build (corpus + index); '+build' = growth during "
        "MatchIndex.build"
    )


def _import_section(a: argparse.Namespace, out: dict, goals: list) -> None:
    """Import rows/s through the wired importer (or a note that none is); appends the import goal."""
    print("\n== Import rows/s ==")
    if a.import_callable:
        from bench import import_speed

        r = import_speed.measure(import_speed.resolve(a.import_callable), a.import_rows, a.import_format)
        print(
            f"{r['rows']} rows ({r['format']}) in {r['seconds']:.1f} s = {r['rows_per_s']:.0f} rows/s "
            f"(goal >= {GOALS['import_rows_s']:.0f}) {ok(r['rows_per_s'] >= GOALS['import_rows_s'])}"
        )
        out["import"] = r
        goals.append(("import >= 1,000 rows/s", f"{r['rows_per_s']:.0f} rows/s", r["rows_per_s"] >= 1000))
    else:
        print("skipped: no importer wired. Pass --import-callable module:function (see bench/import_speed.py).")


def _worst_section(worst: int, q: dict, records, truth, needs, out: dict) -> None:
    """The matcher's worst needs, each with what it understood, what it returned and what it should have."""
    print(f"\n== {worst} worst needs for the matcher (grade of each returned factory in brackets) ==")
    ws = quality.worst_needs(q, records, truth, needs, worst)
    for w in ws:
        print(
            f"\n{w['id']} [{w['lang']}{' x-lang' if w['xlang'] else ''}] nDCG {w['ndcg']:.3f} "
            f"(BM25 {w['bm25']:.3f}, TF-IDF {w['tfidf']:.3f})  {w['text']}"
        )
        print(f"  needs: {w['needed']} material={w['material']}")
        print(f"  understood: {w['understood'] or '(nothing)'} unresolved: {w['unresolved']}")
        for g in w["returned"]:
            print(f"  got   #{g['id']} [{g['grade']}] truth={g['truth']}  wrote: {g['wrote']}")
        for g in w["expected"]:
            print(f"  want  #{g['id']} [{g['grade']}] truth={g['truth']}  wrote: {g['wrote']}")
    out["worst"] = ws


def _goals_section(goals: list[tuple[str, str, bool]], out: dict, heading: str) -> None:
    """The goals table under the given heading, also kept in the JSON."""
    print(heading)
    print(table(["goal", "measured", "result"], [[g, m, ok(f)] for g, m, f in goals]))
    out["goals"] = [{"goal": g, "measured": m, "pass": f} for g, m, f in goals]


def _finish(a: argparse.Namespace, out: dict, t_start: float) -> None:
    """The elapsed time, and the details written to the --json path when one is given."""
    out["elapsed_s"] = time.perf_counter() - t_start
    print(f"\nelapsed {out['elapsed_s']:.0f} s")
    if a.json:
        p = Path(a.json)
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(json.dumps(out, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
        print(f"details: {p}")


def run_prose_only(a, records, truth, needs, t_start: float) -> int:
    """`--prose-only`: the list-style quality figures (unchanged code) and the prose section, nothing else."""
    print("Matching engine benchmark: prose-only evaluation (issue 9)")
    q = quality.evaluate(records, truth, needs)
    pr = prose.evaluate_all(worst=min(a.worst, 5))
    out: dict = {"quality": q["table"]}
    out["prose"], goals = prose.report(pr, q["table"], fmt, table)
    if goals:
        _goals_section(goals, out, "\n== Goals (prose) ==")
    _finish(a, out, t_start)
    return 0


if __name__ == "__main__":
    sys.exit(main())
