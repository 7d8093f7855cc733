"""Organisers' imports (issue 12): a template to download, a preview of the first rows and their errors before
anything is written, row errors in the reader's language, the size limit stated on the form and the same on the
server, and an undo of the last import (created factories removed, updated ones restored)."""

from __future__ import annotations

import csv
import io
import json

import pytest

from hub.extensions import db
from hub.factories.models import Factory, FactoryCapability
from hub.matches.models import ImportChange, ImportJob


def _upload(client, rows, name="dir.json"):
    body = json.dumps(rows, ensure_ascii=False).encode() if not isinstance(rows, bytes) else rows
    return client.post("/organiser/imports", data={"file": (io.BytesIO(body), name)},
                       content_type="multipart/form-data")


def _start(app, client, location):
    app.config["IMPORTS_INLINE"] = True
    try:
        return client.post(location + "/start")
    finally:
        app.config["IMPORTS_INLINE"] = False


def _factory(app, external_id):
    with app.app_context():
        factory = db.session.scalar(db.select(Factory).where(Factory.external_id == external_id))
        if factory is None:
            return None
        return {"name": factory.name, "processes": list(factory.processes), "codes": sorted(factory.codes("process"))}


def test_the_template_has_every_column_and_imports_cleanly(app, client, login_as):
    login_as("organiser")
    response = client.get("/organiser/imports/template.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.data.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))
    from hub.factories.importer import TEMPLATE_COLUMNS

    assert tuple(rows[0]) == TEMPLATE_COLUMNS and rows[0]["external_id"]
    location = _upload(client, response.data, "factories-template.csv").headers["Location"]
    page = client.get(location + "?lang=en").get_data(as_text=True)
    assert "1 rows in the file: 1 can be imported, 0 would be skipped." in page


def test_the_preview_shows_the_first_rows_and_their_errors_in_the_readers_language_and_writes_nothing(
        app, client, login_as):
    login_as("organiser")
    rows = [{"external_id": "pv-1", "name": "下丸子研削", "ward": "大田区", "processes": ["研削"]},
            {"external_id": "pv-2", "name": "悪い区", "ward": "Atlantis"},
            {"external_id": "pv-3", "name": ""}] + [
        {"external_id": f"pv-{i}", "name": f"工場{i}", "lat": 35.5} for i in range(4, 30)]
    location = _upload(client, rows).headers["Location"]
    en = client.get(location + "?lang=en").get_data(as_text=True)
    assert en.count('data-testid="preview-row"') == 20
    assert "29 rows in the file: 1 can be imported, 28 would be skipped." in en
    assert "ward: unknown ward “Atlantis”" in en and "name: required" in en
    assert 'data-testid="preview-later-errors"' in en and "lat/lon: give both or neither" in en
    ja = client.get(location + "?lang=ja").get_data(as_text=True)
    assert "ward：不明な区「Atlantis」です" in ja and "name：必須です" in ja
    assert _factory(app, "pv-1") is None  # nothing written
    assert client.post(location + "/discard").status_code == 302
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(ImportJob.id))) == 0


def test_the_size_limit_is_stated_on_the_form_and_enforced_by_the_server(app, client, login_as, monkeypatch):
    login_as("organiser")
    monkeypatch.setitem(app.config, "IMPORT_MAX_BYTES", 1024 * 1024)
    form = client.get("/organiser/imports?lang=en").get_data(as_text=True)
    assert "At most 1 MB." in form and f'data-max-bytes="{1024 * 1024}"' in form
    big = b"[" + b" " * (1024 * 1024 + 10) + b"]"
    # A raw multipart body (an in-memory stream: the test client spools big encoded forms to a temporary file).
    body = (b'--x\r\nContent-Disposition: form-data; name="file"; filename="big.json"\r\n'
            b"Content-Type: application/json\r\n\r\n" + big + b"\r\n--x--\r\n")
    response = client.post("/organiser/imports?lang=en", data=body, content_type="multipart/form-data; boundary=x")
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "at most 1 MB" in page and 'data-testid="error-back"' in page


def test_undo_removes_what_the_last_import_created_and_restores_what_it_updated(app, client, login_as,
                                                                                make_factory):
    login_as("organiser")
    with app.app_context():
        from hub.factories.importer import import_records

        import_records(enumerate([{"external_id": "u-1", "name": "元の名前", "processes": ["NC旋盤"]}], start=1))
    before = _factory(app, "u-1")
    assert before["codes"] == ["turning"]
    rows = [{"external_id": "u-1", "name": "新しい名前", "processes": ["めっき"]},
            {"external_id": "u-2", "name": "新しい工場", "processes": ["研削"]}]
    location = _upload(client, rows).headers["Location"]
    _start(app, client, location)
    assert _factory(app, "u-1")["name"] == "新しい名前" and _factory(app, "u-2") is not None
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(ImportChange.id))) == 2
    assert 'data-testid="import-undo"' in client.get(location).get_data(as_text=True)
    done = client.post(location + "/undo")
    assert done.status_code == 302
    assert _factory(app, "u-2") is None
    assert _factory(app, "u-1") == before  # fields and capabilities as they were
    page = client.get(location + "?lang=en").get_data(as_text=True)
    assert 'data-testid="import-undone"' in page and 'data-testid="import-undo"' not in page
    again = client.post(location + "/undo")  # once only
    assert again.status_code == 302
    assert _factory(app, "u-1") == before


def test_only_the_last_import_can_be_undone_and_claimed_factories_are_kept(app, client, login_as):
    login_as("organiser")
    first = _upload(client, [{"external_id": "k-1", "name": "一回目"}]).headers["Location"]
    _start(app, client, first)
    second = _upload(client, [{"external_id": "k-2", "name": "二回目"}]).headers["Location"]
    _start(app, client, second)
    assert 'data-testid="import-undo"' not in client.get(first).get_data(as_text=True)
    client.post(first + "/undo")
    assert _factory(app, "k-1") is not None  # not the last import: nothing happens
    with app.app_context():
        from hub.auth.models import Organisation

        factory = db.session.scalar(db.select(Factory).where(Factory.external_id == "k-2"))
        factory.organisation = Organisation(kind="factory", name="二回目")
        db.session.commit()
    client.post(second + "/undo")
    assert _factory(app, "k-2") is not None  # claimed since the import: kept


@pytest.mark.parametrize("path", ["/organiser/imports/template.csv"])
def test_imports_are_for_organisers(client, login_as, path):
    assert client.get(path).status_code == 302
    login_as("factory")
    assert client.get(path).status_code == 403


def test_capability_rows_survive_an_undo_of_an_update(app, client, login_as):
    login_as("organiser")
    with app.app_context():
        from hub.factories.importer import import_records

        import_records(enumerate([{"external_id": "c-1", "name": "切削", "description": "MC加工とアルマイト"}],
                                 start=1))
        count = db.session.scalar(db.select(db.func.count(FactoryCapability.id)))
    location = _upload(client, [{"external_id": "c-1", "name": "切削", "processes": ["溶接"]}]).headers["Location"]
    _start(app, client, location)
    client.post(location + "/undo")
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(FactoryCapability.id))) == count
