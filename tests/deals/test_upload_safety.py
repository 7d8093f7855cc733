"""Issue 10, finding 7 in a deal's thread: a PNG that claims 30000×30000 pixels is refused with a message (it was
a 500) and the message's earlier files are not left behind; a drawing's extension comes from its content."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

from hub.deals.models import DealAttachment, DealMessage
from hub.extensions import db
from tests.deals.conftest import PDF, accept

STEP = b"ISO-10303-21;\nHEADER;\nENDSEC;\nEND-ISO-10303-21;\n"


def png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims width × height pixels (a decompression bomb needs no more to hurt)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
            + chunk(b"IEND", b""))


def _stored_files(app) -> set[str]:
    folder = Path(app.config["UPLOAD_FOLDER"]) / "attachments"
    return {p.name for p in folder.iterdir()} if folder.exists() else set()


def test_a_pixel_bomb_is_refused_and_leaves_no_file_behind(app, world, open_deal, signin):
    deal_id, step_id = open_deal
    accept(signin, world, deal_id, step_id)
    seeker = signin(world.seeker)
    before = _stored_files(app)
    response = seeker.post(f"/deals/{deal_id}/messages?lang=en", data={
        "body": "two drawings", "files": [(io.BytesIO(PDF), "plan.pdf"), (io.BytesIO(STEP), "part.step"),
                                          (io.BytesIO(png_claiming(30000, 30000)), "photo.png")]},
        content_type="multipart/form-data", follow_redirects=True)
    assert response.status_code == 400  # the page again, with the typed message kept (issue 12)
    assert "too many pixels" in response.get_data(as_text=True)
    assert "two drawings</textarea>" in response.get_data(as_text=True)
    assert _stored_files(app) == before  # all or nothing: plan.pdf and part.step were removed again
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(DealAttachment.id))) == 0
        assert all(m.body != "two drawings" for m in db.session.scalars(db.select(DealMessage)))


def test_a_pixel_bomb_through_the_api_is_a_400(app, client, world, open_deal, signin):
    from tests.deals.test_api import _headers

    deal_id, step_id = open_deal
    accept(signin, world, deal_id, step_id)
    before = _stored_files(app)
    response = client.post(f"/api/v1/deals/{deal_id}/messages", headers=_headers(client, app, world.seeker),
                           content_type="multipart/form-data",
                           data={"body": "bomb", "files": [(io.BytesIO(PDF), "plan.pdf"),
                                                           (io.BytesIO(png_claiming(30000, 30000)), "x.png")]})
    assert response.status_code == 400 and response.get_json()["error"]["message"]
    assert _stored_files(app) == before


def test_a_step_file_named_html_downloads_as_step(app, world, open_deal, signin):
    deal_id, step_id = open_deal
    accept(signin, world, deal_id, step_id)
    seeker = signin(world.seeker)
    seeker.post(f"/deals/{deal_id}/messages", data={"body": "step", "files": [(io.BytesIO(STEP), "drawing.html")]},
                content_type="multipart/form-data")
    with app.app_context():
        attachment = db.session.scalar(db.select(DealAttachment))
        assert (attachment.original_name, attachment.content_type) == ("drawing.step", "model/step")
        attachment_id = attachment.id
    with seeker.get(f"/deals/{deal_id}/files/{attachment_id}") as response:
        assert response.status_code == 200 and response.data == STEP
        disposition = response.headers["Content-Disposition"]
        assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert ".html" not in disposition and "filename*=UTF-8''drawing.step" in disposition
