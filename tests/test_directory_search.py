"""The directory's search box (issue 12): phrases in names, US and UK spellings, ward plus process in one box,
unknown filters that say so; and that it reads indexes rather than every row (issue 11)."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from hub.extensions import db
from hub.factories.models import Factory, FactoryNameKey
from tests.conftest import is_postgres
from tests.queries import recorded_statements


@pytest.fixture
def shops(make_factory):
    """Four factories: the spinning shop's own lists say nothing of spinning (only its name does)."""
    return {
        "spinner": make_factory(name="六郷へら絞り製作所", name_en="Rokugo Spinning Works", ward="ota",
                                processes=["溶接"], materials=["SUS304"]),
        "anodizer": make_factory(name="糀谷表面処理", ward="ota", processes=["アルマイト"], materials=["アルミ"]),
        "grinder_ota": make_factory(name="大森研削工業", ward="ota", processes=["円筒研削"]),
        "grinder_sumida": make_factory(name="墨田研削所", ward="sumida", processes=["平面研削"]),
        "miller_ota": make_factory(name="蒲田精機", ward="ota", processes=["MC加工"]),
    }


def _api_ids(client, query: str) -> set[int]:
    response = client.get(f"/api/v1/factories?{query}")
    assert response.status_code == 200, response.get_json()
    return {f["id"] for f in response.get_json()["factories"]}


def _page_ids(client, query: str) -> set[int]:
    import re

    response = client.get(f"/factories/?{query}")
    assert response.status_code == 200
    return {int(n) for n in re.findall(r'href="/factories/(\d+)"', response.get_data(as_text=True))}


def test_a_phrase_inside_a_name_finds_the_factory(client, shops):
    for q in ("へら絞り", "ヘラ絞り", "六郷", "rokugo", "Spinning Works"):
        assert shops["spinner"] in _api_ids(client, f"q={q}"), q
        assert shops["spinner"] in _page_ids(client, f"q={q}"), q
    assert _api_ids(client, "q=存在しない名前") == set()


def test_us_and_uk_spellings_find_the_same_process(client, shops):
    for q in ("anodizing", "anodising", "アルマイト"):
        assert _api_ids(client, f"q={q}") == {shops["anodizer"]}, q
    assert _api_ids(client, "process=anodising") == _api_ids(client, "process=anodizing") == {shops["anodizer"]}


def test_ward_and_process_in_one_box(client, shops):
    for q in ("大田区 研削", "大田区研削", "Ota grinding", "研削　大田区"):
        assert _api_ids(client, f"q={q}") == {shops["grinder_ota"]}, q
        assert _page_ids(client, f"q={q}") == {shops["grinder_ota"]}, q


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_page_says_what_it_understood(client, shops, lang):
    import re

    body = client.get(f"/factories/?q=大田区+研削&lang={lang}").get_data(as_text=True)
    understood = re.search(r'data-testid="understood">(.*?)</p>', body, re.S).group(1)
    words = " ".join(re.sub(r"<[^>]+>", " ", understood).split())
    assert words == ("検索条件： 区: 大田区 工程: 研削加工" if lang == "ja" else
                     "Searching for: Ward: Ota Process: grinding"), words


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_an_unknown_process_says_so_and_keeps_the_other_filters(client, shops, lang):
    response = client.get(f"/factories/?ward=sumida&process=xyzzy&lang={lang}")
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'data-testid="filter-problem"' in body and "xyzzy" in body
    assert ("工程" if lang == "ja" else "We do not know the process") in body
    assert _page_ids(client, "ward=sumida&process=xyzzy") == {shops["grinder_sumida"]}  # the ward still applies

    api = client.get(f"/api/v1/factories?ward=sumida&process=xyzzy&lang={lang}")
    assert api.status_code == 400
    error = api.get_json()["error"]
    assert error["code"] == "validation_failed" and "xyzzy" in error["message"] and "process" in error["fields"]
    assert ("工程" if lang == "ja" else "Unknown process") in error["message"]


def test_process_filter_given_as_words_on_the_page(client, shops):
    assert _page_ids(client, "ward=ota&process=anodizing") == {shops["anodizer"]}
    assert _page_ids(client, "process_code=grinding") == {shops["grinder_ota"], shops["grinder_sumida"]}
    assert _page_ids(client, "process=研削&ward=ota") == {shops["grinder_ota"]}


def test_renaming_moves_the_name_keys(app, client, shops):
    from hub.factories.services import update_profile

    with app.app_context():
        update_profile(db.session.get(Factory, shops["miller_ota"]), {"name": "蒲田ギア工房"})
        db.session.commit()
    assert _api_ids(client, "q=ギア工房") == {shops["miller_ota"]}
    assert _api_ids(client, "q=蒲田精機") == set()


def test_imported_factories_are_found_by_name(app, client):
    from hub.factories.importer import import_records

    with app.app_context():
        report = import_records([(1, {"external_id": "NK-1", "name": "羽田プレス工業所", "ward": "大田区",
                                      "processes": "プレス"})])
        assert report.created == 1
        factory_id = db.session.scalar(db.select(Factory.id).where(Factory.external_id == "NK-1"))
    assert _api_ids(client, "q=プレス工業") == {factory_id}


def test_a_name_search_reads_the_key_index_not_every_name(app, shops):
    """The plan of the box's name lookup is an index range (SQLite's planner; PostgreSQL is asked with sequential
    scans switched off, since on a tiny table it rightly prefers to read it whole)."""
    from hub.factories.search import _keys_of

    with app.app_context():
        sql = _keys_of("へら絞り").compile(db.engine, compile_kwargs={"literal_binds": True})
        if is_postgres():
            db.session.execute(text("SET LOCAL enable_seqscan = off"))
            plan = " ".join(r[0] for r in db.session.execute(text(f"EXPLAIN {sql}")))
            assert "ix_factory_name_keys_key_factory" in plan, plan
        else:
            plan = " ".join(str(r[-1]) for r in db.session.execute(text(f"EXPLAIN QUERY PLAN {sql}")))
            assert "USING COVERING INDEX ix_factory_name_keys_key_factory" in plan, plan
        assert db.session.scalar(db.select(db.func.count()).select_from(FactoryNameKey)
                                 .where(FactoryNameKey.factory_id == shops["spinner"])) > 5


def _statements(app, client, path: str) -> int:
    with recorded_statements(app) as statements:
        assert client.get(path).status_code == 200
    return len(statements)


@pytest.mark.parametrize("path", ["/factories/?lang=en", "/api/v1/factories?per_page=50", "/", "/factories/?q=研削"])
def test_queries_do_not_grow_with_the_directory(app, client, make_factory, path):
    """Cards come from two narrow queries whatever the page holds (pages are rendered afresh here)."""
    app.config["CACHE_PAGES"] = False
    try:
        for i in range(3):
            make_factory(name=f"少研削{i}", processes=["研削", "旋盤"], materials=["SUS304"])
        few = _statements(app, client, path)
        for i in range(25):
            make_factory(name=f"多研削{i}", processes=["研削", "MC加工"], materials=["A5052", "SUS304"])
        many = _statements(app, client, path)
    finally:
        app.config["CACHE_PAGES"] = True
    assert many <= few, (few, many)
    assert many <= 12
