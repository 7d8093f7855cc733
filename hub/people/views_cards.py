"""Know-how cards (技能カード): search, read, write, and their photos and clips (served with range requests so a
phone's player can seek)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from hub.core import uploads
from hub.core.labels import process_choices
from hub.extensions import db
from hub.people import cards
from hub.people.errors import PeopleError, commit_saved
from hub.people.forms import ActionForm, CardForm, MediaForm
from hub.people.models import CardMedia, KnowhowCard
from hub.people.routes import bp


@bp.route("/cards")
def card_list():
    """Search the know-how cards this visitor may read (words in any field; a process)."""
    text = request.args.get("q", "")[:200]
    process = request.args.get("process", "")[:60]
    found = cards.search(current_user, text, process)
    return render_template("people/cards.html", cards=found, q=text, process=process, choices=process_choices(),
                           may_write=cards.may_write(current_user))


def _readable(card_id: int) -> KnowhowCard:
    card = db.get_or_404(KnowhowCard, card_id)
    if not cards.can_view(current_user, card):
        abort(404)  # a private card is not shown to exist
    return card


def _editable(card_id: int) -> KnowhowCard:
    card = _readable(card_id)
    if not cards.can_edit(current_user, card):
        abort(403)
    return card


@bp.route("/cards/<int:card_id>")
def card(card_id: int):
    """One card: steps, tolerances, tools, common mistakes, photos and clips."""
    card = _readable(card_id)
    return render_template("people/card.html", card=card, can_edit=cards.can_edit(current_user, card),
                           media_form=MediaForm(), form=ActionForm())


def _save_card_view(card: KnowhowCard | None):
    form = CardForm(obj=card)
    if form.validate_on_submit():
        data = {name: getattr(form, name).data or "" for name in cards.CARD_FIELDS}
        saved = commit_saved(form, lambda: cards.save_card(current_user, card, data), _("The card has been saved."))
        if saved is not None:
            return redirect(url_for("people.card", card_id=saved.id))
    return render_template("people/card_form.html", form=form, card=card)


@bp.route("/cards/new", methods=["GET", "POST"])
@login_required
def card_new():
    """A factory member or a registered master writes a card."""
    if not cards.may_write(current_user):
        abort(403)
    return _save_card_view(None)


@bp.route("/cards/<int:card_id>/edit", methods=["GET", "POST"])
@login_required
def card_edit(card_id: int):
    """The card's factory or master edits it."""
    return _save_card_view(_editable(card_id))


@bp.route("/cards/<int:card_id>/delete", methods=["POST"])
@login_required
def card_delete(card_id: int):
    """Delete a card with its photos and clips."""
    card = _editable(card_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    cards.delete_card(current_user, card)
    db.session.commit()
    flash(_("The card has been deleted."), "success")
    return redirect(url_for("people.card_list"))


@bp.route("/cards/<int:card_id>/media", methods=["POST"])
@login_required
def card_media_new(card_id: int):
    """Add a photo or a short clip (checked by its bytes and size)."""
    card = _editable(card_id)
    form = MediaForm()
    if form.validate_on_submit():
        try:
            cards.add_media(current_user, card, form.file.data, form.caption.data or "")
        except (PeopleError, uploads.UploadError) as exc:
            flash(str(getattr(exc, "message", exc)), "danger")
        else:
            db.session.commit()
            flash(_("The file has been added."), "success")
    else:
        flash(_("Choose a photo or a video."), "danger")
    return redirect(url_for("people.card", card_id=card.id))


def _media(card_id: int, media_id: int) -> CardMedia:
    media = db.get_or_404(CardMedia, media_id)
    if media.card_id != card_id:
        abort(404)
    return media


@bp.route("/cards/<int:card_id>/media/<int:media_id>")
def card_media(card_id: int, media_id: int):
    """A card's photo or clip, for those who may read the card; answers range requests (206) for seeking."""
    _readable(card_id)
    return _media(card_id, media_id).send(as_attachment=False)


@bp.route("/cards/<int:card_id>/media/<int:media_id>/delete", methods=["POST"])
@login_required
def card_media_delete(card_id: int, media_id: int):
    """Remove a photo or clip from a card."""
    _editable(card_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    cards.remove_media(current_user, _media(card_id, media_id))
    db.session.commit()
    flash(_("The file has been removed."), "success")
    return redirect(url_for("people.card", card_id=card_id))
