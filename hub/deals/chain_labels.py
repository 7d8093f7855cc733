"""How a chain deal's events name their step ("Step 2 of 3 (heat treatment)"), in the reader's language: the
timeline, the notifications and the emails use the same words."""

from __future__ import annotations

from flask_babel import gettext as _

from hub.core.labels import capability_label


def step_label(position, total, process: str | None = None, input_text: str | None = None) -> str:
    """'Step 2 of 3 (Heat treatment)'; without a known process, the requester's own words for the step."""
    what = capability_label(process) if process else (input_text or "")
    if not position:
        return ""
    if what:
        return _("Step %(n)s of %(total)s (%(what)s)", n=position, total=total or position, what=what)
    return _("Step %(n)s of %(total)s", n=position, total=total or position)


def step_of(deal, step) -> str:
    """The label of ``step`` in a chain deal, or "" for a one-step inquiry."""
    if deal is None or step is None or deal.kind != "chain":
        return ""
    total = max((s.position for s in deal.steps), default=step.position)
    return step_label(step.position, total, step.process_code, step.input_text)


def step_of_params(params: dict | None) -> str:
    """The label stored with a notification (``step``, ``steps_total``, ``process``, ``input``), or ""."""
    params = params or {}
    if not isinstance(params.get("step"), int):
        return ""
    return step_label(params["step"], params.get("steps_total"), params.get("process") or None, params.get("input"))
