"""Bilingual: every template renders in Japanese and English, and every string has a Japanese translation."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from hub.domains import DOMAINS, catalogue_domains, translation_dirs
from hub.extensions import db
from hub.mail.services import queue_email

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "hub" / "templates"
LATER_DOMAINS = tuple(catalogue_domains())  # the domains with their own catalogue test their own templates
PAGE_TEMPLATES = {str(p.relative_to(TEMPLATES)) for p in TEMPLATES.rglob("*.html")
                  if p.relative_to(TEMPLATES).parts[0] not in LATER_DOMAINS} - {"base.html", "_macros.html"}
MAIL_TEMPLATES = sorted(f"mail/{p.stem}" for p in (TEMPLATES / "mail").glob("*.txt"))  # domains test their own


class _Union:
    """The shared catalogue and every domain's, as Flask-Babel merges them at run time."""

    def __init__(self, catalogues):
        self.catalogues = catalogues

    def get(self, msgid):
        for catalogue in self.catalogues:
            message = catalogue.get(msgid)
            if message is not None and message.string:
                return message
        return None

    def __iter__(self):
        for catalogue in self.catalogues:
            yield from catalogue


def _catalogue():
    catalogues = []
    for path in sorted((ROOT / "hub").glob("**/translations/ja/LC_MESSAGES/messages.po")):
        with path.open("rb") as handle:
            catalogues.append(read_po(handle, locale="ja"))
    return _Union(catalogues)


def _extracted_ids() -> set[str]:
    method_map = [("hub/**.py", "python"), ("seeds/**.py", "python"),
                  ("hub/templates/**.html", "jinja2"), ("hub/templates/**.txt", "jinja2")]
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None}
    ids = set()
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
            str(ROOT), method_map, keywords=keywords):
        ids.add(message if isinstance(message, str) else message[0])
    return ids


def test_every_string_has_a_japanese_translation():
    catalogue = _catalogue()
    missing = sorted(m for m in _extracted_ids() if catalogue.get(m) is None)
    assert missing == [], f"{len(missing)} strings lack a Japanese translation: {missing[:20]}"


def test_translations_keep_their_placeholders():
    import re

    for message in _catalogue():
        if not message.id or not message.string:
            continue
        source = sorted(re.findall(r"%\(\w+\)s", message.id if isinstance(message.id, str) else message.id[0]))
        target = sorted(re.findall(r"%\(\w+\)s", message.string if isinstance(message.string, str)
                                   else message.string[0]))
        assert source == target, message.id


def _visit_everything(client, login_as, make_factory, app, lang):
    from hub.mail.models import EmailMessage

    factory = make_factory(name="巡回製作所", processes=["MC加工"], description="フライス加工")
    pages = ["/", "/about", "/factories/", "/factories/?q=zzz-nothing", f"/factories/{factory}", "/needs/",
             "/auth/login", "/auth/signup", "/auth/reset", "/no-such-page"]
    for url in pages:
        sep = "&" if "?" in url else "?"
        response = client.get(f"{url}{sep}lang={lang}")
        assert response.status_code in (200, 404), url
        assert f'<html lang="{lang}">' in response.get_data(as_text=True), url
    login_as("factory", factory=factory)
    for url in (f"/factories/{factory}/edit", "/needs/new", "/needs/mine", "/auth/account/tokens"):
        assert client.get(url).status_code == 200, url
    need = client.post("/needs/new", data={"title": "t", "description": "d", "budget_band": "undecided",
                                           "kind": "fabrication", "visibility": "public",
                                           "attachment_access": "granted", "status": "open", "language": "ja"})
    need_id = need.headers["Location"].rsplit("/", 1)[1]
    for url in (f"/needs/{need_id}", f"/needs/{need_id}/edit"):
        assert client.get(url).status_code == 200
    client.post("/auth/logout")
    unclaimed = make_factory(name="未管理製作所")
    login_as("factory")
    for url in (f"/factories/{unclaimed}/claim", "/factories/claims", "/pitch-nights/invitations"):
        assert client.get(url).status_code == 200, url
    client.post("/auth/logout")
    login_as("seeker", verified=False)
    assert client.get("/auth/verify").status_code == 200
    client.post("/auth/logout")
    login_as("organiser")
    assert client.get("/factories/review").status_code == 200
    with app.app_context():
        user = type("U", (), {"name": "x", "email": "x", "role": "seeker"})
        queue_email("x@example.jp", "welcome", lang, user=user)
        db.session.commit()
        message_id = db.session.scalar(db.select(EmailMessage.id))
    for url in ("/organiser/outbox/", f"/organiser/outbox/{message_id}"):
        assert client.get(url).status_code == 200
    client.get("/auth/reset/bad-token", follow_redirects=True)


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_every_page_template_renders_in_both_languages(app, client, login_as, make_factory, rendered, lang):
    client.get(f"/lang/{lang}")
    _visit_everything(client, login_as, make_factory, app, lang)
    # A reset form with a valid token renders auth/reset_password.html.
    from hub.auth.models import User
    from hub.auth.services import make_reset_token

    with app.test_request_context():
        user = db.session.scalar(db.select(User))
        token = make_reset_token(user)
    assert client.get(f"/auth/reset/{token}").status_code == 200
    missing = PAGE_TEMPLATES - set(rendered)
    assert missing == set(), f"templates never rendered: {sorted(missing)}"


def test_japanese_is_the_default_and_english_switches(client):
    ja = client.get("/").get_data(as_text=True)
    assert '<html lang="ja">' in ja and "工場を探す" in ja
    client.get("/lang/en")
    en = client.get("/").get_data(as_text=True)
    assert '<html lang="en">' in en and "Search factories" in en


@pytest.mark.parametrize("kind", MAIL_TEMPLATES)
def test_every_email_exists_in_both_languages(app, kind):
    user = type("U", (), {"name": "花子", "email": "h@example.jp", "role": "factory"})
    with app.test_request_context():
        ja = queue_email("h@example.jp", "check", "ja", template=f"{kind}.txt", user=user, link="http://x/reset/t")
        en = queue_email("h@example.jp", "check", "en", template=f"{kind}.txt", user=user, link="http://x/reset/t")
        assert ja.subject != en.subject and ja.body_text != en.body_text
        assert any("\u3040" <= ch <= "\u30ff" for ch in ja.subject + ja.body_text)
        assert all(not ("\u3040" <= ch <= "\u30ff") for ch in en.subject)
        db.session.rollback()


def test_error_pages_are_translated(client):
    assert "このページは存在しないか" in client.get("/nope?lang=ja").get_data(as_text=True)
    assert "This page does not exist" in client.get("/nope?lang=en").get_data(as_text=True)


def test_no_string_is_translated_two_ways():
    """Flask-Babel merges every domain's catalogue into one: a msgid translated differently in two catalogues
    would show the other domain's wording (e.g. "Open" as 開く on a status badge). Use distinct msgids instead."""
    seen: dict[str, set[str]] = {}
    for path in sorted((ROOT / "hub").glob("**/translations/ja/LC_MESSAGES/messages.po")):
        with path.open("rb") as handle:
            for message in read_po(handle, locale="ja"):
                if message.id and message.string:
                    key = message.id if isinstance(message.id, str) else message.id[0]
                    value = message.string if isinstance(message.string, str) else message.string[0]
                    seen.setdefault(key, set()).add(value)
    clashes = {key: values for key, values in seen.items() if len(values) > 1}
    assert clashes == {}


def test_every_catalogue_on_disk_is_in_the_registry():
    """hub/domains.py names every catalogue Flask-Babel loads, and the Makefile's targets read the same list."""
    on_disk = {str(p.parent.parent.parent.relative_to(ROOT / "hub"))
               for p in (ROOT / "hub").glob("**/translations/ja/LC_MESSAGES/messages.po")}
    assert on_disk == set(translation_dirs())
    assert set(catalogue_domains()) <= set(DOMAINS)


def test_the_conventions_list_the_registered_domains():
    """docs/CONVENTIONS.md names the domains of hub/domains.py, in the same order (and points at the registry)."""
    import re

    text = (ROOT / "docs" / "CONVENTIONS.md").read_text(encoding="utf-8")
    assert "hub/domains" in text
    listed = re.search(r"Domains, in registration order: `([^`]*)`", text)
    assert listed is not None and tuple(listed.group(1).split()) == DOMAINS


def _msgids_by_catalogue(root: Path) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for path in sorted(root.glob("**/translations/ja/LC_MESSAGES/messages.po")):
        with path.open("rb") as handle:
            ids = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(handle, locale="ja") if m.id}
        found[str(path.relative_to(root))] = ids
    return found


def _msgids_in_two_catalogues(root: Path) -> dict[str, list[str]]:
    where: dict[str, list[str]] = {}
    for catalogue, ids in _msgids_by_catalogue(root).items():
        for msgid in ids:
            where.setdefault(msgid, []).append(catalogue)
    return {msgid: places for msgid, places in where.items() if len(places) > 1}


def test_each_msgid_lives_in_one_catalogue():
    """One translation per msgid: a string several catalogues' sources use lives in the shared catalogue only
    (hub/domains/catalogues.py says which catalogue holds what, and `make messages` follows it)."""
    clashes = _msgids_in_two_catalogues(ROOT / "hub")
    assert clashes == {}, f"{len(clashes)} msgids in two catalogues: {sorted(clashes)[:10]}"


def test_the_duplicate_check_sees_a_duplicate(tmp_path):
    """The check above fails when the same msgid is added to a domain's catalogue and the shared one."""
    for folder in ("translations", "deals/translations"):
        target = tmp_path / folder / "ja" / "LC_MESSAGES"
        target.mkdir(parents=True)
        (target / "messages.po").write_text('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
                                            'msgid "Cancel"\nmsgstr "キャンセル"\n', encoding="utf-8")
    assert list(_msgids_in_two_catalogues(tmp_path)) == ["Cancel"]


def test_catalogue_assignment_matches_the_catalogues():
    """Every msgid the sources use is in the catalogue hub/domains/catalogues.py assigns it to."""
    from hub.domains.catalogues import assignment

    on_disk = _msgids_by_catalogue(ROOT / "hub")
    misplaced = []
    for folder, messages in assignment().items():
        ids = on_disk[f"{folder}/ja/LC_MESSAGES/messages.po"]
        misplaced += [(folder, key) for key in (m if isinstance(m, str) else m[0] for m in messages)
                      if key not in ids]
    assert misplaced == []
