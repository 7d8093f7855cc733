"""Chain requests people can send (issue 12): the composer's drafts, sending them as one chain deal with one
request per step, re-routing a declined step to the next candidate, and who sees which step's request.

A plan (from the chain planner, or a team proposed for a need) becomes a :class:`ChainDraft` that only its
requester sees. Per step the requester keeps or swaps the factory among the planner's candidates and says what is
asked — quantity, deadline, material, drawings, a note — then reviews and sends. Services flush, never commit.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select

from hub.auth.models import User
from hub.core import uploads
from hub.core.actors import is_signed_in
from hub.core.timeutil import utcnow
from hub.deals.chain_models import ChainDraft, ChainDraftFile
from hub.deals.inquiries import ChainStep, can_ask_about, check_not_blocked_by_factory, create_chain
from hub.deals.models import (
    ACTIVE_STEP_STATUSES,
    Deal,
    DealAttachment,
    DealStatus,
    DealStep,
    StepStatus,
)
from hub.deals.notifications import notify_factory
from hub.deals.rules import (
    MAX_ATTACHMENTS_PER_MESSAGE,
    MAX_STEPS,
    DealError,
    NotAllowed,
    add_event,
    has_report,
    is_requester_side,
    my_steps,
    touch,
)
from hub.extensions import db
from hub.factories.access import user_factory_id
from hub.factories.models import Factory
from hub.needs.models import Need

MAX_CANDIDATES = 6  # the chosen factory and up to five others per step
MAX_NOTE = 5000
MAX_MATERIAL = 200
MAX_QUANTITY = 10_000_000
REROUTABLE = (StepStatus.DECLINED, StepStatus.WITHDRAWN)


@dataclass
class PlannedStep:
    """One step of a plan as the planner (or a proposed team) gives it."""

    process: str | None
    input: str
    factory_id: int | None
    candidates: list[int] = field(default_factory=list)  # other factories for the step, best first


@dataclass
class StepRequest:
    """What the requester asks of one step, checked (the composer's form or the API)."""

    factory_id: int | None
    quantity: int | None = None
    due_date: date | None = None
    material: str = ""
    note: str = ""


# --- drafts ----------------------------------------------------------------------------------------------------------

def _may_compose(actor: User | None) -> None:
    if not is_signed_in(actor) or actor.role not in ("seeker", "factory", "organiser"):
        raise NotAllowed()


def _published(ids) -> dict[int, Factory]:
    ids = [i for i in dict.fromkeys(ids) if isinstance(i, int)]
    if not ids:
        return {}
    return {f.id: f for f in db.session.scalars(select(Factory).where(Factory.id.in_(ids), Factory.is_public))}


def start_draft(actor: User, steps: list[PlannedStep], *, need: Need | None = None) -> ChainDraft:
    """A new draft from a plan, prefilled from the need when the plan came from one (quantity, deadline,
    materials). Unknown or unpublished factories are dropped; a step nobody can do stays, unsent."""
    _may_compose(actor)
    if need is not None and not can_ask_about(actor, need):
        raise NotAllowed(_("You can only send inquiries about your own needs."))
    if not steps:
        raise DealError(_("The plan has no steps."), 400, "steps")
    if len(steps) > MAX_STEPS:
        raise DealError(_("A plan can have at most %(n)s steps.", n=MAX_STEPS), 400, "steps")
    from matching import Taxonomy

    known = Taxonomy.default().processes
    factories = _published([s.factory_id for s in steps] + [c for s in steps for c in s.candidates])
    rows = []
    for step in steps:
        if step.process is not None and step.process not in known:
            raise DealError(_("Unknown process."), 400, "process")
        chosen = step.factory_id if step.factory_id in factories else None
        candidates = [c for c in dict.fromkeys([chosen, *step.candidates]) if c in factories][:MAX_CANDIDATES]
        rows.append({
            "process": step.process, "input": (step.input or "")[:200], "factory_id": chosen or
            (candidates[0] if candidates else None), "candidates": candidates,
            "quantity": need.quantity if need else None,
            "due_date": need.deadline.isoformat() if need and need.deadline and need.deadline >= date.today()
            else None,
            "material": "、".join(need.materials)[:MAX_MATERIAL] if need and need.materials else "",
            "note": ""})
    draft = ChainDraft(requester_id=actor.id, need_id=need.id if need else None, need=need, steps=rows,
                       need_drawings=[a.id for a in need.attachments] if need else [])
    db.session.add(draft)
    db.session.flush()
    return draft


def load_draft(actor: User | None, draft_id: int) -> ChainDraft | None:
    """The draft, for its requester only (None for everyone else, and once it was sent)."""
    draft = db.session.get(ChainDraft, draft_id)
    if draft is None or not is_signed_in(actor) or draft.requester_id != actor.id:
        return None
    return draft


def unsent_drafts(actor: User | None, limit: int = 10) -> list[ChainDraft]:
    """The chain requests this person started and has not sent yet, newest first."""
    if not is_signed_in(actor):
        return []
    return list(db.session.scalars(select(ChainDraft).where(
        ChainDraft.requester_id == actor.id, ChainDraft.deal_id.is_(None))
        .order_by(ChainDraft.updated_at.desc(), ChainDraft.id.desc()).limit(limit)))


def draft_factories(draft: ChainDraft) -> dict[int, Factory]:
    """Every published factory the draft names (chosen or candidate), in one query."""
    return _published([c for s in draft.steps for c in s.get("candidates") or []])


def update_draft(actor: User, draft: ChainDraft, requests: list[StepRequest], *, phone: str | None,
                 need_drawings: list[int]) -> ChainDraft:
    """Save what the requester asks of each step; a factory must be one of the step's candidates."""
    if draft.requester_id != actor.id or draft.deal_id is not None:
        raise NotAllowed()
    if len(requests) != len(draft.steps):
        raise DealError(_("The plan changed: please compose it again."), 400, "steps")
    steps = []
    for row, ask in zip(draft.steps, requests, strict=True):
        if ask.factory_id is not None and ask.factory_id not in (row.get("candidates") or []):
            raise DealError(_("Please choose one of the factories offered for this step."), 400, "factory")
        steps.append({**row, "factory_id": ask.factory_id, "quantity": ask.quantity,
                      "due_date": ask.due_date.isoformat() if ask.due_date else None,
                      "material": (ask.material or "").strip()[:MAX_MATERIAL],
                      "note": (ask.note or "").strip()[:MAX_NOTE]})
    draft.steps = steps  # a new list, so the JSON column is written
    draft.phone = (phone or "").strip()[:40] or None
    owned = {a.id for a in draft.need.attachments} if draft.need is not None else set()
    draft.need_drawings = [i for i in dict.fromkeys(need_drawings) if i in owned]
    draft.updated_at = utcnow()
    db.session.flush()
    return draft


def add_draft_files(actor: User, draft: ChainDraft, index: int, files) -> list[ChainDraftFile]:
    """Keep drawings uploaded for step ``index`` (checked by content and size; all or nothing)."""
    if draft.requester_id != actor.id or draft.deal_id is not None or not 0 <= index < len(draft.steps):
        raise NotAllowed()
    files = [f for f in files if f is not None and getattr(f, "filename", None)]
    if len(draft.files_of(index)) + len(files) > MAX_ATTACHMENTS_PER_MESSAGE:
        raise DealError(_("At most %(n)s files per message.", n=MAX_ATTACHMENTS_PER_MESSAGE), 400, "drawing")
    try:
        stored = uploads.save_attachments(files)
    except uploads.UploadError as exc:
        raise DealError(str(exc), 400, "drawing") from None
    rows = [ChainDraftFile(step_index=index, **ChainDraftFile.stored_columns(s)) for s in stored]
    draft.files.extend(rows)
    db.session.flush()
    return rows


def remove_draft_file(actor: User, draft: ChainDraft, file_id: int) -> None:
    """Drop a drawing from the draft (and its stored file)."""
    if draft.requester_id != actor.id or draft.deal_id is not None:
        raise NotAllowed()
    row = next((f for f in draft.files if f.id == file_id), None)
    if row is None:
        raise DealError(_("No such file."), 404, "drawing")
    row.remove_file()
    draft.files.remove(row)
    db.session.flush()


def draft_problems(draft: ChainDraft) -> list[str]:
    """Why the draft cannot be sent as it is (shown on the review page), or an empty list."""
    problems = []
    if not any(s.get("factory_id") for s in draft.steps):
        problems.append(_("Choose a factory for at least one step."))
    today = date.today().isoformat()
    if any(s.get("due_date") and s["due_date"] < today for s in draft.steps if s.get("factory_id")):
        problems.append(_("The date is in the past."))
    return problems


def send_draft(actor: User, draft: ChainDraft) -> Deal:
    """Send the draft: one chain deal, one request per step with a factory, each with what was asked of it and
    its drawings; the need's chosen drawings are shared in the deal's thread."""
    if draft.requester_id != actor.id:
        raise NotAllowed()
    if draft.deal_id is not None:
        raise DealError(_("This request has already been sent."), 409)
    problems = draft_problems(draft)
    if problems:
        raise DealError(problems[0], 400, "steps")
    factories = draft_factories(draft)
    chain = []
    for index, row in enumerate(draft.steps):
        if not row.get("factory_id"):
            continue
        due = date.fromisoformat(row["due_date"]) if row.get("due_date") else None
        chain.append(ChainStep(row.get("process"), factories.get(row["factory_id"]), row.get("input") or "",
                               quantity=row.get("quantity"), due_date=due, material=row.get("material") or "",
                               note=row.get("note") or "", candidates=list(row.get("candidates") or []),
                               drawings=draft.files_of(index)))
    deal = create_chain(actor, chain, need=draft.need, phone=draft.phone)
    sent = set(db.session.scalars(select(DealAttachment.stored_name).where(DealAttachment.deal_id == deal.id)))
    for row in list(draft.files):
        if row.stored_name not in sent:
            row.remove_file()  # a step that was not sent (the requester's own factory does it)
        draft.files.remove(row)
    _share_need_drawings(actor, draft, deal)
    draft.deal_id, draft.updated_at = deal.id, utcnow()
    db.session.flush()
    return deal


def _share_need_drawings(actor: User, draft: ChainDraft, deal: Deal) -> None:
    """The need's drawings the requester chose, posted once in the thread every factory of the chain reads."""
    if draft.need is None or not draft.need_drawings:
        return
    import io

    from werkzeug.datastructures import FileStorage

    from hub.deals.workspace import post_message

    files = []
    for attachment in draft.need.attachments:
        if attachment.id in draft.need_drawings and attachment.path.is_file():
            files.append(FileStorage(io.BytesIO(attachment.path.read_bytes()), filename=attachment.original_name,
                                     content_type=attachment.content_type))
    for start in range(0, len(files), MAX_ATTACHMENTS_PER_MESSAGE):
        post_message(actor, deal, _("Drawings of the need “%(title)s”", title=draft.need.title),
                     files[start:start + MAX_ATTACHMENTS_PER_MESSAGE])


# --- who sees a step's request ------------------------------------------------------------------------------------

def step_details_visible(user: User | None, deal: Deal, step: DealStep) -> bool:
    """What a step asks (quantity, deadline, material, note, drawings, a decline's reason): the requesting side, the
    factory asked for that step, and organisers reviewing a report. The other factories of the chain see the
    route only (each step's process, factory and status)."""
    if not is_signed_in(user):
        return False
    return is_requester_side(user, deal) or step in my_steps(user, deal) or (user.is_organiser and has_report(deal))


def can_open_step_drawing(user: User | None, step: DealStep) -> bool:
    """A drawing sent with a step: the requesting side, and the step's factory while its request is active."""
    if not is_signed_in(user):
        return False
    deal = step.deal
    if is_requester_side(user, deal) or (user.is_organiser and has_report(deal)):
        return True
    return step in my_steps(user, deal) and step.status in ACTIVE_STEP_STATUSES


# --- re-routing a declined step ------------------------------------------------------------------------------------

def next_candidates(user: User | None, step: DealStep) -> list[Factory]:
    """Factories the requester may ask instead, best first: the step's candidates not yet asked for this position,
    still published, not the requester's own factory."""
    deal = step.deal
    asked = {s.factory_id for s in deal.steps if s.position == step.position}
    own = user_factory_id(user) if is_signed_in(user) else None
    ids = [c for c in step.candidates or [] if isinstance(c, int) and c not in asked and c != own]
    found = _published(ids)
    return [found[i] for i in ids if i in found]


def reroutable(step: DealStep) -> bool:
    """A declined (or withdrawn) step whose position nobody else has taken yet, in an open deal."""
    deal = step.deal
    if deal.status != DealStatus.OPEN or step.status not in REROUTABLE:
        return False
    latest = max((s for s in deal.steps if s.position == step.position), key=lambda s: s.id)
    return latest.id == step.id


def reroute(actor: User, step: DealStep, factory_id: int | None = None) -> DealStep:
    """Send this step's request again, unchanged, to the next candidate (or the one chosen among them); the
    other steps are untouched. The declined request stays in the deal's history."""
    deal = step.deal
    if not is_requester_side(actor, deal):
        raise NotAllowed()
    if not reroutable(step):
        raise DealError(_("Only a declined or withdrawn step can be sent to another factory."), 409, "step")
    candidates = next_candidates(actor, step)
    if not candidates:
        raise DealError(_("There is no other candidate for this step: please search the directory."), 409,
                        "factory")
    factory = candidates[0] if factory_id is None else next((f for f in candidates if f.id == factory_id), None)
    if factory is None:
        raise DealError(_("Please choose one of the factories offered for this step."), 400, "factory")
    check_not_blocked_by_factory(actor, factory)
    new = DealStep(deal=deal, position=step.position, factory_id=factory.id, factory=factory,
                   process_code=step.process_code, input_text=step.input_text, message=step.message,
                   quantity=step.quantity, due_date=step.due_date, material=step.material,
                   candidates=list(step.candidates or []))
    db.session.add(new)
    db.session.flush()
    for drawing in step.drawings:
        _copy_drawing(deal, new, drawing, actor)
    touch(deal)
    add_event(deal, actor, f"reroute:{step.id}:{new.id}")
    db.session.flush()
    db.session.refresh(new, ["drawings"])
    notify_factory(deal, new, actor, steps=[new])
    return new


def _copy_drawing(deal: Deal, step: DealStep, drawing: DealAttachment, actor: User) -> None:
    """The declined step's drawing goes with the request to the next factory (a copy: stored names are unique)."""
    source = drawing.path
    if not source.is_file():
        return
    name = secrets.token_hex(16) + drawing.extension
    (uploads.folder("attachments") / name).write_bytes(source.read_bytes())
    db.session.add(DealAttachment(deal_id=deal.id, step_id=step.id, uploader_id=actor.id, stored_name=name,
                                  original_name=drawing.original_name, content_type=drawing.content_type,
                                  size_bytes=drawing.size_bytes))
