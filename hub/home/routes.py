"""The home page each role lands on after signing in, and what the home domain adds to factory profiles."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, url_for
from flask_login import current_user, login_required

from hub.core.i18n import request_locale
from hub.core.timeutil import utcnow
from hub.home import profile, services
from hub.succession import labels as succession_labels

bp = Blueprint("home", __name__, url_prefix="/home")


@bp.route("/")
@login_required
def index():
    """What waits for the signed-in user today, by role (a factory's inquiries, a seeker's replies …)."""
    if current_user.role not in services.HOME_ROLES:
        abort(403)
    role, sections = services.home_for(current_user, request_locale())
    return render_template(f"home/{role}.html", labels=succession_labels, now=utcnow(), **sections)


@bp.app_template_global("home_ask_state")
def _ask_state(factory) -> str | None:
    return profile.ask_state(current_user, factory)


@bp.app_template_global("home_ask_url")
def _ask_url(factory) -> str:
    """The inquiry form for this factory (deals), also the page a visitor returns to after signing in."""
    return url_for("deals.new_inquiry", factory=factory.id)


@bp.app_template_global("home_programmes")
def _programmes(factory) -> list:
    return profile.programmes(factory)
