"""Matching pages: search by need, chain planner, organisers' aliases and imports."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from hub.auth.decorators import roles_required
from hub.core.i18n import request_locale
from hub.core.labels import process_choices
from hub.extensions import db, limiter
from hub.matches import explain, services, teams
from hub.matches.forms import AliasForm, ChainForm, SearchForm, TeamRequestForm
from hub.matches.models import CapabilityAlias
from matching import MatchingInputError, Taxonomy, plan_chain

bp = Blueprint("matches", __name__)


@bp.app_template_global("match_summaries")
def _match_summaries(ranked) -> dict[int, str]:
    return explain.summaries(ranked)


def _codes_arg(name: str) -> list[str]:
    known = Taxonomy.default().processes
    return list(dict.fromkeys(c for c in request.args.getlist(name)[:30] if c in known))


@bp.route("/match/")
def search():
    """Anyone describes what they need, in their own words, sees ranked factories with reasons, and may correct
    the steps the hub understood (removed and added steps travel in the address)."""
    form = SearchForm(request.args)
    ranked = None
    removed, added = _codes_arg("remove"), _codes_arg("add")
    added = [c for c in added if c not in removed]
    if request.args and form.validate():
        try:
            ranked = services.rank_for_text(form.text.data, request_locale(), ward=form.ward.data or None, limit=20,
                                            removed=removed, added=added)
        except MatchingInputError as exc:
            form.text.errors.append(str(exc))
    return render_template("matches/search.html", form=form, ranked=ranked, reading_mode="search",
                           removed=removed, added=added, step_choices=process_choices(),
                           search_args={"text": form.text.data or "", "ward": form.ward.data or ""})


@bp.route("/match/chain")
def chain():
    """Route an ordered list of steps through nearby workshops (nakama-mawashi), with alternatives per step."""
    form = ChainForm(request.args)
    plan = factories = None
    if request.args and form.validate():
        from matching import WARDS

        start = None
        if form.start.data and form.start.data in WARDS:
            ward = WARDS[form.start.data]
            start = (ward.lat, ward.lon)
        try:
            plan = plan_chain(services.current_index(), form.step_list(), start=start, lang=request_locale())
        except MatchingInputError as exc:
            form.steps.errors.append(str(exc))
        else:
            ids = [s.factory_id for s in plan.steps if s.factory_id] + [
                a for s in plan.steps for a in s.alternatives]
            factories = services.load_factories(ids)
    return render_template("matches/chain.html", form=form, plan=plan, factories=factories or {})


@bp.route("/organiser/aliases", methods=["GET", "POST"])
@roles_required("organiser")
def aliases():
    """Organisers map the terms people write to taxonomy codes, and see which terms are still unresolved."""
    form = AliasForm()
    if form.validate_on_submit():
        kind, _sep, code = form.target.data.partition(":")
        taxonomy = Taxonomy.default()
        known = taxonomy.processes if kind == "process" else taxonomy.materials
        from matching import fold

        if kind not in ("process", "material") or code not in known:
            form.target.errors.append(_("Please choose a process or material."))
        elif db.session.scalar(db.select(CapabilityAlias).where(CapabilityAlias.alias == fold(form.alias.data))):
            form.alias.errors.append(_("This term is already mapped."))
        else:
            services.add_alias(form.alias.data, kind, code, current_user)
            db.session.commit()
            flash(_("Saved. The matcher uses “%(alias)s” from now on.", alias=form.alias.data), "success")
            return redirect(url_for("matches.aliases"))
    rows = db.session.scalars(db.select(CapabilityAlias).order_by(CapabilityAlias.created_at.desc())).all()
    index = services.current_index()
    norm = services.normaliser()
    unresolved = sorted(index.unresolved_terms.items(), key=lambda item: (-item[1], item[0]))[:100]
    suggestions = {term: norm.suggest(term)[:3] for term, _count in unresolved}
    from hub.factories.services import unconfirmed_profiles_count

    return render_template("matches/aliases.html", form=form, rows=rows, unresolved=unresolved,
                           suggestions=suggestions, unconfirmed=unconfirmed_profiles_count())


@bp.route("/organiser/aliases/<int:alias_id>/delete", methods=["POST"])
@roles_required("organiser")
def delete_alias(alias_id: int):
    """Remove an organiser alias."""
    row = db.get_or_404(CapabilityAlias, alias_id)
    services.remove_alias(row)
    db.session.commit()
    flash(_("The alias has been removed."), "info")
    return redirect(url_for("matches.aliases"))


def _team_limit() -> str:
    return current_app.config.get("RATELIMIT_DEALS_INQUIRY", "20 per hour")


def _team_limit_key() -> str:
    return f"user:{current_user.id}" if current_user.is_authenticated else (request.remote_addr or "unknown")


@bp.route("/match/needs/<int:need_id>/team", methods=["GET", "POST"])
@roles_required("seeker", "factory", "organiser")
@limiter.shared_limit(_team_limit, scope="deals-inquiries", key_func=_team_limit_key, methods=["POST"])
def team_request(need_id: int):
    """The need's owner reviews a proposed team's chain request (steps, quantity, deadline, drawings), then
    sends it: one request per member, grouped in one deal."""
    from hub.deals import services as deals
    from hub.mail.services import deliver_pending
    from hub.needs.models import Need

    need = db.session.get(Need, need_id)
    if need is None or not deals.can_ask_about(current_user, need):
        abort(404)
    form = TeamRequestForm()
    if request.method == "GET":
        form.team.data = request.args.get("team", "")[:1000]
        form.quantity.data, form.due_date.data = need.quantity, need.deadline
        form.message.data = _("We are looking for partners for this need: %(title)s. Could you take the step "
                              "shown below? Quantity, deadline and drawings are in the request.", title=need.title)
    try:
        steps = teams.decode(form.team.data)
    except teams.TeamError:
        abort(404)
    wanted = {int(v) for v in request.form.getlist("drawing") if v.isdigit() and len(v) < 12}
    chosen = [a for a in need.attachments if request.method == "GET" or a.id in wanted]
    if form.validate_on_submit():
        try:
            deal = teams.send(current_user, need, steps, message=form.message.data, quantity=form.quantity.data,
                              due_date=form.due_date.data, phone=form.phone.data, drawings=chosen)
        except deals.DealError as exc:
            db.session.rollback()
            flash(exc.message, "danger")
        else:
            db.session.commit()
            deliver_pending()
            flash(_("%(n)s requests have been sent.", n=len(deal.steps)), "success")
            return redirect(url_for("deals.detail", deal_id=deal.id))
    return render_template("matches/team_request.html", need=need, form=form, steps=steps,
                           chosen={a.id for a in chosen})


# Pages defined in their own modules, on this blueprint.
from hub.matches import import_routes  # noqa: E402,F401
