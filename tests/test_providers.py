"""hub.core.providers: what deals offers the matcher (and the matcher deals) without importing each other."""

from __future__ import annotations

import pytest

from hub.core import providers
from hub.extensions import db


def test_each_domain_registers_what_it_offers(app):
    from hub.deals import services as deals
    from hub.matches import services as matches

    registered = app.extensions["hub.providers"]
    assert registered[providers.TRACK_RECORDS] is deals.track_records
    assert registered[providers.COMPLETED_JOBS] is deals.completed_jobs
    assert registered[providers.FITS_FOR_FACTORY] is matches.fits_for_factory


def test_the_matcher_reads_track_records_through_the_provider(app, monkeypatch):
    from hub.matches import services as matches
    from hub.matches.explain import completed_jobs

    with app.app_context():
        assert matches.track_records() == providers.call(providers.TRACK_RECORDS)
        # Without the deals domain the matcher still builds, with no track records and no completed jobs.
        monkeypatch.setitem(app.extensions, "hub.providers", {})
        assert matches.track_records() == {} and completed_jobs([1, 2]) == {}
        monkeypatch.setitem(app.extensions, "hub.providers", {providers.TRACK_RECORDS: lambda: {7: 0.5}})
        assert matches.track_records() == {7: 0.5}


def test_one_provider_per_name(app):
    with pytest.raises(RuntimeError):
        providers.register(app, providers.TRACK_RECORDS, lambda: {})


def test_changed_evidence_moves_the_matchers_stamp(app):
    from hub.matches import services as matches

    with app.app_context():
        before = matches.current_stamp()
        providers.evidence_changed.send(db.session)  # what a new rating of a factory sends
        db.session.commit()
        assert matches.current_stamp() != before
