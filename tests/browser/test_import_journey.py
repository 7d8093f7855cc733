"""An organiser imports a directory file in a real browser (issue 12): the form states its size limit and refuses a
larger file before sending it; the upload is previewed (first rows, their errors in Japanese, nothing written);
the import runs in the background with its progress; and the last import is undone."""

from __future__ import annotations

import uuid

from playwright.sync_api import Page, expect

from hub.extensions import db
from tests.browser.test_events_journeys import PASSWORD, _login


def _organiser(app) -> str:
    from hub.auth.services import create_user

    with app.app_context():
        user = create_user(f"import-{uuid.uuid4().hex[:6]}@example.jp", PASSWORD, name="取込 担当", role="organiser",
                           locale="ja", email_verified=True)
        db.session.commit()
        return user.email


def _exists(app, external_id: str) -> bool:
    from hub.factories.models import Factory

    with app.app_context():
        return db.session.scalar(db.select(Factory.id).where(Factory.external_id == external_id)) is not None


def test_organiser_previews_imports_and_undoes_a_directory_file(page: Page, live_server, live_server_app,
                                                                screenshot_dir, tmp_path):
    tag = uuid.uuid4().hex[:6]
    _login(page, live_server, _organiser(live_server_app))
    page.goto(f"{live_server}/organiser/imports")
    expect(page.get_by_test_id("import-limit")).to_contain_text("50MBまで")

    # A file over the limit is refused in the browser, before anything is sent.
    previous = live_server_app.config.get("IMPORT_MAX_BYTES")
    live_server_app.config["IMPORT_MAX_BYTES"] = 1024 * 1024
    try:
        page.reload()
        big = tmp_path / "big.csv"
        big.write_bytes(b"external_id,name\n" + b"x,y\n" * 300_000)
        page.get_by_label("工場名簿ファイル（.csv または .json）").set_input_files(str(big))
        page.get_by_role("button", name="アップロードしてプレビュー").click()
        expect(page.get_by_role("alert")).to_contain_text("ファイルが大きすぎます（最大 1 MB）")
        assert page.url.endswith("/organiser/imports")
    finally:
        live_server_app.config["IMPORT_MAX_BYTES"] = previous

    # The template's columns, one good row and one bad one.
    download = page.request.get(f"{live_server}/organiser/imports/template.csv")
    header = download.body().decode("utf-8-sig").splitlines()[0]
    rows = [header,
            f"b-{tag}-1,ブラウザ取込製作所{tag},大田区,,,,,,NC旋盤;MC加工,SUS304,,,5,1970",
            f"b-{tag}-2,,大田区,,,,,,,,,,,"]
    path = tmp_path / "directory.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    page.reload()
    page.get_by_label("工場名簿ファイル（.csv または .json）").set_input_files(str(path))
    page.get_by_role("button", name="アップロードしてプレビュー").click()
    expect(page.get_by_role("heading", name="プレビュー：まだ何も書き込まれていません")).to_be_visible()
    expect(page.get_by_test_id("preview-row")).to_have_count(2)
    expect(page.get_by_test_id("preview-error")).to_have_text("name：必須です")
    expect(page.get_by_test_id("preview-summary")).to_contain_text("1行を取り込めます")
    page.screenshot(path=str(screenshot_dir / "import-preview.png"), full_page=True)
    assert not _exists(live_server_app, f"b-{tag}-1")  # nothing written by the preview

    page.get_by_test_id("import-start").click()
    expect(page.get_by_test_id("import-undo")).to_be_visible(timeout=20_000)  # reloaded once finished
    expect(page.get_by_test_id("rejected-reason")).to_have_text("name：必須です")
    assert _exists(live_server_app, f"b-{tag}-1")

    page.get_by_test_id("import-undo").click()
    expect(page.get_by_test_id("import-undone")).to_be_visible()
    expect(page.locator(".alert-success")).to_contain_text("1件の工場を削除")
    page.screenshot(path=str(screenshot_dir / "import-undone.png"), full_page=True)
    assert not _exists(live_server_app, f"b-{tag}-1")
