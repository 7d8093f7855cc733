"""Speed and memory at a given corpus size, run in a fresh subprocess per size so peak RSS is attributable.

python -m bench.speed --size 10000 [--queries 60]      -> one JSON line on stdout
"""

from __future__ import annotations

import argparse
import gc
import json
import resource
import statistics
import time

import numpy as np


def _rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize() / 2**20


def _maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _pct(xs, p):
    return float(np.percentile(np.asarray(xs), p))


def run(size: int, n_queries: int) -> dict:
    import matching  # noqa: F401  (import cost outside the measured build)
    from bench.common import doc_text, load_json, to_profile
    from bench.synth import synthetic_records

    out: dict = {"size": size}
    t0 = time.perf_counter()
    records = list(synthetic_records(size))
    profiles = [to_profile(r) for r in records]
    texts = [doc_text(r) for r in records]
    ids = [r["id"] for r in records]
    del records
    gc.collect()
    out["corpus_gen_s"] = time.perf_counter() - t0
    out["rss_before_build_mb"] = _rss_mb()
    out["maxrss_before_build_mb"] = _maxrss_mb()

    t0 = time.perf_counter()
    index = matching.MatchIndex.build(profiles)
    out["build_s"] = time.perf_counter() - t0
    out["rss_after_build_mb"] = _rss_mb()
    out["peak_rss_build_mb"] = _maxrss_mb()  # process high-water mark up to the end of the build

    needs = load_json("eval_needs.json")
    queries = [(n["text"], n["lang"]) for n in needs][:n_queries]
    for q, lang in queries[:3]:
        index.match(matching.NeedQuery(text=q), limit=10, lang=lang)
    out["peak_rss_after_queries_mb"] = _maxrss_mb()

    from bench.baselines import TfidfChar

    t0 = time.perf_counter()
    tf = TfidfChar(ids, texts)
    out["tfidf_build_s"] = time.perf_counter() - t0
    for q, _ in queries[:3]:
        tf.rank(q)

    m_lat, t_lat = [], []
    for _rep in range(2):  # interleaved, so drift on a noisy machine hits both equally
        for q, lang in queries:
            t0 = time.perf_counter()
            index.match(matching.NeedQuery(text=q), limit=10, lang=lang)
            m_lat.append((time.perf_counter() - t0) * 1000)
            t0 = time.perf_counter()
            tf.rank(q, 10)
            t_lat.append((time.perf_counter() - t0) * 1000)
    out.update(
        n_queries=len(m_lat),
        matcher_median_ms=statistics.median(m_lat),
        matcher_p95_ms=_pct(m_lat, 95),
        tfidf_median_ms=statistics.median(t_lat),
        tfidf_p95_ms=_pct(t_lat, 95),
    )
    out["median_ratio"] = out["matcher_median_ms"] / out["tfidf_median_ms"]
    out["p95_ratio"] = out["matcher_p95_ms"] / out["tfidf_p95_ms"]
    out["peak_rss_total_mb"] = _maxrss_mb()
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--size", type=int, required=True)
    ap.add_argument("--queries", type=int, default=60)
    a = ap.parse_args()
    print(json.dumps(run(a.size, a.queries)))


if __name__ == "__main__":
    main()
