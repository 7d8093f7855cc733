"""Factory directory, public profiles, profile editing and photos."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_from_directory, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_sqlalchemy.pagination import Pagination

from hub.auth.decorators import roles_required
from hub.core import uploads
from hub.core.cache import public_page
from hub.core.i18n import request_locale
from hub.core.labels import capability_label
from hub.core.params import page_arg
from hub.extensions import db
from hub.factories import identity, services
from hub.factories.access import user_factory
from hub.factories.forms import FactoryForm, PhotoForm, ReviewForm
from hub.factories.models import Factory, FactoryPhoto
from matching import normalise_ward

bp = Blueprint("factories", __name__, url_prefix="/factories")

MAX_PHOTOS = 12


def _get_published(factory_id: int) -> Factory:
    factory = db.session.get(Factory, factory_id)
    if factory is None or not (factory.is_public or services.can_edit(current_user, factory)):
        abort(404)
    return factory


class _DirectoryPage(Pagination):
    """One page of directory cards; the total comes from the count kept per generation (no COUNT per request)."""

    def _query_items(self) -> list:
        wanted = self._query_args["wanted"]
        return wanted.cards(self.per_page, (self.page - 1) * self.per_page)

    def _query_count(self) -> int:
        return self._query_args["wanted"].count()


def _directory_filters() -> tuple[services.DirectorySearch, list[str]]:
    """The directory's filters from the query string, and a message for each one the hub does not know (that
    filter is left out, the others still apply). ``process``/``material`` may be codes or words people write."""
    problems: list[str] = []
    q = (request.args.get("q") or "").strip()
    if len(q) > 200:
        problems.append(_("The search text was cut to its first 200 characters."))
        q = q[:200]
    ward_raw = (request.args.get("ward") or "").strip()[:50]
    ward = normalise_ward(ward_raw) if ward_raw else None
    if ward_raw and ward is None:
        problems.append(_("We do not know the ward “%(value)s”, so it was left out of the search.", value=ward_raw))
    codes: dict[str, str | None] = {}
    for kind, message in (("process", _("We do not know the process “%(value)s”, so it was left out of the search: "
                                        "choose one from the list.")),
                          ("material", _("We do not know the material “%(value)s”, so it was left out of the "
                                         "search: choose one from the list."))):
        try:
            codes[kind] = services.capability_code(kind, request.args.get(f"{kind}_code") or request.args.get(kind))
        except services.DirectoryProblem as exc:
            codes[kind] = None
            problems.append(message % {"value": exc.value})
    return services.DirectorySearch(q, ward, codes["process"], codes["material"]), problems


@bp.route("/")
@public_page
def directory():
    """The public directory: one search box (names, wards, processes, materials), filters, pages."""
    wanted, problems = _directory_filters()
    page = _DirectoryPage(page=page_arg(), per_page=current_app.config["DIRECTORY_PER_PAGE"], max_per_page=100,
                          error_out=False, wanted=wanted)
    reading = wanted.reading
    return render_template("factories/directory.html", page=page, problems=problems,
                           understood=reading.terms if reading else [],
                           filters={"q": wanted.q, "ward": wanted.ward, "process": wanted.process,
                                    "material": wanted.material})


@bp.route("/<int:factory_id>")
@public_page
def detail(factory_id: int):
    """A factory's public profile page."""
    factory = _get_published(factory_id)
    can_edit = services.can_edit(current_user, factory)
    partners = fits = partner_form = None
    if can_edit and factory.is_public:
        from hub.matches import services as matching_services
        from hub.matches.forms import PartnerForm

        lang = request_locale()
        partner_form = PartnerForm(request.args)
        wanted = [partner_form.step.data] if request.args.get("step") and partner_form.validate() else \
            matching_services.suggested_partner_steps(factory)
        partners = [(code, matching_services.partners_for_factory(factory, [code], lang, limit=3)) for code in wanted]
        fits = matching_services.fits_for_factory(factory, lang, limit=5)
    return render_template("factories/detail.html", factory=factory, can_edit=can_edit, partners=partners,
                           fits=fits, partner_form=partner_form,
                           can_claim=identity.can_claim(current_user, factory))


@bp.route("/mine", methods=["GET", "POST"])
@roles_required("factory")
def edit_mine():
    """A factory member's own profile: create it on first visit, edit it afterwards."""
    factory = user_factory(current_user)
    if factory is None:
        if current_user.organisation_id is None:
            from hub.auth.models import Organisation

            current_user.organisation = Organisation(kind="factory", name=current_user.name)
            db.session.flush()
        factory = Factory(organisation_id=current_user.organisation_id,
                          name=current_user.organisation.name if current_user.organisation else "")
    return _edit(factory)


@bp.route("/<int:factory_id>/edit", methods=["GET", "POST"])
@login_required
def edit(factory_id: int):
    """Edit a profile: the factory's own members and organisers only."""
    factory = db.get_or_404(Factory, factory_id)
    if not services.can_edit(current_user, factory):
        abort(403)
    return _edit(factory)


def _edit(factory: Factory):
    form = FactoryForm(obj=factory)
    if request.method == "GET" and factory.is_location_approx:
        form.lat.data = form.lon.data = None  # show an empty field: the centroid is not the user's input
    if form.validate_on_submit():
        previous = (factory.name, factory.name_en) if factory.id else None
        services.update_profile(factory, form.profile_data())
        held = identity.hold_if_duplicate(factory, current_user, previous)
        db.session.commit()
        flash(_("The profile has been saved."), "success")
        if held:
            flash(_("Another profile has the same name, so an organiser will check this one before it is "
                    "published. If the other profile is your factory, claim it instead."), "warning")
        return redirect(url_for("factories.detail", factory_id=factory.id))
    if request.method == "POST":
        db.session.rollback()  # an invalid form leaves nothing half-made (e.g. a new organisation)
    return render_template("factories/edit.html", form=form, factory=factory, photo_form=PhotoForm(),
                           max_photos=MAX_PHOTOS, pending=services.pending_reviews(factory) if factory.id else [],
                           rejected=services.rejected_reviews(factory) if factory.id else [])


@bp.route("/<int:factory_id>/capabilities/review", methods=["POST"])
@login_required
def review_capability(factory_id: int):
    """The owner confirms a capability read from their description, says "not us", or takes that back."""
    factory = db.get_or_404(Factory, factory_id)
    if not services.can_edit(current_user, factory):
        abort(403)
    form = ReviewForm()
    if not form.validate_on_submit():
        abort(400)
    decision = None if form.decision.data == "undo" else form.decision.data
    try:
        services.review_capability(current_user, factory, form.kind.data, form.code.data, decision)
    except services.ReviewError:
        db.session.rollback()
        abort(400)
    db.session.commit()
    label = capability_label(form.code.data)
    messages = {"confirmed": _("Confirmed: %(label)s is listed as yours.", label=label),
                "rejected": _("Noted: %(label)s is not yours; we will not read it from your description again.",
                              label=label),
                "undo": _("Your decision on %(label)s has been withdrawn.", label=label)}
    flash(messages[form.decision.data], "success")
    return redirect(url_for("factories.edit", factory_id=factory.id) + "#reading")


@bp.route("/<int:factory_id>/photos", methods=["POST"])
@login_required
def upload_photo(factory_id: int):
    """Add a photo to a factory (its members and organisers); refused with a message when not a real image."""
    factory = db.get_or_404(Factory, factory_id)
    if not services.can_edit(current_user, factory):
        abort(403)
    form = PhotoForm()
    if len(factory.photos) >= MAX_PHOTOS:
        flash(_("A factory can show at most %(n)s photos.", n=MAX_PHOTOS), "danger")
    elif form.validate_on_submit():
        try:
            stored = uploads.save_photo(form.photo.data)
        except uploads.UploadError as exc:
            flash(str(exc), "danger")
        else:
            factory.photos.append(FactoryPhoto(
                stored_name=stored.stored_name, caption=(form.caption.data or "").strip() or None,
                width=stored.width, height=stored.height, size_bytes=stored.size_bytes,
                position=len(factory.photos),
            ))
            db.session.commit()
            flash(_("The photo has been added."), "success")
    else:
        for errors in form.errors.values():
            for error in errors:
                flash(str(error), "danger")
    return redirect(url_for("factories.edit", factory_id=factory.id) + "#photos")


@bp.route("/<int:factory_id>/photos/<int:photo_id>/delete", methods=["POST"])
@login_required
def delete_photo(factory_id: int, photo_id: int):
    """Remove a photo (its factory's members and organisers)."""
    photo = db.session.get(FactoryPhoto, photo_id)
    if photo is None or photo.factory_id != factory_id:
        abort(404)
    if not services.can_edit(current_user, photo.factory):
        abort(403)
    photo.remove_file()
    db.session.delete(photo)
    db.session.commit()
    flash(_("The photo has been removed."), "info")
    return redirect(url_for("factories.edit", factory_id=factory_id) + "#photos")


@bp.route("/photos/<name>")
def photo(name: str):
    """Serve a photo of a published factory (re-encoded on upload, so it carries no metadata)."""
    row = db.session.scalar(db.select(FactoryPhoto).where(FactoryPhoto.stored_name == name))
    if row is None or not (row.factory.is_public or services.can_edit(current_user, row.factory)):
        abort(404)
    return send_from_directory(uploads.folder("photos"), row.stored_name, mimetype="image/jpeg", max_age=3600)


from hub.factories import claims  # noqa: E402,F401  (claim and review pages register on bp)
