"""Organisers' dashboard: indicators against targets, cluster risk, CSV exports."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from hub.auth.decorators import roles_required
from hub.core.csvexport import csv_response
from hub.core.i18n import join_list
from hub.core.labels import capability_label, ward_label
from hub.core.params import int_or_none
from hub.dashboard import services
from hub.dashboard.forms import target_form_class
from hub.extensions import db

bp = Blueprint("dashboard", __name__, url_prefix="/organiser")


def _year() -> int:
    return int_or_none(request.args.get("year"), 2000, 2100) or date.today().year


@bp.route("/dashboard", methods=["GET", "POST"])
@roles_required("organiser")
def index():
    """The programme's indicators for a year, against editable targets (organisers only)."""
    year = _year()
    form = target_form_class()(data=services.targets(year))
    if form.validate_on_submit():
        for key in services.PROGRAMME_TARGETS:
            services.set_target(key, year, getattr(form, key).data, current_user)
        db.session.commit()
        flash(_("The targets for %(year)s have been saved.", year=year), "success")
        return redirect(url_for("dashboard.index", year=year))
    indicators = services.indicators(year)
    risks = [r for r in services.cluster_risk() if r.about_to_lose][:5]
    return render_template("dashboard/index.html", year=year, indicators=indicators, form=form, risks=risks,
                           years=range(date.today().year + 1, date.today().year - 5, -1))


@bp.route("/cluster-risk")
@roles_required("organiser")
def cluster_risk():
    """Which processes the cluster is about to lose: providers whose owners are 70+ with no successor."""
    return render_template("dashboard/cluster_risk.html", risks=services.cluster_risk(),
                           bands=services.owners_by_age_band(), risk_age=services.RISK_AGE)


@bp.route("/dashboard/kpis.csv")
@roles_required("organiser")
def kpis_csv():
    """The indicators of a year as CSV."""
    year = _year()
    rows = [[_("Indicator"), _("Value"), _("Target")]]
    rows += [[item["label"], item["value"], item["target"]] for item in services.indicators(year)]
    return csv_response(rows, f"kpis-{year}.csv")


@bp.route("/cluster-risk.csv")
@roles_required("organiser")
def cluster_risk_csv():
    """Cluster risk per process as CSV."""
    rows = [[_("Process"), _("Workshops"), _("At risk"), _("Share at risk"), _("About to lose"), _("Wards at risk")]]
    for risk in services.cluster_risk():
        rows.append([capability_label(risk.code), risk.providers, risk.at_risk, f"{risk.share:.0%}",
                     _("yes") if risk.about_to_lose else "",
                     join_list(f"{ward_label(w)} {n}" for w, n in sorted(risk.wards.items()))])
    return csv_response(rows, "cluster-risk.csv")
