"""The listing API costs the same number of queries for 3 listings as for 15 (no query per listing)."""

from __future__ import annotations

from sqlalchemy import event

from hub.auth.models import User
from hub.extensions import db
from hub.factories.models import Factory
from hub.succession import kanon, services


def _published_listings(app, make_factory, make_user, n: int) -> list[str]:
    ids = []
    # The whole directory first: each listing then hides among the n factories (k-anonymity).
    owners = [(factory_id, make_user(role="factory", factory=factory_id))
              for factory_id in [make_factory(name=f"承継工業{i}", processes=["平面研削"]) for i in range(n)]]
    for factory_id, owner_id in owners:
        with app.test_request_context():
            listing = services.create_listing(db.session.get(User, owner_id), db.session.get(Factory, factory_id), {
                "processes": ["surface_grinding"], "employees_band": "1_4", "reason": "age",
                "schemes": ["sale"], "includes": ["equipment"], "timing": "within_1y"})
            listing.public_view = kanon.generalise(listing)
            assert listing.public_view["blocked"] is None
            listing.status = "published"
            listing.published_at = listing.submitted_at = listing.reviewed_at = services.utcnow()
            db.session.commit()
            ids.append(listing.public_id)
    return ids


def test_listing_api_queries_do_not_grow_with_the_page(app, client, api_token, make_factory, make_user, disclose):
    successor_id, headers = api_token("successor")
    ids = _published_listings(app, make_factory, make_user, 15)
    disclose(ids[0], successor_id, "approve")
    disclose(ids[1], successor_id)
    with app.app_context():
        engine = db.engine
    counts, body = {}, None
    for per_page in (3, 15):
        statements: list[str] = []

        def count(conn, cursor, statement, *args, _seen=statements):
            _seen.append(statement)

        event.listen(engine, "before_cursor_execute", count)
        try:
            body = client.get(f"/api/v1/succession/listings?per_page={per_page}", headers=headers).get_json()
        finally:
            event.remove(engine, "before_cursor_execute", count)
        assert len(body["listings"]) == per_page
        counts[per_page] = len(statements)
    # The page of 15 includes the approved listing: its identity and the logged view cost a few statements more.
    assert counts[15] <= counts[3] + 6, counts
    assert sum(1 for item in body["listings"] if item["disclosure"] == "approved") == 1
    assert sum(1 for item in body["listings"] if item["disclosure"] is not None) == 2
