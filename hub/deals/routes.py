"""Pages of the deals domain: inbox, inquiries, the shared workspace, notifications, opportunities, reports."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from hub.auth.decorators import roles_required
from hub.core import providers
from hub.core.forms import flash_form_errors
from hub.core.i18n import request_locale
from hub.core.labels import capability_label
from hub.core.params import int_or_none, page_arg
from hub.deals import services
from hub.deals.chain_labels import step_of, step_of_params
from hub.deals.forms import (
    AnswerForm,
    CloseForm,
    EmptyForm,
    InquiryForm,
    MessageForm,
    PreferencesForm,
    RatingForm,
    ReportForm,
    ResolveForm,
    StepStatusForm,
    TargetForm,
)
from hub.deals.models import (
    NOTIFICATION_KINDS,
    Deal,
    DealAttachment,
    DealReport,
    DealStatus,
    DealStep,
    Notification,
    ReportStatus,
    StepStatus,
)
from hub.extensions import db, limiter
from hub.factories.access import user_factory_id
from hub.factories.models import Factory
from hub.mail.services import commit_and_deliver
from hub.needs.models import Need

bp = Blueprint("deals", __name__, url_prefix="/deals")


def _inquiry_limit() -> str:
    return current_app.config.get("RATELIMIT_DEALS_INQUIRY", "20 per hour")


def _limit_key() -> str:
    """Per signed-in person (several people behind one office router are not one sender), else per address."""
    if current_user.is_authenticated:
        return f"user:{current_user.id}"
    return request.remote_addr or "unknown"


inquiry_limit = limiter.shared_limit(_inquiry_limit, scope="deals-inquiries", key_func=_limit_key,
                                     methods=["POST"])


def _deal_or_404(deal_id: int, *, thread: bool = False) -> Deal:
    deal = services.load_deal(deal_id)
    if deal is None or not services.can_view(current_user, deal):
        abort(404)
    if thread and not services.can_read_thread(current_user, deal):
        abort(404)
    return deal


def _step_or_404(deal: Deal, step_id: int) -> DealStep:
    step = next((s for s in deal.steps if s.id == step_id), None)
    if step is None:
        abort(404)
    return step


def _back(deal: Deal, anchor: str = "") -> object:
    return redirect(url_for("deals.detail", deal_id=deal.id) + anchor)


def _perform(deal: Deal, anchor: str, work, message, category: str = "success", deliver: bool = True) -> object:
    """Run one service action from the deal page: 403 when the user may not, the refusal's reason on the page
    when the service refuses; otherwise commit (sending what it queued) and say what happened. ``message`` may
    be a callable, for wording that depends on the result."""
    try:
        work()
    except services.NotAllowed:
        abort(403)
    except services.DealError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
        return _back(deal, anchor)
    if deliver:
        commit_and_deliver()
    else:
        db.session.commit()
    flash(message() if callable(message) else message, category)
    return _back(deal, anchor)


# --- template helpers ----------------------------------------------------------------------------------------------

def step_status_label(status: str) -> str:
    return {"requested": _("Requested"), "accepted": _("Accepted by the factory"), "in_progress": _("Work in progress"),
            "delivered": _("Delivered"), "declined": _("Declined"), "withdrawn": _("Withdrawn")}.get(status, status)


def outcome_label(outcome: str | None) -> str:
    return {"joint_order": _("Joint order"), "joint_development": _("Joint development"),
            "abandoned": _("Abandoned")}.get(outcome or "", _("Ongoing"))


@bp.app_template_global("deals_event_text")
def event_text(body: str, deal: Deal) -> str:
    """A line the hub wrote in the thread, in the reader's language; in a chain, it names its step."""
    parts = body.split(":")
    steps = {str(s.id): s for s in deal.steps}
    step = steps.get(parts[2]) if len(parts) > 2 else None
    factory = step.factory.name if step is not None else ""
    text = body
    if parts[0] == "answer" and len(parts) > 1:
        if parts[1] == "accepted":
            text = _("%(factory)s accepted the inquiry.", factory=factory)
        else:
            text = _("%(factory)s declined the inquiry.", factory=factory)
    elif parts[0] == "status" and len(parts) > 1:
        text = _("%(factory)s: the step is now “%(status)s”.", factory=factory, status=step_status_label(parts[1]))
    elif parts[0] == "outcome" and len(parts) > 1:
        text = _("The deal was closed: %(outcome)s.", outcome=outcome_label(parts[1]))
    elif parts[0] == "reroute" and len(parts) > 2:
        old = steps.get(parts[1])  # the declined request; ``step`` is the new one
        text = _("The request was sent to %(factory)s instead of %(before)s.", factory=factory,
                 before=old.factory.name if old is not None else "")
    label = step_of(deal, step)
    return f"{label}: {text}" if label else text


@bp.app_template_global("deals_notification_text")
def notification_text(note: Notification) -> str:
    """One notification as a sentence in the reader's language (in a chain, with its step)."""
    text = _notification_sentence(note)
    label = step_of_params(note.params) if note.kind in ("inquiry", "answer", "status") else ""
    return f"{label}: {text}" if label else text


def _notification_sentence(note: Notification) -> str:
    p = note.params or {}
    title = p.get("deal_title", "")
    if note.kind == "inquiry":
        return _("New inquiry from %(actor)s: %(title)s", actor=p.get("actor", ""), title=title)
    if note.kind == "answer":
        if p.get("status") == "accepted":
            return _("%(factory)s accepted your inquiry: %(title)s", factory=p.get("factory", ""), title=title)
        return _("%(factory)s declined your inquiry: %(title)s", factory=p.get("factory", ""), title=title)
    if note.kind == "message":
        return _("New message from %(actor)s in “%(title)s”", actor=p.get("actor", ""), title=title)
    if note.kind == "status":
        return _("%(factory)s: the step is now “%(status)s” (%(title)s)", factory=p.get("factory", ""),
                 status=step_status_label(p.get("status", "")), title=title)
    if note.kind == "outcome":
        return _("“%(title)s” was closed: %(outcome)s", title=title, outcome=outcome_label(p.get("outcome")))
    return providers.call(providers.NOTIFICATION_TEXT, note, default=None) or title


@bp.app_template_global("deals_factory_record")
def factory_record(factory) -> services.Record:
    return services.factory_record(factory.id if hasattr(factory, "id") else int(factory))


@bp.app_template_global("deals_unread_total")
def unread_total() -> int:
    if not current_user.is_authenticated:
        return 0
    return services.unread_total(current_user)


@bp.app_context_processor
def _labels() -> dict:
    return {"step_status_label": step_status_label, "outcome_label": outcome_label}


# --- inbox ---------------------------------------------------------------------------------------------------------

@bp.route("/")
@login_required
def inbox():
    """My inquiries and deals (sent and received), newest activity first, with unread counts."""
    box = request.args.get("box", "all")
    box = box if box in ("all", "sent", "received") else "all"
    status = request.args.get("status") or None
    status = status if status in (DealStatus.OPEN, DealStatus.CLOSED) else None
    query = services.my_deals_query(current_user, box=box, status=status)
    page = db.paginate(query, page=page_arg(), per_page=20, max_per_page=100, error_out=False)
    unread = services.unread_counts(current_user, [d.id for d in page.items])
    return render_template("deals/inbox.html", page=page, unread=unread, box=box, status=status,
                           my_factory_id=user_factory_id(current_user))


# --- new inquiries -------------------------------------------------------------------------------------------------

def _int_arg(name: str) -> int | None:
    raw = request.args.get(name, "")
    return int_or_none(raw)


@bp.route("/inquiries/new", methods=["GET", "POST"])
@roles_required("seeker", "factory", "organiser")
@inquiry_limit
def new_inquiry():
    """A need owner asks a factory; or (?process=&from_factory=) a factory asks a partner to take one step."""
    factory = db.session.get(Factory, _int_arg("factory") or 0)
    if factory is None or not factory.is_published:
        abort(404)
    need = None
    if request.args.get("need"):
        need = db.session.get(Need, _int_arg("need") or 0)
        if need is None or not services.can_ask_about(current_user, need):
            abort(404)
    process = (request.args.get("process") or "").strip()[:60] or None
    from_factory = None
    if request.args.get("from_factory"):
        from_factory = db.session.get(Factory, _int_arg("from_factory") or 0)
        if from_factory is None or user_factory_id(current_user) != from_factory.id:
            abort(403)
    form = InquiryForm()
    if request.method == "GET" and need is not None:
        form.quantity.data = need.quantity
        form.due_date.data = need.deadline
    if form.validate_on_submit():
        try:
            deal = services.create_inquiry(
                current_user, factory, need=need, message=form.message.data, quantity=form.quantity.data,
                due_date=form.due_date.data, phone=form.phone.data, process_code=process, from_factory=from_factory)
        except services.DealError as exc:
            db.session.rollback()
            if exc.status == 409 or exc.field is None:
                flash(exc.message, "danger")
            else:
                (form._fields.get(exc.field) or form.message).errors = [exc.message]
        else:
            commit_and_deliver()
            flash(_("Your inquiry has been sent to %(factory)s.", factory=factory.name), "success")
            return redirect(url_for("deals.detail", deal_id=deal.id))
    return render_template("deals/new_inquiry.html", form=form, factory=factory, need=need, process=process,
                           from_factory=from_factory, record=services.factory_record(factory.id))


# --- the workspace -------------------------------------------------------------------------------------------------

@bp.route("/<int:deal_id>")
@login_required
def detail(deal_id: int, message_form: MessageForm | None = None):
    """The shared workspace: steps and their status, the thread with files, answers, outcome and ratings
    (``message_form``: a refused message, shown again with what was typed and why)."""
    deal = _deal_or_404(deal_id)
    thread = services.can_read_thread(current_user, deal)
    requester_side = services.is_requester_side(current_user, deal)
    mine = services.my_steps(current_user, deal)
    contacts = {s.id: services.contacts_visible(current_user, deal, s) for s in deal.steps}
    # Mark this deal's notifications read before rendering (so the badge is right), commit after rendering (a commit
    # expires every loaded object, and the page would load the whole deal a second time).
    services.mark_read(current_user, deal)
    html = render_template(
        "deals/detail.html", deal=deal, thread=thread, requester_side=requester_side, my_steps=mine,
        post_refusal=services.post_refusal(current_user, deal) if thread else None, contacts=contacts,
        factory_contacts=services.factory_members(s.factory_id for s in deal.steps if contacts[s.id])
        if requester_side else {},
        requester_contacts_visible=any(contacts[s.id] for s in mine),
        requester_users=services.requester_side_users(deal) if not requester_side else [],
        requester_record=services.requester_record(deal.requester) if not requester_side else None,
        can_close=services.can_close(current_user, deal),
        rating_targets=services.rating_targets(current_user, deal),
        blocked=services.blocked_keys(current_user), requester_key=services.requester_key(deal),
        answer_form=AnswerForm(), status_form=StepStatusForm(), message_form=message_form or MessageForm(),
        close_form=CloseForm(),
        rating_form=RatingForm(), report_form=ReportForm(), action_form=EmptyForm(),
        is_participant=requester_side or bool(mine),
    )
    db.session.commit()
    return html


@bp.route("/<int:deal_id>/steps/<int:step_id>/answer", methods=["POST"])
@login_required
def answer(deal_id: int, step_id: int):
    """The factory accepts or declines an inquiry."""
    deal = _deal_or_404(deal_id)
    step = _step_or_404(deal, step_id)
    form = AnswerForm()
    if not form.validate_on_submit():
        flash_form_errors(form)
        return _back(deal, "#steps")
    return _perform(
        deal, "#steps",
        lambda: services.answer(current_user, step, accept=form.decision.data == "accept", reason=form.reason.data,
                                phone=form.phone.data),
        lambda: _("You accepted the inquiry. Contact details are now shared.") if step.status == StepStatus.ACCEPTED
        else _("You declined the inquiry. The requester has been told your reason."))


@bp.route("/<int:deal_id>/steps/<int:step_id>/withdraw", methods=["POST"])
@login_required
def withdraw(deal_id: int, step_id: int):
    """The requester withdraws an unanswered inquiry."""
    deal = _deal_or_404(deal_id)
    step = _step_or_404(deal, step_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    return _perform(deal, "#steps", lambda: services.withdraw(current_user, step),
                    _("The inquiry has been withdrawn."), category="info")


@bp.route("/<int:deal_id>/steps/<int:step_id>/status", methods=["POST"])
@login_required
def step_status(deal_id: int, step_id: int):
    """The factory moves its step forward (accepted → in progress → delivered)."""
    deal = _deal_or_404(deal_id)
    step = _step_or_404(deal, step_id)
    form = StepStatusForm()
    if not form.validate_on_submit():
        flash_form_errors(form)
        return _back(deal, "#steps")
    return _perform(deal, "#steps", lambda: services.set_step_status(current_user, step, form.status.data),
                    lambda: _("The step is now “%(status)s”.", status=step_status_label(step.status)))


@bp.route("/<int:deal_id>/messages", methods=["POST"])
@login_required
def post_message(deal_id: int):
    """Write in the thread, with drawings."""
    deal = _deal_or_404(deal_id, thread=True)
    form = MessageForm()
    if not form.validate_on_submit():
        flash_form_errors(form)
        return _back(deal, "#thread")
    try:
        services.post_message(current_user, deal, form.body.data, request.files.getlist(form.files.name))
    except services.DealError as exc:
        db.session.rollback()
        if exc.status == 403 and not (services.is_requester_side(current_user, deal)
                                      or services.my_steps(current_user, deal)):
            abort(403)  # an organiser reviewing a report reads, but does not write
        if exc.status == 400:  # a refused file or an empty message: the page again, with what was typed
            target = form.files if exc.field == "file" else form.body
            target.errors = [*target.errors, exc.message]
            return detail(deal.id, message_form=form), 400
        flash(exc.message, "danger")
        return _back(deal, "#thread")
    commit_and_deliver()
    flash(_("Your message has been sent."), "success")
    return _back(deal, "#thread")


@bp.route("/<int:deal_id>/files/<int:attachment_id>")
@login_required
def download(deal_id: int, attachment_id: int):
    """A file from the thread, only for those who read the thread (404 for everyone else)."""
    attachment = db.session.get(DealAttachment, attachment_id)
    if attachment is None or attachment.deal_id != deal_id:
        abort(404)
    _deal_or_404(deal_id)
    if not services.can_open_attachment(current_user, attachment):
        abort(404)  # a thread's file, or a drawing sent with another factory's step
    return attachment.send()


@bp.route("/<int:deal_id>/close", methods=["POST"])
@login_required
def close(deal_id: int):
    """Record the outcome: joint order, joint development or abandoned (with a reason). A joint order while a
    request still awaits its answer is confirmed on a page of its own first."""
    deal = _deal_or_404(deal_id)
    form = CloseForm()
    if not form.validate_on_submit():
        flash_form_errors(form)
        return _back(deal, "#outcome-section")
    try:
        services.close_deal(current_user, deal, form.outcome.data, form.reason.data, confirm=form.confirm.data == "1")
    except services.NotAllowed:
        abort(403)
    except services.DealError as exc:
        db.session.rollback()
        if exc.code != "confirmation_required":
            flash(exc.message, "danger")
            return _back(deal, "#outcome-section")
        deal = _deal_or_404(deal_id)
        return render_template("deals/close_confirm.html", deal=deal, form=form, message=exc.message,
                               awaiting=services.awaiting_steps(deal))
    commit_and_deliver()
    flash(_("The deal has been closed. Please rate the other side."), "success")
    return _back(deal, "#outcome-section")


@bp.route("/<int:deal_id>/ratings", methods=["POST"])
@login_required
def rate(deal_id: int):
    """Rate the other side of a closed deal."""
    deal = _deal_or_404(deal_id)
    form = RatingForm()
    if not form.validate_on_submit():
        flash_form_errors(form)
        return _back(deal, "#outcome-section")
    try:
        services.rate(current_user, deal, form.target.data, quality=int(form.quality.data),
                      delivery=int(form.delivery.data), communication=int(form.communication.data),
                      comment=form.comment.data)
    except services.DealError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
        return _back(deal, "#outcome-section")
    db.session.commit()
    flash(_("Thank you: your rating has been saved."), "success")
    return _back(deal, "#outcome-section")


@bp.route("/<int:deal_id>/block", methods=["POST"])
@login_required
def block(deal_id: int):
    """Block the other side: no more messages or inquiries from them."""
    deal = _deal_or_404(deal_id)
    form = TargetForm()
    if not form.validate_on_submit():
        abort(400)
    return _perform(deal, "", lambda: services.block(current_user, deal, form.target.data),
                    _("Blocked. They can no longer send you messages or inquiries."), category="info", deliver=False)


@bp.route("/<int:deal_id>/unblock", methods=["POST"])
@login_required
def unblock(deal_id: int):
    """Lift a block made from this deal."""
    deal = _deal_or_404(deal_id)
    form = TargetForm()
    if not form.validate_on_submit():
        abort(400)
    services.unblock(current_user, form.target.data)
    db.session.commit()
    flash(_("The block has been lifted."), "info")
    return _back(deal)


@bp.route("/<int:deal_id>/report", methods=["POST"])
@login_required
def report(deal_id: int):
    """Ask the organisers to review this conversation."""
    deal = _deal_or_404(deal_id)
    form = ReportForm()
    if not form.validate_on_submit():
        flash_form_errors(form)
        return _back(deal)
    return _perform(deal, "", lambda: services.report(current_user, deal, form.reason.data),
                    _("Thank you. The organisers will review this conversation."), category="info", deliver=False)


# --- notifications -------------------------------------------------------------------------------------------------

@bp.route("/notifications")
@login_required
def notifications():
    """Everything that happened in my deals, newest first."""
    query = (select(Notification).where(Notification.user_id == current_user.id)
             .options(selectinload(Notification.deal)).order_by(Notification.id.desc()))
    page = db.paginate(query, page=page_arg(), per_page=30, max_per_page=100, error_out=False)
    return render_template("deals/notifications.html", page=page, form=EmptyForm())


@bp.route("/notifications/read", methods=["POST"])
@login_required
def mark_all_read():
    """Mark every notification as read."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    services.mark_read(current_user)
    db.session.commit()
    return redirect(url_for("deals.notifications"))


@bp.route("/notifications/preferences", methods=["GET", "POST"])
@login_required
def preferences():
    """Which deal emails I get: at once, in a daily digest, or none."""
    pref = services.preferences(current_user)
    form = PreferencesForm(obj=pref)
    if form.validate_on_submit():
        services.save_preferences(current_user, {kind: getattr(form, kind).data for kind in NOTIFICATION_KINDS})
        db.session.commit()
        flash(_("Your email preferences have been saved."), "success")
        return redirect(url_for("deals.preferences"))
    return render_template("deals/preferences.html", form=form)


# --- opportunities -------------------------------------------------------------------------------------------------

@bp.route("/opportunities")
@roles_required("factory")
def opportunities():
    """For factories: open needs that fit what they do, from the matcher, best first."""
    factory_id = user_factory_id(current_user)
    factory = db.session.get(Factory, factory_id) if factory_id else None
    fits = []
    if factory is not None:
        fits = providers.call(providers.FITS_FOR_FACTORY, factory, request_locale(), limit=30, default=[])
    asked = set()
    if fits:
        asked = set(db.session.scalars(select(Deal.need_id).join(DealStep).where(
            Deal.need_id.in_([need.id for need, _fit in fits]), DealStep.factory_id == factory.id)))
    return render_template("deals/opportunities.html", factory=factory, fits=fits, asked=asked,
                           capability_label=capability_label)


# --- organisers: reported conversations ------------------------------------------------------------------------------

@bp.route("/reports")
@roles_required("organiser")
def reports():
    """Reported conversations for the organisers to review, open ones first."""
    status = request.args.get("status", ReportStatus.OPEN)
    status = status if status in (ReportStatus.OPEN, ReportStatus.RESOLVED) else ReportStatus.OPEN
    query = (select(DealReport).where(DealReport.status == status)
             .options(selectinload(DealReport.deal), selectinload(DealReport.reporter))
             .order_by(DealReport.created_at.desc()))
    page = db.paginate(query, page=page_arg(), per_page=30, max_per_page=100, error_out=False)
    counts = dict(db.session.execute(select(DealReport.status, func.count(DealReport.id))
                                     .group_by(DealReport.status)).all())
    return render_template("deals/reports.html", page=page, status=status, counts=counts, form=ResolveForm())


@bp.route("/reports/<int:report_id>/resolve", methods=["POST"])
@roles_required("organiser")
def resolve_report(report_id: int):
    """Mark a report as reviewed."""
    row = db.get_or_404(DealReport, report_id)
    form = ResolveForm()
    if not form.validate_on_submit():
        abort(400)
    services.resolve_report(current_user, row, form.resolution.data)
    db.session.commit()
    flash(_("The report has been marked as resolved."), "success")
    return redirect(url_for("deals.reports"))


from hub.deals import chain_views  # noqa: E402,F401  (the chain composer's pages register on bp)
