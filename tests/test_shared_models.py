"""Issue 17's shared model pieces: the stored-file mixin, and predicates that say the same in Python and in SQL."""

from __future__ import annotations

from sqlalchemy import String, inspect

from hub.core.files import StoredDocumentMixin, StoredFileMixin
from hub.deals.models import DealAttachment
from hub.extensions import db
from hub.factories.models import Factory, FactoryPhoto, ReviewStatus
from hub.needs.models import NeedAttachment
from hub.succession.models import ListingDocument, ListingStatus, SuccessionListing


def test_every_upload_model_uses_the_mixin_with_the_same_columns():
    for model in (NeedAttachment, DealAttachment, ListingDocument):
        assert issubclass(model, StoredDocumentMixin)
        columns = inspect(model).columns
        assert columns["original_name"].type.length == 200 and columns["content_type"].type.length == 100
    for model in (NeedAttachment, DealAttachment, ListingDocument, FactoryPhoto):
        assert issubclass(model, StoredFileMixin)
        columns = inspect(model).columns
        assert isinstance(columns["stored_name"].type, String) and columns["stored_name"].type.length == 80
        assert columns["stored_name"].unique and not columns["size_bytes"].nullable
        assert columns["created_at"].default is not None
    assert FactoryPhoto.upload_kind == "photos" and NeedAttachment.upload_kind == "attachments"


def test_download_name_takes_the_extension_of_the_detected_type():
    attachment = NeedAttachment(original_name='../ev"il.html', stored_name="0123abcd.STEP",
                                content_type="model/step", size_bytes=10)
    assert attachment.extension == ".step"
    assert attachment.download_name == "evil.step"


def test_stored_columns_copies_what_uploads_returned():
    from hub.core.uploads import StoredFile

    stored = StoredFile("abc.pdf", 123, "application/pdf", original_name="plan.pdf")
    row = ListingDocument(**ListingDocument.stored_columns(stored))
    assert (row.stored_name, row.size_bytes, row.content_type, row.original_name) == (
        "abc.pdf", 123, "application/pdf", "plan.pdf")


def test_factory_is_public_in_python_and_sql(app, make_factory):
    cases = {(True, None): True, (False, None): False, (False, ReviewStatus.HELD): False,
             (True, ReviewStatus.HELD): False, (False, ReviewStatus.REJECTED): False}
    ids = {key: make_factory(name=f"Shape {key}") for key in cases}
    with app.app_context():
        for (published, review), factory_id in ids.items():
            factory = db.session.get(Factory, factory_id)
            factory.is_published, factory.review_status = published, review
        db.session.flush()
        public = set(db.session.scalars(db.select(Factory.id).where(Factory.is_public, Factory.id.in_(ids.values()))))
        for key, expected in cases.items():
            factory = db.session.get(Factory, ids[key])
            assert bool(factory.is_public) is expected, key
            assert (ids[key] in public) is expected, key


def test_listing_visibility_in_python_and_sql(app, make_factory):
    factory_id = make_factory(name="Listing shape")
    with app.app_context():
        rows = {status: SuccessionListing(factory_id=factory_id, status=status) for status in ListingStatus}
        db.session.add_all(rows.values())
        db.session.flush()
        ids = [row.id for row in rows.values()]
        visible = set(db.session.scalars(db.select(SuccessionListing.status).where(
            SuccessionListing.is_visible_to_successors, SuccessionListing.id.in_(ids))))
        shown = set(db.session.scalars(db.select(SuccessionListing.status).where(
            SuccessionListing.is_shown_to_approved, SuccessionListing.id.in_(ids))))
        assert visible == {status for status, row in rows.items() if row.is_visible_to_successors} == {"published"}
        assert shown == {status for status, row in rows.items() if row.is_shown_to_approved} == {
            "published", "paused", "held"}
