"""Succession pages: anonymous listings, owners' listings and decisions, successor profiles and matches, disclosure
under NDA, organiser review, push-style outreach and the NDA itself."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, send_from_directory, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from hub.auth.decorators import roles_required
from hub.core import uploads
from hub.core.csvexport import csv_response
from hub.core.forms import flash_form_errors
from hub.core.i18n import request_locale
from hub.core.labels import ward_choices
from hub.core.params import page_arg
from hub.extensions import db
from hub.factories.access import user_factory
from hub.factories.models import Factory, FactoryPhoto
from hub.mail.services import commit_and_deliver
from hub.succession import fits, labels, public, recheck, services
from hub.succession import outreach as outreach_services
from hub.succession.forms import (
    ActionForm,
    BrowseForm,
    DisclosureForm,
    DocumentForm,
    ListingForm,
    NdaForm,
    OutreachFilterForm,
    OutreachNotesForm,
    OutreachStepForm,
    ProfileForm,
    ReturnForm,
)
from hub.succession.models import (
    AuditEvent,
    Disclosure,
    ListingDocument,
    ListingStatus,
    NdaVersion,
    OutreachRecord,
    SuccessionListing,
    SuccessorProfile,
)
from hub.succession.services import SuccessionError
from matching import Taxonomy

bp = Blueprint("succession", __name__, url_prefix="/succession")
recheck.connect()  # published listings are counted again whenever the public directory changes

MAX_DOCUMENTS = 10


@bp.app_template_global("succession_headline")
def succession_headline(listing: SuccessionListing) -> str:
    """The anonymous title of a listing (ward and processes only)."""
    return services.headline(listing)


bp.add_app_template_global(public.display, "succession_public")
bp.add_app_template_global(lambda listing: public.hold_message(listing) or "", "succession_hold_message")
bp.add_app_template_global(public.kanon.k_value, "kanon_k")


@bp.context_processor
def inject_labels() -> dict:
    return {"labels": labels}


def _listing(public_id: str) -> SuccessionListing:
    """The listing if this user may see it; otherwise the same 404 whether it exists or not."""
    listing = None
    if len(public_id) <= 32:
        listing = db.session.scalar(db.select(SuccessionListing).where(SuccessionListing.public_id == public_id))
    if listing is None or not services.can_view(current_user, listing):
        abort(404)
    return listing


@bp.route("/")
def index():
    """What succession support is, and where each role goes next."""
    return render_template("succession/index.html", factory=user_factory(current_user))


# --- successors: browse, matches, profile, requests -----------------------------------------------------------------


@bp.route("/listings")
@roles_required("successor", "organiser")
def listings():
    """Anonymous listings with search and filters; a successor's best matches first."""
    form = BrowseForm(request.args)
    form.ward.choices = [("", _("All areas"))] + ward_choices()
    q = ward = process = None
    process_error = None
    if form.validate():
        q = (form.q.data or "").strip() or None
        ward = form.ward.data or None
        if form.process_q.data and form.process_q.data.strip():
            codes, unknown = services.resolve_processes([form.process_q.data])
            if codes:
                process = codes[0]
            else:
                process_error = _("Not recognised as a process: %(terms)s. Try another word (e.g. 旋盤, "
                                  "plating).", terms=form.process_q.data.strip()[:100])
    query = services.browse_query(q=q, ward=ward, process=process)
    page = db.paginate(query, page=page_arg(), per_page=20, max_per_page=100, error_out=False)
    profile = services.profile_for(current_user)
    matches = fits.listings_for(profile, request_locale(), limit=5) if profile is not None else []
    requested = {}
    if services.is_successor(current_user):
        requested = {d.listing_id: d for d in db.session.scalars(
            db.select(Disclosure).where(Disclosure.successor_id == current_user.id))}
    return render_template("succession/listings.html", form=form, page=page, profile=profile, matches=matches,
                           requested=requested, process_error=process_error, labels=labels)


@bp.route("/profile", methods=["GET", "POST"])
@roles_required("successor")
def profile():
    """A successor's profile: background, skills, budget, preferred areas and schemes."""
    existing = services.profile_for(current_user)
    form = ProfileForm(obj=existing)
    if request.method == "GET" and existing is not None:
        taxonomy = Taxonomy.default()
        form.skills.data = [taxonomy.label(c, request_locale()) for c in existing.skills]
        form.processes.data = [taxonomy.label(c, request_locale()) for c in existing.processes]
    if form.validate_on_submit():
        services.save_profile(current_user, form.profile_data())
        db.session.commit()
        flash(_("Your profile has been saved."), "success")
        return redirect(url_for("succession.listings"))
    return render_template("succession/profile.html", form=form, profile=existing)


@bp.route("/requests")
@roles_required("successor")
def my_requests():
    """The disclosure requests I made, and what the owners decided."""
    rows = db.session.scalars(db.select(Disclosure).where(Disclosure.successor_id == current_user.id)
                              .order_by(Disclosure.created_at.desc())).all()
    return render_template("succession/requests.html", rows=rows, labels=labels)


@bp.route("/l/<public_id>")
@login_required
def detail(public_id: str):
    """One listing. Anonymous for everyone except the owner, organisers and successors the owner approved."""
    listing = _listing(public_id)
    identity = None
    if services.can_see_identity(current_user, listing):
        identity = services.identity(listing)
        services.record_view(listing, current_user, "disclosed_viewed")
        db.session.commit()
    owner = services.is_owner(current_user, listing)
    disclosure = services.disclosure_for(current_user, listing)
    fit = None
    profile = services.profile_for(current_user)
    if profile is not None:
        fit = fits.fit(profile, listing, "successor", request_locale())
    findings = services.findings(listing) if owner or services.is_organiser(current_user) else []
    preview = public.preview(listing) if owner or services.is_organiser(current_user) else None
    profiles = {}
    if owner and listing.disclosures:
        profiles = {p.user_id: p for p in db.session.scalars(db.select(SuccessorProfile).where(
            SuccessorProfile.user_id.in_([d.successor_id for d in listing.disclosures])))}
    return render_template(
        "succession/detail.html", listing=listing, identity=identity, owner=owner, disclosure=disclosure,
        fit=fit, findings=findings, preview=preview, labels=labels, profiles=profiles, action_form=ActionForm(),
        return_form=ReturnForm(),
        document_form=DocumentForm() if owner else None, can_request=services.can_request(current_user, listing),
        can_review=services.can_review(current_user, listing),
        is_organiser=services.is_organiser(current_user), max_documents=MAX_DOCUMENTS)


@bp.route("/l/<public_id>/disclose", methods=["GET", "POST"])
@roles_required("successor")
def disclose(public_id: str):
    """The NDA, its acceptance, and the request to the owner."""
    listing = _listing(public_id)
    if services.profile_for(current_user) is None:
        flash(_("Please fill in your successor profile first: the owner decides on it."), "warning")
        return redirect(url_for("succession.profile"))
    if not services.can_request(current_user, listing):
        flash(_("You have already asked about this listing."), "info")
        return redirect(url_for("succession.detail", public_id=listing.public_id))
    nda = services.current_nda()
    form = DisclosureForm()
    if request.method == "GET":
        form.nda_version.data = nda.version
    if form.validate_on_submit():
        try:
            services.request_disclosure(listing, current_user, accepted=bool(form.accept.data),
                                        nda_version=form.nda_version.data, message=form.message.data or "")
        except SuccessionError as exc:
            db.session.rollback()
            flash(str(exc), "danger")
            return redirect(url_for("succession.disclose", public_id=listing.public_id))
        commit_and_deliver()
        flash(_("You accepted the NDA and your request was sent to the owner. We will e-mail you their answer."),
              "success")
        return redirect(url_for("succession.detail", public_id=listing.public_id))
    db.session.commit()  # the first NDA version may just have been stored
    return render_template("succession/disclose.html", listing=listing, nda=nda, form=form)


# --- owners -----------------------------------------------------------------------------------------------------


@bp.route("/mine")
@roles_required("factory")
def mine():
    """The owner's listings and the disclosure requests waiting for a decision."""
    factory = user_factory(current_user)
    rows = []
    if factory is not None:
        rows = db.session.scalars(db.select(SuccessionListing).where(SuccessionListing.factory_id == factory.id)
                                  .options(db.selectinload(SuccessionListing.disclosures))
                                  .order_by(SuccessionListing.created_at.desc())).all()
    active = services.active_listing(factory) if factory is not None else None
    return render_template("succession/mine.html", factory=factory, rows=rows, active=active, labels=labels,
                           action_form=ActionForm())


@bp.route("/new", methods=["GET", "POST"])
@roles_required("factory")
def new():
    """Start an anonymous listing for my factory (a draft until an organiser publishes it)."""
    factory = user_factory(current_user)
    if factory is None:
        flash(_("Your account is not linked to a factory yet."), "warning")
        return redirect(url_for("succession.mine"))
    if services.active_listing(factory) is not None:
        flash(_("Your factory already has a listing. Edit it, or withdraw it first."), "info")
        return redirect(url_for("succession.mine"))
    form = ListingForm()
    if request.method == "GET":
        taxonomy = Taxonomy.default()
        form.processes.data = [taxonomy.label(c, request_locale()) for c in factory.codes("process")]
    if form.validate_on_submit():
        listing = services.create_listing(current_user, factory, form.listing_data())
        db.session.commit()
        flash(_("Your draft has been saved. Check it, then submit it for review."), "success")
        return redirect(url_for("succession.detail", public_id=listing.public_id))
    return render_template("succession/edit.html", form=form, listing=None)


@bp.route("/l/<public_id>/edit", methods=["GET", "POST"])
@roles_required("factory")
def edit(public_id: str):
    """Edit my listing; a listing in review or public goes back to draft and needs review again."""
    listing = _listing(public_id)
    if not services.can_edit(current_user, listing):
        abort(403)
    form = ListingForm(obj=listing)
    if request.method == "GET":
        taxonomy = Taxonomy.default()
        form.processes.data = [taxonomy.label(c, request_locale()) for c in listing.processes]
    if form.validate_on_submit():
        back = services.update_listing(listing, current_user, form.listing_data())
        db.session.commit()
        flash(_("Saved. The listing is a draft again: submit it when you are ready, and an organiser will review "
                "it.") if back else _("Saved."), "success")
        return redirect(url_for("succession.detail", public_id=listing.public_id))
    return render_template("succession/edit.html", form=form, listing=listing)


@bp.route("/l/<public_id>/<any(submit, pause, resume, withdraw):action>", methods=["POST"])
@login_required
def change(public_id: str, action: str):
    """Submit for review, pause, publish again or withdraw (owner; organisers may pause and withdraw)."""
    listing = _listing(public_id)
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    if not (services.is_owner(current_user, listing) or services.is_organiser(current_user)):
        abort(403)
    try:
        if action == "submit":
            services.submit(listing, current_user)
        else:
            services.set_status(listing, current_user, action)
    except SuccessionError as exc:
        db.session.rollback()
        flash(str(exc), "danger")
    else:
        commit_and_deliver()
        flash({"submit": _("Submitted. An organiser will review the listing before it is published."),
               "pause": _("The listing is paused: successors no longer find it."),
               "resume": _("The listing is published again."),
               "withdraw": _("The listing has been withdrawn.")}[action], "success")
    return redirect(url_for("succession.detail", public_id=listing.public_id))


@bp.route("/disclosures/<int:disclosure_id>/<any(approve, decline, revoke):decision>", methods=["POST"])
@roles_required("factory")
def decide(disclosure_id: int, decision: str):
    """The owner approves or declines a successor's request (or withdraws access later)."""
    disclosure = db.session.get(Disclosure, disclosure_id)
    if disclosure is None or not services.is_owner(current_user, disclosure.listing):
        abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        services.decide(disclosure, current_user, decision)
    except SuccessionError as exc:
        db.session.rollback()
        flash(str(exc), "danger")
    else:
        commit_and_deliver()
        flash({"approve": _("Approved: this successor can now see your factory's details."),
               "decline": _("Declined. The successor has been told."),
               "revoke": _("Access withdrawn.")}[decision], "success")
    return redirect(url_for("succession.detail", public_id=disclosure.listing.public_id) + "#requests")


@bp.route("/l/<public_id>/audit")
@login_required
def audit(public_id: str):
    """Every disclosure and every view of the disclosed details (owner and organisers)."""
    listing = _listing(public_id)
    if not services.can_read_audit(current_user, listing):
        abort(403)
    events = db.session.scalars(db.select(AuditEvent).where(AuditEvent.listing_id == listing.id)
                                .options(db.selectinload(AuditEvent.actor))
                                .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())).all()
    return render_template("succession/audit.html", listing=listing, events=events, labels=labels)


@bp.route("/l/<public_id>/successors")
@login_required
def successors(public_id: str):
    """Successor profiles that fit this listing, with reasons (owner and organisers)."""
    listing = _listing(public_id)
    if not (services.is_owner(current_user, listing) or services.is_organiser(current_user)):
        abort(403)
    ranked = fits.successors_for(listing, request_locale())
    requested = {d.successor_id: d for d in listing.disclosures}
    return render_template("succession/successors.html", listing=listing, ranked=ranked, requested=requested,
                           labels=labels)


@bp.route("/l/<public_id>/documents", methods=["POST"])
@roles_required("factory")
def upload_document(public_id: str):
    """Attach a PDF (shown only to the owner, organisers and approved successors)."""
    listing = _listing(public_id)
    if not services.can_edit(current_user, listing):
        abort(403)
    form = DocumentForm()
    if len(listing.documents) >= MAX_DOCUMENTS:
        flash(_("A listing can have at most %(n)s documents.", n=MAX_DOCUMENTS), "danger")
    elif form.validate_on_submit():
        head = form.file.data.stream.read(8)
        form.file.data.stream.seek(0)
        if not head.lstrip(b"\xef\xbb\xbf \r\n\t").startswith(b"%PDF-"):
            flash(_("Please upload a PDF."), "danger")
        else:
            try:
                stored = uploads.save_attachment(form.file.data)
            except uploads.UploadError as exc:
                flash(str(exc), "danger")
            else:
                listing.documents.append(ListingDocument(**ListingDocument.stored_columns(stored)))
                services.audit(listing, current_user, "document_added")
                db.session.commit()
                flash(_("The document has been attached."), "success")
    else:
        flash_form_errors(form)
    return redirect(url_for("succession.detail", public_id=listing.public_id) + "#documents")


@bp.route("/l/<public_id>/documents/<int:document_id>/delete", methods=["POST"])
@roles_required("factory")
def delete_document(public_id: str, document_id: int):
    """Remove a document (owner)."""
    listing = _listing(public_id)
    if not services.can_edit(current_user, listing):
        abort(403)
    document = db.session.get(ListingDocument, document_id)
    if document is None or document.listing_id != listing.id or not ActionForm().validate_on_submit():
        abort(404)
    document.remove_file()
    db.session.delete(document)
    services.audit(listing, current_user, "document_removed")
    db.session.commit()
    flash(_("The document has been removed."), "info")
    return redirect(url_for("succession.detail", public_id=listing.public_id) + "#documents")


@bp.route("/l/<public_id>/documents/<int:document_id>")
@login_required
def document(public_id: str, document_id: int):
    """Download a document: owner, organisers and approved successors only; every download is logged."""
    listing = _listing(public_id)
    document = db.session.get(ListingDocument, document_id)
    if document is None or document.listing_id != listing.id or not services.can_see_identity(current_user, listing):
        abort(404)
    return _serve_disclosed(listing, "document_downloaded", f"document #{document.id}", "attachments",
                            document.stored_name, mimetype="application/pdf", download_name=document.original_name)


@bp.route("/l/<public_id>/photos/<int:photo_id>")
@login_required
def photo(public_id: str, photo_id: int):
    """A factory photo, only once disclosed (re-encoded on upload: no metadata); every view is logged."""
    listing = _listing(public_id)
    row = db.session.get(FactoryPhoto, photo_id)
    if row is None or row.factory_id != listing.factory_id or not services.can_see_identity(current_user, listing):
        abort(404)
    return _serve_disclosed(listing, "photo_viewed", f"photo #{row.id}", "photos", row.stored_name,
                            mimetype="image/jpeg")


def _serve_disclosed(listing, event: str, detail: str, kind: str, stored_name: str, **send_options):
    """Log the view for the owner, then send the file uncached (disclosed data must not linger in caches)."""
    services.record_view(listing, current_user, event, detail)
    db.session.commit()
    if "download_name" in send_options:  # a document: a safe name, RFC 5987 filename* (hub.core.uploads)
        response = uploads.send_stored(kind, stored_name, send_options["download_name"], send_options["mimetype"])
    else:
        response = send_from_directory(uploads.folder(kind), stored_name, max_age=0, **send_options)
    response.headers["Cache-Control"] = "private, no-store"
    return response


# --- organisers -------------------------------------------------------------------------------------------------


@bp.route("/review")
@roles_required("organiser")
def review():
    """Listings waiting for review, and every listing with its status."""
    rows = db.session.scalars(db.select(SuccessionListing).options(db.selectinload(SuccessionListing.factory))
                              .order_by(SuccessionListing.updated_at.desc())).all()
    waiting = [row for row in rows if row.status == ListingStatus.SUBMITTED]
    return render_template("succession/review.html", waiting=waiting, rows=rows, labels=labels)


@bp.route("/l/<public_id>/approve", methods=["POST"])
@roles_required("organiser")
def approve(public_id: str):
    """Publish a submitted listing (the anonymity check must pass)."""
    listing = _listing(public_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        services.approve(listing, current_user)
    except SuccessionError as exc:
        db.session.rollback()
        flash(str(exc), "danger")
    else:
        commit_and_deliver()
        flash(_("The listing is published. The owner has been told."), "success")
    return redirect(url_for("succession.detail", public_id=listing.public_id))


@bp.route("/l/<public_id>/return", methods=["POST"])
@roles_required("organiser")
def return_listing(public_id: str):
    """Send a submitted listing back to its owner with a note."""
    listing = _listing(public_id)
    form = ReturnForm()
    if not form.validate_on_submit():
        flash_form_errors(form)
        return redirect(url_for("succession.detail", public_id=listing.public_id) + "#review")
    try:
        services.return_listing(listing, current_user, form.note.data)
    except SuccessionError as exc:
        db.session.rollback()
        flash(str(exc), "danger")
    else:
        commit_and_deliver()
        flash(_("The listing has been returned to its owner with your note."), "success")
    return redirect(url_for("succession.detail", public_id=listing.public_id))


@bp.route("/nda", methods=["GET", "POST"])
@roles_required("organiser")
def nda():
    """The NDA's versions; publishing a new one applies to requests from now on."""
    current = services.current_nda()
    form = NdaForm(obj=current)
    if form.validate_on_submit():
        try:
            created = services.publish_nda(current_user, form.text_ja.data, form.text_en.data)
        except SuccessionError as exc:
            db.session.rollback()
            flash(str(exc), "danger")
        else:
            db.session.commit()
            flash(_("Version %(n)s of the NDA is now in force.", n=created.version), "success")
            return redirect(url_for("succession.nda"))
    db.session.commit()
    versions = db.session.scalars(db.select(NdaVersion).order_by(NdaVersion.version.desc())).all()
    return render_template("succession/nda.html", form=form, versions=versions, current=current)


def _outreach_filters():
    form = OutreachFilterForm(request.args)
    form.ward.choices = [("", _("All areas"))] + ward_choices()
    form.stage.choices = [("", _("Any stage"))] + labels.choices(labels.STAGE_LABELS)
    if form.validate():
        return form, outreach_services.outreach_candidates(ward=form.ward.data or None, stage=form.stage.data or None,
                                                  min_age=form.min_age.data)
    return form, outreach_services.outreach_candidates()


@bp.route("/outreach")
@roles_required("organiser")
def outreach():
    """Push-style support: factories likely to need a successor, and where each visit stands."""
    form, candidates = _outreach_filters()
    page_no = page_arg()
    per_page = 50
    pages = max(1, (len(candidates) + per_page - 1) // per_page)
    page_no = min(max(page_no, 1), pages)
    shown = candidates[(page_no - 1) * per_page: page_no * per_page]
    counts = {stage: sum(1 for c in candidates if (c.record.stage if c.record else "candidate") == stage)
              for stage in labels.STAGE_LABELS}
    return render_template("succession/outreach.html", form=form, candidates=shown, total=len(candidates),
                           page_no=page_no, pages=pages, counts=counts, labels=labels)


@bp.route("/outreach.csv")
@roles_required("organiser")
def outreach_csv():
    """The outreach list as CSV for Excel (UTF-8 with BOM)."""
    _form, candidates = _outreach_filters()
    table = [[_("Factory"), _("Area"), _("Owner's age"), _("Successor"), _("Risk"), _("Stage"),
              _("Contacted"), _("Visited"), _("Plan drafted"), _("Plan complete"), _("Organiser notes")]]
    for c in candidates:
        r = c.record
        table.append([
            c.factory.name, services.ward_name(c.factory.ward), c.age if c.age is not None else "",
            labels.label(labels.SUCCESSOR_STATUS_LABELS, c.factory.successor_status), c.risk,
            labels.label(labels.STAGE_LABELS, r.stage if r else "candidate"),
            *[(getattr(r, name).isoformat() if r and getattr(r, name) else "")
              for name in ("contacted_on", "visited_on", "plan_drafted_on", "plan_completed_on")],
            r.notes if r else "",
        ])
    return csv_response(table, "succession-outreach.csv")


@bp.route("/outreach/<int:factory_id>", methods=["GET", "POST"])
@roles_required("organiser")
def outreach_detail(factory_id: int):
    """One factory's outreach record: visit log, the next step, organiser notes."""
    factory = db.get_or_404(Factory, factory_id)
    record = db.session.scalar(db.select(OutreachRecord).where(OutreachRecord.factory_id == factory.id))
    form = OutreachStepForm()
    notes_form = OutreachNotesForm(obj=record, prefix="n")
    if form.validate_on_submit():
        record = record or outreach_services.outreach_record(factory, current_user)
        try:
            outreach_services.add_outreach_step(record, current_user, form.stage.data, form.happened_on.data,
                                       form.note.data or "")
        except SuccessionError as exc:
            db.session.rollback()
            flash(str(exc), "danger")
        else:
            db.session.commit()
            flash(_("The step has been recorded."), "success")
            return redirect(url_for("succession.outreach_detail", factory_id=factory.id))
    listing = services.active_listing(factory)
    return render_template("succession/outreach_detail.html", factory=factory, record=record, form=form,
                           notes_form=notes_form, age=outreach_services.owner_age(factory),
                           risk=outreach_services.risk(factory), listing=listing, labels=labels)


@bp.route("/outreach/<int:factory_id>/notes", methods=["POST"])
@roles_required("organiser")
def outreach_notes(factory_id: int):
    """Save the organisers' notes about a factory."""
    factory = db.get_or_404(Factory, factory_id)
    form = OutreachNotesForm(prefix="n")
    if form.validate_on_submit():
        record = outreach_services.outreach_record(factory, current_user)
        record.notes = (form.notes.data or "").strip()
        db.session.commit()
        flash(_("The notes have been saved."), "success")
    else:
        flash_form_errors(form)
    return redirect(url_for("succession.outreach_detail", factory_id=factory.id))
