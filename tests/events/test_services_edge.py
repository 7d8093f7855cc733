"""Issue 17: the rules that lived in views are services (pitch nights, reviews, programs), the domain exceptions
carry no HTTP status and ONE table maps them at the edge, and slot visibility is one predicate in SQL and Python."""

from __future__ import annotations

from datetime import timedelta

import pytest

from hub.core.timeutil import utcnow
from hub.events import edge, errors
from hub.extensions import db


@pytest.mark.parametrize(("exc", "status"), [
    (errors.BookingInvalid("seat_cap", "x", "party_size"), 400),
    (errors.BookingClosed("booking_closed", "x"), 409),
    (errors.BookingNotFound("not_found", "x"), 404),
    (errors.BookingBusy("busy", "x"), 429),
    (errors.ParticipationError("closed", "x"), 409),
    (errors.ParticipationNotAllowed("forbidden", "x"), 403),
    (errors.ParticipationInvalid("invalid", "x"), 400),
    (errors.PitchError("closed", "x"), 409),
    (errors.PitchNotAllowed("forbidden", "x"), 403),
    (errors.PitchInvalid("invalid", "x"), 400),
])
def test_one_table_maps_every_domain_exception_to_its_status(app, exc, status):
    assert not hasattr(exc, "status")  # services know nothing of HTTP
    assert edge.status_of(exc) == status
    with app.test_request_context():
        api = edge.api_error(exc)
    assert (api.status, api.code) == (status, exc.code)
    assert api.fields == ({exc.field: "x"} if exc.field else {})


def test_slot_visibility_is_one_rule_in_sql_and_python(app, of):
    from hub.events import visibility
    from hub.events.models import Participation, PitchNight, Slot

    ids = of()
    with app.app_context():
        slot = db.session.get(Slot, ids["slot"])
        start = utcnow() + timedelta(days=3)
        night = PitchNight(title="夜", venue="PiO", starts_at=start, ends_at=start + timedelta(hours=2),
                           cfp_opens_at=start - timedelta(days=9), cfp_closes_at=start - timedelta(days=1),
                           slot=Slot(starts_at=start, ends_at=start + timedelta(hours=2), capacity=9))
        db.session.add(night)
        db.session.flush()
        assert visibility.is_public_slot(slot) and visibility.public_slot(slot.id) is slot
        assert not visibility.is_public_slot(night.slot) and visibility.public_slot(night.slot_id) is None
        db.session.scalar(db.select(Participation).where(Participation.factory_id == ids["factory"])).status = \
            "rejected"
        db.session.flush()
        assert not visibility.is_public_slot(slot) and visibility.public_slot(slot.id) is None
        assert db.session.scalars(visibility.public_slots()).all() == []
        db.session.rollback()


def test_program_creation_is_a_service_with_an_actor(app, of, make_user, make_factory):
    from hub.auth.models import User
    from hub.events import programs
    from hub.events.models import Edition

    ids = of()
    outsider = make_user(role="factory", factory=make_factory(name="不参加工場"))
    organiser = make_user(role="organiser")
    data = {"kind": "workshop", "title": "体験", "title_en": "Try it", "description": ""}
    with app.test_request_context():  # the messages are translated
        edition = db.session.get(Edition, ids["edition"])
        program = programs.create_program(edition, db.session.get(User, ids["member"]), data)
        assert program.id is not None and (program.factory_id, program.kind) == (ids["factory"], "workshop")
        assert db.session().in_transaction()  # flushed, never committed
        with pytest.raises(errors.ParticipationError) as caught:
            programs.create_program(edition, db.session.get(User, outsider), data)
        assert caught.value.code == "not_participating"
        with pytest.raises(errors.ParticipationNotAllowed):
            programs.create_program(edition, db.session.get(User, organiser), data)
        db.session.rollback()


def test_pitch_night_rules_are_a_service(app, of, make_user):
    from hub.auth.models import User
    from hub.events import pitches, services
    from hub.events.models import Pitch, PitchReview

    member = of()["member"]
    organiser_id = make_user(role="organiser")
    start = utcnow().replace(microsecond=0) + timedelta(days=5)
    data = {"title": "夜", "title_en": "Night", "description": "", "venue": "PiO", "is_blind_review": True,
            "hide_scores_until_reviewed": False, "starts_at": start, "ends_at": start + timedelta(hours=2),
            "cfp_opens_at": start - timedelta(days=9), "cfp_closes_at": start - timedelta(days=1)}
    with app.test_request_context():  # the messages are translated
        organiser = db.session.get(User, organiser_id)
        with pytest.raises(errors.PitchNotAllowed):
            pitches.save_pitch_night(None, db.session.get(User, member), data, 3, [("A", 1)], [])
        night, kept = pitches.save_pitch_night(None, organiser, data, 3, [("A", 1), ("B", 2)], ["j@example.jp"])
        assert not kept and night.slot.capacity == 3 and night.slot.starts_at == start
        assert [(c.name, c.weight) for c in night.criteria] == [("A", 1), ("B", 2)]
        assert night.reviewer_emails == ["j@example.jp"] and db.session().in_transaction()
        for i in range(3):
            services.book(night.slot_id, "来場", f"a{i}@example.jp", 1)
        night, kept = pitches.save_pitch_night(night, organiser, data, 1, [("C", 1)], [])
        assert night.slot.capacity == 3  # never below the seats already booked
        assert [c.name for c in night.criteria] == ["C"] and not kept  # no review yet: rewritten
        pitch = Pitch(pitch_night_id=night.id, title="P", summary="", team="", needs="", language="ja")
        db.session.add(pitch)
        db.session.flush()
        db.session.add(PitchReview(pitch=pitch, reviewer_id=organiser.id, scores={}))
        db.session.flush()
        db.session.expire(night, ["pitches"])
        night, kept = pitches.save_pitch_night(night, organiser, data, 4, [("D", 1)], [])
        assert kept and [c.name for c in night.criteria] == ["C"] and night.slot.capacity == 4
        criterion = night.criteria[0]
        assert pitches.review_scores(night, {f"score-{criterion.id}": "6"}) == ({}, ["C"])
        assert pitches.review_scores(night, {f"score-{criterion.id}": "4"}) == ({criterion.id: 4}, [])
        db.session.rollback()
