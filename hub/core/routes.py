"""Home page, language switch and small public pages."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, send_from_directory, session
from flask_login import current_user

from hub.core.cache import public_page
from hub.core.security import safe_next
from hub.extensions import db
from hub.factories import services as factory_services
from hub.needs.models import Need, NeedStatus

bp = Blueprint("core", __name__)


@bp.route("/")
@public_page
def index():
    """The hub's front page for every visitor: what it is, recent factories and open needs."""
    factory_count, ward_count = factory_services.front_counts()
    recent = factory_services.recent_cards(6)
    needs_query = db.select(Need.id, Need.title).where(Need.status == NeedStatus.OPEN) \
        .order_by(Need.created_at.desc()).limit(6)
    if not current_user.is_authenticated:
        needs_query = needs_query.where(Need.visibility == "public")
    else:
        needs_query = needs_query.where(Need.visibility.in_(("public", "members")))
    needs = db.session.execute(needs_query).all()
    return render_template("core/index.html", factory_count=factory_count, ward_count=ward_count,
                           recent=recent, needs=needs)


@bp.route("/favicon.ico")
def favicon():
    """The hub's icon at the address every browser and feed reader asks for."""
    return send_from_directory(current_app.static_folder, "favicon.ico", mimetype="image/vnd.microsoft.icon",
                               max_age=7 * 24 * 3600)


@bp.route("/lang/<code>", methods=["GET", "POST"])
def set_language(code: str):
    """Switch the interface language for this visitor. The navbar's form (POST, with CSRF) also remembers it on
    the account, for emails; a plain link (GET) changes only this browser's session."""
    if code not in ("ja", "en"):
        code = "ja"
    session["lang"] = code
    if request.method == "POST" and current_user.is_authenticated and current_user.locale != code:
        current_user.locale = code
        db.session.commit()
    return redirect(safe_next(request.values.get("next")))


@bp.route("/about")
def about():
    """What the hub is for, and the programme behind it."""
    return render_template("core/about.html")
