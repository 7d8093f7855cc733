"""Pages of the quotes domain: a step's quotes and revisions, the quote form, orders, requests for quotes and their
comparison, a chain's totals, PDFs, and a factory's quote settings."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from hub.auth.decorators import roles_required
from hub.core.i18n import request_locale
from hub.core.params import int_or_none
from hub.deals import services as deals
from hub.deals.models import Deal, DealStep
from hub.extensions import db
from hub.factories.access import user_factory_id
from hub.mail.services import commit_and_deliver
from hub.needs.models import Need, NeedStatus
from hub.quotes import documents, pricing, services
from hub.quotes.forms import EmptyForm, QuoteForm, RequestForm, SettingsForm
from hub.quotes.models import PurchaseOrder, Quote, QuoteRequest
from hub.quotes.settings import closures_text

bp = Blueprint("quotes", __name__, url_prefix="/quotes")


@bp.app_context_processor
def _helpers() -> dict:
    return {"yen": pricing.yen, "quote_status_label": quote_status_label, "order_status_label": order_status_label}


def quote_status_label(status: str) -> str:
    return {"submitted": _("Valid, awaiting a decision"),
            "superseded": _("Superseded by a revision"), "accepted": _("Accepted (ordered)"),
            "not_chosen": _("Not chosen"), "expired": _("Expired")}.get(status, status)


def order_status_label(status: str) -> str:
    return {"issued": _("Ordered, awaiting acknowledgement"), "acknowledged": _("Acknowledged by the factory"),
            "delivered": _("Delivered to the customer")}.get(status, status)


def _step_or_404(step_id: int) -> DealStep:
    step = db.session.get(DealStep, step_id)
    if step is None or not services.can_view_step_quotes(current_user, step):
        abort(404)
    return step


def _quote_or_404(quote_id: int) -> Quote:
    quote = db.session.get(Quote, quote_id)
    if quote is None or not services.can_view_step_quotes(current_user, quote.step):
        abort(404)
    return quote


def _order_or_404(order_id: int) -> PurchaseOrder:
    order = db.session.get(PurchaseOrder, order_id)
    if order is None or not services.can_view_step_quotes(current_user, order.step):
        abort(404)
    return order


def _act(work, success: str, back: str):
    """Run one service action: 403 when not allowed, the reason flashed when refused, else commit and send."""
    try:
        work()
    except services.NotAllowed:
        abort(403)
    except services.QuoteError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
        return redirect(back)
    commit_and_deliver()
    flash(success, "success")
    return redirect(back)


def _pdf(render, name: str) -> Response:
    lang = "en" if request.args.get("lang") == "en" else "ja"
    try:
        body = render(lang)
    except documents.FontMissing:
        abort(503, _("No Japanese font is installed for the PDF documents."))
    return Response(body, mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="{name}.pdf"', "X-Content-Type-Options": "nosniff",
        "Cache-Control": "private, no-store"})


# --- a step's quotes ------------------------------------------------------------------------------------------------

@bp.route("/steps/<int:step_id>")
@login_required
def step(step_id: int):
    """A step's quote with every revision (newest first), its order, and what each side can do next."""
    step = _step_or_404(step_id)
    quotes = services.step_quotes(step)
    latest = quotes[0] if quotes else None
    order = next((q.order for q in quotes if q.order is not None), None)
    return render_template(
        "quotes/step.html", step=step, deal=step.deal, quotes=quotes, latest=latest, order=order,
        is_factory=services.is_factory_side(current_user, step), is_requester=services.is_requester(current_user, step),
        can_quote=services.is_factory_side(current_user, step) and order is None,
        rfq=services.request_of_step(step), form=EmptyForm(),
        due=services.due_date(latest, _today()) if latest is not None and latest.status == "submitted" else None)


def _today():
    from hub.core.timeutil import tokyo_today

    return tokyo_today()


def _prefill(form: QuoteForm, quote: Quote) -> None:
    for row, line in zip(form.lines.entries, quote.lines, strict=False):
        row.form.description.data, row.form.quantity.data = line.description, line.quantity
        row.form.unit.data, row.form.unit_price.data = line.unit, line.unit_price
        row.form.tax_rate.data = str(line.tax_rate)
    for name in ("price_basis", "rounding", "lead_days", "delivery_date", "material_supplied",
                 "inspection_certificate", "shipping", "drawing_revision", "notes"):
        getattr(form, name).data = getattr(quote, name)
    form.lead_kind.data = "days" if quote.lead_days is not None else "date"


def quote_input(form: QuoteForm) -> services.QuoteInput:
    lines = [services.LineInput(row.form.description.data or "", row.form.quantity.data or "",
                                row.form.unit_price.data if row.form.unit_price.data is not None else "",
                                row.form.unit.data or "", int(row.form.tax_rate.data or 10))
             for row in form.lines.entries]
    by_days = form.lead_kind.data == "days"
    return services.QuoteInput(
        lines=lines, valid_until=form.valid_until.data, lead_days=form.lead_days.data if by_days else None,
        delivery_date=None if by_days else form.delivery_date.data, price_basis=form.price_basis.data,
        rounding=form.rounding.data, material_supplied=form.material_supplied.data,
        inspection_certificate=form.inspection_certificate.data, shipping=form.shipping.data,
        drawing_revision=form.drawing_revision.data or "", notes=form.notes.data or "")


@bp.route("/steps/<int:step_id>/new", methods=["GET", "POST"])
@roles_required("factory")
def new_quote(step_id: int):
    """The asked factory writes its quote for the step, or a revision of it (prefilled with the last one)."""
    step = _step_or_404(step_id)
    if not services.is_factory_side(current_user, step):
        abort(403)
    form = QuoteForm()
    latest = services.latest_quote(step)
    if request.method == "GET" and latest is not None:
        _prefill(form, latest)
    elif request.method == "GET" and step.deal.need is not None:
        names = [a.original_name for a in step.deal.need.attachments]
        form.drawing_revision.data = names[0][:80] if names else ""
    refused = False
    if form.validate_on_submit():
        try:
            quote = services.submit_quote(current_user, step, quote_input(form))
        except services.NotAllowed:
            abort(403)
        except services.QuoteError as exc:
            db.session.rollback()
            _show_error(form, exc)
            refused = True
        else:
            commit_and_deliver()
            flash(_("Quote %(number)s sent.", number=quote.number), "success")
            return redirect(url_for("quotes.step", step_id=step.id))
    return render_template("quotes/form.html", step=step, deal=step.deal, form=form, latest=latest), \
        400 if refused or form.errors else 200


def _show_error(form, exc: services.QuoteError) -> None:
    field_name = (exc.field or "").split("-")
    target = getattr(form, field_name[0], None) if field_name[0] else None
    if target is not None and field_name[0] == "lines" and len(field_name) == 3 \
            and int(field_name[1]) < len(form.lines.entries):
        target = getattr(form.lines.entries[int(field_name[1])].form, field_name[2], None)
    if target is not None and hasattr(target, "errors") and not isinstance(target.errors, dict):
        target.errors = [*list(target.errors or []), exc.message]
    else:
        form.form_errors.append(exc.message)


@bp.route("/<int:quote_id>/accept", methods=["POST"])
@login_required
def accept(quote_id: int):
    """The requester accepts a quote: a purchase order is issued and the other factories are told."""
    quote = _quote_or_404(quote_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    return _act(lambda: services.accept_quote(current_user, quote),
                _("Quote accepted: the purchase order was sent to the factory."),
                url_for("quotes.step", step_id=quote.step_id))


@bp.route("/<int:quote_id>.pdf")
@login_required
def quote_pdf(quote_id: int):
    """The quote as a PDF (Japanese; ``?lang=en`` for English), for its two parties."""
    quote = _quote_or_404(quote_id)
    return _pdf(lambda lang: documents.quote_pdf(quote, lang), quote.number or f"quote-{quote.id}")


# --- orders ---------------------------------------------------------------------------------------------------------

@bp.route("/orders/<int:order_id>")
@login_required
def order(order_id: int):
    """A purchase order: its lines and totals, and the factory's acknowledgement."""
    order = _order_or_404(order_id)
    return render_template("quotes/order.html", order=order, quote=order.quote, deal=order.deal, form=EmptyForm(),
                           is_factory=services.is_factory_side(current_user, order.step),
                           is_requester=services.is_requester(current_user, order.step))


@bp.route("/orders/<int:order_id>/acknowledge", methods=["POST"])
@login_required
def acknowledge(order_id: int):
    """The factory acknowledges the order (注文請書)."""
    order = _order_or_404(order_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    return _act(lambda: services.acknowledge_order(current_user, order), _("Order acknowledged."),
                url_for("quotes.order", order_id=order.id))


@bp.route("/orders/<int:order_id>/deliver", methods=["POST"])
@login_required
def deliver(order_id: int):
    """The factory reports the order delivered."""
    order = _order_or_404(order_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    return _act(lambda: services.deliver_order(current_user, order), _("Order marked as delivered."),
                url_for("quotes.order", order_id=order.id))


@bp.route("/orders/<int:order_id>.pdf")
@login_required
def order_pdf(order_id: int):
    """The purchase order as a PDF, with the acknowledgement once given."""
    order = _order_or_404(order_id)
    return _pdf(lambda lang: documents.order_pdf(order, lang), order.number or f"order-{order.id}")


# --- requests for quotes ------------------------------------------------------------------------------------------

def _candidates(need: Need) -> tuple[list, list]:
    """The need's best matches (published factories other than my own), best first, and the teams the need page
    proposes when no single factory does every step (as (team, its factories by id) pairs)."""
    from hub.matches.services import rank_for_need, teams_for_need

    lang = request_locale()
    ranked = rank_for_need(need, lang, limit=12, exclude_ids=[i for i in [user_factory_id(current_user)] if i])
    teams = teams_for_need(need, ranked, lang) if need.status != NeedStatus.CLOSED else []
    return [factory for _match, factory in ranked.rows() if factory.is_published], teams


def team_key(team) -> str:
    """A proposed team as its button sends it: "milling:12,anodizing:15" (each step with its factory)."""
    return ",".join(f"{code}:{fid}" for code, fid in team.assignments)


def _ask(need: Need, form: RequestForm, candidates: list, teams: list):
    """The request the pressed button asks for: the ticked factories, or one proposed team (one step per member's
    step). Raises QuoteError when the team is no longer proposed."""
    key = request.form.get("team")
    if key is None:
        chosen = [f for f in candidates if f.id in set(form.factories.data or [])]
        return services.request_quotes(current_user, need, chosen, message=form.message.data,
                                       quantity=form.quantity.data)
    team, members = next(((t, m) for t, m in teams if team_key(t) == key), (None, None))
    if team is None:
        raise services.QuoteError(_("This team is no longer proposed for your need; choose another."), 400, "team")
    return services.request_quotes(current_user, need, [members[fid] for _code, fid in team.assignments],
                                   message=form.message.data, quantity=form.quantity.data,
                                   team_steps=[code for code, _fid in team.assignments])


@bp.route("/requests/new", methods=["GET", "POST"])
@login_required
def new_request():
    """A need's owner asks several matched factories, or one of the teams proposed for the need, for quotes."""
    need = db.session.get(Need, int_or_none(request.args.get("need")) or 0)
    if need is None or not deals.can_ask_about(current_user, need):
        abort(404)
    candidates, teams = _candidates(need)
    form = RequestForm()
    form.factories.choices = [(f.id, f.display_name(request_locale())) for f in candidates]
    if request.method == "GET":
        form.quantity.data = need.quantity
    team_error = None
    if form.validate_on_submit():
        try:
            rfq = _ask(need, form, candidates, teams)
        except services.NotAllowed:
            abort(403)
        except services.QuoteError as exc:
            db.session.rollback()
            if "team" in request.form:
                team_error = exc.message
            else:
                form.factories.errors = [exc.message]
        else:
            commit_and_deliver()
            flash(_("Asked the team for quotes: %(n)s steps.", n=len(rfq.items)) if "team" in request.form
                  else _("Asked %(n)s factories for a quote.", n=len(rfq.items)), "success")
            return redirect(url_for("quotes.compare", request_id=rfq.id))
    return render_template("quotes/new_request.html", need=need, form=form, limit=services.max_factories(),
                           candidates={f.id: f for f in candidates}, teams=teams, team_key=team_key,
                           team_error=team_error, chosen_team=request.form.get("team")
                           ), 400 if form.errors or team_error else 200


@bp.route("/requests/<int:request_id>")
@login_required
def compare(request_id: int):
    """The requester's side-by-side view of the quotes received for one request."""
    rfq = db.session.get(QuoteRequest, request_id)
    if rfq is None or not services.can_view_request(current_user, rfq):
        abort(404)
    return render_template("quotes/compare.html", rfq=rfq, offers=services.compare(current_user, rfq),
                           form=EmptyForm(), today=_today())


# --- a chain's totals ---------------------------------------------------------------------------------------------

@bp.route("/chains/<int:deal_id>")
@login_required
def chain(deal_id: int):
    """For the requester of a chain: total price and earliest finish, with the step that decides the date."""
    deal = db.session.get(Deal, deal_id)
    if deal is None or not deals.is_requester_side(current_user, deal):
        abort(404)
    return render_template("quotes/chain.html", deal=deal, totals=services.chain_totals(current_user, deal))


# --- settings -------------------------------------------------------------------------------------------------------

@bp.route("/settings", methods=["GET", "POST"])
@roles_required("factory")
def settings():
    """A factory's quote settings: its invoice registration number, Saturdays and closing periods."""
    factory_id = user_factory_id(current_user)
    if factory_id is None:
        abort(403)
    current = services.issuer_settings(factory_id)
    form = SettingsForm()
    if request.method == "GET":
        form.invoice_number.data, form.works_saturday.data = current.invoice_number, current.works_saturday
        form.closures.data = closures_text(current)
    if form.validate_on_submit():
        try:
            services.save_settings(current_user, factory_id, invoice_number=form.invoice_number.data,
                                   works_saturday=form.works_saturday.data, closures=form.closures.data or "")
        except services.QuoteError as exc:
            db.session.rollback()
            getattr(form, exc.field or "invoice_number").errors = [exc.message]
        else:
            db.session.commit()
            flash(_("Settings saved."), "success")
            return redirect(url_for("quotes.settings"))
    return render_template("quotes/settings.html", form=form), 400 if form.errors else 200
