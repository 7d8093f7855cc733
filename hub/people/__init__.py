"""Pillar 1, people: senior masters (シニア・マイスター) paired with juniors for on-the-job skill transfer, their
training and certification, the ward's allowances, know-how cards (技能カード) and outreach to schools.

Modules: ``models``; ``services`` (people, access, suggestions, the pairing flow, plan templates); ``training``
(sessions, progress, certification); ``allowances``; ``cards``; ``outreach``; ``pdf`` (the certificate);
``routes`` and the ``views_*`` modules (pages); ``kpis``.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Offer a factory's know-how cards to its profile, and how much is documented to succession listings."""
    from hub.core import providers
    from hub.people import cards

    providers.register(app, providers.KNOWHOW_CARDS, cards.for_factory)
    providers.register(app, providers.KNOWHOW_BAND, cards.documented_band)
