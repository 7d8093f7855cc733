"""Issue 10, finding 7: uploaded drawings keep the extension of their detected type, never the client's; names are
cleaned when stored and again when sent (a NUL or a line break broke every later download); Content-Disposition
carries an RFC 5987 ``filename*``; images that claim too many pixels are refused with a message."""

from __future__ import annotations

import io

import pytest

from hub.extensions import db
from hub.needs.models import NeedAttachment
from tests.deals.test_upload_safety import png_claiming
from tests.test_needs import PDF, STEP, _attach, _post_need


def _download(client, attachment_id):
    with client.get(f"/needs/attachments/{attachment_id}") as response:
        return response.status_code, response.headers.get("Content-Disposition", ""), response.data


def _only_attachment(app) -> NeedAttachment:
    with app.app_context():
        row = db.session.scalar(db.select(NeedAttachment).order_by(NeedAttachment.id.desc()))
        db.session.expunge(row)
        return row


def test_a_step_file_named_html_is_stored_and_sent_as_step(app, client, login_as):
    login_as("seeker")
    need_id = _post_need(client)
    _attach(client, need_id, STEP, "drawing.html")
    row = _only_attachment(app)
    assert (row.original_name, row.content_type) == ("drawing.step", "model/step")
    assert row.stored_name.endswith(".step")
    status, disposition, data = _download(client, row.id)
    assert status == 200 and data == STEP
    assert disposition == "attachment; filename=\"drawing.step\"; filename*=UTF-8''drawing.step"


@pytest.mark.parametrize("name", ["dra\x00wing.pdf", "plan\tX-Injected: 1.pdf", "\x1b[31mred\x7f.pdf",
                                  "..\\..\\win.ini", "\u202efdp.exe"])
def test_control_characters_in_a_name_are_cleaned_when_stored(app, client, login_as, name):
    login_as("seeker")
    need_id = _post_need(client)
    _attach(client, need_id, PDF, name)
    row = _only_attachment(app)
    assert row.original_name.endswith(".pdf")
    assert all(ch.isprintable() for ch in row.original_name) and "\\" not in row.original_name
    status, disposition, data = _download(client, row.id)
    assert status == 200 and data == PDF
    assert all(32 <= ord(ch) < 127 for ch in disposition)


def test_a_name_stored_before_the_fix_still_downloads(app, client, login_as):
    """Rows saved by the old code keep their raw names: the download cleans them again."""
    login_as("seeker")
    need_id = _post_need(client)
    _attach(client, need_id, PDF, "plan.pdf")
    row = _only_attachment(app)
    with app.app_context():
        db.session.get(NeedAttachment, row.id).original_name = "図面\r\nSet-Cookie: x=1\x07.html"
        db.session.commit()
    status, disposition, data = _download(client, row.id)
    assert status == 200 and data == PDF
    assert "\r" not in disposition and "\n" not in disposition and ".html" not in disposition
    assert disposition.endswith("filename*=UTF-8''%E5%9B%B3%E9%9D%A2Set-Cookie%3A%20x%3D1.pdf")


def test_a_png_claiming_30000_by_30000_pixels_is_refused_with_a_message(app, client, login_as):
    login_as("seeker")
    need_id = _post_need(client)
    page = _attach(client, need_id, png_claiming(30000, 30000), "photo.png")
    assert page.status_code == 200 and "画素数が多すぎます" in page.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(NeedAttachment.id))) == 0


def test_safe_filename_rules():
    from hub.core.uploads import content_disposition, safe_filename

    assert safe_filename("drawing.html", ".step") == "drawing.step"
    assert safe_filename("../../etc/passwd", ".pdf") == "passwd.pdf"
    assert safe_filename("", ".pdf", "drawing") == "drawing.pdf"
    assert safe_filename("図面　第1版.PDF", ".pdf") == "図面 第1版.pdf"
    assert len(safe_filename("x" * 500 + ".pdf", ".pdf")) <= 124
    assert content_disposition("図面.pdf") == (
        "attachment; filename=\"file.pdf\"; filename*=UTF-8''%E5%9B%B3%E9%9D%A2.pdf")


def test_photos_refuse_pixel_bombs_too(app, client, login_as, make_factory):
    from werkzeug.datastructures import FileStorage

    from hub.core.uploads import UploadError, save_photo

    with app.test_request_context():
        with pytest.raises(UploadError):
            save_photo(FileStorage(io.BytesIO(png_claiming(30000, 30000)), "p.png"))
