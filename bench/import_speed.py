"""Import throughput hook (rows/s), to be wired to the hub's importer by the lead.

The hub's importer lives outside ``bench/``; this module only prepares a file in the contract's import format
(``shared/design/CONTRACTS.md``: a JSON list of records, or CSV with ``;``-separated list fields) and times a
callable that imports it. Wire it from ``bench/run.py`` with ``--import-callable module:function``;
the function receives the file path (``pathlib.Path``) and must import it completely before returning
(e.g. call the Flask CLI command ``import-factories`` via ``app.test_cli_runner()``
against a throw-away database).

    python -m bench --import-callable hub.bench_hooks:import_file
"""

from __future__ import annotations

import csv
import importlib
import json
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.synth import synthetic_records

FIELDS = [
    "external_id",
    "name",
    "name_en",
    "ward",
    "lat",
    "lon",
    "description",
    "processes",
    "materials",
    "equipment",
    "employees",
    "founded",
]


def write_import_file(n: int, fmt: str, directory: Path) -> Path:
    rows = []
    for r in synthetic_records(n, seed=11):
        rows.append({k: r.get(k) for k in FIELDS if r.get(k) is not None})
    path = directory / f"factories_{n}.{fmt}"
    if fmt == "json":
        path.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    else:
        with path.open("w", encoding="utf-8", newline="") as f:
            w = csv.DictWriter(f, fieldnames=FIELDS)
            w.writeheader()
            for row in rows:
                w.writerow({k: ";".join(v) if isinstance(v, list) else v for k, v in row.items()})
    return path


def measure(importer: Callable[[Path], Any], n: int = 10_000, fmt: str = "json") -> dict:
    """Write ``n`` synthetic contract records to a temp file and time ``importer(path)``. Returns rows/s."""
    with tempfile.TemporaryDirectory() as d:
        path = write_import_file(n, fmt, Path(d))
        t0 = time.perf_counter()
        result = importer(path)
        dt = time.perf_counter() - t0
    # An importer that sets up its own throw-away database reports the import's own time separately.
    if isinstance(result, dict) and "import_seconds" in result:
        dt = result["import_seconds"]
    return {"rows": n, "format": fmt, "seconds": dt, "rows_per_s": n / dt if dt > 0 else float("inf")}


def resolve(spec: str) -> Callable[[Path], Any]:
    mod, _, fn = spec.partition(":")
    return getattr(importlib.import_module(mod), fn)
