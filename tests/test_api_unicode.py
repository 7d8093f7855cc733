"""Issue 10, finding 7: a lone surrogate (``"\\ud800"``, valid JSON but not Unicode) gave 500s. ``json_body`` now
refuses it with a 400 JSON error for every endpoint that reads JSON."""

from __future__ import annotations

import pytest

LONE = '"a\\ud800b"'


@pytest.mark.parametrize("url,template", [
    ("/api/v1/auth/token", '{"email": %s, "password": "x"}'),
    ("/api/v1/match/factories", '{"text": %s}'),
    ("/api/v1/match/chain", '{"steps": [%s], "ward": "ota"}'),
    ("/api/v1/openfactory/slots/1/bookings", '{"name": %s, "email": "a@example.jp", "party_size": 1}'),
    ("/api/v1/auth/token", '{%s: "key", "email": "a@example.jp", "password": "x"}'),
    ("/api/v1/auth/token", '{"email": "a@example.jp", "password": "x", "deep": [[{"k": [%s]}]]}'),
])
def test_lone_surrogates_are_a_400_json_error(client, url, template):
    response = client.post(url, data=template % LONE, content_type="application/json")
    assert response.status_code == 400, response.data[:300]
    error = response.get_json()["error"]
    assert error["code"] == "invalid_json" and error["message"]


def test_surrogate_pairs_are_ordinary_text(client):
    """An escaped pair is one real character (an emoji): still accepted."""
    response = client.post("/api/v1/match/factories", data='{"text": "\\ud83d\\ude00 アルミ 切削"}',
                           content_type="application/json")
    assert response.status_code == 200
