"""The one registry of the hub's domains: the app factory, the Makefile's catalogue targets, the i18n and
dependency tests and docs/CONVENTIONS.md all read it (a test checks the docs list the same domains).

Each domain is a package ``hub/<name>/`` that plugs itself in (see docs/CONVENTIONS.md): ``routes.py`` (``bp``),
``api.py``, ``models.py``, ``cli.py``, ``kpis.py`` and an optional ``init_app(app)`` in its ``__init__.py``.
This module imports nothing from Flask so that ``python -m hub.domains`` answers quickly for the Makefile.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent  # the hub package


@dataclass(frozen=True)
class Domain:
    """What the rest of the hub needs to know about one domain."""

    name: str
    # Its Japanese strings live in hub/<name>/translations (else in the shared hub/translations catalogue).
    own_catalogue: bool = False
    # Its templates/<name>/_nav.html is included in the navbar.
    in_nav: bool = False
    # The other domains it may import (only their public modules: see PUBLIC_MODULES); "core" and "api" are
    # layers, not listed here. tests/test_dependencies.py enforces this and docs/architecture.md draws it.
    uses: tuple[str, ...] = ()


# In registration order: blueprints, API endpoints, CLI commands, models and KPIs are loaded in this order.
REGISTRY: tuple[Domain, ...] = (
    Domain("core"),
    Domain("auth", uses=("mail",)),
    Domain("factories", uses=("auth", "mail", "matches")),
    Domain("needs", uses=("auth", "factories", "matches")),
    Domain("mail", uses=("auth",)),
    Domain("matches", own_catalogue=True, in_nav=True, uses=("auth", "factories", "needs", "mail", "deals")),
    Domain("deals", own_catalogue=True, in_nav=True, uses=("auth", "factories", "needs", "mail")),
    Domain("quotes", own_catalogue=True, uses=("auth", "factories", "needs", "mail", "matches", "deals")),
    Domain("succession", own_catalogue=True, in_nav=True, uses=("auth", "factories", "mail")),
    Domain("events", own_catalogue=True, in_nav=True, uses=("auth", "factories", "mail", "matches")),
    Domain("people", own_catalogue=True, in_nav=True, uses=("auth", "factories", "mail")),
    Domain("dashboard", own_catalogue=True, in_nav=True, uses=("auth", "factories")),
    # Each role's home after sign-in: reads what waits for the user from the other domains' public services.
    Domain("home", own_catalogue=True, in_nav=True,
           uses=("auth", "factories", "needs", "matches", "deals", "succession", "events", "dashboard")),
)

DOMAINS: tuple[str, ...] = tuple(domain.name for domain in REGISTRY)
BY_NAME: dict[str, Domain] = {domain.name: domain for domain in REGISTRY}

# The modules of a domain that other domains may import; everything else (and every ``_private`` module) is the
# domain's own business.
PUBLIC_MODULES: tuple[str, ...] = ("services", "models", "access", "identity", "decorators", "forms", "signals",
                                   "labels", "importer")

# What the shared catalogue (hub/translations) is extracted from, besides the shared domains' own folders.
SHARED_SOURCES: tuple[str, ...] = ("hub/__init__.py", "hub/cli.py", "hub/api", "hub/templates/base.html",
                                   "hub/templates/_macros.html", "hub/templates/errors", "seeds")


def nav_domains() -> list[str]:
    """The domains whose navbar items are included, in order."""
    return [domain.name for domain in REGISTRY if domain.in_nav]


def catalogue_domains() -> list[str]:
    """The domains with their own catalogue (hub/<name>/translations)."""
    return [domain.name for domain in REGISTRY if domain.own_catalogue]


def shared_i18n_sources() -> list[str]:
    """Paths (relative to the repository) extracted into the shared catalogue."""
    shared = [domain.name for domain in REGISTRY if not domain.own_catalogue]
    paths = list(SHARED_SOURCES)
    for name in shared:
        paths.append(f"hub/{name}")
        if (ROOT / "templates" / name).is_dir():
            paths.append(f"hub/templates/{name}")
    return paths


def translation_dirs() -> list[str]:
    """The shared catalogue plus one per domain that has its own, relative to the hub package."""
    return ["translations"] + [f"{name}/translations" for name in catalogue_domains()
                               if (ROOT / name / "translations").is_dir()]


def main(argv: list[str]) -> int:
    """``python -m hub.domains --shared-i18n-sources | --i18n-domains | --names | --write-pots`` (Makefile)."""
    def write_templates() -> list[str]:
        from hub.domains.catalogues import write_templates

        return [str(path.relative_to(ROOT.parent)) for path in write_templates()]

    answers = {"--shared-i18n-sources": shared_i18n_sources, "--i18n-domains": catalogue_domains,
               "--names": lambda: list(DOMAINS), "--write-pots": write_templates}
    if len(argv) != 1 or argv[0] not in answers:
        print(f"usage: python -m hub.domains {' | '.join(answers)}", file=sys.stderr)
        return 2
    print(" ".join(answers[argv[0]]()))
    return 0
