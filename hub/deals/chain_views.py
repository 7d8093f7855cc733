"""Pages of the chain composer (issue 12): a plan becomes a draft, the requester says what each step asks and may
swap a factory for one of the planner's candidates, reviews, and sends; a declined step goes to the next candidate.

Registered on the deals blueprint (imported at the end of :mod:`hub.deals.routes`)."""

from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from hub.auth.decorators import roles_required
from hub.core.i18n import request_locale
from hub.core.params import int_or_none, is_index
from hub.deals import services
from hub.deals.chain_forms import ComposeForm, RerouteForm, StepRequestForm
from hub.deals.chain_labels import step_label, step_of
from hub.deals.chain_models import ChainDraft
from hub.deals.routes import _back, _deal_or_404, _step_or_404, bp, inquiry_limit
from hub.extensions import db
from hub.mail.services import commit_and_deliver
from hub.needs.models import Need

MAX_FORM_STEP = 999  # steps-N-… keys read from a plan: N below this, at most MAX_STEPS of them


@bp.app_template_global("deals_step_label")
def _step_label(position, total, process=None, input_text=None) -> str:
    return step_label(position, total, process, input_text)


@bp.app_template_global("deals_step_of")
def _step_of(deal, step) -> str:
    return step_of(deal, step)


@bp.app_template_global("deals_step_visible")
def _step_visible(deal, step) -> bool:
    return services.step_details_visible(current_user, deal, step)


@bp.app_template_global("deals_unsent_drafts")
def _unsent_drafts() -> list:
    return services.unsent_drafts(current_user)


@bp.app_template_global("deals_step_reroutable")
def _step_reroutable(step) -> bool:
    return services.reroutable(step)


@bp.app_template_global("deals_next_candidates")
def _next_candidates(step) -> list:
    return services.next_candidates(current_user, step) if services.reroutable(step) else []


# --- from a plan to a draft -----------------------------------------------------------------------------------------

def _ids(raw: str) -> list[int]:
    return [i for i in (int_or_none(part) for part in (raw or "").split(",")[:12]) if i]


def _plan_from_form() -> list[services.PlannedStep]:
    """steps-N-process / -factory / -input / -candidates (comma-separated ids), in N order."""
    numbers = sorted({int(key.split("-")[1]) for key in request.form
                      if key.startswith("steps-") and key.count("-") == 2 and is_index(key.split("-")[1])
                      and int(key.split("-")[1]) < MAX_FORM_STEP})
    if len(numbers) > services.MAX_STEPS:
        raise services.DealError(_("A plan can have at most %(n)s steps.", n=services.MAX_STEPS), 400, "steps")
    return [services.PlannedStep(
        process=(request.form.get(f"steps-{n}-process") or "").strip()[:60] or None,
        input=(request.form.get(f"steps-{n}-input") or "").strip()[:200],
        factory_id=int_or_none(request.form.get(f"steps-{n}-factory", "")),
        candidates=_ids(request.form.get(f"steps-{n}-candidates", ""))) for n in numbers]


@bp.route("/chains", methods=["POST"])
@roles_required("seeker", "factory", "organiser")
def new_chain():
    """A chain plan (from the planner) becomes a draft request for its requester to compose; nothing is sent yet."""
    need = None
    need_raw = request.form.get("need", "")
    if need_raw:
        need_id = int_or_none(need_raw)
        need = db.session.get(Need, need_id) if need_id else None
        if need is None or not services.can_ask_about(current_user, need):
            abort(404)
    try:
        draft = services.start_draft(current_user, _plan_from_form(), need=need)
    except services.NotAllowed:
        abort(403)
    except services.DealError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
        return redirect(url_for("deals.inbox"))
    db.session.commit()
    return redirect(url_for("deals.chain_compose", draft_id=draft.id))


# --- composing ------------------------------------------------------------------------------------------------------

def _draft_or_404(draft_id: int) -> ChainDraft:
    draft = services.load_draft(current_user, draft_id)
    if draft is None:
        abort(404)
    return draft


def _step_forms(draft: ChainDraft, factories: dict, formdata=None) -> list[StepRequestForm]:
    """One form per step, bound to the posted data, else filled from the draft; factory choices = candidates."""
    forms = []
    for index, row in enumerate(draft.steps):
        data = None
        if formdata is None:
            due = row.get("due_date")
            data = {"factory": str(row.get("factory_id") or ""), "quantity": row.get("quantity"),
                    "due_date": date.fromisoformat(due) if due else None, "material": row.get("material") or "",
                    "note": row.get("note") or ""}
        form = StepRequestForm(formdata, prefix=f"steps-{index}-", data=data)
        locale = request_locale()
        form.factory.choices = [(str(c), factories[c].display_name(locale)) for c in row.get("candidates") or []
                                if c in factories] + [("", _("Do not send this step"))]
        forms.append(form)
    return forms


def _requests(forms: list[StepRequestForm]) -> list[services.StepRequest]:
    return [services.StepRequest(factory_id=int_or_none(f.factory.data or ""), quantity=f.quantity.data,
                                 due_date=f.due_date.data, material=f.material.data or "", note=f.note.data or "")
            for f in forms]


def _keep_uploads(draft: ChainDraft, forms: list[StepRequestForm]) -> bool:
    """Store each step's new drawings now (so they survive an error elsewhere on the form), and drop the ones
    the requester ticked for removal; False when a file was refused (the reason is under its field)."""
    removed = {int_or_none(v) for v in request.form.getlist("remove_file")[:50]}
    for file_id in [f.id for f in draft.files if f.id in removed]:
        services.remove_draft_file(current_user, draft, file_id)
    ok = True
    for index, form in enumerate(forms):
        files = request.files.getlist(f"steps-{index}-drawing")
        try:
            services.add_draft_files(current_user, draft, index, files)
        except services.DealError as exc:
            form.drawing.errors = [exc.message]
            ok = False
    return ok


@bp.route("/chains/drafts/<int:draft_id>", methods=["GET", "POST"])
@login_required
def chain_compose(draft_id: int):
    """The requester says what each step asks (factory among the candidates, quantity, deadline, material,
    drawings, note); errors keep everything typed and every drawing already uploaded."""
    draft = _draft_or_404(draft_id)
    if draft.deal_id is not None:
        return redirect(url_for("deals.detail", deal_id=draft.deal_id))
    factories = services.draft_factories(draft)
    form = ComposeForm()
    if request.method == "GET":
        form.phone.data = draft.phone
    forms = _step_forms(draft, factories, request.form if request.method == "POST" else None)
    chosen = draft.need_drawings
    form_ok = form.validate_on_submit()
    if request.method == "POST" and "csrf_token" not in form.errors:
        chosen = [i for i in (int_or_none(v) for v in request.form.getlist("need_drawing")[:50]) if i]
        steps_ok = all([f.validate() for f in forms])  # every form, so that every error shows
        uploads_ok = _keep_uploads(draft, forms)  # after validate(), which would clear a refused file's reason
        if form_ok and steps_ok and uploads_ok:
            try:
                services.update_draft(current_user, draft, _requests(forms), phone=form.phone.data,
                                      need_drawings=chosen)
            except services.DealError as exc:
                db.session.rollback()
                flash(exc.message, "danger")
            else:
                db.session.commit()
                return redirect(url_for("deals.chain_review", draft_id=draft.id))
        else:
            db.session.commit()  # the drawings that were accepted stay with the draft
            flash(_("Please correct the marked fields. Everything you typed is kept."), "danger")
    return render_template("deals/chain_compose.html", draft=draft, form=form, step_forms=forms,
                           factories=factories, chosen_drawings=set(chosen))


@bp.route("/chains/drafts/<int:draft_id>/review")
@login_required
def chain_review(draft_id: int):
    """Everything each factory will be asked, before anything is sent."""
    draft = _draft_or_404(draft_id)
    if draft.deal_id is not None:
        return redirect(url_for("deals.detail", deal_id=draft.deal_id))
    return render_template("deals/chain_review.html", draft=draft, factories=services.draft_factories(draft),
                           problems=services.draft_problems(draft), form=ComposeForm(),
                           today=date.today().isoformat())


@bp.route("/chains/drafts/<int:draft_id>/send", methods=["POST"])
@login_required
@inquiry_limit
def chain_send(draft_id: int):
    """Send the reviewed draft: one chain deal, one request per step."""
    draft = _draft_or_404(draft_id)
    if not ComposeForm().validate_on_submit():
        abort(400)
    try:
        deal = services.send_draft(current_user, draft)
    except services.NotAllowed:
        abort(403)
    except services.DealError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
        if draft.deal_id is not None:
            return redirect(url_for("deals.detail", deal_id=draft.deal_id))
        return redirect(url_for("deals.chain_review", draft_id=draft_id))
    commit_and_deliver()
    flash(_("%(n)s requests have been sent.", n=len(deal.steps)), "success")
    return redirect(url_for("deals.detail", deal_id=deal.id))


# --- a declined step goes to the next candidate ---------------------------------------------------------------------

@bp.route("/<int:deal_id>/steps/<int:step_id>/reroute", methods=["POST"])
@login_required
@inquiry_limit
def reroute_step(deal_id: int, step_id: int):
    """The requester sends a declined step's request to the next candidate (or the one chosen); only this step."""
    deal = _deal_or_404(deal_id)
    step = _step_or_404(deal, step_id)
    form = RerouteForm()
    if not form.validate_on_submit():
        abort(400)
    if not services.is_requester_side(current_user, deal):
        abort(403)
    try:
        new = services.reroute(current_user, step, int_or_none(form.factory.data or ""))
    except services.NotAllowed:
        abort(403)
    except services.DealError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
        return _back(deal, "#steps")
    name = new.factory.name
    commit_and_deliver()
    flash(_("The request for this step has been sent to %(factory)s.", factory=name), "success")
    return _back(deal, "#steps")
