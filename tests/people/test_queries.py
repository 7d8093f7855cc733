"""The programme's list pages read a constant number of queries, however many pairs, sessions and cards there are."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from hub.extensions import db
from hub.people.models import Junior, KnowhowCard, Master, MasterSkill, Pair, TrainingSession
from tests.queries import count_queries


def _add(app, n: int, factory_id: int) -> int:
    with app.app_context():
        last = None
        for i in range(n):
            pair = Pair(master=Master(name=f"親方{i}", skills=[MasterSkill(process_code="turning")]),
                        junior=Junior(name=f"弟子{i}", kind="employee", employer_id=factory_id, goals=["turning"]),
                        process_code="turning", status="active", started_on=date(2025, 1, 1))
            pair.sessions = [TrainingSession(held_on=date(2025, 2, d + 1), hours=Decimal(2), skills=["turning"],
                                             master_confirmed_at=datetime(2025, 3, 1)) for d in range(n)]
            db.session.add(pair)
            db.session.add(KnowhowCard(title=f"技{i}", process_code="turning", factory_id=factory_id,
                                       visibility="public", steps="一"))
            last = pair
        db.session.commit()
        return last.id


def test_pairs_cards_and_a_pair_page_have_no_n_plus_one(app, make_factory, make_user, client_for):
    factory = make_factory()
    office = client_for(make_user("organiser"))
    visitor = app.test_client()
    first = _add(app, 2, factory)
    small = [count_queries(app, lambda: office.get("/people/pairs")),
             count_queries(app, lambda: visitor.get("/people/cards")),
             count_queries(app, lambda: office.get(f"/people/pairs/{first}")),
             count_queries(app, lambda: visitor.get(f"/factories/{factory}"))]
    last = _add(app, 12, factory)
    large = [count_queries(app, lambda: office.get("/people/pairs")),
             count_queries(app, lambda: visitor.get("/people/cards")),
             count_queries(app, lambda: office.get(f"/people/pairs/{last}")),
             count_queries(app, lambda: visitor.get(f"/factories/{factory}"))]
    assert large == small, (small, large)
