"""Needs: posting, visibility, editing rights and access to drawings."""

from __future__ import annotations

import io

import pytest

from hub.extensions import db
from hub.needs.models import Need, NeedAttachment

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
STEP = b"ISO-10303-21;\nHEADER;\nENDSEC;\nEND-ISO-10303-21;\n"


def _need_form(**overrides):
    data = {"title": "IoTセンサーのアルミ筐体 20個", "description": "切削のあと黒アルマイト。試作です。",
            "processes": "切削\nアルマイト", "materials": "A5052", "quantity": "20", "deadline": "",
            "budget_band": "100k_500k", "kind": "fabrication", "visibility": "public",
            "attachment_access": "private", "status": "open", "language": "ja"}
    data.update(overrides)
    return data


def _post_need(client, **overrides) -> int:
    response = client.post("/needs/new", data=_need_form(**overrides))
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])


def test_seeker_posts_a_need_and_it_is_listed(client, login_as):
    login_as("seeker")
    need_id = _post_need(client)
    page = client.get(f"/needs/{need_id}").get_data(as_text=True)
    assert "IoTセンサーのアルミ筐体 20個" in page
    assert "IoTセンサーのアルミ筐体" in client.get("/needs/").get_data(as_text=True)
    assert "IoTセンサーのアルミ筐体" in client.get("/needs/mine").get_data(as_text=True)


def test_need_form_errors_keep_input(client, login_as):
    login_as("seeker")
    response = client.post("/needs/new", data=_need_form(title="", quantity="-3", deadline="2001-01-01",
                                                         kind="weapons"))
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "締め切りが過去の日付です" in body
    assert "切削のあと黒アルマイト" in body


@pytest.mark.parametrize("visibility, anonymous, other_member", [
    ("public", 200, 200),
    ("members", 404, 200),
    ("private", 404, 404),
])
def test_visibility(app, client, login_as, make_user, visibility, anonymous, other_member):
    login_as("seeker")
    need_id = _post_need(client, visibility=visibility)
    client.post("/auth/logout")
    assert client.get(f"/needs/{need_id}").status_code == anonymous
    listed = "IoTセンサー" in client.get("/needs/").get_data(as_text=True)
    assert listed == (anonymous == 200)
    login_as("factory")
    assert client.get(f"/needs/{need_id}").status_code == other_member
    client.post("/auth/logout")
    login_as("organiser")
    assert client.get(f"/needs/{need_id}").status_code == 200


def test_only_owner_and_organiser_edit(client, login_as):
    login_as("seeker")
    need_id = _post_need(client)
    assert client.get(f"/needs/{need_id}/edit").status_code == 200
    client.post("/auth/logout")
    login_as("seeker")
    assert client.get(f"/needs/{need_id}/edit").status_code == 403
    assert client.post(f"/needs/{need_id}/edit", data=_need_form(title="hijack")).status_code == 403
    client.post("/auth/logout")
    login_as("organiser")
    assert client.post(f"/needs/{need_id}/edit", data=_need_form(title="整理済み")).status_code == 302


def _status(client, url: str) -> int:
    """GET a file URL and close the streamed response (send_file keeps the file open until then)."""
    with client.get(url) as response:
        return response.status_code


def _attach(client, need_id, payload, name):
    return client.post(f"/needs/{need_id}/attachments", data={"file": (io.BytesIO(payload), name)},
                       content_type="multipart/form-data", follow_redirects=True)


def test_drawings_are_checked_by_content(app, client, login_as):
    login_as("seeker")
    need_id = _post_need(client)
    assert "図面を添付しました" in _attach(client, need_id, PDF, "drawing.pdf").get_data(as_text=True)
    assert "図面を添付しました" in _attach(client, need_id, STEP, "part.step").get_data(as_text=True)
    refused = _attach(client, need_id, b"MZ\x90\x00 this is an exe", "drawing.pdf").get_data(as_text=True)
    assert "PDF、PNG、JPEG、STEP" in refused
    with app.app_context():
        kinds = sorted(a.content_type for a in db.session.scalars(db.select(NeedAttachment)))
    assert kinds == ["application/pdf", "model/step"]


def test_drawing_access_follows_the_owners_choice(app, client, login_as, make_factory):
    owner = login_as("seeker")
    need_id = _post_need(client, attachment_access="private")
    _attach(client, need_id, PDF, "secret.pdf")
    with app.app_context():
        attachment_id = db.session.scalar(db.select(NeedAttachment.id))
    assert _status(client, f"/needs/attachments/{attachment_id}") == 200
    client.post("/auth/logout")
    assert _status(client, f"/needs/attachments/{attachment_id}") == 302  # sign in first
    chosen, other = make_factory(name="選ばれた工場"), make_factory(name="他の工場")
    login_as("factory", factory=chosen)
    assert _status(client, f"/needs/attachments/{attachment_id}") == 404
    client.post("/auth/logout")
    # The owner grants one factory.
    with app.app_context():
        need = db.session.get(Need, need_id)
        need.attachment_access = "granted"
        from hub.factories.models import Factory
        from hub.needs.services import grant

        grant(need, db.session.get(Factory, chosen))
        db.session.commit()
        assert need.owner_id == owner
    login_as("factory", factory=chosen)
    assert _status(client, f"/needs/attachments/{attachment_id}") == 200
    client.post("/auth/logout")
    login_as("factory", factory=other)
    assert _status(client, f"/needs/attachments/{attachment_id}") == 404
    client.post("/auth/logout")
    login_as("successor")
    assert _status(client, f"/needs/attachments/{attachment_id}") == 404
    assert b"secret.pdf" not in client.get(f"/needs/{need_id}").data


def test_grant_form_by_owner(app, client, login_as, make_factory):
    login_as("seeker")
    need_id = _post_need(client, attachment_access="granted")
    factory = make_factory(name="許可する工場")
    response = client.post(f"/needs/{need_id}/grants", data={"factory_id": str(factory)}, follow_redirects=True)
    assert "許可する工場" in response.get_data(as_text=True)
    bad = client.post(f"/needs/{need_id}/grants", data={"factory_id": "abc"}, follow_redirects=True)
    assert bad.status_code == 200 and "工場を選んでください" in bad.get_data(as_text=True)


def test_new_need_can_start_from_given_text(client, login_as):
    login_as("seeker")
    url = "/needs/new?title=センサー筐体&description=アルミの切削&kind=co_development"
    page = client.get(url).get_data(as_text=True)
    assert 'value="センサー筐体"' in page and "アルミの切削" in page
    assert '<option selected value="co_development">' in page or 'value="co_development" selected' in page
    hostile = client.get("/needs/new?title=<script>x</script>&kind=weapons")
    assert hostile.status_code == 200 and "<script>x</script>" not in hostile.get_data(as_text=True)
