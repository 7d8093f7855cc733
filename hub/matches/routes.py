"""Matching pages: search by need, chain planner, organisers' aliases and imports."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from hub.auth.decorators import roles_required
from hub.core.i18n import request_locale
from hub.core.labels import process_choices
from hub.extensions import db
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
    need = _own_need(request.args.get("need"))
    if need is not None and not request.args.get("steps"):
        form.steps.data = "\n".join(need.processes or [])  # a chain planned for a need starts from its steps
    if request.args.get("steps") and form.validate():
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
    return render_template("matches/chain.html", form=form, plan=plan, factories=factories or {}, need=need)


def _own_need(raw: str | None):
    """The signed-in user's own need named in the address (a chain planned for it), else None."""
    from hub.core.params import int_or_none
    from hub.deals import services as deals
    from hub.needs.models import Need

    need_id = int_or_none(raw or "")
    need = db.session.get(Need, need_id) if need_id else None
    return need if need is not None and deals.can_ask_about(current_user, need) else None


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


@bp.route("/match/needs/<int:need_id>/team", methods=["POST"])
@roles_required("seeker", "factory", "organiser")
def team_request(need_id: int):
    """The need's owner turns a proposed team into a chain request to compose: each member's step, the other
    factories that do it (to swap in), and the need's quantity, deadline and materials prefilled."""
    from hub.deals import services as deals
    from hub.needs.models import Need

    need = db.session.get(Need, need_id)
    if need is None or not deals.can_ask_about(current_user, need):
        abort(404)
    form = TeamRequestForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        steps = teams.decode(form.team.data)
        draft = teams.start(current_user, need, steps, request_locale())
    except teams.TeamError:
        abort(404)
    except deals.NotAllowed:
        abort(403)
    db.session.commit()
    return redirect(url_for("deals.chain_compose", draft_id=draft.id))


# Pages defined in their own modules, on this blueprint.
from hub.matches import import_routes  # noqa: E402,F401
