"""The homes and the directory's inquiry buttons cost the same number of queries for few rows as for many."""

from __future__ import annotations

from tests.home.test_home import _inquiry, _login
from tests.queries import recorded_statements


def _count(app, fn) -> int:
    with recorded_statements(app) as statements:
        assert fn().status_code == 200
    return len(statements)


def test_a_factory_home_with_many_inquiries_costs_no_more_queries(app, client, make_user, make_factory):
    factory = make_factory()
    member = make_user(role="factory", factory=factory)
    seekers = [make_user(role="seeker") for _ in range(6)]
    for seeker in seekers[:2]:
        _inquiry(app, seeker, factory, days_ago=1)
    _login(client, app, member)
    client.get("/home/")  # the matcher's index is built on the first request
    few = _count(app, lambda: client.get("/home/"))
    for seeker in seekers[2:]:
        _inquiry(app, seeker, factory, days_ago=3)
    assert _count(app, lambda: client.get("/home/")) == few


def test_a_seeker_home_with_many_replies_costs_no_more_queries(app, client, make_user, make_factory):
    factories = [make_factory(name=f"返事製作所{n}") for n in range(6)]
    seeker = make_user(role="seeker")
    for factory in factories[:2]:
        _inquiry(app, seeker, factory, days_ago=1, title=f"ニーズ{factory}")
    _login(client, app, seeker)
    for factory in factories[2:]:
        _inquiry(app, seeker, factory, days_ago=1, title=f"ニーズ{factory}")
    client.get("/home/")
    # Suggestions run for at most three open needs; every other row is loaded with its page's queries.
    many = _count(app, lambda: client.get("/home/"))
    _inquiry(app, seeker, factories[0], days_ago=1, title="もう一つ")
    assert _count(app, lambda: client.get("/home/")) == many


def test_the_directory_buttons_cost_one_query_whatever_the_number_of_cards(app, client, make_user, make_factory):
    own = make_factory(name="自社")
    for n in range(3):
        make_factory(name=f"一覧製作所{n}")
    _login(client, app, make_user(role="factory", factory=own))
    client.get("/factories/")
    few = _count(app, lambda: client.get("/factories/"))
    for n in range(12):
        make_factory(name=f"追加製作所{n}")
    client.get("/factories/")  # the directory's cached counts are rebuilt once after the edits
    assert _count(app, lambda: client.get("/factories/")) == few
