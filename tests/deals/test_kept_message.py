"""Errors that keep work (issue 12): a refused attachment shows the deal page again with the typed message and the
reason (and the limit); the file field states the limit; a request over the size limit is a page of the hub (JSON
under /api) that leads back to the form."""

from __future__ import annotations

import io

from tests.deals.conftest import accept


def _multipart(body: str, filename: str, content: bytes) -> bytes:
    """A message with one file as a raw multipart body: an in-memory stream (the test client would spool a large
    encoded form to a temporary file that it never closes)."""
    return (b'--x\r\nContent-Disposition: form-data; name="body"\r\n\r\n' + body.encode() + b"\r\n--x\r\n"
            b'Content-Disposition: form-data; name="files"; filename="' + filename.encode() + b'"\r\n'
            b"Content-Type: application/pdf\r\n\r\n" + content + b"\r\n--x--\r\n")


def test_a_refused_attachment_keeps_the_typed_message_and_says_why(app, world, open_deal, signin):
    deal_id, step_id = open_deal
    accept(signin, world, deal_id, step_id)
    seeker = signin(world.seeker)
    text = "図面を添付します。寸法は前回と同じです。"
    response = seeker.post(f"/deals/{deal_id}/messages?lang=en", data={
        "body": text, "files": [(io.BytesIO(b"MZ\x90\x00 not a drawing"), "drawing.pdf")]},
        content_type="multipart/form-data")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert f"{text}</textarea>" in page
    assert "Please upload a drawing as PDF, PNG, JPEG or STEP." in page
    assert "at most 15 MB each" in page  # the limit is stated by the field


def test_a_file_over_the_limit_is_refused_with_the_limit_and_the_message_kept(app, world, open_deal, signin,
                                                                             monkeypatch):
    deal_id, step_id = open_deal
    accept(signin, world, deal_id, step_id)
    monkeypatch.setitem(app.config, "ATTACHMENT_MAX_BYTES", 1024 * 1024)
    seeker = signin(world.seeker)
    big = b"%PDF-1.4\n" + b"0" * (1024 * 1024 + 1)  # over the attachment limit, under the request limit
    response = seeker.post(f"/deals/{deal_id}/messages?lang=en", data=_multipart("大きい図面です", "big.pdf", big),
                           content_type="multipart/form-data; boundary=x")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "大きい図面です</textarea>" in page and "at most 1 MB" in page


def test_a_413_is_a_hub_page_with_the_limit_and_a_way_back_and_json_under_the_api(app, world, open_deal, signin,
                                                                                  monkeypatch):
    deal_id, _step = open_deal
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 1024 * 1024)
    seeker = signin(world.seeker)
    form_url = f"http://localhost.localdomain/deals/{deal_id}"
    response = seeker.post(f"/deals/{deal_id}/messages?lang=en", data=_multipart("x", "huge.pdf", b"0" * 2**21),
                           content_type="multipart/form-data; boundary=x", headers={"Referer": form_url})
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "at most 1 MB in all" in page and "what you typed is still there" in page
    assert f'href="{form_url}"' in page and 'data-testid="error-back"' in page and "navbar" in page
    api = seeker.post("/api/v1/openfactory/slots/1/bookings", data=b"0" * (2 * 1024 * 1024),
                      content_type="application/json")
    assert api.status_code == 413 and api.get_json()["error"]["code"] == "too_large"
