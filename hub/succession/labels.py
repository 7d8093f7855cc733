"""Human labels for the succession choices, in the visitor's language (lazy, so usable at import time)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

SCHEME_LABELS = {
    "family": _l("Family succession (親族内承継)"),
    "employee": _l("Employee buy-out (従業員承継, EBO)"),
    "outside_manager": _l("Outside manager"),
    "sale": _l("Sale to a third party (第三者承継, M&A)"),
}
INCLUDE_LABELS = {
    "equipment": _l("Machines and equipment"),
    "premises": _l("Premises (workshop, land or lease)"),
    "customers": _l("Customers and orders"),
    "skills": _l("Documented skills and know-how"),
}
EMPLOYEE_LABELS = {
    "1_4": _l("1–4 people"), "5_9": _l("5–9 people"), "10_19": _l("10–19 people"),
    "20_49": _l("20–49 people"), "50_plus": _l("50 people or more"),
}
# Widened bands, shown when the exact band would help identify the factory (hub/succession/kanon.py).
WIDE_EMPLOYEE_LABELS = {"1_9": _l("1–9 people"), "10_49": _l("10–49 people"), "20_plus": _l("20 people or more")}
WIDE_YEARS_LABELS = {"under_30": _l("Under 30 years"), "30_plus": _l("30 years or more")}
REVENUE_LABELS = {
    "under_30m": _l("Under ¥30 million a year"), "30m_100m": _l("¥30–100 million a year"),
    "100m_300m": _l("¥100–300 million a year"), "300m_1b": _l("¥300 million–1 billion a year"),
    "over_1b": _l("Over ¥1 billion a year"), "undisclosed": _l("Not disclosed yet"),
}
YEARS_LABELS = {
    "under_10": _l("Under 10 years"), "10_29": _l("10–29 years"), "30_49": _l("30–49 years"),
    "50_plus": _l("50 years or more"),
}
REASON_LABELS = {
    "age": _l("The owner's age"), "no_successor": _l("No successor in the family or staff"),
    "health": _l("Health"), "new_venture": _l("The owner wants to start something else"), "other": _l("Other"),
}
TIMING_LABELS = {
    "within_1y": _l("Within a year"), "1_3y": _l("In 1–3 years"), "3_5y": _l("In 3–5 years"),
    "undecided": _l("Not decided yet"),
}
BUDGET_LABELS = {
    "under_10m": _l("Under ¥10 million"), "10m_50m": _l("¥10–50 million"), "50m_100m": _l("¥50–100 million"),
    "over_100m": _l("Over ¥100 million"), "undecided": _l("Not decided"),
}
STATUS_LABELS = {
    "draft": _l("Draft"), "submitted": _l("Waiting for review"), "returned": _l("Returned for changes"),
    "published": _l("Published"), "paused": _l("Paused"), "held": _l("On hold (too easy to identify)"),
    "withdrawn": _l("Withdrawn"),
}
DISCLOSURE_LABELS = {
    "requested": _l("Waiting for the owner"), "approved": _l("Approved"), "declined": _l("Declined"),
    "revoked": _l("Access withdrawn"),
}
STAGE_LABELS = {
    "candidate": _l("Not contacted yet"), "contacted": _l("Contacted"), "visited": _l("Visited"),
    "plan_drafted": _l("Plan drafted"), "plan_complete": _l("Plan complete"),
}
SUCCESSOR_STATUS_LABELS = {
    "none": _l("No successor"), "undecided": _l("Undecided"), "family": _l("Family member"),
    "employee": _l("Employee"), "external": _l("Outside successor"),
}
AUDIT_LABELS = {
    "listing_created": _l("Listing created"),
    "listing_submitted": _l("Submitted for review"),
    "listing_published": _l("Published by an organiser"),
    "listing_returned": _l("Returned by an organiser"),
    "listing_paused": _l("Paused"),
    "listing_resumed": _l("Published again"),
    "listing_withdrawn": _l("Withdrawn"),
    "listing_held": _l("Put on hold: the directory changed and the listing became too easy to identify"),
    "listing_edited": _l("Edited (needs review again)"),
    "nda_accepted": _l("NDA accepted"),
    "disclosure_requested": _l("Disclosure requested"),
    "disclosure_approved": _l("Disclosure approved"),
    "disclosure_declined": _l("Disclosure declined"),
    "disclosure_revoked": _l("Access withdrawn"),
    "disclosed_viewed": _l("Disclosed details viewed"),
    "disclosed_viewed_api": _l("Disclosed details read through the API"),
    "document_downloaded": _l("Document downloaded"),
    "photo_viewed": _l("Photo viewed"),
    "document_added": _l("Document added"),
    "document_removed": _l("Document removed"),
}


def choices(labels: dict) -> list[tuple[str, object]]:
    return list(labels.items())


def label(labels: dict, key: str | None) -> str:
    return str(labels.get(key or "", key or ""))
