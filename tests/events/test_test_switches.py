"""Issue 10 finding 10: test-only switches must not reach a running site. ``HUB_EVENTS_BOOKING_LOCK=false`` in the
environment used to switch the booking lock off; now the switch is honoured only when passed to
``create_app(config)`` with ``TESTING=True`` (the control test in test_concurrency.py still does that)."""

from __future__ import annotations

import secrets

from hub import create_app
from hub.events import services


def _lock_state(app) -> tuple[bool, float]:
    with app.app_context():
        return services.booking_lock_on(), app.config["EVENTS_RACE_DELAY"]


def test_environment_cannot_switch_the_booking_lock_off(monkeypatch, make_app):
    monkeypatch.setenv("HUB_EVENTS_BOOKING_LOCK", "false")
    monkeypatch.setenv("HUB_EVENTS_RACE_DELAY", "2")
    app = make_app()
    assert app.config["EVENTS_BOOKING_LOCK"] is True
    assert _lock_state(app) == (True, 0)


def test_the_switch_needs_testing_as_well(tmp_root):
    from tests.conftest import dispose_engines, make_config

    site = create_app(make_config(tmp_root, TESTING=False, EVENTS_BOOKING_LOCK=False, EVENTS_RACE_DELAY=1,
                                  SECRET_KEY=secrets.token_urlsafe(32), PUBLIC_BASE_URL="https://hub.example.jp"))
    try:
        assert _lock_state(site) == (True, 0)
    finally:
        dispose_engines(site)


def test_a_test_app_can_still_switch_it_off(make_app):
    assert _lock_state(make_app(EVENTS_BOOKING_LOCK=False, EVENTS_RACE_DELAY=0.05)) == (False, 0.05)
