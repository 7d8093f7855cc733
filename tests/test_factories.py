"""Factory profiles: editing rights (HTML and API), the directory, photos and private fields."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from hub.extensions import db
from hub.factories.models import Factory, FactoryPhoto


def _profile_form(**overrides):
    data = {"name": "大森精密工業", "name_en": "Omori Precision", "ward": "ota", "address": "東京都大田区大森南1-2-3",
            "description": "MC加工とNC旋盤で試作から量産まで。SUS304やA5052が得意です。",
            "processes": "MC加工\nNC旋盤", "materials": "SUS304、A5052", "equipment": "マシニングセンタ OKK VM5III",
            "certifications": "ISO9001", "tolerance": "±0.01mm", "lot_min": "1", "lot_max": "500",
            "employees": "12", "founded": "1968", "website": "", "lat": "", "lon": "",
            "owner_birth_year": "1948", "successor_status": "none"}
    data.update(overrides)
    return data


def _png(size=(40, 30), color=(200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "PNG")
    return out.getvalue()


def test_member_creates_and_edits_own_profile(app, client, login_as):
    login_as("factory")
    response = client.post("/factories/mine", data=_profile_form())
    assert response.status_code == 302
    with app.app_context():
        factory = db.session.scalar(db.select(Factory).where(Factory.name == "大森精密工業"))
        assert factory.processes == ["MC加工", "NC旋盤"]
        assert factory.materials == ["SUS304", "A5052"]
        assert factory.is_location_approx and factory.lat is not None  # ward centroid
        assert set(factory.codes("process")) >= {"milling", "turning"}
        assert "stainless" in " ".join(factory.codes("material")) or factory.codes("material")
        factory_id = factory.id
    page = client.get(f"/factories/{factory_id}").get_data(as_text=True)
    assert "大森精密工業" in page and "MC加工" in page
    # Editing again keeps the same factory.
    client.post("/factories/mine", data=_profile_form(name="大森精密工業株式会社"))
    with app.app_context():
        assert db.session.get(Factory, factory_id).name == "大森精密工業株式会社"


def test_profile_form_errors_rerender_with_input_kept(client, login_as):
    login_as("factory")
    response = client.post("/factories/mine", data=_profile_form(name="", lot_min="50", lot_max="10",
                                                                  lat="35.5", lon=""))
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "必須" in body
    assert "最大ロットは最小ロットより小さくできません" in body
    assert "緯度と経度は両方" in body
    assert "MC加工" in body  # nothing typed is lost


def test_member_of_factory_a_cannot_edit_factory_b(app, client, login_as, make_factory):
    factory_a = make_factory(name="A製作所")
    factory_b = make_factory(name="B製作所")
    login_as("factory", factory=factory_a)
    assert client.get(f"/factories/{factory_a}/edit").status_code == 200
    assert client.get(f"/factories/{factory_b}/edit").status_code == 403
    assert client.post(f"/factories/{factory_b}/edit", data=_profile_form(name="乗っ取り")).status_code == 403
    photo = {"photo": (io.BytesIO(_png()), "a.png")}
    assert client.post(f"/factories/{factory_b}/photos", data=photo,
                       content_type="multipart/form-data").status_code == 403
    with app.app_context():
        assert db.session.get(Factory, factory_b).name == "B製作所"


def test_member_of_factory_a_cannot_edit_factory_b_through_the_api(app, client, api_token, make_factory):
    factory_a = make_factory(name="A製作所")
    factory_b = make_factory(name="B製作所")
    _, headers = api_token("factory", factory=factory_a)
    ok = client.patch(f"/api/v1/factories/{factory_a}", json={"description": "へら絞り専門"}, headers=headers)
    assert ok.status_code == 200 and ok.get_json()["description"] == "へら絞り専門"
    assert [p["code"] for p in ok.get_json()["processes"]] == ["metal_spinning"]
    denied = client.patch(f"/api/v1/factories/{factory_b}", json={"name": "乗っ取り"}, headers=headers)
    assert denied.status_code == 403 and denied.get_json()["error"]["code"] == "forbidden"
    _, seeker = api_token("seeker")
    assert client.patch(f"/api/v1/factories/{factory_a}", json={"name": "x"}, headers=seeker).status_code == 403
    assert client.patch(f"/api/v1/factories/{factory_a}", json={"name": "x"}).status_code == 401
    _, organiser = api_token("organiser")
    assert client.patch(f"/api/v1/factories/{factory_b}", json={"name": "B製作所(株)"},
                        headers=organiser).status_code == 200
    with app.app_context():
        assert db.session.get(Factory, factory_b).name == "B製作所(株)"


def test_organiser_may_edit_any_factory(client, login_as, make_factory):
    factory = make_factory()
    login_as("organiser")
    assert client.get(f"/factories/{factory}/edit").status_code == 200


def test_photo_upload_is_resized_and_stripped(app, client, login_as, make_factory):
    factory_id = make_factory()
    login_as("factory", factory=factory_id)
    big = io.BytesIO()
    img = Image.new("RGB", (3000, 2000), (10, 120, 200))
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # camera make
    img.save(big, "JPEG", exif=exif.tobytes())
    response = client.post(f"/factories/{factory_id}/photos", data={"photo": (io.BytesIO(big.getvalue()), "x.jpg")},
                           content_type="multipart/form-data", follow_redirects=True)
    assert "写真を追加しました" in response.get_data(as_text=True)
    with app.app_context():
        photo = db.session.scalar(db.select(FactoryPhoto).where(FactoryPhoto.factory_id == factory_id))
        assert max(photo.width, photo.height) == 1600
        name = photo.stored_name
    with client.get(f"/factories/photos/{name}") as served:
        assert served.status_code == 200 and served.mimetype == "image/jpeg"
        data = served.data
    with Image.open(io.BytesIO(data)) as stored:
        assert not stored.getexif()


@pytest.mark.parametrize("payload, filename, message", [
    (b"<script>alert(1)</script>", "evil.png", "有効な画像ではありません"),
    (b"%PDF-1.4 not an image", "doc.jpg", "有効な画像ではありません"),
    (b"", "empty.png", "ファイルが空です"),
])
def test_fake_images_are_refused_with_a_message(app, client, login_as, make_factory, payload, filename, message):
    factory_id = make_factory()
    login_as("factory", factory=factory_id)
    response = client.post(f"/factories/{factory_id}/photos", data={"photo": (io.BytesIO(payload), filename)},
                           content_type="multipart/form-data", follow_redirects=True)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(FactoryPhoto.id))) == 0


def test_oversized_image_is_refused_with_a_message(app, client, login_as, make_factory):
    factory_id = make_factory()
    login_as("factory", factory=factory_id)
    app.config["PHOTO_MAX_BYTES"], saved = 50_000, app.config["PHOTO_MAX_BYTES"]
    try:
        noisy = Image.effect_noise((400, 400), 100).convert("RGB")
        out = io.BytesIO()
        noisy.save(out, "PNG")
        assert len(out.getvalue()) > 50_000
        response = client.post(f"/factories/{factory_id}/photos",
                               data={"photo": (io.BytesIO(out.getvalue()), "big.png")},
                               content_type="multipart/form-data", follow_redirects=True)
    finally:
        app.config["PHOTO_MAX_BYTES"] = saved
    assert "ファイルが大きすぎます" in response.get_data(as_text=True)


def test_request_over_the_global_limit_gets_413(client, login_as, make_factory):
    factory_id = make_factory()
    login_as("factory", factory=factory_id)
    # A raw body (not a file tuple) so the test client spools nothing to a temporary file.
    body = b"--x\r\nContent-Disposition: form-data; name=photo; filename=a.jpg\r\n\r\n" + b"0" * (21 * 1024 * 1024)
    response = client.post(f"/factories/{factory_id}/photos", data=body,
                           content_type="multipart/form-data; boundary=x")
    assert response.status_code == 413
    assert "大きすぎます" in response.get_data(as_text=True)


def test_directory_search_filters_and_pagination(app, client, make_factory):
    make_factory(name="蒲田へら絞り", ward="ota", description="へら絞りでステンレスのカップを作ります")
    make_factory(name="墨田メッキ", ward="sumida", processes=["無電解ニッケルめっき"], materials=["C3604"])
    for i in range(30):
        make_factory(name=f"量産工業{i:02d}", ward="katsushika", processes=["プレス"])
    page = client.get("/factories/?q=へら絞り").get_data(as_text=True)
    assert "蒲田へら絞り" in page and "墨田メッキ" not in page
    page = client.get("/factories/?ward=sumida").get_data(as_text=True)
    assert "墨田メッキ" in page and "蒲田へら絞り" not in page
    page = client.get("/factories/?process_code=electroless_nickel").get_data(as_text=True)
    assert "墨田メッキ" in page and "量産工業" not in page
    first = client.get("/factories/?ward=katsushika").get_data(as_text=True)
    second = client.get("/factories/?ward=katsushika&page=2").get_data(as_text=True)
    assert "30 件" in first
    assert first.count("量産工業") >= 24 and "量産工業29" in second
    empty = client.get("/factories/?q=存在しない工程xyz")
    assert empty.status_code == 200 and 'data-testid="empty-state"' in empty.get_data(as_text=True)
    bad = client.get("/factories/?ward=atlantis&page=abc")
    assert bad.status_code == 200


def test_private_fields_never_appear_publicly(app, client, make_factory):
    factory_id = make_factory(name="高齢工業", owner_birth_year=1937, successor_status="none")
    page = client.get(f"/factories/{factory_id}").get_data(as_text=True)
    assert "1937" not in page
    for url in (f"/api/v1/factories/{factory_id}", "/api/v1/factories"):
        body = client.get(url).get_data(as_text=True)
        assert "1937" not in body and "owner_birth_year" not in body and "successor_status" not in body
