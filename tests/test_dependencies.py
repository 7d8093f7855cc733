"""The allowed dependencies of docs/architecture.md, checked on the source (no import runs).

- Layers: ``hub/core`` (apart from its home-page view, ``routes.py``) imports no domain and not the API;
  ``hub/extensions.py`` and ``hub/config.py`` import no domain; ``hub/api`` uses domains only through their
  public modules. (``matching/`` importing neither Flask, SQLAlchemy nor the hub is checked in a subprocess by
  tests/matching/test_ranking.py.)
- Domains: a module of one domain imports another domain only if ``hub.domains.REGISTRY`` lets it
  (``Domain.uses``), only that domain's public modules (``hub.domains.PUBLIC_MODULES``), and no ``_private`` name.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from hub.domains import BY_NAME, DOMAINS, PUBLIC_MODULES

ROOT = Path(__file__).resolve().parent.parent
LAYERS = ("core", "api")  # below every domain (core) or beside them at the edge (api)
TOP_LEVEL_SHARED = ("extensions", "config", "domains")  # hub.<these> may be imported by anyone


def _imports(path: Path) -> list[tuple[int, str, str | None]]:
    """(line, module, name) for every import in the file, lazy ones inside functions included."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name, None) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found += [(node.lineno, node.module, alias.name) for alias in node.names]
    return found


def _target(module: str, name: str | None) -> tuple[str | None, str | None, str | None]:
    """(package under hub, its module, imported name) for an import of the hub ("" for ``from hub import x``
    of a top-level name); (None, …) for anything else."""
    parts = module.split(".")
    if parts[0] != "hub":
        return None, None, None
    if len(parts) == 1:  # from hub import domain_modules / from hub import deals
        return (name, None, None) if name in DOMAINS or name in LAYERS else ("", None, name)
    if len(parts) == 2:  # from hub.deals import services / import hub.deals
        return parts[1], name, None
    return parts[1], parts[2], name


def _where(path: Path, root: Path) -> tuple[str, str]:
    """(package under hub or "" for hub/*.py, module name) of a source file."""
    rel = path.relative_to(root / "hub").with_suffix("")
    return ("", rel.parts[0]) if len(rel.parts) == 1 else (rel.parts[0], rel.parts[-1])


def violations(root: Path = ROOT) -> list[str]:
    """Every import in root/hub that breaks the rules in the module docstring."""
    problems = []
    for path in sorted((root / "hub").rglob("*.py")):
        package, module = _where(path, root)
        for line, imported, name in _imports(path):
            target, target_module, target_name = _target(imported, name)
            if target is None or target == package or target in TOP_LEVEL_SHARED:
                continue
            place = f"{path.relative_to(root)}:{line} imports {imported}{'.' + name if name else ''}"
            if package == "" and module not in ("extensions", "config"):
                continue  # the app factory, its CLI and model list assemble every domain (the top)
            if package == "core" and module != "routes":
                problems.append(f"{place}: hub/core is the bottom layer")
            elif package in ("",) and module in ("extensions", "config") and target not in LAYERS:
                problems.append(f"{place}: {module}.py is below the domains")
            elif target in LAYERS or target not in DOMAINS:
                continue  # every domain and the API may use core; domains may add endpoints to the API
            elif target_module is None or target_module.startswith("_") or target_module not in PUBLIC_MODULES:
                problems.append(f"{place}: not a public module of {target} ({', '.join(PUBLIC_MODULES)})")
            elif target_name is not None and target_name.startswith("_"):
                problems.append(f"{place}: a private name of {target}")
            elif package in BY_NAME and package not in LAYERS and target not in BY_NAME[package].uses:
                problems.append(f"{place}: {package} may not use {target} (hub/domains: Domain.uses)")
    return problems


def test_the_hub_keeps_its_dependencies():
    assert violations() == []


def test_deals_and_matches_do_not_import_each_other_both_ways():
    """The matcher reads track records through hub.core.providers; only matches (team requests) uses deals."""
    assert "matches" not in BY_NAME["deals"].uses
    assert "deals" in BY_NAME["matches"].uses


def test_the_registry_allows_only_registered_domains():
    for domain in BY_NAME.values():
        assert set(domain.uses) <= set(DOMAINS) - {domain.name, *LAYERS}, domain.name


@pytest.mark.parametrize(("where", "source", "reason"), [
    ("deals/bad.py", "from hub.matches.services import fits_for_factory\n", "may not use matches"),
    ("core/bad.py", "def f():\n    from hub.deals import services\n", "bottom layer"),
    ("core/worse.py", "import hub.api.errors\n", "bottom layer"),
    ("succession/bad.py", "from hub.factories.routes import bp\n", "not a public module"),
    ("events/bad.py", "from hub.factories import importer, _helpers\n", "not a public module"),
    ("people/bad.py", "from hub.factories.services import _private\n", "private name"),
    ("extensions.py", "from hub.auth.models import User\n", "below the domains"),
])
def test_the_check_fails_on_a_violation(tmp_path, where, source, reason):
    """A temporary tree with one offending module: the check names it (and passes an allowed import)."""
    target = tmp_path / "hub" / where
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(source, encoding="utf-8")
    (tmp_path / "hub" / "deals").mkdir(exist_ok=True)
    (tmp_path / "hub" / "deals" / "good.py").write_text(
        "from hub.factories.access import user_factory_id\nfrom hub.core import providers\n", encoding="utf-8")
    found = violations(tmp_path)
    assert len(found) == 1 and reason in found[0] and where in found[0], found


def test_the_architecture_diagram_draws_the_registry():
    """docs/architecture.md's mermaid graph has exactly the edges of Domain.uses."""
    import re

    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    drawn = set(re.findall(r"^  (\w+) --> (\w+)$", text, re.MULTILINE))
    assert drawn == {(domain.name, used) for domain in BY_NAME.values() for used in domain.uses}
