"""Each role's home after sign-in: what waits for the user today, gathered from the other domains' public
services (a factory's inquiries and fitting needs, a seeker's needs and replies, a successor's requests and
fitting listings, an organiser's queues and indicators). Also what it adds to factory profiles: the inquiry
button, the Open Factory programmes, the photo gallery and the map."""

from __future__ import annotations

from flask import Flask

# Defaults of this domain's settings (the environment's HUB_* and create_app(config) override them).
SETTINGS = {
    # Factory maps: empty = the offline ward map shipped with the hub (no request leaves the site). A tile URL
    # such as "https://tile.example.org/{z}/{x}/{y}.png" adds its origin to the CSP's img-src.
    "MAP_TILE_URL": "",
    "MAP_TILE_ATTRIBUTION": "",
    # A factory's home marks an inquiry "answer overdue" after this many days without an answer.
    "HOME_ANSWER_DAYS": 2,
}


def init_app(app: Flask) -> None:
    for key, value in SETTINGS.items():
        app.config.setdefault(key, value)
