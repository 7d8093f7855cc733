"""How the programme's states and reasons read, in the visitor's language."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from hub.core.labels import capability_label

PAIR_STATUS = {"proposed": _l("Waiting for answers"), "active": _l("Training"), "certified": _l("Certified (status)"),
               "declined": _l("Declined"), "ended": _l("Ended")}
VISIBILITY = {"private": _l("Private to the factory"), "juniors": _l("Shared with its juniors"),
              "public": _l("Public")}
OFFER_KIND = {"internship": _l("Internship places"), "visit": _l("School visit (出前授業)")}
KNOWHOW_BAND = {"some": _l("Some of its know-how is documented"),
                "substantial": _l("Much of its know-how is documented"),
                "extensive": _l("Its know-how is extensively documented")}
APPLICATION_STATUS = {"pending": _l("Waiting for the factory"), "accepted": _l("The factory accepted"),
                      "declined": _l("Declined"), "held": _l("Held")}


def pair_status(value: str) -> str:
    return str(PAIR_STATUS.get(value, value))


def visibility(value: str) -> str:
    return str(VISIBILITY.get(value, value))


def offer_kind(value: str) -> str:
    return str(OFFER_KIND.get(value, value))


def application_status(value: str) -> str:
    return str(APPLICATION_STATUS.get(value, value))


def knowhow_band(value: str) -> str:
    return str(KNOWHOW_BAND.get(value, ""))


def reason(item: dict) -> str:
    """One reason a pair was suggested, e.g. {"key": "distance", "km": 3.2, "travel": 10}."""
    key = item.get("key")
    if key == "skill":
        text = _("Teaches %(skill)s (%(years)s years, level %(level)s/5)", skill=capability_label(item["process"]),
                 years=item.get("years", 0), level=item.get("level", 0))
        if not item.get("exact"):
            text += " " + _("— close to the goal %(goal)s", goal=capability_label(item.get("goal", "")))
        return text
    if key == "distance":
        return _("%(km)s km apart; travels up to %(travel)s km", km=item.get("km"), travel=item.get("travel"))
    if key == "days":
        return _("Both can give %(days)s days a month", days=item.get("days"))
    if key == "places":
        return _("%(n)s places free with this master", n=item.get("free"))
    if key == "legacy":
        return _("Recorded before the hub ran the programme")
    return str(key)
