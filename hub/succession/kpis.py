"""The succession indicator for the organiser KPIs: plans completed through push-style support in a year."""

from __future__ import annotations

from hub.succession.outreach import plans_completed


def indicators(year: int) -> dict[str, int]:
    """{"succession_plans": outreach records whose plan was completed in ``year``}."""
    return {"succession_plans": plans_completed(year)}
