"""The hub's real importer as the import-speed benchmark's callable: a fresh SQLite database per run,
schema from the migrations, then ``hub.factories.importer.import_file`` (what ``flask import-factories`` runs).

    python -m bench --import-callable bench.hub_import:import_file
    python -m bench.hub_import 100000     # rows/s and peak memory for one large file, in this process
"""

from __future__ import annotations

import resource
import sys
import tempfile
import time
from pathlib import Path


def import_file(path: Path) -> dict:
    """Import ``path`` into a throw-away database; returns the importer's counts."""
    from flask_migrate import upgrade

    from hub import create_app
    from hub.extensions import db
    from hub.factories.importer import import_file as hub_import

    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"TESTING": True, "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/b.db",
                          "UPLOAD_FOLDER": f"{tmp}/uploads"})
        with app.app_context():
            upgrade()
            started = time.perf_counter()
            report = hub_import(Path(path))
            seconds = time.perf_counter() - started
            db.engine.dispose()
    return {"created": report.created, "updated": report.updated, "rejected": report.rejected,
            "import_seconds": seconds}


def main(argv: list[str]) -> None:
    from bench.import_speed import write_import_file

    rows = int(argv[0]) if argv else 100_000
    fmt = argv[1] if len(argv) > 1 else "json"
    with tempfile.TemporaryDirectory() as tmp:
        path = write_import_file(rows, fmt, Path(tmp))
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        counts = import_file(path)
        seconds = counts.pop("import_seconds")
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"import {rows} rows ({fmt}): {seconds:.1f} s, {rows / seconds:,.0f} rows/s (app start-up and "
          f"migrations not counted), peak RSS {peak / 1024:.0f} MB (before {before / 1024:.0f} MB), {counts}")


if __name__ == "__main__":
    main(sys.argv[1:])
