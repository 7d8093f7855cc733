"""Browser tests: a real gunicorn-free live server (werkzeug in a thread) and the system Chromium via Playwright.

They use their own SQLite database with real commits, because the browser and the server are separate clients.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from hub import create_app
from hub.extensions import db
from tests.conftest import make_config, reset_schema

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).resolve().parent
    for item in items:
        if Path(str(item.fspath)).resolve().is_relative_to(here):
            item.add_marker(pytest.mark.browser)
    if not Path(CHROMIUM).exists():
        if os.environ.get("HUB_REQUIRE_BROWSER"):
            return  # the tests will fail loudly at launch
        skip = pytest.mark.skip(reason=f"{CHROMIUM} is not installed (CI installs it; run make test-browser)")
        for item in items:
            if "browser" in item.keywords:
                item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS, "headless": True}


@pytest.fixture(scope="session")
def live_server_app(tmp_root):
    # Always a SQLite file of their own: the journeys commit for real and must not leave rows in the database the
    # rest of the suite uses (the suite's PostgreSQL runs cover the data layer).
    database = f"sqlite:///{tmp_root / 'browser.sqlite3'}"
    app = create_app(make_config(tmp_root, SQLALCHEMY_DATABASE_URI=database, SERVER_NAME=None,
                                 UPLOAD_FOLDER=str(tmp_root / "browser-uploads")))
    reset_schema(app)
    return app


@pytest.fixture(scope="session")
def live_server(live_server_app):
    server = make_server("127.0.0.1", 0, live_server_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    with live_server_app.app_context():
        db.engine.dispose()


@pytest.fixture
def screenshot_dir():
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
