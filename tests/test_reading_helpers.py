"""Small helpers of issue 12's typography and accessibility: lists joined as each language writes them, Japanese
names marked lang="ja" on English pages, chart labels fitted to their column, hidden inputs without duplicate ids,
required selects without a placeholder, and the favicon."""

from __future__ import annotations

import re

from markupsafe import Markup

from hub.core.i18n import fit_lines, join_list, lang_ja
from hub.extensions import db


def test_lists_are_joined_with_the_japanese_comma_or_english_commas(app):
    with app.test_request_context("/?lang=ja"):
        assert join_list(["切削", "研削", "めっき"]) == "切削、研削、めっき"
        assert join_list(["turning", None, "", "plating"], "en") == "turning, plating"
    with app.test_request_context("/?lang=en"):
        assert join_list(["turning", "grinding"]) == "turning, grinding"
        rendered = app.jinja_env.from_string("{{ ['a', 'b']|join_list }}").render()
        assert rendered == "a, b"


def test_japanese_names_are_marked_on_english_pages_only(app):
    with app.test_request_context("/?lang=en"):
        assert lang_ja("六郷へら絞り製作所") == Markup('<span lang="ja">六郷へら絞り製作所</span>')
        assert lang_ja("Rokugo Spinning") == "Rokugo Spinning"
        assert lang_ja("<b>工場</b>") == Markup('<span lang="ja">&lt;b&gt;工場&lt;/b&gt;</span>')  # escaped
    with app.test_request_context("/?lang=ja"):
        assert lang_ja("六郷へら絞り製作所") == "六郷へら絞り製作所"


def test_chart_labels_fit_two_lines_in_either_language():
    assert fit_lines("Hub events held", 30) == ["Hub events held"]
    assert fit_lines("Succession plans completed (push-style support)", 30) == [
        "Succession plans completed", "(push-style support)"]
    lines = fit_lines("事業承継計画の策定数（プッシュ型支援）", 30)
    assert lines == ["事業承継計画の策定数（プッシュ", "型支援）"]
    long = fit_lines("あ" * 40, 26)
    assert len(long) == 2 and long[1].endswith("…") and all(len(line) <= 13 for line in long)


def test_a_page_with_many_forms_repeats_no_id_and_required_selects_are_valid(app, client, login_as):
    login_as("organiser")
    page = client.get("/organiser/dashboard").get_data(as_text=True)
    ids = re.findall(r'\bid="([^"]+)"', page)
    assert len(ids) == len(set(ids)), [i for i in set(ids) if ids.count(i) > 1]
    assert 'id="csrf_token"' not in page and 'action=""' not in page
    for select in re.findall(r"<select[^>]*\brequired\b[^>]*>\s*<option[^>]*>", page):
        assert 'value=""' in select  # a required select starts with an empty placeholder


def test_the_favicon_is_served_at_the_usual_address(client):
    response = client.get("/favicon.ico")
    data = response.data
    response.close()
    assert response.status_code == 200 and data[:4] == b"\x00\x00\x01\x00"  # an ICO file
    assert 'rel="icon"' in client.get("/").get_data(as_text=True)


def test_english_pages_list_latin_fonts_first_and_never_the_monospaced_ipagothic(app):
    from pathlib import Path

    css = (Path(app.static_folder) / "css" / "hub.css").read_text(encoding="utf-8")
    assert '"IPAGothic"' not in css and '"IPAPGothic"' in css
    english = css[css.index('html[lang="en"] body'):]
    assert english.index("system-ui") < english.index('"IPAPGothic"')


def test_english_directory_and_profile_mark_the_japanese_factory_name(app, client, make_factory):
    from hub.factories.models import Factory

    factory_id = make_factory(name="六郷へら絞り製作所", address="東京都大田区仲六郷2-1-1")
    with app.app_context():
        factory = db.session.get(Factory, factory_id)
        factory.is_published = True
        db.session.commit()
    marked = '<span lang="ja">六郷へら絞り製作所</span>'
    directory = client.get("/factories/?lang=en").get_data(as_text=True)
    assert marked in directory
    profile = client.get(f"/factories/{factory_id}?lang=en").get_data(as_text=True)
    assert f'data-testid="factory-name">{marked}</h1>' in profile
    assert '<span lang="ja">東京都大田区仲六郷2-1-1</span>' in profile
    japanese = client.get(f"/factories/{factory_id}?lang=ja").get_data(as_text=True)
    assert 'data-testid="factory-name">六郷へら絞り製作所</h1>' in japanese  # the page itself is lang="ja"
