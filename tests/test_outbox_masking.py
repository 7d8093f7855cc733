"""The organisers' outbox shows emails with the secrets in their links masked (issue 10, finding 11); the stored
message, which is what the recipient gets, stays intact."""

from __future__ import annotations

import re

import pytest

from hub.extensions import db
from hub.mail.masking import mask_secrets
from hub.mail.models import EmailMessage


def test_reset_link_is_masked_in_the_outbox_but_delivered_intact(app, client, make_user, login_as):
    make_user(email="mask@example.jp")
    assert client.post("/auth/reset", data={"email": "mask@example.jp"}).status_code == 302
    with app.app_context():
        message = db.session.scalar(db.select(EmailMessage).where(EmailMessage.kind == "password_reset"))
        token = re.search(r"/auth/reset/(\S+)", message.body_text).group(1)
        message_id = message.id
    assert len(token) > 30
    login_as("organiser")
    page = client.get(f"/organiser/outbox/{message_id}").get_data(as_text=True)
    assert token not in page and token[:12] not in page
    assert "http://localhost.localdomain/auth/reset/" + token[:4] in page  # still recognisable as a reset link
    client.post("/auth/logout")
    # The link itself (from the stored message) still works for its recipient.
    assert client.get(f"/auth/reset/{token}").status_code == 200


@pytest.mark.parametrize("secret", [
    "eyJ1aWQiOjEsInBoIjoiYWJjIn0.aw_BMQ.sgQrtMlXWGcoepU8CCS6HhUYUDA",  # itsdangerous (reset, manage)
    "Xk3_9aQzL0pW-7mNvB2cR5tYh8uJ1oEs4dFgHjKl6zA",  # secrets.token_urlsafe(32)
    "MTIz.4WThmhZdJvQMMzZOjSNEmyhCcNI",  # a signed booking id
    "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b",  # hex
])
def test_secret_looking_parts_of_links_are_masked(secret):
    for text in (f"https://hub.example.jp/auth/reset/{secret}",
                 f"https://hub.example.jp/openfactory/bookings/7?token={secret}",
                 f"キャンセル: https://hub.example.jp/openfactory/my/{secret}。"):
        masked = mask_secrets(text)
        assert secret not in masked and secret[5:] not in masked, masked
        assert "https://hub.example.jp/" in masked and secret[:4] + "••••••" in masked


@pytest.mark.parametrize("text", [
    "https://hub.example.jp/openfactory/programs/open-factory-week-2026",
    "https://machikoba-hub.example.jp/factories/12?lang=en",
    "ご予約ありがとうございます。Lathe tour at Yamada Seisakusho, 2026-11-03 10:00",
])
def test_ordinary_links_and_text_stay_readable(text):
    assert mask_secrets(text) == text


def test_short_token_parameters_are_masked_whatever_their_shape():
    assert mask_secrets("https://hub.example.jp/x?lang=ja&token=abc123") == "https://hub.example.jp/x?lang=ja&token=••••••"
